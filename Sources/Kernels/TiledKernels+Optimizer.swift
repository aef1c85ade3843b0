extension TiledKernels {
  /// Parameters per piece below which one thread does the whole update.
  static let adamParallelCount = 65_536

  // theta, g, m, v are (count). 16 parameters at a time in AVX-512 registers, pieces in parallel.
  public func adamUpdate(
    _ step: AdamStep, theta: UnsafeMutablePointer<Float>, gradient g: UnsafePointer<Float>,
    m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int
  ) {
    nonisolated(unsafe) let (theta, g, m, v) = (theta, g, m, v)
    forEachPiece(count: count, threshold: Self.adamParallelCount) { range in
      Self.adamUpdate(
        step, theta + range.lowerBound, g + range.lowerBound, m + range.lowerBound,
        v + range.lowerBound, range.count)
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
