#!/usr/bin/env bash
# Builds the graph-model fixtures in Tests/Fixtures/graph/ (see Scripts/make-graph-fixtures.py and
# Tests/Fixtures/graph/README.md): small Keras models (a residual CNN in the Keras 2 and Keras 3
# dialects and as .keras, a MobileNetV2-style block model, a Keras 3 DepthwiseConv2D chain) with
# 8 inputs and Keras's outputs each. Keras 3 on torch, in .venv-zoo (made on first use; a large
# download). Deterministic on one machine; rerun it only to change the fixtures.
#
# usage: Scripts/make-graph-fixtures.sh [out dir]        default Tests/Fixtures/graph
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=Scripts/zoo-venv.sh
source Scripts/zoo-venv.sh
"$zoo_python" Scripts/make-graph-fixtures.py "$@"
