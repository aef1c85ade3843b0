import Foundation
import Testing

@testable import Kernels

@Suite("WorkerPool")
struct WorkerPoolTests {
  /// Runs `jobs` parallelFor-style jobs on `pool` and returns how many chunks ran other than once.
  static func miscounted(pool: WorkerPool, jobs: Int, chunks: Int, threads: Int) -> Int {
    var wrong = 0
    let counts = UnsafeMutablePointer<Int>.allocate(capacity: chunks)
    defer { counts.deallocate() }
    for _ in 0..<jobs {
      counts.initialize(repeating: 0, count: chunks)
      let ran = pool.run(chunks: chunks, threads: threads) { chunk in counts[chunk] += 1 }
      if !ran { return -1 }
      wrong += UnsafeBufferPointer(start: counts, count: chunks).filter { $0 != 1 }.count
    }
    return wrong
  }

  @Test("thousands of back-to-back jobs each run every chunk exactly once", arguments: [2, 3])
  func backToBack(_ threads: Int) {
    let pool = WorkerPool()
    #expect(Self.miscounted(pool: pool, jobs: 3_000, chunks: 7, threads: threads) == 0)
  }

  @Test("the helpers take chunks: more than one thread runs them")
  func helpersTakePart() {
    let pool = WorkerPool()
    // One slot per chunk for the thread that ran it: disjoint writes, like a kernel's.
    let chunks = 8
    let runBy = UnsafeMutablePointer<pthread_t>.allocate(capacity: chunks)
    defer { runBy.deallocate() }
    let ran = pool.run(chunks: chunks, threads: 2) { chunk in
      usleep(3000)  // long enough that the helper wakes and claims some
      runBy[chunk] = pthread_self()
    }
    #expect(ran)
    let threads = Set(UnsafeBufferPointer(start: runBy, count: chunks).map { UInt($0) })
    #expect(threads.count == 2)
  }

  @Test("a helper that went to sleep wakes for the next job")
  func wakesAfterSleeping() {
    let pool = WorkerPool()
    #expect(Self.miscounted(pool: pool, jobs: 5, chunks: 4, threads: 2) == 0)
    // Longer than spinDuration: the helper is now blocked on the condition variable.
    usleep(useconds_t(WorkerPool.spinDuration / 1000 * 3))
    #expect(Self.miscounted(pool: pool, jobs: 5, chunks: 4, threads: 2) == 0)
  }

  @Test("a second caller while a job runs is turned away, not blocked")
  func busyPoolTurnsCallersAway() {
    let pool = WorkerPool()
    // Written by chunk 0 only, read after run returns.
    let nestedRan = UnsafeMutablePointer<Bool>.allocate(capacity: 1)
    defer { nestedRan.deallocate() }
    nestedRan.initialize(to: true)
    let ran = pool.run(chunks: 2, threads: 2) { chunk in
      guard chunk == 0 else { return }
      nestedRan.pointee = pool.run(chunks: 4, threads: 2) { _ in }
    }
    #expect(ran)
    #expect(nestedRan.pointee == false)
  }

  @Test("parallelFor from many threads at once, nested too, runs every chunk exactly once")
  func concurrentAndNestedCallers() {
    let callers = 4
    // One slot per caller for the chunks it saw run other than once.
    nonisolated(unsafe) let wrong = UnsafeMutablePointer<Int>.allocate(capacity: callers)
    defer { wrong.deallocate() }
    wrong.initialize(repeating: 0, count: callers)
    DispatchQueue.concurrentPerform(iterations: callers) { caller in
      for _ in 0..<200 {
        let outer = 3
        let inner = 5
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: outer * inner)
        counts.initialize(repeating: 0, count: outer * inner)
        parallelFor(chunks: outer, threads: 2) { i in
          parallelFor(chunks: inner, threads: 2) { j in counts[i * inner + j] += 1 }
        }
        let bad = UnsafeBufferPointer(start: counts, count: outer * inner).filter { $0 != 1 }.count
        counts.deallocate()
        wrong[caller] += bad
      }
    }
    #expect(UnsafeBufferPointer(start: wrong, count: callers).allSatisfy { $0 == 0 })
  }
}
