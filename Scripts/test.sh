#!/usr/bin/env bash
# Installs what is missing (see setup.sh), then runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh --deps
swift test "$@"
