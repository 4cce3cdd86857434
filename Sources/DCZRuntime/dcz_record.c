/*
 * Parameter records (docs/FORMAT.md, "Parameter record"): dcz_record_scan() reads one record
 * through, checking it as compress's reader does and noting where each stream starts; a
 * dcz_reader then gives its stored weights in element order, a few at a time, reading every
 * stream side by side.
 */
#include <math.h>

#include "dcz_internal.h"

enum {
    FLAG_SPARSE = 0x04, FLAG_MASK = 0x08, FLAG_SURGERY = 0x10, FLAG_TRANSPOSED = 0x20, FLAG_VARIANT = 0x40,
    FLAG_CONTEXTS = 0x80, CODEBOOK_BY_USE = 0x20, CODEBOOK_HALF = 0x40, CODEBOOK_FP16 = 0x80
};

/* Reads a whole stream of `count` symbols from c->pos and moves c past it. */
static dcz_status scan_stream(dcz_param *p, dcz_cursor *c, dcz_code *codes, uint32_t count, uint32_t alphabet,
                              uint8_t mode, dcz_err *err, uint64_t *position) {
    dcz_stream s;
    uint32_t filler = p->sparse && p->stream_count == 0 ? (1u << p->index_bits) - 1 : 0;
    if (mode != DCZ_STREAM_RAW && count == 0) return dcz_fail(err, DCZ_E_CORRUPT, "a Huffman stream of no symbols");
    p->stream[p->stream_count] = c->pos;
    dcz_status status = dcz_stream_open(&s, codes, 0, c->data, c->pos, c->end, mode, alphabet, (uint8_t)filler, err);
    for (uint32_t i = 0; status == DCZ_OK && i < count; i++) {
        uint32_t symbol;
        status = dcz_stream_next(&s, codes, c->data, err, &symbol);
        if (status != DCZ_OK || position == NULL) continue;
        /* The index stream: *position is the step after the current one. */
        if (symbol == filler) {
            *position += filler;
        } else {
            *position += symbol + 1;
            p->stored++;
        }
        if (*position > p->count) return dcz_fail(err, DCZ_E_CORRUPT, "a gap runs past the end of the elements");
    }
    if (status != DCZ_OK) return status;
    p->stream_count++;
    c->pos = dcz_stream_end(&s);
    return DCZ_OK;
}

static uint8_t stream_mode(const dcz_param *p) {
    return (p->modes >> p->stream_count) & 1 ? DCZ_STREAM_HUFFMAN : DCZ_STREAM_RAW;
}

/* Listed by use, centroids must be distinct numbers (compress sorts them back). */
static int distinct_numbers(const uint8_t *table, uint32_t k, int half) {
    for (uint32_t i = 0; i < k; i++) {
        float a = half ? dcz_f16_at(table + 2 * i) : dcz_f32_at(table + 4 * i);
        if (isnan(a)) return 0;
        for (uint32_t j = 0; j < i; j++) {
            float b = half ? dcz_f16_at(table + 2 * j) : dcz_f32_at(table + 4 * j);
            if (a == b) return 0;
        }
    }
    return 1;
}

static dcz_status scan_int8(dcz_param *p, dcz_cursor *c, const uint32_t *shape, int rank, dcz_code *codes, dcz_err *err) {
    uint64_t axis;
    dcz_status status;
    err->field = "int8 axis";
    if ((status = dcz_read_varint(c, err, (uint64_t)rank, &axis)) != DCZ_OK) return status;
    p->k = 1;
    p->inner = 1;
    if (axis > 0) {
        p->k = shape[axis - 1];
        for (int a = (int)axis; a < rank; a++) p->inner *= shape[a];
    }
    err->field = "int8 scales";
    if ((uint64_t)p->k * 4 > c->end - c->pos) return dcz_fail(err, DCZ_E_TRUNCATED, "needs more bytes than remain (truncated)");
    p->table = c->pos;
    for (uint32_t i = 0; i < p->k; i++) {
        float scale = dcz_f32_at(c->data + c->pos + 4 * i);
        if (!(scale > 0) || !isfinite(scale)) return dcz_fail(err, DCZ_E_FORMAT, "every scale must be positive and finite");
    }
    c->pos += 4 * p->k;
    p->zero_points = !p->variant;
    err->field = "int8 zero points";
    if (p->zero_points && (status = dcz_skip(c, err, p->k)) != DCZ_OK) return status;
    err->field = "int8 codes";
    return scan_stream(p, c, codes, p->stored, 256, stream_mode(p), err, NULL);
}

