// Switching flush-to-zero off and on for the calling thread, for the lab's denormal experiment.
//
// The tiled kernels turn flush-to-zero (FTZ) and denormals-are-zero (DAZ) on for every thread
// they run on (Sources/CPUSupport), and never off. To show what that setting is worth, the lab
// needs it off too, for a moment: on x86-64 Linux the C library's floating-point environment
// (fenv_t) holds the SSE control register MXCSR, whose bits 15 (FTZ) and 6 (DAZ) are the switch.

import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Runs `body` on this thread with flush-to-zero and denormals-are-zero `enabled` or not, then
/// restores the thread's previous setting. Returns false, without running `body`, where the lab
/// does not know how to switch them (anything but x86-64 Linux).
func withFlushToZero(_ enabled: Bool, _ body: () -> Void) -> Bool {
  #if arch(x86_64) && os(Linux)
    var saved = fenv_t()
    fegetenv(&saved)
    var changed = saved
    let bits: UInt32 = 0x8040  // FTZ (bit 15) | DAZ (bit 6)
    changed.__mxcsr = enabled ? (saved.__mxcsr | bits) : (saved.__mxcsr & ~bits)
    fesetenv(&changed)
    body()
    fesetenv(&saved)
    return true
  #else
    return false
  #endif
}
