#ifndef COMPRESS_CHDF5_SHIM_H
#define COMPRESS_CHDF5_SHIM_H
#include <hdf5.h>

/* HDF5 exposes its constants as macros that expand to library globals or to calls of H5open();
   Swift cannot import those, so each one used from Swift is wrapped in a static inline function. */

static inline hid_t compress_H5P_DEFAULT(void) { return H5P_DEFAULT; }
static inline hid_t compress_H5S_ALL(void) { return H5S_ALL; }
static inline hid_t compress_H5P_DATASET_CREATE(void) { return H5P_DATASET_CREATE; }

static inline unsigned compress_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
static inline unsigned compress_H5F_ACC_RDWR(void) { return H5F_ACC_RDWR; }
static inline unsigned compress_H5F_ACC_TRUNC(void) { return H5F_ACC_TRUNC; }
static inline unsigned compress_H5F_ACC_EXCL(void) { return H5F_ACC_EXCL; }

static inline hid_t compress_H5T_NATIVE_FLOAT(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t compress_H5T_NATIVE_DOUBLE(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t compress_H5T_NATIVE_INT8(void) { return H5T_NATIVE_INT8; }
static inline hid_t compress_H5T_NATIVE_UINT8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t compress_H5T_NATIVE_INT16(void) { return H5T_NATIVE_INT16; }
static inline hid_t compress_H5T_NATIVE_UINT16(void) { return H5T_NATIVE_UINT16; }
static inline hid_t compress_H5T_NATIVE_INT32(void) { return H5T_NATIVE_INT32; }
static inline hid_t compress_H5T_NATIVE_UINT32(void) { return H5T_NATIVE_UINT32; }
static inline hid_t compress_H5T_NATIVE_INT64(void) { return H5T_NATIVE_INT64; }
static inline hid_t compress_H5T_NATIVE_UINT64(void) { return H5T_NATIVE_UINT64; }
static inline hid_t compress_H5T_IEEE_F32LE(void) { return H5T_IEEE_F32LE; }
static inline hid_t compress_H5T_IEEE_F64LE(void) { return H5T_IEEE_F64LE; }
static inline hid_t compress_H5T_STD_I8LE(void) { return H5T_STD_I8LE; }
static inline hid_t compress_H5T_STD_U8LE(void) { return H5T_STD_U8LE; }
static inline hid_t compress_H5T_STD_I32LE(void) { return H5T_STD_I32LE; }
static inline hid_t compress_H5T_STD_I64LE(void) { return H5T_STD_I64LE; }
static inline hid_t compress_H5T_STD_I16LE(void) { return H5T_STD_I16LE; }
static inline hid_t compress_H5T_STD_U16LE(void) { return H5T_STD_U16LE; }
static inline hid_t compress_H5T_STD_U32LE(void) { return H5T_STD_U32LE; }
static inline hid_t compress_H5T_STD_U64LE(void) { return H5T_STD_U64LE; }
static inline hid_t compress_H5T_C_S1(void) { return H5T_C_S1; }

static inline size_t compress_H5T_VARIABLE(void) { return H5T_VARIABLE; }
static inline haddr_t compress_HADDR_UNDEF(void) { return HADDR_UNDEF; }
static inline hid_t compress_H5P_FILE_ACCESS(void) { return H5P_FILE_ACCESS; }
static inline hid_t compress_H5E_DEFAULT(void) { return H5E_DEFAULT; }

/// An object-creation property list of `class_id` (group, dataset or file creation) that records no
/// modification times, so the same content always gives the same bytes. Close it with H5Pclose.
static inline hid_t compress_untimed_creation_plist(hid_t class_id) {
    hid_t plist = H5Pcreate(class_id);
    if (plist >= 0 && H5Pset_obj_track_times(plist, 0) < 0) { H5Pclose(plist); return -1; }
    return plist;
}
static inline hid_t compress_H5P_GROUP_CREATE(void) { return H5P_GROUP_CREATE; }
static inline hid_t compress_H5P_FILE_CREATE(void) { return H5P_FILE_CREATE; }

/// Silences HDF5's automatic error printer for the default error stack.
static inline herr_t compress_H5_silence_errors(void) { return H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

#endif
