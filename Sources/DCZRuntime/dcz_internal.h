/*
 * Internal types of dcz_runtime. Everything kept in the arena is made of fixed-width integers
 * and floats, with offsets instead of pointers, so its size is the same on every target.
 */
#ifndef DCZ_INTERNAL_H
#define DCZ_INTERNAL_H

#include "dcz_runtime.h"

/* ---- Errors (dcz_error.c) ---------------------------------------------------------------- */

/** Where a failure happened: filled in as parsing goes, printed by dcz_fail(). */
typedef struct dcz_name dcz_name;
typedef struct {
    char *text;               /* the model's error buffer */
    size_t capacity;
    const uint8_t *file;      /* for layer names stored in it */
    int32_t layer;            /* -1: not in a layer */
    const dcz_name *name;     /* of that layer, or NULL */
    const char *parameter;    /* "kernel", ... or NULL */
    const char *field;        /* what was being read, or NULL */
} dcz_err;

/** Writes "layer I 'name': parameter: field: reason" and returns `status`. */
dcz_status dcz_fail(dcz_err *err, dcz_status status, const char *reason);
/** As dcz_fail(), with " (NUMBER)" after the reason. */
dcz_status dcz_fail_number(dcz_err *err, dcz_status status, const char *reason, uint64_t number);

/* ---- Bytes of the file (dcz_bytes.c) ----------------------------------------------------- */

/** A bounds-checked reader over file[pos, end). */
typedef struct {
    const uint8_t *data;
    uint32_t pos, end;
} dcz_cursor;

dcz_status dcz_read_byte(dcz_cursor *c, dcz_err *err, uint8_t *out);
/** An unsigned LEB128 varint of at most 9 bytes, no larger than `max`. */
dcz_status dcz_read_varint(dcz_cursor *c, dcz_err *err, uint64_t max, uint64_t *out);
/** A zigzag varint whose magnitude is at most `max_magnitude`. */
dcz_status dcz_read_svarint(dcz_cursor *c, dcz_err *err, uint64_t max_magnitude, int64_t *out);
dcz_status dcz_read_u32(dcz_cursor *c, dcz_err *err, uint32_t *out);
dcz_status dcz_read_f32(dcz_cursor *c, dcz_err *err, float *out);
/** Skips `count` bytes after checking they exist. */
dcz_status dcz_skip(dcz_cursor *c, dcz_err *err, uint64_t count);
/** The little-endian u32 / f32 / f16 (widened) at `p`. */
uint32_t dcz_u32_at(const uint8_t *p);
float dcz_f32_at(const uint8_t *p);
float dcz_f16_at(const uint8_t *p);
/** CRC-32 (ISO-HDLC, as zlib) of `size` bytes. */
uint32_t dcz_crc32(const uint8_t *data, uint32_t size);
/** Whether bytes are a valid name, as compress's reader requires: UTF-8 without '/' or control
 *  characters (C0, DEL, C1, U+2028, U+2029). Layer names also exclude '.', checked apart. */
int dcz_valid_name(const uint8_t *data, uint32_t size);

/* ---- Bits and Huffman codes (dcz_huffman.c) ---------------------------------------------- */

/** A position in a bit stream packed LSB first, and where it must stop (bits of the file). */
typedef struct {
    uint32_t bit, end;
} dcz_bits;

/** Reads `count` bits (at most 16) LSB first; -1 when they pass the end. */
int dcz_bits_read(const uint8_t *data, dcz_bits *bits, unsigned count, uint32_t *out);

/** The longest code word. */
#define DCZ_MAX_CODE_LENGTH 12

/** A canonical Huffman code: how many words of each length, and the symbols in code order. */
typedef struct {
    uint16_t count[DCZ_MAX_CODE_LENGTH + 1];
    uint8_t symbol[256];
} dcz_code;

/** Reads a code-length table (docs/FORMAT.md) for `alphabet` symbols and checks the code. */
dcz_status dcz_code_read(dcz_code *code, const uint8_t *data, dcz_bits *bits, uint32_t alphabet, dcz_err *err);
/** Decodes one symbol; -1: a pattern no word starts with, -2: the stream ends first. */
int dcz_code_decode(const dcz_code *code, const uint8_t *data, dcz_bits *bits);

/* ---- Symbol streams (dcz_stream.c) ------------------------------------------------------- */

