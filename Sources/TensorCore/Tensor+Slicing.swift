extension Tensor {
  /// The elements with index in `range` along `axis`; the axis keeps its place with a smaller size.
  public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
    check(axis >= 0 && axis < rank, "slice: axis \(axis) is out of range for shape \(shape)")
    check(
      range.lowerBound >= 0 && range.upperBound <= shape[axis],
      "slice: range \(range) is out of bounds for axis \(axis) of shape \(shape)")
    let outer = shape[..<axis].reduce(1, *)
    let inner = shape[(axis + 1)...].reduce(1, *)
    let n = shape[axis]
    var newShape = shape
    newShape[axis] = range.count
    return withUnsafePointer { src in
      Tensor(shape: newShape) { dst in
        for o in 0..<outer {
          (dst + o * range.count * inner).update(
            from: src + (o * n + range.lowerBound) * inner, count: range.count * inner)
        }
      }
    }
  }

  /// Rows `range` of the leading axis: a mini-batch out of a dataset, say.
  public func rows(_ range: Range<Int>) -> Tensor { slice(axis: 0, range) }

  /// Tensors joined along `axis`; every other dimension must agree.
  public static func concat(_ parts: [Tensor], axis: Int) -> Tensor {
    check(!parts.isEmpty, "concat: needs at least one tensor")
    let first = parts[0]
    check(axis >= 0 && axis < first.rank, "concat: axis \(axis) is out of range for \(first.shape)")
    for p in parts {
      var a = p.shape
      var b = first.shape
      check(a.count == b.count, "concat: shapes \(first.shape) and \(p.shape) differ in rank")
      a[axis] = 0
      b[axis] = 0
      check(a == b, "concat: shapes \(first.shape) and \(p.shape) differ off axis \(axis)")
    }
    let outer = first.shape[..<axis].reduce(1, *)
    let inner = first.shape[(axis + 1)...].reduce(1, *)
    let total = parts.reduce(0) { $0 + $1.shape[axis] }
    var newShape = first.shape
    newShape[axis] = total
    var result = Tensor(zeros: newShape)
    result.withUnsafeMutablePointer { dst in
      var start = 0
      for p in parts {
        let n = p.shape[axis]
        p.withUnsafePointer { src in
          for o in 0..<outer {
            (dst + (o * total + start) * inner).update(from: src + o * n * inner, count: n * inner)
          }
        }
        start += n
      }
    }
    return result
  }

  /// The tensor cut along `axis` into pieces of the given sizes (which must add up to the axis).
  public func split(axis: Int, sizes: [Int]) -> [Tensor] {
    Tensor.splitRanges(sizes, of: shape, axis: axis).map { slice(axis: axis, $0) }
  }

  /// The index ranges along `axis` of pieces with the given sizes, checked to cover the axis:
  /// sizes [2, 3] give 0..<2 and 2..<5. Shared by the tensor and the autodiff `split`.
  public static func splitRanges(_ sizes: [Int], of shape: [Int], axis: Int) -> [Range<Int>] {
    check(
      axis >= 0 && axis < shape.count && sizes.reduce(0, +) == shape[axis],
      "split: sizes \(sizes) do not add up to axis \(axis) of shape \(shape)")
    var start = 0
    return sizes.map { size in
      defer { start += size }
      return start..<(start + size)
    }
  }

  /// The rows of the leading axis picked by `indices`, in that order (a shuffled mini-batch).
  public func gatherRows(_ indices: [Int]) -> Tensor {
    check(rank >= 1, "gatherRows: needs rank ≥ 1, got shape \(shape)")
    let inner = count / Swift.max(shape[0], 1)
    var newShape = shape
    newShape[0] = indices.count
    return withUnsafePointer { src in
      Tensor(shape: newShape) { dst in
        for (r, i) in indices.enumerated() {
          check(i >= 0 && i < shape[0], "gatherRows: row \(i) is out of range for \(shape)")
          (dst + r * inner).update(from: src + i * inner, count: inner)
        }
      }
    }
  }
}
