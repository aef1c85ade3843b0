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

int bottleneck_cpu_vector_isa(void) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return 2;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 1;
  return 0;
#elif defined(__aarch64__)
  return 3;
#else
  return 0;
#endif
}

int bottleneck_compiled_vector_isa(void) {
#if defined(__AVX512F__)
  return 2;
#elif defined(__AVX2__) && defined(__FMA__)
  return 1;
#elif defined(__aarch64__)
  return 3;
#else
  return 0;
#endif
}

const char *bottleneck_compiled_march(void) {
#if defined(BOTTLENECK_MARCH)
  return BOTTLENECK_MARCH;
#else
  return "";
#endif
}

#if defined(__linux__)
#include <stdio.h>
#include <unistd.h>

/// The "size" file of /sys/devices/system/cpu/cpu0/cache/indexN whose level and type match.
static long cache_size_from_sysfs(int level) {
  for (int index = 0; index < 8; index++) {
    char path[96], type[32] = "";
    int found_level = 0;
    long size = 0;
    char unit = 0;
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", index);
    FILE *f = fopen(path, "r");
    if (!f) break;
    if (fscanf(f, "%d", &found_level) != 1) found_level = 0;
    fclose(f);
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/type", index);
    if ((f = fopen(path, "r"))) {
      if (fscanf(f, "%31s", type) != 1) type[0] = 0;
      fclose(f);
    }
    if (found_level != level || type[0] == 'I') continue;  // skip instruction caches
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", index);
    if ((f = fopen(path, "r"))) {
      if (fscanf(f, "%ld%c", &size, &unit) < 1) size = 0;
      fclose(f);
    }
    if (unit == 'K') size *= 1024;
    if (unit == 'M') size *= 1024 * 1024;
    return size;
  }
  return 0;
}

long bottleneck_cache_size(int level) {
  long size = 0;
#if defined(_SC_LEVEL1_DCACHE_SIZE) && defined(_SC_LEVEL2_CACHE_SIZE)
  size = sysconf(level == 1 ? _SC_LEVEL1_DCACHE_SIZE : _SC_LEVEL2_CACHE_SIZE);
#endif
  if (size <= 0) size = cache_size_from_sysfs(level);
  return size > 0 ? size : 0;
}
#elif defined(__APPLE__)
#include <sys/sysctl.h>
long bottleneck_cache_size(int level) {
  long long size = 0;
  size_t length = sizeof size;
  // Apple silicon reports its performance cores' caches under perflevel0.
  const char *names[2][2] = {{"hw.perflevel0.l1dcachesize", "hw.l1dcachesize"},
                             {"hw.perflevel0.l2cachesize", "hw.l2cachesize"}};
  for (int i = 0; i < 2; i++) {
    length = sizeof size;
    if (sysctlbyname(names[level == 1 ? 0 : 1][i], &size, &length, 0, 0) == 0 && size > 0)
      return (long)size;
  }
  return 0;
}
#else
long bottleneck_cache_size(int level) { (void)level; return 0; }
#endif
