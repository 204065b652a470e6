//! Learning that a server listens without connecting to it (a probe
//! connection would be the server's first client and break its case).
//!
//! The kernel's socket diagnostics (`NETLINK_SOCK_DIAG`, what `ss -ltn`
//! asks) list the TCP sockets in state LISTEN on a port, each with its
//! inode, in microseconds. Where they cannot be asked, `/proc/net/tcp` and
//! `/proc/net/tcp6` list every TCP socket (a row in state `0A` is a
//! listener), at milliseconds a read.
//!
//! Ports are reserved (see `ports`), but only among crosscheck processes: a
//! program started otherwise (a server left over from a killed run, say) can
//! listen on a reserved port as well. So a socket counts as the server's
//! only when its inode is open in a process of the server's group:
//! `process::Job` starts every program leading a group of its own (so a
//! wrapper's children count too), and `/proc/<pid>/fd/*` link to
//! `socket:[<inode>]` for a process's sockets. The processes are looked at
//! only when the port has a listener, the group's leader first.

mod proc_tables;
mod processes;
mod sock_diag;

use std::collections::HashSet;
use std::fmt;
use std::io;

use processes::{holders, open_sockets, process_group, processes};

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
    Ok(!listening_inodes(port)?.is_empty())
}

/// Who listens on `port`: nobody, only the process group `server_group`
/// (the server, a wrapper and its children), or a stranger as well.
///
/// A socket that a process of that group holds but whose descriptors this
/// user may not read cannot be told from a stranger's; it counts as started.
pub fn listener(port: u16, server_group: u32) -> io::Result<Listener> {
    let mut sockets = listening_inodes(port)?;
    if sockets.is_empty() {
        return Ok(Listener::Nobody);
    }
    sockets.sort_unstable();
    sockets.dedup();
    if leader_holds_all(server_group, &sockets) {
        return Ok(Listener::Started);
    }
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

/// Whether the group's leader (the server itself, unless a wrapper runs it)
/// has every one of `sockets` open: then there is no need to look at every
/// process.
fn leader_holds_all(group: u32, sockets: &[u64]) -> bool {
    process_group(group) == Some(group)
        && open_sockets(group).is_ok_and(|open| sockets.iter().all(|inode| open.contains(inode)))
}

/// The inodes of the sockets listening on `port`, from the kernel's socket
/// diagnostics or, without those, from its socket tables.
fn listening_inodes(port: u16) -> io::Result<Vec<u64>> {
    sock_diag::listening_inodes(port).or_else(|_| proc_tables::listening_inodes(port))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::net::{Ipv4Addr, Ipv6Addr, TcpListener, TcpStream};
    use std::os::fd::{AsRawFd, OwnedFd};
    use std::os::unix::process::CommandExt;
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    use nix::sys::signal::{Signal, kill, killpg};
    use nix::unistd::Pid;

    #[test]
    fn a_real_listener_is_seen_and_its_absence_too() {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
        let port = listener.local_addr().expect("address").port();
        assert!(is_listening(port).expect("ask the kernel"));
        // Seeing it did not consume a connection: the first connect is accepted.
        let _client = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("connect");
        listener.accept().expect("accept");
        drop(listener);
        let listening = settled(
            || is_listening(port).expect("ask the kernel"),
            |listening| !listening,
        );
        assert!(!listening);
        assert_eq!(listener_on(port, std::process::id()), Listener::Nobody);
    }

    #[test]
    fn socket_diagnostics_and_tables_both_see_ipv4_and_ipv6_listeners() {
        let mut listeners = vec![TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind")];
        // Without IPv6 loopback, IPv4 alone.
        listeners.extend(TcpListener::bind((Ipv6Addr::LOCALHOST, 0)).ok());
        // Another process may listen on the same port number on the other
        // loopback address; only this socket is sure to be there.
        for listener in &listeners {
            let port = listener.local_addr().expect("address").port();
            let inode = inode_of(listener);
            let from_kernel = sock_diag::listening_inodes(port).expect("socket diagnostics");
            assert!(
                from_kernel.contains(&inode),
                "{listener:?}: {from_kernel:?}"
            );
            let from_tables = proc_tables::listening_inodes(port).expect("read tables");
            assert!(
                from_tables.contains(&inode),
                "{listener:?}: {from_tables:?}"
            );
        }
    }

    /// A socket's inode, as the link of its descriptor names it.
    fn inode_of(listener: &TcpListener) -> u64 {
        let descriptor = format!("/proc/self/fd/{}", listener.as_raw_fd());
        let target = fs::read_link(descriptor).expect("read the descriptor's link");
        let text = target.to_str().expect("a text link");
        text.strip_prefix("socket:[")
            .and_then(|rest| rest.strip_suffix(']'))
            .and_then(|inode| inode.parse().ok())
            .unwrap_or_else(|| panic!("not a socket: {text}"))
    }

    fn listener_on(port: u16, server_group: u32) -> Listener {
        super::listener(port, server_group).expect("read tables and processes")
    }

    /// What `look` finds once `until` holds for it, or after some seconds.
    /// A child that another test forks holds copies of this process's
    /// sockets until it starts its program: one look may find a socket still
    /// open, or one holder more, that the next does not.
    fn settled<T>(look: impl Fn() -> T, until: impl Fn(&T) -> bool) -> T {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let found = look();
            if until(&found) || Instant::now() > deadline {
                return found;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    fn has_one_holder(found: &Listener) -> bool {
        matches!(found, Listener::Stranger(stranger) if stranger.holders.len() == 1)
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
        let found = settled(|| listener_on(port, child.id()), has_one_holder);
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
        let found = settled(
            || listener_on(port, child.id()),
            |found| *found == Listener::Started,
        );
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
        let after = settled(
            || listener_on(port, child.id()),
            |found| *found == Listener::Nobody,
        );
        assert_eq!(after, Listener::Nobody);
    }

    /// A shell (leading a group of its own if `own_group`) whose background
    /// `program` holds a new listener as its stdin; the shell has closed its
    /// own copies when this returns. The listener's port, the shell, and the
    /// background process's pid.
    fn shell_holding_a_listener(program: &str, own_group: bool) -> (u16, Child, u32) {
        let socket = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
        let port = socket.local_addr().expect("address").port();
        let mut command = Command::new("sh");
        command
            .args([
                "-c",
                &format!("exec 3<&0; {program} <&3 3<&- & exec <&- 3<&-; echo $!; wait"),
            ])
            .stdin(Stdio::from(OwnedFd::from(socket)))
            .stdout(Stdio::piped());
        if own_group {
            command.process_group(0);
        }
        let mut shell = command.spawn().expect("spawn sh");
        drop(command);
        let mut line = String::new();
        io::BufRead::read_line(
            &mut io::BufReader::new(shell.stdout.take().expect("stdout")),
            &mut line,
        )
        .expect("read the background pid");
        (port, shell, line.trim().parse().expect("a pid"))
    }

    #[test]
    fn a_listener_in_a_wrappers_child_is_the_servers() {
        // The group's leader does not hold the socket, its child does.
        let (port, mut wrapper, _) = shell_holding_a_listener("sleep 30", true);
        let group = wrapper.id();
        let found = settled(
            || listener_on(port, group),
            |found| *found == Listener::Started,
        );
        let leader_holds =
            leader_holds_all(group, &listening_inodes(port).expect("ask the kernel"));
        let group_pid = Pid::from_raw(i32::try_from(group).expect("pid"));
        killpg(group_pid, Signal::SIGKILL).expect("kill the group");
        wrapper.wait().expect("wait");

        assert!(!leader_holds, "the leader closed its copy");
        assert_eq!(found, Listener::Started);
    }

    #[test]
    fn a_listener_in_a_grandchilds_own_group_is_a_stranger() {
        // The holder leads a group of its own outside the server's (as a
        // server left behind by another run would).
        let (port, mut child, holder) = shell_holding_a_listener("setsid sleep 30", false);
        // `setsid` runs `sleep` in its place, soon but not at once.
        let command = settled(
            || processes::command_line(holder),
            |command| command == "sleep 30",
        );
        let found = settled(|| listener_on(port, child.id()), has_one_holder);
        let holder_pid = Pid::from_raw(i32::try_from(holder).expect("pid"));
        kill(holder_pid, Signal::SIGKILL).expect("kill the holder");
        child.wait().expect("wait");

        assert_eq!(command, "sleep 30");
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
