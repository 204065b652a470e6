//! crosscheck's BoGo runner: runs one [`Case`] against a shim speaking
//! BoringSSL's runner ⇄ shim protocol (`bogo/PROTOCOL.md`).
//!
//! Per test: open a [`ShimListener`] (a shim id registered with the
//! process-wide [`Dispatcher`], or for older shims a listener of its own), start
//! the shim (own process group, deadline, per-test log, stderr captured),
//! play the other side of `1 + resume_count` connections with rustls
//! ([`connection`]), wait for the shim to exit, and judge ([`verdict`]).
//!
//! Modules, one job each: [`dispatcher`] (the shared listener), [`listener`]
//! (which listener a shim's protocol needs), [`credentials`]
//! (the runner's PKI), [`peer`] (rustls configs), [`wire`], [`record`] and
//! [`tamper`] (bytes on the wire and misbehaviours), [`protected`] (record
//! protection after a takeover from rustls) with [`secret_log`] and
//! [`crosscheck_key_schedule`] (TLS 1.3 traffic secrets and their updates),
//! [`connection`] and [`takeover`] (a connection over rustls, then over the
//! runner's own records), [`key_updates`] (KeyUpdate rules), [`verdict`],
//! [`alerts`].

pub mod alerts;
pub mod connection;
pub mod credentials;
pub mod dispatcher;
pub mod key_updates;
pub mod listener;
pub mod peer;
pub mod protected;
pub mod record;
pub mod secret_log;
pub mod takeover;
pub mod tamper;
pub mod verdict;
pub mod wire;

use std::ffi::OsString;
use std::fmt;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use thiserror::Error;

use crosscheck_model::Role;
use crosscheck_model::bogo::shim::RunnerOptions;
use crosscheck_model::bogo::{Case, Misbehaviour};
use crosscheck_process::paths;
use crosscheck_process::{Job, ProcessError, log_tail};

pub use connection::ConnectionError;
pub use dispatcher::{DEFAULT_IDLE_TIMEOUT, Dispatcher};
pub use listener::{Address, Protocol, ShimListener};
pub use verdict::{ErrorMaps, NO_ERROR_MAPS, ShimExit, StaticErrorMaps, Verdict};

use credentials::Credentials;
use peer::PeerConfig;
use verdict::{Evidence, Judgement};

/// Time for one shim run, handshakes and exit included.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(60);
/// Malloc iterations before giving up on a shim that keeps asking for more.
pub const DEFAULT_MALLOC_ITERATIONS: u64 = 10_000;
/// Lines of the log a failure message shows.
const LOG_TAIL_LINES: usize = 20;

/// A shim program.
#[derive(Debug, Clone)]
pub struct Shim {
    /// For log directories and messages (`rustls`).
    pub name: String,
    pub program: PathBuf,
    /// Arguments before the runner's own.
    pub leading_args: Vec<OsString>,
    /// Environment variables the shim gets on top of the runner's (a
    /// variant's, e.g. which crypto provider to use).
    pub env: Vec<(OsString, OsString)>,
    /// Where it runs (the project root, as every family's programs);
    /// `None`: where the runner runs.
    pub current_dir: Option<PathBuf>,
}

impl Shim {
    pub fn new(name: impl Into<String>, program: impl Into<PathBuf>) -> Shim {
        Shim {
            name: name.into(),
            program: program.into(),
            leading_args: Vec::new(),
            env: Vec::new(),
            current_dir: None,
        }
    }

    /// The same shim with `env` set as well.
    pub fn with_env(mut self, env: &[(impl AsRef<str>, impl AsRef<str>)]) -> Shim {
        self.env.extend(env.iter().map(|(name, value)| {
            (
                OsString::from(name.as_ref()),
                OsString::from(value.as_ref()),
            )
        }));
        self
    }
}

/// How a run behaves, per run or per shim.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Accept any error text where a failure is expected (`-loose-errors`).
    pub loose_errors: bool,
    /// Exit 89 ("unimplemented") counts as a success (`-allow-unimplemented`).
    pub allow_unimplemented: bool,
    /// Bound on every read, write, connection wait and the wait for the
    /// shim's exit after the last connection (`-idle-timeout`).
    pub idle_timeout: Duration,
    /// Bound on a whole shim run; its process group is killed then.
    pub deadline: Duration,
    /// Logs go to `logs_dir/<shim>/<group>/<test>.log`.
    pub logs_dir: PathBuf,
    /// Flags right after `-port … -shim-id … [-ipv6]` (`-shim-extra-flags`).
    pub extra_flags: Vec<String>,
    /// Run as a malloc test.
    pub malloc: Option<MallocTest>,
    /// How the runner and the shim find each other.
    pub protocol: Protocol,
}

