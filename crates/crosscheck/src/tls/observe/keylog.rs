//! Key log files in the NSS format (`SSLKEYLOGFILE`), which TLS libraries
//! and Wireshark share: `LABEL CLIENT_RANDOM_HEX SECRET_HEX` per line.

use std::collections::HashMap;
use std::path::Path;

use thiserror::Error;

use crate::tls::matrix::Role;

pub const CLIENT_EARLY: &str = "CLIENT_EARLY_TRAFFIC_SECRET";
pub const CLIENT_HANDSHAKE: &str = "CLIENT_HANDSHAKE_TRAFFIC_SECRET";
pub const SERVER_HANDSHAKE: &str = "SERVER_HANDSHAKE_TRAFFIC_SECRET";
pub const CLIENT_APPLICATION: &str = "CLIENT_TRAFFIC_SECRET_0";
pub const SERVER_APPLICATION: &str = "SERVER_TRAFFIC_SECRET_0";

/// Why a line is not a key log line.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
enum LineError {
    #[error("not `LABEL CLIENT_RANDOM SECRET`")]
    Shape,
    #[error("`{0}` is not hex")]
    NotHex(String),
    #[error("the client random is not 32 bytes")]
    RandomLength,
}

/// The secrets of every connection either side logged.
#[derive(Debug, Default)]
pub struct KeyLog {
    secrets: HashMap<(String, [u8; 32]), Vec<u8>>,
    /// Which side logged secrets for a client random.
    logged_by: HashMap<[u8; 32], Vec<Role>>,
    /// Lines that were not key log lines, as `file:line: why`.
    pub problems: Vec<String>,
}

impl KeyLog {
    /// Reads each side's file; a missing file means that side logged nothing.
    pub fn read(files: &[(Role, &Path)]) -> KeyLog {
        let mut log = KeyLog::default();
        for (role, path) in files {
            if let Ok(text) = std::fs::read_to_string(path) {
                log.add(*role, &path.display().to_string(), &text);
            }
        }
        log
    }

    pub fn add(&mut self, role: Role, source: &str, text: &str) {
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match parse_line(line) {
                Ok((label, random, secret)) => {
                    let sides = self.logged_by.entry(random).or_default();
                    if !sides.contains(&role) {
                        sides.push(role);
                    }
                    self.secrets.insert((label.to_string(), random), secret);
                }
                Err(why) => self
                    .problems
                    .push(format!("{source}:{}: {why}", number + 1)),
            }
        }
    }

    pub fn secret(&self, label: &str, client_random: &[u8; 32]) -> Option<&[u8]> {
        self.secrets
            .get(&(label.to_string(), *client_random))
            .map(Vec::as_slice)
    }

    /// The sides that logged this connection's secrets.
    pub fn logged_by(&self, client_random: &[u8; 32]) -> &[Role] {
        self.logged_by.get(client_random).map_or(&[], Vec::as_slice)
    }
}

fn parse_line(line: &str) -> Result<(&str, [u8; 32], Vec<u8>), LineError> {
    let mut words = line.split_whitespace();
    let (Some(label), Some(random), Some(secret), None) =
        (words.next(), words.next(), words.next(), words.next())
    else {
        return Err(LineError::Shape);
    };
    let random: [u8; 32] = hex(random)?
        .try_into()
        .map_err(|_| LineError::RandomLength)?;
    Ok((label, random, hex(secret)?))
}

fn hex(text: &str) -> Result<Vec<u8>, LineError> {
    let not_hex = || LineError::NotHex(text.to_string());
    if !text.len().is_multiple_of(2) {
        return Err(not_hex());
    }
    (0..text.len())
        .step_by(2)
        .map(|at| {
            text.get(at..at + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or_else(not_hex)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_read_per_side_and_bad_ones_reported() {
        let random = "01".repeat(32);
        let mut log = KeyLog::default();
        log.add(
            Role::Client,
            "client.keys",
            &format!("# comment\n{SERVER_HANDSHAKE} {random} aabb\nnonsense\n"),
        );
        log.add(
            Role::Server,
            "server.keys",
            &format!("{CLIENT_HANDSHAKE} {random} cc\n"),
        );
        assert_eq!(
            log.secret(SERVER_HANDSHAKE, &[1; 32]),
            Some(&[0xaa, 0xbb][..])
        );
        assert_eq!(log.secret(CLIENT_HANDSHAKE, &[1; 32]), Some(&[0xcc][..]));
        assert_eq!(log.secret(CLIENT_HANDSHAKE, &[2; 32]), None);
        assert_eq!(log.logged_by(&[1; 32]), [Role::Client, Role::Server]);
        assert_eq!(
            log.problems,
            ["client.keys:3: not `LABEL CLIENT_RANDOM SECRET`"]
        );
    }
}
