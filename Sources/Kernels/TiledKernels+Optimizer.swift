extension TiledKernels {
  /// Parameters per piece below which one thread does the whole update.
  static let adamParallelCount = 65_536

  // theta, g, m, v are (count). 16 parameters at a time in AVX-512 registers, pieces in parallel:
  // the many-tensor update below with one tensor.
  public func adamUpdate(
    _ step: AdamStep, theta: UnsafeMutablePointer<Float>, gradient g: UnsafePointer<Float>,
    m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int
  ) {
    adamUpdate(step, [AdamOperands(theta: theta, gradient: g, m: m, v: v, count: count)])
  }

  // Every tensor's update as one index space, 0..<Σ count, cut into pieces as one long tensor
  // would be: a piece may end in one tensor and go on in the next. The update is elementwise, so
  // where the pieces fall changes nothing (AdamUpdateTests checks the bits). Timed outside the
  // lab on the AVX-512 Xeon, AVX2 build (4 Dec 2026), with chapter 1's 12 tensors and the caches
  // emptied between calls as a training step does: 150 us a step against 178 one at a time;
  // in chapter 1 (`--profile`, 3 epochs, three runs in turns) 0.65-0.66 s of Adam against
  // 0.71-0.73, too little to show in the epoch's time through the host's noise.
  public func adamUpdate(_ step: AdamStep, _ tensors: [AdamOperands]) {
    // firsts[t]: where tensor t starts in the joint index space.
    let firsts = tensors.reduce(into: [0]) { $0.append($0.last! + $1.count) }.dropLast()
    let total = tensors.reduce(0) { $0 + $1.count }
    nonisolated(unsafe) let tensors = tensors
    forEachPiece(count: total, threshold: Self.adamParallelCount) { range in
      // The last tensor that starts at or before the piece, then on through the ones it covers.
      var i = 0
      while i + 1 < firsts.count && firsts[i + 1] <= range.lowerBound { i += 1 }
      var at = range.lowerBound
      while at < range.upperBound && i < tensors.count {
        let t = tensors[i]
        let offset = at - firsts[i]
        let n = min(t.count - offset, range.upperBound - at)
        if n > 0 {
          Self.adamUpdate(
            step, t.theta + offset, t.gradient + offset, t.m + offset, t.v + offset, n)
          at += n
        }
        i += 1
      }
    }
  }

  @inline(never)
  static func adamUpdate(
    _ step: AdamStep, _ theta: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
    _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>, _ count: Int
  ) {
    var i = 0
    while i + 16 <= count {
      var t16 = loadChunk(UnsafePointer(theta + i))
      var m16 = loadChunk(UnsafePointer(m + i))
      var v16 = loadChunk(UnsafePointer(v + i))
      step.update(theta: &t16, g: loadChunk(g + i), m: &m16, v: &v16)
      storeChunk(t16, theta + i)
      storeChunk(m16, m + i)
      storeChunk(v16, v + i)
      i += 16
    }
    while i < count {
      step.update(theta: &theta[i], g: g[i], m: &m[i], v: &v[i])
      i += 1
    }
  }
}
