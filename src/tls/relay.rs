//! A loopback relay between client and server that forwards the byte stream
//! in tiny segments (the `small_tcp_packet` case): every write carries at
//! most `segment_bytes`, with Nagle's algorithm off so each becomes its own
//! TCP segment.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::{self, JoinHandle};

/// What went through the relay, both directions added up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RelayStats {
    pub connections: u64,
    pub bytes: u64,
    pub segments: u64,
}

#[derive(Default)]
struct Counters {
    connections: AtomicU64,
    bytes: AtomicU64,
    segments: AtomicU64,
}

/// A running relay; [`Relay::stop`] (or dropping it) stops accepting.
pub struct Relay {
    address: SocketAddr,
    stopping: Arc<AtomicBool>,
    counters: Arc<Counters>,
    acceptor: Option<JoinHandle<()>>,
}

impl Relay {
    /// Listens on `127.0.0.1:listen_port` and forwards each connection to
    /// `127.0.0.1:server_port`.
    pub fn start(listen_port: u16, server_port: u16, segment_bytes: usize) -> io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, listen_port))?;
        let address = listener.local_addr()?;
        let stopping = Arc::new(AtomicBool::new(false));
        let counters = Arc::new(Counters::default());
        let acceptor = {
            let stopping = Arc::clone(&stopping);
            let counters = Arc::clone(&counters);
            let segment_bytes = segment_bytes.max(1);
            thread::Builder::new()
                .name(format!("relay-{listen_port}"))
                .spawn(move || {
                    accept_loop(&listener, server_port, segment_bytes, &stopping, &counters)
                })?
        };
        Ok(Relay {
            address,
            stopping,
            counters,
            acceptor: Some(acceptor),
        })
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Stops accepting and reports what was forwarded. Connections in flight
    /// end when their endpoints close them.
    pub fn stop(mut self) -> RelayStats {
        self.shut_down();
        self.stats()
    }

    pub fn stats(&self) -> RelayStats {
        RelayStats {
            connections: self.counters.connections.load(Ordering::Relaxed),
            bytes: self.counters.bytes.load(Ordering::Relaxed),
            segments: self.counters.segments.load(Ordering::Relaxed),
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

fn accept_loop(
    listener: &TcpListener,
    server_port: u16,
    segment_bytes: usize,
    stopping: &AtomicBool,
    counters: &Arc<Counters>,
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
        counters.connections.fetch_add(1, Ordering::Relaxed);
        for (from, to) in [(&client, &server), (&server, &client)] {
            let (Ok(from), Ok(to)) = (from.try_clone(), to.try_clone()) else {
                continue;
            };
            let counters = Arc::clone(counters);
            let _ = thread::Builder::new()
                .name("relay-forward".into())
                .spawn(move || forward(from, to, segment_bytes, &counters));
        }
    }
}

/// Copies `from` to `to` in writes of at most `segment_bytes`, then passes
/// the end of stream on.
fn forward(mut from: TcpStream, mut to: TcpStream, segment_bytes: usize, counters: &Counters) {
    let _ = to.set_nodelay(true);
    let mut buffer = vec![0u8; segment_bytes.min(64 * 1024)];
    loop {
        match from.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(read) => {
                for segment in buffer[..read].chunks(segment_bytes) {
                    // Counted before the write, so a peer that has read
                    // everything sees complete figures.
                    counters.segments.fetch_add(1, Ordering::Relaxed);
                    counters
                        .bytes
                        .fetch_add(segment.len() as u64, Ordering::Relaxed);
                    if to.write_all(segment).is_err() {
                        let _ = from.shutdown(Shutdown::Read);
                        return;
                    }
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_arrive_intact_in_one_byte_segments() {
        let server = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind server");
        let server_port = server.local_addr().expect("address").port();
        let relay = Relay::start(0, server_port, 1).expect("relay");
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
        let stats = relay.stop();
        assert_eq!(stats.connections, 1);
        assert_eq!(stats.bytes, 6000);
        assert_eq!(stats.segments, 6000, "every byte travels alone");
    }
}
