//! The fallback where socket diagnostics cannot be asked: `/proc/net/tcp`
//! and `/proc/net/tcp6` list every TCP socket (a row in state `0A` is a
//! listener), at milliseconds a read.

use std::fs;
use std::io;

const LISTEN_STATE: &str = "0A";
const TABLES: [&str; 2] = ["/proc/net/tcp", "/proc/net/tcp6"];

/// The inodes of the sockets listening on `port` as `/proc/net/tcp{,6}` show.
pub fn listening_inodes(port: u16) -> io::Result<Vec<u64>> {
    let mut readable = false;
    let mut inodes = Vec::new();
    for table in TABLES {
        match fs::read_to_string(table) {
            Ok(text) => {
                readable = true;
                inodes.extend(
                    listeners(&text)
                        .filter(|(local_port, _)| *local_port == port)
                        .map(|(_, inode)| inode),
                );
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => return Err(error),
        }
    }
    if readable {
        // A table is read in pieces; while sockets come and go, a row can
        // show up twice.
        inodes.sort_unstable();
        inodes.dedup();
        Ok(inodes)
    } else {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "neither /proc/net/tcp nor /proc/net/tcp6 exists (crosscheck's TLS harness needs Linux)",
        ))
    }
}

/// Rows look like
/// `  0: 0100007F:5BA0 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000  0 41721 …`
/// (hex port; the tenth field is the socket's inode).
fn listeners(table: &str) -> impl Iterator<Item = (u16, u64)> + '_ {
    table.lines().skip(1).filter_map(|row| {
        let fields: Vec<&str> = row.split_whitespace().take(10).collect();
        let [_, local, _, state, _, _, _, _, _, inode] = fields.as_slice() else {
            return None;
        };
        if *state != LISTEN_STATE {
            return None;
        }
        let (_, hex) = local.rsplit_once(':')?;
        Some((u16::from_str_radix(hex, 16).ok()?, inode.parse().ok()?))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_in_listen_state_count_with_their_inodes() {
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   \
            0: 0100007F:5BA0 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 41721 1 0000000000000000 100 0 0 10 0\n   \
            1: 0100007F:5BA1 0100007F:9C40 01 00000000:00000000 00:00000000 00000000  1000        0 41722 1 0000000000000000 20 4 30 10 -1\n   \
            2: 0100007F:5BA2 00000000:0000 0A 00000000:00000000\n";
        assert_eq!(
            listeners(table).collect::<Vec<_>>(),
            vec![(0x5BA0, 41721)],
            "an established socket is not a listener, a cut row is skipped"
        );
    }
}
