//! Running one cell of the matrix: a client implementation against a server
//! implementation in one case, over real TCP on loopback.
//!
//! Reserve a port, start the server, learn it listens (without connecting),
//! put the relay in between, run the client, then collect both exit
//! statuses under the case's deadline. Both processes log to per-cell files
//! and are killed, with their process groups, whatever happens. The relay's
//! capture and the shims' key logs then show what really crossed the wire,
//! and the verdict holds the exits, the claimed facts and the wire to the
//! case.
//!
//! A port held by a program that is not this run's (one left over from a
//! killed run, say) is noticed while waiting for the server to listen: the
//! server is stopped and started once more on another port.

use std::borrow::Cow;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::process::{Finished, Job, ProcessError, Running};
use crate::programs::{self, Resolved};
use crate::tls::listening::{self, Listener};
use crate::tls::matrix::{Case, Implementation, Matrix, Parameter, Role};
use crate::tls::observe::expect::{self, WireJudgement};
use crate::tls::observe::{Depth, Observation};
use crate::tls::parameters::{self, Setting, Value};
use crate::tls::ports::{self, PortReservation};
use crate::tls::relay::{Relay, RelayStats};

/// The exit status meaning "this implementation does not support the case".
pub const UNSUPPORTED_EXIT: i32 = crosscheck_model::tls::UNSUPPORTED_EXIT as i32;

/// How long a server may take to finish once its client has failed.
const SERVER_GRACE_AFTER_CLIENT_FAILURE: Duration = Duration::from_secs(2);

/// How often to look for the server's listening socket.
const LISTEN_POLL: Duration = Duration::from_millis(1);

/// Which cell to run.
#[derive(Debug, Clone, Copy)]
pub struct Cell {
    pub case: usize,
    pub client: usize,
    pub server: usize,
}

impl Cell {
    /// `case/client_to_server` with the spec's names.
    pub fn label(&self, matrix: &Matrix) -> String {
        format!(
            "{}/{}_to_{}",
            matrix.cases[self.case].name,
            matrix.implementations[self.client].name,
            matrix.implementations[self.server].name
        )
    }
}

/// What a cell did.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Both sides exited 0 and reported every required fact.
    Passed,
    /// One or both sides exited 127.
    Unsupported {
        roles: Vec<Role>,
    },
    Failed {
        reason: String,
    },
}

/// A finished cell with its evidence.
#[derive(Debug, Clone)]
pub struct CellResult {
    pub verdict: Verdict,
    /// Server start to both exits.
    pub elapsed: Duration,
    /// Client start to exit (the time the transfer figures use).
    pub client_elapsed: Option<Duration>,
    /// Bytes the case transfers, when it has a transfer size.
    pub transfer_bytes: Option<u64>,
    pub client_log: PathBuf,
    pub server_log: PathBuf,
    pub relay: Option<RelayStats>,
    /// What the harness saw on the wire, when it looked.
    pub observation: Option<Observation>,
    /// What the case asks that the wire could not show (encrypted, and no
    /// key log to read it with).
    pub unobserved: Vec<String>,
}

impl CellResult {
    /// Megabytes (10^6 bytes) per second over the client's lifetime.
    pub fn megabytes_per_second(&self) -> Option<f64> {
        let bytes = self.transfer_bytes?;
        let seconds = self.client_elapsed?.as_secs_f64();
        (self.verdict == Verdict::Passed && seconds > 0.0).then(|| bytes as f64 / 1e6 / seconds)
    }
}

/// Where a cell logs and which parameter values it uses.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Logs go to `logs_dir/<case>/<client>_to_<server>/{client,server}.log`.
    pub logs_dir: PathBuf,
    /// `(parameter name, value)` pairs that win over the environment and the
    /// spec, e.g. `("download_bytes", "1 GB")`.
    pub overrides: Vec<(String, String)>,
    /// How the harness carries the connections. Only benchmarks choose
    /// anything but [`Carriage::Observed`], to measure what watching costs;
    /// verdicts then rest on the shims' word alone.
    pub carriage: Carriage,
}

