/*
 * Example: runs the exported model on images and prints one predicted class per line.
 *
 *     cc -O2 -std=c99 -Iruntime/include main.c model.c runtime/dcz_*.c -lm -o classify
 *     ./classify images.f32                      # streaming mode
 *     ./classify --decoded --logits out.f32 images.f32
 *
 * images.f32 holds N inputs as raw little-endian float32, each MODEL_INPUT_COUNT floats (H x W x C,
 * normalised as `compress eval` does: pixels / 255 by default). --logits writes every output,
 * raw float32, to a file.
 */
#include <stdio.h>
#include <string.h>

#include "dcz_runtime.h"
#include "model.h"

#define ARENA_SIZE (MODEL_ARENA_DECODED > MODEL_ARENA_STREAMING ? MODEL_ARENA_DECODED : MODEL_ARENA_STREAMING)

static uint8_t arena[ARENA_SIZE];
static float input[MODEL_INPUT_COUNT];
static float output[MODEL_OUTPUT_COUNT];

int main(int argc, char **argv) {
    dcz_mode mode = DCZ_MODE_STREAMING;
    const char *images = NULL, *logits = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--decoded") == 0) mode = DCZ_MODE_DECODED;
        else if (strcmp(argv[i], "--logits") == 0 && i + 1 < argc) logits = argv[++i];
        else images = argv[i];
    }
    if (images == NULL) {
        fprintf(stderr, "usage: %s [--decoded] [--logits OUT.f32] IMAGES.f32\n", argv[0]);
        return 2;
    }
    dcz_model model;
    dcz_status status = dcz_model_init(&model, model_dcz, model_dcz_size, arena, sizeof arena, mode);
    if (status != DCZ_OK) {
        fprintf(stderr, "model: %s\n", dcz_model_error(&model));
        return 1;
    }
    FILE *in = fopen(images, "rb");
    FILE *out = logits ? fopen(logits, "wb") : NULL;
    if (in == NULL || (logits && out == NULL)) {
        fprintf(stderr, "%s: cannot be opened\n", in == NULL ? images : logits);
        return 1;
    }
    while (fread(input, sizeof input, 1, in) == 1) {
        if (dcz_model_run(&model, input, output) != DCZ_OK) {
            fprintf(stderr, "model: %s\n", dcz_model_error(&model));
            return 1;
        }
        int best = 0;
        for (int k = 1; k < MODEL_OUTPUT_COUNT; k++) best = output[k] > output[best] ? k : best;
        printf("%d\n", best);
        if (out && fwrite(output, sizeof output, 1, out) != 1) {
            fprintf(stderr, "%s: cannot be written\n", logits);
            return 1;
        }
    }
    fclose(in);
    if (out) fclose(out);
    return 0;
}
