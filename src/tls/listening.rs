//! Learning that a server listens without connecting to it (a probe
//! connection would be the server's first client and break its case).
//!
//! Linux lists every TCP socket in `/proc/net/tcp` and `/proc/net/tcp6`;
//! a row in state `0A` (LISTEN) with the port as its local port means some
//! socket listens there. Ports are reserved (see `ports`), so it is the
//! server's.

use std::fs;
use std::io;

const LISTEN_STATE: &str = "0A";
const TABLES: [&str; 2] = ["/proc/net/tcp", "/proc/net/tcp6"];

/// Whether a socket listens on `port` on any local address.
pub fn is_listening(port: u16) -> io::Result<bool> {
    let mut readable = false;
    for table in TABLES {
        match fs::read_to_string(table) {
            Ok(text) => {
                readable = true;
                if table_has_listener(&text, port) {
                    return Ok(true);
                }
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => return Err(error),
        }
    }
    if readable {
        Ok(false)
    } else {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "neither /proc/net/tcp nor /proc/net/tcp6 exists (crosscheck's TLS harness needs Linux)",
        ))
    }
}

/// Rows look like `  0: 0100007F:5BA0 00000000:0000 0A …` (hex port).
fn table_has_listener(table: &str, port: u16) -> bool {
    table.lines().skip(1).any(|row| {
        let mut fields = row.split_whitespace();
        let local = fields.nth(1);
        let state = fields.nth(1);
        let local_port = local
            .and_then(|address| address.rsplit_once(':'))
            .and_then(|(_, hex)| u16::from_str_radix(hex, 16).ok());
        state == Some(LISTEN_STATE) && local_port == Some(port)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, TcpListener, TcpStream};

    #[test]
    fn rows_in_listen_state_count() {
        let table = "  sl  local_address rem_address   st tx_queue\n   0: 0100007F:5BA0 00000000:0000 0A 00000000:00000000\n   1: 0100007F:5BA1 0100007F:9C40 01 00000000:00000000\n";
        assert!(table_has_listener(table, 0x5BA0));
        assert!(
            !table_has_listener(table, 0x5BA1),
            "an established socket is not a listener"
        );
        assert!(!table_has_listener(table, 1));
    }

    #[test]
    fn a_real_listener_is_seen_and_its_absence_too() {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
        let port = listener.local_addr().expect("address").port();
        assert!(is_listening(port).expect("read tables"));
        // Seeing it did not consume a connection: the first connect is accepted.
        let _client = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("connect");
        listener.accept().expect("accept");
        drop(listener);
        assert!(!is_listening(port).expect("read tables"));
    }
}
