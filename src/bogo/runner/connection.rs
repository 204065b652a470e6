//! One connection with a shim, from the runner's side: the handshake
//! through rustls (its output passing through [`Tamper`]), then the
//! application data exchange, then the close.
//!
//! rustls gets the shim's bytes one whole record at a time and no more once
//! its handshake is done, so when a post-handshake misbehaviour needs the
//! runner to protect records itself ([`Protected`]), nothing the shim sent
//! is stranded inside rustls.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use rustls::pki_types::ServerName;
use rustls::{ClientConnection, Connection, ProtocolVersion, ServerConnection};

use crate::bogo::case::{Case, Misbehaviour, RecordAt, Role};

use super::alerts::{remote_error, rustls_error};
use super::peer::{PeerConfig, SERVER_NAME};
use super::protected::Protected;
use super::record::{
    ALERT, APPLICATION_DATA, HANDSHAKE, KEY_UPDATE, MAX_FRAGMENT, NEW_SESSION_TICKET, Record,
    RecordBuffer, handshake_name, take_handshake_messages,
};
use super::tamper::Tamper;

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

/// Runs one connection of `case` on `stream` (the shim id already read).
pub fn run(
    stream: TcpStream,
    case: &Case,
    config: &PeerConfig,
    idle_timeout: Duration,
) -> Result<(), ConnectionError> {
    let mut wire = Wire::new(stream, idle_timeout)?;
    let misbehaviour = case.peer.misbehaviour;
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
    let connection: Connection = match config {
        PeerConfig::Client(config) => {
            let name = ServerName::try_from(SERVER_NAME)
                .map_err(|error| ConnectionError::Runner(error.to_string()))?;
            ClientConnection::new(config.clone(), name)
                .map_err(|error| ConnectionError::Runner(format!("cannot start rustls: {error}")))?
                .into()
        }
        PeerConfig::Server(config) => ServerConnection::new(config.clone())
            .map_err(|error| ConnectionError::Runner(format!("cannot start rustls: {error}")))?
            .into(),
    };
    let tampered = misbehaviour.filter(Tamper::handles);
    let mut session = Session {
        connection,
        tamper: Tamper::new(tampered),
        wire,
        key_updates: case.peer.key_updates_after_handshake,
    };

    let handshake = session.handshake();
    let after_handshake = misbehaviour.filter(Misbehaviour::is_after_handshake);
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

    match after_handshake {
        Some(misbehaviour) => {
            if case.peer.key_updates_after_handshake > 0 {
                return Err(ConnectionError::Runner(
                    "key updates and post-handshake misbehaviours cannot be combined".to_string(),
                ));
            }
            let mut takeover = session.take_over(misbehaviour)?;
            exchange(&mut takeover, case)?;
            takeover.close();
        }
        None => {
            exchange(&mut session, case)?;
            session.close();
        }
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
    }
    if case.shim_shuts_down {
        channel.expect_close()?;
    }
    Ok(())
}

/// Application data both ways, however records are protected.
trait Channel {
    /// Exactly `length` bytes of application data.
    fn read_exact(&mut self, length: usize) -> Result<Vec<u8>, ConnectionError>;
    fn write(&mut self, data: &[u8]) -> Result<(), ConnectionError>;
    /// What the runner sends before each message (and once when there
    /// are none): key updates, post-handshake misbehaviour.
    fn before_message(&mut self) -> Result<(), ConnectionError>;
    /// The shim closes (close_notify or end of stream) without sending data.
    fn expect_close(&mut self) -> Result<(), ConnectionError>;
    /// close_notify, then the stream's end, then what the shim still sends
    /// (tickets, its own close) until it closes.
    fn close(self);
}

/// The TCP stream, cut into records.
struct Wire {
    stream: TcpStream,
    incoming: RecordBuffer,
    idle_timeout: Duration,
}

impl Wire {
    fn new(stream: TcpStream, idle_timeout: Duration) -> Result<Wire, ConnectionError> {
        stream
            .set_read_timeout(Some(idle_timeout))
            .and_then(|()| stream.set_write_timeout(Some(idle_timeout)))
            .and_then(|()| stream.set_nodelay(true))
            .map_err(|error| {
                ConnectionError::Runner(format!("cannot set up the socket: {error}"))
            })?;
        Ok(Wire {
            stream,
            incoming: RecordBuffer::default(),
            idle_timeout,
        })
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), ConnectionError> {
        self.stream
            .write_all(bytes)
            .map_err(|error| self.io_error("writing to the shim", &error))
    }

