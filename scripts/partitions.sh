#!/usr/bin/env bash
# Runs the test suite as a CI matrix spreads it over N machines (default 3),
# here on one: builds the tests once into a nextest archive, then runs
# partition hash:K/N of it for each K in its own clean directory (a fresh
# clone of HEAD, and the archive extracted beside it), one after another.
# Checks that the union of the partitions' JUnit results is exactly the set
# of tests `cargo nextest list` gives, with no test run twice, and prints
# each partition's figures.
#
# As another machine would, a partition must not find this checkout where
# the tests were compiled: where it may (root, with unshare), each runs in
# a mount namespace with an empty directory over the checkout, so a path
# compiled into a test that does not follow the workspace remap fails.
#
#   scripts/partitions.sh [N] [FILTER ARGS...]
#
# FILTER ARGS (e.g. -E 'package(crosscheck-process)') narrow both the list
# and the runs. Everything lives in $CROSSCHECK_PARTITIONS_DIR (default
# $TMPDIR/crosscheck-partitions, outside the checkout) and is replaced on
# the next run. Exits 1 if a test failed or the partitions did not cover
# the list exactly once.
set -euo pipefail
cd "$(dirname "$0")/.."

partitions=${1:-3}
shift || true
case $partitions in
'' | *[!0-9]* | 0)
	echo "partitions.sh: N must be a whole number above 0, not \"$partitions\"" >&2
	exit 2
	;;
esac
filter=("$@")

repo=$PWD
work=${CROSSCHECK_PARTITIONS_DIR:-${TMPDIR:-/tmp}/crosscheck-partitions}
archive=$work/tests.tar.zst
rm -rf "$work"
mkdir -p "$work/empty"
case $work/ in
"$repo"/*)
	echo "partitions.sh: $work is inside the checkout; choose a directory outside it" >&2
	exit 2
	;;
esac

# Runs "$@" with the checkout hidden, where this user may.
hidden=(env)
if [ "$(id -u)" = 0 ] && unshare --mount true 2>/dev/null; then
	hidden=(unshare --mount --propagation private sh -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' sh "$work/empty" "$repo")
	echo "== the checkout ($repo) is hidden from every partition"
else
	echo "== not root: the partitions can still see the checkout ($repo)"
fi

echo "== archiving the workspace's tests"
started=$(date +%s)
cargo nextest archive --workspace --locked --archive-file "$archive" 2>"$work/archive.log" || {
	tail -20 "$work/archive.log" >&2
	exit 1
}
echo "   $(du -h "$archive" | cut -f1) in $(($(date +%s) - started)) s"

echo "== listing what a whole run would run"
cargo nextest list --workspace --locked --message-format oneline "${filter[@]}" \
	2>"$work/list.log" | sort >"$work/expected.txt"
echo "   $(wc -l <"$work/expected.txt") tests"

# `binary-id test-name` for each <testcase> of a nextest JUnit file.
junit_tests() {
	sed -n 's/^ *<testcase name="\([^"]*\)" classname="\([^"]*\)".*/\2 \1/p' "$1" |
		sed 's/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g; s/&apos;/'"'"'/g; s/&amp;/\&/g'
}

status=0
figures=()
for k in $(seq 1 "$partitions"); do
	dir=$work/$k
	echo "== partition $k/$partitions in $dir"
	mkdir -p "$dir/extracted"
	git clone -q "$repo" "$dir/workspace"
	git -C "$dir/workspace" checkout -q "$(git rev-parse HEAD)"
	started=$(date +%s)
	set +e
	(cd "$dir/workspace" && "${hidden[@]}" cargo nextest run --archive-file "$archive" \
		--workspace-remap "$dir/workspace" --extract-to "$dir/extracted" \
		--partition "hash:$k/$partitions" --profile ci --no-fail-fast "${filter[@]}") \
		>"$dir/run.log" 2>&1
	code=$?
	set -e
	elapsed=$(($(date +%s) - started))
	junit=$dir/workspace/target/nextest/ci/junit.xml
	if [ ! -f "$junit" ]; then
		echo "partitions.sh: partition $k wrote no JUnit file ($junit); its log: $dir/run.log" >&2
		tail -20 "$dir/run.log" >&2
		exit 1
	fi
	junit_tests "$junit" | sort >"$dir/ran.txt"
	summary=$(grep -E '^ *Summary' "$dir/run.log" | tail -1 | sed 's/^ *//')
	figures+=("partition $k/$partitions: exit $code, $(wc -l <"$dir/ran.txt") tests, $elapsed s; $summary")
	if [ "$code" -ne 0 ]; then
		echo "partitions.sh: partition $k failed; its log: $dir/run.log" >&2
		grep -E '^ *(FAIL|FLAKY|SIGKILL|TIMEOUT) ' "$dir/run.log" | head -20 >&2 || true
		status=1
	fi
done

cat "$work"/*/ran.txt | sort >"$work/ran.txt"
sort -u "$work/ran.txt" >"$work/ran-once.txt"
twice=$(comm -23 "$work/ran.txt" "$work/ran-once.txt")
missing=$(comm -23 "$work/expected.txt" "$work/ran-once.txt")
extra=$(comm -13 "$work/expected.txt" "$work/ran-once.txt")

echo "== figures"
printf '%s\n' "${figures[@]}"
echo "listed $(wc -l <"$work/expected.txt"), ran $(wc -l <"$work/ran.txt") ($(wc -l <"$work/ran-once.txt") distinct)"
if [ -n "$twice" ]; then
	echo "partitions.sh: run in more than one partition:" >&2
	echo "$twice" | head -20 >&2
	status=1
fi
if [ -n "$missing" ]; then
	echo "partitions.sh: listed but run in no partition ($(echo "$missing" | wc -l)):" >&2
	echo "$missing" | head -20 >&2
	status=1
fi
if [ -n "$extra" ]; then
	echo "partitions.sh: run but not listed ($(echo "$extra" | wc -l)):" >&2
	echo "$extra" | head -20 >&2
	status=1
fi
[ "$status" -eq 0 ] && echo "every listed test ran exactly once across $partitions partitions"
exit $status
