/* Images per second of the exported model in both runtime modes, one image at a time, on raw
 * float32 inputs held in memory (the best of REPEATS passes over them).
 * usage: bench-runtime IMAGES.f32 [REPEATS] */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "dcz_runtime.h"
#include "model.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    FILE *in = argc > 1 ? fopen(argv[1], "rb") : NULL;
    int repeats = argc > 2 ? atoi(argv[2]) : 3;
    if (in == NULL) {
        fprintf(stderr, "usage: %s IMAGES.f32 [REPEATS]\n", argv[0]);
        return 2;
    }
    fseek(in, 0, SEEK_END);
    long images = ftell(in) / (long)(MODEL_INPUT_COUNT * sizeof(float));
    rewind(in);
    float *inputs = malloc((size_t)images * MODEL_INPUT_COUNT * sizeof *inputs), logits[MODEL_OUTPUT_COUNT];
    if (inputs == NULL || fread(inputs, MODEL_INPUT_COUNT * sizeof *inputs, (size_t)images, in) != (size_t)images) return 1;
    static const char *const names[2] = {"streaming", "decoded"};
    for (int mode = 0; mode < 2; mode++) {
        size_t size = dcz_arena_size_needed(model_dcz, model_dcz_size, (dcz_mode)mode);
        void *arena = malloc(size);
        dcz_model model;
        if (dcz_model_init(&model, model_dcz, model_dcz_size, arena, size, (dcz_mode)mode) != DCZ_OK) {
            fprintf(stderr, "model: %s\n", dcz_model_error(&model));
            return 1;
        }
        double best = 1e30;
        long correct_guard = 0;
        for (int r = 0; r < repeats; r++) {
            double start = now();
            for (long i = 0; i < images; i++) {
                dcz_model_run(&model, inputs + i * MODEL_INPUT_COUNT, logits);
                correct_guard += logits[0] > logits[1];
            }
            double seconds = now() - start;
            best = seconds < best ? seconds : best;
        }
        printf("C runtime, %s: %.0f images/s (%ld images, best of %d; arena %zu bytes)%s\n", names[mode], images / best, images,
               repeats, size, correct_guard < 0 ? "!" : "");
        free(arena);
    }
    free(inputs);
    return 0;
}