static dcz_status scan_codebook(dcz_param *p, dcz_cursor *c, dcz_code *codes, dcz_err *err) {
    uint8_t header;
    uint64_t k;
    dcz_status status;
    err->field = "codebook header";
    if ((status = dcz_read_byte(c, err, &header)) != DCZ_OK) return status;
    uint32_t bits = header & 0x1F;
    if (bits > 16) return dcz_fail(err, DCZ_E_FORMAT, "unknown codebook header");
    if ((header & CODEBOOK_FP16) && bits != 0) return dcz_fail(err, DCZ_E_FORMAT, "both k-means bits and FP16 state");
    err->field = "centroid count";
    if ((status = dcz_read_varint(c, err, bits == 0 ? 65536 : 1u << bits, &k)) != DCZ_OK) return status;
    if (k == 0) return dcz_fail(err, DCZ_E_FORMAT, "must be at least 1");
    p->k = (uint32_t)k;
    p->half_centroids = (header & CODEBOOK_HALF) != 0;
    p->table = c->pos;
    err->field = "centroids";
    if ((status = dcz_skip(c, err, k * (p->half_centroids ? 2 : 4))) != DCZ_OK) return status;
    if ((header & CODEBOOK_BY_USE) && !distinct_numbers(c->data + p->table, p->k, p->half_centroids)) {
        return dcz_fail(err, DCZ_E_FORMAT, "listed by use, they must be distinct numbers");
    }
    uint32_t alphabet = p->k + (p->variant ? 1 : 0);
    err->field = "centroid indices";
    if (alphabet <= 256) return scan_stream(p, c, codes, p->stored, alphabet, stream_mode(p), err, NULL);
    if ((status = scan_stream(p, c, codes, p->stored, 256, stream_mode(p), err, NULL)) != DCZ_OK) return status;
    return scan_stream(p, c, codes, p->stored, (alphabet + 255) / 256, stream_mode(p), err, NULL);
}

