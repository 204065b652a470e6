#!/usr/bin/env bash
# Builds BoringSSL's own BoGo shim, bssl_shim, from the BoringSSL tree in the
# crates.io crate boring-sys (pinned by source/Cargo.lock), with cmake and
# ninja from PyPI (pinned by requirements.txt).
#
#   shims/bogo-boringssl/build.sh OUT_DIR     (from the project root)
#
# leaves OUT_DIR/bssl_shim. crosscheck runs it on first use and keeps the
# output in its cache, keyed by the files in this directory.
set -euo pipefail

out=${1:?usage: build.sh OUT_DIR}
here=shims/bogo-boringssl
cargo=${CARGO:-cargo}

need() {
    command -v "$1" >/dev/null 2>&1 || { echo "build.sh: $1 not found; install it with: $2" >&2; exit 1; }
}
need python3 "apt-get install python3 python3-pip"
need cc "apt-get install build-essential"
need c++ "apt-get install build-essential"
python3 -m pip --version >/dev/null 2>&1 || { echo "build.sh: pip not found; install it with: apt-get install python3-pip" >&2; exit 1; }

python3 -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
    --target "$out/tools" --require-hashes -r "$here/requirements.txt"
export PYTHONPATH="$out/tools"

crate=$("$cargo" metadata --locked --format-version 1 --manifest-path "$here/source/Cargo.toml" |
    python3 -c 'import json, os, sys
packages = json.load(sys.stdin)["packages"]
print(next(os.path.dirname(p["manifest_path"]) for p in packages if p["name"] == "boring-sys"))')

"$out/tools/bin/cmake" -G Ninja -S "$here" -B "$out/work" \
    -DCMAKE_MAKE_PROGRAM="$out/tools/bin/ninja" -DCMAKE_BUILD_TYPE=Release \
    -DBORINGSSL_SOURCE="$crate/deps/boringssl"
"$out/tools/bin/ninja" -C "$out/work" bssl_shim
cp "$out/work/bssl_shim" "$out/bssl_shim"
rm -rf "$out/work" "$out/tools"
