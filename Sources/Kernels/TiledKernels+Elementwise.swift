// Elementwise kernels: one pass over memory, a few operations per float.
//
// Two things make them fast. First, the `switch` on the op runs once per call, outside the loop,
// and each case hands a closure with a fixed formula to `map16`; the compiler inlines it and turns
// the 16 lanes into vector instructions (max, multiply, select). The formulas are the shared
// scalar ones from UnaryOp+Math.swift, so tiled and naive compute the same thing.
// Second, loads and stores are whole SIMD16 chunks: each chunk is read before it is written, so
// an in-place call (y the same buffer as x) is safe and stays vectorized.
//
// exp, sigmoid and tanh are polynomials written generically over FloatLanes (Exponential.swift):
// `mapLanes` hands them a whole SIMD16 chunk, so each of their steps is one vector instruction.
// log still calls the C library once per float, in a plain scalar loop, `mapEach`: wrapped in
// SIMD16 chunks, library calls ran 6 times slower. The compiler kept the chunk in an AVX-512
// register between the 16 calls, and the CPU stalled on the first AVX-512 instruction after every
// call (the register state is reset, vzeroupper, before each call). These four ops cost tens of
// cycles per float where relu costs one, which is why they go parallel at a smaller size.
//
// Large arrays are cut into contiguous pieces, one per chunk of work, aligned to 16 floats.

extension TiledKernels {
  /// Below this many elements a cheap op (a few cycles per 16 floats) runs on one thread.
  // Measured on the AVX-512 Xeon (4 Dec 2026), with the pool's helper spinning between kernels
  // as it does while a chapter trains: on one batch of chapter 1's images (128 x 784 floats)
  // two threads took 0.6-0.75 of one thread's time for add, relu, abs, clamp and their backward
  // passes, in the AVX-512 build and the AVX2 one; at 128 x 256 (32K floats) level to 1.7 times
  // slower in the AVX-512 build, so that size stays on one thread there. (At 256K, the threshold
  // until then, chapter 1's activations all ran on one.) Below AVX-512 one thread takes about
  // twice as long per float (SIMD16 is two 256-bit halves: the AVX2 build's relu, add and relu
  // backward ran at 0.4-0.7 of the AVX-512 build's speed), so two threads pay from half the
  // size: at 32K floats they took 0.6-0.85 of one thread's time in the AVX2 build, for every op
  // but square (level). The convolutions' im2col and col2im use the same threshold.
  static let elementwiseParallelCount = VectorISA.usable == .avx512 ? 1 << 16 : 1 << 15
  /// Below this many elements an op that calls exp, log or tanh runs on one thread.
  static let transcendentalParallelCount = 1 << 14

  // x, y are (count)
  public func unary(
    _ op: UnaryOp, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int
  ) {
    forEachPiece(count: count, threshold: Self.parallelThreshold(op)) { range in
      Self.unary(op, x + range.lowerBound, y + range.lowerBound, count: range.count)
    }
  }

  // x, y, dy, dx are (count)
  public func unaryBackward(
    _ op: UnaryOp, x: UnsafePointer<Float>, y: UnsafePointer<Float>,
    dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, count: Int
  ) {
    forEachPiece(count: count, threshold: Self.elementwiseParallelCount) { range in
      let start = range.lowerBound
      Self.unaryBackward(op, x + start, y + start, dy + start, dx + start, count: range.count)
    }
  }

  // a, out are (count); b is (bCount), repeated count / bCount times
  public func binary(
    _ op: BinaryOp, _ a: UnsafePointer<Float>, count: Int,
    _ b: UnsafePointer<Float>, bCount: Int, _ out: UnsafeMutablePointer<Float>
  ) {
    forEachPiece(count: count, threshold: Self.elementwiseParallelCount) { range in
      if bCount == 1 {
        Self.binary(
          op, a + range.lowerBound, scalar: b[0], out + range.lowerBound, count: range.count)
        return
      }
      // Walk the piece one stretch at a time, a stretch ending where b starts over (at a row
      // boundary). When bCount == count the whole piece is one stretch.
      var i = range.lowerBound
      while i < range.upperBound {
        let j = i % bCount
        let length = min(range.upperBound - i, bCount - j)
        Self.binary(op, a + i, b + j, out + i, count: length)
        i += length
      }
    }
  }