dcz_status dcz_record_scan(dcz_param *p, dcz_cursor *c, const uint32_t *shape, int rank, dcz_code *codes, dcz_err *err) {
    uint8_t flags;
    dcz_status status;
    p->count = 1;
    for (int a = 0; a < rank; a++) p->count *= shape[a];
    p->columns = shape[rank - 1];
    p->rows = p->count / p->columns;
    p->stored = 0;
    p->stream_count = 0;
    p->section_end = c->end;
    p->decoded = p->decoded_count = 0;
    err->field = "flags";
    if ((status = dcz_read_byte(c, err, &flags)) != DCZ_OK) return status;
    p->kind = flags & 3;
    p->sparse = (flags & FLAG_SPARSE) != 0;
    p->transposed = (flags & FLAG_TRANSPOSED) != 0;
    p->variant = (flags & FLAG_VARIANT) != 0;
    p->contexts = (flags & FLAG_CONTEXTS) != 0;
    if ((flags & FLAG_SURGERY) && !(flags & FLAG_MASK)) return dcz_fail(err, DCZ_E_FORMAT, "surgery mode without a mask");
    if (!p->sparse && p->transposed) return dcz_fail(err, DCZ_E_FORMAT, "element order set on a dense record");
    if (!p->sparse && p->contexts) return dcz_fail(err, DCZ_E_FORMAT, "index codes set on a dense record");
    err->field = "stream modes";
    if ((status = dcz_read_byte(c, err, &p->modes)) != DCZ_OK) return status;
    if (!p->sparse && (p->modes >> 5) != 0) return dcz_fail(err, DCZ_E_FORMAT, "index bits set on a dense record");
    if (p->sparse) {
        uint64_t gaps, position = 0;
        p->index_bits = (uint8_t)((p->modes >> 5) + 2);
        if (p->index_bits > 8) return dcz_fail(err, DCZ_E_FORMAT, "index bits outside 2...8");
        if (p->transposed && (rank < 2 || p->columns < 2 || p->rows < 2)) {
            return dcz_fail(err, DCZ_E_FORMAT, "transposed order on a shape that has none");
        }
        err->field = "gap count";
        if ((status = dcz_read_varint(c, err, (uint64_t)(c->end - c->pos) * 8, &gaps)) != DCZ_OK) return status;
        p->gap_count = (uint32_t)gaps;
        uint8_t mode = stream_mode(p);
        err->field = "index stream";
        if (p->contexts) {
            if (mode != DCZ_STREAM_HUFFMAN) return dcz_fail(err, DCZ_E_FORMAT, "a second index code on a raw index stream");
            mode = DCZ_STREAM_CONTEXT;
        }
        if ((status = scan_stream(p, c, codes, p->gap_count, 1u << p->index_bits, mode, err, &position)) != DCZ_OK) {
            return status;
        }
        if (p->count - position >= (1u << p->index_bits) - 1) {
            return dcz_fail(err, DCZ_E_CORRUPT, "gaps stop too many elements before the end");
        }
    } else {
        p->stored = p->count;
    }
    switch (p->kind) {
    case DCZ_VALUES_F32:
    case DCZ_VALUES_F16:
        if (p->kind == DCZ_VALUES_F32 && p->variant) return dcz_fail(err, DCZ_E_FORMAT, "unknown float32 variant");
        err->field = "value planes";
        for (int plane = 0; plane < (p->kind == DCZ_VALUES_F32 ? 4 : 2); plane++) {
            if ((status = scan_stream(p, c, codes, p->stored, 256, stream_mode(p), err, NULL)) != DCZ_OK) return status;
        }
        break;
    case DCZ_VALUES_INT8:
        if ((status = scan_int8(p, c, shape, rank, codes, err)) != DCZ_OK) return status;
        break;
    default:
        if ((status = scan_codebook(p, c, codes, err)) != DCZ_OK) return status;
        break;
    }
    err->field = "stream modes";
    if ((p->modes & 0x1F) >> p->stream_count) return dcz_fail(err, DCZ_E_FORMAT, "modes set for streams the record does not have");
    err->field = NULL;
    return DCZ_OK;
}

dcz_status dcz_reader_open(dcz_reader *r, const dcz_param *p, const uint8_t *data, dcz_err *err) {
    r->param = *p;
    r->gaps_left = p->gap_count;
    r->values_read = 0;
    r->step = 0;
    uint8_t slot = 0;
    for (uint8_t i = 0; i < p->stream_count; i++) {
        uint8_t mode = (p->modes >> i) & 1 ? DCZ_STREAM_HUFFMAN : DCZ_STREAM_RAW;
        uint32_t alphabet = 256, filler = 0;
        if (p->sparse && i == 0) {
            alphabet = 1u << p->index_bits;
            filler = alphabet - 1;
            if (p->contexts) mode = DCZ_STREAM_CONTEXT;
        } else if (p->kind == DCZ_VALUES_CODEBOOK) {
            uint32_t symbols = p->k + (p->variant ? 1 : 0);
            int high = (p->sparse ? i - 1 : i) == 1;
            alphabet = symbols <= 256 ? symbols : high ? (symbols + 255) / 256 : 256;
        }
        dcz_status status = dcz_stream_open(&r->stream[i], r->codes, slot, data, p->stream[i], p->section_end, mode,
                                            alphabet, (uint8_t)filler, err);
        if (status != DCZ_OK) return status;
        slot = (uint8_t)(slot + (mode == DCZ_STREAM_CONTEXT ? 2 : 1));
    }
    return DCZ_OK;
}

