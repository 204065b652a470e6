//! The loopback relay every cell's connections pass through: it hands each
//! direction's bytes to a [`DirectionTap`] as they go by, and, where a case
//! asks (`small_tcp_packet`), forwards them in tiny segments: every write
//! carries at most `segment_bytes`, with Nagle's algorithm off so each
//! becomes its own TCP segment.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::tls::observe::capture::{DirectionCapture, DirectionTap};
use crate::tls::observe::{ConnectionCapture, Depth};

/// Bytes moved per read when segments are not limited.
const BULK_BUFFER: usize = 1024 * 1024;
/// How long forwarding may go on once both programs have exited (the last
/// bytes still in socket buffers); then the relay's sockets are shut.
const DRAIN_AFTER_EXIT: Duration = Duration::from_secs(1);

/// What went through the relay, both directions added up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RelayStats {
    pub connections: u64,
    pub bytes: u64,
    pub segments: u64,
    /// The largest single write.
    pub largest_segment: u64,
}

#[derive(Default)]
struct Counters {
    connections: AtomicU64,
    bytes: AtomicU64,
    segments: AtomicU64,
    largest_segment: AtomicU64,
}

/// One relayed connection: its forwarders and the sockets to shut if they
/// outlive the programs.
struct Forwarding {
    to_server: JoinHandle<DirectionCapture>,
    to_client: JoinHandle<DirectionCapture>,
    sockets: [TcpStream; 2],
}

type Connections = Arc<Mutex<Vec<Forwarding>>>;

/// A running relay; [`Relay::stop`] (or dropping it) stops accepting.
pub struct Relay {
    address: SocketAddr,
    stopping: Arc<AtomicBool>,
    counters: Arc<Counters>,
    acceptor: Option<JoinHandle<()>>,
    connections: Connections,
}

