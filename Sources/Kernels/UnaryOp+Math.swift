import Foundation

// The scalar math of each elementwise op, written once and shared by both kernel sets, so that
// "naive" and "tiled" differ only in how they walk memory, not in what they compute.

extension UnaryOp {
  /// f(x)
  @inlinable
  public func apply(_ x: Float) -> Float {
    switch self {
    case .relu: return x > 0 ? x : 0
    case .leakyRelu(let slope): return x > 0 ? x : slope * x
    // exp and the two activations built on it use the formulas in Exponential.swift, which the
    // tiled kernels run 16 lanes at a time: both kernel sets compute exactly the same floats.
    case .sigmoid: return logistic(x)
    case .tanh: return hyperbolicTangent(x)
    case .exp: return exponential(x)
    case .log: return Foundation.log(x)
    case .square: return x * x
    case .abs: return Swift.abs(x)
    case .negate: return -x
    case .scale(let s): return s * x
    case .clamp(let low, let high): return Swift.min(Swift.max(x, low), high)
    }
  }

  /// f'(x), given x and y = f(x).
  @inlinable
  public func derivative(x: Float, y: Float) -> Float {
    switch self {
    case .relu: return x > 0 ? 1 : 0
    case .leakyRelu(let slope): return x > 0 ? 1 : slope
    case .sigmoid: return y * (1 - y)  // σ' = σ(1 − σ)
    case .tanh: return 1 - y * y  // tanh' = 1 − tanh²
    case .exp: return y  // (eˣ)' = eˣ
    case .log: return 1 / x
    case .square: return 2 * x
    case .abs: return x > 0 ? 1 : (x < 0 ? -1 : 0)
    case .negate: return -1
    case .scale(let s): return s
    case .clamp(let low, let high): return (x > low && x < high) ? 1 : 0
    }
  }
}

extension BinaryOp {
  @inlinable
  public func apply(_ a: Float, _ b: Float) -> Float {
    switch self {
    case .add: return a + b
    case .subtract: return a - b
    case .multiply: return a * b
    case .divide: return a / b
    }
  }
}
