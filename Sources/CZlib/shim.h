#ifndef COMPRESS_CZLIB_SHIM_H
#define COMPRESS_CZLIB_SHIM_H
#include <zlib.h>
#endif