/// How a cell's connections go from client to server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Carriage {
    /// Through the relay, which observes them.
    #[default]
    Observed,
    /// Through the relay, which forwards without looking.
    RelayedUnobserved,
    /// Straight from client to server (a case's relay still applies).
    Direct,
}

impl Settings {
    pub fn new(logs_dir: impl Into<PathBuf>) -> Self {
        Settings {
            logs_dir: logs_dir.into(),
            overrides: Vec::new(),
            carriage: Carriage::Observed,
        }
    }

    /// The value given for `parameter`: an override, else its environment
    /// variable.
    pub fn lookup(&self, parameter: &Parameter) -> Option<Setting> {
        self.overrides
            .iter()
            .find(|(name, _)| *name == parameter.name)
            .map(|(name, value)| Setting {
                origin: format!("--set {name}"),
                text: value.clone(),
            })
            .or_else(|| {
                std::env::var(&*parameter.env)
                    .ok()
                    .map(|text| Setting::from_environment(&parameter.env, text))
            })
    }
}

/// Runs one cell.
pub fn run(matrix: &'static Matrix, cell: Cell, settings: &Settings) -> CellResult {
    let _slot = crate::cpu_slots::acquire();
    let logs_dir = &settings.logs_dir;
    let case = &matrix.cases[cell.case];
    let cell_dir = logs_dir.join(&*case.name).join(format!(
        "{}_to_{}",
        matrix.implementations[cell.client].name, matrix.implementations[cell.server].name
    ));
    let client_log = cell_dir.join("client.log");
    let server_log = cell_dir.join("server.log");
    let _ = fs::remove_dir_all(&cell_dir);

    let mut result = CellResult {
        verdict: Verdict::Passed,
        elapsed: Duration::ZERO,
        client_elapsed: None,
        transfer_bytes: None,
        client_log: client_log.clone(),
        server_log: server_log.clone(),
        relay: None,
        observation: None,
        unobserved: Vec::new(),
    };
    // Builds happen in `prepare`; the deadline and timings start after them.
    result.verdict = match prepare(matrix, cell, settings) {
        Ok(prepared) => {
            let started = Instant::now();
            result.transfer_bytes = parameters::transfer_bytes(&prepared.values);
            let mut run = CellRun {
                prepared,
                case,
                client_keys: cell_dir.join("client.keys"),
                server_keys: cell_dir.join("server.keys"),
                client_log,
                server_log,
                started,
                carriage: settings.carriage,
                client_elapsed: None,
                relay: None,
                observation: None,
                unobserved: Vec::new(),
            };
            let verdict = run.execute();
            result.elapsed = started.elapsed();
            result.client_elapsed = run.client_elapsed;
            result.relay = run.relay;
            result.observation = run.observation;
            result.unobserved = run.unobserved;
            verdict
        }
        Err(reason) => Verdict::Failed { reason },
    };
    note_sides_not_started(&result, &cell_dir);
    result
}

/// Writes the log of a side that never started (the cell ended before
/// it), saying why, so a report's link to it leads somewhere.
fn note_sides_not_started(result: &CellResult, cell_dir: &Path) {
    let why = match &result.verdict {
        Verdict::Passed => return,
        Verdict::Failed { reason } => reason.clone(),
        Verdict::Unsupported { roles } => {
            let roles: Vec<&str> = roles.iter().map(|role| role.as_str()).collect();
            format!("the {} exited 127 (unsupported)", roles.join(" and "))
        }
    };
    for log in [&result.client_log, &result.server_log] {
        if !log.exists() {
            let _ = fs::create_dir_all(cell_dir);
            let _ = fs::write(log, format!("[crosscheck] not started: {why}\n"));
        }
    }
}