  /// Calls `body` on contiguous pieces covering 0..<count: one piece below `threshold`, else one
  /// per chunk of work, in parallel.
  func forEachPiece(count: Int, threshold: Int, _ body: (Range<Int>) -> Void) {
    guard count > 0 else { return }
    let (workers, chunks) = split(work: count, threshold: threshold)
    parallelFor(chunks: chunks, threads: workers) { chunk in
      body(chunkRange(chunk, of: chunks, count: count, multiple: 16))
    }
  }

  static func parallelThreshold(_ op: UnaryOp) -> Int {
    switch op {
    case .sigmoid, .tanh, .exp, .log: return transcendentalParallelCount
    default: return elementwiseParallelCount
    }
  }

  // The per-piece kernels below are kept out of line (@inline(never)): inlined into the threading
  // code around them, the compiler vectorized some ops (abs and clamp backward) lane by lane,
  // two to four times slower; compiled on their own, every op becomes plain vector code.

  // x, y are (count)
  @inline(never)
  static func unary(
    _ op: UnaryOp, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int
  ) {
    switch op {
    case .relu: map16(x, y, count) { UnaryOp.relu.apply($0) }
    case .leakyRelu(let slope): map16(x, y, count) { UnaryOp.leakyRelu(slope: slope).apply($0) }
    case .sigmoid: mapLanes(Logistic.self, x, y, count)
    case .tanh: mapLanes(HyperbolicTangent.self, x, y, count)
    case .exp: mapLanes(Exponential.self, x, y, count)
    case .log: mapEach(x, y, count) { UnaryOp.log.apply($0) }
    case .square: map16(x, y, count) { UnaryOp.square.apply($0) }
    case .abs: map16(x, y, count) { UnaryOp.abs.apply($0) }
    case .negate: map16(x, y, count) { UnaryOp.negate.apply($0) }
    case .scale(let s): map16(x, y, count) { UnaryOp.scale(s).apply($0) }
    case .clamp(let low, let high):
      map16(x, y, count) { UnaryOp.clamp(low: low, high: high).apply($0) }
    }
  }

  // x, y, dy, dx are (count).  dx = dy · f'(x, y)
  @inline(never)
  static func unaryBackward(
    _ op: UnaryOp, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
    _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count: Int
  ) {
    // The gradient is dy times a derivative that needs x, y or both; `zip3Map16` reads all three.
    switch op {
    // The four whose derivative is a comparison go through `mapGradient`
    // (LanewiseGradient.swift says why).
    case .relu: mapGradient(RectifierGradient(slope: 0), x, y, dy, dx, count)
    case .leakyRelu(let slope): mapGradient(RectifierGradient(slope: slope), x, y, dy, dx, count)
    case .sigmoid: zip3Map16(x, y, dy, dx, count) { $2 * UnaryOp.sigmoid.derivative(x: $0, y: $1) }
    case .tanh: zip3Map16(x, y, dy, dx, count) { $2 * UnaryOp.tanh.derivative(x: $0, y: $1) }
    case .exp: zip3Map16(x, y, dy, dx, count) { $2 * UnaryOp.exp.derivative(x: $0, y: $1) }
    case .log: zip3Map16(x, y, dy, dx, count) { $2 * UnaryOp.log.derivative(x: $0, y: $1) }
    case .square: zip3Map16(x, y, dy, dx, count) { $2 * UnaryOp.square.derivative(x: $0, y: $1) }
    case .abs: mapGradient(AbsGradient(), x, y, dy, dx, count)
    case .negate: zip3Map16(x, y, dy, dx, count) { $2 * UnaryOp.negate.derivative(x: $0, y: $1) }
    case .scale(let s):
      zip3Map16(x, y, dy, dx, count) { $2 * UnaryOp.scale(s).derivative(x: $0, y: $1) }
    case .clamp(let low, let high):
      mapGradient(ClampGradient(low: low, high: high), x, y, dy, dx, count)
    }
  }

  // a, b, out are (count).  out = a ∘ b
  @inline(never)
  static func binary(
    _ op: BinaryOp, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
    _ out: UnsafeMutablePointer<Float>, count: Int
  ) {
    switch op {
    case .add: zipMap16(a, b, out, count) { $0 + $1 }
    case .subtract: zipMap16(a, b, out, count) { $0 - $1 }
    case .multiply: zipMap16(a, b, out, count) { $0 * $1 }
    case .divide: zipMap16(a, b, out, count) { $0 / $1 }
    }
  }