impl RunOptions {
    /// These options with a shim config's runner options.
    pub fn with_shim_options(self, shim: RunnerOptions) -> RunOptions {
        RunOptions {
            loose_errors: shim.loose_errors,
            allow_unimplemented: shim.allow_unimplemented,
            protocol: shim.protocol,
            ..self
        }
    }
}

/// Malloc mode: the test runs with `MALLOC_NUMBER_TO_FAIL` = `start`,
/// `start + 1`, … while the shim exits 88 (an injected allocation failure
/// was handled and later allocations remain); the first other result is the
/// test's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MallocTest {
    pub start: u64,
    pub max_iterations: u64,
}

impl Default for MallocTest {
    fn default() -> Self {
        MallocTest {
            start: 0,
            max_iterations: DEFAULT_MALLOC_ITERATIONS,
        }
    }
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            loose_errors: false,
            allow_unimplemented: false,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            deadline: DEFAULT_DEADLINE,
            logs_dir: paths::run_dir("bogo").join("logs"),
            extra_flags: Vec::new(),
            malloc: None,
            protocol: Protocol::CURRENT,
        }
    }
}

/// What a run did, with its evidence.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The upstream test name.
    pub test: String,
    pub verdict: Verdict,
    /// How the (last) shim run ended.
    pub shim_exit: ShimExit,
    /// The (last) shim run's stderr.
    pub shim_stderr: String,
    /// What the runner saw go wrong with the shim, if anything.
    pub local_error: Option<String>,
    /// What kept the runner from doing its part, if anything.
    pub runner_error: Option<String>,
    /// The shim's stdout and stderr and the runner's summary.
    pub log: PathBuf,
    pub elapsed: Duration,
    /// Shim runs in malloc mode.
    pub malloc_iterations: Option<u64>,
    /// Whether [`Verdict::Unimplemented`] counts as a success.
    pub allow_unimplemented: bool,
}

impl Outcome {
    /// Passed, or unimplemented where that is allowed.
    pub fn is_success(&self) -> bool {
        match self.verdict {
            Verdict::Passed => true,
            Verdict::Unimplemented => self.allow_unimplemented,
            Verdict::Failed(_) => false,
        }
    }

    /// `Ok` on success, else the whole story with the log's tail.
    pub fn check(&self) -> Result<(), String> {
        if self.is_success() {
            Ok(())
        } else {
            Err(self.report())
        }
    }

    /// The outcome and the tail of its log.
    pub fn report(&self) -> String {
        format!("{self}\n{}", log_tail(&self.log, LOG_TAIL_LINES))
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "BoGo test {}: {}", self.test, self.verdict)?;
        if let Some(iterations) = self.malloc_iterations {
            writeln!(f, "  malloc iterations: {iterations}")?;
        }
        writeln!(f, "  shim: {}", self.shim_exit)?;
        writeln!(
            f,
            "  local error: {}",
            self.local_error.as_deref().unwrap_or("none")
        )?;
        if let Some(error) = &self.runner_error {
            writeln!(f, "  runner error: {error}")?;
        }
        if self.shim_stderr.is_empty() {
            writeln!(f, "  shim stderr: (empty)")?;
        } else {
            writeln!(f, "  shim stderr:")?;
            for line in self.shim_stderr.lines() {
                writeln!(f, "    {line}")?;
            }
        }
        write!(f, "  log: {}", self.log.display())
    }
}

/// Runs `case` against `shim`.
pub fn run(shim: &Shim, case: &Case, maps: &dyn ErrorMaps, options: &RunOptions) -> Outcome {
    let started = Instant::now();
    let log = log_path(shim, case, options);
    let _ = fs::remove_file(&log);
    let mut outcome = match options.malloc {
        None => {
            let run = run_once(shim, case, options, &log, None);
            let judgement = run.judge(case, maps, options);
            let verdict = match judgement {
                Judgement::Verdict(verdict) => verdict,
                Judgement::MoreMallocs => Verdict::Failed(format!(
                    "the shim exited {} (more mallocs) outside a malloc test",
                    verdict::EXIT_MORE_MALLOCS
                )),
            };
            run.into_outcome(case, verdict, None, options, &log)
        }
        Some(malloc) => run_malloc(shim, case, maps, options, &log, malloc),
    };
    outcome.elapsed = started.elapsed();
    append_summary(&log, &outcome);
    outcome
}