enum { DCZ_STREAM_RAW = 0, DCZ_STREAM_HUFFMAN = 1, DCZ_STREAM_CONTEXT = 2 };

/** A stream being read: raw fields or code words, and, for two codes, which one is next. */
typedef struct {
    dcz_bits bits;
    uint16_t alphabet;
    uint8_t mode;
    uint8_t width;          /* raw field width */
    uint8_t code[2];        /* indices into the reader's codes */
    uint8_t context;        /* 0 or 1: the code of the next symbol */
    uint8_t context_symbol; /* the symbol after which code 1 applies */
} dcz_stream;

/** Opens the stream at byte `offset` of the file (tables read into codes[code_slot...]); the
 *  section ends at byte `end`. */
dcz_status dcz_stream_open(dcz_stream *s, dcz_code *codes, uint8_t code_slot, const uint8_t *data, uint32_t offset,
                           uint32_t end, uint8_t mode, uint32_t alphabet, uint8_t context_symbol, dcz_err *err);
/** The next symbol, checked against the alphabet. */
dcz_status dcz_stream_next(dcz_stream *s, const dcz_code *codes, const uint8_t *data, dcz_err *err, uint32_t *symbol);
/** The byte after the stream's last bit read. */
uint32_t dcz_stream_end(const dcz_stream *s);

/* ---- Parameters (dcz_record.c) ----------------------------------------------------------- */

enum { DCZ_VALUES_F32 = 0, DCZ_VALUES_F16 = 1, DCZ_VALUES_INT8 = 2, DCZ_VALUES_CODEBOOK = 3 };

/** A parameter record as the first pass found it: its settings and where each stream starts. */
typedef struct {
    uint32_t count;           /* elements */
    uint32_t rows, columns;   /* the tensor seen as [rows, columns], columns its last axis */
    uint32_t stored;          /* elements with a stored value */
    uint32_t gap_count;
    uint32_t table;           /* centroids, or int8 scales (zero points follow) */
    uint32_t k;               /* centroids, or int8 channels */
    uint32_t inner;           /* int8: elements per step of the scale axis */
    uint32_t section_end;
    uint32_t stream[5];       /* byte offset of each stream */
    uint32_t decoded;         /* decoded mode: arena offset of its entries (sparse) or values (dense) */
    uint32_t decoded_count;   /* decoded entries of a sparse record */
    uint8_t kind, sparse, transposed, index_bits, modes, contexts, variant, half_centroids;
    uint8_t stream_count, zero_points;   /* zero_points: int8 zero points stored */
} dcz_param;

/** A stored weight: its place in the [rows, columns] view and its value. */
typedef struct {
    uint32_t row, column;
    float value;
} dcz_entry;

/** Reads the record at `c` for a parameter of `shape` (its last axis the columns of the
 *  [rows, columns] view), checking every stream with `codes` as scratch; fills `p`. */
dcz_status dcz_record_scan(dcz_param *p, dcz_cursor *c, const uint32_t *shape, int rank, dcz_code *codes, dcz_err *err);

/** A parameter being read weight by weight. */
typedef struct {
    dcz_param param;
    dcz_stream stream[5];
    dcz_code codes[6];
    uint32_t gaps_left, values_read;
    uint32_t step;            /* of the last stored element read */
} dcz_reader;

/** Starts reading `p`'s stored weights. */
dcz_status dcz_reader_open(dcz_reader *r, const dcz_param *p, const uint8_t *data, dcz_err *err);
/** Fills up to `capacity` entries (zero values of a codebook's zero symbol left out), in
 *  element order; *filled is 0 at the end. Every value is checked to be finite. */
dcz_status dcz_reader_fill(dcz_reader *r, const uint8_t *data, dcz_entry *entries, uint32_t capacity, uint32_t *filled,
                           dcz_err *err);

/* ---- Architecture (dcz_architecture.c) --------------------------------------------------- */

enum {
    DCZ_DENSE = 1, DCZ_CONV2D, DCZ_DEPTHWISE, DCZ_MAXPOOL, DCZ_AVGPOOL, DCZ_GLOBALAVGPOOL, DCZ_FLATTEN, DCZ_RESHAPE,
    DCZ_DROPOUT, DCZ_BATCHNORM, DCZ_ACTIVATION, DCZ_ZEROPAD, DCZ_LAYER_TYPES = DCZ_ZEROPAD
};
enum { DCZ_LINEAR = 0, DCZ_RELU, DCZ_RELU6, DCZ_TANH, DCZ_SIGMOID, DCZ_SOFTMAX };

