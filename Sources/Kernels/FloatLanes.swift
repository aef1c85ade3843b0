// The shared formulas (Adam's update, exp, sigmoid, tanh) are written once, generic over
// `FloatLanes`: a single Float, or a SIMD16 of them. NaiveKernels runs a formula on one Float at
// a time, TiledKernels on 16 lanes at once (one AVX-512 register), and because both run the same
// operations in the same order, with no fused multiply-adds the other does not have, their results
// agree bit for bit.

/// A Float, or a SIMD vector of Floats: what the shared formulas need of a number.
public protocol FloatLanes {
  init(_ value: Float)
  static func + (a: Self, b: Self) -> Self
  static func - (a: Self, b: Self) -> Self
  static func * (a: Self, b: Self) -> Self
  static func / (a: Self, b: Self) -> Self
  /// √self, correctly rounded.
  var squareRootValue: Self { get }
  /// `then` where a < b, `else` elsewhere (lane by lane). A NaN in a or b takes `else`.
  static func select(_ a: Self, lessThan b: Self, then: Self, else: Self) -> Self
  /// The Float whose bit pattern is (bits of self &+ offset) &<< 23, lane by lane: how
  /// `exponential` turns an integer, kept in the low bits of a Float, into a power of two.
  func shiftedIntoExponent(adding offset: UInt32) -> Self
}

extension Float: FloatLanes {
  @inlinable public var squareRootValue: Float {
    @inline(__always) get { squareRoot() }
  }

  @inlinable @inline(__always)
  public static func select(_ a: Float, lessThan b: Float, then: Float, else: Float) -> Float {
    a < b ? then : `else`
  }

  @inlinable @inline(__always)
  public func shiftedIntoExponent(adding offset: UInt32) -> Float {
    Float(bitPattern: (bitPattern &+ offset) &<< 23)
  }
}

extension SIMD16: FloatLanes where Scalar == Float {
  @inlinable @inline(__always)
  public init(_ value: Float) { self.init(repeating: value) }

  // A vector square root instruction (vsqrtps) only when the C library's sqrtf is not asked to
  // set errno: Package.swift passes -fno-math-errno. Without it this is 16 scalar square roots.
  @inlinable public var squareRootValue: SIMD16<Float> {
    @inline(__always) get { squareRoot() }
  }

  @inlinable @inline(__always)
  public static func select(
    _ a: SIMD16<Float>, lessThan b: SIMD16<Float>, then: SIMD16<Float>, else: SIMD16<Float>
  ) -> SIMD16<Float> {
    `else`.replacing(with: then, where: a .< b)
  }

  @inlinable @inline(__always)
  public func shiftedIntoExponent(adding offset: UInt32) -> SIMD16<Float> {
    let bits = unsafeBitCast(self, to: SIMD16<UInt32>.self)
    return unsafeBitCast((bits &+ offset) &<< 23, to: SIMD16<Float>.self)
  }
}
