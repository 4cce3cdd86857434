/* Bounds-checked reading of the file's bytes: varints, little-endian numbers, CRC-32, UTF-8. */
#include <string.h>

#include "dcz_internal.h"

dcz_status dcz_read_byte(dcz_cursor *c, dcz_err *err, uint8_t *out) {
    if (c->pos >= c->end) return dcz_fail(err, DCZ_E_TRUNCATED, "ends early (truncated)");
    *out = c->data[c->pos++];
    return DCZ_OK;
}

dcz_status dcz_read_varint(dcz_cursor *c, dcz_err *err, uint64_t max, uint64_t *out) {
    uint64_t value = 0;
    unsigned shift = 0;
    for (;;) {
        uint8_t byte = 0;
        dcz_status s = dcz_read_byte(c, err, &byte);
        if (s != DCZ_OK) return s;
        value |= (uint64_t)(byte & 0x7F) << shift;
        if ((byte & 0x80) == 0) break;
        shift += 7;
        if (shift > 56) return dcz_fail(err, DCZ_E_FORMAT, "varint is longer than 9 bytes");
    }
    if (value > max) return dcz_fail_number(err, DCZ_E_FORMAT, "is more than its limit", value);
    *out = value;
    return DCZ_OK;
}

dcz_status dcz_read_svarint(dcz_cursor *c, dcz_err *err, uint64_t max_magnitude, int64_t *out) {
    uint64_t zigzag;
    dcz_status s = dcz_read_varint(c, err, UINT64_MAX, &zigzag);
    if (s != DCZ_OK) return s;
    uint64_t magnitude = (zigzag >> 1) + (zigzag & 1);   /* of -(n+1) for odd zigzag n */
    if (magnitude > max_magnitude) return dcz_fail(err, DCZ_E_FORMAT, "is out of range");
    *out = (zigzag & 1) ? -(int64_t)magnitude : (int64_t)magnitude;
    return DCZ_OK;
}

uint32_t dcz_u32_at(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

float dcz_f32_at(const uint8_t *p) {
    uint32_t bits = dcz_u32_at(p);
    float value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

float dcz_f16_at(const uint8_t *p) {
    uint32_t half = (uint32_t)p[0] | (uint32_t)p[1] << 8;
    uint32_t sign = (half & 0x8000u) << 16, exponent = (half >> 10) & 0x1F, mantissa = half & 0x3FF, bits;
    if (exponent == 0x1F) {
        bits = sign | 0x7F800000u | mantissa << 13;
    } else if (exponent != 0) {
        bits = sign | (exponent + 112) << 23 | mantissa << 13;
    } else if (mantissa == 0) {
        bits = sign;
    } else {
        /* A subnormal half is a normal float: shift the mantissa up to its leading bit. */
        exponent = 113;
        while ((mantissa & 0x400) == 0) {
            mantissa <<= 1;
            exponent--;
        }
        bits = sign | exponent << 23 | (mantissa & 0x3FF) << 13;
    }
    float value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

dcz_status dcz_read_u32(dcz_cursor *c, dcz_err *err, uint32_t *out) {
    if (c->end - c->pos < 4) return dcz_fail(err, DCZ_E_TRUNCATED, "ends early (truncated)");
    *out = dcz_u32_at(c->data + c->pos);
    c->pos += 4;
    return DCZ_OK;
}

dcz_status dcz_read_f32(dcz_cursor *c, dcz_err *err, float *out) {
    if (c->end - c->pos < 4) return dcz_fail(err, DCZ_E_TRUNCATED, "ends early (truncated)");
    *out = dcz_f32_at(c->data + c->pos);
    c->pos += 4;
    return DCZ_OK;
}

dcz_status dcz_skip(dcz_cursor *c, dcz_err *err, uint64_t count) {
    if (count > c->end - c->pos) return dcz_fail(err, DCZ_E_TRUNCATED, "needs more bytes than remain (truncated)");
    c->pos += (uint32_t)count;
    return DCZ_OK;
}

uint32_t dcz_crc32(const uint8_t *data, uint32_t size) {
    /* Four bits at a time: a 64-byte table instead of 1 KB. */
    static const uint32_t table[16] = {
        0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u, 0x4DB26158u, 0x5005713Cu,
        0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu, 0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu,
    };
    uint32_t crc = 0xFFFFFFFFu;
    for (uint32_t i = 0; i < size; i++) {
        crc ^= data[i];
        crc = (crc >> 4) ^ table[crc & 15];
        crc = (crc >> 4) ^ table[crc & 15];
    }
    return crc ^ 0xFFFFFFFFu;
}

int dcz_valid_name(const uint8_t *data, uint32_t size) {
    uint32_t i = 0;
    while (i < size) {
        uint8_t b = data[i];
        uint32_t extra, minimum, value;
        if (b < 0x80) {
            if (b < 0x20 || b == 0x7F || b == '/') return 0;
            i++;
            continue;
        }
        if (b >= 0xC2 && b <= 0xDF) { extra = 1; minimum = 0x80; value = b & 0x1F; }
        else if (b >= 0xE0 && b <= 0xEF) { extra = 2; minimum = 0x800; value = b & 0x0F; }
        else if (b >= 0xF0 && b <= 0xF4) { extra = 3; minimum = 0x10000; value = b & 0x07; }
        else return 0;
        if (size - i - 1 < extra) return 0;
        for (uint32_t k = 1; k <= extra; k++) {
            uint8_t next = data[i + k];
            if ((next & 0xC0) != 0x80) return 0;
            value = value << 6 | (next & 0x3F);
        }
        if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 0;
        if (value <= 0x9F || value == 0x2028 || value == 0x2029) return 0;   /* C1 controls, line separators */
        i += extra + 1;
    }
    return 1;
}
