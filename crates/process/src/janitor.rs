//! Nothing a process started through [`Job`](crate::Job) outlives it, however
//! it ends: returning, a panic, Ctrl-C, SIGTERM, or SIGKILL.
//!
//! Every program runs in a process group of its own, so that a deadline can
//! kill everything it started; that also shields it from the signals meant
//! for crosscheck (a terminal's Ctrl-C, `timeout`, a cancelled CI job). The
//! janitor closes that gap: the first program started also starts it, a
//! small `sh` in a group of its own that ignores the terminal's signals and
//! reads on a pipe which process groups this process opened (`+ PGID`) and
//! closed (`- PGID`). When the pipe closes, because this process is gone for
//! whatever reason (the kernel closes a killed process's files too), it
//! kills the groups still open: the programs and everything they started.
//!
//! A group is closed only after its leader is reaped, and the leader is
//! reaped only after its group was killed, so an id the janitor holds never
//! names an unrelated process.

use std::io::{self, Write};
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;

/// Keeps the list of open groups in one shell variable (` 12 34 `), so
/// recording a change forks nothing.
const JANITOR_SCRIPT: &str = r#"trap '' INT TERM HUP QUIT
open=' '
while read -r change group; do
    case $change in
        +) open="$open$group " ;;
        -) case $open in
               *" $group "*) open="${open%% $group *} ${open#* $group }" ;;
           esac ;;
    esac
done
for group in $open; do
    kill -s KILL -- "-$group" 2>/dev/null
done
"#;

struct Janitor {
    changes: ChildStdin,
    // Never waited for: it exits when this process does.
    _process: Child,
}

static JANITOR: Mutex<Option<Janitor>> = Mutex::new(None);

/// Records that process group `group` is open, starting the janitor first
/// if this is the first.
pub(crate) fn opened(group: i32) -> io::Result<()> {
    tell(&format!("+ {group}\n"))
}

/// Records that process group `group` is gone.
pub(crate) fn closed(group: i32) {
    // A janitor that died cannot be told; the groups it would have killed
    // are already gone.
    let _ = tell(&format!("- {group}\n"));
}

fn tell(change: &str) -> io::Result<()> {
    let mut janitor = JANITOR
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if janitor.is_none() {
        *janitor = Some(start()?);
    }
    match janitor.as_mut() {
        Some(janitor) => janitor.changes.write_all(change.as_bytes()),
        None => Ok(()),
    }
}

fn start() -> io::Result<Janitor> {
    let mut process = Command::new("sh")
        .args(["-c", JANITOR_SCRIPT])
        .current_dir("/")
        .process_group(0)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|error| {
            io::Error::new(
                error.kind(),
                format!("cannot start the janitor (sh): {error}"),
            )
        })?;
    let changes = process
        .stdin
        .take()
        .ok_or_else(|| io::Error::other("the janitor has no stdin"))?;
    Ok(Janitor {
        changes,
        _process: process,
    })
}
