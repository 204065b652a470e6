#!/usr/bin/env bash
# Fuzzes crosscheck's parsers with AFL++ (crates/fuzz): every target, or
# those named, for SECONDS each (default 60).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Sets itself up on first use, under target/fuzz/: cargo-afl (pinned, from
# crates.io), the AFL++ it bundles, and an instrumented release build of
# the targets. Each target starts from the seed corpus crosscheck-fuzz
# writes (the project's specs, fixtures and a real in-memory TLS exchange)
# plus whatever earlier runs found, kept in target/fuzz/corpus/TARGET.
#
# Exits 1 if any target crashed or hung (each finding is listed with the
# command that replays it) or if the canary, a target with a planted bug,
# was not caught: then the fuzzer itself is not working. The canary runs
# until its bug is found, for at least 60 s however short SECONDS is.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
case $seconds in
'' | *[!0-9]*)
	echo "fuzz.sh: SECONDS must be a whole number, not \"$seconds\"" >&2
	exit 2
	;;
esac

cargo_afl_version=0.18.2
canary_seconds=60
fuzz=$PWD/target/fuzz
tools=$fuzz/tools
mkdir -p "$tools"
# cargo-afl builds AFL++ under $XDG_DATA_HOME/afl.rs, and runs as `cargo afl`.
export XDG_DATA_HOME=$tools/data
export PATH=$tools/bin:$PATH

(
	flock 9
	if ! cargo afl --version 2>/dev/null | grep -qF "$cargo_afl_version"; then
		echo "== installing cargo-afl $cargo_afl_version into $tools"
		cargo install --quiet --locked --root "$tools" cargo-afl --version "=$cargo_afl_version"
	fi
	# AFL++ for this toolchain (cargo install usually built it already).
	if ! built=$(cargo afl config --build 2>&1) && ! grep -q "already built" <<<"$built"; then
		echo "$built" >&2
		exit 1
	fi
) 9>"$tools/.lock"

echo "== building the targets (instrumented, release)"
cargo afl build --quiet --locked --release -p crosscheck-fuzz --features afl \
	--bin crosscheck-fuzz-afl --target-dir "$fuzz/build"
cargo build --quiet --locked -p crosscheck-fuzz --bin crosscheck-fuzz
replay=target/debug/crosscheck-fuzz
fuzzer=$fuzz/build/release/crosscheck-fuzz-afl

if [ $# -eq 0 ]; then
	mapfile -t targets < <("$replay" list | cut -d' ' -f1)
else
	targets=("$@")
fi

seeds=$fuzz/seeds
rm -rf "$seeds"
"$replay" seeds "$seeds" "${targets[@]}" >/dev/null

# No core dumps to wait for, no CPU governor to check, no screen to draw;
# a run stops at the time limit, and a slow spec build is not a hang.
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1
export AFL_NO_AFFINITY=1 AFL_FAST_CAL=1
status=0
summary=()
for target in "${targets[@]}"; do
	corpus=$fuzz/corpus/$target
	out=$fuzz/out/$target
	work=$fuzz/work/$target
	mkdir -p "$corpus" "$fuzz/out"
	cp -n "$seeds/$target"/* "$corpus"/
	rm -rf "$out" "$work"
	canary=$("$replay" list | grep -q "^$target .*planted bug" && echo yes || echo no)
	limit=$seconds
	until_crash=()
	if [ "$canary" = yes ]; then
		# How long the planted bug takes to find varies from run to run: the
		# canary runs until it is found, for at least a minute before it is
		# called missed.
		limit=$((seconds > canary_seconds ? seconds : canary_seconds))
		until_crash=(AFL_BENCH_UNTIL_CRASH=1)
	fi
	echo "== $target: ${limit}s"
	CROSSCHECK_FUZZ_TARGET=$target CROSSCHECK_FUZZ_WORK=$work \
		env "${until_crash[@]}" cargo afl fuzz -V "$limit" -t 5000 -i "$corpus" -o "$out" -- "$fuzzer" \
		>"$fuzz/$target.log" 2>&1 || {
		echo "fuzz.sh: afl-fuzz failed for $target; its output: $fuzz/$target.log" >&2
		tail -20 "$fuzz/$target.log" >&2
		exit 1
	}
	rm -rf "$work"
	stats=$out/default/fuzzer_stats
	field() { sed -n "s/^$1 *: *//p" "$stats"; }
	crashes=$(find "$out/default/crashes" -name 'id:*' | wc -l)
	hangs=$(find "$out/default/hangs" -name 'id:*' | wc -l)
	# Keep what this run learned for the next.
	cp -n "$out/default/queue"/id:* "$corpus"/ 2>/dev/null || true
	line=$(printf '%-22s %8s execs %6s/s  %5s corpus  %6s edges  %s crashes  %s hangs' \
		"$target" "$(field execs_done)" "$(field execs_per_sec)" "$(field corpus_count)" \
		"$(field edges_found)" "$crashes" "$hangs")
	summary+=("$line")
	if [ "$canary" = yes ]; then
		if [ "$crashes" -eq 0 ]; then
			echo "fuzz.sh: the canary's planted bug was not found in ${limit}s: the fuzzer is not working" >&2
			status=1
		fi
	elif [ "$crashes" -gt 0 ] || [ "$hangs" -gt 0 ]; then
		status=1
		for finding in "$out/default/crashes"/id:* "$out/default/hangs"/id:*; do
			[ -e "$finding" ] || continue
			echo "fuzz.sh: $target: $finding" >&2
			echo "  replay: $replay replay $target '$finding'" >&2
		done
	fi
done

echo "== fuzzed ${#targets[@]} targets for ${seconds}s each (a canary until its bug was found)"
printf '%s\n' "${summary[@]}"
exit $status
