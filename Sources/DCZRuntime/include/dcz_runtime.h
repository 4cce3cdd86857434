/*
 * dcz_runtime: runs a compressed model file (.dcz, version 2, docs/FORMAT.md) from memory.
 *
 * Portable C99: no dynamic allocation, nothing from libc but string.h and math.h. The caller
 * gives the file (a const pointer and its length, e.g. an array in flash) and one arena; the
 * runtime keeps its layer table, activations and work buffers there, plus, in decoded mode, every
 * weight decoded once. The file is untrusted: it is validated as compress's own reader does
 * (lengths, CRCs, counts, shapes, overflow) and never read out of bounds.
 *
 *     static uint8_t arena[MODEL_ARENA_STREAMING];
 *     dcz_model model;
 *     if (dcz_model_init(&model, model_dcz, sizeof model_dcz, arena, sizeof arena,
 *                        DCZ_MODE_STREAMING) != DCZ_OK) puts(dcz_model_error(&model));
 *     dcz_model_run(&model, image, logits);
 */
#ifndef DCZ_RUNTIME_H
#define DCZ_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What a call gives back; dcz_status_text() names it, dcz_model_error() says where and why. */
typedef enum {
    DCZ_OK = 0,
    DCZ_E_ARGUMENT,     /**< a null pointer, an unknown mode, or a model that is not initialised */
    DCZ_E_ARENA,        /**< the arena is smaller than dcz_arena_size_needed() */
    DCZ_E_FORMAT,       /**< not a valid .dcz file: magic, version, a field out of range */
    DCZ_E_TRUNCATED,    /**< the file ends inside a field */
    DCZ_E_CRC,          /**< a section's CRC-32 does not match its body */
    DCZ_E_CORRUPT,      /**< a stream holds what no writer writes: bad code, gap or value */
    DCZ_E_UNSUPPORTED   /**< valid, but beyond this runtime's limits (sizes above 2^32 - 1) */
} dcz_status;

/** How weights are decoded, chosen at init. */
typedef enum {
    /** Every run decodes each layer's streams as it computes, a few weights at a time: the
     *  arena holds only activations (the mode for microcontrollers). */
    DCZ_MODE_STREAMING = 0,
    /** Weights are decoded once at init into the arena (12 bytes per stored weight of a
     *  sparse parameter, 4 per element of a dense one): fast. */
    DCZ_MODE_DECODED = 1
} dcz_mode;

/** Largest rank of an input or output shape. */
#define DCZ_MAX_RANK 8

/** A loaded model. Fill it with dcz_model_init(); its fields are private. */
typedef struct {
    const uint8_t *file;
    size_t file_size;
    uint8_t *arena;
    size_t arena_size;
    dcz_mode mode;
    uint32_t layer_count;
    uint32_t input_count, output_count;
    uint8_t input_rank, output_rank;
    uint32_t input_shape[DCZ_MAX_RANK], output_shape[DCZ_MAX_RANK];
    uint32_t buffer_offset[2];   /* activation buffers in the arena */
    uint32_t band_offset;        /* rows of a convolution before its pooling */
    uint32_t reader_offset;      /* the streaming decoder's state */
    uint32_t chunk_offset;       /* the weights it decoded last */
    int ready;
    char error[192];
} dcz_model;

/**
 * The arena bytes dcz_model_init() needs for this file and mode; 0 when the file is not a
 * valid model (dcz_model_init() then says why). It reads and checks the whole file but for one
 * check that needs the arena: unique layer names, which dcz_model_init() makes. The figure does
 * not depend on the machine's pointer size, so a host can compute it for a 32-bit target.
 */
size_t dcz_arena_size_needed(const uint8_t *file, size_t size, dcz_mode mode);

/**
 * Validates the file and prepares `model` to run it, with `arena` (any alignment) as its only
 * memory. The file must stay in place, unchanged, while the model is used.
 *
 * @return DCZ_OK, or an error; dcz_model_error() then names the layer (index and name) and field.
 */
dcz_status dcz_model_init(dcz_model *model, const uint8_t *file, size_t size, void *arena,
                          size_t arena_size, dcz_mode mode);

/**
 * Runs the model on one input (input_count floats, row-major over the input shape, normalised as
 * the model was trained) and writes output_count floats to `logits`: the output of every layer
 * but a final softmax (fused in the last layer or a last softmax Activation layer), as compress
 * computes logits. The largest logit is the predicted class; a softmax of them gives the
 * probabilities.
 */
dcz_status dcz_model_run(dcz_model *model, const float *input, float *logits);

/** The number of input floats; the shape, its rank and extents, with dcz_model_input_shape(). */
uint32_t dcz_model_input_count(const dcz_model *model);
/** Copies the input shape's extents to `shape` (DCZ_MAX_RANK entries) and returns its rank. */
uint32_t dcz_model_input_shape(const dcz_model *model, uint32_t shape[DCZ_MAX_RANK]);
/** The number of output floats. */
uint32_t dcz_model_output_count(const dcz_model *model);
/** Copies the output shape's extents to `shape` (DCZ_MAX_RANK entries) and returns its rank. */
uint32_t dcz_model_output_shape(const dcz_model *model, uint32_t shape[DCZ_MAX_RANK]);

/** A fixed sentence for a status: "the file ends early (truncated)". */
const char *dcz_status_text(dcz_status status);

/** The last error of `model` in one line, naming the layer and field: "layer 3 'fc1': kernel:
 *  index stream: a gap runs past the end of the 235200 elements"; empty after success. */
const char *dcz_model_error(const dcz_model *model);

#ifdef __cplusplus
}
#endif

#endif
