# Shared by the runtime scripts (sourced): where the models and images come from, and an export
# built for this machine.

# The models given, or the two recipe outputs.
runtime_models() {
    if [ $# -gt 0 ]; then printf '%s\n' "$@"; else printf '%s\n' out/lenet300-deep-compression/lenet300.dcz out/lenet5-deep-compression/lenet5.dcz; fi
}

# MNIST test images as raw floats (pixels / 255): runtime_images OUT.f32 [COUNT]
runtime_images() {
    cc -O2 -o "$work/idx-to-f32" Scripts/runtime/idx-to-f32.c
    "$work/idx-to-f32" data/mnist/t10k-images-idx3-ubyte "$@"
}

# Exports MODEL into DIR with `compress export --c` and builds its main.c as DIR/classify.
runtime_export() {
    "$compress" export "$1" --c "$2" >/dev/null
    (cd "$2" && cc -O2 -std=c99 -Iruntime/include main.c model.c runtime/*.c -lm -o classify)
}
