#!/usr/bin/env bash
# Fuzzes the compressed model (.dcz) decoder with libFuzzer for a fixed number of executions.
#
# usage: Scripts/fuzz-container.sh [runs]      default: 200000
#   SCRATCH_PATH  SwiftPM build directory to use (default: .build-fuzz)
#
# Builds the ContainerFuzz target with libFuzzer and AddressSanitizer
# (`swift build -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING`; lld links it, as gold
# fails on the instrumented objects), writes a seed corpus of small valid files (sparse k-means,
# int8, FP16, plain and surgery-masked floats, every layer type), then runs `runs` executions
# from it with a fixed seed. Each input is decoded as it is and with its CRCs recomputed (so
# mutations reach the parser), and every model that decodes must encode and decode again to the
# same weights. A single allocation over 512 MB counts as a crash, like a trap or an ASan report.
# Prints the executions and the crashes found; exits 1 when there is a crash (kept in
# $SCRATCH_PATH/fuzz-crashes).
set -euo pipefail

runs="${1:-200000}"
scratch="${SCRATCH_PATH:-.build-fuzz}"
cd "$(dirname "$0")/.."

flags=(-c release --product ContainerFuzz --scratch-path "$scratch"
       -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld)
swift build "${flags[@]}"
fuzzer="$(swift build "${flags[@]}" --show-bin-path)/ContainerFuzz"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
crashes="$scratch/fuzz-crashes"
rm -rf "$crashes"
mkdir -p "$work/corpus" "$crashes"
"$fuzzer" --write-seeds "$work/corpus"

status=0
"$fuzzer" "$work/corpus" -runs="$runs" -seed=1 -max_len=4096 -rss_limit_mb=2048 -malloc_limit_mb=512 \
    -artifact_prefix="$crashes/" -print_final_stats=1 >"$work/log" 2>&1 || status=$?

executions="$(awk '/stat::number_of_executed_units/ { print $2 }' "$work/log")"
found="$(find "$crashes" -type f | wc -l)"
grep -E '^(Done|==[0-9]+==ERROR|SUMMARY)|deadly signal|out-of-memory' "$work/log" || true
echo "fuzz-container: ${executions:-0} executions, $found crashes (libFuzzer exit status $status)"
if [ "$found" -gt 0 ] || [ "$status" -ne 0 ]; then
    tail -40 "$work/log"
    exit 1
fi
