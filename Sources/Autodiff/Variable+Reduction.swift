import TensorCore

extension Variable {
  // out = Σ x (a scalar):  ∂x = g repeated to x's shape
  public func sum() -> Variable {
    let shape = self.shape
    return Variable.record(value.sum(), name: "sum", inputs: [self]) { g in
      [Tensor(repeating: g.scalar, shape: shape)]
    }
  }

  // out = (1/N) Σ x:  ∂x = g / N
  public func mean() -> Variable {
    let shape = self.shape
    let n = Float(max(value.count, 1))
    return Variable.record(value.mean(), name: "mean", inputs: [self]) { g in
      [Tensor(repeating: g.scalar / n, shape: shape)]
    }
  }

  // out[.., ..] = Σ_axis x:  ∂x = g with the axis put back (size 1) and repeated along it
  public func sum(alongAxis axis: Int) -> Variable {
    let shape = self.shape
    return Variable.record(value.sum(alongAxis: axis), name: "sumAxis", inputs: [self]) { g in
      var kept = shape
      kept[axis] = 1
      return [g.reshaped(kept).broadcast(to: shape)]
    }
  }

  public func mean(alongAxis axis: Int) -> Variable {
    sum(alongAxis: axis) * (1 / Float(shape[axis]))
  }
}
