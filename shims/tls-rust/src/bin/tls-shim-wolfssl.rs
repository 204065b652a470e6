//! TLS interop shim for wolfSSL (see `shims/README.md`).

use crosscheck_tls_shims::driver;
use crosscheck_tls_shims::wolfssl_adapter::WolfSsl;

fn main() -> std::process::ExitCode {
    driver::main::<WolfSsl>()
}
