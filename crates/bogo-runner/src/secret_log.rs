//! The TLS 1.3 application traffic secrets of one connection, as the
//! runner's rustls logs them ([`KeyLog`]). rustls hands over only record
//! keys when the runner takes over record protection; a KeyUpdate needs
//! the secrets they came from.

use std::sync::{Mutex, PoisonError};

use rustls::KeyLog;
use thiserror::Error;

use crosscheck_model::Role;

const CLIENT_TRAFFIC_SECRET: &str = "CLIENT_TRAFFIC_SECRET_0";
const SERVER_TRAFFIC_SECRET: &str = "SERVER_TRAFFIC_SECRET_0";

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("rustls logged no TLS 1.3 application traffic secrets")]
pub struct NoSecrets;

/// One connection's log; a config gets a fresh one per connection.
#[derive(Debug, Default)]
pub struct SecretLog {
    logged: Mutex<Logged>,
}

#[derive(Debug, Default, Clone)]
struct Logged {
    client: Option<Vec<u8>>,
    server: Option<Vec<u8>>,
}

/// The first application traffic secrets of each direction, from one
/// side's point of view.
#[derive(Clone, PartialEq, Eq)]
pub struct TrafficSecrets {
    /// The secret of the records this side writes.
    pub write: Vec<u8>,
    /// The secret of the records this side reads.
    pub read: Vec<u8>,
}

impl std::fmt::Debug for TrafficSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrafficSecrets").finish_non_exhaustive()
    }
}

impl SecretLog {
    /// The secrets as `side` writes and reads with them, once the
    /// handshake has logged both.
    pub fn secrets(&self, side: Role) -> Result<TrafficSecrets, NoSecrets> {
        let logged = self
            .logged
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let (Some(client), Some(server)) = (logged.client, logged.server) else {
            return Err(NoSecrets);
        };
        Ok(match side {
            Role::Client => TrafficSecrets {
                write: client,
                read: server,
            },
            Role::Server => TrafficSecrets {
                write: server,
                read: client,
            },
        })
    }
}

impl KeyLog for SecretLog {
    fn log(&self, label: &str, _client_random: &[u8], secret: &[u8]) {
        let mut logged = self.logged.lock().unwrap_or_else(PoisonError::into_inner);
        match label {
            CLIENT_TRAFFIC_SECRET => logged.client = Some(secret.to_vec()),
            SERVER_TRAFFIC_SECRET => logged.server = Some(secret.to_vec()),
            _ => {}
        }
    }

    fn will_log(&self, label: &str) -> bool {
        label == CLIENT_TRAFFIC_SECRET || label == SERVER_TRAFFIC_SECRET
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_seen_from_either_side_once_both_are_logged() {
        let log = SecretLog::default();
        assert!(log.will_log(CLIENT_TRAFFIC_SECRET));
        assert!(!log.will_log("CLIENT_HANDSHAKE_TRAFFIC_SECRET"));
        log.log(CLIENT_TRAFFIC_SECRET, &[0; 32], b"client");
        assert!(log.secrets(Role::Client).is_err());
        log.log(SERVER_TRAFFIC_SECRET, &[0; 32], b"server");
        log.log("EXPORTER_SECRET", &[0; 32], b"other");
        let client = log.secrets(Role::Client).unwrap();
        assert_eq!(
            (client.write, client.read),
            (b"client".to_vec(), b"server".to_vec())
        );
        let server = log.secrets(Role::Server).unwrap();
        assert_eq!(
            (server.write, server.read),
            (b"server".to_vec(), b"client".to_vec())
        );
    }
}
