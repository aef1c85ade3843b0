import Foundation

/// Keeps the GEMM's packing buffers between calls, so that each call does not allocate afresh.
///
/// Why bother: a buffer of more than a few hundred kilobytes comes straight from the operating
/// system, and freeing it hands it back. The next call then touches brand-new pages, and the OS
/// has to find and zero each 4 KB page on first touch. For the chapter's forward pass
/// (128x784 times 784x256, a third of a millisecond) those page faults cost about a tenth of the
/// time. Reusing the same memory costs nothing.
///
/// Several threads may run GEMMs at once, so buffers are handed out under a lock: each caller
/// gets a buffer no one else is using, and gives it back when done. At most `kept` buffers are
/// kept, the largest ones, and none above `largestKept` floats (16 MB): the GEMM's packing
/// buffers and a training batch's im2col matrices (7 MB for chapter 6's widest layer) stay, while
/// the im2col matrix of a 1,000-image evaluation block (56 MB) goes back to the system at once,
/// so a chapter's peak memory does not keep it. The pool holds at most 64 MB.
final class BufferPool: @unchecked Sendable {
  static let shared = BufferPool()

  private let lock = NSLock()
  private var idle: [(pointer: UnsafeMutablePointer<Float>, capacity: Int)] = []
  private let kept = 4
  static let largestKept = 4 << 20

  /// A buffer of at least `count` floats, 64-byte aligned, uninitialized; give it back with
  /// `giveBack` (pass the capacity returned here).
  func take(_ count: Int) -> (pointer: UnsafeMutablePointer<Float>, capacity: Int) {
    lock.lock()
    defer { lock.unlock() }
    if let index = idle.firstIndex(where: { $0.capacity >= count }) {
      return idle.remove(at: index)
    }
    return (allocateFloats(count), count)
  }

  func giveBack(_ buffer: (pointer: UnsafeMutablePointer<Float>, capacity: Int)) {
    lock.lock()
    defer { lock.unlock() }
    guard buffer.capacity <= Self.largestKept else {
      buffer.pointer.deallocate()
      return
    }
    idle.append(buffer)
    if idle.count > kept {
      idle.sort { $0.capacity > $1.capacity }
      idle.removeLast().pointer.deallocate()
    }
  }
}

/// Uninitialized room for `count` floats, starting on a 64-byte boundary (a cache line, and one
/// AVX-512 register).
func allocateFloats(_ count: Int) -> UnsafeMutablePointer<Float> {
  UnsafeMutableRawPointer.allocate(
    byteCount: max(1, count) * MemoryLayout<Float>.stride, alignment: 64
  )
  .bindMemory(to: Float.self, capacity: max(1, count))
}
