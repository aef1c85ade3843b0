import CPUSupport
import Foundation
import Testing

@testable import Kernels

@Suite("parallelFor")
struct ParallelForTests {
  @Test("every chunk runs exactly once", arguments: [1, 2, 3, 8])
  func everyChunkOnce(_ threads: Int) {
    let chunks = 37
    // One slot per chunk: chunks write disjoint slots, as kernels write disjoint output.
    let counts = UnsafeMutablePointer<Int>.allocate(capacity: chunks)
    counts.initialize(repeating: 0, count: chunks)
    defer { counts.deallocate() }
    parallelFor(chunks: chunks, threads: threads) { chunk in counts[chunk] += 1 }
    #expect(UnsafeBufferPointer(start: counts, count: chunks).allSatisfy { $0 == 1 })
  }

  @Test("one thread runs the chunks in order on the calling thread")
  func serialOnCallingThread() {
    let caller = pthread_self()
    var order: [Int] = []
    var sameThread = true
    parallelFor(chunks: 5, threads: 1) { chunk in
      order.append(chunk)
      sameThread = sameThread && pthread_equal(pthread_self(), caller) != 0
    }
    #expect(order == [0, 1, 2, 3, 4])
    #expect(sameThread)
  }

  @Test("chunk ranges cover 0..<count without gaps or overlaps, on multiples of 16")
  func chunkRangesPartition() {
    for (count, chunks) in [(0, 3), (1, 8), (17, 4), (1000, 8), (1_000_003, 12)] {
      let ranges = (0..<chunks).map { chunkRange($0, of: chunks, count: count, multiple: 16) }
      #expect(ranges.first?.lowerBound == 0)
      #expect(ranges.last?.upperBound == count)
      for (left, right) in zip(ranges, ranges.dropFirst()) {
        #expect(left.upperBound == right.lowerBound)
      }
      #expect(ranges.dropFirst().allSatisfy { $0.isEmpty || $0.lowerBound % 16 == 0 })
    }
  }

  #if arch(x86_64) || arch(arm64)
    @Test("every chunk runs with flush-to-zero on, whichever thread runs it")
    func flushToZeroInEveryChunk() {
      // Each chunk sleeps a little, so that the pool's threads, not only the caller, take some.
      // Threads that existed before anyone turned flush-to-zero on (most of the pool) do not
      // have it: only the call in each worker turns it on there.
      let chunks = 16
      let enabled = UnsafeMutablePointer<Int32>.allocate(capacity: chunks)
      enabled.initialize(repeating: -1, count: chunks)
      defer { enabled.deallocate() }
      parallelFor(chunks: chunks, threads: 2) { chunk in
        usleep(2000)
        enabled[chunk] = bottleneck_flush_to_zero_enabled()
      }
      #expect(UnsafeBufferPointer(start: enabled, count: chunks).allSatisfy { $0 == 1 })
    }

    @Test("a GEMM whose every product is subnormal gives exact zeros")
    func subnormalProductsFlushToZero() {
      // 1e-20 · 1e-20 = 1e-40 is below Float's smallest normal number (1.2e-38): with
      // flush-to-zero on it becomes exactly 0. (Only the chunk test above reliably catches a
      // worker that forgot: here the caller may finish every chunk before a worker wakes up.)
      let (m, n, k) = (256, 256, 64)
      let a = [Float](repeating: 1e-20, count: m * k)
      let b = [Float](repeating: 1e-20, count: k * n)
      let c = gemm(
        TiledKernels(threads: 2), m: m, n: n, k: k, a, b,
        into: [Float](repeating: .nan, count: m * n))
      #expect(c.allSatisfy { $0 == 0 })
    }
  #endif
}
