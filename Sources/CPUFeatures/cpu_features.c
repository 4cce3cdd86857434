#include "cpu_features.h"
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static unsigned long long read_xcr0(void) {
    unsigned int eax, edx;
    __asm__ __volatile__("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

void compress_read_cpu_features(compress_cpu_features *f) {
    memset(f, 0, sizeof *f);
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(0, &eax, &ebx, &ecx, &edx)) return;
    unsigned int max_leaf = eax;
    memcpy(f->vendor, &ebx, 4);
    memcpy(f->vendor + 4, &edx, 4);
    memcpy(f->vendor + 8, &ecx, 4);

    __get_cpuid(1, &eax, &ebx, &ecx, &edx);
    int base_family = (eax >> 8) & 0xf, base_model = (eax >> 4) & 0xf;
    f->family = base_family == 0xf ? base_family + (int)((eax >> 20) & 0xff) : base_family;
    f->model = (base_family == 0x6 || base_family == 0xf) ? base_model + (int)(((eax >> 16) & 0xf) << 4) : base_model;
    f->stepping = eax & 0xf;
    f->sse3 = ecx & 1;
    bool osxsave = (ecx >> 27) & 1;
    unsigned long long xcr0 = osxsave ? read_xcr0() : 0;
    bool ymm_state = (xcr0 & 0x6) == 0x6;
    bool zmm_state = (xcr0 & 0xe6) == 0xe6;
    f->avx = ymm_state && ((ecx >> 28) & 1);
    f->fma = f->avx && ((ecx >> 12) & 1);

    if (max_leaf >= 7) {
        __cpuid_count(7, 0, eax, ebx, ecx, edx);
        f->avx2 = f->avx && ((ebx >> 5) & 1);
        if (zmm_state) {
            f->avx512f = (ebx >> 16) & 1;
            f->avx512dq = (ebx >> 17) & 1;
            f->avx512cd = (ebx >> 28) & 1;
            f->avx512bw = (ebx >> 30) & 1;
            f->avx512vl = (ebx >> 31) & 1;
            f->avx512fp16 = (edx >> 23) & 1;
        }
        f->amx = (edx >> 24) & 1;
        unsigned int max_subleaf = eax;
        if (zmm_state && max_subleaf >= 1) {
            __cpuid_count(7, 1, eax, ebx, ecx, edx);
            f->avx512bf16 = (eax >> 5) & 1;
        }
    }

    __get_cpuid(0x80000000, &eax, &ebx, &ecx, &edx);
    if (eax >= 0x80000004) {
        unsigned int *words = (unsigned int *)f->brand;
        for (unsigned int leaf = 0; leaf < 3; leaf++) {
            __get_cpuid(0x80000002 + leaf, &words[leaf * 4], &words[leaf * 4 + 1], &words[leaf * 4 + 2], &words[leaf * 4 + 3]);
        }
        f->brand[48] = '\0';
    }
}

#else

void compress_read_cpu_features(compress_cpu_features *f) {
    memset(f, 0, sizeof *f);
}

#endif
