import TensorCore

// Elementwise arithmetic with broadcasting. The gradient of broadcasting is a sum: a bias row added
// to all 128 rows of a batch receives the sum of the 128 row gradients (`sumToShape`).

extension Variable {
  // out = a + b:  ∂a = g,  ∂b = g
  public static func + (a: Variable, b: Variable) -> Variable {
    record(a.value + b.value, name: "add", inputs: [a, b]) { g in
      [g.sumToShape(a.shape), g.sumToShape(b.shape)]
    }
  }

  // out = a − b:  ∂a = g,  ∂b = −g
  public static func - (a: Variable, b: Variable) -> Variable {
    record(a.value - b.value, name: "subtract", inputs: [a, b]) { g in
      [g.sumToShape(a.shape), (-g).sumToShape(b.shape)]
    }
  }

  // out = a · b:  ∂a = g · b,  ∂b = g · a
  public static func * (a: Variable, b: Variable) -> Variable {
    record(a.value * b.value, name: "multiply", inputs: [a, b]) { g in
      [
        a.requiresGrad ? (g * b.value).sumToShape(a.shape) : nil,
        b.requiresGrad ? (g * a.value).sumToShape(b.shape) : nil,
      ]
    }
  }

  // out = a / b:  ∂a = g / b,  ∂b = −g · a / b²
  public static func / (a: Variable, b: Variable) -> Variable {
    let out = a.value / b.value
    return record(out, name: "divide", inputs: [a, b]) { g in
      [
        a.requiresGrad ? (g / b.value).sumToShape(a.shape) : nil,
        b.requiresGrad ? (-(g * out) / b.value).sumToShape(b.shape) : nil,
      ]
    }
  }

  // out = s · a:  ∂a = s · g
  public static func * (s: Float, a: Variable) -> Variable {
    record(a.value * s, name: "scale", inputs: [a]) { g in [g * s] }
  }

  public static func * (a: Variable, s: Float) -> Variable { s * a }

  // out = a + s:  ∂a = g
  public static func + (a: Variable, s: Float) -> Variable {
    record(a.value + s, name: "addScalar", inputs: [a]) { g in [g] }
  }

  public static func - (a: Variable, s: Float) -> Variable { a + (-s) }

  public static prefix func - (a: Variable) -> Variable { -1 * a }
}
