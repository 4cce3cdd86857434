#!/usr/bin/env bash
# The C runtime on a Cortex-M4: flash and RAM of each model, and its predictions on 100 MNIST
# test images under QEMU (mps2-an386, semihosting) against the same export built for x86-64.
#
# usage: Scripts/check-runtime-arm.sh [MODEL.dcz ...]
#   default: the outputs of recipes/lenet300-deep-compression.yaml and lenet5-deep-compression.yaml
#   needs: apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm; data/mnist;
#   the release binary.
# Flash is what arm-none-eabi-size gives for the smallest firmware that runs the model
# (Scripts/runtime/mcu/flash_probe.c: runtime code, libm, model bytes); RAM is the streaming
# arena, the dcz_model struct and the deepest stack of init and run, painted and scanned on the
# simulated chip (Scripts/runtime/mcu/mcu_main.c). Exits 1 when a prediction differs.
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/runtime/common.sh

mapfile -t models < <(runtime_models "$@")
compress="${COMPRESS:-.build/release/compress}"
mcu=Scripts/runtime/mcu
flags=(-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -Os -std=c99 -ffunction-sections -fdata-sections)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

runtime_images "$work/images.f32" 100
echo "$(arm-none-eabi-gcc --version | head -1); $(qemu-system-arm --version | head -1)"

status=0
for model in "${models[@]}"; do
    name="$(basename "$model" .dcz)"
    export="$work/$name"
    runtime_export "$model" "$export"
    "$export/classify" "$work/images.f32" >"$work/$name-x86.txt"

    arm=(arm-none-eabi-gcc "${flags[@]}" -I"$export/runtime/include" -I"$export")
    "${arm[@]}" -c "$export"/runtime/*.c
    runtime_text="$(arm-none-eabi-size -t dcz_*.o | awk 'END { print $1 }')"
    rm -f dcz_*.o
    "${arm[@]}" "$mcu/flash_probe.c" "$export/model.c" "$export"/runtime/*.c -nostartfiles --specs=nosys.specs \
        -T "$mcu/mps2.ld" -Wl,--gc-sections -Wl,-e,main -lm -o "$work/$name-probe.elf"
    read -r text data bss _ < <(arm-none-eabi-size "$work/$name-probe.elf" | tail -1)
    model_bytes="$(sed -n 's/^#define MODEL_DCZ_SIZE //p' "$export/model.h")"

    for mode in streaming decoded; do
        define=(); [ "$mode" = decoded ] && define=(-DDECODED)
        "${arm[@]}" "${define[@]}" "$mcu/mcu_main.c" "$mcu/startup.c" "$export/model.c" "$export"/runtime/*.c \
            --specs=rdimon.specs -nostartfiles -T "$mcu/mps2.ld" -Wl,--gc-sections -lm -o "$work/$name-$mode.elf"
        (cd "$work" && timeout 1200 qemu-system-arm -M mps2-an386 -nographic -semihosting -kernel "$name-$mode.elf") \
            >"$work/$name-$mode.txt"
        memory="$(sed -n 's/^# //p' "$work/$name-$mode.txt")"
        if grep -v '^#' "$work/$name-$mode.txt" | cmp -s - "$work/$name-x86.txt"; then same="the same as on x86-64"; else same="DIFFERENT from x86-64"; status=1; fi
        echo "$name, $mode on Cortex-M4 (QEMU): 100 predictions $same; $memory"
    done
    echo "$name: flash $((text + data)) bytes (runtime code $runtime_text, libm and start-up $((text + data - runtime_text - model_bytes)), model $model_bytes); static RAM $bss bytes (streaming arena, dcz_model, input and logits)"
done
exit $status
