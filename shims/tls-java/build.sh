#!/bin/sh
# Builds the Java TLS shim (TlsShim.java) into BUILD_DIR, for the JDK's
# JSSE (jsse, the default) or for Bouncy Castle's BCJSSE (bc), and makes its
# class-data sharing archive. Run from the project root:
#
#     shims/tls-java/build.sh BUILD_DIR [jsse|bc]
#
# It leaves BUILD_DIR/tls-shim.jar and BUILD_DIR/tls-shim.jsa. Start the shim
# with the same java and flags as the training run below, and with the
# archive:
#
#     java -XX:SharedArchiveFile=BUILD_DIR/tls-shim.jsa -Xshare:auto \
#          -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData \
#          -Xlog:disable -Xlog:all=warning:stderr \
#          -cp BUILD_DIR/tls-shim.jar[:BC_JARS] TlsShim [--provider bc] ...
#
# The archive holds the classes a cell loads (the shim's, the library's and
# the JDK's), already parsed and verified, so a cell maps them instead of
# loading them: it is made by the java on PATH, by running the shim's
# `train` command (a few cases between an in-process server and client on
# loopback) with -XX:ArchiveClassesAtExit. It is only valid for that java
# and for the exact jars on the class path; when either changes, the JVM
# ignores the archive (-Xshare:auto) and starts as slowly as without it,
# with a warning on stderr (-Xlog:all=warning:stderr: never on stdout,
# where the shim's facts go) until the shim is built again.
#
# The bc build needs Debian's libbctls-java (which brings libbcutil-java and
# libbcprov-java): bctls.jar, bcutil.jar and bcprov.jar in /usr/share/java,
# the class path the run command names too. Only the bc build compiles
# BouncyCastle.java; the jsse build has no Bouncy Castle class at all.
#
# The training run uses the PKI in CROSSCHECK_TLS_CERTIFICATES (default: the
# project's certificates/).
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 BUILD_DIR [jsse|bc]" >&2
    exit 2
fi
out=$1
provider=${2:-jsse}
here=$(dirname "$0")

case $provider in
    jsse)
        libraries=
        sources="$here/TlsShim.java"
        ;;
    bc)
        libraries=/usr/share/java/bctls.jar:/usr/share/java/bcutil.jar:/usr/share/java/bcprov.jar
        old_ifs=$IFS
        IFS=:
        for jar in $libraries; do
            if [ ! -f "$jar" ]; then
                echo "$0: $jar is missing: install libbctls-java (apt-get install libbctls-java)" >&2
                exit 1
            fi
        done
        IFS=$old_ifs
        sources="$here/TlsShim.java $here/BouncyCastle.java"
        ;;
    *)
        echo "$0: the provider must be jsse or bc, not '$provider'" >&2
        exit 2
        ;;
esac

mkdir -p "$out"
classes="$out/classes"
rm -rf "$classes" "$out/tls-shim.jar" "$out/tls-shim.jsa"
mkdir "$classes"

# -XDstringConcat=inline: string concatenation as StringBuilder calls, not
# invokedynamic, whose bootstrap costs a cold JVM tens of milliseconds.
# -Xlint:-path: bcprov.jar's manifest names optional jars that are absent.
# shellcheck disable=SC2086 # $sources is a list of paths without spaces
javac -XDstringConcat=inline -Xlint:all,-path -Werror --release 17 \
    ${libraries:+-cp "$libraries"} -d "$classes" $sources

# Class-data sharing archives classes from jar files only.
jar --create --file "$out/tls-shim.jar" -C "$classes" .
rm -rf "$classes"

classpath="$out/tls-shim.jar${libraries:+:$libraries}"
CROSSCHECK_TLS_CERTIFICATES=${CROSSCHECK_TLS_CERTIFICATES:-$here/../../certificates}
export CROSSCHECK_TLS_CERTIFICATES
java -XX:ArchiveClassesAtExit="$out/tls-shim.jsa" \
    -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData \
    -Xlog:disable -Xlog:all=error:stderr \
    -cp "$classpath" TlsShim --provider "$provider" train >/dev/null
if [ ! -s "$out/tls-shim.jsa" ]; then
    echo "$0: java made no class-data sharing archive" >&2
    exit 1
fi
java -XX:SharedArchiveFile="$out/tls-shim.jsa" -Xshare:auto \
    -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData \
    -Xlog:disable -Xlog:all=warning:stderr \
    -cp "$classpath" TlsShim --provider "$provider" version
