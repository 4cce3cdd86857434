/*
 * The architecture section (docs/FORMAT.md, "Architecture section"), read one layer at a time:
 * names, settings, and every shape inferred with overflow checks, as compress's reader does.
 */
#include <math.h>
#include <string.h>

#include "dcz_internal.h"

#define MAX_EXTENT (1u << 24)
#define MAX_ELEMENTS ((uint64_t)1 << 34)

static const char *const keywords[DCZ_LAYER_TYPES + 1] = {
    "", "dense", "conv2d", "depthwiseconv2d", "maxpool2d", "avgpool2d", "globalavgpool2d", "flatten", "reshape",
    "dropout", "batchnorm", "activation", "zeropad2d",
};

void dcz_name_append(const dcz_name *name, const uint8_t *file, char *out, size_t capacity, size_t *length) {
    const char *base = name->keyword ? keywords[name->base] : (const char *)file + name->base;
    for (uint32_t i = 0; i < name->base_length && *length < capacity; i++) out[(*length)++] = base[i];
    if (name->separator && *length < capacity) out[(*length)++] = '_';
    if (name->numbered) {
        char digits[10];
        int n = 0;
        uint32_t number = name->number;
        do {
            digits[n++] = (char)('0' + number % 10);
            number /= 10;
        } while (number > 0);
        while (n > 0 && *length < capacity) out[(*length)++] = digits[--n];
    }
}

/* The layer's name from its code; counts on from the previous name of its type for code 1. */
static dcz_status read_name(dcz_walk *w, uint8_t type, dcz_name *name, dcz_err *err) {
    uint64_t code;
    dcz_status status;
    err->field = "name";
    if ((status = dcz_read_varint(&w->cursor, err, 2 + 255, &code)) != DCZ_OK) return status;
    memset(name, 0, sizeof *name);
    if (code == 0) {
        name->keyword = 1;
        name->base = type;
        name->base_length = (uint16_t)strlen(keywords[type]);
        name->separator = name->numbered = w->defaults[type] > 0;
        name->number = w->defaults[type];
    } else if (code == 1) {
        const dcz_name *previous = &w->previous[type];
        if (!w->has_previous[type]) return dcz_fail(err, DCZ_E_FORMAT, "counts on from no earlier layer of its type");
        *name = *previous;
        if (!previous->numbered) {
            /* Strip the trailing digits (1 to 9) of the stored bytes; keywords end in none. */
            uint32_t digits = 0, number = 0;
            while (!name->keyword && digits < name->base_length && digits < 10) {
                uint8_t ch = w->cursor.data[name->base + name->base_length - 1 - digits];
                if (ch < '0' || ch > '9') break;
                digits++;
            }
            if (digits == 0 || digits > 9) return dcz_fail(err, DCZ_E_FORMAT, "counts on from a name that does not end in a number");
            for (uint32_t i = name->base_length - digits; i < name->base_length; i++) {
                number = number * 10 + (uint32_t)(w->cursor.data[name->base + i] - '0');
            }
            name->base_length = (uint16_t)(name->base_length - digits);
            name->numbered = 1;
            name->number = number;
        } else if (previous->number > 999999999u) {
            return dcz_fail(err, DCZ_E_FORMAT, "counts on from a name that does not end in a number");
        }
        name->number++;
    } else {
        uint32_t length = (uint32_t)code - 2;
        if (length == 0) return dcz_fail(err, DCZ_E_FORMAT, "an empty stored name");
        if (length > w->cursor.end - w->cursor.pos) return dcz_fail(err, DCZ_E_TRUNCATED, "ends early (truncated)");
        const uint8_t *bytes = w->cursor.data + w->cursor.pos;
        if (!dcz_valid_name(bytes, length)) return dcz_fail(err, DCZ_E_FORMAT, "is not UTF-8 without '/' and control characters");
        if (memchr(bytes, '.', length) != NULL) return dcz_fail(err, DCZ_E_FORMAT, "layer names must be without dots");
        name->base = w->cursor.pos;
        name->base_length = (uint16_t)length;
        w->cursor.pos += length;
    }
    w->defaults[type]++;
    w->previous[type] = *name;
    w->has_previous[type] = 1;
    err->field = NULL;
    return DCZ_OK;
}

