//! One connection with a shim, from the runner's side: the handshake
//! through rustls (its output passing through [`Tamper`]), then the
//! application data exchange, then the close.
//!
//! rustls gets the shim's bytes one whole record at a time and no more once
//! its handshake is done, so when the runner protects records itself after
//! the handshake ([`Takeover`]: for KeyUpdates, post-handshake misbehaviour,
//! or to see the shim's KeyUpdates), nothing the shim sent is stranded
//! inside rustls.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use rustls::{Connection, ProtocolVersion};

use crosscheck_model::Role;
use crosscheck_model::bogo::{Case, Misbehaviour};

use super::alerts::{remote_error, rustls_error};
use super::peer::PeerConfig;
use super::protected::Protected;
use super::record::ALERT;
use super::secret_log::SecretLog;
use super::takeover::Takeover;
use super::tamper::Tamper;
use super::wire::Wire;

/// What the shim writes first with `-shim-writes-first`.
pub const SHIM_INITIAL_WRITE: &[u8] = b"hello";

/// Why a connection did not go as a well-behaved exchange would.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionError {
    /// What the runner saw of the shim (upstream's "local error"): an
    /// alert, a close, a bad reply, an error of the runner's rustls.
    Local(String),
    /// The runner could not do what the case asks.
    Runner(String),
}

impl ConnectionError {
    fn local(message: impl Into<String>) -> ConnectionError {
        ConnectionError::Local(message.into())
    }
}

/// Runs one connection of `case` on `stream` (the shim id already read);
/// `resumption`: a connection after the first.
pub fn run(
    stream: TcpStream,
    case: &Case,
    config: &PeerConfig,
    resumption: bool,
    idle_timeout: Duration,
) -> Result<(), ConnectionError> {
    let mut wire = Wire::new(stream, idle_timeout)?;
    let misbehaviour = case.peer.misbehaviour.as_ref();
    if let Some(Misbehaviour::RawBytesInsteadOfHandshake(bytes)) = misbehaviour {
        return Err(raw_bytes_instead_of_handshake(
            &mut wire,
            case.shim_role,
            bytes,
        ));
    }
    if let Some(Misbehaviour::SendPrefix(prefix)) = misbehaviour {
        wire.send(prefix)?;
    }
    let secret_log = Arc::new(SecretLog::default());
    let connection = config
        .connect(secret_log.clone(), resumption)
        .map_err(|error| ConnectionError::Runner(error.to_string()))?;
    let tampered = misbehaviour.filter(|misbehaviour| Tamper::handles(misbehaviour));
    let mut session = Session {
        connection,
        tamper: Tamper::new(tampered.cloned()),
        wire,
        secret_log,
        side: case.shim_role.peer(),
    };

    let handshake = session.handshake();
    let after_handshake = misbehaviour.filter(|misbehaviour| misbehaviour.is_after_handshake());
    let unapplied = match (tampered, after_handshake) {
        (Some(misbehaviour), _) if !session.tamper.applied() => Some(misbehaviour),
        (_, Some(misbehaviour)) if handshake.is_err() => Some(misbehaviour),
        _ => None,
    };
    if let Some(misbehaviour) = unapplied {
        let outcome = match &handshake {
            Ok(()) => "the handshake completed".to_string(),
            Err(ConnectionError::Local(error) | ConnectionError::Runner(error)) => {
                format!("the connection ended first: {error}")
            }
        };
        return Err(ConnectionError::Runner(format!(
            "misbehaviour {misbehaviour:?} never happened: {outcome}"
        )));
    }
    handshake?;

    let key_updates =
        case.peer.key_updates_after_handshake > 0 || case.expect.unsolicited_key_update;
    if key_updates || after_handshake.is_some() {
        let mut takeover = session.take_over(case, key_updates)?;
        exchange(&mut takeover, case)?;
        takeover.close();
    } else {
        exchange(&mut session, case)?;
        session.close();
    }
    Ok(())
}

