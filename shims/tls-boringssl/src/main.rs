//! TLS interop shim for BoringSSL (see `shims/README.md`).

mod adapter;

fn main() -> std::process::ExitCode {
    crosscheck_tls_driver::driver::main::<adapter::BoringSsl>()
}
