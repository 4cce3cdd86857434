/* Compares two files of logits (raw float32, OUTPUTS per image) and the labels of an IDX label
 * file: the largest difference, and each side's top-1 count.
 * usage: compare-logits A.f32 B.f32 OUTPUTS LABELS-idx1-ubyte TOLERANCE
 * Exits 1 when a prediction differs or a logit differs by more than TOLERANCE. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int argmax(const float *x, int n) {
    int best = 0;
    for (int k = 1; k < n; k++) best = x[k] > x[best] ? k : best;
    return best;
}

int main(int argc, char **argv) {
    if (argc != 6 || atoi(argv[3]) <= 0 || atoi(argv[3]) > 4096) {
        fprintf(stderr, "usage: %s A.f32 B.f32 OUTPUTS LABELS-idx1-ubyte TOLERANCE\n", argv[0]);
        return 2;
    }
    int outputs = atoi(argv[3]);
    FILE *a = fopen(argv[1], "rb"), *b = fopen(argv[2], "rb"), *labels = fopen(argv[4], "rb");
    if (a == NULL || b == NULL || labels == NULL || fseek(labels, 8, SEEK_SET) != 0) {
        fprintf(stderr, "compare-logits: cannot open the inputs\n");
        return 2;
    }
    float x[4096], y[4096], largest = 0;
    long images = 0, same = 0, right_a = 0, right_b = 0;
    while (fread(x, sizeof *x, outputs, a) == (size_t)outputs) {
        if (fread(y, sizeof *y, outputs, b) != (size_t)outputs) {
            fprintf(stderr, "compare-logits: %s has fewer images than %s\n", argv[2], argv[1]);
            return 2;
        }
        int label = fgetc(labels);
        for (int k = 0; k < outputs; k++) largest = fabsf(x[k] - y[k]) > largest ? fabsf(x[k] - y[k]) : largest;
        int pa = argmax(x, outputs), pb = argmax(y, outputs);
        same += pa == pb;
        right_a += pa == label;
        right_b += pb == label;
        images++;
    }
    printf("%ld images: same prediction %ld, top-1 %ld (%s) and %ld (%s), largest logit difference %.3g\n", images, same,
           right_a, argv[1], right_b, argv[2], largest);
    return same == images && largest <= atof(argv[5]) ? 0 : 1;
}