/** A layer name as the file codes it: `base` (bytes of the file, or a type keyword), then
 *  "_" when `separator`, then `number` in decimal when `numbered`. */
struct dcz_name {
    uint32_t base;            /* file offset, or the layer type when `keyword` */
    uint32_t number;
    uint16_t base_length;
    uint8_t keyword, separator, numbered;
};

/** Appends the name's text to out[*length, capacity). */
void dcz_name_append(const dcz_name *name, const uint8_t *file, char *out, size_t capacity, size_t *length);

/** One layer, its shapes and settings. */
typedef struct {
    dcz_name name;
    uint32_t in[3], out[3];   /* h, w, c of 2-D layers */
    uint32_t in_count, in_last, out_count, out_last;
    uint32_t units;           /* dense units, filters, or depthwise multiplier */
    uint32_t kernel[2], stride[2], pad_before[2];   /* windows: kernel or pool size */
    uint32_t zero_pad[4];     /* top, bottom, left, right */
    float epsilon;
    uint8_t type, activation, same, bias, center, scale, param_count;
    uint8_t fused;            /* a convolution computed in bands into the following pooling */
    uint8_t out_rank;
    uint32_t out_shape[DCZ_MAX_RANK];
    dcz_param param[4];
} dcz_layer;

/** Walks the architecture section layer by layer, checking and inferring shapes. */
typedef struct {
    dcz_cursor cursor;
    uint32_t index, count;
    uint32_t shape[DCZ_MAX_RANK];
    uint8_t rank;
    uint64_t parameters;
    dcz_name previous[DCZ_LAYER_TYPES + 1];
    uint8_t has_previous[DCZ_LAYER_TYPES + 1];
    uint32_t defaults[DCZ_LAYER_TYPES + 1];
} dcz_walk;

/** Reads the model name and input shape; `c` covers the architecture body. */
dcz_status dcz_walk_start(dcz_walk *w, dcz_cursor c, dcz_err *err);
/** Reads the next layer into `layer` (shapes, settings, parameter shapes). */
dcz_status dcz_walk_next(dcz_walk *w, dcz_layer *layer, dcz_err *err);
/** The shape of the layer's parameter `index` (in the file's order); returns its rank. */
int dcz_layer_param_shape(const dcz_layer *layer, int index, uint32_t shape[4]);
/** The parameter's name: "kernel", "bias", "depthwise_kernel", "gamma", ... */
const char *dcz_layer_param_name(const dcz_layer *layer, int index);
/** What batch normalization parameter `index` is: 0 gamma, 1 beta, 2 moving mean, 3 variance. */
int dcz_norm_role(const dcz_layer *layer, int index);

/* ---- Layers (dcz_layers.c) --------------------------------------------------------------- */

/** A source of a parameter's entries: decoded in the arena, or read from the file in chunks. */
typedef struct {
    const uint8_t *file;
    uint8_t *arena;
    dcz_reader *reader;       /* streaming; NULL in decoded mode */
    dcz_entry *chunk;
    dcz_err *err;
} dcz_weights;

/** Calls `apply` on every batch of entries of `param` (from the start each time). */
typedef void (*dcz_apply)(const dcz_layer *layer, const dcz_entry *entries, uint32_t count, void *context);
dcz_status dcz_weights_each(dcz_weights *w, const dcz_param *param, dcz_apply apply, const dcz_layer *layer,
                            void *context);

/** Runs one layer from `x` to `y` (`band` for a fused convolution); in-place layers use `x`. */
dcz_status dcz_layer_run(const dcz_layer *layer, const dcz_layer *next, dcz_weights *w, float *x, float *y, float *band);
/** Whether the layer writes its output over its input. */
int dcz_layer_in_place(const dcz_layer *layer);
/** Floats of the band buffer of a convolution fused with the pooling `next`. */
uint32_t dcz_band_floats(const dcz_layer *layer, const dcz_layer *next);
/** Whether a convolution is computed in bands into `next`. */
int dcz_can_fuse(const dcz_layer *layer, const dcz_layer *next);

/** Entries per chunk: decoded in streaming mode, made from a dense parameter's values in decoded mode. */
#define DCZ_CHUNK 32

#endif
