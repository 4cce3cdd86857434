#ifndef COMPRESS_CPU_FEATURES_H
#define COMPRESS_CPU_FEATURES_H
#include <stdbool.h>

/// What CPUID and XGETBV say about this x86-64 CPU (all false / zero on other architectures).
/// An instruction set counts only when the operating system also saves its registers (XCR0).
typedef struct {
    char vendor[13];       ///< "GenuineIntel", "AuthenticAMD", ... NUL-terminated
    char brand[49];        ///< the processor brand string, NUL-terminated (may be empty)
    int family;            ///< display family (base + extended)
    int model;             ///< display model (base + extended model << 4 where it applies)
    int stepping;
    bool sse3;
    bool avx;              ///< AVX, with OS support for YMM state
    bool fma;
    bool avx2;             ///< AVX2, with OS support for YMM state
    bool avx512f;          ///< AVX-512 F, with OS support for ZMM and opmask state
    bool avx512bw;
    bool avx512dq;
    bool avx512vl;
    bool avx512cd;
    bool avx512bf16;
    bool avx512fp16;
    bool amx;              ///< AMX tiles (AMX-TILE)
} compress_cpu_features;

/// Reads the features of the CPU this thread runs on.
void compress_read_cpu_features(compress_cpu_features *features);

#endif