/// Everything resolved before any process starts.
struct Prepared {
    client: Resolved,
    server: Resolved,
    values: Vec<Value>,
    deadline: Duration,
    environment: Vec<(String, String)>,
    /// Parameter variables of other cases, which this case's shims must not
    /// see in whatever form the harness was given them.
    unset: Vec<String>,
}

fn prepare(matrix: &'static Matrix, cell: Cell, settings: &Settings) -> Result<Prepared, String> {
    let case = &matrix.cases[cell.case];
    let values = parameters::resolve(case, |parameter| settings.lookup(parameter))
        .map_err(|error| error.to_string())?;
    let deadline = parameters::deadline(case, &values);
    let mut environment = vec![(
        "CROSSCHECK_TLS_CERTIFICATES".to_string(),
        crate::paths::in_workspace(&*matrix.certificates)
            .display()
            .to_string(),
    )];
    environment.extend(
        values
            .iter()
            .map(|value| (value.parameter.env.to_string(), value.value.to_string())),
    );
    let mut unset: Vec<String> = matrix
        .cases
        .iter()
        .flat_map(|other| other.parameters.iter())
        .filter(|parameter| !case.parameters.iter().any(|own| own.env == parameter.env))
        .map(|parameter| parameter.env.to_string())
        .collect();
    unset.sort_unstable();
    unset.dedup();
    Ok(Prepared {
        client: launch(matrix, &matrix.implementations[cell.client])?,
        server: launch(matrix, &matrix.implementations[cell.server])?,
        values,
        deadline,
        environment,
        unset,
    })
}

fn launch(matrix: &'static Matrix, implementation: &Implementation) -> Result<Resolved, String> {
    programs::resolve(&implementation.program, Path::new(&*matrix.root))
        .map_err(|error| format!("{}: {error}", implementation.name))
}

/// One cell in flight.
struct CellRun {
    prepared: Prepared,
    case: &'static Case,
    client_log: PathBuf,
    server_log: PathBuf,
    /// Where each side writes its key log (`SSLKEYLOGFILE`).
    client_keys: PathBuf,
    server_keys: PathBuf,
    started: Instant,
    carriage: Carriage,
    client_elapsed: Option<Duration>,
    relay: Option<RelayStats>,
    observation: Option<Observation>,
    unobserved: Vec<String>,
}

impl CellRun {
    fn execute(&mut self) -> Verdict {
        let (port, server) = match self.start_server() {
            Ok(started) => started,
            Err(verdict) => return verdict,
        };

        let segment_bytes = self.case.relay.map(|relay| relay.segment_bytes);
        let depth = match (self.carriage, &self.case.wire.key_updates) {
            (Carriage::Observed, Some(_)) => Depth::Everything,
            (Carriage::Observed, None) => Depth::Handshake,
            _ => Depth::Nothing,
        };
        let relay = if self.carriage != Carriage::Direct || segment_bytes.is_some() {
            match start_relay(port.port(), segment_bytes, depth) {
                Ok(pair) => Some(pair),
                Err(reason) => return failed(reason),
            }
        } else {
            None
        };
        let client_port = relay
            .as_ref()
            .map_or(port.port(), |(relay, _)| relay.port());
        if self.case.client_starts_at_second {
            wait_for_next_second();
        }
        let client = self
            .start(Role::Client, client_port)
            .and_then(Running::wait);
        self.client_elapsed = client.as_ref().ok().map(|finished| finished.elapsed);

        let server_wait = match &client {
            Ok(finished) if finished.status.success() => self.remaining(),
            // The server waits for a connection that will never come.
            Ok(finished) if finished.status.code() == Some(UNSUPPORTED_EXIT) => Duration::ZERO,
            _ => SERVER_GRACE_AFTER_CLIENT_FAILURE.min(self.remaining()),
        };
        let server = server.wait_at_most(server_wait);
        if let Some((relay, _reservation)) = relay {
            let (stats, captures) = relay.stop();
            if self.carriage == Carriage::Observed {
                let mut observation = Observation::read(
                    &captures,
                    &[
                        (Role::Client, &self.client_keys),
                        (Role::Server, &self.server_keys),
                    ],
                );
                observation.largest_segment = segment_bytes.map(|_| stats.largest_segment);
                self.observation = Some(observation);
            }
            self.relay = Some(stats);
        }
        drop(port);
        self.judge(client, server)
    }