    /// The next whole record; `None` at a clean end of stream.
    fn next_record(&mut self) -> Result<Option<Record>, ConnectionError> {
        let mut buffer = [0u8; 8192];
        loop {
            if let Some(record) = self.incoming.next_record() {
                return Ok(Some(record));
            }
            match self.stream.read(&mut buffer) {
                Ok(0) if self.incoming.is_empty() => return Ok(None),
                Ok(0) => {
                    return Err(ConnectionError::local(
                        "the shim closed the connection in the middle of a record",
                    ));
                }
                Ok(read) => self.incoming.extend(&buffer[..read]),
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(self.io_error("reading from the shim", &error)),
            }
        }
    }

    fn io_error(&self, doing: &str, error: &io::Error) -> ConnectionError {
        match error.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
                ConnectionError::local(format!("timed out after {:?} {doing}", self.idle_timeout))
            }
            _ => ConnectionError::local(format!("{doing}: {error}")),
        }
    }

    fn shutdown_write(&self) {
        let _ = self.stream.shutdown(Shutdown::Write);
    }

    /// Reads until the shim closes, errs or goes quiet, handing every
    /// record to `each`.
    fn drain(&mut self, mut each: impl FnMut(Record) -> bool) {
        while let Ok(Some(record)) = self.next_record() {
            if !each(record) {
                return;
            }
        }
    }
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
    key_updates: u32,
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
    /// from here on.
    fn take_over(mut self, misbehaviour: Misbehaviour) -> Result<Takeover, ConnectionError> {
        self.flush()?;
        let runner = |message: String| ConnectionError::Runner(message);
        let suite = self
            .connection
            .negotiated_cipher_suite()
            .ok_or_else(|| runner("rustls negotiated no cipher suite".to_string()))?;
        let tls13 = self.connection.protocol_version() == Some(ProtocolVersion::TLSv1_3);
        let mut pending = Vec::new();
        let _ = self.connection.reader().read_to_end(&mut pending);
        let secrets = self
            .connection
            .dangerous_extract_secrets()
            .map_err(|error| runner(format!("cannot take over from rustls: {error}")))?;
        Ok(Takeover {
            protected: Protected::new(suite, secrets).map_err(runner)?,
            wire: self.wire,
            misbehaviour,
            tls13,
            pending,
            handshake: Vec::new(),
        })
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
        for _ in 0..self.key_updates {
            self.connection.refresh_traffic_keys().map_err(|error| {
                ConnectionError::Runner(format!("cannot send a KeyUpdate: {error}"))
            })?;
        }
        if let Err(error) = self.flush() {
            return Err(self.after_failed_write(error));
        }
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
        if self.flush().is_err() {
            return;
        }
        self.wire.shutdown_write();
        // Tickets arrive here too; rustls stores them for the next connection.
        while let Ok(true) = self.receive() {}
    }
}

/// The runner's own record protection after rustls' handshake.
struct Takeover {
    protected: Protected,
    wire: Wire,
    misbehaviour: Misbehaviour,
    tls13: bool,
    /// Application data rustls had already decrypted.
    pending: Vec<u8>,
    /// Post-handshake handshake bytes not yet forming a whole message.
    handshake: Vec<u8>,
}

impl Takeover {
    fn seal(
        &mut self,
        content_type: u8,
        body: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), ConnectionError> {
        let record = self
            .protected
            .seal(content_type, body)
            .map_err(ConnectionError::Runner)?;
        out.extend_from_slice(&record);
        Ok(())
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), ConnectionError> {
        match self.wire.send(bytes) {
            Ok(()) => Ok(()),
            Err(error) => Err(self.after_failed_write(error)),
        }
    }

    fn after_failed_write(&mut self, error: ConnectionError) -> ConnectionError {
        let mut ignored = Vec::new();
        loop {
            match self.receive(&mut ignored) {
                Ok(true) => {}
                Ok(false) => return error,
                Err(reason) => return reason,
            }
        }
    }

