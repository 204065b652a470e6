//! The scenario driver of the TLS interop shims (see `shims/README.md` for
//! the contract), shared by every shim whatever TLS library it links.
//!
//! The driver ([`driver`], [`scenario`], [`exchange`]) owns the command line,
//! the environment, TCP, the cases' exchanges, checks, facts and exit codes;
//! an adapter implements [`library::Library`] for one TLS library, and its
//! binary's `main` is `driver::main::<Adapter>()`.

pub mod case;
pub mod driver;
pub mod error;
pub mod exchange;
pub mod invocation;
pub mod key_log;
pub mod library;
pub mod pki;
pub mod protocol;
pub mod scenario;
pub mod transport;
