/*
 * Layer computations, NHWC, with weights taken as stored entries: a sparse or dense kernel is
 * applied entry by entry (row, column, value of its [rows, columns] view), so pruned layers
 * cost only their stored weights. A convolution followed by a valid pooling is computed a band
 * of rows at a time and pooled at once, so its full output is never held.
 */
#include <math.h>
#include <string.h>

#include "dcz_internal.h"

dcz_status dcz_weights_each(dcz_weights *w, const dcz_param *param, dcz_apply apply, const dcz_layer *layer,
                            void *context) {
    if (w->reader == NULL && param->sparse) {
        apply(layer, (const dcz_entry *)(w->arena + param->decoded), param->decoded_count, context);
        return DCZ_OK;
    }
    if (w->reader == NULL) {
        /* A dense parameter's decoded values, as entries a chunk at a time. */
        const float *values = (const float *)(w->arena + param->decoded);
        uint32_t row = 0, column = 0;
        for (uint32_t start = 0; start < param->count; start += DCZ_CHUNK) {
            uint32_t n = param->count - start < DCZ_CHUNK ? param->count - start : DCZ_CHUNK;
            for (uint32_t i = 0; i < n; i++) {
                w->chunk[i] = (dcz_entry){row, column, values[start + i]};
                if (++column == param->columns) {
                    column = 0;
                    row++;
                }
            }
            apply(layer, w->chunk, n, context);
        }
        return DCZ_OK;
    }
    dcz_status status = dcz_reader_open(w->reader, param, w->file, w->err);
    for (;;) {
        uint32_t filled = 0;
        if (status == DCZ_OK) status = dcz_reader_fill(w->reader, w->file, w->chunk, DCZ_CHUNK, &filled, w->err);
        if (status != DCZ_OK || filled == 0) return status;
        apply(layer, w->chunk, filled, context);
    }
}

/* ---- Activations ------------------------------------------------------------------------ */

static float sigmoid(float x) {
    if (x >= 0) return 1 / (1 + expf(-x));
    float e = expf(x);
    return e / (1 + e);
}

static void activate(uint8_t activation, float *x, uint32_t count, uint32_t row_length) {
    switch (activation) {
    case DCZ_RELU:
        for (uint32_t i = 0; i < count; i++) x[i] = x[i] > 0 ? x[i] : 0;
        break;
    case DCZ_RELU6:
        for (uint32_t i = 0; i < count; i++) x[i] = x[i] > 0 ? (x[i] < 6 ? x[i] : 6) : 0;
        break;
    case DCZ_TANH:
        for (uint32_t i = 0; i < count; i++) x[i] = tanhf(x[i]);
        break;
    case DCZ_SIGMOID:
        for (uint32_t i = 0; i < count; i++) x[i] = sigmoid(x[i]);
        break;
    case DCZ_SOFTMAX:
        for (float *row = x; row < x + count; row += row_length) {
            float largest = -INFINITY, total = 0;
            for (uint32_t j = 0; j < row_length; j++) largest = row[j] > largest ? row[j] : largest;
            for (uint32_t j = 0; j < row_length; j++) {
                row[j] = expf(row[j] - largest);
                total += row[j];
            }
            float inverse = 1 / total;
            for (uint32_t j = 0; j < row_length; j++) row[j] *= inverse;
        }
        break;
    default:
        break;
    }
}

/* ---- Dense ------------------------------------------------------------------------------ */

typedef struct {
    const float *x;
    float *y;
} dense_context;

