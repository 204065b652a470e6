//! `spec!` on a single case file: the module holds just that file's cases
//! (the whole directory is still checked).

crosscheck_macros::spec!("specs/app_identity/extra.yaml");
