//! Every App Identity case × (generator, verifier) pair, compiled from
//! `specs/app_identity/` by the build script.

mod app_identity {
    include!(concat!(env!("OUT_DIR"), "/app_identity.rs"));
}