static dcz_status extent(dcz_walk *w, dcz_err *err, const char *field, uint32_t *out) {
    uint64_t value;
    err->field = field;
    dcz_status status = dcz_read_varint(&w->cursor, err, MAX_EXTENT, &value);
    *out = (uint32_t)value;
    return status;
}

static dcz_status read_finite(dcz_walk *w, dcz_err *err, const char *field, float *out) {
    err->field = field;
    dcz_status status = dcz_read_f32(&w->cursor, err, out);
    if (status == DCZ_OK && !isfinite(*out)) return dcz_fail(err, DCZ_E_FORMAT, "must be finite");
    return status;
}

/* Reads the flags byte of Dense, Conv2D and DepthwiseConv2D. */
static dcz_status flags(dcz_walk *w, dcz_layer *layer, dcz_err *err) {
    uint8_t byte;
    err->field = "flags";
    dcz_status status = dcz_read_byte(&w->cursor, err, &byte);
    if (status != DCZ_OK) return status;
    if (byte & 0xE0) return dcz_fail(err, DCZ_E_FORMAT, "unknown flags");
    if ((byte & 7) > DCZ_SOFTMAX) return dcz_fail(err, DCZ_E_FORMAT, "unknown activation");
    layer->activation = byte & 7;
    layer->bias = (byte & 0x08) != 0;
    layer->same = (byte & 0x10) != 0;
    return DCZ_OK;
}

/* Product of extents, failing above 2^34 (the format) or 2^32 - 1 (this runtime). */
static dcz_status product(const uint32_t *values, int count, dcz_err *err, uint32_t *out) {
    uint64_t result = 1;
    for (int i = 0; i < count; i++) {
        result *= values[i];
        if (result > MAX_ELEMENTS) return dcz_fail(err, DCZ_E_FORMAT, "has more than 2^34 elements");
    }
    if (result > UINT32_MAX) return dcz_fail(err, DCZ_E_UNSUPPORTED, "has more than 2^32 - 1 elements");
    *out = (uint32_t)result;
    return DCZ_OK;
}

/* The output extent of a window along one axis; sets the padding before it. */
static dcz_status window(uint32_t input, uint32_t size, uint32_t stride, int same, dcz_err *err, uint32_t *out,
                         uint32_t *pad_before) {
    if (size < 1 || stride < 1) return dcz_fail(err, DCZ_E_FORMAT, "window and stride must be positive");
    *pad_before = 0;
    if (same) {
        uint32_t extent = (input + stride - 1) / stride;
        uint64_t needed = (uint64_t)(extent - 1) * stride + size;
        *pad_before = needed > input ? (uint32_t)((needed - input) / 2) : 0;
        *out = extent;
    } else {
        *out = input >= size ? (input - size) / stride + 1 : 0;
    }
    if (*out < 1) return dcz_fail(err, DCZ_E_FORMAT, "the window does not fit the input");
    return DCZ_OK;
}

static dcz_status spatial_input(const dcz_walk *w, dcz_err *err) {
    return w->rank == 3 ? DCZ_OK : dcz_fail(err, DCZ_E_FORMAT, "needs [h, w, c] input");
}

/* Reads a window layer's sizes and infers its [h, w] output. */
static dcz_status read_window(dcz_walk *w, dcz_layer *layer, dcz_err *err, int pooling) {
    dcz_status status;
    if ((status = extent(w, err, pooling ? "pool height" : "kernel height", &layer->kernel[0])) != DCZ_OK ||
        (status = extent(w, err, pooling ? "pool width" : "kernel width", &layer->kernel[1])) != DCZ_OK ||
        (status = extent(w, err, "stride height", &layer->stride[0])) != DCZ_OK ||
        (status = extent(w, err, "stride width", &layer->stride[1])) != DCZ_OK) {
        return status;
    }
    if (layer->type == DCZ_DEPTHWISE && (status = extent(w, err, "depth multiplier", &layer->units)) != DCZ_OK) return status;
    if (pooling) {
        uint8_t padding;
        err->field = "padding";
        if ((status = dcz_read_byte(&w->cursor, err, &padding)) != DCZ_OK) return status;
        if (padding > 1) return dcz_fail(err, DCZ_E_FORMAT, "unknown padding");
        layer->same = padding;
    } else if ((status = flags(w, layer, err)) != DCZ_OK) {
        return status;
    }
    err->field = NULL;
    if ((status = spatial_input(w, err)) != DCZ_OK) return status;
    for (int axis = 0; axis < 2; axis++) {
        status = window(w->shape[axis], layer->kernel[axis], layer->stride[axis], layer->same, err, &layer->out_shape[axis],
                        &layer->pad_before[axis]);
        if (status != DCZ_OK) return status;
    }
    return DCZ_OK;
}