/// The application data phase, over rustls or the runner's own records.
fn exchange(channel: &mut impl Channel, case: &Case) -> Result<(), ConnectionError> {
    if case.shim_writes_first {
        let initial = channel.read_exact(SHIM_INITIAL_WRITE.len())?;
        if initial != SHIM_INITIAL_WRITE {
            return Err(ConnectionError::local(format!(
                "bad initial message {:?} vs {:?}",
                String::from_utf8_lossy(&initial),
                String::from_utf8_lossy(SHIM_INITIAL_WRITE)
            )));
        }
    }
    let length = case.messages.length as usize;
    if case.messages.count == 0 {
        channel.before_message()?;
    }
    for index in 0..case.messages.count {
        channel.before_message()?;
        let message = vec![0x42 ^ (index as u8); length];
        channel.write(&message)?;
        if case.shim_shuts_down {
            // The shim does not answer.
            continue;
        }
        let reply = channel.read_exact(length)?;
        if let Some(at) = (0..length).find(|&at| reply[at] != message[at] ^ 0xff) {
            return Err(ConnectionError::local(format!(
                "bad reply contents at byte {at} of message {index}: got {:#04x}, wanted {:#04x}",
                reply[at],
                message[at] ^ 0xff
            )));
        }
        channel.after_reply()?;
    }
    if case.shim_shuts_down {
        channel.expect_close()?;
    }
    Ok(())
}

/// Application data both ways, however records are protected.
pub trait Channel {
    /// Exactly `length` bytes of application data.
    fn read_exact(&mut self, length: usize) -> Result<Vec<u8>, ConnectionError>;
    fn write(&mut self, data: &[u8]) -> Result<(), ConnectionError>;
    /// What the runner sends before each message (and once when there
    /// are none): KeyUpdates, post-handshake misbehaviour.
    fn before_message(&mut self) -> Result<(), ConnectionError>;
    /// Checks after each reply of the shim's (its KeyUpdates so far).
    fn after_reply(&mut self) -> Result<(), ConnectionError>;
    /// The shim closes (close_notify or end of stream) without sending data.
    fn expect_close(&mut self) -> Result<(), ConnectionError>;
    /// close_notify, then the socket is closed, as upstream's runner does:
    /// it does not wait for the shim to close its side.
    fn close(self);
}

/// Upstream's HTTP-request and garbage tests: raw bytes where the first
/// flight belongs, then whatever the shim answers until it closes.
fn raw_bytes_instead_of_handshake(
    wire: &mut Wire,
    shim_role: Role,
    bytes: &[u8],
) -> ConnectionError {
    if shim_role == Role::Client {
        match wire.next_record() {
            Ok(Some(_)) => {}
            Ok(None) => {
                return ConnectionError::local(
                    "the shim closed the connection before sending its first record",
                );
            }
            Err(error) => return error,
        }
    }
    let sent = wire.send(bytes);
    loop {
        match wire.next_record() {
            Ok(Some(record)) if record.content_type == ALERT => {
                return match record.body.as_slice() {
                    [_, description] => ConnectionError::local(remote_error(*description)),
                    _ => ConnectionError::local("the shim sent a malformed alert"),
                };
            }
            Ok(Some(_)) => {}
            Ok(None) => {
                return match sent {
                    Err(error) => error,
                    Ok(()) => ConnectionError::local(
                        "the shim closed the connection after the runner's raw bytes",
                    ),
                };
            }
            Err(error) => return error,
        }
    }
}

/// The runner's rustls on the wire.
struct Session {
    connection: Connection,
    tamper: Tamper,
    wire: Wire,
    /// The connection's TLS 1.3 traffic secrets, for a takeover.
    secret_log: Arc<SecretLog>,
    /// The runner's side.
    side: Role,
}

impl Session {
    /// Everything rustls wants to send, through the tamperer.
    fn flush(&mut self) -> Result<(), ConnectionError> {
        let mut output = Vec::new();
        while self.connection.wants_write() {
            self.connection.write_tls(&mut output).map_err(|error| {
                ConnectionError::Runner(format!("rustls cannot write: {error}"))
            })?;
        }
        if output.is_empty() {
            return Ok(());
        }
        let bytes = self
            .tamper
            .outgoing(&output)
            .map_err(|error| ConnectionError::Runner(error.to_string()))?;
        self.wire.send(&bytes)
    }

    /// Hands rustls the shim's next record; false at the end of the stream.
    fn receive(&mut self) -> Result<bool, ConnectionError> {
        let Some(record) = self.wire.next_record()? else {
            return Ok(false);
        };
        let bytes = record.encode();
        let mut unread = bytes.as_slice();
        while !unread.is_empty() {
            self.connection
                .read_tls(&mut unread)
                .map_err(|error| ConnectionError::local(format!("local error: {error}")))?;
        }
        if let Err(error) = self.connection.process_new_packets() {
            // rustls queued an alert for the shim.
            let _ = self.flush();
            return Err(ConnectionError::local(rustls_error(&error)));
        }
        self.flush()?;
        Ok(true)
    }

