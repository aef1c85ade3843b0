// Running a per-image computation on every core.
//
// Every function in Imaging computes each image of a batch x (n, rows·cols) from that image alone
// (the corruptions: from that image and its own random generator). So the batch can be cut into
// ranges of images that threads work on independently, with no locks, each writing its own rows
// of the output; and however the batch is cut, and whichever thread takes which range, every
// output is the same, bit for bit, as a serial run's.
//
// One thing could still differ between threads: the floating-point environment, which each
// thread keeps for itself. The chapters run with flush-to-zero on (the kernels turn it on, see
// Kernels/ParallelFor.swift), and with it a result below 10⁻³⁸ becomes 0, which a thread without
// it would keep. So every worker takes on the calling thread's environment for its chunks, and
// puts its own back afterwards: each chunk computes exactly what the calling thread would.
import Dispatch
import Foundation

/// Calls `body(range)` for consecutive ranges of images that together cover 0..<count exactly
/// once, in parallel when there is enough work, and returns when all are done.
///
/// `minimumPerChunk` is the fewest images worth giving a thread: waking one costs tens of
/// microseconds, so a small batch runs serially on the calling thread. Larger batches are cut into
/// up to 4 ranges per core (so that a faster core can take more of them) and run by Dispatch's
/// `concurrentPerform`. `body` must write only the outputs of the images in its range.
func forEachImageChunk(count: Int, minimumPerChunk: Int, _ body: (Range<Int>) -> Void) {
  let cores = ProcessInfo.processInfo.activeProcessorCount
  let chunks = min(4 * cores, count / max(1, minimumPerChunk))
  if cores < 2 || chunks < 2 {
    if count > 0 { body(0..<count) }
    return
  }
  // `body` writes through raw pointers, which Swift 6 will not let another thread's closure
  // capture unless told it is safe: it is, because the ranges are disjoint and every one has
  // finished before this function returns.
  var environment = fenv_t()
  fegetenv(&environment)
  withoutActuallyEscaping(body) { body in
    let shared = UncheckedSendable((body, environment))
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
      let (body, environment) = shared.value
      var callers = environment
      var own = fenv_t()
      fegetenv(&own)
      fesetenv(&callers)
      body(count * chunk / chunks..<count * (chunk + 1) / chunks)
      fesetenv(&own)
    }
  }
}

/// A value shared across threads on the author's word (see forEachImageChunk).
private struct UncheckedSendable<Value>: @unchecked Sendable {
  let value: Value
  init(_ value: Value) { self.value = value }
}