static dcz_status read_reshape(dcz_walk *w, dcz_layer *layer, uint32_t count, dcz_err *err) {
    uint64_t rank, known = 1;
    int unknown = -1;
    dcz_status status;
    err->field = "target rank";
    if ((status = dcz_read_varint(&w->cursor, err, DCZ_MAX_RANK, &rank)) != DCZ_OK) return status;
    err->field = "target shape";
    for (uint32_t i = 0; i < rank; i++) {
        int64_t value;
        if ((status = dcz_read_svarint(&w->cursor, err, MAX_EXTENT, &value)) != DCZ_OK) return status;
        if (value == -1 && unknown < 0) {
            unknown = (int)i;
            layer->out_shape[i] = 0;
        } else if (value > 0) {
            layer->out_shape[i] = (uint32_t)value;
            known *= (uint64_t)value;
            if (known > MAX_ELEMENTS) return dcz_fail(err, DCZ_E_FORMAT, "has more than 2^34 elements");
        } else {
            return dcz_fail(err, DCZ_E_FORMAT, "cannot reshape to this shape");
        }
    }
    if (rank == 0 || (unknown >= 0 ? count % known != 0 : known != count)) {
        return dcz_fail(err, DCZ_E_FORMAT, "cannot reshape to this shape");
    }
    if (unknown >= 0) layer->out_shape[unknown] = (uint32_t)(count / known);
    layer->out_rank = (uint8_t)rank;
    err->field = NULL;
    return DCZ_OK;
}

dcz_status dcz_walk_start(dcz_walk *w, dcz_cursor c, dcz_err *err) {
    uint64_t length, value;
    dcz_status status;
    memset(w, 0, sizeof *w);
    w->cursor = c;
    err->field = "architecture: model name";
    if ((status = dcz_read_varint(&w->cursor, err, 255, &length)) != DCZ_OK) return status;
    if (length > w->cursor.end - w->cursor.pos) return dcz_fail(err, DCZ_E_TRUNCATED, "ends early (truncated)");
    if (!dcz_valid_name(w->cursor.data + w->cursor.pos, (uint32_t)length)) return dcz_fail(err, DCZ_E_FORMAT, "is not UTF-8 without '/' and control characters");
    w->cursor.pos += (uint32_t)length;
    err->field = "architecture: input rank";
    if ((status = dcz_read_varint(&w->cursor, err, DCZ_MAX_RANK, &value)) != DCZ_OK) return status;
    if (value < 1) return dcz_fail(err, DCZ_E_FORMAT, "must be at least 1");
    w->rank = (uint8_t)value;
    err->field = "architecture: input shape";
    for (int i = 0; i < w->rank; i++) {
        if ((status = dcz_read_varint(&w->cursor, err, MAX_EXTENT, &value)) != DCZ_OK) return status;
        if (value < 1) return dcz_fail(err, DCZ_E_FORMAT, "extents must be positive");
        w->shape[i] = (uint32_t)value;
    }
    uint32_t count;
    if ((status = product(w->shape, w->rank, err, &count)) != DCZ_OK) return status;
    err->field = "architecture: layer count";
    if ((status = dcz_read_varint(&w->cursor, err, (w->cursor.end - w->cursor.pos) / 2, &value)) != DCZ_OK) return status;
    w->count = (uint32_t)value;
    err->field = NULL;
    return DCZ_OK;
}

