/*
 * Loading and running a model. A load walks the file twice: the architecture (checked, shapes
 * inferred, activation buffers planned), then, in step with it, each layer's section, whose
 * records are scanned and read through once (decoded into the arena in decoded mode). The first
 * load only measures the arena; the second, into the caller's arena, keeps what a run needs.
 */
#include <string.h>

#include "dcz_internal.h"

#define ALIGN8(n) (((n) + 7u) & ~(uint64_t)7u)
/* Bit positions are 32-bit: files up to 2^29 - 1 bytes. */
#define MAX_FILE_SIZE ((1u << 29) - 1)
#define MAX_ELEMENTS_PER_FILE_BYTE 2048

/* Where everything sits in the arena, in bytes from its 8-aligned start. */
typedef struct {
    uint64_t reader, chunk, buffer[2], band, decoded, end;
    uint64_t floats[2], band_floats, decoded_bytes;
    uint32_t current;   /* the buffer holding the latest activations */
} dcz_plan;

static dcz_status read_section(dcz_cursor *c, dcz_err *err, dcz_cursor *body) {
    uint64_t length;
    uint32_t stored;
    uint32_t left = c->end - c->pos;
    dcz_status status = dcz_read_varint(c, err, left > 4 ? left - 4 : 0, &length);
    if (status != DCZ_OK) return status;
    *body = (dcz_cursor){c->data, c->pos, c->pos + (uint32_t)length};
    c->pos += (uint32_t)length;
    if ((status = dcz_read_u32(c, err, &stored)) != DCZ_OK) return status;
    if (stored != dcz_crc32(body->data + body->pos, (uint32_t)length)) {
        return dcz_fail(err, DCZ_E_CRC, "the CRC-32 does not match the content (corrupt file)");
    }
    return DCZ_OK;
}

static void plan_floats(dcz_plan *plan, uint32_t buffer, uint32_t count) {
    if (count > plan->floats[buffer]) plan->floats[buffer] = count;
}

/* Plans `layer` (with `next` when they fuse): which buffer its output goes to. */
static void plan_layer(dcz_plan *plan, const dcz_layer *layer, const dcz_layer *next) {
    if (dcz_layer_in_place(layer)) {
        plan_floats(plan, plan->current, layer->out_count);
        return;
    }
    plan->current ^= 1;
    plan_floats(plan, plan->current, next ? next->out_count : layer->out_count);
    if (next && dcz_band_floats(layer, next) > plan->band_floats) plan->band_floats = dcz_band_floats(layer, next);
}

static int same_name(const dcz_layer *a, const dcz_layer *b, const uint8_t *file) {
    char x[300], y[300];
    size_t nx = 0, ny = 0;
    dcz_name_append(&a->name, file, x, sizeof x, &nx);
    dcz_name_append(&b->name, file, y, sizeof y, &ny);
    return nx == ny && memcmp(x, y, nx) == 0;
}