static void dense_kernel(const dcz_layer *layer, const dcz_entry *e, uint32_t count, void *context) {
    const dense_context *c = context;
    const float *x = c->x;
    float *y = c->y;
    uint32_t rows = layer->in_count / layer->in_last;
    if (rows == 1 && layer->param[0].transposed) {
        /* All stored inputs of one output in a row: a dot product with four partial sums, free
         * of the store-to-load chain through y[column]. Columns never decrease in this order. */
        uint32_t i = 0;
        while (i < count) {
            uint32_t column = e[i].column, j = i;
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (; j + 4 <= count && e[j + 3].column == column; j += 4) {
                s0 += x[e[j].row] * e[j].value;
                s1 += x[e[j + 1].row] * e[j + 1].value;
                s2 += x[e[j + 2].row] * e[j + 2].value;
                s3 += x[e[j + 3].row] * e[j + 3].value;
            }
            for (; j < count && e[j].column == column; j++) s0 += x[e[j].row] * e[j].value;
            y[column] += (s0 + s1) + (s2 + s3);
            i = j;
        }
        return;
    }
    for (uint32_t i = 0; i < count; i++) {
        for (uint32_t r = 0; r < rows; r++) y[r * layer->units + e[i].column] += x[r * layer->in_last + e[i].row] * e[i].value;
    }
}

/* Adds a bias along the last axis of `count` outputs. */
typedef struct {
    float *y;
    uint32_t count;
} bias_context;

static void add_bias(const dcz_layer *layer, const dcz_entry *e, uint32_t count, void *context) {
    const bias_context *c = context;
    for (uint32_t i = 0; i < count; i++) {
        for (uint64_t at = e[i].column; at < c->count; at += layer->out_last) c->y[at] += e[i].value;
    }
}

static dcz_status dense(const dcz_layer *layer, dcz_weights *w, const float *x, float *y) {
    dense_context context = {x, y};
    bias_context bias = {y, layer->out_count};
    memset(y, 0, layer->out_count * sizeof *y);
    dcz_status status = dcz_weights_each(w, &layer->param[0], dense_kernel, layer, &context);
    if (status == DCZ_OK && layer->bias) status = dcz_weights_each(w, &layer->param[1], add_bias, layer, &bias);
    activate(layer->activation, y, layer->out_count, layer->out_last);
    return status;
}

/* ---- Convolutions ----------------------------------------------------------------------- */

/* Output rows [first, first + rows) of a Conv2D or DepthwiseConv2D, into `y` (those rows only). */
typedef struct {
    const float *x;
    float *y;
    uint32_t first, rows;
} conv_context;

static void conv_kernel(const dcz_layer *layer, const dcz_entry *e, uint32_t count, void *context) {
    const conv_context *c = context;
    const int32_t in_h = (int32_t)layer->in[0], in_w = (int32_t)layer->in[1], channels = (int32_t)layer->in[2];
    const int32_t out_w = (int32_t)layer->out[1], out_c = (int32_t)layer->out[2];
    const int32_t sh = (int32_t)layer->stride[0], sw = (int32_t)layer->stride[1];
    for (uint32_t i = 0; i < count; i++) {
        int32_t ci = (int32_t)(e[i].row % (uint32_t)channels), window = (int32_t)(e[i].row / (uint32_t)channels);
        int32_t ky = window / (int32_t)layer->kernel[1], kx = window % (int32_t)layer->kernel[1];
        int32_t oc = layer->type == DCZ_DEPTHWISE ? ci * (int32_t)layer->units + (int32_t)e[i].column : (int32_t)e[i].column;
        float v = e[i].value;
        /* Output columns whose input column ox * sw - pad + kx lies in [0, in_w). */
        int32_t shift = kx - (int32_t)layer->pad_before[1];
        int32_t lo = shift >= 0 ? 0 : (-shift + sw - 1) / sw;
        int32_t hi = in_w - 1 - shift < 0 ? -1 : (in_w - 1 - shift) / sw;
        if (hi > out_w - 1) hi = out_w - 1;
        for (uint32_t r = 0; r < c->rows; r++) {
            int64_t iy = (int64_t)(c->first + r) * sh - layer->pad_before[0] + ky;
            if (iy < 0 || iy >= in_h) continue;
            int64_t in = (iy * in_w + shift) * channels + ci;
            float *out = c->y + (int64_t)r * out_w * out_c + oc;
            for (int32_t ox = lo; ox <= hi; ox++) out[(int64_t)ox * out_c] += c->x[in + (int64_t)ox * sw * channels] * v;
        }
    }
}