    /// The server, listening on its reserved port. When another program
    /// already listens there, the server is started again on a second port.
    fn start_server(&self) -> Result<(PortReservation, Running), Verdict> {
        // The taken port stays reserved while the second one is picked.
        let mut taken: Option<(PortReservation, String)> = None;
        loop {
            let port = ports::reserve()
                .map_err(|error| failed(format!("cannot reserve a port: {error}")))?;
            let server = self
                .start(Role::Server, port.port())
                .map_err(|error| failed(format!("server did not start: {error}")))?;
            match self.wait_listening(server, port.port()) {
                Listening::Yes(server) => return Ok((port, server)),
                Listening::Exited(outcome) => return Err(self.server_exited_early(outcome)),
                Listening::Failed(reason) => return Err(failed(reason)),
                Listening::Taken(reason) => match taken {
                    Some((_, first)) => return Err(failed(format!("{first}; then {reason}"))),
                    None => {
                        self.note_in_server_log(&format!(
                            "[{reason}; the server starts again on another port]"
                        ));
                        taken = Some((port, reason));
                    }
                },
            }
        }
    }

    /// A line of the harness's own in the server log, between two runs.
    fn note_in_server_log(&self, line: &str) {
        if let Ok(mut log) = OpenOptions::new().append(true).open(&self.server_log) {
            let _ = writeln!(log, "{line}");
        }
    }

    fn start(&self, role: Role, port: u16) -> Result<Running, ProcessError> {
        let (launch, log, keys) = match role {
            Role::Client => (&self.prepared.client, &self.client_log, &self.client_keys),
            Role::Server => (&self.prepared.server, &self.server_log, &self.server_keys),
        };
        let mut job = Job::new(&launch.program, &launch.leading_args)
            .arg(role.as_str())
            .arg(&*self.case.name)
            .arg(port.to_string())
            .current_dir(&launch.cwd)
            .log_to(log)
            .deadline(self.remaining());
        for key in &self.prepared.unset {
            job = job.env_remove(key);
        }
        for (key, value) in launch.env.iter().chain(&self.prepared.environment) {
            job = job.env(key, value);
        }
        if self.carriage == Carriage::Observed {
            job = job.env("SSLKEYLOGFILE", keys.display().to_string());
        }
        job.start()
    }

    fn remaining(&self) -> Duration {
        self.prepared
            .deadline
            .saturating_sub(self.started.elapsed())
    }

    fn wait_listening(&self, server: Running, port: u16) -> Listening {
        // A socket that the server closed while its processes were being
        // looked at would seem a stranger's once; a stranger's stays.
        let mut suspect = None;
        let group = server.pid();
        loop {
            match listening::listener(port, group) {
                Ok(Listener::Started) => return Listening::Yes(server),
                Ok(Listener::Nobody) => suspect = None,
                Ok(Listener::Stranger(stranger)) if suspect == Some(stranger.inode) => {
                    let _ = server.wait_at_most(Duration::ZERO);
                    return Listening::Taken(stranger.to_string());
                }
                Ok(Listener::Stranger(stranger)) => suspect = Some(stranger.inode),
                Err(error) => {
                    return Listening::Failed(format!("cannot see listening sockets: {error}"));
                }
            }
            if server.has_exited() {
                let outcome = server.wait();
                // Most likely the stranger made it fail ("address in use").
                if let Ok(finished) = &outcome
                    && finished.status.code() != Some(UNSUPPORTED_EXIT)
                    && let Ok(Listener::Stranger(stranger)) = listening::listener(port, group)
                {
                    return Listening::Taken(format!(
                        "{stranger} (the server exited with {})",
                        finished.status
                    ));
                }
                return Listening::Exited(outcome);
            }
            if self.remaining().is_zero() {
                return Listening::Exited(server.wait());
            }
            thread::sleep(LISTEN_POLL);
        }
    }