    /// Opens the shim's next record; application data goes to `data`.
    /// False at the end of the stream or at close_notify.
    fn receive(&mut self, data: &mut Vec<u8>) -> Result<bool, ConnectionError> {
        let Some(record) = self.wire.next_record()? else {
            return Ok(false);
        };
        let (content_type, body) = self
            .protected
            .open(record)
            .map_err(|error| ConnectionError::local(rustls_error(&error)))?;
        match content_type {
            APPLICATION_DATA => {
                data.extend_from_slice(&body);
                Ok(true)
            }
            ALERT => match body.as_slice() {
                [_, 0] => Ok(false),
                [_, description] => Err(ConnectionError::local(remote_error(*description))),
                _ => Err(ConnectionError::local("the shim sent a malformed alert")),
            },
            HANDSHAKE => {
                self.handshake.extend_from_slice(&body);
                for message in take_handshake_messages(&mut self.handshake) {
                    match message.message_type {
                        // Tickets after the takeover cannot reach rustls' store.
                        NEW_SESSION_TICKET if self.tls13 => {}
                        KEY_UPDATE => {
                            return Err(ConnectionError::Runner(
                                "the shim sent a KeyUpdate, which the runner cannot follow after a post-handshake misbehaviour"
                                    .to_string(),
                            ));
                        }
                        other => {
                            return Err(ConnectionError::local(format!(
                                "the shim sent an unexpected {} after the handshake",
                                handshake_name(other)
                            )));
                        }
                    }
                }
                Ok(true)
            }
            other => Err(ConnectionError::local(format!(
                "the shim sent a record of unexpected type {other}"
            ))),
        }
    }
}

impl Channel for Takeover {
    fn read_exact(&mut self, length: usize) -> Result<Vec<u8>, ConnectionError> {
        let mut data = std::mem::take(&mut self.pending);
        while data.len() < length {
            let mut received = Vec::new();
            let open = self.receive(&mut received)?;
            data.extend_from_slice(&received);
            if !open && data.len() < length {
                return Err(ConnectionError::local(format!(
                    "the shim closed the connection after {} of {length} bytes",
                    data.len()
                )));
            }
        }
        self.pending = data.split_off(length);
        Ok(data)
    }

    fn write(&mut self, data: &[u8]) -> Result<(), ConnectionError> {
        let mut out = Vec::new();
        for chunk in data.chunks(MAX_FRAGMENT) {
            self.seal(APPLICATION_DATA, chunk, &mut out)?;
        }
        self.send(&out)
    }

    fn before_message(&mut self) -> Result<(), ConnectionError> {
        let mut out = Vec::new();
        match self.misbehaviour {
            Misbehaviour::Alert { level, description } => {
                self.seal(ALERT, &[level, description], &mut out)?;
            }
            Misbehaviour::BogusAlert(body) => self.seal(ALERT, body, &mut out)?,
            Misbehaviour::EmptyRecords(count) => {
                for _ in 0..count {
                    self.seal(APPLICATION_DATA, &[], &mut out)?;
                }
            }
            Misbehaviour::InvalidRecordType {
                content_type,
                at: RecordAt::AfterHandshake,
            } => self.seal(content_type, &[0], &mut out)?,
            other => {
                return Err(ConnectionError::Runner(format!(
                    "{other:?} is not a post-handshake misbehaviour"
                )));
            }
        }
        self.send(&out)
    }

    fn expect_close(&mut self) -> Result<(), ConnectionError> {
        loop {
            let mut data = std::mem::take(&mut self.pending);
            let open = self.receive(&mut data)?;
            if !data.is_empty() {
                return Err(ConnectionError::local(format!(
                    "the shim sent {} bytes of application data instead of shutting down",
                    data.len()
                )));
            }
            if !open {
                return Ok(());
            }
        }
    }

    fn close(mut self) {
        let mut out = Vec::new();
        if self.seal(ALERT, &[1, 0], &mut out).is_ok() && self.wire.send(&out).is_ok() {
            self.wire.shutdown_write();
            self.wire.drain(|_| true);
        }
    }
}
