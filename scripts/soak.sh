#!/usr/bin/env bash
# Interrupts runs at random moments and checks that nothing of theirs is
# left: no process and no listening socket.
#
#     scripts/soak.sh [RUNS] [LATEST_SECONDS]
#
# Each run (default 50) is, in turn, `crosscheck all` (the release binary,
# signalled alone, as `timeout` or `kill PID` would) or `cargo test --test
# tls` (signalled as a process group, as Ctrl-C or a cancelled CI job
# would), interrupted after a random 1 to LATEST_SECONDS (default 20)
# seconds with SIGINT, SIGTERM or SIGKILL. Every run's processes carry a
# marker variable in their environment, which is how leftovers are found
# in /proc, however they were started. Exits non-zero if any run left
# something behind.
set -euo pipefail
# Job control: each run gets a process group of its own, and SIGINT is not
# ignored in it as it would be in a script's background job.
set -m
cd "$(dirname "$0")/.."

runs=${1:-50}
latest=${2:-20}
signals=(INT TERM KILL)
settle_seconds=15

echo "building the release binary and the test binary first"
cargo build --release --locked --quiet
cargo test --locked --no-run --test tls --quiet 2>/dev/null

listening() {
    ss -Hltn | awk '{print $4}' | sort -u
}

# Pids of live (not zombie) processes whose environment holds $1.
marked() {
    local marker=$1 dir pid state
    for dir in /proc/[0-9]*; do
        pid=${dir#/proc/}
        if { tr '\0' '\n' <"$dir/environ"; } 2>/dev/null | grep -qx "$marker"; then
            state=$(awk '{print $3}' "$dir/stat" 2>/dev/null || true)
            [ "$state" = Z ] || echo "$pid"
        fi
    done
}

before=$(listening)
leftovers=0
for run in $(seq 1 "$runs"); do
    signal=${signals[RANDOM % 3]}
    after=$((RANDOM % latest + 1))
    marker="CROSSCHECK_SOAK_RUN=$$-$run"
    if [ $((run % 2)) -eq 1 ]; then
        what="crosscheck all"
        env "$marker" target/release/crosscheck all >/dev/null 2>&1 &
        target=$!
    else
        what="cargo test --test tls"
        env "$marker" cargo test --locked --quiet --test tls >/dev/null 2>&1 &
        target=-$!
    fi
    leader=$!
    sleep "$after"
    kill -s "$signal" -- "$target" 2>/dev/null || true
    wait "$leader" 2>/dev/null || true

    left=""
    for _ in $(seq 1 $((settle_seconds * 4))); do
        left=$(marked "$marker")
        [ -z "$left" ] && break
        sleep 0.25
    done
    new_sockets=$(comm -13 <(echo "$before") <(listening) || true)
    if [ -n "$left" ]; then
        leftovers=$((leftovers + 1))
        echo "run $run: $what, SIG$signal after ${after}s: LEFT RUNNING:"
        for pid in $left; do
            echo "    $pid $({ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | cut -c1-120)"
            kill -s KILL "$pid" 2>/dev/null || true
        done
    else
        echo "run $run: $what, SIG$signal after ${after}s: nothing left"
    fi
    if [ -n "$new_sockets" ]; then
        [ -n "$left" ] || leftovers=$((leftovers + 1))
        echo "    LISTENING sockets that were not there before: $new_sockets"
    fi
done
echo "soak: $runs interrupted runs, $leftovers left processes behind"
[ "$leftovers" -eq 0 ]
