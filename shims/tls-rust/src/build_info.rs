//! What the shims were built from: the exact versions of the crates they
//! link, as `Cargo.lock` pinned them (recorded by the build script).

mod built {
    include!(concat!(env!("OUT_DIR"), "/built.rs"));
}

/// The version of dependency `name` this build used, or `"?"` when the
/// package does not depend on it.
pub fn crate_version(name: &str) -> &'static str {
    built::DEPENDENCIES
        .iter()
        .find(|(dependency, _)| *dependency == name)
        .map_or("?", |(_, version)| *version)
}
