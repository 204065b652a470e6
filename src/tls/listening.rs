//! Learning that a server listens without connecting to it (a probe
//! connection would be the server's first client and break its case).
//!
//! Linux lists every TCP socket in `/proc/net/tcp` and `/proc/net/tcp6`;
//! a row in state `0A` (LISTEN) with the port as its local port means some
//! socket listens there. Ports are reserved (see `ports`), but only among
//! crosscheck processes: a program started otherwise (a server left over
//! from a killed run, say) can listen on a reserved port as well. So a row
//! counts as the server's only when its socket, the row's `inode`, is open
//! in a process of the server's group: `process::Job` starts every program
//! leading a group of its own (so a wrapper's children count too), and
//! `/proc/<pid>/fd/*` link to `socket:[<inode>]` for a process's sockets.
//! The processes are looked at only when the port has a listener.

use std::collections::HashSet;
use std::fmt;
use std::fs;
use std::io;

const LISTEN_STATE: &str = "0A";
const TABLES: [&str; 2] = ["/proc/net/tcp", "/proc/net/tcp6"];

/// Longest command line quoted in a message, in characters.
const COMMAND_LIMIT: usize = 200;

/// Who listens on a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listener {
    /// No socket listens there.
    Nobody,
    /// Every socket listening there is open in a process group that this
    /// process started.
    Started,
    /// A socket listening there is open in no process group that this
    /// process started.
    Stranger(Stranger),
}

/// A socket listening on a port that no process of this run opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stranger {
    pub port: u16,
    pub inode: u64,
    /// The processes that have the socket open, as far as this user can see.
    pub holders: Vec<Holder>,
}

/// A process with a socket open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub pid: u32,
    pub command: String,
}

impl fmt::Display for Stranger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let port = self.port;
        match self.holders.as_slice() {
            [] => write!(
                f,
                "port {port} is already taken by a process this user cannot see \
                 (socket inode {}) — not started by this run",
                self.inode
            ),
            holders => {
                let who = if holders.len() == 1 {
                    "another process"
                } else {
                    "other processes"
                };
                let list: Vec<String> = holders
                    .iter()
                    .map(|holder| format!("pid {}, `{}`", holder.pid, holder.command))
                    .collect();
                write!(
                    f,
                    "port {port} is already taken by {who} ({}) — not started by this run",
                    list.join("; ")
                )
            }
        }
    }
}

/// Whether a socket listens on `port` on any local address, whoever's it is.
pub fn is_listening(port: u16) -> io::Result<bool> {
    Ok(listening_sockets()?
        .iter()
        .any(|(local_port, _)| *local_port == port))
}

/// Every port some socket listens on.
pub fn listening_ports() -> io::Result<HashSet<u16>> {
    Ok(listening_sockets()?
        .into_iter()
        .map(|(port, _)| port)
        .collect())
}

/// Who listens on `port`: nobody, only the process group `server_group`
/// (the server, a wrapper and its children), or a stranger as well.
///
/// A socket that a process of that group holds but whose descriptors this
/// user may not read cannot be told from a stranger's; it counts as started.
pub fn listener(port: u16, server_group: u32) -> io::Result<Listener> {
    let mut sockets: Vec<u64> = listening_sockets()?
        .into_iter()
        .filter(|(local_port, _)| *local_port == port)
        .map(|(_, inode)| inode)
        .collect();
    if sockets.is_empty() {
        return Ok(Listener::Nobody);
    }
    sockets.sort_unstable();
    let processes = processes()?;
    let mut started = HashSet::new();
    let mut hidden = false;
    for process in processes
        .iter()
        .filter(|process| process.pgrp == server_group)
    {
        match open_sockets(process.pid) {
            Ok(inodes) => started.extend(inodes),
            Err(error) if error.kind() == io::ErrorKind::PermissionDenied => hidden = true,
            // It has exited since the scan.
            Err(_) => {}
        }
    }
    match sockets.into_iter().find(|inode| !started.contains(inode)) {
        Some(inode) if !hidden => Ok(Listener::Stranger(Stranger {
            port,
            inode,
            holders: holders(&processes, inode),
        })),
        _ => Ok(Listener::Started),
    }
}