fn run_malloc(
    shim: &Shim,
    case: &Case,
    maps: &dyn ErrorMaps,
    options: &RunOptions,
    log: &Path,
    malloc: MallocTest,
) -> Outcome {
    let mut last = None;
    for iteration in 0..malloc.max_iterations {
        let number = malloc.start + iteration;
        let run = run_once(shim, case, options, log, Some(number));
        match run.judge(case, maps, options) {
            Judgement::MoreMallocs => last = Some(run),
            Judgement::Verdict(verdict) => {
                let verdict = match verdict {
                    Verdict::Failed(reason) => {
                        Verdict::Failed(format!("with MALLOC_NUMBER_TO_FAIL={number}: {reason}"))
                    }
                    other => other,
                };
                return run.into_outcome(case, verdict, Some(iteration + 1), options, log);
            }
        }
    }
    let verdict = Verdict::Failed(format!(
        "the shim still exited {} (more mallocs) after {} malloc iterations from MALLOC_NUMBER_TO_FAIL={}",
        verdict::EXIT_MORE_MALLOCS,
        malloc.max_iterations,
        malloc.start
    ));
    last.unwrap_or_default()
        .into_outcome(case, verdict, Some(malloc.max_iterations), options, log)
}

/// One shim process and the runner's connections with it.
#[derive(Debug, Default)]
struct ShimRun {
    exit: Option<ShimExit>,
    stderr: String,
    local_error: Option<String>,
    runner_error: Option<String>,
}

impl ShimRun {
    fn judge(&self, case: &Case, maps: &dyn ErrorMaps, options: &RunOptions) -> Judgement {
        verdict::judge(
            &case.name,
            &case.expect,
            maps,
            options.loose_errors,
            &Evidence {
                exit: self.exit.unwrap_or(ShimExit::NotStarted),
                stderr: &self.stderr,
                local_error: self.local_error.as_deref(),
                runner_error: self.runner_error.as_deref(),
            },
        )
    }

    fn into_outcome(
        self,
        case: &Case,
        verdict: Verdict,
        malloc_iterations: Option<u64>,
        options: &RunOptions,
        log: &Path,
    ) -> Outcome {
        Outcome {
            test: case.name.to_string(),
            verdict,
            shim_exit: self.exit.unwrap_or(ShimExit::NotStarted),
            shim_stderr: self.stderr,
            local_error: self.local_error,
            runner_error: self.runner_error,
            log: log.to_path_buf(),
            elapsed: Duration::ZERO,
            malloc_iterations,
            allow_unimplemented: options.allow_unimplemented,
        }
    }
}

fn run_once(
    shim: &Shim,
    case: &Case,
    options: &RunOptions,
    log: &Path,
    malloc_number: Option<u64>,
) -> ShimRun {
    let mut run = ShimRun::default();
    let prepared = (|| -> Result<_, SetupError> {
        let credentials = credentials::shared()?;
        check_case(case)?;
        let config = PeerConfig::new(case, &credentials)?;
        let listener = ShimListener::open(options.protocol)?;
        Ok((credentials, config, listener))
    })();
    let (credentials, config, listener) = match prepared {
        Ok(prepared) => prepared,
        Err(error) => {
            run.runner_error = Some(error.to_string());
            return run;
        }
    };
    let args = shim_args(&listener, case, &credentials, options);
    let all_args = shim
        .leading_args
        .iter()
        .cloned()
        .chain(args.into_iter().map(OsString::from));
    let mut job = Job::new(&shim.program, all_args)
        .log_to(log)
        .deadline(options.deadline)
        .capture_stderr();
    for (name, value) in &shim.env {
        job = job.env(name, value);
    }
    if let Some(directory) = &shim.current_dir {
        job = job.current_dir(directory);
    }
    if let Some(number) = malloc_number {
        job = job
            .env("MALLOC_NUMBER_TO_FAIL", number.to_string())
            .env("_MALLOC_CHECK", "1");
    }
    let running = match job.start() {
        Ok(running) => running,
        Err(error) => {
            run.runner_error = Some(format!("cannot start the shim: {error}"));
            return run;
        }
    };

    let connections = 1 + case.resume_count;
    for index in 0..connections {
        let context = |error: &str| {
            if connections > 1 {
                format!("connection {} of {connections}: {error}", index + 1)
            } else {
                error.to_string()
            }
        };
        let stream = match listener.accept(options.idle_timeout, || running.has_exited()) {
            Ok(stream) => stream,
            Err(error) => {
                run.local_error = Some(context(&error.to_string()));
                break;
            }
        };
        match connection::run(stream, case, &config, index > 0, options.idle_timeout) {
            Ok(()) => {}
            Err(ConnectionError::Local(error)) => {
                run.local_error = Some(context(&error));
                break;
            }
            Err(ConnectionError::Runner(error)) => {
                run.runner_error = Some(context(&error));
                break;
            }
        }
    }
    // Later connections are closed from here on.
    drop(listener);

    match running.wait_at_most(options.idle_timeout) {
        Ok(finished) => {
            run.exit = Some(match (finished.status.code(), finished.status.signal()) {
                (Some(code), _) => ShimExit::Code(code),
                (None, Some(signal)) => ShimExit::Signal(signal),
                (None, None) => ShimExit::Killed,
            });
            run.stderr = String::from_utf8_lossy(&finished.stderr).replace("\r\n", "\n");
        }
        Err(ProcessError::TimedOut { .. }) => run.exit = Some(ShimExit::Killed),
        Err(error) => {
            run.exit = Some(ShimExit::Killed);
            run.runner_error = Some(format!("cannot wait for the shim: {error}"));
        }
    }
    run
}

