//! One TCP listener for every shim of a process, as upstream's runner has:
//! each shim connects, sends its id as 8 little-endian bytes, and the
//! dispatcher hands the connection to the test that registered that id.
//!
//! The listener is on `[::1]:0` (or `127.0.0.1:0` without IPv6 loopback),
//! or on `127.0.0.1:0` for shims that dial IPv4 only. A connection whose id
//! has arrived is dispatched at once; one whose id has not gets a
//! short-lived thread to read it (within the idle timeout), so a silent
//! client holds up nobody. A connection with an id never issued is logged
//! and closed; one for a test that has ended is closed quietly.
//!
//! When a shim exits, a connection it made may still be queued. The test
//! then sends a connection of its own through the listener (a barrier):
//! connections are accepted in order, so once the barrier has arrived and
//! every connection accepted before it has had its id read (those on a
//! thread of their own are waited for), every earlier one has been
//! dispatched, and no fixed grace time is needed.

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::io::{self, Read};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// Upstream's `-idle-timeout` default.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(15);

use crate::listener::{Address, ListenError};

/// How often a waiting test looks at its shim while no connection comes.
pub(crate) const POLL: Duration = Duration::from_millis(10);

/// The listener and its dispatching thread; dropping it stops both.
#[derive(Debug)]
pub struct Dispatcher {
    address: SocketAddr,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

#[derive(Debug)]
struct Shared {
    waiting: Mutex<HashMap<u64, Sender<TcpStream>>>,
    next_id: AtomicU64,
    stopping: AtomicBool,
    unknown: AtomicU64,
    idle_timeout: Duration,
    address: SocketAddr,
    /// How many connections have been accepted: each one's sequence number.
    accepted: AtomicU64,
    /// Sequence numbers of the connections whose id a thread is reading.
    reading_ids: Mutex<BTreeSet<u64>>,
    /// Signalled whenever such a thread is done.
    id_read: Condvar,
}

/// A registered shim id and the connections that arrive for it; dropping
/// it retires the id.
#[derive(Debug)]
pub struct ShimSlot {
    id: u64,
    connections: Receiver<TcpStream>,
    shared: Arc<Shared>,
}

/// Why no connection came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AcceptError {
    /// The shim exited without (another) connection.
    ShimExited,
    /// Nothing arrived within the idle timeout.
    TimedOut(Duration),
}

impl std::fmt::Display for AcceptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AcceptError::ShimExited => write!(f, "the shim exited without connecting"),
            AcceptError::TimedOut(timeout) => {
                write!(f, "the shim did not connect within {timeout:?}")
            }
        }
    }
}

impl Dispatcher {
    /// Binds a listener on `address` and starts dispatching;
    /// `idle_timeout` bounds the wait for each connection's id.
    pub fn start(address: Address, idle_timeout: Duration) -> io::Result<Dispatcher> {
        let listener: TcpListener = super::listener::bind(address)?;
        let address = listener.local_addr()?;
        let shared = Arc::new(Shared {
            waiting: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
            stopping: AtomicBool::new(false),
            unknown: AtomicU64::new(0),
            idle_timeout,
            address,
            accepted: AtomicU64::new(0),
            reading_ids: Mutex::new(BTreeSet::new()),
            id_read: Condvar::new(),
        });
        let thread = thread::Builder::new()
            .name("bogo-dispatcher".to_string())
            .spawn({
                let shared = shared.clone();
                move || accept_loop(&listener, &shared)
            })?;
        Ok(Dispatcher {
            address,
            shared,
            thread: Some(thread),
        })
    }

