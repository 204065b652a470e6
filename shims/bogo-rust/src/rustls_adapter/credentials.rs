//! The server's certificate resolver: hands out the configured credential
//! and records what the ClientHello offered (SNI, ALPN) for the driver's
//! checks, which rustls does not report after the handshake.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

/// What the server saw in the ClientHello.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OfferedFacts {
    /// The ALPN list in wire format, if the client sent the extension.
    pub alpn: Option<Vec<u8>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The ALPN list in wire format, from rustls' parsed view of it.
pub fn alpn_wire<'a>(protocols: impl Iterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut wire = Vec::new();
    for protocol in protocols {
        // rustls rejects names longer than 255 bytes while parsing.
        wire.push(u8::try_from(protocol.len()).unwrap_or(u8::MAX));
        wire.extend_from_slice(protocol);
    }
    wire
}

/// Resolves to the one configured credential and records the offer.
#[derive(Debug)]
pub struct ServerCredential {
    key: Arc<CertifiedKey>,
    offered: Arc<Mutex<OfferedFacts>>,
}

impl ServerCredential {
    pub fn new(key: Arc<CertifiedKey>, offered: Arc<Mutex<OfferedFacts>>) -> Self {
        ServerCredential { key, offered }
    }
}

impl ResolvesServerCert for ServerCredential {
    fn resolve(&self, client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        lock(&self.offered).alpn = client_hello.alpn().map(alpn_wire);
        Some(Arc::clone(&self.key))
    }
}

/// Reads the recorded offer.
pub fn offered(facts: &Mutex<OfferedFacts>) -> OfferedFacts {
    lock(facts).clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpn_lists_are_rebuilt_in_wire_format() {
        let names: [&[u8]; 2] = [b"foo", b"h2"];
        assert_eq!(alpn_wire(names.into_iter()), b"\x03foo\x02h2");
    }
}
