//! Session stores that count what rustls caches, so the driver can make
//! BoringSSL's "new session" checks; and the client credential, shared by
//! every connection because rustls resumes only with the same resolver.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rustls::client::{
    ClientSessionMemoryCache, ClientSessionStore, ResolvesClientCert, Tls12ClientSessionValue,
    Tls13ClientSessionValue,
};
use rustls::pki_types::ServerName;
use rustls::server::{ServerSessionMemoryCache, StoresServerSessions};
use rustls::sign::CertifiedKey;
use rustls::{NamedGroup, SignatureScheme};

/// Sessions cached since the last reset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub tls12_sessions: usize,
    pub tls13_tickets: usize,
    pub latest_allows_early_data: bool,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The client's session cache, counting what is stored.
#[derive(Debug)]
pub struct ClientSessions {
    inner: ClientSessionMemoryCache,
    counts: Mutex<Counts>,
}

impl ClientSessions {
    pub fn new() -> Arc<ClientSessions> {
        Arc::new(ClientSessions {
            inner: ClientSessionMemoryCache::new(32),
            counts: Mutex::new(Counts::default()),
        })
    }

    /// Starts counting for a new connection.
    pub fn reset(&self) {
        *lock(&self.counts) = Counts::default();
    }

    pub fn counts(&self) -> Counts {
        *lock(&self.counts)
    }
}

impl ClientSessionStore for ClientSessions {
    fn set_kx_hint(&self, server_name: ServerName<'static>, group: NamedGroup) {
        self.inner.set_kx_hint(server_name, group);
    }

    fn kx_hint(&self, server_name: &ServerName<'_>) -> Option<NamedGroup> {
        self.inner.kx_hint(server_name)
    }

    fn set_tls12_session(&self, server_name: ServerName<'static>, value: Tls12ClientSessionValue) {
        lock(&self.counts).tls12_sessions += 1;
        self.inner.set_tls12_session(server_name, value);
    }

    fn tls12_session(&self, server_name: &ServerName<'_>) -> Option<Tls12ClientSessionValue> {
        self.inner.tls12_session(server_name)
    }

    fn remove_tls12_session(&self, server_name: &ServerName<'static>) {
        self.inner.remove_tls12_session(server_name);
    }

    fn insert_tls13_ticket(
        &self,
        server_name: ServerName<'static>,
        value: Tls13ClientSessionValue,
    ) {
        {
            let mut counts = lock(&self.counts);
            counts.tls13_tickets += 1;
            counts.latest_allows_early_data = value.max_early_data_size() > 0;
        }
        self.inner.insert_tls13_ticket(server_name, value);
    }

    fn take_tls13_ticket(
        &self,
        server_name: &ServerName<'static>,
    ) -> Option<Tls13ClientSessionValue> {
        self.inner.take_tls13_ticket(server_name)
    }
}

/// The server's session-id cache, counting insertions.
#[derive(Debug)]
pub struct ServerSessions {
    inner: Arc<ServerSessionMemoryCache>,
    puts: Mutex<usize>,
}

impl ServerSessions {
    pub fn new() -> Arc<ServerSessions> {
        Arc::new(ServerSessions {
            inner: ServerSessionMemoryCache::new(32),
            puts: Mutex::new(0),
        })
    }

    pub fn reset(&self) {
        *lock(&self.puts) = 0;
    }

    pub fn puts(&self) -> usize {
        *lock(&self.puts)
    }
}

impl StoresServerSessions for ServerSessions {
    fn put(&self, key: Vec<u8>, value: Vec<u8>) -> bool {
        let stored = self.inner.put(key, value);
        if stored {
            *lock(&self.puts) += 1;
        }
        stored
    }

    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.inner.get(key)
    }

    fn take(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.inner.take(key)
    }

    fn can_cache(&self) -> bool {
        self.inner.can_cache()
    }
}

/// The client certificate, switchable per connection.
#[derive(Debug, Default)]
pub struct ClientCredential {
    key: Mutex<Option<Arc<CertifiedKey>>>,
}

impl ClientCredential {
    pub fn set(&self, key: Option<Arc<CertifiedKey>>) {
        *lock(&self.key) = key;
    }
}

impl ResolvesClientCert for ClientCredential {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        _sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        lock(&self.key).clone()
    }

    fn has_certs(&self) -> bool {
        lock(&self.key).is_some()
    }
}
