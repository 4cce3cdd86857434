/* Images per second of the exported model, one image at a time, on raw float32 inputs held in
 * memory: the best of REPEATS passes over the first COUNT images.
 * usage: bench-runtime IMAGES.f32 streaming|decoded COUNT REPEATS */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dcz_runtime.h"
#include "model.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    FILE *in = argc == 5 ? fopen(argv[1], "rb") : NULL;
    if (in == NULL) {
        fprintf(stderr, "usage: %s IMAGES.f32 streaming|decoded COUNT REPEATS\n", argv[0]);
        return 2;
    }
    dcz_mode mode = strcmp(argv[2], "decoded") == 0 ? DCZ_MODE_DECODED : DCZ_MODE_STREAMING;
    long images = atol(argv[3]);
    int repeats = atoi(argv[4]);
    float *inputs = malloc((size_t)images * MODEL_INPUT_COUNT * sizeof *inputs), logits[MODEL_OUTPUT_COUNT];
    images = (long)fread(inputs, MODEL_INPUT_COUNT * sizeof *inputs, (size_t)images, in);
    size_t size = dcz_arena_size_needed(model_dcz, model_dcz_size, mode);
    void *arena = malloc(size);
    dcz_model model;
    if (images == 0 || dcz_model_init(&model, model_dcz, model_dcz_size, arena, size, mode) != DCZ_OK) {
        fprintf(stderr, "model: %s\n", dcz_model_error(&model));
        return 1;
    }
    double best = 1e30;
    for (int r = 0; r < repeats; r++) {
        double start = now();
        for (long i = 0; i < images; i++) dcz_model_run(&model, inputs + i * MODEL_INPUT_COUNT, logits);
        double seconds = now() - start;
        best = seconds < best ? seconds : best;
    }
    printf("%.0f\n", images / best);
    return 0;
}
