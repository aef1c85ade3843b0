import Foundation

/// An n-dimensional array of Float32 in row-major order.
///
/// Value semantics come from Swift's `Array`, which is already a struct over a reference-counted
/// buffer with copy-on-write: `var b = a; b[0] = 1` copies the buffer before the write and leaves
/// `a` alone. A hand-written storage class would only repeat what Array does (the
/// `isKnownUniquelyReferenced` check before each mutation), so we use Array and keep the code short.
public struct Tensor: Sendable, Equatable {
  /// The size of each dimension, outermost first. A scalar has shape [].
  public private(set) var shape: [Int]
  /// The elements in row-major order: the last index varies fastest.
  public var scalars: [Float]

  /// A tensor of `shape` holding `scalars` (row-major). The counts must agree.
  public init(shape: [Int], scalars: [Float]) {
    check(
      shape.allSatisfy { $0 >= 0 },
      "Tensor: shape \(shape) has a negative dimension")
    check(
      shape.reduce(1, *) == scalars.count,
      "Tensor: shape \(shape) holds \(shape.reduce(1, *)) elements but \(scalars.count) were given")
    self.shape = shape
    self.scalars = scalars
  }

  /// A tensor of `shape` with every element equal to `value`.
  public init(repeating value: Float, shape: [Int]) {
    self.init(shape: shape, scalars: [Float](repeating: value, count: shape.reduce(1, *)))
  }

  /// A tensor of zeros.
  public init(zeros shape: [Int]) { self.init(repeating: 0, shape: shape) }

  /// A rank-0 tensor holding one number.
  public init(_ scalar: Float) { self.init(shape: [], scalars: [scalar]) }

  /// A tensor whose elements are written by `body` into uninitialized memory (no zero fill).
  /// `body` must write all `count` elements.
  public init(shape: [Int], unsafeUninitialized body: (UnsafeMutablePointer<Float>) -> Void) {
    let count = shape.reduce(1, *)
    let scalars = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
      if count > 0 { body(buffer.baseAddress!) }
      initialized = count
    }
    self.init(shape: shape, scalars: scalars)
  }

  /// Number of elements.
  public var count: Int { scalars.count }
  /// Number of dimensions.
  public var rank: Int { shape.count }

  /// The single element of a tensor with one element (a loss, say).
  public var scalar: Float {
    check(count == 1, "Tensor.scalar: tensor of shape \(shape) has \(count) elements, not 1")
    return scalars[0]
  }

  /// Element access by full index, e.g. `t[2, 5]` for a matrix.
  public subscript(index: Int...) -> Float {
    get { scalars[offset(of: index)] }
    set { scalars[offset(of: index)] = newValue }
  }

  func offset(of index: [Int]) -> Int {
    check(
      index.count == shape.count,
      "Tensor: index \(index) has \(index.count) components but shape \(shape) has \(shape.count)")
    var offset = 0
    for (i, (position, size)) in zip(index, shape).enumerated() {
      check(
        position >= 0 && position < size,
        "Tensor: index \(index) is out of range for shape \(shape) at dimension \(i)")
      offset = offset * size + position
    }
    return offset
  }

  /// The same elements viewed with another shape of the same element count. One dimension may be -1,
  /// meaning "whatever is left".
  public func reshaped(_ newShape: [Int]) -> Tensor {
    var resolved = newShape
    if let unknown = newShape.firstIndex(of: -1) {
      let known = newShape.enumerated().filter { $0.offset != unknown }.map(\.element).reduce(1, *)
      check(
        known > 0 && count % known == 0,
        "reshape: cannot view shape \(shape) (\(count) elements) as \(newShape)")
      resolved[unknown] = count / known
    }
    check(
      resolved.reduce(1, *) == count,
      "reshape: cannot view shape \(shape) (\(count) elements) as \(newShape)")
    return Tensor(shape: resolved, scalars: scalars)
  }

  /// Calls `body` with a read-only pointer to the elements.
  @inlinable
  public func withUnsafePointer<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
    try scalars.withUnsafeBufferPointer { try body($0.baseAddress ?? UnsafePointer(bitPattern: 16)!) }
  }

  /// Calls `body` with a mutable pointer to the elements (copying the buffer first if it is shared).
  @inlinable
  public mutating func withUnsafeMutablePointer<R>(
    _ body: (UnsafeMutablePointer<Float>) throws -> R
  ) rethrows -> R {
    try scalars.withUnsafeMutableBufferPointer {
      try body($0.baseAddress ?? UnsafeMutablePointer(bitPattern: 16)!)
    }
  }
}

extension Tensor: CustomStringConvertible {
  public var description: String {
    let preview = scalars.prefix(8).map { String(format: "%.4g", $0) }.joined(separator: ", ")
    return "Tensor(shape: \(shape), [\(preview)\(count > 8 ? ", …" : "")])"
  }
}
