//! What crosscheck's runtime, its spec compiler and its shims share, defined
//! once: the two roles of a TLS connection, the exit codes and output lines
//! through which shims tell the harness what happened, and the records the
//! spec compiler emits (expectations, programs).

pub mod expectation;
pub mod program;

use std::fmt;

/// A side of a TLS connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Client,
    Server,
}

impl Role {
    pub const ALL: [Role; 2] = [Role::Client, Role::Server];

    /// `client` or `server`, as specs and command lines write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Client => "client",
            Role::Server => "server",
        }
    }

    /// Parses `client` or `server`.
    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == name)
    }

    /// The other side.
    pub fn peer(self) -> Role {
        match self {
            Role::Client => Role::Server,
            Role::Server => Role::Client,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The TLS interop shim contract (`shims/README.md`).
pub mod tls {
    /// Exit status: this implementation does not support the case.
    pub const UNSUPPORTED_EXIT: u8 = 127;
    /// Starts a line naming a fact the shim checked: `crosscheck-fact: NAME`.
    pub const FACT_PREFIX: &str = "crosscheck-fact:";
    /// Starts the line saying why a shim refused: `crosscheck-refusal: WHY`.
    pub const REFUSAL_PREFIX: &str = "crosscheck-refusal:";
    /// Fact: the connection resumed an earlier session.
    pub const SESSION_RESUMED: &str = "session_resumed";
    /// Fact: the server accepted 0-RTT data.
    pub const EARLY_DATA_ACCEPTED: &str = "early_data_accepted";
}

/// BoringSSL's BoGo shim protocol.
pub mod bogo {
    /// Exit status: the shim does not implement what the test asks.
    pub const UNIMPLEMENTED_EXIT: u8 = 89;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_their_names() {
        for role in Role::ALL {
            assert_eq!(Role::from_name(role.as_str()), Some(role));
            assert_eq!(role.peer().peer(), role);
        }
        assert_eq!(Role::from_name("peer"), None);
        assert_eq!(Role::Client.to_string(), "client");
    }
}
