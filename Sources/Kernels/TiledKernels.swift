import Foundation

/// The fast kernels: cache-blocked, SIMD, and split across cores above a size threshold.
///
/// Each kernel lives in its own file:
///   TiledKernels+GEMM.swift         the matrix multiply: blocking over k and n, the thread split
///   TiledKernels+GEMMPacking.swift  copying blocks of a and b into the order the micro-kernel reads
///   RegisterTile.swift              the register tile, where nearly all the time is spent
///   GEMMTile.swift                  the tile for each vector register file, and the choice
///   GEMMBlocking.swift              block sizes from the tile and the caches
///   TiledKernels+Elementwise.swift  unary, unaryBackward and binary in 16-wide SIMD chunks
///   TiledKernels+Reduction.swift    sums over (outer, n, inner) views
///   ParallelFor.swift               the one way work is spread over threads
///
/// Every result is deterministic for a given thread count: work is split only over disjoint pieces
/// of the output, never over the dimension being summed (the GEMM's k), so the same inputs give
/// bit-identical outputs on every call. The GEMM's split does not even depend on the thread count.
/// Every thread that runs a tiled kernel, the caller included, runs with flush-to-zero on.
public struct TiledKernels: KernelSet {
  public var name: String { "tiled" }
  /// Worker threads for large kernels. 1 runs everything serially on the calling thread.
  public var threads: Int
  /// The GEMM's register tile: `GEMMTile.chosen` (the one for this CPU) unless told otherwise.
  public let tile: GEMMTile
  /// The GEMM's block sizes, from the tile and this machine's caches.
  public let blocking: GEMMBlocking
  /// Floats of im2col matrix per slice of a convolution's batch (TiledKernels+Conv.swift).
  public var convolutionSlice = TiledKernels.columnBudget

  public static var defaultThreads: Int { ProcessInfo.processInfo.activeProcessorCount }

  public init(
    threads: Int = TiledKernels.defaultThreads, tile: GEMMTile = .chosen,
    blocking: GEMMBlocking? = nil
  ) {
    self.threads = max(1, threads)
    self.tile = tile
    self.blocking = blocking ?? GEMMBlocking(tile: tile)
  }

  /// Work is cut into more chunks than threads, so a core that runs faster (or is less busy with
  /// other programs) simply takes more chunks, instead of the whole kernel waiting for the slowest.
  static let chunksPerThread = 4

  /// How many threads and chunks a kernel of `work` units uses: one of each below `threshold`,
  /// where starting threads (several microseconds) would cost more than it saves.
  func split(work: Int, threshold: Int) -> (threads: Int, chunks: Int) {
    if threads == 1 || work < threshold { return (1, 1) }
    return (threads, threads * Self.chunksPerThread)
  }
}
