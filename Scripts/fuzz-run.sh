#!/usr/bin/env bash
# Runs one libFuzzer target of this package; Scripts/fuzz-container.sh, fuzz-recipe.sh and
# fuzz-keras-config.sh call it.
#
# usage: Scripts/fuzz-run.sh PRODUCT RUNS [MAX_SECONDS] [MAX_LEN]
#   SCRATCH_PATH  SwiftPM build directory to use (default: .build-fuzz)
#
# Builds PRODUCT with libFuzzer and AddressSanitizer (`swift build -Xswiftc
# -sanitize=fuzzer,address -Xswiftc -DFUZZING`; lld links it, as gold fails on the instrumented
# objects), writes its seed corpus (`PRODUCT --write-seeds DIR`), then runs RUNS executions from
# it with a fixed seed, or MAX_SECONDS (default: no limit) if that comes first. A single
# allocation over 512 MB counts as a crash, like a trap, an ASan report or an input that runs
# over 10 s. Prints the executions, the time and the crashes found; exits 1 when there is a
# crash (kept in $SCRATCH_PATH/fuzz-crashes-PRODUCT).
set -euo pipefail

product="$1"
runs="$2"
seconds="${3:-0}"
max_len="${4:-4096}"
scratch="${SCRATCH_PATH:-.build-fuzz}"
cd "$(dirname "$0")/.."

flags=(-c release --product "$product" --scratch-path "$scratch"
       -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld)
swift build "${flags[@]}"
fuzzer="$(swift build "${flags[@]}" --show-bin-path)/$product"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
crashes="$scratch/fuzz-crashes-$product"
rm -rf "$crashes"
mkdir -p "$work/corpus" "$crashes"
"$fuzzer" --write-seeds "$work/corpus"

status=0
start=$(date +%s)
SWIFT_BACKTRACE=enable=no "$fuzzer" "$work/corpus" -runs="$runs" -max_total_time="$seconds" -seed=1 -max_len="$max_len" -timeout=10 \
    -rss_limit_mb=2048 -malloc_limit_mb=512 -artifact_prefix="$crashes/" -print_final_stats=1 >"$work/log" 2>&1 || status=$?
elapsed=$(( $(date +%s) - start ))

executions="$(awk '/stat::number_of_executed_units/ { print $2 }' "$work/log")"
found="$(find "$crashes" -type f | wc -l)"
grep -E '^(Done|==[0-9]+==ERROR|SUMMARY)|deadly signal|out-of-memory|timeout' "$work/log" || true
echo "$product: ${executions:-0} executions in ${elapsed} s, $found crashes (libFuzzer exit status $status)"
if [ "$found" -gt 0 ] || [ "$status" -ne 0 ]; then
    tail -40 "$work/log"
    exit 1
fi
