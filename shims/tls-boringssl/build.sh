#!/usr/bin/env bash
# Builds the BoringSSL TLS shim, tls-shim-boringssl: the crate `boring`
# over boring-sys, which compiles the BoringSSL tree it carries, pinned by
# this directory's Cargo.lock; with cmake and ninja, and libclang for
# bindgen, from PyPI (pinned by requirements.txt).
#
#   shims/tls-boringssl/build.sh OUT_DIR     (from the project root)
#
# leaves OUT_DIR/tls-shim-boringssl. crosscheck runs it on first use and
# keeps the output in its cache, keyed by the files in this directory.
set -euo pipefail

out=${1:?usage: build.sh OUT_DIR}
here=shims/tls-boringssl
cargo=${CARGO:-cargo}

need() {
    command -v "$1" >/dev/null 2>&1 || { echo "build.sh: $1 not found; install it with: $2" >&2; exit 1; }
}
need python3 "apt-get install python3 python3-pip"
need cc "apt-get install build-essential"
need c++ "apt-get install build-essential"
need "$cargo" "rustup (https://rustup.rs)"
python3 -m pip --version >/dev/null 2>&1 || { echo "build.sh: pip not found; install it with: apt-get install python3-pip" >&2; exit 1; }

mkdir -p "$out"
out=$(cd "$out" && pwd)
python3 -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
    --target "$out/tools" --require-hashes -r "$here/requirements.txt"
export PYTHONPATH="$out/tools"
export PATH="$out/tools/bin:$PATH"
# boring-sys's build script runs cmake (which finds ninja on PATH) and
# bindgen, which loads libclang from the wheel. The wheel has no clang
# resource headers, so bindgen reads the C compiler's (stddef.h, ...).
export CMAKE_GENERATOR=Ninja
export LIBCLANG_PATH="$out/tools/clang/native"
export BINDGEN_EXTRA_CLANG_ARGS="-isystem $(cc -print-file-name=include)"

"$cargo" build --release --locked --manifest-path "$here/Cargo.toml" --target-dir "$out/work"
cp "$out/work/release/tls-shim-boringssl" "$out/tls-shim-boringssl"
rm -rf "$out/work" "$out/tools"
