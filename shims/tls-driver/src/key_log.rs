//! The key log the harness asks for with `SSLKEYLOGFILE`: every secret the
//! library hands over, one NSS key log line each, appended as it comes so
//! the harness can decrypt what it relayed. rustls writes its own
//! (`KeyLogFile`); the OpenSSL, s2n-tls and NSS adapters write through here.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::sync::{Mutex, OnceLock, PoisonError};

/// The open key log, when the harness asked for one.
pub struct KeyLog {
    file: Mutex<File>,
}

/// The process's key log (opened on first use), or `None` when
/// `SSLKEYLOGFILE` is unset or cannot be opened (said once on stderr).
pub fn key_log() -> Option<&'static KeyLog> {
    static KEY_LOG: OnceLock<Option<KeyLog>> = OnceLock::new();
    KEY_LOG
        .get_or_init(|| {
            let path = std::env::var_os("SSLKEYLOGFILE")?;
            match OpenOptions::new().create(true).append(true).open(&path) {
                Ok(file) => Some(KeyLog {
                    file: Mutex::new(file),
                }),
                Err(error) => {
                    eprintln!("cannot open SSLKEYLOGFILE {}: {error}", path.display());
                    None
                }
            }
        })
        .as_ref()
}

impl KeyLog {
    /// Appends one line (without its newline, as libraries hand them over).
    pub fn write_line(&self, line: &[u8]) {
        let mut file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        let mut bytes = line.to_vec();
        bytes.push(b'\n');
        if let Err(error) = file.write_all(&bytes) {
            eprintln!("cannot write SSLKEYLOGFILE: {error}");
        }
    }
}