/* The first walk: every layer checked, names compared (when kept), buffers planned. */
static dcz_status walk_architecture(dcz_model *m, dcz_cursor body, dcz_layer *layers, dcz_layer scratch[2],
                                    dcz_plan *plan, dcz_err *err) {
    dcz_walk walk;
    dcz_status status = dcz_walk_start(&walk, body, err);
    if (status != DCZ_OK) return status;
    m->input_rank = walk.rank;
    memcpy(m->input_shape, walk.shape, sizeof m->input_shape);
    m->input_count = 1;
    for (int i = 0; i < walk.rank; i++) m->input_count *= walk.shape[i];
    m->output_rank = m->input_rank;
    memcpy(m->output_shape, m->input_shape, sizeof m->output_shape);
    m->output_count = m->input_count;
    m->layer_count = walk.count;
    plan_floats(plan, 0, m->input_count);
    dcz_layer *pending = NULL;   /* planned once the next layer says whether it fuses */
    for (uint32_t i = 0; i < walk.count; i++) {
        dcz_layer *layer = layers ? &layers[i] : &scratch[i & 1];
        err->layer = (int32_t)i;
        err->name = NULL;
        if ((status = dcz_walk_next(&walk, layer, err)) != DCZ_OK) return status;
        for (uint32_t j = 0; layers && j < i; j++) {
            if (same_name(&layers[j], layer, m->file)) return dcz_fail(err, DCZ_E_FORMAT, "layer names must be unique");
        }
        if (pending && dcz_can_fuse(pending, layer)) {
            pending->fused = 1;
            plan_layer(plan, pending, layer);
            pending = NULL;
            continue;
        }
        if (pending) plan_layer(plan, pending, NULL);
        pending = layer;
    }
    if (pending) plan_layer(plan, pending, NULL);
    if (walk.count > 0) {
        const dcz_layer *last = layers ? &layers[walk.count - 1] : &scratch[(walk.count - 1) & 1];
        m->output_rank = last->out_rank;
        memcpy(m->output_shape, last->out_shape, sizeof m->output_shape);
        m->output_count = last->out_count;
    }
    err->layer = -1;
    err->name = NULL;
    err->field = "architecture";
    if (walk.cursor.pos != walk.cursor.end) return dcz_fail(err, DCZ_E_FORMAT, "has bytes after its last layer");
    if (walk.parameters > (uint64_t)MAX_ELEMENTS_PER_FILE_BYTE * m->file_size) {
        return dcz_fail(err, DCZ_E_FORMAT, "declares more weights than a file of this size can hold");
    }
    err->field = NULL;
    return DCZ_OK;
}

/* Scans one parameter record and reads it through; in decoded mode, into the arena. */
static dcz_status load_param(dcz_model *m, dcz_layer *layer, int index, dcz_cursor *section, uint8_t *arena,
                             dcz_plan *plan, dcz_err *err) {
    dcz_reader reader;
    dcz_entry chunk[DCZ_CHUNK];
    uint32_t shape[4];
    dcz_param *p = &layer->param[index];
    int rank = dcz_layer_param_shape(layer, index, shape);
    err->parameter = dcz_layer_param_name(layer, index);
    dcz_status status = dcz_record_scan(p, section, shape, rank, reader.codes, err);
    if (status != DCZ_OK) return status;
    err->field = "values";
    /* Decoded, a sparse record keeps its entries, a dense one its values (every element, 0 for
     * a codebook's zero symbol). */
    uint64_t start = plan->decoded + plan->decoded_bytes;
    int keep = arena != NULL && m->mode == DCZ_MODE_DECODED;
    float *values = keep && !p->sparse ? (float *)(arena + start) : NULL;
    if (values) memset(values, 0, (size_t)p->count * sizeof *values);
    if ((status = dcz_reader_open(&reader, p, m->file, err)) != DCZ_OK) return status;
    for (;;) {
        uint32_t filled;
        int in_arena = keep && p->sparse;
        dcz_entry *into = in_arena ? (dcz_entry *)(arena + start) + p->decoded_count : chunk;
        if ((status = dcz_reader_fill(&reader, m->file, into, in_arena ? p->stored : DCZ_CHUNK, &filled, err)) != DCZ_OK) {
            return status;
        }
        if (filled == 0) break;
        if (in_arena) p->decoded_count += filled;
        for (uint32_t i = 0; values && i < filled; i++) values[(uint64_t)chunk[i].row * p->columns + chunk[i].column] = chunk[i].value;
    }
    if (m->mode == DCZ_MODE_DECODED) {
        p->decoded = (uint32_t)start;
        plan->decoded_bytes += ALIGN8(p->sparse ? (uint64_t)p->stored * sizeof(dcz_entry) : (uint64_t)p->count * sizeof(float));
    }
    err->parameter = NULL;
    err->field = NULL;
    return DCZ_OK;
}

