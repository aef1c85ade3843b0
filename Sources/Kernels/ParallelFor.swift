import CPUSupport
import Dispatch
import Foundation

/// Runs `body(chunk)` once for every chunk in 0..<chunks, on at most `threads` threads at a time,
/// and returns when all chunks are done.
///
/// The chunks must write disjoint parts of the output, so they need no locks and their order does
/// not matter. The threads (WorkerPool's helpers, which stay awake between calls, or Dispatch's
/// when the pool is busy) take the next chunk from a shared counter as they finish the last one:
/// with more chunks than threads (TiledKernels uses 4 per thread, except the GEMM on two
/// threads), a faster core takes more.
/// With `threads` = 1 (or a single chunk) the chunks run in order on the calling thread and no
/// other thread is involved.
///
/// Flush-to-zero lives in a per-thread CPU register. The pool's threads are created once, by
/// whoever needed them first, and keep whatever setting they started with; so every worker turns
/// it on before its first chunk. The calling thread does too, so that results do not depend on
/// whether a kernel ran serially or in parallel.
func parallelFor(chunks: Int, threads: Int, _ body: (Int) -> Void) {
  bottleneck_enable_flush_to_zero()
  let workers = min(threads, chunks)
  if workers <= 1 {
    for chunk in 0..<chunks { body(chunk) }
    return
  }
  // Swift 6 only lets a closure that other threads run capture values it can prove are safe to
  // share, and `body` captures raw pointers, which it cannot. They are safe here because the
  // chunks touch disjoint memory and all of them finish before parallelFor returns; the unchecked
  // box states that promise once, here, instead of at every kernel.
  withoutActuallyEscaping(body) { body in
    // The pool's spinning helpers take the chunks (WorkerPool.swift); if another kernel call
    // is using them, Dispatch's threads do.
    if WorkerPool.shared.run(chunks: chunks, threads: workers, body) { return }
    let counter = ChunkCounter(chunks: chunks)
    let shared = UncheckedSendable(body)
    // The calling thread takes part: it runs one of the `workers` iterations itself.
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
      bottleneck_enable_flush_to_zero()
      while let chunk = counter.next() { shared.value(chunk) }
    }
  }
}

/// A value that is shared across threads on the author's word (see parallelFor).
private struct UncheckedSendable<Value>: @unchecked Sendable {
  let value: Value
  init(_ value: Value) { self.value = value }
}

/// Hands out 0, 1, 2, … up to `chunks` - 1 to whichever thread asks next. A lock is plenty: it is
/// taken once per chunk, a few dozen times per kernel call.
private final class ChunkCounter: @unchecked Sendable {
  private let lock = NSLock()
  private var taken = 0
  private let chunks: Int

  init(chunks: Int) { self.chunks = chunks }

  func next() -> Int? {
    lock.lock()
    defer { lock.unlock() }
    guard taken < chunks else { return nil }
    taken += 1
    return taken - 1
  }
}

/// The half-open range of items that chunk `chunk` of `chunks` covers, when `count` items are cut
/// into nearly equal contiguous pieces (sizes differ by at most one `multiple`). Starts are rounded
/// to multiples of `multiple`, e.g. 16 so that each chunk starts on a SIMD16 boundary.
func chunkRange(_ chunk: Int, of chunks: Int, count: Int, multiple: Int = 1) -> Range<Int> {
  let units = (count + multiple - 1) / multiple
  let lower = min(count, units * chunk / chunks * multiple)
  let upper = min(count, units * (chunk + 1) / chunks * multiple)
  return lower..<upper
}
