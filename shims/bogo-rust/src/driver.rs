//! A shim's `main`: the command line, the connections, the checks BoringSSL's
//! shim makes after each handshake, the echo loop, shutdown, error output and
//! exit codes. Library specifics stay behind [`Library`].

use std::fs;
use std::io::Write;
use std::os::unix::ffi::OsStringExt;
use std::path::Path;
use std::process::ExitCode;
use std::sync::PoisonError;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::config::{TLS1_3, TestConfig};
use crate::error::{EXIT_FAILURE, EXIT_MORE_MALLOCS, EXIT_OK, Failure};
use crate::flags::{self, Invocation, ParseError};
use crate::library::{Connection, Library, ReadOutcome};
use crate::unsupported;
use crate::wire::Wire;

/// What the shim writes first with `-shim-writes-first`.
const INITIAL_WRITE: &[u8] = b"hello";
/// Default read size: small, so records are returned in several reads.
const DEFAULT_READ_SIZE: usize = 512;

/// Runs the shim for library `L` on the process arguments.
pub fn main<L: Library>() -> ExitCode {
    let arguments: Vec<Vec<u8>> = std::env::args_os()
        .skip(1)
        .map(OsStringExt::into_vec)
        .collect();
    let code = run::<L>(&arguments);
    let _ = std::io::stdout().flush();
    ExitCode::from(code)
}

/// Runs the shim and returns its exit code; errors go to stderr.
pub fn run<L: Library>(arguments: &[Vec<u8>]) -> u8 {
    let invocation = match flags::parse(arguments) {
        Ok(invocation) => invocation,
        Err(ParseError::Unimplemented(message)) => {
            eprintln!("{message}");
            return Failure::unimplemented(message).exit_code();
        }
        Err(ParseError::Invalid(message)) => {
            eprintln!("{message}");
            return EXIT_FAILURE;
        }
    };
    if invocation.initial.is_handshaker_supported {
        println!("No");
        return EXIT_OK;
    }
    let mut library = match L::new() {
        Ok(library) => library,
        Err(failure) => return report(&failure),
    };
    let outcome = run_connections(&mut library, &invocation);
    let code = match outcome {
        Ok(()) => EXIT_OK,
        Err(failure) => report(&failure),
    };
    if library.allocation_failure_injected() {
        return EXIT_MORE_MALLOCS;
    }
    code
}

fn report(failure: &Failure) -> u8 {
    if let Some(detail) = failure.detail() {
        println!("library error: {detail}");
    }
    eprintln!("{}", failure.stderr_text());
    failure.exit_code()
}

/// Largest buffer a flag may ask for (`-read-size`,
/// `-export-keying-material`).
const MAX_FLAG_BUFFER: usize = 1 << 20;

/// Refuses flag values no test needs and that would exhaust memory.
fn check_sizes(config: &TestConfig) -> Result<(), Failure> {
    let read_size = config.read_size.unwrap_or(DEFAULT_READ_SIZE);
    if read_size > MAX_FLAG_BUFFER || config.export_keying_material > MAX_FLAG_BUFFER {
        return Err(Failure::setup(format!(
            "-read-size and -export-keying-material are limited to {MAX_FLAG_BUFFER} bytes"
        )));
    }
    Ok(())
}

fn run_connections<L: Library>(library: &mut L, invocation: &Invocation) -> Result<(), Failure> {
    for config in [&invocation.initial, &invocation.resume] {
        check_sizes(config)?;
    }
    library.check(&invocation.initial)?;
    if invocation.initial.resume_count > 0 {
        library.check(&invocation.resume)?;
    }
    for index in 0..=invocation.initial.resume_count {
        let config = invocation.connection(index);
        run_connection(library, config, index > 0).map_err(|failure| annotate(failure, index))?;
    }
    Ok(())
}

fn annotate(failure: Failure, index: u32) -> Failure {
    match failure {
        Failure::Check(message) => {
            Failure::Check(format!("{message}\nConnection {} failed.", index + 1))
        }
        other => other,
    }
}

fn run_connection<L: Library>(
    library: &mut L,
    config: &TestConfig,
    resumption: bool,
) -> Result<(), Failure> {
    let wire = Wire::connect(config)?;
    let hellos = wire.hellos();
    run_on_wire(library, config, wire, resumption).map_err(|failure| {
        if matches!(failure, Failure::Unimplemented(_)) {
            return failure;
        }
        let observed = hellos.lock().unwrap_or_else(PoisonError::into_inner);
        match unsupported::missing(config, library.capabilities(), &observed, resumption) {
            Some(missing) => Failure::unimplemented(format!(
                "the peer needs {missing}, which the configuration enables and the library \
                 does not implement ({failure})"
            )),
            None => failure,
        }
    })
}