static dcz_status conv_rows(const dcz_layer *layer, dcz_weights *w, const float *x, float *y, uint32_t first,
                            uint32_t rows) {
    conv_context context = {x, y, first, rows};
    uint32_t count = rows * layer->out[1] * layer->out[2];
    bias_context bias = {y, count};
    memset(y, 0, count * sizeof *y);
    dcz_status status = dcz_weights_each(w, &layer->param[0], conv_kernel, layer, &context);
    if (status == DCZ_OK && layer->bias) status = dcz_weights_each(w, &layer->param[1], add_bias, layer, &bias);
    activate(layer->activation, y, count, layer->out_last);
    return status;
}

/* ---- Pooling ---------------------------------------------------------------------------- */

/* Output row `py` of a pooling over input rows held from row `base` on at `x`. */
static void pool_row(const dcz_layer *pool, const float *x, uint32_t base, uint32_t py, float *y) {
    const int64_t in_h = pool->in[0], in_w = pool->in[1], channels = pool->in[2];
    int64_t y0 = (int64_t)py * pool->stride[0] - pool->pad_before[0];
    int64_t y_lo = y0 > 0 ? y0 : 0, y_hi = y0 + pool->kernel[0] < in_h ? y0 + pool->kernel[0] : in_h;
    for (uint32_t px = 0; px < pool->out[1]; px++) {
        int64_t x0 = (int64_t)px * pool->stride[1] - pool->pad_before[1];
        int64_t x_lo = x0 > 0 ? x0 : 0, x_hi = x0 + pool->kernel[1] < in_w ? x0 + pool->kernel[1] : in_w;
        float *out = y + px * (uint32_t)channels;
        int64_t cells = (y_hi - y_lo) * (x_hi - x_lo);
        float scale = 1 / (float)(cells > 1 ? cells : 1);
        for (int64_t ch = 0; ch < channels; ch++) out[ch] = pool->type == DCZ_MAXPOOL ? -INFINITY : 0;
        for (int64_t iy = y_lo; iy < y_hi; iy++) {
            for (int64_t ix = x_lo; ix < x_hi; ix++) {
                const float *in = x + ((iy - base) * in_w + ix) * channels;
                if (pool->type == DCZ_MAXPOOL) {
                    for (int64_t ch = 0; ch < channels; ch++) out[ch] = in[ch] > out[ch] ? in[ch] : out[ch];
                } else {
                    for (int64_t ch = 0; ch < channels; ch++) out[ch] += in[ch];
                }
            }
        }
        if (pool->type == DCZ_AVGPOOL) {
            for (int64_t ch = 0; ch < channels; ch++) out[ch] *= scale;
        }
    }
}

static void pool(const dcz_layer *layer, const float *x, float *y) {
    for (uint32_t py = 0; py < layer->out[0]; py++) pool_row(layer, x, 0, py, y + py * layer->out[1] * layer->out[2]);
}

int dcz_can_fuse(const dcz_layer *layer, const dcz_layer *next) {
    return (layer->type == DCZ_CONV2D || layer->type == DCZ_DEPTHWISE) && next != NULL &&
           (next->type == DCZ_MAXPOOL || next->type == DCZ_AVGPOOL) && !next->same;
}

uint32_t dcz_band_floats(const dcz_layer *layer, const dcz_layer *next) {
    return next->kernel[0] * layer->out[1] * layer->out[2];
}

/* A convolution and its valid pooling: per pooled row, the convolution rows under its window. */
static dcz_status conv_pool(const dcz_layer *layer, const dcz_layer *next, dcz_weights *w, const float *x, float *y,
                            float *band) {
    for (uint32_t py = 0; py < next->out[0]; py++) {
        uint32_t first = py * next->stride[0];
        dcz_status status = conv_rows(layer, w, x, band, first, next->kernel[0]);
        if (status != DCZ_OK) return status;
        pool_row(next, band, first, py, y + py * next->out[1] * next->out[2]);
    }
    return DCZ_OK;
}

static void global_average(const dcz_layer *layer, const float *x, float *y) {
    uint32_t pixels = layer->in[0] * layer->in[1], channels = layer->in[2];
    float scale = 1 / (float)pixels;
    for (uint32_t ch = 0; ch < channels; ch++) y[ch] = 0;
    for (uint32_t p = 0; p < pixels; p++) {
        for (uint32_t ch = 0; ch < channels; ch++) y[ch] += x[p * channels + ch];
    }
    for (uint32_t ch = 0; ch < channels; ch++) y[ch] *= scale;
}