  // a, out are (count); s is one number.  out = a ∘ s
  @inline(never)
  static func binary(
    _ op: BinaryOp, _ a: UnsafePointer<Float>, scalar s: Float,
    _ out: UnsafeMutablePointer<Float>, count: Int
  ) {
    switch op {
    case .add: map16(a, out, count) { $0 + s }
    case .subtract: map16(a, out, count) { $0 - s }
    case .multiply: map16(a, out, count) { $0 * s }
    case .divide: map16(a, out, count) { $0 / s }
    }
  }
}

// The three loop shapes every elementwise kernel uses. Each walks whole SIMD16 chunks, applying
// the scalar formula `f` to the 16 lanes (the compiler vectorizes the lanes), then finishes the
// last count % 16 floats one at a time.

// x, y are (count).  y[i] = f(x[i])
@inline(__always)
func map16(
  _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int,
  _ f: (Float) -> Float
) {
  var i = 0
  while i + 16 <= count {
    var v = loadChunk(x + i)
    for lane in 0..<16 { v[lane] = f(v[lane]) }
    storeChunk(v, y + i)
    i += 16
  }
  while i < count {
    y[i] = f(x[i])
    i += 1
  }
}

// x, y are (count).  y[i] = F(x[i]) for a formula written over FloatLanes: applied to whole SIMD16
// chunks, then to the last count % 16 floats one at a time (the same formula, so the same results).
// The formula comes as a type, not a closure, and the loop is compiled once per formula, on its
// own: inside the big `switch` of `unary`, the compiler declined to inline a formula this long,
// and the out-of-line call cut each AVX-512 step into four 128-bit ones, 2.5 times slower.
@inline(never)
func mapLanes<F: LanewiseFormula>(
  _ formula: F.Type, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int
) {
  var i = 0
  while i + 16 <= count {
    storeChunk(F.apply(loadChunk(x + i)), y + i)
    i += 16
  }
  while i < count {
    y[i] = F.apply(x[i])
    i += 1
  }
}

/// A function of one number, written once over FloatLanes, and named as a type so that a kernel
/// can be specialized for it.
protocol LanewiseFormula {
  static func apply<V: FloatLanes>(_ x: V) -> V
}

enum Logistic: LanewiseFormula {
  @inline(__always) static func apply<V: FloatLanes>(_ x: V) -> V { logistic(x) }
}

enum HyperbolicTangent: LanewiseFormula {
  @inline(__always) static func apply<V: FloatLanes>(_ x: V) -> V { hyperbolicTangent(x) }
}

enum Exponential: LanewiseFormula {
  @inline(__always) static func apply<V: FloatLanes>(_ x: V) -> V { exponential(x) }
}

// x, y are (count).  y[i] = f(x[i]), one float at a time (for f that call the C library)
@inline(__always)
func mapEach(
  _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int,
  _ f: (Float) -> Float
) {
  for i in 0..<count { y[i] = f(x[i]) }
}

// a, b, out are (count).  out[i] = f(a[i], b[i])
@inline(__always)
func zipMap16(
  _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
  _ count: Int, _ f: (Float, Float) -> Float
) {
  var i = 0
  while i + 16 <= count {
    var v = loadChunk(a + i)
    let w = loadChunk(b + i)
    for lane in 0..<16 { v[lane] = f(v[lane], w[lane]) }
    storeChunk(v, out + i)
    i += 16
  }
  while i < count {
    out[i] = f(a[i], b[i])
    i += 1
  }
}

// x, y, dy, dx are (count).  dx[i] = f(x[i], y[i], dy[i])
@inline(__always)
func zip3Map16(
  _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
  _ dx: UnsafeMutablePointer<Float>, _ count: Int, _ f: (Float, Float, Float) -> Float
) {
  var i = 0
  while i + 16 <= count {
    let u = loadChunk(x + i)
    let v = loadChunk(y + i)
    var w = loadChunk(dy + i)
    for lane in 0..<16 { w[lane] = f(u[lane], v[lane], w[lane]) }
    storeChunk(w, dx + i)
    i += 16
  }
  while i < count {
    dx[i] = f(x[i], y[i], dy[i])
    i += 1
  }
}

@inline(__always)
func loadChunk(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
  UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always)
func storeChunk(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
  UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
}