fn run_on_wire<L: Library>(
    library: &mut L,
    config: &TestConfig,
    wire: Wire,
    resumption: bool,
) -> Result<(), Failure> {
    let mut connection = library.handshake(config, wire, resumption)?;
    // With -implicit-handshake the first read or write runs the handshake,
    // and BoringSSL's shim skips its post-handshake checks.
    if !config.implicit_handshake {
        check_handshake(config, &connection, resumption)?;
    }
    let ended = exchange(config, &mut connection)?;
    check_sessions_after_exchange(config, &connection)?;
    shut_down(config, &mut connection, ended)
}

/// The checks BoringSSL's shim makes right after the handshake.
fn check_handshake(
    config: &TestConfig,
    connection: &impl Connection,
    resumption: bool,
) -> Result<(), Failure> {
    let facts = connection.facts();
    let version = facts.version.unwrap_or(0);

    if let Some(expected) = config.expect_version
        && version != expected
    {
        return Err(Failure::check(format!(
            "want version {expected:04x}, got {version:04x}"
        )));
    }

    let expect_resume = resumption && !config.expect_session_miss;
    if facts.resumed != expect_resume {
        return Err(Failure::check(format!(
            "session unexpectedly was{} reused",
            if facts.resumed { "" } else { " not" }
        )));
    }

    if !config.is_server && version < TLS1_3 {
        let expect_new_session = !config.expect_no_session && !facts.resumed;
        if let Some(count) = connection.sessions().new_sessions
            && expect_new_session != (count > 0)
        {
            return Err(Failure::check(format!(
                "new session was{} cached, but we expected the opposite",
                if count > 0 { "" } else { " not" }
            )));
        }
    }

    if config.is_server && !resumption {
        if let Some(count) = connection.sessions().new_sessions {
            if config.expect_session_id && count == 0 {
                return Err(Failure::check("session was not cached on the server."));
            }
            if config.expect_no_session_id && count > 0 {
                return Err(Failure::check(
                    "session was unexpectedly cached on the server.",
                ));
            }
        } else if config.expect_session_id || config.expect_no_session_id {
            return Err(Failure::unimplemented(
                "the library does not report server-side session caching",
            ));
        }
    }

    let expected_alpn = if config.is_server {
        &config.select_alpn
    } else {
        &config.expect_alpn
    };
    if facts.alpn.as_deref().unwrap_or_default() != expected_alpn.as_slice() {
        return Err(Failure::check("negotiated alpn proto mismatch"));
    }

    if let Some(expected) = config.expect_curve_id {
        let group = facts.group.unwrap_or(0);
        if group != expected {
            return Err(Failure::check(format!(
                "curve_id was {group:04x}, wanted {expected:04x}"
            )));
        }
    }

    if !config.psk.is_empty() {
        if !facts.peer_certificates.is_empty() {
            return Err(Failure::check("Received peer certificate on a PSK cipher."));
        }
    } else if (!config.is_server || config.require_any_client_certificate)
        && facts.peer_certificates.is_empty()
    {
        return Err(Failure::check(
            "Received no peer certificate but expected one.",
        ));
    }

    if let Some(path) = &config.expect_peer_cert_file {
        let expected = read_pem_certificates(path)?;
        if expected != facts.peer_certificates {
            return Err(Failure::check(
                "Received a different certificate chain than expected.",
            ));
        }
    }

    if let Some(expected) = &config.expect_ocsp_response
        && facts.ocsp_response.as_ref() != Some(expected)
    {
        return Err(Failure::check("OCSP response mismatch"));
    }

    if let Some(expected) = config.expect_peer_signature_algorithm {
        let actual = facts.peer_signature_algorithm.unwrap_or(0);
        if actual != expected {
            return Err(Failure::check(format!(
                "Peer signature algorithm was {actual:04x}, wanted {expected:04x}."
            )));
        }
    }

    if config.expect_extended_master_secret && facts.extended_master_secret != Some(true) {
        return Err(Failure::check("No EMS for connection when expected"));
    }

    if config.expect_verify_result && facts.verify_ok == config.verify_fail {
        return Err(Failure::check("Wrong certificate verification result"));
    }

    if let Some(expected) = &config.expect_server_name
        && facts.server_name.as_ref() != Some(expected)
    {
        return Err(Failure::check(format!(
            "servername mismatch (got {}; want {expected})",
            facts.server_name.as_deref().unwrap_or("(null)")
        )));
    }

    // BoringSSL checks the offered list in its ALPN callback, which only
    // runs when the server selects or declines a protocol.
    let alpn_callback = !config.select_alpn.is_empty() || config.decline_alpn || config.reject_alpn;
    if config.is_server
        && alpn_callback
        && !config.expect_advertised_alpn.is_empty()
        && let Some(offered) = &facts.offered_alpn
        && *offered != config.expect_advertised_alpn
    {
        return Err(Failure::check("bad ALPN select callback inputs."));
    }

    let hrr = connection.wire().saw_hello_retry_request();
    if (config.expect_hrr && !hrr) || (config.expect_no_hrr && hrr) {
        return Err(Failure::check(format!(
            "Got {}HRR, but wanted opposite.",
            if hrr { "" } else { "no " }
        )));
    }
    Ok(())
}

