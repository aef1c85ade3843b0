#ifndef CPU_SUPPORT_H
#define CPU_SUPPORT_H

/// Turns on flush-to-zero and denormals-are-zero for the calling thread (x86 MXCSR bits 15 and 6;
/// on arm64 the FZ bit of FPCR). Subnormal floats otherwise slow training by about 30% once
/// weights drift that small. Each thread has its own register, so every worker thread calls this.
void bottleneck_enable_flush_to_zero(void);

/// 1 when flush-to-zero is on for the calling thread, else 0.
int bottleneck_flush_to_zero_enabled(void);

#endif
