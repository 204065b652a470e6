//! The App Identity integration-suite tool (`generate` / `run`), built over
//! the cases compiled from `specs/app_identity/`.

include!(concat!(env!("OUT_DIR"), "/app_identity_family.rs"));

fn main() -> std::process::ExitCode {
    crosscheck::app_identity::suite_tool::main(&FAMILY, std::env::args())
}
