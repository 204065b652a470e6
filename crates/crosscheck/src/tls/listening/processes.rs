//! What `/proc` tells of processes: their groups, the sockets they have
//! open (`/proc/<pid>/fd/*` link to `socket:[<inode>]`), their command lines.

use std::fs;
use std::io;

use super::Holder;

/// Longest command line quoted in a message, in characters.
const COMMAND_LIMIT: usize = 200;

/// A process's id and process group.
pub struct Process {
    pub pid: u32,
    pub pgrp: u32,
}

/// Every process this process can see.
pub fn processes() -> io::Result<Vec<Process>> {
    Ok(fs::read_dir("/proc")?
        .filter_map(|entry| {
            let pid: u32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
            Some(Process {
                pid,
                pgrp: process_group(pid)?,
            })
        })
        .collect())
}

/// The process group of a process, from `/proc/<pid>/stat`.
pub fn process_group(pid: u32) -> Option<u32> {
    // `pid (comm) state ppid pgrp …`; the command may hold spaces and
    // parentheses, the fields after its last `)` do not.
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.rsplit_once(')')?;
    // After the state: ppid, then pgrp.
    rest.split_whitespace().nth(2)?.parse().ok()
}

/// The inodes of the sockets a process has open.
pub fn open_sockets(pid: u32) -> io::Result<Vec<u64>> {
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
pub fn holders(processes: &[Process], inode: u64) -> Vec<Holder> {
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
pub fn command_line(pid: u32) -> String {
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
