#!/usr/bin/env bash
# Installs the system libraries compress links against (OpenBLAS, LAPACKE, HDF5, zlib) when any is
# missing, then builds the release binary. Safe to run again: it only does what is not done yet.
#   Scripts/setup.sh            install what is missing, then `swift build -c release`
#   Scripts/setup.sh --deps     install what is missing, nothing else
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libopenblas-dev liblapacke-dev libhdf5-dev zlib1g-dev pkg-config)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ "${1:-}" != "--deps" ]; then
    swift build -c release --product compress
    echo "setup: built $(swift build -c release --show-bin-path)/compress"
fi
