/* The smallest firmware that runs the exported model: what it costs in flash (runtime code,
 * libm, model bytes) and RAM (arena, model struct), measured with arm-none-eabi-size. */
#include "dcz_runtime.h"
#include "model.h"

static uint8_t arena[MODEL_ARENA_STREAMING];
static dcz_model model;
static float input[MODEL_INPUT_COUNT], logits[MODEL_OUTPUT_COUNT];

int main(void) {
    if (dcz_model_init(&model, model_dcz, model_dcz_size, arena, sizeof arena, DCZ_MODE_STREAMING) != DCZ_OK) return 1;
    return dcz_model_run(&model, input, logits) == DCZ_OK ? (int)logits[0] : 2;
}