    fn server_exited_early(&self, outcome: Result<Finished, ProcessError>) -> Verdict {
        match outcome {
            Ok(finished) if finished.status.code() == Some(UNSUPPORTED_EXIT) => {
                Verdict::Unsupported {
                    roles: vec![Role::Server],
                }
            }
            Ok(finished) => failed(format!(
                "server exited ({}) before it listened on its port",
                finished.status
            )),
            Err(ProcessError::TimedOut { .. }) => failed(format!(
                "server did not listen within the deadline of {:.1?}",
                self.prepared.deadline
            )),
            Err(error) => failed(format!("server: {error}")),
        }
    }

    fn judge(
        &mut self,
        client: Result<Finished, ProcessError>,
        server: Result<Finished, ProcessError>,
    ) -> Verdict {
        let unsupported: Vec<Role> = [(Role::Client, &client), (Role::Server, &server)]
            .into_iter()
            .filter(|(_, outcome)| {
                outcome
                    .as_ref()
                    .is_ok_and(|finished| finished.status.code() == Some(UNSUPPORTED_EXIT))
            })
            .map(|(role, _)| role)
            .collect();
        if !unsupported.is_empty() {
            return Verdict::Unsupported { roles: unsupported };
        }
        let mut problems: Vec<String> = match &self.case.refusal {
            None => [(Role::Client, &client), (Role::Server, &server)]
                .into_iter()
                .filter_map(|(role, outcome)| self.problem(role, outcome))
                .collect(),
            Some(refusal) => [(Role::Client, &client), (Role::Server, &server)]
                .into_iter()
                .filter_map(|(role, outcome)| self.refusal_problem(role, refusal.by, outcome))
                .collect(),
        };
        if let Some(judgement) = self.judge_wire() {
            problems.extend(judgement.contradictions);
            self.unobserved = judgement.unobserved;
        }
        if problems.is_empty() {
            Verdict::Passed
        } else {
            if let Some(observation) = &self.observation {
                problems.push(format!("the wire showed: {}", observation.summary()));
            }
            failed(problems.join("; "))
        }
    }

    /// The wire against the case and the sides' claims, when it was watched.
    fn judge_wire(&self) -> Option<WireJudgement> {
        let observation = self.observation.as_ref()?;
        let mut judgement = match &self.case.refusal {
            Some(refusal) => expect::judge_refusal(refusal, observation),
            None => {
                let claims = [
                    (Role::Client, reported_facts(&self.client_log)),
                    (Role::Server, reported_facts(&self.server_log)),
                ];
                expect::judge_exchange(self.case, &self.prepared.values, observation, &claims)
            }
        };
        if let (Some(relay), Some(largest)) = (self.case.relay, observation.largest_segment)
            && largest > relay.segment_bytes as u64
        {
            judgement.contradictions.push(format!(
                "the relay wrote a {largest}-byte segment; the case allows {}",
                relay.segment_bytes
            ));
        }
        Some(judgement)
    }

    /// What is wrong with one side's outcome, if anything.
    fn problem(&self, role: Role, outcome: &Result<Finished, ProcessError>) -> Option<String> {
        let side = role.as_str();
        match outcome {
            Err(ProcessError::TimedOut { deadline, .. }) => Some(format!(
                "{side} was still running after {deadline:.1?} and was killed"
            )),
            Err(error) => Some(format!("{side}: {error}")),
            Ok(finished) if !finished.status.success() => {
                Some(format!("{side} exited with {}", finished.status))
            }
            Ok(_) => {
                let (facts, log) = match role {
                    Role::Client => (&self.case.client_facts, &self.client_log),
                    Role::Server => (&self.case.server_facts, &self.server_log),
                };
                missing_facts(facts, log)
                    .map(|missing| format!("{side} exited 0 but did not report {missing}"))
            }
        }
    }

