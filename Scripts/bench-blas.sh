#!/usr/bin/env bash
# Compares TensorCore's matmul (OpenBLAS sgemm) with NumPy's float32 `a @ b` on square matrices.
#
# usage: Scripts/bench-blas.sh [sizes] [repeats]      defaults: 1024,2048 and 5
#   SCRATCH_PATH  SwiftPM build directory to use (default: .build)
#
# Both sides warm up once and report the best of `repeats` runs. TensorCore runs with the
# environment as given; NumPy runs with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed, so that
# its bundled OpenBLAS picks its own kernels. Each side prints the OpenBLAS build it uses.
set -euo pipefail

sizes="${1:-1024,2048}"
repeats="${2:-5}"
scratch="${SCRATCH_PATH:-.build}"
cd "$(dirname "$0")/.."

swift build -c release --product bench --scratch-path "$scratch"
bench="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/bench"

echo "== TensorCore (OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE-unset}, OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE-unset})"
ours="$("$bench" sgemm --sizes "$sizes" --repeats "$repeats")"
echo "$ours"

echo "== NumPy (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset)"
numpy="$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 - "$sizes" "$repeats" <<'PY'
import glob, os, sys, time, ctypes
import numpy as np

def describe_blas():
    """The OpenBLAS NumPy runs on: threadpoolctl if installed, else the bundled library's own
    report, else the build configuration from numpy.show_config."""
    try:
        from threadpoolctl import threadpool_info
        pools = [p for p in threadpool_info() if p.get("internal_api") == "openblas"]
        if pools:
            p = pools[0]
            return f"{os.path.basename(p['filepath'])} {p['version']}; kernels {p['architecture']}; {p['num_threads']} threads"
    except ImportError:
        pass
    libs = os.path.join(os.path.dirname(os.path.dirname(np.__file__)), "numpy.libs")
    for path in glob.glob(os.path.join(libs, "*openblas*.so*")):
        lib = ctypes.CDLL(path)
        for prefix, suffix in (("scipy_", "64_"), ("scipy_", ""), ("", "64_"), ("", "")):
            try:
                config = getattr(lib, f"{prefix}openblas_get_config{suffix}")
                corename = getattr(lib, f"{prefix}openblas_get_corename{suffix}")
                threads = getattr(lib, f"{prefix}openblas_get_num_threads{suffix}")
            except AttributeError:
                continue
            config.restype = corename.restype = ctypes.c_char_p
            return f"{config().decode()}; kernels {corename().decode()}; {threads()} threads"
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    return f"{blas.get('name')} {blas.get('version')} (build: {blas.get('openblas configuration')})"

sizes = [int(s) for s in sys.argv[1].split(",")]
repeats = int(sys.argv[2])
print(f"# numpy {np.__version__}: {describe_blas()}")
rng = np.random.default_rng(1)
for n in sizes:
    a = rng.uniform(-1, 1, (n, n)).astype(np.float32)
    b = rng.uniform(-1, 1, (n, n)).astype(np.float32)
    a @ b
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        c = a @ b
        best = min(best, time.perf_counter() - start)
    print(f"sgemm n={n} gflops={2 * n**3 / best / 1e9:.1f} seconds={best:.4f}")
PY
)"
echo "$numpy"

echo "== GFLOP/s, best of $repeats"
join -j 1 \
    <(echo "$ours" | awk '/^sgemm/ { split($2, n, "="); split($3, g, "="); print n[2], g[2] }' | sort -k1,1) \
    <(echo "$numpy" | awk '/^sgemm/ { split($2, n, "="); split($3, g, "="); print n[2], g[2] }' | sort -k1,1) |
    sort -n |
    awk 'BEGIN { printf "%8s %12s %12s %12s\n", "n", "TensorCore", "NumPy", "ours/numpy" }
         { printf "%8d %12.1f %12.1f %12.2f\n", $1, $2, $3, $2 / $3 }'
