//! Checks every spec family under `specs/`, reporting every family's spec
//! errors together with their locations, and writes under `OUT_DIR` the
//! static tables the command line includes, one file per family
//! (`SpecFamily::TABLES_FILE`): `app_identity_family.rs` (`FAMILY`),
//! `tls_matrix.rs` (`MATRIX`) and `bogo.rs` (`ROOT`, `CASES` from
//! `specs/bogo/` and `SHIMS` from `specs/shims/*.yaml`).
//!
//! It watches every file and directory under `specs/`. The families' tests
//! are in packages of their own (`generated-tests/`), whose build scripts
//! watch only their family, so a spec edit rebuilds this package only when
//! the command line is built.

use std::process::ExitCode;

use crosscheck_codegen::app_identity::AppIdentity;
use crosscheck_codegen::bogo_cases::Bogo;
use crosscheck_codegen::build_script::TablesBuild;
use crosscheck_codegen::tls::Tls;

fn main() -> ExitCode {
    TablesBuild::new(".")
        .watch("specs")
        .family::<AppIdentity>("specs/app_identity")
        .family::<Tls>("specs/tls")
        .family::<Bogo>("specs/bogo")
        .finish()
}
