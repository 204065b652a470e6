//! Runs external programs the way a conformance harness needs: each in its
//! own process group, under a deadline, with stdout and stderr appended to a
//! log file, and with the whole group killed when the deadline passes, the
//! caller unwinds, or the calling process ends in any way, killed by a
//! signal included (see `janitor`). [`paths`] says where crosscheck keeps
//! its work files.

mod janitor;
pub mod paths;

use std::cell::Cell;
use std::ffi::{OsStr, OsString};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::signal::{Signal, killpg};
use nix::sys::wait::{Id, WaitPidFlag, waitid};
use nix::unistd::Pid;
use thiserror::Error;

pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(60);

/// How long to keep collecting captured stdout after the process group is
/// gone; only a process that escaped the group can hold the pipe open longer.
const OUTPUT_GRACE: Duration = Duration::from_secs(2);

/// A program to run once; configure with the builder methods, then [`Job::run`].
#[derive(Debug, Clone)]
pub struct Job {
    program: OsString,
    args: Vec<OsString>,
    current_dir: Option<PathBuf>,
    env: Vec<(OsString, OsString)>,
    env_removed: Vec<OsString>,
    stdin: Option<Vec<u8>>,
    log: Option<PathBuf>,
    deadline: Duration,
    capture_stdout: bool,
    /// Whether captured stdout is copied into the log too.
    log_stdout: bool,
    capture_stderr: bool,
}

/// A process that exited (with any status) before its deadline.
#[derive(Debug)]
pub struct Finished {
    pub status: ExitStatus,
    /// Empty unless [`Job::capture_stdout`] was set.
    pub stdout: Vec<u8>,
    /// Empty unless [`Job::capture_stderr`] was set.
    pub stderr: Vec<u8>,
    pub elapsed: Duration,
}

/// A started process; dropping it kills its group.
pub struct Running {
    group: ProcessGroup,
    command_line: String,
    log: Option<File>,
    log_path: Option<PathBuf>,
    log_stdout: bool,
    deadline: Duration,
    started: Instant,
    stdout_chunks: Option<Receiver<Vec<u8>>>,
    stderr_chunks: Option<Receiver<Vec<u8>>>,
}

#[derive(Debug, Error)]
pub enum ProcessError {
    #[error("cannot run `{program}`: not found (is it installed and on PATH? PATH={path})")]
    NotFound { program: String, path: String },
    #[error("cannot start `{program}`: {source}")]
    Spawn {
        program: String,
        #[source]
        source: io::Error,
    },
    #[error("`{command}` did not finish within {deadline:?} and was killed{}", log_hint(.log.as_deref()))]
    TimedOut {
        command: String,
        deadline: Duration,
        log: Option<PathBuf>,
    },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
}

fn log_hint(log: Option<&Path>) -> String {
    log.map(|log| format!("; log file {}", log.display()))
        .unwrap_or_default()
}

fn io_error(context: impl Into<String>) -> impl FnOnce(io::Error) -> ProcessError {
    let context = context.into();
    move |source| ProcessError::Io { context, source }
}

