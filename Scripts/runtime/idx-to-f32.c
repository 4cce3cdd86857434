/* Turns an MNIST IDX image file into raw float32 inputs, pixels / 255 as `compress eval` does
 * (the same float division, so the runtime sees the very inputs compress sees).
 * usage: idx-to-f32 IMAGES-idx3-ubyte OUT.f32 [COUNT] */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s IMAGES-idx3-ubyte OUT.f32 [COUNT]\n", argv[0]);
        return 2;
    }
    FILE *in = fopen(argv[1], "rb"), *out = fopen(argv[2], "wb");
    unsigned char header[16];
    if (in == NULL || out == NULL || fread(header, 1, 16, in) != 16 || header[2] != 8 || header[3] != 3) {
        fprintf(stderr, "%s: not an IDX image file\n", argv[1]);
        return 1;
    }
    long images = (long)header[4] << 24 | header[5] << 16 | header[6] << 8 | header[7];
    long pixels = ((long)header[8] << 24 | header[9] << 16 | header[10] << 8 | header[11]) *
                  ((long)header[12] << 24 | header[13] << 16 | header[14] << 8 | header[15]);
    if (argc > 3 && atol(argv[3]) < images) images = atol(argv[3]);
    for (long i = 0; i < images * pixels; i++) {
        int byte = fgetc(in);
        if (byte == EOF) {
            fprintf(stderr, "%s: truncated\n", argv[1]);
            return 1;
        }
        float value = (float)byte / 255;
        fwrite(&value, sizeof value, 1, out);
    }
    fclose(out);
    return 0;
}