/* Reads the type's fields and infers the output shape into layer->out_shape / out_rank. */
static dcz_status read_fields(dcz_walk *w, dcz_layer *layer, dcz_err *err) {
    dcz_status status = DCZ_OK;
    uint32_t c = w->shape[w->rank - 1];
    uint8_t byte;
    memcpy(layer->out_shape, w->shape, sizeof w->shape);
    layer->out_rank = w->rank;
    switch (layer->type) {
    case DCZ_DENSE:
        if ((status = extent(w, err, "units", &layer->units)) != DCZ_OK || (status = flags(w, layer, err)) != DCZ_OK) return status;
        err->field = NULL;
        if (layer->units < 1) return dcz_fail(err, DCZ_E_FORMAT, "units must be positive");
        layer->out_shape[w->rank - 1] = layer->units;
        layer->param_count = layer->bias ? 2 : 1;
        return DCZ_OK;
    case DCZ_CONV2D:
        if ((status = extent(w, err, "filters", &layer->units)) != DCZ_OK) return status;
        if ((status = read_window(w, layer, err, 0)) != DCZ_OK) return status;
        if (layer->units < 1) return dcz_fail(err, DCZ_E_FORMAT, "filters must be positive");
        layer->out_shape[2] = layer->units;
        layer->param_count = layer->bias ? 2 : 1;
        return DCZ_OK;
    case DCZ_DEPTHWISE: {
        if ((status = read_window(w, layer, err, 0)) != DCZ_OK) return status;
        if (layer->units < 1) return dcz_fail(err, DCZ_E_FORMAT, "the multiplier must be positive");
        uint32_t both[2] = {c, layer->units};
        if ((status = product(both, 2, err, &layer->out_shape[2])) != DCZ_OK) return status;
        layer->param_count = layer->bias ? 2 : 1;
        return DCZ_OK;
    }
    case DCZ_MAXPOOL:
    case DCZ_AVGPOOL:
        return read_window(w, layer, err, 1);
    case DCZ_GLOBALAVGPOOL:
        if ((status = spatial_input(w, err)) != DCZ_OK) return status;
        layer->out_shape[0] = c;
        layer->out_rank = 1;
        return DCZ_OK;
    case DCZ_FLATTEN:
        layer->out_shape[0] = layer->in_count;
        layer->out_rank = 1;
        return DCZ_OK;
    case DCZ_RESHAPE:
        return read_reshape(w, layer, layer->in_count, err);
    case DCZ_DROPOUT: {
        float rate;
        if ((status = read_finite(w, err, "rate", &rate)) != DCZ_OK) return status;
        if (!(rate >= 0 && rate < 1)) return dcz_fail(err, DCZ_E_FORMAT, "dropout rate must be in [0, 1)");
        err->field = NULL;
        return DCZ_OK;
    }
    case DCZ_BATCHNORM: {
        float momentum;
        if ((status = read_finite(w, err, "epsilon", &layer->epsilon)) != DCZ_OK) return status;
        if (layer->epsilon < 0) return dcz_fail(err, DCZ_E_FORMAT, "epsilon must not be negative");
        if ((status = read_finite(w, err, "momentum", &momentum)) != DCZ_OK) return status;
        err->field = "flags";
        if ((status = dcz_read_byte(&w->cursor, err, &byte)) != DCZ_OK) return status;
        if (byte & 0xFC) return dcz_fail(err, DCZ_E_FORMAT, "unknown flags");
        layer->center = byte & 1;
        layer->scale = (byte >> 1) & 1;
        layer->param_count = (uint8_t)(2 + layer->center + layer->scale);
        uint32_t both[2] = {c, layer->param_count};
        uint32_t total;
        err->field = NULL;
        return product(both, 2, err, &total);
    }
    case DCZ_ACTIVATION:
        err->field = "activation";
        if ((status = dcz_read_byte(&w->cursor, err, &byte)) != DCZ_OK) return status;
        if (byte > DCZ_SOFTMAX) return dcz_fail(err, DCZ_E_FORMAT, "unknown activation");
        layer->activation = byte;
        err->field = NULL;
        return DCZ_OK;
    default: /* DCZ_ZEROPAD */
        for (int i = 0; i < 4; i++) {
            if ((status = extent(w, err, "padding", &layer->zero_pad[i])) != DCZ_OK) return status;
        }
        err->field = NULL;
        if ((status = spatial_input(w, err)) != DCZ_OK) return status;
        layer->out_shape[0] = w->shape[0] + layer->zero_pad[0] + layer->zero_pad[1];
        layer->out_shape[1] = w->shape[1] + layer->zero_pad[2] + layer->zero_pad[3];
        return DCZ_OK;
    }
}