    /// The process-wide dispatcher on `address`, started on first use; it
    /// lives as long as the process.
    pub fn shared(address: Address) -> Result<&'static Dispatcher, ListenError> {
        static IPV6: OnceLock<Result<Dispatcher, ListenError>> = OnceLock::new();
        static IPV4: OnceLock<Result<Dispatcher, ListenError>> = OnceLock::new();
        let cell = match address {
            Address::Ipv6 => &IPV6,
            Address::Ipv4 => &IPV4,
        };
        cell.get_or_init(|| {
            Dispatcher::start(address, DEFAULT_IDLE_TIMEOUT)
                .map_err(|error| ListenError(Arc::new(error)))
        })
        .as_ref()
        .map_err(Clone::clone)
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Whether the listener is on `::1` (shims then get `-ipv6`).
    pub fn is_ipv6(&self) -> bool {
        self.address.is_ipv6()
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// A fresh shim id, unique in this dispatcher.
    pub fn register(&self) -> ShimSlot {
        register(&self.shared)
    }

    /// Connections closed because their id was never issued.
    pub fn unknown_connections(&self) -> u64 {
        self.shared.unknown.load(Ordering::Relaxed)
    }
}

impl Drop for Dispatcher {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        // Wake the accept call.
        let _ = TcpStream::connect_timeout(&self.address, Duration::from_secs(1));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn register(shared: &Arc<Shared>) -> ShimSlot {
    let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
    let (sender, connections) = mpsc::channel();
    shared
        .waiting
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(id, sender);
    ShimSlot {
        id,
        connections,
        shared: shared.clone(),
    }
}

/// Returns once every connection accepted before this call has been
/// dispatched (or `idle_timeout` has passed).
fn barrier(shared: &Arc<Shared>) {
    let slot = register(shared);
    let sent = TcpStream::connect_timeout(&shared.address, shared.idle_timeout)
        .and_then(|mut stream| stream.write_all(&slot.id.to_le_bytes()));
    if sent.is_ok() && slot.connections.recv_timeout(shared.idle_timeout).is_ok() {
        let horizon = shared.accepted.load(Ordering::SeqCst);
        wait_for_ids_read_before(shared, horizon, Instant::now() + shared.idle_timeout);
    }
}

/// Waits until no connection accepted before `horizon` is still having its
/// id read (those reads end within the idle timeout).
fn wait_for_ids_read_before(shared: &Shared, horizon: u64, deadline: Instant) {
    let mut reading = shared
        .reading_ids
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    while reading.first().is_some_and(|&sequence| sequence < horizon) {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return;
        }
        reading = match shared.id_read.wait_timeout(reading, left) {
            Ok((guard, _)) => guard,
            Err(poisoned) => poisoned.into_inner().0,
        };
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else {
            // EMFILE and friends: back off instead of spinning.
            thread::sleep(POLL);
            continue;
        };
        let sequence = shared.accepted.fetch_add(1, Ordering::SeqCst);
        if id_has_arrived(&stream) {
            dispatch(stream, shared);
            continue;
        }
        shared
            .reading_ids
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(sequence);
        let reader = shared.clone();
        let spawned = thread::Builder::new()
            .name("bogo-shim-id".to_string())
            .spawn(move || {
                dispatch(stream, &reader);
                id_read(&reader, sequence);
            });
        if spawned.is_err() {
            id_read(shared, sequence);
            eprintln!("BoGo runner: cannot start a thread to dispatch a connection; closed it");
        }
    }
}

fn id_read(shared: &Shared, sequence: u64) {
    shared
        .reading_ids
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .remove(&sequence);
    shared.id_read.notify_all();
}

/// Whether all 8 bytes of the shim id can be read without waiting.
fn id_has_arrived(stream: &TcpStream) -> bool {
    let mut id = [0u8; 8];
    if stream.set_nonblocking(true).is_err() {
        return false;
    }
    let peeked = stream.peek(&mut id);
    stream.set_nonblocking(false).is_ok() && matches!(peeked, Ok(8))
}

fn dispatch(mut stream: TcpStream, shared: &Shared) {
    let peer = stream
        .peer_addr()
        .map(|address| address.to_string())
        .unwrap_or_else(|_| "an unknown address".to_string());
    let mut id = [0u8; 8];
    let read = stream
        .set_read_timeout(Some(shared.idle_timeout))
        .and_then(|()| stream.read_exact(&mut id));
    if let Err(error) = read {
        if !shared.stopping.load(Ordering::SeqCst) {
            eprintln!("BoGo runner: connection from {peer} sent no shim id ({error}); closed it");
        }
        return;
    }
    let id = u64::from_le_bytes(id);
    let sender = shared
        .waiting
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&id)
        .cloned();
    match sender {
        Some(sender) => {
            // A test that stopped listening closes the connection by dropping it.
            let _ = stream.set_read_timeout(None);
            let _ = sender.send(stream);
        }
        None if id < shared.next_id.load(Ordering::Relaxed) => {
            let _ = stream.shutdown(Shutdown::Both);
        }
        None => {
            shared.unknown.fetch_add(1, Ordering::Relaxed);
            eprintln!(
                "BoGo runner: error dispatching connection from {peer}: unknown shim id {id}; closed it"
            );
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}

impl ShimSlot {
    /// The id the shim gets as `-shim-id`.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The next connection for this id. Waits at most `timeout`, and stops
    /// early once `shim_exited` says the shim is gone and a barrier shows
    /// no connection of its is still being dispatched.
    pub fn accept(
        &self,
        timeout: Duration,
        mut shim_exited: impl FnMut() -> bool,
    ) -> Result<TcpStream, AcceptError> {
        let started = Instant::now();
        loop {
            match self.connections.recv_timeout(POLL) {
                Ok(stream) => return Ok(stream),
                Err(RecvTimeoutError::Disconnected) => return Err(AcceptError::ShimExited),
                Err(RecvTimeoutError::Timeout) => {}
            }
            if shim_exited() {
                barrier(&self.shared);
                return self
                    .connections
                    .try_recv()
                    .map_err(|_| AcceptError::ShimExited);
            }
            if started.elapsed() >= timeout {
                return Err(AcceptError::TimedOut(timeout));
            }
        }
    }
}

impl Drop for ShimSlot {
    fn drop(&mut self) {
        self.shared
            .waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn connect(dispatcher: &Dispatcher, id: u64) -> TcpStream {
        let mut stream = TcpStream::connect(dispatcher.address()).unwrap();
        stream.write_all(&id.to_le_bytes()).unwrap();
        stream
    }

    #[test]
    fn ids_are_unique_and_connections_reach_their_slot() {
        let dispatcher = Dispatcher::start(Address::Ipv6, Duration::from_secs(5)).unwrap();
        let first = dispatcher.register();
        let second = dispatcher.register();
        assert_ne!(first.id(), second.id());
        let mut to_second = connect(&dispatcher, second.id());
        to_second.write_all(b"for second").unwrap();
        let mut accepted = second.accept(Duration::from_secs(5), || false).unwrap();
        let mut text = [0u8; 10];
        accepted.read_exact(&mut text).unwrap();
        assert_eq!(&text, b"for second");
        assert_eq!(
            first
                .accept(Duration::from_millis(50), || false)
                .unwrap_err(),
            AcceptError::TimedOut(Duration::from_millis(50))
        );
    }

    #[test]
    fn a_slot_stops_waiting_when_its_shim_is_gone() {
        let dispatcher = Dispatcher::start(Address::Ipv6, Duration::from_secs(5)).unwrap();
        let slot = dispatcher.register();
        let started = Instant::now();
        assert_eq!(
            slot.accept(Duration::from_secs(10), || true).unwrap_err(),
            AcceptError::ShimExited
        );
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_connection_made_before_the_shim_exited_is_still_taken() {
        let dispatcher = Dispatcher::start(Address::Ipv6, Duration::from_secs(5)).unwrap();
        for _ in 0..50 {
            let slot = dispatcher.register();
            let _stream = connect(&dispatcher, slot.id());
            assert!(slot.accept(Duration::from_secs(5), || true).is_ok());
            assert_eq!(
                slot.accept(Duration::from_secs(5), || true).unwrap_err(),
                AcceptError::ShimExited
            );
        }
    }

    #[test]
    fn connections_for_retired_ids_are_closed_quietly() {
        let dispatcher = Dispatcher::start(Address::Ipv6, Duration::from_secs(5)).unwrap();
        let slot = dispatcher.register();
        let id = slot.id();
        drop(slot);
        let mut stream = connect(&dispatcher, id);
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut byte = [0u8; 1];
        assert_eq!(stream.read(&mut byte).unwrap_or(0), 0);
        assert_eq!(dispatcher.unknown_connections(), 0);
    }
}
