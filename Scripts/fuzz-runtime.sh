#!/usr/bin/env bash
# Fuzzes the C runtime (Sources/DCZRuntime) with libFuzzer, AddressSanitizer and UBSan.
#
# usage: Scripts/fuzz-runtime.sh [seconds]      default: 300
#
# Builds Scripts/runtime/fuzz_runtime.c with the runtime (clang -fsanitize=fuzzer,address,undefined,
# every UB report fatal) and runs it with a fixed seed in two parts: two thirds of the time from
# small valid files of every layer type and encoding (`ContainerFuzz --write-seeds`, inputs up to
# 4 KB), one third from the recipe outputs in out/ (inputs up to 64 KB, slower to run) when there
# are any. Each input is loaded as it is and with its CRCs recomputed, in both modes, and run when
# it loads (see fuzz_runtime.c). Prints the executions, the crashes (and timeouts, leaks, memory
# blow-ups) found and the inputs slower than 10 s; exits 1 when there is a crash (kept in
# .build-fuzz-runtime/crashes).
set -euo pipefail

seconds="${1:-300}"
cd "$(dirname "$0")/.."
scratch=.build-fuzz-runtime
mkdir -p "$scratch"
clang -g -O1 -std=c99 -fuse-ld=lld -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -ISources/DCZRuntime/include Sources/DCZRuntime/*.c Scripts/runtime/fuzz_runtime.c -lm -o "$scratch/fuzz-runtime"

swift build --product ContainerFuzz >/dev/null
crashes="$scratch/crashes"
rm -rf "$crashes" "$scratch/small" "$scratch/recipes"
mkdir -p "$crashes" "$scratch/small" "$scratch/recipes"
"$(swift build --show-bin-path)/ContainerFuzz" --write-seeds "$scratch/small" >/dev/null
find out -name '*.dcz' -size -64k -exec cp {} "$scratch/recipes/" \; 2>/dev/null || true

status=0
executions=0
fuzz() {   # corpus, seconds, max length
    "$scratch/fuzz-runtime" "$1" -max_total_time="$2" -seed=1 -max_len="$3" -timeout=30 -rss_limit_mb=2048 \
        -artifact_prefix="$crashes/" -print_final_stats=1 >"$scratch/log-$(basename "$1")" 2>&1 || status=$?
    executions=$((executions + $(awk '/stat::number_of_executed_units/ { print $2 }' "$scratch/log-$(basename "$1")")))
    grep -E '^(==[0-9]+==ERROR|SUMMARY)|deadly signal|runtime error|out-of-memory|timeout' "$scratch/log-$(basename "$1")" || true
}
if [ -n "$(ls "$scratch/recipes")" ]; then
    fuzz "$scratch/small" $((seconds * 2 / 3)) 4096
    fuzz "$scratch/recipes" $((seconds / 3)) 65536
else
    fuzz "$scratch/small" "$seconds" 4096
fi
found="$(find "$crashes" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)"
slow="$(find "$crashes" -type f -name 'slow-unit-*' | wc -l)"
echo "fuzz-runtime: $executions executions in $seconds s, $found crashes, $slow inputs slower than 10 s (status $status)"
[ "$found" -eq 0 ] && [ "$status" -eq 0 ]