impl Job {
    pub fn new<I, S>(program: impl AsRef<OsStr>, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        Self {
            program: program.as_ref().to_owned(),
            args: args
                .into_iter()
                .map(|arg| arg.as_ref().to_owned())
                .collect(),
            current_dir: None,
            env: Vec::new(),
            env_removed: Vec::new(),
            stdin: None,
            log: None,
            deadline: DEFAULT_DEADLINE,
            capture_stdout: false,
            log_stdout: true,
            capture_stderr: false,
        }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    pub fn current_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.current_dir = Some(dir.into());
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.env
            .push((key.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// Leaves `key` out of the environment the process inherits (a value
    /// set with [`Job::env`] still applies).
    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Self {
        self.env_removed.push(key.as_ref().to_owned());
        self
    }

    /// Every `(key, value)` of `env`, as [`Job::env`] sets one.
    pub fn envs<K: AsRef<OsStr>, V: AsRef<OsStr>>(self, env: &[(K, V)]) -> Self {
        env.iter()
            .fold(self, |job, (key, value)| job.env(key, value))
    }

    /// Bytes written to the process's stdin, which is then closed. Without
    /// this, stdin is empty.
    pub fn stdin_bytes(mut self, bytes: Vec<u8>) -> Self {
        self.stdin = Some(bytes);
        self
    }

    /// Appends a header, stdout, stderr and a footer to this file (parent
    /// directories are created). Without a log, output that is not captured
    /// is discarded.
    pub fn log_to(mut self, path: impl Into<PathBuf>) -> Self {
        self.log = Some(path.into());
        self
    }

    /// The process group is killed when this much time has passed.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Returns stdout in [`Finished::stdout`]; it still goes to the log too.
    pub fn capture_stdout(mut self) -> Self {
        self.capture_stdout = true;
        self
    }

    /// Returns stdout in [`Finished::stdout`] and keeps it out of the log,
    /// which records only its size: for output that holds secrets.
    pub fn capture_stdout_unlogged(mut self) -> Self {
        self.capture_stdout = true;
        self.log_stdout = false;
        self
    }

    /// Returns stderr in [`Finished::stderr`]; it still goes to the log too.
    pub fn capture_stderr(mut self) -> Self {
        self.capture_stderr = true;
        self
    }

    /// The command as a shell-like line, for logs and messages.
    pub fn command_line(&self) -> String {
        std::iter::once(&self.program)
            .chain(&self.args)
            .map(|word| shell_word(&word.to_string_lossy()))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Runs the program to completion; a nonzero exit is not an error here.
    pub fn run(self) -> Result<Finished, ProcessError> {
        self.start()?.wait()
    }

    /// Starts the program and returns at once; the deadline counts from now.
    pub fn start(mut self) -> Result<Running, ProcessError> {
        let command_line = self.command_line();
        let mut log = self.open_log()?;
        if let Some(log) = log.as_mut() {
            // The environment it was given, as a line a shell can rerun.
            let removed: String = self
                .env_removed
                .iter()
                .map(|key| format!("-u {} ", shell_word(&key.to_string_lossy())))
                .collect();
            let set: String = self
                .env
                .iter()
                .map(|(key, value)| {
                    let value = shell_word(&value.to_string_lossy());
                    format!("{}={value} ", key.to_string_lossy())
                })
                .collect();
            let environment = if removed.is_empty() {
                set
            } else {
                format!("env {removed}{set}")
            };
            writeln!(log, "$ {environment}{command_line}")
                .map_err(io_error("cannot write the log"))?;
        }
        let mut command = self.command(log.as_ref())?;
        let started = Instant::now();
        let mut child = command.spawn().map_err(|source| self.spawn_error(source))?;

        let stdin = child.stdin.take();
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let group = ProcessGroup::watch(child).map_err(io_error("cannot watch the process"))?;
        if let (Some(stdin), Some(bytes)) = (stdin, self.stdin.take()) {
            feed_stdin(stdin, bytes);
        }
        let stdout_chunks = match stdout {
            Some(stdout) => Some(tee_output(
                stdout,
                log.as_ref().filter(|_| self.log_stdout),
            )?),
            None => None,
        };
        let stderr_chunks = match stderr {
            Some(stderr) => Some(tee_output(stderr, log.as_ref())?),
            None => None,
        };
        Ok(Running {
            group,
            command_line,
            log,
            log_path: self.log,
            log_stdout: self.log_stdout,
            deadline: self.deadline,
            started,
            stdout_chunks,
            stderr_chunks,
        })
    }

    fn open_log(&self) -> Result<Option<File>, ProcessError> {
        let Some(path) = &self.log else {
            return Ok(None);
        };
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io_error(format!(
                "cannot create log directory {}",
                parent.display()
            )))?;
        }
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map(Some)
            .map_err(io_error(format!("cannot open log file {}", path.display())))
    }

    fn command(&self, log: Option<&File>) -> Result<Command, ProcessError> {
        let log_stdio = || -> Result<Stdio, ProcessError> {
            match log {
                Some(log) => log
                    .try_clone()
                    .map(Stdio::from)
                    .map_err(io_error("cannot share the log file")),
                None => Ok(Stdio::null()),
            }
        };
        let mut command = Command::new(&self.program);
        for key in &self.env_removed {
            command.env_remove(key);
        }
        command
            .args(&self.args)
            .envs(self.env.iter().map(|(key, value)| (key, value)))
            .process_group(0)
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(if self.capture_stdout {
                Stdio::piped()
            } else {
                log_stdio()?
            })
            .stderr(if self.capture_stderr {
                Stdio::piped()
            } else {
                log_stdio()?
            });
        if let Some(dir) = &self.current_dir {
            // Spawning in a missing directory fails with NotFound too, which
            // would be misreported as a missing program.
            if !dir.is_dir() {
                return Err(ProcessError::Io {
                    context: format!("cannot run `{}`", self.command_line()),
                    source: io::Error::new(
                        io::ErrorKind::NotFound,
                        format!("working directory {} does not exist", dir.display()),
                    ),
                });
            }
            command.current_dir(dir);
        }
        Ok(command)
    }

    fn spawn_error(&self, source: io::Error) -> ProcessError {
        let program = self.program.to_string_lossy().into_owned();
        if source.kind() == io::ErrorKind::NotFound {
            let path = self
                .env
                .iter()
                .rev()
                .find(|(key, _)| key == "PATH")
                .map(|(_, value)| value.clone())
                .or_else(|| std::env::var_os("PATH"))
                .unwrap_or_default();
            ProcessError::NotFound {
                program,
                path: path.to_string_lossy().into_owned(),
            }
        } else {
            ProcessError::Spawn { program, source }
        }
    }
}

fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Writes stdin from a thread so a process that does not read it cannot
/// block the caller; a process that exits early makes the write fail, which
/// is not an error of the run.
fn feed_stdin(mut stdin: impl Write + Send + 'static, bytes: Vec<u8>) {
    thread::spawn(move || {
        let _ = stdin.write_all(&bytes);
    });
}

/// Copies a captured stream to the log as it arrives and hands the chunks to
/// the caller.
fn tee_output(
    mut output: impl Read + Send + 'static,
    log: Option<&File>,
) -> Result<Receiver<Vec<u8>>, ProcessError> {
    let mut log = log
        .map(File::try_clone)
        .transpose()
        .map_err(io_error("cannot share the log file"))?;
    let (chunks, received): (Sender<Vec<u8>>, _) = mpsc::channel();
    thread::spawn(move || {
        let mut buffer = [0u8; 8192];
        loop {
            match output.read(&mut buffer) {
                Ok(0) => break,
                Ok(read) => {
                    if let Some(log) = log.as_mut() {
                        let _ = log.write_all(&buffer[..read]);
                    }
                    let _ = chunks.send(buffer[..read].to_vec());
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
    });
    Ok(received)
}

fn collect_output(chunks: Receiver<Vec<u8>>) -> Vec<u8> {
    let give_up = Instant::now() + OUTPUT_GRACE;
    let mut output = Vec::new();
    while let Ok(chunk) = chunks.recv_timeout(give_up.saturating_duration_since(Instant::now())) {
        output.extend_from_slice(&chunk);
    }
    output
}

impl Running {
    /// The process's id, which is also its process group's.
    pub fn pid(&self) -> u32 {
        self.group.group.as_raw().unsigned_abs()
    }

    /// The command as a shell-like line, for logs and messages.
    pub fn command_line(&self) -> &str {
        &self.command_line
    }

    /// Whether the process has exited (it is not reaped until a wait).
    pub fn has_exited(&self) -> bool {
        self.group.has_exited()
    }

    /// Waits until the process exits or its deadline passes.
    pub fn wait(self) -> Result<Finished, ProcessError> {
        let remaining = self.deadline.saturating_sub(self.started.elapsed());
        self.wait_at_most(remaining)
    }

    /// Waits at most `timeout` (and never past the deadline); a process
    /// still running then is killed and reported as timed out.
    pub fn wait_at_most(mut self, timeout: Duration) -> Result<Finished, ProcessError> {
        let remaining = self.deadline.saturating_sub(self.started.elapsed());
        let cut_short = timeout < remaining;
        let exit = self
            .group
            .wait(timeout.min(remaining))
            .map_err(io_error(format!("cannot wait for `{}`", self.command_line)))?;
        let elapsed = self.started.elapsed();
        let stdout = self
            .stdout_chunks
            .take()
            .map(collect_output)
            .unwrap_or_default();
        let stderr = self
            .stderr_chunks
            .take()
            .map(collect_output)
            .unwrap_or_default();

        if let Some(log) = self.log.as_mut() {
            if !self.log_stdout {
                writeln!(log, "[stdout: {} bytes, not logged]", stdout.len())
                    .map_err(io_error("cannot write the log"))?;
            }
            let footer = match (exit.timed_out, cut_short) {
                (true, true) => format!("[killed after {elapsed:.2?}: no longer needed]"),
                (true, false) => format!("[killed: deadline of {:?} passed]", self.deadline),
                (false, _) => format!("[{} after {elapsed:.2?}]", exit.status),
            };
            writeln!(log, "{footer}").map_err(io_error("cannot write the log"))?;
        }
        if exit.timed_out {
            return Err(ProcessError::TimedOut {
                command: self.command_line.clone(),
                deadline: if cut_short { elapsed } else { self.deadline },
                log: self.log_path.clone(),
            });
        }
        Ok(Finished {
            status: exit.status,
            stdout,
            stderr,
            elapsed,
        })
    }
}

struct Exit {
    status: ExitStatus,
    timed_out: bool,
}

/// Owns a child that leads its own process group. Dropping it kills the
/// group and reaps the child, so nothing outlives a panicking caller.
struct ProcessGroup {
    child: Child,
    group: Pid,
    /// Signalled (or disconnected) once the leader has exited. The leader is
    /// left unreaped until the group has been killed, so its id cannot be
    /// reused by an unrelated process in the meantime.
    leader_exited: Receiver<()>,
    /// Whether `leader_exited` has already delivered its signal.
    exited: Cell<bool>,
    reaped: bool,
}

impl ProcessGroup {
    fn watch(child: Child) -> io::Result<Self> {
        let raw_pid = i32::try_from(child.id())
            .map_err(|_| io::Error::other(format!("process id {} out of range", child.id())))?;
        let group = Pid::from_raw(raw_pid);
        let (exited, leader_exited) = mpsc::channel();
        let opened = janitor::opened(raw_pid);
        let mut guard = Self {
            child,
            group,
            leader_exited,
            exited: Cell::new(false),
            reaped: false,
        };
        let waiter = thread::Builder::new()
            .name(format!("wait-{raw_pid}"))
            .spawn(move || {
                wait_without_reaping(group);
                let _ = exited.send(());
            });
        if let Err(error) = waiter.and(opened) {
            guard.kill();
            return Err(error);
        }
        Ok(guard)
    }

    fn has_exited(&self) -> bool {
        // The waiter thread sends once; peeking must not consume it, so
        // remember a received signal.
        if self.exited.get() {
            return true;
        }
        let exited = !matches!(
            self.leader_exited.try_recv(),
            Err(mpsc::TryRecvError::Empty)
        );
        self.exited.set(exited);
        exited
    }

    fn wait(&mut self, timeout: Duration) -> io::Result<Exit> {
        let signal = if self.exited.get() {
            Ok(())
        } else {
            self.leader_exited.recv_timeout(timeout)
        };
        let timed_out = match signal {
            Ok(()) | Err(RecvTimeoutError::Disconnected) => false,
            Err(RecvTimeoutError::Timeout) => {
                self.kill();
                let _ = self.leader_exited.recv();
                true
            }
        };
        // Background processes the leader left behind.
        self.kill();
        let status = self.child.wait()?;
        self.reaped = true;
        janitor::closed(self.group.as_raw());
        Ok(Exit { status, timed_out })
    }

    fn kill(&mut self) {
        // ESRCH only means everyone is gone already.
        let _ = killpg(self.group, Signal::SIGKILL);
        // The leader may have moved to another group.
        let _ = self.child.kill();
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        if !self.reaped {
            self.kill();
            let _ = self.leader_exited.recv();
            if self.child.wait().is_ok() {
                janitor::closed(self.group.as_raw());
            }
        }
    }
}

fn wait_without_reaping(pid: Pid) {
    loop {
        match waitid(Id::Pid(pid), WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT) {
            Err(Errno::EINTR) => continue,
            _ => return,
        }
    }
}

/// "log file PATH, last N lines:\n..." for failure messages.
pub fn log_tail(path: &Path, lines: usize) -> String {
    match fs::read(path) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let all: Vec<&str> = text.lines().collect();
            let tail = &all[all.len().saturating_sub(lines)..];
            format!(
                "log file {}, last {} lines:\n{}",
                path.display(),
                tail.len(),
                tail.join("\n")
            )
        }
        Err(error) => format!("log file {} cannot be read: {error}", path.display()),
    }
}

/// Whether process `pid` ends within `timeout`. A zombie counts as ended:
/// one left to an init that does not reap (as in some containers) no
/// longer runs. For tests that check nothing was left behind.
pub fn ends_within(pid: i32, timeout: Duration) -> bool {
    let give_up = Instant::now() + timeout;
    loop {
        let ended = match nix::sys::signal::kill(Pid::from_raw(pid), None) {
            Err(Errno::ESRCH) => true,
            _ => fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|stat| {
                    stat.rsplit_once(')')
                        .map(|(_, rest)| rest.trim_start().starts_with('Z'))
                })
                .unwrap_or(false),
        };
        if ended || Instant::now() > give_up {
            return ended;
        }
        thread::sleep(Duration::from_millis(10));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Job {
        Job::new("sh", ["-c", script])
    }

    fn is_gone(pid: i32) -> bool {
        ends_within(pid, Duration::from_secs(5))
    }

    #[test]
    fn captures_stdout_of_a_successful_command() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("logs/nested/run.log");
        let finished = sh("echo hello; echo world")
            .capture_stdout()
            .log_to(&log)
            .run()
            .unwrap();
        assert!(finished.status.success());
        assert_eq!(finished.stdout, b"hello\nworld\n");
        let logged = fs::read_to_string(&log).unwrap();
        assert!(logged.contains("hello\nworld\n"), "{logged}");
    }

    #[test]
    fn stdout_captured_unlogged_stays_out_of_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("run.log");
        let finished = sh("printf '%s-%s\\n' secret material; echo progress >&2")
            .capture_stdout_unlogged()
            .log_to(&log)
            .run()
            .unwrap();
        assert_eq!(finished.stdout, b"secret-material\n");
        let logged = fs::read_to_string(&log).unwrap();
        assert!(!logged.contains("secret-material"), "{logged}");
        assert!(
            logged.contains("progress\n[stdout: 16 bytes, not logged]\n"),
            "{logged}"
        );
    }

    #[test]
    fn captures_stderr_apart_from_stdout_and_still_logs_it() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("run.log");
        let finished = sh("echo out; echo err-one >&2; echo err-two >&2; exit 4")
            .capture_stderr()
            .log_to(&log)
            .run()
            .unwrap();
        assert_eq!(finished.status.code(), Some(4));
        assert_eq!(finished.stderr, b"err-one\nerr-two\n");
        assert!(finished.stdout.is_empty(), "stdout was not captured");
        let logged = fs::read_to_string(&log).unwrap();
        for expected in ["out\n", "err-one\nerr-two\n", "[exit status: 4"] {
            assert!(
                logged.contains(expected),
                "{expected:?} missing in:\n{logged}"
            );
        }

        let both = sh("echo out; echo err >&2")
            .capture_stdout()
            .capture_stderr()
            .run()
            .unwrap();
        assert_eq!(both.stdout, b"out\n");
        assert_eq!(both.stderr, b"err\n");
    }