/// Why the runner could not set up a test.
#[derive(Debug, Error)]
enum SetupError {
    #[error(transparent)]
    Credentials(#[from] credentials::Error),
    #[error(
        "extensions can only be duplicated in a ClientHello (1) or ServerHello (2), not in {}",
        record::handshake_name(*.message)
    )]
    DuplicateExtension { message: u8 },
    #[error(transparent)]
    Peer(#[from] peer::Error),
    #[error(transparent)]
    Listen(#[from] listener::ListenError),
}

/// Combinations the runner cannot play.
fn check_case(case: &Case) -> Result<(), SetupError> {
    if let Some(Misbehaviour::DuplicateExtension { message, .. }) = case.peer.misbehaviour
        && message != record::CLIENT_HELLO
        && message != record::SERVER_HELLO
    {
        return Err(SetupError::DuplicateExtension { message });
    }
    Ok(())
}

/// The shim's command line after its leading arguments, in upstream's order.
pub fn shim_args(
    listener: &ShimListener,
    case: &Case,
    credentials: &Credentials,
    options: &RunOptions,
) -> Vec<String> {
    let mut args = listener.flags();
    args.extend(options.extra_flags.iter().cloned());
    let leaf = credentials.leaf(case.key_type);
    let path = |path: &Path| path.to_string_lossy().into_owned();
    let expand = |flag: &str| {
        flag.replace("{cert_file}", &path(&leaf.cert_file))
            .replace("{key_file}", &path(&leaf.key_file))
            .replace("{ca_file}", &path(&credentials.ca_file))
    };
    if case.shim_role == Role::Server {
        args.extend([
            "-server".to_string(),
            "-cert-file".to_string(),
            path(&leaf.cert_file),
            "-key-file".to_string(),
            path(&leaf.key_file),
        ]);
    }
    // A client shim's certificate goes where upstream puts the test's shim
    // credential: before the runner's own flags.
    let credential = ["-cert-file", "{cert_file}", "-key-file", "{key_file}"];
    let leads_with_credential = case.flags.len() >= credential.len()
        && case
            .flags
            .iter()
            .zip(credential)
            .all(|(flag, wanted)| flag == wanted);
    let flags = if leads_with_credential && case.shim_role == Role::Client {
        args.extend(credential.iter().map(|flag| expand(flag)));
        &case.flags[credential.len()..]
    } else {
        &case.flags[..]
    };
    if case.resume_count > 0 {
        args.extend(["-resume-count".to_string(), case.resume_count.to_string()]);
    }
    if case.shim_writes_first {
        args.push("-shim-writes-first".to_string());
    }
    if case.shim_shuts_down {
        args.push("-shim-shuts-down".to_string());
    }
    // Upstream's runner holds a credential as the server, and as the client
    // when it presents a certificate.
    let runner_has_credential = case.shim_role == Role::Client || case.peer.client_certificate;
    if options.protocol.trust_cert && runner_has_credential {
        args.extend(["-trust-cert".to_string(), path(&credentials.ca_file)]);
    }
    args.extend(flags.iter().map(|flag| expand(flag)));
    args
}

/// `logs_dir/<shim>/<group>/<test>.log`, names made safe for paths.
pub fn log_path(shim: &Shim, case: &Case, options: &RunOptions) -> PathBuf {
    let safe = |name: &str| -> String {
        let cleaned: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        match cleaned.trim_start_matches('.') {
            "" => "_".to_string(),
            name => name.to_string(),
        }
    };
    options
        .logs_dir
        .join(safe(&shim.name))
        .join(safe(&case.group))
        .join(format!("{}.log", safe(&case.name)))
}

fn append_summary(log: &Path, outcome: &Outcome) {
    if let Some(parent) = log.parent() {
        let _ = fs::create_dir_all(parent);
    }
    if let Ok(mut file) = OpenOptions::new().create(true).append(true).open(log) {
        let _ = writeln!(file, "[runner] {outcome}");
    }
}
