/*
 * libFuzzer target of the C runtime (Scripts/fuzz-runtime.sh). Each input is loaded as it is and,
 * so that mutations reach the parser behind the checksums, once more with every section's CRC-32
 * recomputed. In both modes: one byte less than the measured arena must be refused as too small,
 * the measured arena accepted (unless the file repeats a layer name, the one check measuring
 * skips); a model that loads must run (on zeros) without error. ASan and UBSan catch any read
 * out of bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dcz_runtime.h"

uint32_t dcz_crc32(const uint8_t *data, uint32_t size);

/* Models whose arena or input exceeds this are loaded but not run (time, not safety). */
#define RUN_LIMIT (64u << 20)

static void check(const uint8_t *data, size_t size) {
    for (int mode = 0; mode < 2; mode++) {
        size_t needed = dcz_arena_size_needed(data, size, (dcz_mode)mode);
        dcz_model model;
        if (needed == 0) {
            if (dcz_model_init(&model, data, size, NULL, 0, (dcz_mode)mode) == DCZ_OK) abort();
            continue;
        }
        if (needed > RUN_LIMIT) continue;
        uint8_t *arena = malloc(needed);
        if (dcz_model_init(&model, data, size, arena, needed - 1, (dcz_mode)mode) != DCZ_E_ARENA) abort();
        dcz_status status = dcz_model_init(&model, data, size, arena, needed, (dcz_mode)mode);
        if (status != DCZ_OK && !(status == DCZ_E_FORMAT && strstr(model.error, "names must be unique"))) abort();
        if (status != DCZ_OK) {
            free(arena);
            continue;
        }
        uint32_t inputs = dcz_model_input_count(&model), outputs = dcz_model_output_count(&model);
        if ((uint64_t)inputs * 4 <= RUN_LIMIT && (uint64_t)outputs * 4 <= RUN_LIMIT) {
            float *input = calloc(inputs, sizeof *input), *logits = malloc((size_t)outputs * sizeof *logits);
            if (dcz_model_run(&model, input, logits) != DCZ_OK) abort();
            free(input);
            free(logits);
        }
        free(arena);
    }
}

/* A copy of the file with every section's CRC-32 made right, as far as its framing holds. */
static uint8_t *resealed(const uint8_t *data, size_t size) {
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    size_t pos = 5;
    while (size >= 5 && pos < size) {
        uint64_t length = 0;
        unsigned shift = 0;
        while (pos < size && shift < 63) {
            length |= (uint64_t)(copy[pos] & 0x7F) << shift;
            shift += 7;
            if ((copy[pos++] & 0x80) == 0) break;
        }
        if (length > size - pos || size - pos - length < 4) break;
        uint32_t crc = dcz_crc32(copy + pos, (uint32_t)length);
        pos += length;
        for (int i = 0; i < 4; i++) copy[pos + i] = (uint8_t)(crc >> (8 * i));
        pos += 4;
    }
    return copy;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    check(data, size);
    uint8_t *copy = resealed(data, size);
    if (memcmp(copy, data, size) != 0) check(copy, size);
    free(copy);
    return 0;
}
