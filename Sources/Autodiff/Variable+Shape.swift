import TensorCore

// Ops that move elements around without arithmetic: their backward moves the gradient back.

extension Variable {
  // ∂x = g viewed with x's shape
  public func reshaped(_ newShape: [Int]) -> Variable {
    let shape = self.shape
    return Variable.record(value.reshaped(newShape), name: "reshape", inputs: [self]) { g in
      [g.reshaped(shape)]
    }
  }

  // ∂x = gᵀ
  public func transposed() -> Variable {
    Variable.record(value.transposed(), name: "transpose", inputs: [self]) { g in
      [g.transposed()]
    }
  }

  // ∂x = g placed back into the sliced range, zeros elsewhere
  public func slice(axis: Int, _ range: Range<Int>) -> Variable {
    let shape = self.shape
    return Variable.record(value.slice(axis: axis, range), name: "slice", inputs: [self]) { g in
      var parts: [Tensor] = []
      if range.lowerBound > 0 {
        var s = shape
        s[axis] = range.lowerBound
        parts.append(Tensor(zeros: s))
      }
      parts.append(g)
      if range.upperBound < shape[axis] {
        var s = shape
        s[axis] = shape[axis] - range.upperBound
        parts.append(Tensor(zeros: s))
      }
      return [Tensor.concat(parts, axis: axis)]
    }
  }

  // ∂x_i = the slice of g that x_i filled
  public static func concat(_ parts: [Variable], axis: Int) -> Variable {
    let sizes = parts.map { $0.shape[axis] }
    return record(
      Tensor.concat(parts.map(\.value), axis: axis), name: "concat", inputs: parts
    ) { g in
      g.split(axis: axis, sizes: sizes).map { Optional($0) }
    }
  }

  /// Pieces along `axis` with the given sizes (each piece is a slice op).
  public func split(axis: Int, sizes: [Int]) -> [Variable] {
    Tensor.splitRanges(sizes, of: shape, axis: axis).map { slice(axis: axis, $0) }
  }
}
