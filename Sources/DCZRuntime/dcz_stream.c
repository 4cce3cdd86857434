/* Symbol streams (docs/FORMAT.md, "Symbol streams"): raw fixed-width fields, or Huffman code
 * words after one or two code-length tables. */
#include "dcz_internal.h"

dcz_status dcz_stream_open(dcz_stream *s, dcz_code *codes, uint8_t code_slot, const uint8_t *data, uint32_t offset,
                           uint32_t end, uint8_t mode, uint32_t alphabet, uint8_t context_symbol, dcz_err *err) {
    s->bits.bit = offset * 8;
    s->bits.end = end * 8;
    s->alphabet = (uint16_t)alphabet;
    s->mode = mode;
    s->context = 0;
    s->context_symbol = context_symbol;
    s->code[0] = s->code[1] = code_slot;
    s->width = 1;
    while ((1u << s->width) < alphabet) s->width++;
    if (mode == DCZ_STREAM_RAW) return DCZ_OK;
    dcz_status status = dcz_code_read(&codes[code_slot], data, &s->bits, alphabet, err);
    if (status != DCZ_OK) return status;
    if (mode == DCZ_STREAM_CONTEXT) {
        s->code[1] = (uint8_t)(code_slot + 1);
        status = dcz_code_read(&codes[code_slot + 1], data, &s->bits, alphabet, err);
    }
    return status;
}

dcz_status dcz_stream_next(dcz_stream *s, const dcz_code *codes, const uint8_t *data, dcz_err *err, uint32_t *symbol) {
    if (s->mode == DCZ_STREAM_RAW) {
        if (dcz_bits_read(data, &s->bits, s->width, symbol) != 0) return dcz_fail(err, DCZ_E_TRUNCATED, "ends early (truncated)");
        if (*symbol >= s->alphabet) return dcz_fail_number(err, DCZ_E_CORRUPT, "a symbol is outside the alphabet", *symbol);
        return DCZ_OK;
    }
    int value = dcz_code_decode(&codes[s->code[s->context]], data, &s->bits);
    if (value == -2) return dcz_fail(err, DCZ_E_TRUNCATED, "ends before its last symbol (truncated)");
    if (value < 0) return dcz_fail(err, DCZ_E_CORRUPT, "holds a bit pattern that is no code word");
    if (s->mode == DCZ_STREAM_CONTEXT) s->context = (uint8_t)((uint32_t)value == s->context_symbol);
    *symbol = (uint32_t)value;
    return DCZ_OK;
}

uint32_t dcz_stream_end(const dcz_stream *s) {
    return (s->bits.bit + 7) / 8;
}
