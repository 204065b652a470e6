//! Loopback ports for servers, reserved so that parallel tests (threads of
//! one `cargo test`, nextest's processes, several checkouts) never pick the
//! same one.
//!
//! A reservation is an exclusive lock on `<temp>/crosscheck-ports/<port>.lock`
//! held for as long as the [`PortReservation`] lives; the kernel drops the
//! lock if the process dies. Ports come from below Linux's ephemeral range,
//! so outgoing connections' source ports cannot take them either. Lock files
//! stay in place (empty): deleting one while another process opens it would
//! let two holders in.
//!
//! Programs outside crosscheck do not take these locks, so a port is only
//! handed out when it can be bound on the wildcard address: Linux refuses
//! that bind while any socket listens on the port, on whichever local
//! address, even with `SO_REUSEADDR` (which the standard library sets).

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, TcpListener};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// Where reservations are taken: below the default ephemeral range
/// (32768–60999) and above the well-known and most registered services.
pub const PORT_RANGE: Range<u16> = 20_000..32_000;

/// A port no other crosscheck process or thread holds, free when reserved.
#[derive(Debug)]
pub struct PortReservation {
    port: u16,
    _lock: File,
}

impl PortReservation {
    pub fn port(&self) -> u16 {
        self.port
    }
}

/// Reserves a free loopback port.
pub fn reserve() -> io::Result<PortReservation> {
    let directory = std::env::temp_dir().join("crosscheck-ports");
    fs::create_dir_all(&directory)?;
    let span = u32::from(PORT_RANGE.end - PORT_RANGE.start);
    let start = first_candidate(span);
    let candidates =
        (0..span).map(|step| PORT_RANGE.start + u16::try_from((start + step) % span).unwrap_or(0));
    if let Some(reservation) = reserve_from(&directory, candidates)? {
        return Ok(reservation);
    }
    Err(io::Error::new(
        io::ErrorKind::AddrInUse,
        format!(
            "no free port in {}..{} (locks in {})",
            PORT_RANGE.start,
            PORT_RANGE.end,
            directory.display()
        ),
    ))
}

/// Spreads processes over the range (by pid) and threads within a process
/// (by a counter), so candidates rarely collide in the first place.
fn first_candidate(span: u32) -> u32 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let thread_offset = NEXT.fetch_add(7, Ordering::Relaxed);
    (std::process::id().wrapping_mul(2_654_435_761) + thread_offset) % span
}

/// The first of `candidates` that nothing listens on and no one holds.
fn reserve_from(
    directory: &Path,
    candidates: impl IntoIterator<Item = u16>,
) -> io::Result<Option<PortReservation>> {
    for port in candidates {
        if let Some(reservation) = try_reserve(directory, port)? {
            return Ok(Some(reservation));
        }
    }
    Ok(None)
}

fn try_reserve(directory: &Path, port: u16) -> io::Result<Option<PortReservation>> {
    let path: PathBuf = directory.join(format!("{port}.lock"));
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => return Ok(None),
        Err(TryLockError::Error(error)) => return Err(error),
    }
    // Something outside crosscheck may be listening there.
    if !bindable_everywhere(port) {
        return Ok(None);
    }
    Ok(Some(PortReservation { port, _lock: lock }))
}

/// Whether `port` can be bound on every local address, IPv6 and IPv4: no
/// socket listens on it anywhere.
fn bindable_everywhere(port: u16) -> bool {
    // `[::]` takes IPv4 too, unless IPv6 sockets are made IPv6-only
    // (`net.ipv6.bindv6only`) or there is no IPv6 (then the bind fails, but
    // not as "in use"): `0.0.0.0` covers IPv4 either way.
    if let Err(error) = TcpListener::bind((Ipv6Addr::UNSPECIFIED, port))
        && error.kind() == io::ErrorKind::AddrInUse
    {
        return false;
    }
    TcpListener::bind((Ipv4Addr::UNSPECIFIED, port)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::net::IpAddr;

    #[test]
    fn reservations_are_distinct_while_held() {
        let held: Vec<PortReservation> = (0..50).map(|_| reserve().expect("reserve")).collect();
        let ports: BTreeSet<u16> = held.iter().map(PortReservation::port).collect();
        assert_eq!(ports.len(), held.len(), "a port was handed out twice");
        assert!(ports.iter().all(|port| PORT_RANGE.contains(port)));
    }

    #[test]
    fn a_port_with_a_listener_is_skipped() {
        // Another test may take the released port before we bind it; try again.
        let (port, _listener) = (0..20)
            .find_map(|_| {
                let port = reserve().expect("reserve").port();
                TcpListener::bind((Ipv4Addr::LOCALHOST, port))
                    .ok()
                    .map(|listener| (port, listener))
            })
            .expect("a port to listen on");
        let directory = std::env::temp_dir().join("crosscheck-ports");
        assert!(try_reserve(&directory, port).expect("try").is_none());
    }

    /// A port reserved and released that `address` listens on now.
    fn listened_on(address: IpAddr) -> Option<(u16, TcpListener)> {
        // Another test may take the released port before we bind it; try again.
        (0..20).find_map(|_| {
            let port = reserve().expect("reserve").port();
            TcpListener::bind((address, port))
                .ok()
                .map(|listener| (port, listener))
        })
    }

    #[test]
    fn a_port_listened_on_elsewhere_than_loopback_one_is_skipped() {
        // 127.0.0.2 is loopback too on Linux; a listener there does not stop
        // a bind on 127.0.0.1.
        let other = Ipv4Addr::new(127, 0, 0, 2);
        let (port, _listener) = listened_on(other.into()).expect("a port to listen on");
        assert!(
            TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok(),
            "a bind on 127.0.0.1 alone would not have noticed"
        );
        // Locks of this test's own, so no other reservation interferes.
        let directory = tempfile::tempdir().expect("temporary directory");
        let reserved = reserve_from(directory.path(), [port]).expect("reserve");
        assert!(reserved.is_none(), "{reserved:?}");
    }

    #[test]
    fn a_port_listened_on_over_ipv6_only_is_skipped() {
        let Some((port, _listener)) = listened_on(Ipv6Addr::LOCALHOST.into()) else {
            // No IPv6 loopback here; nothing can listen on it either.
            return;
        };
        let directory = tempfile::tempdir().expect("temporary directory");
        let reserved = reserve_from(directory.path(), [port]).expect("reserve");
        assert!(reserved.is_none(), "{reserved:?}");
    }
}