/* The second walk: each layer with parameters and its section. */
static dcz_status load_sections(dcz_model *m, dcz_cursor body, dcz_cursor *c, dcz_layer *layers, dcz_layer scratch[2],
                                uint8_t *arena, dcz_plan *plan, dcz_err *err) {
    dcz_walk walk;
    dcz_status status = dcz_walk_start(&walk, body, err);
    for (uint32_t i = 0; status == DCZ_OK && i < walk.count; i++) {
        dcz_layer *layer = layers ? &layers[i] : &scratch[0];
        uint8_t fused = layer->fused;
        err->layer = (int32_t)i;
        if ((status = dcz_walk_next(&walk, layer, err)) != DCZ_OK) return status;
        layer->fused = fused;
        if (layer->param_count == 0) continue;
        dcz_cursor section;
        err->field = "section";
        if ((status = read_section(c, err, &section)) != DCZ_OK) return status;
        for (int j = 0; j < layer->param_count; j++) {
            if ((status = load_param(m, layer, j, &section, arena, plan, err)) != DCZ_OK) return status;
        }
        err->field = "section";
        if (section.pos != section.end) return dcz_fail(err, DCZ_E_FORMAT, "has bytes after its last parameter");
    }
    err->layer = -1;
    err->name = NULL;
    err->field = "end";
    if (status == DCZ_OK && c->pos != c->end) return dcz_fail(err, DCZ_E_FORMAT, "bytes follow the last section");
    err->field = NULL;
    return status;
}

/* A run gives logits, as compress's do: a final softmax (fused or a layer) is left out. */
static void strip_final_softmax(dcz_layer *last) {
    int activated = last->type == DCZ_DENSE || last->type == DCZ_CONV2D || last->type == DCZ_DEPTHWISE ||
                    last->type == DCZ_ACTIVATION;
    if (activated && last->activation == DCZ_SOFTMAX) last->activation = DCZ_LINEAR;
}

/* Loads the file: measures the arena (layers NULL) or fills it. */
static dcz_status load(dcz_model *m, uint8_t *arena, dcz_plan *plan, dcz_err *err) {
    static const uint8_t magic[4] = {0x89, 'D', 'C', 'Z'};
    dcz_layer scratch[2];
    dcz_cursor c = {m->file, 0, (uint32_t)m->file_size}, body;
    dcz_status status;
    err->field = "magic";
    if (m->file_size < 5 || memcmp(m->file, magic, 4) != 0) return dcz_fail(err, DCZ_E_FORMAT, "is not a compressed model file");
    err->field = "version";
    if (m->file[4] != 2) return dcz_fail_number(err, DCZ_E_FORMAT, "is not supported (this runtime reads version 2)", m->file[4]);
    c.pos = 5;
    err->field = "architecture";
    if ((status = read_section(&c, err, &body)) != DCZ_OK) return status;
    memset(plan, 0, sizeof *plan);
    dcz_layer *layers = (dcz_layer *)arena;
    if ((status = walk_architecture(m, body, layers, scratch, plan, err)) != DCZ_OK) return status;
    plan->reader = ALIGN8((uint64_t)m->layer_count * sizeof(dcz_layer));
    plan->chunk = plan->reader + (m->mode == DCZ_MODE_STREAMING ? ALIGN8(sizeof(dcz_reader)) : 0);
    plan->buffer[0] = plan->chunk + ALIGN8(DCZ_CHUNK * sizeof(dcz_entry));
    plan->buffer[1] = plan->buffer[0] + ALIGN8(plan->floats[0] * sizeof(float));
    plan->band = plan->buffer[1] + ALIGN8(plan->floats[1] * sizeof(float));
    plan->decoded = plan->band + ALIGN8(plan->band_floats * sizeof(float));
    if ((status = load_sections(m, body, &c, arena ? layers : NULL, scratch, arena, plan, err)) != DCZ_OK) return status;
    plan->end = plan->decoded + plan->decoded_bytes;
    if (arena && m->layer_count > 0) strip_final_softmax(&layers[m->layer_count - 1]);
    return DCZ_OK;
}

/* Starts a model and its error context; checks the arguments. */
static dcz_status start(dcz_model *m, const uint8_t *file, size_t size, dcz_mode mode, dcz_err *err) {
    memset(m, 0, sizeof *m);
    *err = (dcz_err){m->error, sizeof m->error, file, -1, NULL, NULL, NULL};
    m->file = file;
    m->file_size = size;
    m->mode = mode;
    if (file == NULL || (mode != DCZ_MODE_STREAMING && mode != DCZ_MODE_DECODED)) {
        return dcz_fail(err, DCZ_E_ARGUMENT, "no file, or an unknown mode");
    }
    if (size > MAX_FILE_SIZE) return dcz_fail(err, DCZ_E_UNSUPPORTED, "the file is larger than 2^29 - 1 bytes");
    return DCZ_OK;
}