impl Relay {
    /// Listens on `127.0.0.1:listen_port` and forwards each connection to
    /// `127.0.0.1:server_port`, in writes of at most `segment_bytes` when
    /// given, looking at each direction as deep as `depth`.
    pub fn start(
        listen_port: u16,
        server_port: u16,
        segment_bytes: Option<usize>,
        depth: Depth,
    ) -> io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, listen_port))?;
        let address = listener.local_addr()?;
        let stopping = Arc::new(AtomicBool::new(false));
        let counters = Arc::new(Counters::default());
        let connections = Connections::default();
        let forwarding = Forwarder {
            segment_bytes: segment_bytes.map(|bytes| bytes.max(1)),
            depth,
            counters: Arc::clone(&counters),
        };
        let acceptor = {
            let stopping = Arc::clone(&stopping);
            let connections = Arc::clone(&connections);
            thread::Builder::new()
                .name(format!("relay-{listen_port}"))
                .spawn(move || {
                    accept_loop(&listener, server_port, &forwarding, &stopping, &connections)
                })?
        };
        Ok(Relay {
            address,
            stopping,
            counters,
            acceptor: Some(acceptor),
            connections,
        })
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Stops accepting, lets each connection's forwarding finish (both
    /// programs have exited, so their ends are closed), and reports what
    /// was forwarded and seen, connections in the order they came.
    pub fn stop(mut self) -> (RelayStats, Vec<ConnectionCapture>) {
        self.shut_down();
        let forwardings = std::mem::take(
            &mut *self
                .connections
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        let give_up = Instant::now() + DRAIN_AFTER_EXIT;
        let captures = forwardings
            .into_iter()
            .map(|forwarding| {
                while !(forwarding.to_server.is_finished() && forwarding.to_client.is_finished())
                    && Instant::now() < give_up
                {
                    thread::sleep(Duration::from_millis(1));
                }
                for socket in &forwarding.sockets {
                    let _ = socket.shutdown(Shutdown::Both);
                }
                ConnectionCapture {
                    to_server: forwarding.to_server.join().unwrap_or_default(),
                    to_client: forwarding.to_client.join().unwrap_or_default(),
                }
            })
            .collect();
        (self.stats(), captures)
    }

    pub fn stats(&self) -> RelayStats {
        RelayStats {
            connections: self.counters.connections.load(Ordering::Relaxed),
            bytes: self.counters.bytes.load(Ordering::Relaxed),
            segments: self.counters.segments.load(Ordering::Relaxed),
            largest_segment: self.counters.largest_segment.load(Ordering::Relaxed),
        }
    }

    fn shut_down(&mut self) {
        let Some(acceptor) = self.acceptor.take() else {
            return;
        };
        self.stopping.store(true, Ordering::SeqCst);
        // Wake the blocking accept; the loop sees the flag and drops this one.
        let _ = TcpStream::connect(self.address);
        let _ = acceptor.join();
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// How each direction is forwarded.
#[derive(Clone)]
struct Forwarder {
    segment_bytes: Option<usize>,
    depth: Depth,
    counters: Arc<Counters>,
}

fn accept_loop(
    listener: &TcpListener,
    server_port: u16,
    forwarder: &Forwarder,
    stopping: &AtomicBool,
    connections: &Connections,
) {
    for incoming in listener.incoming() {
        if stopping.load(Ordering::SeqCst) {
            return;
        }
        let Ok(client) = incoming else { continue };
        // A server that is gone makes the client fail, which is reported there.
        let Ok(server) = TcpStream::connect((Ipv4Addr::LOCALHOST, server_port)) else {
            continue;
        };
        forwarder
            .counters
            .connections
            .fetch_add(1, Ordering::Relaxed);
        let Ok(forwarding) = forward_both(client, server, forwarder) else {
            continue;
        };
        connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(forwarding);
    }
}

fn forward_both(
    client: TcpStream,
    server: TcpStream,
    forwarder: &Forwarder,
) -> io::Result<Forwarding> {
    let spawn = |from: &TcpStream, to: &TcpStream| -> io::Result<JoinHandle<DirectionCapture>> {
        let (from, to) = (from.try_clone()?, to.try_clone()?);
        let forwarder = forwarder.clone();
        thread::Builder::new()
            .name("relay-forward".into())
            .spawn(move || forwarder.forward(from, to))
    };
    Ok(Forwarding {
        to_server: spawn(&client, &server)?,
        to_client: spawn(&server, &client)?,
        sockets: [client, server],
    })
}

impl Forwarder {
    /// Copies `from` to `to`, showing the bytes to a tap while it looks,
    /// then passes the end of stream on.
    fn forward(&self, mut from: TcpStream, mut to: TcpStream) -> DirectionCapture {
        let mut tap = DirectionTap::new(self.depth);
        let segment_bytes = self.segment_bytes.unwrap_or(BULK_BUFFER);
        if self.segment_bytes.is_some() {
            let _ = to.set_nodelay(true);
        }
        let mut buffer = vec![0u8; segment_bytes.clamp(1024, BULK_BUFFER)];
        loop {
            let read = match from.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(read) => read,
            };
            if tap.is_looking() {
                tap.feed(&buffer[..read]);
            } else {
                tap.count(read);
            }
            if self.write(&mut to, &buffer[..read], segment_bytes).is_err() {
                let _ = from.shutdown(Shutdown::Read);
                return tap.finish();
            }
        }
        let _ = to.shutdown(Shutdown::Write);
        tap.finish()
    }

    fn write(&self, to: &mut TcpStream, bytes: &[u8], segment_bytes: usize) -> io::Result<()> {
        let counters = &self.counters;
        for segment in bytes.chunks(segment_bytes) {
            // Counted before the write, so a peer that has read everything
            // sees complete figures.
            counters.segments.fetch_add(1, Ordering::Relaxed);
            counters
                .bytes
                .fetch_add(segment.len() as u64, Ordering::Relaxed);
            counters
                .largest_segment
                .fetch_max(segment.len() as u64, Ordering::Relaxed);
            to.write_all(segment)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_arrive_intact_in_one_byte_segments() {
        let server = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind server");
        let server_port = server.local_addr().expect("address").port();
        let relay = Relay::start(0, server_port, Some(1), Depth::Everything).expect("relay");
        let echo = thread::spawn(move || {
            let (mut stream, _) = server.accept().expect("accept");
            let mut received = Vec::new();
            stream.read_to_end(&mut received).expect("read");
            stream.write_all(&received).expect("echo");
            received
        });
        let message: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
        let mut client = TcpStream::connect((Ipv4Addr::LOCALHOST, relay.port())).expect("connect");
        client.write_all(&message).expect("send");
        client.shutdown(Shutdown::Write).expect("half-close");
        let mut echoed = Vec::new();
        client.read_to_end(&mut echoed).expect("read echo");

        assert_eq!(echo.join().expect("server thread"), message);
        assert_eq!(echoed, message);
        let (stats, captures) = relay.stop();
        assert_eq!(captures.len(), 1);
        assert_eq!(captures[0].to_server.bytes, 3000);
        assert!(
            captures[0].to_server.not_tls.is_some(),
            "the bytes are not TLS"
        );
        assert_eq!(stats.largest_segment, 1);
        assert_eq!(stats.connections, 1);
        assert_eq!(stats.bytes, 6000);
        assert_eq!(stats.segments, 6000, "every byte travels alone");
    }
}
