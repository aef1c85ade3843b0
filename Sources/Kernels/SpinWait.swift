import CPUSupport

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Waits, without sleeping, until `done()` is true: for a wait expected to last microseconds
/// (another thread finishing a chunk, or packing a strip of b), where going to sleep and being
/// woken would cost more than the wait. Each turn tells the CPU it is spinning (pause); every
/// 1024th turn offers the core to another thread, in case the one being waited for was
/// descheduled and needs it.
@inline(__always)
func spinWait(until done: () -> Bool) {
  var spins = 0
  while !done() {
    spins += 1
    if spins % 1024 == 0 { sched_yield() } else { bottleneck_spin_pause() }
  }
}
