#ifndef CPU_SUPPORT_H
#define CPU_SUPPORT_H

/// Turns on flush-to-zero and denormals-are-zero for the calling thread (x86 MXCSR bits 15 and 6;
/// on arm64 the FZ bit of FPCR). Subnormal floats otherwise slow training by about 30% once
/// weights drift that small. Each thread has its own register, so every worker thread calls this.
void bottleneck_enable_flush_to_zero(void);

/// 1 when flush-to-zero is on for the calling thread, else 0.
int bottleneck_flush_to_zero_enabled(void);

// Flags that threads share without a lock (the GEMM's packed strips of b). Inline, so that Swift
// compiles each call to one instruction. A flag goes 0 (not started) -> 1 (claimed) -> 2 (ready).

/// Reads *flag; everything the thread that stored it wrote before is visible after (acquire).
static inline int bottleneck_flag_load(const int *flag) {
  return __atomic_load_n(flag, __ATOMIC_ACQUIRE);
}

/// Stores `value` into *flag, after everything this thread wrote before it (release).
static inline void bottleneck_flag_store(int *flag, int value) {
  __atomic_store_n(flag, value, __ATOMIC_RELEASE);
}

/// Sets *flag from 0 to 1 and returns 1, if it was 0; returns 0 if another thread got there first.
static inline int bottleneck_flag_claim(int *flag) {
  int expected = 0;
  return __atomic_compare_exchange_n(flag, &expected, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/// Reads *counter (acquire).
static inline long bottleneck_counter_load(const long *counter) {
  return __atomic_load_n(counter, __ATOMIC_ACQUIRE);
}

/// Adds `amount` to *counter and returns the value before (acquire and release).
static inline long bottleneck_counter_add(long *counter, long amount) {
  return __atomic_fetch_add(counter, amount, __ATOMIC_ACQ_REL);
}

/// Tells the CPU this thread is spinning on a flag (x86 pause, arm64 yield): it saves power and
/// lets the other hyperthread of the core run.
static inline void bottleneck_spin_pause(void) {
#if defined(__x86_64__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ volatile("yield");
#endif
}

/// Asks the CPU to start loading the cache line holding *address into L1, for reading: a hint
/// that never faults, even past the end of an array. "For reading" matters when other threads
/// read the same line: a prefetch for writing takes the line away from every other core's cache.
/// (The GEMM's packed b, read by both cores, ran at 119 instead of 300 GFLOP/s that way.)
static inline void bottleneck_prefetch(const void *address) {
  __builtin_prefetch(address, 0, 3);
}

// Which vector instructions there are: the GEMM picks its register tile from these.
// A value is one of: 0 none beyond the baseline (SSE2 on x86-64), 1 AVX2 with FMA (16 vector
// registers of 256 bits), 2 AVX-512F (32 registers of 512 bits), 3 arm64 NEON (32 of 128 bits).

/// What the CPU running this code offers (x86-64: cpuid through the compiler's
/// __builtin_cpu_supports; arm64: NEON always).
int bottleneck_cpu_vector_isa(void);

/// What this binary was compiled to use (the compiler's target features, set by -march).
/// Code the compiler never emitted AVX-512 for cannot use it, whatever the CPU has.
int bottleneck_compiled_vector_isa(void);

/// The -march this library was compiled with ("native", "znver3", ...: Package.swift's
/// BOTTLENECK_MARCH), or "" when the build gave none.
const char *bottleneck_compiled_march(void);

/// The size in bytes of the level-1 data cache (level 1) or the level-2 cache (level 2) of one
/// core, as the system reports it (sysconf or /sys on Linux, sysctl on macOS); 0 if unknown.
long bottleneck_cache_size(int level);

#endif
