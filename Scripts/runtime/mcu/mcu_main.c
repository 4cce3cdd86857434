/*
 * The exported model on a Cortex-M4 under QEMU (semihosting): reads images.f32 from the host,
 * prints one predicted class per line, then the stack the runtime used (painted and scanned).
 * The arena is the streaming mode's, MODEL_ARENA_STREAMING bytes (DECODED=1: the decoded mode's).
 */
#include <stdio.h>
#include <string.h>

#include "dcz_runtime.h"
#include "model.h"

#ifdef DECODED
#define MODE DCZ_MODE_DECODED
#define ARENA MODEL_ARENA_DECODED
#else
#define MODE DCZ_MODE_STREAMING
#define ARENA MODEL_ARENA_STREAMING
#endif

#define PAINTED 16384u

static uint8_t arena[ARENA];
static dcz_model model;
static float input[MODEL_INPUT_COUNT], logits[MODEL_OUTPUT_COUNT];

/* Fills the PAINTED bytes below the caller's frame with a pattern. */
__attribute__((noinline)) static uint8_t *paint(void) {
    uint8_t *top = (uint8_t *)__builtin_frame_address(0) - 256;
    memset(top - PAINTED, 0xA5, PAINTED);
    return top;
}

/* Bytes of the painted region written since, from its top. */
static uint32_t used(const uint8_t *top) {
    uint32_t n = PAINTED;
    const uint8_t *p = top - PAINTED;
    while (n > 0 && *p == 0xA5) {
        p++;
        n--;
    }
    return n + 256;
}

int main(void) {
    uint8_t *top = paint();
    dcz_status status = dcz_model_init(&model, model_dcz, model_dcz_size, arena, sizeof arena, MODE);
    uint32_t init_stack = used(top);
    if (status != DCZ_OK) {
        printf("model: %s\n", dcz_model_error(&model));
        return 1;
    }
    FILE *in = fopen("images.f32", "rb");
    if (in == NULL) {
        printf("images.f32: cannot be opened\n");
        return 1;
    }
    uint32_t run_stack = 0;
    while (fread(input, sizeof input, 1, in) == 1) {
        top = paint();
        status = dcz_model_run(&model, input, logits);
        uint32_t stack = used(top);
        run_stack = stack > run_stack ? stack : run_stack;
        if (status != DCZ_OK) {
            printf("model: %s\n", dcz_model_error(&model));
            return 1;
        }
        int best = 0;
        for (int k = 1; k < MODEL_OUTPUT_COUNT; k++) best = logits[k] > logits[best] ? k : best;
        printf("%d\n", best);
    }
    fclose(in);
    printf("# arena %u bytes, dcz_model %u bytes, stack at most %u bytes in init, %u in run\n", (unsigned)sizeof arena,
           (unsigned)sizeof model, (unsigned)init_stack, (unsigned)run_stack);
    return 0;
}