dcz_status dcz_walk_next(dcz_walk *w, dcz_layer *layer, dcz_err *err) {
    uint8_t type;
    dcz_status status;
    memset(layer, 0, sizeof *layer);
    err->field = "type";
    if ((status = dcz_read_byte(&w->cursor, err, &type)) != DCZ_OK) return status;
    if (type < 1 || type > DCZ_LAYER_TYPES) return dcz_fail_number(err, DCZ_E_FORMAT, "unknown layer type", type);
    layer->type = type;
    if ((status = read_name(w, type, &layer->name, err)) != DCZ_OK) return status;
    err->name = &layer->name;
    if ((status = product(w->shape, w->rank, err, &layer->in_count)) != DCZ_OK) return status;
    layer->in_last = w->shape[w->rank - 1];
    if (w->rank == 3) memcpy(layer->in, w->shape, sizeof layer->in);
    if ((status = read_fields(w, layer, err)) != DCZ_OK) return status;
    for (int i = 0; i < layer->out_rank; i++) {
        if (layer->out_shape[i] < 1 || layer->out_shape[i] > MAX_EXTENT) {
            return dcz_fail(err, DCZ_E_FORMAT, "gives an output extent outside 1...2^24");
        }
    }
    if ((status = product(layer->out_shape, layer->out_rank, err, &layer->out_count)) != DCZ_OK) return status;
    layer->out_last = layer->out_shape[layer->out_rank - 1];
    if (layer->out_rank == 3) memcpy(layer->out, layer->out_shape, sizeof layer->out);
    for (int i = 0; i < layer->param_count; i++) {
        uint32_t shape[4], count;
        int rank = dcz_layer_param_shape(layer, i, shape);
        if ((status = product(shape, rank, err, &count)) != DCZ_OK) return status;
        w->parameters += count;
    }
    if (w->parameters > MAX_ELEMENTS) return dcz_fail(err, DCZ_E_FORMAT, "the model has more than 2^34 parameters");
    memcpy(w->shape, layer->out_shape, sizeof w->shape);
    w->rank = layer->out_rank;
    w->index++;
    return DCZ_OK;
}

int dcz_layer_param_shape(const dcz_layer *layer, int index, uint32_t shape[4]) {
    switch (layer->type) {
    case DCZ_DENSE:
        if (index == 1) break;
        shape[0] = layer->in_last;
        shape[1] = layer->units;
        return 2;
    case DCZ_CONV2D:
    case DCZ_DEPTHWISE:
        if (index == 1) break;
        shape[0] = layer->kernel[0];
        shape[1] = layer->kernel[1];
        shape[2] = layer->in[2];
        shape[3] = layer->units;
        return 4;
    default:
        break;
    }
    shape[0] = layer->out_last;   /* a bias, or a batch normalization vector */
    return 1;
}

int dcz_norm_role(const dcz_layer *layer, int index) {
    int slot = 0;
    for (int role = 0; role < 4; role++) {
        int present = role == 0 ? layer->scale : role == 1 ? layer->center : 1;
        if (present && slot++ == index) return role;
    }
    return 3;
}

const char *dcz_layer_param_name(const dcz_layer *layer, int index) {
    static const char *const norm[4] = {"gamma", "beta", "moving_mean", "moving_variance"};
    if (layer->type == DCZ_BATCHNORM) return norm[dcz_norm_role(layer, index)];
    if (index == 1) return "bias";
    return layer->type == DCZ_DEPTHWISE ? "depthwise_kernel" : "kernel";
}
