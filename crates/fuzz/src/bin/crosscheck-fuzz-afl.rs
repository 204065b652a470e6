//! One fuzz target under AFL++: `CROSSCHECK_FUZZ_TARGET` names it and
//! `CROSSCHECK_FUZZ_WORK` is the directory the spec targets may write in.
//! Built and started by `scripts/fuzz.sh`.

use std::panic::AssertUnwindSafe;
use std::process::ExitCode;

use crosscheck_fuzz::{TARGETS, Workspace, target};

fn main() -> ExitCode {
    let name = std::env::var("CROSSCHECK_FUZZ_TARGET").unwrap_or_default();
    let Some(target) = target(&name) else {
        let names: Vec<&str> = TARGETS.iter().map(|target| target.name).collect();
        eprintln!(
            "crosscheck-fuzz-afl: CROSSCHECK_FUZZ_TARGET={name:?} names no target; the targets are {}",
            names.join(", ")
        );
        return ExitCode::from(2);
    };
    let Some(work) = std::env::var_os("CROSSCHECK_FUZZ_WORK") else {
        eprintln!(
            "crosscheck-fuzz-afl: set CROSSCHECK_FUZZ_WORK to a directory the targets may write in"
        );
        return ExitCode::from(2);
    };
    // A panic ends the process under AFL, so no state outlives one.
    let workspace = AssertUnwindSafe(Workspace::new(work.into()));
    afl::fuzz!(|data: &[u8]| {
        (target.run)(&workspace, data);
    });
    ExitCode::SUCCESS
}
