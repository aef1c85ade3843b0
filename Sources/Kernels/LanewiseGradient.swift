// The backward pass of the activations whose derivative is a comparison (relu, leaky relu, abs,
// clamp), written over FloatLanes so that the tiled kernels run it as vector instructions.
//
// Why not the lane loop the other ops use (`zip3Map16` applying `dy · f'(x, y)` to each of 16
// lanes and trusting the compiler to vectorize it)? For these four the compiler did not: the
// derivative is a branch, `x > 0 ? 1 : 0`, and it vectorized 14 of the 16 lanes, called
// `UnaryOp.derivative` out of line for the other two, and passed the chunk through the stack
// in between (perf annotate, 4 Dec 2026). Relu's backward pass ran at 0.56 ns a float on the
// AVX-512 Xeon in both the AVX-512 and the AVX2 build: five times as long as a plain add in the
// AVX-512 build, twice in the AVX2 one. Written as a `select`, each comparison is one vector
// compare and one blend: 0.14 ns a float in the AVX-512 build, 0.38 in the AVX2 one.
//
// The formulas are the scalar ones of UnaryOp.derivative, times dy, with each `a > b ? p : q`
// written `select(b, lessThan: a, then: p, else: q)`: the same comparisons (a NaN takes the
// else branch in both) and the same multiply, so tiled and naive agree bit for bit.

/// dx = dy · f'(x, y) for one activation, written once over FloatLanes.
protocol LanewiseGradient {
  func apply<V: FloatLanes>(x: V, y: V, dy: V) -> V
}

/// Relu (slope 0) and leaky relu: f'(x) = 1 where x > 0, else the slope.
struct RectifierGradient: LanewiseGradient {
  var slope: Float

  @inline(__always)
  func apply<V: FloatLanes>(x: V, y: V, dy: V) -> V {
    dy * V.select(V(0), lessThan: x, then: V(1), else: V(slope))
  }
}

/// |x|: f'(x) = 1 where x > 0, −1 where x < 0, 0 at 0.
struct AbsGradient: LanewiseGradient {
  @inline(__always)
  func apply<V: FloatLanes>(x: V, y: V, dy: V) -> V {
    let negativeSide = V.select(x, lessThan: V(0), then: V(-1), else: V(0))
    return dy * V.select(V(0), lessThan: x, then: V(1), else: negativeSide)
  }
}

/// clamp(x, low, high): f'(x) = 1 strictly inside (low, high), else 0.
struct ClampGradient: LanewiseGradient {
  var low: Float
  var high: Float

  @inline(__always)
  func apply<V: FloatLanes>(x: V, y: V, dy: V) -> V {
    let belowHigh = V.select(x, lessThan: V(high), then: V(1), else: V(0))
    return dy * V.select(V(low), lessThan: x, then: belowHigh, else: V(0))
  }
}

// x, y, dy, dx are (count).  dx[i] = G(x[i], y[i], dy[i]): whole SIMD16 chunks, then the last
// count % 16 floats one at a time with the same formula. Out of line and generic, so that it is
// compiled once per formula, on its own (see `mapLanes`).
@inline(never)
func mapGradient<G: LanewiseGradient>(
  _ gradient: G, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
  _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ count: Int
) {
  var i = 0
  while i + 16 <= count {
    let chunk = gradient.apply(x: loadChunk(x + i), y: loadChunk(y + i), dy: loadChunk(dy + i))
    storeChunk(chunk, dx + i)
    i += 16
  }
  while i < count {
    dx[i] = gradient.apply(x: x[i], y: y[i], dy: dy[i])
    i += 1
  }
}
