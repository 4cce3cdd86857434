/* Error texts: a fixed sentence per status, and one line naming where a load failed. */
#include <string.h>

#include "dcz_internal.h"

const char *dcz_status_text(dcz_status status) {
    switch (status) {
    case DCZ_OK: return "no error";
    case DCZ_E_ARGUMENT: return "a bad argument (null pointer, unknown mode or model not initialised)";
    case DCZ_E_ARENA: return "the arena is too small";
    case DCZ_E_FORMAT: return "not a valid compressed model file";
    case DCZ_E_TRUNCATED: return "the file ends early (truncated)";
    case DCZ_E_CRC: return "a section's CRC-32 does not match (corrupt file)";
    case DCZ_E_CORRUPT: return "a stream holds invalid data (corrupt file)";
    case DCZ_E_UNSUPPORTED: return "the model is beyond this runtime's limits";
    }
    return "unknown status";
}

const char *dcz_model_error(const dcz_model *model) {
    return model ? model->error : "";
}

static void append(dcz_err *err, size_t *length, const char *text) {
    size_t n = strlen(text);
    if (n > err->capacity - 1 - *length) n = err->capacity - 1 - *length;
    memcpy(err->text + *length, text, n);
    *length += n;
}

static void append_number(dcz_err *err, size_t *length, uint64_t number) {
    char digits[21];
    int i = 20;
    digits[i] = 0;
    do {
        digits[--i] = (char)('0' + number % 10);
        number /= 10;
    } while (number > 0);
    append(err, length, digits + i);
}

static dcz_status write_error(dcz_err *err, dcz_status status, const char *reason, int with_number, uint64_t number) {
    size_t length = 0;
    if (err == NULL || err->text == NULL || err->capacity == 0) return status;
    if (err->layer >= 0) {
        append(err, &length, "layer ");
        append_number(err, &length, (uint64_t)err->layer);
        if (err->name) {
            append(err, &length, " '");
            size_t start = length;
            dcz_name_append(err->name, err->file, err->text, err->capacity - 1, &length);
            for (size_t i = start; i < length; i++) {
                if ((unsigned char)err->text[i] < 0x20) err->text[i] = '?';   /* one line, no NUL */
            }
            append(err, &length, "'");
        }
        append(err, &length, ": ");
    }
    if (err->parameter) {
        append(err, &length, err->parameter);
        append(err, &length, ": ");
    }
    if (err->field) {
        append(err, &length, err->field);
        append(err, &length, ": ");
    }
    append(err, &length, reason);
    if (with_number) {
        append(err, &length, " (");
        append_number(err, &length, number);
        append(err, &length, ")");
    }
    err->text[length] = 0;
    return status;
}

dcz_status dcz_fail(dcz_err *err, dcz_status status, const char *reason) {
    return write_error(err, status, reason, 0, 0);
}

dcz_status dcz_fail_number(dcz_err *err, dcz_status status, const char *reason, uint64_t number) {
    return write_error(err, status, reason, 1, number);
}
