//! The harness's own view of every cell: the relay taps both directions of
//! each connection ([`capture`]), and after the cell the hellos, alerts and,
//! with the shims' key logs, the encrypted records are read back
//! ([`connection`]) and held against what the case says the wire must show
//! ([`expect`]).

pub mod capture;
pub mod connection;
pub mod expect;
pub mod hello;
pub mod keylog;
pub mod names;

use serde::Serialize;

pub use capture::Depth;
pub use connection::{ConnectionCapture, ConnectionObservation};

use crate::tls::matrix::Role;

/// Everything the harness saw of one cell.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Observation {
    pub connections: Vec<ConnectionObservation>,
    /// The largest write the relay made, when the case limits segments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub largest_segment: Option<u64>,
    /// Key log lines that could not be read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub key_log_problems: Vec<String>,
}

impl Observation {
    /// Reads the captures, decrypting with the sides' key logs.
    pub fn read(captures: &[ConnectionCapture], key_logs: &[(Role, &std::path::Path)]) -> Self {
        let keys = keylog::KeyLog::read(key_logs);
        Observation {
            connections: captures
                .iter()
                .map(|capture| connection::observe(capture, &keys))
                .collect(),
            largest_segment: None,
            key_log_problems: keys.problems,
        }
    }

    /// Whether any connection was decrypted.
    pub fn decrypted(&self) -> bool {
        self.connections
            .iter()
            .any(|connection| connection.decrypted.is_some())
    }

    /// One line per connection, for verdicts and reports.
    pub fn summary(&self) -> String {
        if self.connections.is_empty() {
            return "no connection".to_string();
        }
        let lines: Vec<String> = self
            .connections
            .iter()
            .enumerate()
            .map(|(index, connection)| {
                format!("connection {}: {}", index + 1, connection.summary())
            })
            .collect();
        lines.join("; ")
    }
}
