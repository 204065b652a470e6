//! The TCP side of a connection to the runner: connecting, announcing the
//! shim id, time limits, a passive look at the plaintext handshake (to see a
//! HelloRetryRequest whatever the library reports) and a draining close.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpStream};
use std::time::Duration;

use crate::config::TestConfig;
use crate::error::Failure;

/// No read or write may block longer than this; the runner gives up after
/// 15 s of silence anyway.
pub const IO_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a closing connection waits for the runner to close its side.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// The ServerHello.random that marks a HelloRetryRequest (RFC 8446, 4.1.3).
const HRR_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// Record content types.
const CHANGE_CIPHER_SPEC: u8 = 20;
const HANDSHAKE: u8 = 22;
/// Handshake message type of ServerHello (and of HelloRetryRequest).
const SERVER_HELLO: u8 = 2;

/// Watches the server's plaintext records until its real ServerHello and
/// notes whether a HelloRetryRequest came first.
#[derive(Debug, Default)]
pub struct HelloRetryWatch {
    records: Vec<u8>,
    messages: Vec<u8>,
    done: bool,
    seen: bool,
}

impl HelloRetryWatch {
    /// Whether the server sent a HelloRetryRequest.
    pub fn seen(&self) -> bool {
        self.seen
    }

    /// Feeds bytes the server sent, in order.
    pub fn observe(&mut self, data: &[u8]) {
        if self.done {
            return;
        }
        self.records.extend_from_slice(data);
        while !self.done && self.records.len() >= 5 {
            let content_type = self.records[0];
            let length = usize::from(u16::from_be_bytes([self.records[3], self.records[4]]));
            if self.records.len() < 5 + length {
                break;
            }
            let body: Vec<u8> = self.records.drain(..5 + length).skip(5).collect();
            match content_type {
                HANDSHAKE => {
                    self.messages.extend_from_slice(&body);
                    self.scan_messages();
                }
                CHANGE_CIPHER_SPEC => {}
                _ => self.done = true,
            }
        }
        if self.done {
            self.records = Vec::new();
            self.messages = Vec::new();
        }
    }

    fn scan_messages(&mut self) {
        while !self.done && self.messages.len() >= 4 {
            let length = (usize::from(self.messages[1]) << 16)
                | (usize::from(self.messages[2]) << 8)
                | usize::from(self.messages[3]);
            if self.messages.len() < 4 + length {
                return;
            }
            let message: Vec<u8> = self.messages.drain(..4 + length).collect();
            if message[0] != SERVER_HELLO {
                continue;
            }
            // type(1) length(3) legacy_version(2) random(32)
            if message.len() >= 38 && message[6..38] == HRR_RANDOM {
                self.seen = true;
            } else {
                // The real ServerHello: everything after it may be encrypted.
                self.done = true;
            }
        }
    }
}

/// A connected socket to the runner for one connection.
pub struct Wire {
    tcp: TcpStream,
    watch: HelloRetryWatch,
    /// True when the shim is the server, so the server's bytes are the ones
    /// it writes.
    server: bool,
}

impl Wire {
    /// Connects to the runner and announces the shim id.
    pub fn connect(config: &TestConfig) -> Result<Wire, Failure> {
        let address = if config.ipv6 {
            SocketAddr::from((Ipv6Addr::LOCALHOST, config.port))
        } else {
            SocketAddr::from((Ipv4Addr::LOCALHOST, config.port))
        };
        let mut tcp = TcpStream::connect_timeout(&address, IO_TIMEOUT)
            .map_err(|error| Failure::io("connecting to the runner", error))?;
        tcp.set_read_timeout(Some(IO_TIMEOUT))
            .and_then(|()| tcp.set_write_timeout(Some(IO_TIMEOUT)))
            .and_then(|()| tcp.set_nodelay(true))
            .map_err(|error| Failure::io("configuring the socket", error))?;
        tcp.write_all(&config.shim_id.to_le_bytes())
            .map_err(|error| Failure::io("sending the shim id", error))?;
        Ok(Wire {
            tcp,
            watch: HelloRetryWatch::default(),
            server: config.is_server,
        })
    }

    /// Whether the server sent a HelloRetryRequest on this connection.
    pub fn saw_hello_retry_request(&self) -> bool {
        self.watch.seen()
    }

    /// The raw socket, for libraries that need its file descriptor.
    pub fn tcp(&self) -> &TcpStream {
        &self.tcp
    }
}

impl Read for Wire {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let count = self.tcp.read(buffer)?;
        if !self.server {
            self.watch.observe(&buffer[..count]);
        }
        Ok(count)
    }
}

impl Write for Wire {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let count = self.tcp.write(data)?;
        if self.server {
            self.watch.observe(&data[..count]);
        }
        Ok(count)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tcp.flush()
    }
}

impl Drop for Wire {
    /// Half-closes and drains before closing, as BoringSSL's shim does, so
    /// the runner reads everything (a final alert included) instead of a
    /// reset.
    fn drop(&mut self) {
        let _ = self.tcp.shutdown(Shutdown::Write);
        let _ = self.tcp.set_read_timeout(Some(DRAIN_TIMEOUT));
        let mut sink = [0u8; 4096];
        while let Ok(count) = self.tcp.read(&mut sink) {
            if count == 0 {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(content_type: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![content_type, 3, 3];
        out.extend_from_slice(&u16::try_from(body.len()).expect("short").to_be_bytes());
        out.extend_from_slice(body);
        out
    }

    fn server_hello(random: &[u8; 32]) -> Vec<u8> {
        let mut body = vec![3, 3];
        body.extend_from_slice(random);
        body.extend_from_slice(&[0, 0x13, 0x01, 0, 0, 0]);
        let mut message = vec![SERVER_HELLO, 0, 0, u8::try_from(body.len()).expect("short")];
        message.extend_from_slice(&body);
        message
    }

    #[test]
    fn sees_a_fragmented_hello_retry_request() {
        let hrr = server_hello(&HRR_RANDOM);
        let mut wire = record(HANDSHAKE, &hrr[..10]);
        wire.extend(record(HANDSHAKE, &hrr[10..]));
        wire.extend(record(CHANGE_CIPHER_SPEC, &[1]));
        wire.extend(record(HANDSHAKE, &server_hello(&[7; 32])));
        let mut watch = HelloRetryWatch::default();
        for chunk in wire.chunks(3) {
            watch.observe(chunk);
        }
        assert!(watch.seen());
        assert!(watch.done);
    }

    #[test]
    fn the_retry_random_is_sha256_of_hello_retry_request() {
        // RFC 8446, 4.1.3.
        assert_eq!(HRR_RANDOM, openssl::sha::sha256(b"HelloRetryRequest"));
    }

    #[test]
    fn a_plain_server_hello_is_no_retry() {
        let mut watch = HelloRetryWatch::default();
        watch.observe(&record(HANDSHAKE, &server_hello(&[1; 32])));
        // Encrypted records follow; they are not parsed.
        watch.observe(&record(23, &[2; 40]));
        assert!(!watch.seen());
    }

    #[test]
    fn stops_at_the_first_non_handshake_record() {
        let mut watch = HelloRetryWatch::default();
        watch.observe(&record(21, &[2, 40]));
        watch.observe(&record(HANDSHAKE, &server_hello(&HRR_RANDOM)));
        assert!(!watch.seen());
    }
}
