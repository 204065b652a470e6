#!/usr/bin/env bash
# Builds NSS's own BoGo shim (gtests/nss_bogo_shim) from Debian bookworm's nss
# source package, against the NSS built from that same source.
# Usage: shims/bogo-nss/build.sh OUT_DIR   (from the project root)
# Leaves OUT_DIR/nss_bogo_shim and the NSS libraries it loads in OUT_DIR/lib;
# OUT_DIR/work holds downloads and the build tree.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 OUT_DIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)
work=$out/work

VERSION=3.87.1-1+deb12u4
FILES=(
  "2449ca0fb349082e798dde74c2c672f74fec0ff211467540ed749924eb7423f6 nss_$VERSION.dsc"
  "f30fb0de6986e59420ce3bfea340e801222be1da144b420bcbfec1d977dab4d5 nss_3.87.1.orig.tar.gz"
  "a805cc82174bd784e393da11cc00f09015af7a5a6982c807631228a78242d8e3 nss_$VERSION.debian.tar.xz"
)
# The security archive holds the version until a point release moves it to the main one.
POOLS=(https://deb.debian.org/debian-security/pool/updates/main/n/nss
       https://deb.debian.org/debian/pool/main/n/nss)

need() { command -v "$1" >/dev/null || { echo "missing $1: run 'apt-get install $2'" >&2; exit 1; }; }
need gcc gcc; need g++ g++; need make make; need curl curl; need patch patch
need xz xz-utils; need sha256sum coreutils; need perl perl
multiarch=$(gcc -print-multiarch)
nspr_inc=/usr/include/nspr nspr_lib=/usr/lib/$multiarch
[ -f $nspr_inc/nspr.h ] && [ -e $nspr_lib/libnspr4.so ] ||
  { echo "missing NSPR headers/library: run 'apt-get install libnspr4-dev'" >&2; exit 1; }
[ -f /usr/include/zlib.h ] || { echo "missing zlib.h: run 'apt-get install zlib1g-dev'" >&2; exit 1; }

mkdir -p "$work/dl"
for entry in "${FILES[@]}"; do
  read -r sum name <<<"$entry"
  f=$work/dl/$name
  if ! echo "$sum  $f" | sha256sum -c --status 2>/dev/null; then
    got=
    for pool in "${POOLS[@]}"; do
      curl -fsSL --retry 3 -o "$f.part" "$pool/$name" && { got=1; break; }
    done
    [ -n "$got" ] || { echo "cannot download $name from ${POOLS[*]}" >&2; exit 1; }
    echo "$sum  $f.part" | sha256sum -c --status ||
      { echo "sha256 mismatch for $name" >&2; exit 1; }
    mv "$f.part" "$f"
  fi
done

rm -rf "$work/src"
mkdir -p "$work/src"
tar -xzf "$work/dl/nss_3.87.1.orig.tar.gz" -C "$work/src"
src=$work/src/nss-3.87.1
tar -xJf "$work/dl/nss_$VERSION.debian.tar.xz" -C "$src"
# Debian's patches (the security fixes among them) in series order, as dpkg-source -x would.
while read -r p; do
  patch -d "$src" -p1 -s --no-backup-if-mismatch <"$src/debian/patches/$p"
done < <(grep -v -e '^#' -e '^$' "$src/debian/patches/series")
for p in "$here"/patches/*.patch; do
  [ -e "$p" ] || continue
  patch -d "$src" -p1 -s --no-backup-if-mismatch <"$p"
done

cd "$src/nss"
vars=(USE_64=1 BUILD_OPT=1 NSS_ENABLE_WERROR=0 OBJDIR_NAME=OBJS
      NSPR_INCLUDE_DIR=$nspr_inc NSPR_LIB_DIR=$nspr_lib)
# --no-print-directory: with -w inherited, coreconf's $(shell make get_objs)
# output gets "Entering directory" lines mixed in and lib/nss fails to parse.
mk() { make --no-print-directory "${vars[@]}" "$@"; }
mk -C coreconf/nsinstall program
mk export            # not parallel-safe
for d in lib cpputil cmd/lib; do mk -j2 -C $d libs; done
# The shim links NSS statically, except libnssutil3, and at run time loads
# libsoftokn3 (then libfreeblpriv3) by name. DT_RPATH (not RUNPATH) on the
# executable makes those lookups, dlopen's included, find ours in lib/ rather
# than the system's. LDFLAGS replaces coreconf's, hence the repeated first two.
mk -C gtests/nss_bogo_shim libs \
  'LDFLAGS=-m64 -z noexecstack -Wl,--disable-new-dtags,-rpath,\$$ORIGIN/lib'

mkdir -p "$out/lib"
for l in libnssutil3.so libsoftokn3.so libfreeblpriv3.so libsqlite3.so; do
  cp "$src/dist/OBJS/lib/$l" "$out/lib/"
done
cp gtests/nss_bogo_shim/OBJS/nss_bogo_shim "$out/nss_bogo_shim"
rm -rf "$work"
echo "built $out/nss_bogo_shim (nss $VERSION)"
