#!/usr/bin/env bash
# Installs the tlslite-ng TLS shim: tlslite-ng and its dependencies from PyPI
# (pinned by requirements.txt) and tls_shim.py into OUT_DIR/lib, and a
# launcher that runs the shim with python3.
#
#   shims/tls-python/build.sh OUT_DIR     (from the project root)
#
# leaves OUT_DIR/tls-shim-tlslite, run as
#   OUT_DIR/tls-shim-tlslite client|server CASE PORT
#   OUT_DIR/tls-shim-tlslite version
set -euo pipefail

out=${1:?usage: build.sh OUT_DIR}
here=shims/tls-python

command -v python3 >/dev/null 2>&1 || { echo "build.sh: python3 not found; install it with: apt-get install python3 python3-pip" >&2; exit 1; }
python3 -m pip --version >/dev/null 2>&1 || { echo "build.sh: pip not found; install it with: apt-get install python3-pip" >&2; exit 1; }

mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -rf "$out/lib"
python3 -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
    --no-compile --only-binary=:all: --target "$out/lib" --require-hashes -r "$here/requirements.txt"
rm -rf "$out/lib/bin"
cp "$here/tls_shim.py" "$out/lib/tls_shim.py"
python3 -m compileall -q "$out/lib"

# The launcher finds lib/ beside itself, so OUT_DIR can move. python3 -S
# leaves out site-packages: tlslite-ng would otherwise pick up M2Crypto,
# pycrypto or gmpy from there and stop being pure Python.
cat >"$out/tls-shim-tlslite" <<'LAUNCHER'
#!/bin/sh
lib=$(dirname "$0")/lib
PYTHONPATH="$lib" exec python3 -S "$lib/tls_shim.py" "$@"
LAUNCHER
chmod +x "$out/tls-shim-tlslite"
