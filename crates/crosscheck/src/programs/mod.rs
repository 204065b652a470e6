//! Getting the programs under test built, once: every family's builds (the
//! TLS implementations' build commands, BoGo's cargo shims, the scripts that
//! build libraries' own shims into the machine's cache) go through
//! [`BuildOnce`], which runs a build at most once per process
//! ([`once_per_process`]) and once per machine state: under an exclusive
//! file lock that every process shares, skipped while its marker holds the
//! fingerprint of what it was built from.

mod build_once;
mod fingerprint;
mod lock;
pub mod script;

pub use build_once::{BuildOnce, once_per_process};
pub use fingerprint::{Fingerprint, hex};
pub use lock::lock_exclusive;
