//! The TCP side of a connection to the runner: connecting, announcing the
//! shim id, time limits, a passive look at the plaintext hellos of both
//! directions (see [`crate::hellos`]) and a draining close.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpStream};
use std::time::Duration;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::config::TestConfig;
use crate::error::Failure;
use crate::hellos::{ClientHelloWatch, ServerHelloWatch};

/// No read or write may block longer than this; the runner gives up after
/// 15 s of silence anyway.
pub const IO_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a closing connection waits for the runner to close its side.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// What the plaintext starts of both directions showed.
#[derive(Debug, Default)]
pub struct Hellos {
    pub client: ClientHelloWatch,
    pub server: ServerHelloWatch,
}

/// A handle on a connection's [`Hellos`] that outlives the [`Wire`].
pub type SharedHellos = Arc<Mutex<Hellos>>;

fn lock(hellos: &SharedHellos) -> MutexGuard<'_, Hellos> {
    hellos.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A connected socket to the runner for one connection.
pub struct Wire {
    tcp: TcpStream,
    hellos: SharedHellos,
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
            hellos: SharedHellos::default(),
            server: config.is_server,
        })
    }

    /// Whether the server sent a HelloRetryRequest on this connection.
    pub fn saw_hello_retry_request(&self) -> bool {
        lock(&self.hellos).server.saw_hello_retry_request()
    }

    /// Whether a TLS 1.2 server sent a NewSessionTicket on this connection.
    pub fn saw_new_session_ticket(&self) -> bool {
        lock(&self.hellos).server.saw_new_session_ticket()
    }

    /// The observations of this connection's hellos, also after the wire
    /// is gone.
    pub fn hellos(&self) -> SharedHellos {
        Arc::clone(&self.hellos)
    }

    /// The raw socket, for libraries that need its file descriptor.
    pub fn tcp(&self) -> &TcpStream {
        &self.tcp
    }
}

impl Read for Wire {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let count = self.tcp.read(buffer)?;
        let mut hellos = lock(&self.hellos);
        if self.server {
            hellos.client.observe(&buffer[..count]);
        } else {
            hellos.server.observe(&buffer[..count]);
        }
        Ok(count)
    }
}

impl Write for Wire {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let count = self.tcp.write(data)?;
        let mut hellos = lock(&self.hellos);
        if self.server {
            hellos.server.observe(&data[..count]);
        } else {
            hellos.client.observe(&data[..count]);
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
