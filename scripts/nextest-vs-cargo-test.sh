#!/usr/bin/env bash
# Times the whole suite under `cargo test` and under `cargo nextest run`
# (default profile), one after the other, ROUNDS times (default 1), and
# prints the wall time, tests run and the ratio of each pair. Both build
# first, untimed, so the figures are the runs alone; run it on an otherwise
# idle machine whose shims are already built (any earlier test run builds
# them), since runs of crosscheck share the machine's CPU slots.
#
#   scripts/nextest-vs-cargo-test.sh [ROUNDS] [FILTER...]
#
# FILTER words go to both, after `--` for cargo test (a test name filter
# such as tls_interop::handshake::) and as-is for nextest. Logs go to
# target/nextest-vs-cargo-test/. Exits 1 if either run fails.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${1:-1}
shift || true
case $rounds in
'' | *[!0-9]* | 0)
	echo "nextest-vs-cargo-test.sh: ROUNDS must be a whole number above 0, not \"$rounds\"" >&2
	exit 2
	;;
esac
filter=("$@")
logs=target/nextest-vs-cargo-test
mkdir -p "$logs"

echo "== building (untimed)"
cargo test --workspace --locked --no-run 2>"$logs/build.log"
cargo nextest list --workspace --locked >/dev/null 2>>"$logs/build.log"

# Tests `cargo test`'s log says ran.
cargo_test_count() {
	grep -E '^test result:' "$1" | awk '{passed += $4; failed += $6} END {print passed + failed}'
}
# Tests nextest's summary line says ran.
nextest_count() {
	sed -n 's/^ *Summary \[ *[0-9.]*s\] \([0-9]*\) tests\{0,1\} run.*/\1/p' "$1" | tail -1
}

# Seconds since `date +%s.%N` said $1.
since() {
	awk -v start="$1" -v now="$(date +%s.%N)" 'BEGIN {print now - start}'
}

status=0
rows=()
for round in $(seq 1 "$rounds"); do
	echo "== round $round: cargo test"
	started=$(date +%s.%N)
	cargo test --workspace --locked -- "${filter[@]}" >"$logs/cargo-test-$round.log" 2>&1 || {
		echo "cargo test failed; its log: $logs/cargo-test-$round.log" >&2
		status=1
	}
	cargo_seconds=$(since "$started")
	echo "== round $round: cargo nextest run"
	started=$(date +%s.%N)
	cargo nextest run --workspace --locked --no-fail-fast "${filter[@]}" >"$logs/nextest-$round.log" 2>&1 || {
		echo "cargo nextest run failed; its log: $logs/nextest-$round.log" >&2
		status=1
	}
	nextest_seconds=$(since "$started")
	rows+=("$(printf '%5s  %8.1f s %6s tests  %8.1f s %6s tests  %5.2f' "$round" \
		"$cargo_seconds" "$(cargo_test_count "$logs/cargo-test-$round.log")" \
		"$nextest_seconds" "$(nextest_count "$logs/nextest-$round.log")" \
		"$(awk -v a="$nextest_seconds" -v b="$cargo_seconds" 'BEGIN {print a / b}')")")
done

echo "round  cargo test               cargo nextest run        nextest/cargo"
printf '%s\n' "${rows[@]}"
exit $status
