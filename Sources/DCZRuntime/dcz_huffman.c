/*
 * Canonical Huffman codes: the code-length table of docs/FORMAT.md ("Symbol streams") and
 * decoding one symbol at a time, bit by bit, from the count of words of each length (as zlib's
 * puff does). It needs 282 bytes per code and no lookup table, which suits a microcontroller;
 * the decoded mode pays this cost once, at init.
 */
#include "dcz_internal.h"

int dcz_bits_read(const uint8_t *data, dcz_bits *bits, unsigned count, uint32_t *out) {
    uint32_t value = 0;
    if (count > bits->end - bits->bit) return -1;
    for (unsigned i = 0; i < count; i++) {
        uint32_t bit = bits->bit + i;
        value |= (uint32_t)((data[bit >> 3] >> (bit & 7)) & 1) << i;
    }
    bits->bit += count;
    *out = value;
    return 0;
}

/* The number of bits that holds every value below `count` (0 for count <= 1). */
static unsigned width_below(uint32_t count) {
    unsigned bits = 0;
    while (count > 1 && ((count - 1) >> bits) != 0) bits++;
    return bits;
}

/* Builds the counts and code-ordered symbols of `lengths`; checks the Kraft sum. */
static dcz_status build(dcz_code *code, const uint8_t *lengths, uint32_t alphabet, dcz_err *err) {
    uint16_t offset[DCZ_MAX_CODE_LENGTH + 2];
    uint32_t kraft = 0;
    for (unsigned n = 0; n <= DCZ_MAX_CODE_LENGTH; n++) code->count[n] = 0;
    for (uint32_t s = 0; s < alphabet; s++) code->count[lengths[s]]++;
    for (unsigned n = 1; n <= DCZ_MAX_CODE_LENGTH; n++) kraft += (uint32_t)code->count[n] << (DCZ_MAX_CODE_LENGTH - n);
    if (kraft == 0) return dcz_fail(err, DCZ_E_CORRUPT, "no symbol has a code");
    if (kraft > 1u << DCZ_MAX_CODE_LENGTH) return dcz_fail(err, DCZ_E_CORRUPT, "code lengths are over-subscribed");
    offset[1] = 0;
    for (unsigned n = 1; n <= DCZ_MAX_CODE_LENGTH; n++) offset[n + 1] = (uint16_t)(offset[n] + code->count[n]);
    for (uint32_t s = 0; s < alphabet; s++) {
        if (lengths[s] != 0) code->symbol[offset[lengths[s]]++] = (uint8_t)s;
    }
    return DCZ_OK;
}

dcz_status dcz_code_read(dcz_code *code, const uint8_t *data, dcz_bits *bits, uint32_t alphabet, dcz_err *err) {
    uint8_t lengths[256];
    unsigned symbol_bits = width_below(alphabet);
    uint32_t whole, first = 0, last = alphabet - 1, value;
    int previous = 0;
#define READ(n, out) \
    if (dcz_bits_read(data, bits, (n), (out)) != 0) return dcz_fail(err, DCZ_E_TRUNCATED, "code table ends early (truncated)")
    READ(1, &whole);
    if (!whole) {
        READ(symbol_bits, &first);
        READ(symbol_bits, &last);
    }
    if (first > last || last >= alphabet) return dcz_fail(err, DCZ_E_CORRUPT, "code lengths cover symbols outside the alphabet");
    for (uint32_t s = 0; s < alphabet; s++) lengths[s] = 0;
    uint32_t symbol = first;
    while (symbol <= last) {
        int length = previous;
        READ(1, &value);
        if (value) {
            READ(1, &value);
            if (value) {
                READ(4, &value);
                length = (int)value;
                if (value == 13) {
                    READ(6, &value);
                    uint32_t run = value + 3;
                    if (previous == 0) return dcz_fail(err, DCZ_E_CORRUPT, "a repeat of a symbol without a code");
                    if (symbol + run - 1 > last) return dcz_fail(err, DCZ_E_CORRUPT, "a repeat passes the last symbol");
                    for (uint32_t k = 0; k < run; k++) lengths[symbol + k] = (uint8_t)previous;
                    symbol += run;
                    continue;
                }
                if (value == 15) {
                    READ(7, &value);
                    uint32_t run = value + 2;
                    if (symbol + run > last) return dcz_fail(err, DCZ_E_CORRUPT, "a run of unused symbols passes the last symbol");
                    symbol += run;
                    previous = 0;
                    continue;
                }
            } else {
                READ(1, &value);
                length += value ? -1 : 1;
            }
        }
        if (length < 0 || length > DCZ_MAX_CODE_LENGTH) return dcz_fail(err, DCZ_E_CORRUPT, "a code length is outside 0...12");
        lengths[symbol] = (uint8_t)length;
        previous = length;
        symbol++;
    }
#undef READ
    if (lengths[first] == 0 || lengths[last] == 0) {
        return dcz_fail(err, DCZ_E_CORRUPT, "the first and last listed symbols must have codes");
    }
    return build(code, lengths, alphabet, err);
}

int dcz_code_decode(const dcz_code *code, const uint8_t *data, dcz_bits *bits) {
    int word = 0, first = 0, index = 0;
    uint32_t bit = bits->bit;
    for (unsigned length = 1; length <= DCZ_MAX_CODE_LENGTH; length++) {
        if (bit >= bits->end) return -2;
        word |= (data[bit >> 3] >> (bit & 7)) & 1;
        bit++;
        int count = code->count[length];
        if (word - first < count) {
            bits->bit = bit;
            return code->symbol[index + word - first];
        }
        index += count;
        first = (first + count) << 1;
        word <<= 1;
    }
    return -1;
}