    fn handshake(&mut self) -> Result<(), ConnectionError> {
        loop {
            self.flush()?;
            if !self.connection.is_handshaking() {
                return Ok(());
            }
            if !self.receive()? {
                return Err(ConnectionError::local(
                    "the shim closed the connection during the handshake",
                ));
            }
        }
    }

    /// Reports what the shim said when a write failed, if it said anything.
    fn after_failed_write(&mut self, error: ConnectionError) -> ConnectionError {
        loop {
            match self.receive() {
                Ok(true) => {}
                Ok(false) => return error,
                Err(reason) => return reason,
            }
        }
    }

    /// Leaves rustls with its traffic keys; the runner protects records
    /// from here on. `key_updates`: the case sends or expects KeyUpdates,
    /// which need TLS 1.3.
    fn take_over(mut self, case: &Case, key_updates: bool) -> Result<Takeover, ConnectionError> {
        self.flush()?;
        let runner = |message: String| ConnectionError::Runner(message);
        let suite = self
            .connection
            .negotiated_cipher_suite()
            .ok_or_else(|| runner("rustls negotiated no cipher suite".to_string()))?;
        let tls13 = self.connection.protocol_version() == Some(ProtocolVersion::TLSv1_3);
        if key_updates && !tls13 {
            return Err(runner(
                "KeyUpdates exist only in TLS 1.3, and the connection negotiated an earlier version"
                    .to_string(),
            ));
        }
        let traffic = if tls13 {
            Some(
                self.secret_log
                    .secrets(self.side)
                    .map_err(|error| runner(error.to_string()))?,
            )
        } else {
            None
        };
        let mut pending = Vec::new();
        let _ = self.connection.reader().read_to_end(&mut pending);
        let secrets = self
            .connection
            .dangerous_extract_secrets()
            .map_err(|error| runner(format!("cannot take over from rustls: {error}")))?;
        let protected = Protected::new(suite, secrets, traffic.as_ref())
            .map_err(|error| runner(error.to_string()))?;
        Ok(Takeover::new(case, protected, self.wire, tls13, pending))
    }
}

impl Channel for Session {
    fn read_exact(&mut self, length: usize) -> Result<Vec<u8>, ConnectionError> {
        let mut data = Vec::with_capacity(length);
        while data.len() < length {
            let mut buffer = vec![0u8; length - data.len()];
            match self.connection.reader().read(&mut buffer) {
                Ok(0) => {
                    return Err(ConnectionError::local(format!(
                        "the shim sent close_notify after {} of {length} bytes",
                        data.len()
                    )));
                }
                Ok(read) => data.extend_from_slice(&buffer[..read]),
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                    if !self.receive()? {
                        return Err(ConnectionError::local(format!(
                            "the shim closed the connection after {} of {length} bytes",
                            data.len()
                        )));
                    }
                }
                Err(error) => return Err(ConnectionError::local(format!("local error: {error}"))),
            }
        }
        Ok(data)
    }

    fn write(&mut self, data: &[u8]) -> Result<(), ConnectionError> {
        let mut offset = 0;
        while offset < data.len() {
            let written = self
                .connection
                .writer()
                .write(&data[offset..])
                .map_err(|error| ConnectionError::local(format!("local error: {error}")))?;
            offset += written;
            if let Err(error) = self.flush() {
                return Err(self.after_failed_write(error));
            }
        }
        Ok(())
    }

    fn before_message(&mut self) -> Result<(), ConnectionError> {
        Ok(())
    }

    fn after_reply(&mut self) -> Result<(), ConnectionError> {
        Ok(())
    }

    fn expect_close(&mut self) -> Result<(), ConnectionError> {
        let mut buffer = [0u8; 1024];
        loop {
            match self.connection.reader().read(&mut buffer) {
                Ok(0) => return Ok(()),
                Ok(read) => {
                    return Err(ConnectionError::local(format!(
                        "the shim sent {read} bytes of application data instead of shutting down"
                    )));
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                    if !self.receive()? {
                        return Ok(());
                    }
                }
                Err(error) => return Err(ConnectionError::local(format!("local error: {error}"))),
            }
        }
    }

    fn close(mut self) {
        self.connection.send_close_notify();
        let _ = self.flush();
    }
}
