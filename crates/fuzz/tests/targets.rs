//! Every fuzz target over its seeds and the inputs kept under
//! `regressions/`: none panics, each accepts seeds (so fuzzing starts past
//! the first error), and the canary's planted bug is caught.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::panic::{AssertUnwindSafe, catch_unwind};

use crosscheck_fuzz::{Input, TARGETS, Target, Workspace, regressions_directory, target};

fn run(target: &Target, workspace: &Workspace, data: &[u8]) -> Result<Input, String> {
    catch_unwind(AssertUnwindSafe(|| (target.run)(workspace, data))).map_err(|panic| {
        panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|text| text.to_string()))
            .unwrap_or_default()
    })
}

#[test]
fn every_target_accepts_some_of_its_seeds_and_panics_on_none() {
    let work = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    for target in TARGETS {
        let workspace = Workspace::new(work.path().join(target.name));
        let seeds = (target.seeds)().unwrap();
        assert!(!seeds.is_empty(), "{} has no seeds", target.name);
        let mut accepted = 0;
        for seed in &seeds {
            match run(target, &workspace, &seed.bytes) {
                Ok(Input::Accepted) => accepted += 1,
                Ok(Input::Rejected) => {}
                Err(panic) => problems.push(format!(
                    "{} panicked on seed {}: {panic}",
                    target.name, seed.name
                )),
            }
        }
        if accepted == 0 {
            problems.push(format!(
                "{} accepted none of its {} seeds",
                target.name,
                seeds.len()
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn inputs_that_once_failed_pass_now() {
    let work = tempfile::tempdir().unwrap();
    let mut replayed = 0;
    let mut problems = Vec::new();
    for target in TARGETS.iter().filter(|target| !target.canary) {
        let workspace = Workspace::new(work.path().join(target.name));
        let Ok(entries) = std::fs::read_dir(regressions_directory(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            replayed += 1;
            if let Err(panic) = run(target, &workspace, &data) {
                problems.push(format!(
                    "{} panics on {}: {panic}",
                    target.name,
                    path.display()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    eprintln!("{replayed} kept inputs replayed");
}

#[test]
fn the_canary_panics_on_its_planted_bug_and_only_there() {
    let canary = target("canary").unwrap();
    let work = tempfile::tempdir().unwrap();
    let workspace = Workspace::new(work.path().to_path_buf());
    let panic = run(canary, &workspace, b"BUG! and more").unwrap_err();
    assert!(panic.contains("planted bug"), "{panic}");
    for near_miss in [&b"BUG"[..], b"BUG?", b"bug!", b" BUG!", b""] {
        assert_eq!(run(canary, &workspace, near_miss), Ok(Input::Accepted));
    }
}

#[test]
fn the_records_target_accepts_whole_records_and_rejects_a_cut_one() {
    // The records target checks its own invariant: a stream cut into
    // records re-encodes to the same bytes. Whole records are accepted,
    // a cut one is rejected, and neither panics.
    let records = target("bogo_records").unwrap();
    let work = tempfile::tempdir().unwrap();
    let workspace = Workspace::new(work.path().to_path_buf());
    let alert = [21, 3, 3, 0, 2, 2, 40];
    assert_eq!(run(records, &workspace, &alert), Ok(Input::Accepted));
    assert_eq!(run(records, &workspace, &alert[..6]), Ok(Input::Rejected));
}

#[test]
fn a_spec_target_rejects_a_broken_spec_with_its_reasons() {
    let tls = target("tls_cases").unwrap();
    let work = tempfile::tempdir().unwrap();
    let workspace = Workspace::new(work.path().to_path_buf());
    let seed = (tls.seeds)().unwrap().remove(0);
    assert_eq!(run(tls, &workspace, &seed.bytes), Ok(Input::Accepted));
    assert_eq!(run(tls, &workspace, b"cases: [\n"), Ok(Input::Rejected));
    assert_eq!(
        run(tls, &workspace, b"\xff\xfe not UTF-8"),
        Ok(Input::Rejected)
    );
}