/* The next stored element's step, in r->step (sparse records walk their gaps). */
static dcz_status next_step(dcz_reader *r, const uint8_t *data, dcz_err *err) {
    const dcz_param *p = &r->param;
    if (!p->sparse) {
        r->step = r->values_read;
        return DCZ_OK;
    }
    uint32_t filler = (1u << p->index_bits) - 1;
    /* r->step is the step after the previous stored element (0 at the start). */
    uint64_t position = r->values_read == 0 ? 0 : (uint64_t)r->step + 1;
    for (;;) {
        uint32_t symbol;
        if (r->gaps_left == 0) return dcz_fail(err, DCZ_E_CORRUPT, "the index stream ends before its values");
        r->gaps_left--;
        dcz_status status = dcz_stream_next(&r->stream[0], r->codes, data, err, &symbol);
        if (status != DCZ_OK) return status;
        position += symbol == filler ? filler : symbol + 1;
        if (position > p->count) return dcz_fail(err, DCZ_E_CORRUPT, "a gap runs past the end of the elements");
        if (symbol != filler) break;
    }
    r->step = (uint32_t)(position - 1);
    return DCZ_OK;
}

/* The value of the next stored element; *skip for a codebook's zero symbol. */
static dcz_status next_value(dcz_reader *r, const uint8_t *data, dcz_err *err, uint32_t element, float *value, int *skip) {
    const dcz_param *p = &r->param;
    dcz_stream *streams = &r->stream[p->sparse ? 1 : 0];
    uint32_t symbol[4] = {0, 0, 0, 0};
    int planes = p->kind == DCZ_VALUES_F32 ? 4 : p->kind == DCZ_VALUES_F16 ? 2 : p->kind == DCZ_VALUES_INT8 ? 1
               : p->k + p->variant <= 256 ? 1 : 2;
    for (int i = 0; i < planes; i++) {
        dcz_status status = dcz_stream_next(&streams[i], r->codes, data, err, &symbol[i]);
        if (status != DCZ_OK) return status;
    }
    uint8_t bytes[4] = {(uint8_t)symbol[0], (uint8_t)symbol[1], (uint8_t)symbol[2], (uint8_t)symbol[3]};
    *skip = 0;
    switch (p->kind) {
    case DCZ_VALUES_F32: *value = dcz_f32_at(bytes); break;
    case DCZ_VALUES_F16: *value = dcz_f16_at(bytes); break;
    case DCZ_VALUES_INT8: {
        uint32_t channel = p->k == 1 ? 0 : (element / p->inner) % p->k;
        int32_t zero = p->zero_points ? (int8_t)data[p->table + 4 * p->k + channel] : 0;
        *value = dcz_f32_at(data + p->table + 4 * channel) * (float)((int8_t)bytes[0] - zero);
        break;
    }
    default: {
        uint32_t index = symbol[0] | symbol[1] << 8;
        if (index >= p->k + p->variant) return dcz_fail_number(err, DCZ_E_CORRUPT, "a centroid index is outside the codebook", index);
        if (index == p->k) {
            *skip = 1;
            return DCZ_OK;
        }
        *value = p->half_centroids ? dcz_f16_at(data + p->table + 2 * index) : dcz_f32_at(data + p->table + 4 * index);
        break;
    }
    }
    if (!isfinite(*value)) return dcz_fail_number(err, DCZ_E_CORRUPT, "a weight is not finite, element", element);
    return DCZ_OK;
}

dcz_status dcz_reader_fill(dcz_reader *r, const uint8_t *data, dcz_entry *entries, uint32_t capacity, uint32_t *filled,
                           dcz_err *err) {
    const dcz_param *p = &r->param;
    uint32_t n = 0;
    while (n < capacity && r->values_read < p->stored) {
        dcz_status status = next_step(r, data, err);
        if (status != DCZ_OK) return status;
        uint32_t row, column;
        if (p->transposed) {
            row = r->step % p->rows;
            column = r->step / p->rows;
        } else {
            row = r->step / p->columns;
            column = r->step % p->columns;
        }
        float value = 0;
        int skip = 0;
        status = next_value(r, data, err, row * p->columns + column, &value, &skip);
        if (status != DCZ_OK) return status;
        r->values_read++;
        if (skip) continue;
        entries[n].row = row;
        entries[n].column = column;
        entries[n].value = value;
        n++;
    }
    *filled = n;
    return DCZ_OK;
}
