//! The `spec!` route: one spec file expanded in place by the proc-macro
//! (the build-script route is `app_identity.rs`).

crosscheck_macros::spec!("specs/app_identity/extra.yaml");
