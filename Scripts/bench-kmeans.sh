#!/usr/bin/env bash
# Compares the one-dimensional k-means of weight sharing (Compression's KMeans1D) with
# scikit-learn's KMeans on the same normally distributed float32 values, from the same linear
# initial centroids, in the same run.
#
# usage: Scripts/bench-kmeans.sh [sizes] [k] [repeats]      defaults: 1000000,10000000, 256 and 3
#   SCRATCH_PATH  SwiftPM build directory to use (default: .build)
#
# `bench kmeans` draws the values (seed 1), writes them and the initial centroids as raw float32
# files, and times sorting, Lloyd iterations and labelling. scikit-learn then fits
# KMeans(n_clusters=k, init=<those centroids>, n_init=1, algorithm="lloyd") with its default
# tolerance on the same data; its time covers `fit`, which labels the data too. Each side reports
# its best wall-clock time of `repeats` runs, with that run's processor time (summed over threads;
# both sides use every core), since a busy machine distorts the wall clock. Both objectives (the sum of squared distances of every
# value to its nearest centroid) are computed in float64.
# scikit-learn runs in .venv-bench, created here when missing.
set -euo pipefail

sizes="${1:-1000000,10000000}"
k="${2:-256}"
repeats="${3:-3}"
scratch="${SCRATCH_PATH:-.build}"
cd "$(dirname "$0")/.."

if [ ! -x .venv-bench/bin/python ]; then
    python3 -m venv .venv-bench
    .venv-bench/bin/pip install --quiet numpy scikit-learn
fi

swift build -c release --product bench --scratch-path "$scratch"
bench="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/bench"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== compress KMeans1D (best of $repeats)"
ours="$("$bench" kmeans --sizes "$sizes" --k "$k" --repeats "$repeats" --out "$work")"
echo "$ours"

echo "== scikit-learn KMeans (n_init=1, algorithm=lloyd, same initial centroids; best of $repeats)"
theirs="$(.venv-bench/bin/python - "$sizes" "$k" "$work" "$repeats" <<'PY'
import sys, time
import numpy as np
import sklearn
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_info

def objective(values, centers):
    """Sum of squared distances to the nearest center, in float64 (ties go to the lower center)."""
    centers = np.sort(centers.astype(np.float64).ravel())
    midpoints = (centers[:-1] + centers[1:]) / 2
    labels = np.searchsorted(midpoints, values.astype(np.float64), side="left")
    return float(np.sum((values.astype(np.float64) - centers[labels]) ** 2))

sizes = [int(s) for s in sys.argv[1].split(",")]
k = int(sys.argv[2])
work = sys.argv[3]
repeats = int(sys.argv[4])
threads = max((p["num_threads"] for p in threadpool_info()), default=1)
print(f"# scikit-learn {sklearn.__version__}, numpy {np.__version__}, {threads} threads")
for n in sizes:
    values = np.fromfile(f"{work}/kmeans-{n}-values.f32", dtype="<f4")
    init = np.fromfile(f"{work}/kmeans-{n}-init.f32", dtype="<f4").reshape(-1, 1)
    x = values.reshape(-1, 1)
    seconds = float("inf")
    for _ in range(repeats):
        start, cpu_start = time.perf_counter(), time.process_time()
        model = KMeans(n_clusters=k, init=init, n_init=1, algorithm="lloyd").fit(x)
        elapsed, used = time.perf_counter() - start, time.process_time() - cpu_start
        if elapsed < seconds:
            seconds, cpu = elapsed, used
    print(f"kmeans n={n} k={k} seconds={seconds:.4f} objective={objective(values, model.cluster_centers_):.6f} "
          f"cpu_seconds={cpu:.4f} iterations={model.n_iter_}")
PY
)"
echo "$theirs"

echo "== k=$k: wall-clock seconds, processor seconds (all threads) and objective (sum of squared distances, float64)"
fields='/^kmeans/ { for (i = 2; i <= NF; i++) { split($i, f, "="); v[f[1]] = f[2] }; print v["n"], v["seconds"], v["cpu_seconds"], v["objective"] }'
join -j 1 <(echo "$ours" | awk "$fields" | sort -k1,1) <(echo "$theirs" | awk "$fields" | sort -k1,1) |
    sort -n |
    awk 'BEGIN { printf "%10s %9s %10s %8s %9s %10s %8s %14s %14s %s\n", "n", "ours s", "sklearn s", "wall x",
                        "ours cpu", "sklearn cpu", "cpu x", "ours obj", "sklearn obj", "ours no worse" }
         { printf "%10d %9.3f %10.3f %7.1fx %9.3f %10.3f %7.1fx %14.4f %14.4f %s\n", $1, $2, $5, $5 / $2, $3, $6, $6 / $3,
                  $4, $7, ($4 <= $7 ? "yes" : "NO")
           verdicts = verdicts sprintf("target (issue #5) at n=%d: objective no worse and at least 20x faster (wall): %s\n", $1,
                                       ($4 <= $7 && $5 / $2 >= 20 ? "PASS" : "FAIL")) }
         END { printf "%s", verdicts }'
