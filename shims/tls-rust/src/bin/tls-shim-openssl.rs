//! TLS interop shim for openssl (see `shims/README.md`).

use crosscheck_tls_shims::driver;
use crosscheck_tls_shims::openssl_adapter::OpenSsl;

fn main() -> std::process::ExitCode {
    driver::main::<OpenSsl>()
}