    #[test]
    fn nonzero_exit_is_reported_not_an_error() {
        let finished = sh("exit 3").run().unwrap();
        assert_eq!(finished.status.code(), Some(3));
    }

    #[test]
    fn deadline_kills_the_whole_group() {
        let dir = tempfile::tempdir().unwrap();
        let pids = dir.path().join("pids");
        // Long enough for a loaded machine to start sh and write the pids.
        let deadline = Duration::from_secs(1);
        let started = Instant::now();
        let error = sh(r#"sleep 30 & echo $! > "$1"; echo $$ >> "$1"; sleep 30"#)
            .arg("sh")
            .arg(&pids)
            .deadline(deadline)
            .run()
            .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(10));
        assert!(
            matches!(&error, ProcessError::TimedOut { deadline: after, .. } if *after == deadline),
            "{error}"
        );
        let pids: Vec<i32> = fs::read_to_string(&pids)
            .unwrap()
            .lines()
            .map(|line| line.parse().unwrap())
            .collect();
        assert_eq!(pids.len(), 2);
        for pid in pids {
            assert!(is_gone(pid), "process {pid} still running");
        }
    }

    #[test]
    fn sleep_is_killed_at_the_deadline() {
        let started = Instant::now();
        let error = Job::new("sleep", ["30"])
            .deadline(Duration::from_millis(200))
            .run()
            .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(
            error.to_string().contains("did not finish within 200ms"),
            "{error}"
        );
    }

