import Kernels

extension Tensor {
  /// f applied to every element, on the current kernel set.
  public func applying(_ op: UnaryOp) -> Tensor {
    let kernels = Kernels.current
    return withUnsafePointer { x in
      Tensor(shape: shape) { y in kernels.unary(op, x, y, count: count) }
    }
  }

  /// dx = dy · f'(x), given the forward input x (self) and output y.
  public func unaryBackward(_ op: UnaryOp, output y: Tensor, upstream dy: Tensor) -> Tensor {
    check(
      y.shape == shape && dy.shape == shape,
      "unaryBackward: shapes \(shape), \(y.shape) and \(dy.shape) must be equal")
    let kernels = Kernels.current
    return withUnsafePointer { px in
      y.withUnsafePointer { py in
        dy.withUnsafePointer { pdy in
          Tensor(shape: shape) { dx in
            kernels.unaryBackward(op, x: px, y: py, dy: pdy, dx: dx, count: count)
          }
        }
      }
    }
  }

  /// a ∘ b with NumPy broadcasting: shapes are aligned on the right, and a dimension of size 1 (or a
  /// missing one) is repeated to match the other. (128, 10) + (10) adds a row to every row.
  public static func binary(_ op: BinaryOp, _ a: Tensor, _ b: Tensor) -> Tensor {
    let kernels = Kernels.current
    // Fast paths: b repeats along a's leading dimensions (same shape, a bias row, a scalar).
    if b.count > 0, a.shape.count >= b.shape.count,
      Array(a.shape.suffix(b.shape.count)) == b.shape
    {
      return a.withUnsafePointer { pa in
        b.withUnsafePointer { pb in
          Tensor(shape: a.shape) { out in
            kernels.binary(op, pa, count: a.count, pb, bCount: b.count, out)
          }
        }
      }
    }
    if b.count == 1 {
      return binary(op, a, Tensor(b.scalars[0]))
    }
    // General case: expand both to the common shape, then combine elementwise.
    let shape = broadcastShape(a.shape, b.shape, op: "\(op)")
    let ea = a.broadcast(to: shape)
    let eb = b.broadcast(to: shape)
    return binary(op, ea, eb)
  }

  /// The shape two shapes broadcast to, or a check failure that names both.
  public static func broadcastShape(_ a: [Int], _ b: [Int], op: String = "broadcast") -> [Int] {
    let rank = max(a.count, b.count)
    let pa = [Int](repeating: 1, count: rank - a.count) + a
    let pb = [Int](repeating: 1, count: rank - b.count) + b
    return zip(pa, pb).map { x, y in
      check(
        x == y || x == 1 || y == 1,
        "\(op): shapes \(a) and \(b) cannot be broadcast together (\(x) vs \(y))")
      return x == 1 ? y : x
    }
  }

  /// This tensor repeated along dimensions of size 1 (and new leading dimensions) to fill `target`.
  public func broadcast(to target: [Int]) -> Tensor {
    if target == shape { return self }
    check(
      target.count >= rank,
      "broadcast: cannot broadcast shape \(shape) to the smaller rank of \(target)")
    let padded = [Int](repeating: 1, count: target.count - rank) + shape
    for (s, t) in zip(padded, target) {
      check(s == t || s == 1, "broadcast: cannot broadcast shape \(shape) to \(target)")
    }
    // Source strides, with 0 where the dimension is repeated.
    var strides = [Int](repeating: 0, count: target.count)
    var step = 1
    for d in stride(from: target.count - 1, through: 0, by: -1) {
      strides[d] = padded[d] == 1 ? 0 : step
      step *= padded[d]
    }
    let total = target.reduce(1, *)
    return withUnsafePointer { src in
      Tensor(shape: target) { dst in
        var index = [Int](repeating: 0, count: target.count)
        var offset = 0
        for i in 0..<total {
          dst[i] = src[offset]
          // Advance the multi-index like an odometer, keeping the source offset in step.
          var d = target.count - 1
          while d >= 0 {
            index[d] += 1
            offset += strides[d]
            if index[d] < target[d] { break }
            offset -= strides[d] * target[d]
            index[d] = 0
            d -= 1
          }
        }
      }
    }
  }

  /// The sum of this tensor over the dimensions that broadcasting added to reach its shape from
  /// `original`: the gradient rule of broadcasting (a value used many times gets the sum of its uses).
  public func sumToShape(_ original: [Int]) -> Tensor {
    if original == shape { return self }
    var result = self
    // Sum away extra leading dimensions.
    while result.rank > original.count { result = result.sum(alongAxis: 0) }
    // Sum (keeping the dimension) where the original had size 1.
    for d in 0..<original.count where original[d] == 1 && result.shape[d] != 1 {
      result = result.sum(alongAxis: d).reshaped(
        Array(result.shape[..<d]) + [1] + Array(result.shape[(d + 1)...]))
    }
    return result.reshaped(original)
  }

  public static func + (a: Tensor, b: Tensor) -> Tensor { binary(.add, a, b) }
  public static func - (a: Tensor, b: Tensor) -> Tensor { binary(.subtract, a, b) }
  public static func * (a: Tensor, b: Tensor) -> Tensor { binary(.multiply, a, b) }
  public static func / (a: Tensor, b: Tensor) -> Tensor { binary(.divide, a, b) }
  public static func * (a: Tensor, s: Float) -> Tensor { a.applying(.scale(s)) }
  public static func * (s: Float, a: Tensor) -> Tensor { a.applying(.scale(s)) }
  public static func + (a: Tensor, s: Float) -> Tensor { binary(.add, a, Tensor(s)) }
  public static func - (a: Tensor, s: Float) -> Tensor { binary(.subtract, a, Tensor(s)) }
  public static prefix func - (a: Tensor) -> Tensor { a.applying(.negate) }
}
