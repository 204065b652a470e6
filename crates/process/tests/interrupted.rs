//! A process that started programs through `Job` and is then interrupted
//! (SIGINT, SIGTERM) or killed (SIGKILL) leaves none of them running, nor
//! what they started in turn.
//!
//! Each test starts this test binary again as that process (the ignored
//! `parent_to_interrupt` below, told where to write by an environment
//! variable), waits until its program and that program's child run, signals
//! it, and checks both are gone.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on what they set up

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crosscheck_process::{Job, ends_within};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

const PIDS_FILE_VARIABLE: &str = "CROSSCHECK_TEST_INTERRUPTED_PIDS";

#[test]
#[ignore = "the process the other tests of this file start and interrupt; alone it does nothing"]
fn parent_to_interrupt() {
    let Some(pids) = std::env::var_os(PIDS_FILE_VARIABLE) else {
        return;
    };
    // A program that leaves a child in its group: both sleep.
    let script =
        r#"sleep 300 & echo $! > "$1.part"; echo $$ >> "$1.part"; mv "$1.part" "$1"; wait"#;
    let running = Job::new("sh", ["-c", script, "sh"])
        .arg(pids)
        .deadline(Duration::from_secs(300))
        .start()
        .expect("sh starts");
    let _ = running.wait();
}

fn started_then_signalled(signal: Signal) -> Vec<i32> {
    let dir = tempfile::tempdir().unwrap();
    let pids_file = dir.path().join("pids");
    // A test run started in the background of a script inherits SIGINT
    // ignored (POSIX), and so would the parent: `env` gives it the
    // default, as a run started from a terminal has.
    let mut parent = Command::new("env")
        .arg("--default-signal=INT")
        .arg(std::env::current_exe().unwrap())
        .args(["--exact", "parent_to_interrupt", "--include-ignored"])
        .env(PIDS_FILE_VARIABLE, &pids_file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pids = wait_for_pids(&pids_file);
    kill(Pid::from_raw(parent.id() as i32), signal).unwrap();
    let status = parent.wait().unwrap();
    assert!(
        !status.success(),
        "the parent was not interrupted: {status}"
    );
    pids
}

fn wait_for_pids(file: &Path) -> Vec<i32> {
    let give_up = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(text) = fs::read_to_string(file) {
            return text.lines().map(|line| line.parse().unwrap()).collect();
        }
        assert!(
            Instant::now() < give_up,
            "the parent never started its program"
        );
        thread::sleep(Duration::from_millis(20));
    }
}

fn leaves_nothing_running(signal: Signal) {
    let pids = started_then_signalled(signal);
    assert_eq!(pids.len(), 2, "{pids:?}");
    let left: Vec<i32> = pids
        .into_iter()
        .filter(|&pid| !ends_within(pid, Duration::from_secs(10)))
        .collect();
    for &pid in &left {
        let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
    }
    assert!(
        left.is_empty(),
        "still running after {signal}: {left:?} (the program's child is the first)"
    );
}

#[test]
fn sigint_leaves_nothing_running() {
    leaves_nothing_running(Signal::SIGINT);
}

#[test]
fn sigterm_leaves_nothing_running() {
    leaves_nothing_running(Signal::SIGTERM);
}

#[test]
fn sigkill_leaves_nothing_running() {
    leaves_nothing_running(Signal::SIGKILL);
}