    #[test]
    fn leftover_background_processes_are_killed_after_a_normal_exit() {
        let dir = tempfile::tempdir().unwrap();
        let pids = dir.path().join("pids");
        let finished = sh(r#"sleep 30 & echo $! > "$1""#)
            .arg("sh")
            .arg(&pids)
            .run()
            .unwrap();
        assert!(finished.status.success());
        let pid: i32 = fs::read_to_string(&pids).unwrap().trim().parse().unwrap();
        assert!(is_gone(pid), "background process {pid} still running");
    }

    #[test]
    fn an_unbounded_deadline_is_accepted() {
        let finished = sh("true").deadline(Duration::MAX).run().unwrap();
        assert!(finished.status.success());
    }

    #[test]
    fn dropping_the_guard_kills_the_group() {
        let child = Command::new("sh")
            .args(["-c", "sleep 30 & sleep 30"])
            .process_group(0)
            .spawn()
            .unwrap();
        let leader = i32::try_from(child.id()).unwrap();
        let group = ProcessGroup::watch(child).unwrap();
        // Give sh time to start its background child.
        thread::sleep(Duration::from_millis(100));
        let members = group_members(leader);
        assert!(members.contains(&leader), "{members:?}");
        drop(group);
        for pid in members {
            assert!(is_gone(pid), "process {pid} still running");
        }
    }

    fn group_members(group: i32) -> Vec<i32> {
        fs::read_dir("/proc")
            .unwrap()
            .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<i32>().ok())
            .filter(|pid| {
                fs::read_to_string(format!("/proc/{pid}/stat"))
                    .ok()
                    .and_then(|stat| {
                        let (_, rest) = stat.rsplit_once(')')?;
                        rest.split_whitespace().nth(2)?.parse::<i32>().ok()
                    })
                    == Some(group)
            })
            .collect()
    }

