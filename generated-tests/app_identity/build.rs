//! Compiles `specs/app_identity/` into `OUT_DIR/app_identity_family.rs`
//! (`FAMILY`, which the suite tool and the canary tests include) and
//! watches it, so a new or removed spec file re-expands the tests' `spec!`.

use std::process::ExitCode;

use crosscheck_codegen::app_identity::AppIdentity;
use crosscheck_codegen::build_script::TablesBuild;

fn main() -> ExitCode {
    TablesBuild::new("../..")
        .watch("specs/app_identity")
        .family::<AppIdentity>("specs/app_identity")
        .finish()
}
