#ifndef COMPRESS_CBLAS_SHIM_H
#define COMPRESS_CBLAS_SHIM_H
#include <cblas.h>

/// Number of threads OpenBLAS uses (declared in OpenBLAS's cblas.h as well; kept here for clarity).
static inline int compress_openblas_threads(void) { return openblas_get_num_threads(); }
#endif
