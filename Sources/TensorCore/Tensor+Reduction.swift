import Kernels

extension Tensor {
  /// The sum over one axis; that axis disappears from the shape. (m, n).sum(alongAxis: 0) is (n).
  public func sum(alongAxis axis: Int) -> Tensor {
    check(axis >= 0 && axis < rank, "sum: axis \(axis) is out of range for shape \(shape)")
    let outer = shape[..<axis].reduce(1, *)
    let n = shape[axis]
    let inner = shape[(axis + 1)...].reduce(1, *)
    var newShape = shape
    newShape.remove(at: axis)
    let kernels = Kernels.current
    return withUnsafePointer { x in
      Tensor(shape: newShape) { out in
        if n == 0 {
          out.initialize(repeating: 0, count: outer * inner)
        } else {
          kernels.sum(x, outer: outer, n: n, inner: inner, out)
        }
      }
    }
  }

  /// The mean over one axis.
  public func mean(alongAxis axis: Int) -> Tensor {
    sum(alongAxis: axis) * (1 / Float(shape[axis]))
  }

  /// The sum of all elements, as a rank-0 tensor.
  public func sum() -> Tensor {
    if count == 0 { return Tensor(0) }
    return reshaped([count]).sum(alongAxis: 0)
  }

  /// The mean of all elements, as a rank-0 tensor.
  public func mean() -> Tensor { sum() * (1 / Float(Swift.max(count, 1))) }

  /// Σ x² over every element, in Double: a squared norm (the kernel fixes the order of the sum).
  public func sumOfSquares() -> Double {
    let kernels = Kernels.current
    return withUnsafePointer { x in kernels.sumOfSquares(x, minus: nil, count: count) }
  }

  /// Σ (self − other)² over every element, in Double, each difference rounded to Float first:
  /// the numerator of a mean squared error. The shapes must be equal.
  public func sumOfSquaredDifferences(_ other: Tensor) -> Double {
    check(
      shape == other.shape,
      "sumOfSquaredDifferences: shapes \(shape) and \(other.shape) differ")
    let kernels = Kernels.current
    return withUnsafePointer { a in
      other.withUnsafePointer { b in kernels.sumOfSquares(a, minus: b, count: count) }
    }
  }

  /// True when every element is a finite number (no NaN, no infinity).
  public var isFinite: Bool { scalars.allSatisfy { $0.isFinite } }

  /// The largest |a − b| over all elements; the shapes must be equal.
  public static func maxAbsDifference(_ a: Tensor, _ b: Tensor) -> Float {
    check(a.shape == b.shape, "maxAbsDifference: shapes \(a.shape) and \(b.shape) differ")
    var worst: Float = 0
    for (x, y) in zip(a.scalars, b.scalars) { worst = Swift.max(worst, Swift.abs(x - y)) }
    return worst
  }
}

extension Tensor {
  /// The mean and variance of each column of a (rows, columns) tensor, accumulated in Double.
  /// The variance divides by the row count n (multiply by n/(n − 1) for the sample variance).
  public func columnMoments() -> (mean: [Double], variance: [Double]) {
    check(rank == 2, "columnMoments: needs a (rows, columns) tensor, got \(shape)")
    let (n, d) = (shape[0], shape[1])
    var sum = [Double](repeating: 0, count: d)
    var sumSquares = [Double](repeating: 0, count: d)
    withUnsafePointer { p in
      for i in 0..<n {
        for j in 0..<d {
          let v = Double(p[i * d + j])
          sum[j] += v
          sumSquares[j] += v * v
        }
      }
    }
    let mean = sum.map { $0 / Double(Swift.max(n, 1)) }
    let variance = (0..<d).map { j in
      Swift.max(0, sumSquares[j] / Double(Swift.max(n, 1)) - mean[j] * mean[j])
    }
    return (mean, variance)
  }
}