/* ---- Batch normalization ---------------------------------------------------------------- */

/* One pass over x for one vector: x - mean, x / sqrt(variance + epsilon), x * gamma, x + beta.
 * Entries come in channel order; channels without one have the value 0. */
typedef struct {
    float *x;
    uint32_t count, next;
    int role;
} norm_context;

static void norm_channel(const dcz_layer *layer, norm_context *c, uint32_t channel, float v) {
    float factor = c->role == 3 ? 1 / sqrtf(v + layer->epsilon) : v;
    for (uint64_t at = channel; at < c->count; at += layer->out_last) {
        switch (c->role) {
        case 0: c->x[at] *= factor; break;
        case 1: c->x[at] += v; break;
        case 2: c->x[at] -= v; break;
        default: c->x[at] *= factor; break;
        }
    }
}

static void norm_entries(const dcz_layer *layer, const dcz_entry *e, uint32_t count, void *context) {
    norm_context *c = context;
    for (uint32_t i = 0; i < count; i++) {
        while (c->next < e[i].column) norm_channel(layer, c, c->next++, 0);
        norm_channel(layer, c, e[i].column, e[i].value);
        c->next = e[i].column + 1;
    }
}

static dcz_status batch_norm(const dcz_layer *layer, dcz_weights *w, float *x) {
    static const int order[4] = {2, 3, 0, 1};   /* ((x - mean) / std) * gamma + beta */
    for (int k = 0; k < 4; k++) {
        for (int index = 0; index < layer->param_count; index++) {
            if (dcz_norm_role(layer, index) != order[k]) continue;
            norm_context context = {x, layer->out_count, 0, order[k]};
            dcz_status status = dcz_weights_each(w, &layer->param[index], norm_entries, layer, &context);
            if (status != DCZ_OK) return status;
            while (context.next < layer->out_last) norm_channel(layer, &context, context.next++, 0);
        }
    }
    return DCZ_OK;
}

/* ---- Layers ----------------------------------------------------------------------------- */

static void zero_pad(const dcz_layer *layer, const float *x, float *y) {
    uint32_t row = layer->in[1] * layer->in[2], out_row = layer->out[1] * layer->out[2];
    memset(y, 0, layer->out_count * sizeof *y);
    for (uint32_t iy = 0; iy < layer->in[0]; iy++) {
        memcpy(y + (iy + layer->zero_pad[0]) * out_row + layer->zero_pad[2] * layer->in[2], x + iy * row, row * sizeof *x);
    }
}

int dcz_layer_in_place(const dcz_layer *layer) {
    switch (layer->type) {
    case DCZ_FLATTEN: case DCZ_RESHAPE: case DCZ_DROPOUT: case DCZ_BATCHNORM: case DCZ_ACTIVATION: return 1;
    default: return 0;
    }
}

dcz_status dcz_layer_run(const dcz_layer *layer, const dcz_layer *next, dcz_weights *w, float *x, float *y, float *band) {
    switch (layer->type) {
    case DCZ_DENSE: return dense(layer, w, x, y);
    case DCZ_CONV2D:
    case DCZ_DEPTHWISE:
        return next ? conv_pool(layer, next, w, x, y, band) : conv_rows(layer, w, x, y, 0, layer->out[0]);
    case DCZ_MAXPOOL:
    case DCZ_AVGPOOL: pool(layer, x, y); return DCZ_OK;
    case DCZ_GLOBALAVGPOOL: global_average(layer, x, y); return DCZ_OK;
    case DCZ_BATCHNORM: return batch_norm(layer, w, x);
    case DCZ_ACTIVATION: activate(layer->activation, x, layer->out_count, layer->out_last); return DCZ_OK;
    case DCZ_ZEROPAD: zero_pad(layer, x, y); return DCZ_OK;
    default: return DCZ_OK;   /* Flatten, Reshape, Dropout: the same floats */
    }
}