size_t dcz_arena_size_needed(const uint8_t *file, size_t size, dcz_mode mode) {
    dcz_model m;
    dcz_err err;
    dcz_plan plan;
    if (start(&m, file, size, mode, &err) != DCZ_OK || load(&m, NULL, &plan, &err) != DCZ_OK) return 0;
    if (plan.end + 7 > (uint64_t)SIZE_MAX) return 0;
    return (size_t)(plan.end + 7);   /* any alignment of the arena */
}

static uint8_t *aligned(uint8_t *arena) {
    return arena + ((8 - (uintptr_t)arena % 8) % 8);
}

dcz_status dcz_model_init(dcz_model *model, const uint8_t *file, size_t size, void *arena, size_t arena_size,
                          dcz_mode mode) {
    dcz_err err;
    dcz_plan plan;
    if (model == NULL) return DCZ_E_ARGUMENT;
    dcz_status status = start(model, file, size, mode, &err);
    if (status == DCZ_OK) status = load(model, NULL, &plan, &err);
    if (status != DCZ_OK) return status;
    if (arena == NULL || arena_size < plan.end + 7) {
        return dcz_fail_number(&err, DCZ_E_ARENA, "the arena is too small; bytes needed", plan.end + 7);
    }
    model->arena = aligned(arena);
    model->arena_size = arena_size;
    if ((status = load(model, model->arena, &plan, &err)) != DCZ_OK) return status;
    model->buffer_offset[0] = (uint32_t)plan.buffer[0];
    model->buffer_offset[1] = (uint32_t)plan.buffer[1];
    model->band_offset = (uint32_t)plan.band;
    model->reader_offset = (uint32_t)plan.reader;
    model->chunk_offset = (uint32_t)plan.chunk;
    model->ready = 1;
    return DCZ_OK;
}

dcz_status dcz_model_run(dcz_model *model, const float *input, float *logits) {
    if (model == NULL || !model->ready || input == NULL || logits == NULL) return DCZ_E_ARGUMENT;
    dcz_err err = {model->error, sizeof model->error, model->file, -1, NULL, NULL, NULL};
    const dcz_layer *layers = (const dcz_layer *)model->arena;
    int streaming = model->mode == DCZ_MODE_STREAMING;
    dcz_weights weights = {model->file, model->arena, streaming ? (dcz_reader *)(model->arena + model->reader_offset) : NULL,
                           (dcz_entry *)(model->arena + model->chunk_offset), &err};
    float *buffer[2] = {(float *)(model->arena + model->buffer_offset[0]), (float *)(model->arena + model->buffer_offset[1])};
    float *band = (float *)(model->arena + model->band_offset);
    uint32_t current = 0;
    memcpy(buffer[0], input, model->input_count * sizeof *input);
    for (uint32_t i = 0; i < model->layer_count; i++) {
        const dcz_layer *layer = &layers[i];
        const dcz_layer *next = layer->fused ? &layers[i + 1] : NULL;
        err.layer = (int32_t)i;
        err.name = &layer->name;
        dcz_status status = dcz_layer_run(layer, next, &weights, buffer[current], buffer[current ^ 1], band);
        if (status != DCZ_OK) return status;
        if (!dcz_layer_in_place(layer)) current ^= 1;
        if (next) i++;
    }
    memcpy(logits, buffer[current], model->output_count * sizeof *logits);
    model->error[0] = 0;
    return DCZ_OK;
}

uint32_t dcz_model_input_count(const dcz_model *model) {
    return model ? model->input_count : 0;
}

uint32_t dcz_model_output_count(const dcz_model *model) {
    return model ? model->output_count : 0;
}

uint32_t dcz_model_input_shape(const dcz_model *model, uint32_t shape[DCZ_MAX_RANK]) {
    if (model == NULL) return 0;
    memcpy(shape, model->input_shape, sizeof model->input_shape);
    return model->input_rank;
}

uint32_t dcz_model_output_shape(const dcz_model *model, uint32_t shape[DCZ_MAX_RANK]) {
    if (model == NULL) return 0;
    memcpy(shape, model->output_shape, sizeof model->output_shape);
    return model->output_rank;
}
