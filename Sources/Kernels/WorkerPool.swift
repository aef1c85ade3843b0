import CPUSupport
import Foundation

// The threads that run parallelFor's chunks, kept spinning between kernel calls.
//
// A training step is a few dozen kernels in a row, most of them well under a millisecond. Handing
// each one to a sleeping thread costs a wake-up: tens of microseconds when the system is quiet,
// far more on a busy or virtualised machine, and twice per GEMM before this pool. So, as OpenBLAS
// and OpenMP do, the helper threads do not go to sleep when a kernel ends: they spin, watching for
// the next job, for about `spinDuration` (offering the core to other threads as they go), and
// only then block on a condition variable until work arrives. While a chapter trains, they never
// sleep; a few milliseconds after it stops calling kernels, they stop using the CPU.
//
// A job is one parallelFor call: a chunk counter and the body. Helpers claim chunks from the
// counter, as does the calling thread, which returns when every chunk has finished. Only one job
// runs at a time; a parallelFor called while another is running (two threads calling kernels at
// once, as the test runner does) falls back to Dispatch, so it never waits for the pool.

final class WorkerPool: @unchecked Sendable {
  static let shared = WorkerPool()

  /// How long an idle helper keeps spinning before it blocks.
  static let spinDuration: UInt64 = 5_000_000  // nanoseconds (5 ms)

  /// One parallelFor call. The counters are read and written by several threads at once, so
  /// they live in raw memory accessed only through CPUSupport's atomic functions.
  final class Job: @unchecked Sendable {
    let chunks: Int
    /// How many helpers may join: the caller asked for `helpers + 1` threads in all.
    let helpers: Int
    /// [0]: the next unclaimed chunk; [1]: chunks finished.
    let counters = UnsafeMutablePointer<CLong>.allocate(capacity: 2)
    /// Cleared by the caller before parallelFor returns; only called for a claimed chunk, which
    /// the caller is still waiting for, so it is always set when it is called.
    var body: ((Int) -> Void)?

    init(chunks: Int, helpers: Int, body: @escaping (Int) -> Void) {
      self.chunks = chunks
      self.helpers = helpers
      self.body = body
      counters.initialize(repeating: 0, count: 2)
    }

    deinit { counters.deallocate() }

    /// Runs chunks until none are left unclaimed.
    func work() {
      while true {
        let chunk = Int(bottleneck_counter_add(counters, 1))
        guard chunk < chunks else { return }
        body!(chunk)
        _ = bottleneck_counter_add(counters + 1, 1)
      }
    }

    var finished: Int { Int(bottleneck_counter_load(counters + 1)) }
  }

  private let condition = NSCondition()
  /// Guarded by `condition`: the current job, a count that changes with every new job, and the
  /// helper threads started so far.
  private var job: Job?
  private var generation = 0
  private var threadCount = 0
  /// The same count as `generation`, readable without the lock (helpers spin on it).
  private let published = UnsafeMutablePointer<CLong>.allocate(capacity: 1)
  /// Held by the caller whose job is running.
  private let running = NSLock()

  /// The package uses `shared`; tests make their own.
  init() { published.initialize(to: 0) }

  /// Runs `body` for every chunk on the calling thread and up to `threads - 1` helpers. Returns
  /// false, having run nothing, if another job is running.
  func run(chunks: Int, threads: Int, _ body: @escaping (Int) -> Void) -> Bool {
    guard running.try() else { return false }
    defer { running.unlock() }
    let job = Job(chunks: chunks, helpers: threads - 1, body: body)
    condition.lock()
    while threadCount < threads - 1 {
      startHelper(index: threadCount)
      threadCount += 1
    }
    self.job = job
    generation += 1
    _ = bottleneck_counter_add(published, 1)
    condition.broadcast()  // wakes helpers that have stopped spinning
    condition.unlock()

    job.work()
    spinWait { job.finished == chunks }
    condition.lock()
    self.job = nil
    condition.unlock()
    job.body = nil  // the closure does not outlive parallelFor (a late helper may hold the job)
    return true
  }

  private func startHelper(index: Int) {
    let thread = Thread { [self] in helperLoop(index: index) }
    thread.name = "bottleneck-worker-\(index)"
    thread.start()
  }

  private func helperLoop(index: Int) {
    bottleneck_enable_flush_to_zero()
    var seen = 0
    while true {
      // Spin until a new job is published, or until spinDuration has passed. After the first
      // few microseconds each turn of the loop also offers the core to any other thread that
      // wants it (sched_yield), so a spinning helper only uses a core nobody else needs.
      let start = DispatchTime.now().uptimeNanoseconds
      var spins = 0
      while bottleneck_counter_load(published) == seen {
        spins += 1
        if spins < 2048 { bottleneck_spin_pause() } else { sched_yield() }
        if spins % 256 == 0,
          DispatchTime.now().uptimeNanoseconds - start > Self.spinDuration
        {
          break
        }
      }
      // Take the job under the lock (sleeping there if none came while spinning).
      condition.lock()
      while generation == seen { condition.wait() }
      seen = generation
      let job = self.job
      condition.unlock()
      if let job, index < job.helpers { job.work() }
    }
  }
}
