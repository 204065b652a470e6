//! Where a shim's connections arrive, in the protocol its vintage speaks.
//!
//! Since June 2023 upstream's runner has one listener for every test and
//! each shim sends the `-shim-id` it was given first on every connection
//! ([`Dispatcher`]). Shims from before that (BoringSSL's until then, NSS's)
//! know neither `-shim-id` nor `-ipv6`: each test gets a listener of its
//! own ([`OwnListener`]) and the shim connects to it with no id.

use std::io::{self, ErrorKind};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use thiserror::Error;

use crate::dispatcher::{AcceptError, Dispatcher, POLL, ShimSlot};

/// The runner could not open a listener on loopback.
#[derive(Debug, Clone, Error)]
#[error("the BoGo runner cannot listen on loopback: {0}")]
pub struct ListenError(#[source] pub Arc<io::Error>);

pub use crosscheck_model::bogo::shim::{Address, Protocol};

/// A listener on `address`'s loopback.
pub(crate) fn bind(address: Address) -> io::Result<TcpListener> {
    match address {
        Address::Ipv6 => TcpListener::bind("[::1]:0").or_else(|_| TcpListener::bind("127.0.0.1:0")),
        Address::Ipv4 => TcpListener::bind("127.0.0.1:0"),
    }
}

/// One test's source of connections.
#[derive(Debug)]
pub enum ShimListener {
    /// A shim id registered with the process-wide dispatcher.
    Dispatched {
        dispatcher: &'static Dispatcher,
        slot: ShimSlot,
    },
    /// A listener of this test's own.
    Own(OwnListener),
}

impl ShimListener {
    /// A source of connections for one shim run in `protocol`.
    pub fn open(protocol: Protocol) -> Result<ShimListener, ListenError> {
        if protocol.shim_id {
            let dispatcher = Dispatcher::shared(protocol.address)?;
            Ok(ShimListener::Dispatched {
                dispatcher,
                slot: dispatcher.register(),
            })
        } else {
            OwnListener::bind(protocol.address)
                .map(ShimListener::Own)
                .map_err(|error| ListenError(Arc::new(error)))
        }
    }

    /// The flags that tell the shim where to connect: `-port P`, then
    /// `-shim-id N` and `-ipv6` where the protocol has them.
    pub fn flags(&self) -> Vec<String> {
        match self {
            ShimListener::Dispatched { dispatcher, slot } => {
                let mut flags = vec![
                    "-port".to_string(),
                    dispatcher.port().to_string(),
                    "-shim-id".to_string(),
                    slot.id().to_string(),
                ];
                if dispatcher.is_ipv6() {
                    flags.push("-ipv6".to_string());
                }
                flags
            }
            ShimListener::Own(own) => vec!["-port".to_string(), own.port.to_string()],
        }
    }

    /// The next connection: waits at most `timeout` and stops once
    /// `shim_exited` says the shim is gone and no connection of its is
    /// still on its way.
    pub fn accept(
        &self,
        timeout: Duration,
        shim_exited: impl FnMut() -> bool,
    ) -> Result<TcpStream, AcceptError> {
        match self {
            ShimListener::Dispatched { slot, .. } => slot.accept(timeout, shim_exited),
            ShimListener::Own(own) => own.accept(timeout, shim_exited),
        }
    }
}

/// A listener for one test; the shim connects without an id.
#[derive(Debug)]
pub struct OwnListener {
    listener: TcpListener,
    port: u16,
}

impl OwnListener {
    pub fn bind(address: Address) -> io::Result<OwnListener> {
        let listener = bind(address)?;
        listener.set_nonblocking(true)?;
        let port = listener.local_addr()?.port();
        Ok(OwnListener { listener, port })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    fn accept(
        &self,
        timeout: Duration,
        mut shim_exited: impl FnMut() -> bool,
    ) -> Result<TcpStream, AcceptError> {
        let started = Instant::now();
        loop {
            // Checked before the accept: a connection the shim made before
            // exiting is already queued, so this last accept finds it.
            let exited = shim_exited();
            match self.listener.accept() {
                Ok((stream, _)) => {
                    return stream
                        .set_nonblocking(false)
                        .map(|()| stream)
                        .map_err(|_| AcceptError::ShimExited);
                }
                Err(error) if error.kind() == ErrorKind::WouldBlock => {}
                Err(error) if error.kind() == ErrorKind::Interrupted => continue,
                Err(_) => return Err(AcceptError::ShimExited),
            }
            if exited {
                return Err(AcceptError::ShimExited);
            }
            if started.elapsed() >= timeout {
                return Err(AcceptError::TimedOut(timeout));
            }
            wait_readable(&self.listener, POLL);
        }
    }
}

/// Sleeps until `listener` has a connection or `timeout` passes.
fn wait_readable(listener: &TcpListener, timeout: Duration) {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    use std::os::fd::AsFd;
    let mut fds = [PollFd::new(listener.as_fd(), PollFlags::POLLIN)];
    let millis = u16::try_from(timeout.as_millis()).unwrap_or(u16::MAX);
    if poll(&mut fds, PollTimeout::from(millis)).is_err() {
        std::thread::sleep(timeout);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    #[test]
    fn an_own_listener_takes_connections_without_an_id() {
        let own = OwnListener::bind(Address::Ipv4).unwrap();
        let mut client = TcpStream::connect(("127.0.0.1", own.port())).unwrap();
        client.write_all(b"hello").unwrap();
        let mut accepted = own.accept(Duration::from_secs(5), || false).unwrap();
        let mut text = [0u8; 5];
        accepted.read_exact(&mut text).unwrap();
        assert_eq!(&text, b"hello");
    }

    #[test]
    fn a_connection_made_before_the_shim_exited_is_still_taken() {
        let own = OwnListener::bind(Address::Ipv4).unwrap();
        let _client = TcpStream::connect(("127.0.0.1", own.port())).unwrap();
        assert!(own.accept(Duration::from_secs(5), || true).is_ok());
        assert_eq!(
            own.accept(Duration::from_secs(5), || true).unwrap_err(),
            AcceptError::ShimExited
        );
    }

    #[test]
    fn flags_follow_the_protocol() {
        let own = ShimListener::open(Protocol {
            shim_id: false,
            ..Protocol::CURRENT
        })
        .unwrap();
        let flags = own.flags();
        assert_eq!(flags.len(), 2);
        assert_eq!(flags[0], "-port");
        let dispatched = ShimListener::open(Protocol::CURRENT).unwrap();
        assert!(dispatched.flags().contains(&"-shim-id".to_string()));
    }
}
