//! The key log for NSS connections.
//!
//! Debian builds libssl3 without `NSS_ALLOW_SSLKEYLOGFILE`, so NSS itself
//! never reads `SSLKEYLOGFILE`. The adapter takes every traffic secret from
//! NSS's secret callback (`SSL_SecretCallback`, experimental API) instead and
//! writes the NSS key log lines itself. NSS exposes no ClientHello random,
//! which labels the lines, so the connection's I/O layer (see `socket`)
//! shows the logger the bytes crossing the socket, and the logger reads the
//! random from the ClientHello's first bytes (written by a client, read by a
//! server). Secrets that arrive before the random is known wait for it.

use std::ffi::{c_int, c_void};
use std::fmt::Write as _;

use super::ffi::{Nss3, PK11SymKey, PRFileDesc, SEC_SUCCESS, SSL_SECRET_READ, SSL_SECRET_WRITE};
use crate::case::Role;
use crate::key_log::KeyLog;

/// Bytes of a TLS record carrying a ClientHello up to the end of its random:
/// record header (5), handshake header (4), legacy_version (2), random (32).
const CLIENT_HELLO_RANDOM_END: usize = 43;
const CLIENT_HELLO_RANDOM_START: usize = 11;
/// Record content type `handshake` and handshake type `client_hello`.
const HANDSHAKE_RECORD: u8 = 22;
const CLIENT_HELLO: u8 = 1;

/// One connection's key log state; the I/O layer and the secret callback
/// reach it through raw pointers (both run on the connection's thread,
/// never one inside the other).
pub struct KeyLogger {
    role: Role,
    log: &'static KeyLog,
    /// The first bytes of the ClientHello, until the random is in.
    start: Vec<u8>,
    /// The ClientHello random, once seen; `Some(None)` if the first bytes
    /// were not a ClientHello record.
    client_random: Option<Option<[u8; 32]>>,
    /// Lines waiting for the random: label and secret.
    pending: Vec<(&'static str, Vec<u8>)>,
}

impl KeyLogger {
    pub fn new(role: Role, log: &'static KeyLog) -> KeyLogger {
        KeyLogger {
            role,
            log,
            start: Vec::with_capacity(CLIENT_HELLO_RANDOM_END),
            client_random: None,
            pending: Vec::new(),
        }
    }

    /// Takes in bytes crossing the socket (`outgoing` from this side).
    pub fn observe(&mut self, outgoing: bool, bytes: &[u8]) {
        let client_hello_direction = outgoing == (self.role == Role::Client);
        if self.client_random.is_some() || !client_hello_direction {
            return;
        }
        let wanted = CLIENT_HELLO_RANDOM_END - self.start.len();
        self.start
            .extend_from_slice(&bytes[..bytes.len().min(wanted)]);
        if self.start.len() < CLIENT_HELLO_RANDOM_END {
            return;
        }
        if self.start[0] != HANDSHAKE_RECORD || self.start[5] != CLIENT_HELLO {
            eprintln!("key log: the first record is not a ClientHello; no keys logged");
            self.client_random = Some(None);
            self.pending.clear();
            return;
        }
        let mut random = [0u8; 32];
        random.copy_from_slice(&self.start[CLIENT_HELLO_RANDOM_START..CLIENT_HELLO_RANDOM_END]);
        self.client_random = Some(Some(random));
        for (label, secret) in std::mem::take(&mut self.pending) {
            self.write(label, &random, &secret);
        }
    }

    fn add_secret(&mut self, label: &'static str, secret: Vec<u8>) {
        match self.client_random {
            Some(Some(random)) => self.write(label, &random, &secret),
            Some(None) => {}
            None => self.pending.push((label, secret)),
        }
    }

    fn write(&self, label: &str, random: &[u8; 32], secret: &[u8]) {
        let mut line = String::with_capacity(label.len() + 2 + 2 * (32 + secret.len()));
        line.push_str(label);
        line.push(' ');
        hex(&mut line, random);
        line.push(' ');
        hex(&mut line, secret);
        self.log.write_line(line.as_bytes());
    }
}

fn hex(out: &mut String, bytes: &[u8]) {
    for byte in bytes {
        let _ = write!(out, "{byte:02x}");
    }
}

/// The key log label of the secret NSS installs for `epoch` in `direction`
/// on a `role` socket (epochs as in DTLS 1.3: 1 early data, 2 handshake,
/// 3 the first application traffic secrets; later ones are KeyUpdates,
/// which the key log format does not carry).
fn label(role: Role, epoch: u16, direction: c_int) -> Option<&'static str> {
    let writes = match direction {
        SSL_SECRET_WRITE => true,
        SSL_SECRET_READ => false,
        _ => return None,
    };
    let client_secret = (role == Role::Client) == writes;
    match (epoch, client_secret) {
        (1, _) => Some("CLIENT_EARLY_TRAFFIC_SECRET"),
        (2, true) => Some("CLIENT_HANDSHAKE_TRAFFIC_SECRET"),
        (2, false) => Some("SERVER_HANDSHAKE_TRAFFIC_SECRET"),
        (3, true) => Some("CLIENT_TRAFFIC_SECRET_0"),
        (3, false) => Some("SERVER_TRAFFIC_SECRET_0"),
        _ => None,
    }
}

/// `SSLSecretCallback`: logs the secret NSS just installed.
///
/// # Safety
/// `argument` is the connection's live [`KeyLogger`], which nothing else
/// uses during the call; `secret` is NSS's key.
pub unsafe extern "C" fn record_secret(
    _fd: *mut PRFileDesc,
    epoch: u16,
    direction: c_int,
    secret: *mut PK11SymKey,
    argument: *mut c_void,
) {
    // SAFETY: guaranteed by the caller (set by `SSL_SecretCallback` with the
    // connection's logger, which outlives the socket).
    let logger = unsafe { &mut *argument.cast::<KeyLogger>() };
    let Some(label) = label(logger.role, epoch, direction) else {
        return;
    };
    let Ok(nss) = Nss3::get() else { return };
    // SAFETY: a live key for the duration of the callback; the data item
    // belongs to the key and is copied out at once.
    let bytes = unsafe {
        if (nss.PK11_ExtractKeyValue)(secret) != SEC_SUCCESS {
            eprintln!("key log: cannot extract the {label}");
            return;
        }
        let item = (nss.PK11_GetKeyData)(secret);
        if item.is_null() || (*item).data.is_null() {
            return;
        }
        std::slice::from_raw_parts((*item).data, (*item).len as usize).to_vec()
    };
    logger.add_secret(label, bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_follow_role_and_direction() {
        assert_eq!(
            label(Role::Client, 2, SSL_SECRET_WRITE),
            Some("CLIENT_HANDSHAKE_TRAFFIC_SECRET")
        );
        assert_eq!(
            label(Role::Server, 2, SSL_SECRET_READ),
            Some("CLIENT_HANDSHAKE_TRAFFIC_SECRET")
        );
        assert_eq!(
            label(Role::Server, 3, SSL_SECRET_WRITE),
            Some("SERVER_TRAFFIC_SECRET_0")
        );
        assert_eq!(
            label(Role::Server, 1, SSL_SECRET_READ),
            Some("CLIENT_EARLY_TRAFFIC_SECRET")
        );
        assert_eq!(label(Role::Client, 4, SSL_SECRET_READ), None);
    }
}
