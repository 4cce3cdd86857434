#ifndef COMPRESS_CLAPACKE_SHIM_H
#define COMPRESS_CLAPACKE_SHIM_H
#include <lapacke.h>

/// LAPACK_ROW_MAJOR is a macro; Swift imports it, but a function keeps call sites uniform.
static inline int compress_lapack_row_major(void) { return LAPACK_ROW_MAJOR; }
#endif
