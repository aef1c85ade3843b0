import Kernels
import TensorCore

// Elementwise functions. The forward and backward formulas of each live in Kernels/UnaryOp+Math.swift
// (f and f'); here each becomes a graph op: out = f(x), ∂x = g · f'(x).

extension Variable {
  /// f applied elementwise, with the gradient rule ∂x = g · f'(x).
  public func applying(_ op: UnaryOp, name: String) -> Variable {
    let x = value
    let y = x.applying(op)
    return Variable.record(y, name: name, inputs: [self]) { g in
      [x.unaryBackward(op, output: y, upstream: g)]
    }
  }

  public func relu() -> Variable { applying(.relu, name: "relu") }
  public func leakyRelu(slope: Float = 0.01) -> Variable {
    applying(.leakyRelu(slope: slope), name: "leakyRelu")
  }
  public func sigmoid() -> Variable { applying(.sigmoid, name: "sigmoid") }
  public func tanh() -> Variable { applying(.tanh, name: "tanh") }
  public func exp() -> Variable { applying(.exp, name: "exp") }
  /// Natural log; the input must be positive.
  public func log() -> Variable { applying(.log, name: "log") }
  public func square() -> Variable { applying(.square, name: "square") }
  public func abs() -> Variable { applying(.abs, name: "abs") }
  /// min(max(x, low), high); the gradient is zero where the clamp is active.
  public func clamped(to range: ClosedRange<Float>) -> Variable {
    applying(.clamp(low: range.lowerBound, high: range.upperBound), name: "clamp")
  }
}
