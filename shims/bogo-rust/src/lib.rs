//! BoGo shims: programs that speak BoringSSL's test-runner protocol
//! (`ssl/test/runner`) for rustls and for OpenSSL.
//!
//! [`driver`] owns the command line ([`flags`] into [`config::TestConfig`]),
//! the connections ([`wire`]), the checks BoringSSL's shim makes, the echo
//! loop and the exit codes; each adapter implements [`library::Library`].

pub mod config;
pub mod driver;
pub mod error;
pub mod flags;
pub mod hellos;
pub mod library;
pub mod openssl_adapter;
pub mod rustls_adapter;
pub mod unsupported;
pub mod wire;
