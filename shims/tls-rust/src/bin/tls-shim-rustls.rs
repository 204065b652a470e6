//! TLS interop shim for rustls (see `shims/README.md`).

use crosscheck_tls_shims::driver;
use crosscheck_tls_shims::rustls_adapter::Rustls;

fn main() -> std::process::ExitCode {
    driver::main::<Rustls>()
}