    #[test]
    fn stdin_bytes_are_delivered() {
        let input = b"line one\nline two\n".to_vec();
        let finished = Job::new("cat", Vec::<&str>::new())
            .stdin_bytes(input.clone())
            .capture_stdout()
            .run()
            .unwrap();
        assert_eq!(finished.stdout, input);

        // More than a pipe buffer holds, in both directions.
        let large: Vec<u8> = (0..2_000_000u32).map(|i| (i % 251) as u8).collect();
        let finished = Job::new("cat", Vec::<&str>::new())
            .stdin_bytes(large.clone())
            .capture_stdout()
            .run()
            .unwrap();
        assert!(
            finished.stdout == large,
            "{} bytes back",
            finished.stdout.len()
        );
    }

    #[test]
    fn log_holds_stdout_stderr_and_a_header() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("run.log");
        sh("echo to-stdout; echo to-stderr >&2; exit 1")
            .log_to(&log)
            .run()
            .unwrap();
        sh("echo second run")
            .env("GREETING", "hello world")
            .log_to(&log)
            .run()
            .unwrap();
        let logged = fs::read_to_string(&log).unwrap();
        for expected in [
            "$ GREETING='hello world' sh -c 'echo second run'\n",
            "$ sh -c 'echo to-stdout; echo to-stderr >&2; exit 1'\n",
            "to-stdout\n",
            "to-stderr\n",
            "[exit status: 1 after",
            "second run\n",
        ] {
            assert!(
                logged.contains(expected),
                "{expected:?} missing in:\n{logged}"
            );
        }
        let tail = log_tail(&log, 2);
        assert!(
            tail.starts_with(&format!(
                "log file {}, last 2 lines:\nsecond run\n[exit status: 0",
                log.display()
            )),
            "{tail}"
        );
    }

    #[test]
    fn missing_program_names_it_and_path() {
        let error = Job::new("no-such-program-anywhere", ["x"])
            .env("PATH", "/nowhere")
            .run()
            .unwrap_err();
        let message = error.to_string();
        assert!(message.contains("`no-such-program-anywhere`"), "{message}");
        assert!(message.contains("PATH=/nowhere"), "{message}");
    }

    #[test]
    fn missing_working_directory_is_not_a_missing_program() {
        let error = sh("true")
            .current_dir("/definitely/not/here")
            .run()
            .unwrap_err();
        assert!(error.to_string().contains("working directory"), "{error}");
    }

    #[test]
    fn env_and_current_dir_apply() {
        let dir = tempfile::tempdir().unwrap();
        let finished = sh(r#"echo "$GREETING $(pwd)""#)
            .env("GREETING", "hi")
            .current_dir(dir.path())
            .capture_stdout()
            .run()
            .unwrap();
        let canonical = dir.path().canonicalize().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&finished.stdout),
            format!("hi {}\n", canonical.display())
        );
    }
}