/// `(local port, inode)` of every listening socket.
fn listening_sockets() -> io::Result<HashSet<(u16, u64)>> {
    let mut readable = false;
    let mut sockets = HashSet::new();
    for table in TABLES {
        match fs::read_to_string(table) {
            Ok(text) => {
                readable = true;
                sockets.extend(listeners(&text));
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => return Err(error),
        }
    }
    if readable {
        Ok(sockets)
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

/// A process's id and process group.
struct Process {
    pid: u32,
    pgrp: u32,
}

/// Every process this process can see.
fn processes() -> io::Result<Vec<Process>> {
    Ok(fs::read_dir("/proc")?
        .filter_map(|entry| {
            let pid: u32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
            // `pid (comm) state ppid pgrp …`; the command may hold spaces
            // and parentheses, the fields after its last `)` do not.
            let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let (_, rest) = stat.rsplit_once(')')?;
            // After the state: ppid, then pgrp.
            let pgrp = rest.split_whitespace().nth(2)?.parse().ok()?;
            Some(Process { pid, pgrp })
        })
        .collect())
}

/// The inodes of the sockets a process has open.
fn open_sockets(pid: u32) -> io::Result<Vec<u64>> {
    Ok(fs::read_dir(format!("/proc/{pid}/fd"))?
        .filter_map(|entry| {
            let target = fs::read_link(entry.ok()?.path()).ok()?;
            target
                .to_str()?
                .strip_prefix("socket:[")?
                .strip_suffix(']')?
                .parse()
                .ok()
        })
        .collect())
}

/// The processes with socket `inode` open, with their command lines.
fn holders(processes: &[Process], inode: u64) -> Vec<Holder> {
    processes
        .iter()
        .filter(|process| open_sockets(process.pid).is_ok_and(|open| open.contains(&inode)))
        .map(|process| Holder {
            pid: process.pid,
            command: command_line(process.pid),
        })
        .collect()
}

/// `/proc/<pid>/cmdline` with spaces between the arguments, shortened.
fn command_line(pid: u32) -> String {
    let raw = fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let words: Vec<String> = raw
        .split(|byte| *byte == 0)
        .filter(|word| !word.is_empty())
        .map(|word| String::from_utf8_lossy(word).into_owned())
        .collect();
    let line = if words.is_empty() {
        fs::read_to_string(format!("/proc/{pid}/comm"))
            .map(|comm| comm.trim_end().to_string())
            .unwrap_or_else(|_| "?".to_string())
    } else {
        words.join(" ")
    };
    if line.chars().count() > COMMAND_LIMIT {
        let short: String = line.chars().take(COMMAND_LIMIT).collect();
        format!("{short}…")
    } else {
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, TcpListener, TcpStream};
    use std::os::fd::OwnedFd;
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};

    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;

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

    #[test]
    fn a_real_listener_is_seen_and_its_absence_too() {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
        let port = listener.local_addr().expect("address").port();
        assert!(is_listening(port).expect("read tables"));
        assert!(listening_ports().expect("read tables").contains(&port));
        // Seeing it did not consume a connection: the first connect is accepted.
        let _client = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("connect");
        listener.accept().expect("accept");
        drop(listener);
        assert!(!is_listening(port).expect("read tables"));
        assert_eq!(listener_on(port, std::process::id()), Listener::Nobody);
    }

    fn listener_on(port: u16, server_group: u32) -> Listener {
        super::listener(port, server_group).expect("read tables and processes")
    }

    /// A `sleep` in a group of its own holding `socket` as its stdin; this
    /// process's own descriptor for it is closed.
    fn child_group_holding(socket: TcpListener) -> std::process::Child {
        let mut command = Command::new("sleep");
        command
            .arg("30")
            .process_group(0)
            .stdin(Stdio::from(OwnedFd::from(socket)));
        let child = command.spawn().expect("spawn sleep");
        drop(command);
        child
    }

    #[test]
    fn a_listener_in_this_process_is_a_stranger_to_a_servers_group() {
        // A started group exists, but the socket is not in it.
        let mut child = Command::new("sleep")
            .arg("30")
            .process_group(0)
            .spawn()
            .expect("spawn sleep");
        let socket = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
        let port = socket.local_addr().expect("address").port();
        let found = listener_on(port, child.id());
        child.kill().expect("kill");
        child.wait().expect("wait");

        let Listener::Stranger(stranger) = found else {
            panic!("the test process's listener was taken for a server's: {found:?}");
        };
        let me = std::process::id();
        assert_eq!(stranger.port, port);
        assert!(
            stranger.holders.iter().any(|holder| holder.pid == me),
            "{stranger:?}"
        );
        let message = stranger.to_string();
        assert!(
            message.starts_with(&format!(
                "port {port} is already taken by another process (pid {me}, `"
            )),
            "{message}"
        );
        assert!(
            message.ends_with("`) — not started by this run"),
            "{message}"
        );
    }

    #[test]
    fn a_listener_in_the_servers_group_is_the_servers_only() {
        let socket = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
        let port = socket.local_addr().expect("address").port();
        let mut child = child_group_holding(socket);
        let mut other = Command::new("sleep")
            .arg("30")
            .process_group(0)
            .spawn()
            .expect("spawn sleep");
        let found = listener_on(port, child.id());
        // Another server's group holding it is a stranger to this one.
        let found_by_other = listener_on(port, other.id());
        for process in [&mut child, &mut other] {
            process.kill().expect("kill");
            process.wait().expect("wait");
        }
        assert_eq!(found, Listener::Started);
        assert!(
            matches!(found_by_other, Listener::Stranger(_)),
            "{found_by_other:?}"
        );
        assert_eq!(listener_on(port, child.id()), Listener::Nobody);
    }

    #[test]
    fn a_listener_in_a_grandchilds_own_group_is_a_stranger() {
        // The holder leads a group of its own outside the server's (as a
        // server left behind by another run would).
        let socket = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
        let port = socket.local_addr().expect("address").port();
        let mut command = Command::new("sh");
        command
            .args([
                "-c",
                "exec 3<&0; setsid sleep 30 <&3 3<&- & echo $!; exec <&- 3<&-; wait",
            ])
            .stdin(Stdio::from(OwnedFd::from(socket)))
            .stdout(Stdio::piped());
        let mut child = command.spawn().expect("spawn sh");
        drop(command);
        let mut line = String::new();
        io::BufRead::read_line(
            &mut io::BufReader::new(child.stdout.take().expect("stdout")),
            &mut line,
        )
        .expect("read the holder's pid");
        let holder: u32 = line.trim().parse().expect("a pid");
        let found = listener_on(port, child.id());
        let holder_pid = Pid::from_raw(i32::try_from(holder).expect("pid"));
        kill(holder_pid, Signal::SIGKILL).expect("kill the holder");
        child.wait().expect("wait");

        let Listener::Stranger(stranger) = found else {
            panic!("a grandchild's group was taken for a started one: {found:?}");
        };
        assert_eq!(
            stranger.holders,
            vec![Holder {
                pid: holder,
                command: "sleep 30".to_string()
            }]
        );
    }

    #[test]
    fn messages_name_the_holders_or_say_none_is_visible() {
        let mut stranger = Stranger {
            port: 27912,
            inode: 41721,
            holders: Vec::new(),
        };
        assert_eq!(
            stranger.to_string(),
            "port 27912 is already taken by a process this user cannot see (socket inode 41721) — not started by this run"
        );
        stranger.holders = vec![
            Holder {
                pid: 10,
                command: "java TlsShim server".to_string(),
            },
            Holder {
                pid: 11,
                command: "sh".to_string(),
            },
        ];
        assert_eq!(
            stranger.to_string(),
            "port 27912 is already taken by other processes (pid 10, `java TlsShim server`; pid 11, `sh`) — not started by this run"
        );
    }
}
