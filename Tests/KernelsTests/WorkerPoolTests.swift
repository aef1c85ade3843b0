import Foundation
import Synchronization
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
    let threadsSeen = Mutex<Set<UInt>>([])
    let ran = pool.run(chunks: 8, threads: 2) { _ in
      usleep(3000)  // long enough that the helper wakes and claims some
      threadsSeen.withLock { _ = $0.insert(UInt(bitPattern: Int(bitPattern: pthread_self()))) }
    }
    #expect(ran)
    #expect(threadsSeen.withLock { $0.count } == 2)
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
    let turnedAway = Mutex(false)
    let ran = pool.run(chunks: 2, threads: 2) { chunk in
      guard chunk == 0 else { return }
      let nested = pool.run(chunks: 4, threads: 2) { _ in }
      turnedAway.withLock { $0 = !nested }
    }
    #expect(ran)
    #expect(turnedAway.withLock { $0 })
  }

  @Test("parallelFor from many threads at once, nested too, runs every chunk exactly once")
  func concurrentAndNestedCallers() {
    let callers = 4
    let wrong = Mutex(0)
    DispatchQueue.concurrentPerform(iterations: callers) { _ in
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
        wrong.withLock { $0 += bad }
      }
    }
    #expect(wrong.withLock { $0 } == 0)
  }
}
