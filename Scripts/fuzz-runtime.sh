#!/usr/bin/env bash
# Fuzzes the C runtime (Sources/DCZRuntime) with libFuzzer, AddressSanitizer and UBSan.
#
# usage: Scripts/fuzz-runtime.sh [seconds]      default: 300
#
# Builds Scripts/runtime/fuzz_runtime.c with the runtime (clang -fsanitize=fuzzer,address,undefined,
# every UB report fatal), seeds it with small valid files of every layer type and encoding
# (`ContainerFuzz --write-seeds`) and the recipe outputs in out/ when there are any, then runs it
# for `seconds` with a fixed seed. Each input is loaded as it is and with its CRCs recomputed, in
# both modes, and run when it loads (see fuzz_runtime.c). Prints the executions and the crashes
# found; exits 1 when there is a crash (kept in .build-fuzz-runtime/crashes).
set -euo pipefail

seconds="${1:-300}"
cd "$(dirname "$0")/.."
scratch=.build-fuzz-runtime
mkdir -p "$scratch"
clang -g -O1 -std=c99 -fuse-ld=lld -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -ISources/DCZRuntime/include Sources/DCZRuntime/*.c Scripts/runtime/fuzz_runtime.c -lm -o "$scratch/fuzz-runtime"

swift build --product ContainerFuzz >/dev/null
corpus="$scratch/corpus"
crashes="$scratch/crashes"
rm -rf "$crashes"
mkdir -p "$corpus" "$crashes"
"$(swift build --show-bin-path)/ContainerFuzz" --write-seeds "$corpus" >/dev/null
find out -name '*.dcz' -size -64k -exec cp {} "$corpus/" \; 2>/dev/null || true

status=0
"$scratch/fuzz-runtime" "$corpus" -max_total_time="$seconds" -seed=1 -max_len=65536 -timeout=20 -rss_limit_mb=2048 \
    -artifact_prefix="$crashes/" -print_final_stats=1 >"$scratch/log" 2>&1 || status=$?

executions="$(awk '/stat::number_of_executed_units/ { print $2 }' "$scratch/log")"
found="$(find "$crashes" -type f | wc -l)"
grep -E '^(Done|==[0-9]+==ERROR|SUMMARY)|deadly signal|runtime error|out-of-memory' "$scratch/log" || true
echo "fuzz-runtime: ${executions:-0} executions in ${seconds} s, $(find "$corpus" -type f | wc -l) inputs in the corpus, $found crashes (status $status)"
[ "$found" -eq 0 ] && [ "$status" -eq 0 ]