/// How the echo phase ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ended {
    /// The shim shut down first (`-shim-shuts-down`).
    ShimFirst,
    /// The peer sent close_notify.
    CloseNotify,
    /// The transport ended without close_notify.
    Eof,
}

/// Record sizes `-write-different-record-sizes` writes, as BoringSSL's shim.
const RECORD_SIZES: [usize; 11] = [
    0, 1, 255, 256, 257, 16383, 16384, 16385, 32767, 32768, 32769,
];

/// The application data phase: exported keying material if asked, the
/// optional initial write, then echo every read back with each byte
/// inverted until the peer closes.
fn exchange(config: &TestConfig, connection: &mut impl Connection) -> Result<Ended, Failure> {
    if config.export_keying_material > 0 {
        let context = config
            .use_export_context
            .then_some(config.export_context.as_slice());
        let material = connection.export_keying_material(
            config.export_keying_material,
            &config.export_label,
            context,
        )?;
        connection.write_all(&material)?;
    }
    if config.write_different_record_sizes {
        for size in RECORD_SIZES {
            connection.write_all(&vec![0x42; size])?;
        }
        return Ok(Ended::ShimFirst);
    }
    if config.shim_writes_first {
        connection.write_all(INITIAL_WRITE)?;
    }
    if config.shim_shuts_down {
        return Ok(Ended::ShimFirst);
    }
    let mut buffer = vec![0u8; config.read_size.unwrap_or(DEFAULT_READ_SIZE).max(1)];
    loop {
        if config.key_update_before_read {
            connection.key_update()?;
        }
        let count = match connection.read(&mut buffer)? {
            ReadOutcome::Data(count) => count,
            ReadOutcome::CloseNotify => return Ok(Ended::CloseNotify),
            ReadOutcome::Eof => return Ok(Ended::Eof),
        };
        if config.key_update {
            connection.key_update()?;
        }
        let reply: Vec<u8> = buffer[..count].iter().map(|byte| byte ^ 0xff).collect();
        connection.write_all(&reply)?;
    }
}

/// TLS 1.3 clients must have received a ticket by the end of the exchange.
fn check_sessions_after_exchange(
    config: &TestConfig,
    connection: &impl Connection,
) -> Result<(), Failure> {
    if config.is_server || connection.facts().version != Some(TLS1_3) {
        return Ok(());
    }
    let sessions = connection.sessions();
    let Some(count) = sessions.new_sessions else {
        return Ok(());
    };
    let expect_new_session = !config.expect_no_session && !config.shim_shuts_down;
    if expect_new_session != (count > 0) {
        return Err(Failure::check(format!(
            "new session was{} cached, but we expected the opposite",
            if count > 0 { "" } else { " not" }
        )));
    }
    if expect_new_session
        && sessions.latest_allows_early_data != config.expect_ticket_supports_early_data
    {
        return Err(Failure::check(format!(
            "new session did{} support early data, but we expected the opposite",
            if sessions.latest_allows_early_data {
                ""
            } else {
                " not"
            }
        )));
    }
    Ok(())
}

/// `SSL_shutdown` as BoringSSL's shim uses it: quiet unless
/// `-check-close-notify`, otherwise send close_notify and, when the shim
/// shuts down first, wait for the peer's.
fn shut_down(
    config: &TestConfig,
    connection: &mut impl Connection,
    ended: Ended,
) -> Result<(), Failure> {
    if !config.check_close_notify {
        return connection.shut_down_quietly();
    }
    connection.send_close_notify()?;
    match ended {
        Ended::CloseNotify => Ok(()),
        Ended::Eof => Err(Failure::check("Unexpected SSL_shutdown result: 0 != 1")),
        Ended::ShimFirst => {
            let mut buffer = [0u8; 512];
            match connection.read(&mut buffer) {
                Ok(ReadOutcome::CloseNotify) => Ok(()),
                Ok(ReadOutcome::Data(_)) => Err(Failure::tls(
                    ":APPLICATION_DATA_ON_SHUTDOWN:",
                    "application data after close_notify was sent",
                )),
                Ok(ReadOutcome::Eof) => {
                    Err(Failure::check("Unexpected SSL_shutdown result: -1 != 1"))
                }
                Err(Failure::Tls { code, detail }) => Err(Failure::Tls {
                    code: format!("{code}\nUnexpected SSL_shutdown result: -1 != 1"),
                    detail,
                }),
                Err(other) => Err(other),
            }
        }
    }
}

/// The DER certificates of a PEM file, in order.
pub fn read_pem_certificates(path: &Path) -> Result<Vec<Vec<u8>>, Failure> {
    let text = fs::read(path)
        .map_err(|error| Failure::setup(format!("reading {}: {error}", path.display())))?;
    CertificateDer::pem_slice_iter(&text)
        .map(|certificate| {
            certificate
                .map(|der| der.as_ref().to_vec())
                .map_err(|error| Failure::setup(format!("parsing {}: {error}", path.display())))
        })
        .collect()
}