    /// In a negative case both sides must fail within the deadline, and
    /// the refusing one must say why.
    fn refusal_problem(
        &self,
        role: Role,
        refuser: Role,
        outcome: &Result<Finished, ProcessError>,
    ) -> Option<String> {
        let side = role.as_str();
        let log = match role {
            Role::Client => &self.client_log,
            Role::Server => &self.server_log,
        };
        match outcome {
            Err(ProcessError::TimedOut { deadline, .. }) => Some(format!(
                "{side} was still running after {deadline:.1?} and was killed (it should have failed)"
            )),
            Err(error) => Some(format!("{side}: {error}")),
            Ok(finished) if finished.status.success() => Some(if role == refuser {
                format!("{side} exited 0: it accepted what it should have refused")
            } else {
                format!(
                    "{side} exited 0: it did not notice the {}'s refusal",
                    refuser.as_str()
                )
            }),
            Ok(_) if role == refuser && refusal_reason(log).is_none() => Some(format!(
                "{side} failed without reporting why it refused (`{REFUSAL_PREFIX} …`)"
            )),
            Ok(_) => None,
        }
    }
}

pub use crosscheck_model::tls::REFUSAL_PREFIX;

/// The refusing side's own account, from its log.
pub fn refusal_reason(log: &Path) -> Option<String> {
    let text = fs::read_to_string(log).ok()?;
    text.lines()
        .find_map(|line| line.trim().strip_prefix(REFUSAL_PREFIX))
        .map(|reason| reason.trim().to_string())
}

enum Listening {
    Yes(Running),
    Exited(Result<Finished, ProcessError>),
    /// Another program listens on the port (the reason says which); the
    /// server has been stopped.
    Taken(String),
    Failed(String),
}

fn start_relay(
    server_port: u16,
    segment_bytes: Option<usize>,
    depth: Depth,
) -> Result<(Relay, PortReservation), String> {
    // A port free when reserved can be taken before the relay binds it
    // (by a program that takes no reservations): then another port.
    let mut attempts = 0;
    loop {
        let reservation =
            ports::reserve().map_err(|error| format!("cannot reserve a relay port: {error}"))?;
        match Relay::start(reservation.port(), server_port, segment_bytes, depth) {
            Ok(relay) => return Ok((relay, reservation)),
            Err(error) if error.kind() == std::io::ErrorKind::AddrInUse && attempts < 3 => {
                attempts += 1;
            }
            Err(error) => {
                return Err(format!(
                    "cannot start the relay on port {}: {error}",
                    reservation.port()
                ));
            }
        }
    }
}

/// The `crosscheck-fact: NAME` lines of a log.
fn reported_facts(log: &Path) -> Vec<String> {
    let text = fs::read_to_string(log).unwrap_or_default();
    text.lines()
        .filter_map(|line| line.trim().strip_prefix(crosscheck_model::tls::FACT_PREFIX))
        .map(|fact| fact.trim().to_string())
        .collect()
}

/// `crosscheck-fact: NAME` lines the log lacks, as "`a`, `b`".
fn missing_facts(facts: &[Cow<'static, str>], log: &Path) -> Option<String> {
    if facts.is_empty() {
        return None;
    }
    let reported = reported_facts(log);
    let missing: Vec<String> = facts
        .iter()
        .filter(|fact| !reported.iter().any(|reported| reported == fact.as_ref()))
        .map(|fact| format!("`crosscheck-fact: {fact}`"))
        .collect();
    (!missing.is_empty()).then(|| missing.join(", "))
}

/// Returns just after the next second of wall-clock time begins.
fn wait_for_next_second() {
    let into_second = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(Duration::ZERO, |since| {
            Duration::from_nanos(u64::from(since.subsec_nanos()))
        });
    thread::sleep(Duration::from_secs(1).saturating_sub(into_second));
}

fn failed(reason: String) -> Verdict {
    Verdict::Failed { reason }
}
