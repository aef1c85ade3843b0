#include "cpu_support.h"

#if defined(__x86_64__)
#include <xmmintrin.h>
void bottleneck_enable_flush_to_zero(void) { _mm_setcsr(_mm_getcsr() | 0x8040); }
int bottleneck_flush_to_zero_enabled(void) { return (_mm_getcsr() & 0x8040) == 0x8040; }
#elif defined(__aarch64__)
#include <stdint.h>
void bottleneck_enable_flush_to_zero(void) {
  uint64_t fpcr;
  __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
  fpcr |= (1ull << 24);
  __asm__ volatile("msr fpcr, %0" : : "r"(fpcr));
}
int bottleneck_flush_to_zero_enabled(void) {
  uint64_t fpcr;
  __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
  return (fpcr >> 24) & 1;
}
#else
void bottleneck_enable_flush_to_zero(void) {}
int bottleneck_flush_to_zero_enabled(void) { return 0; }
#endif
