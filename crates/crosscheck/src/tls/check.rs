//! The body of every generated TLS test: run the cell, then hold it to what
//! the spec declares (supported, unsupported, or a known failure).

use crate::paths;
use crate::process::log_tail;
use crate::tls::cell::{self, Cell, CellResult, Verdict};
use crate::tls::matrix::{Matrix, Role};

const LOG_TAIL_LINES: usize = 15;

/// How a cell's result compares with the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    /// As declared: passed, a known failure still failing, or unsupported
    /// where the spec says so.
    AsDeclared,
    /// Anything else, with the reason.
    Unexpected(String),
}

/// Runs the cell and panics, with both logs' tails, unless it behaves as the
/// spec declares.
pub fn check(matrix: &'static Matrix, case: usize, client: usize, server: usize) {
    let cell = Cell {
        case,
        client,
        server,
    };
    let result = cell::run(matrix, cell, &cell::Settings::new(paths::run_dir("tls")));
    if let Judgement::Unexpected(reason) = judge(matrix, cell, &result) {
        panic!(
            "{}: {reason}\nclient {}\nserver {}",
            cell.label(matrix),
            side_log(&result.client_log),
            side_log(&result.server_log)
        );
    }
}

fn side_log(path: &std::path::Path) -> String {
    if path.exists() {
        log_tail(path, LOG_TAIL_LINES)
    } else {
        "was not started".to_string()
    }
}

/// Compares a cell's verdict with its declarations.
pub fn judge(matrix: &Matrix, cell: Cell, result: &CellResult) -> Judgement {
    let declared_unsupported: Vec<(Role, &str)> =
        [(Role::Client, cell.client), (Role::Server, cell.server)]
            .into_iter()
            .filter_map(|(role, implementation)| {
                matrix.implementations[implementation]
                    .unsupported_reason(cell.case, role)
                    .map(|reason| (role, reason))
            })
            .collect();
    let known_failure = matrix.known_failure(cell.case, cell.client, cell.server);
    match &result.verdict {
        Verdict::Unsupported { roles } => {
            let undeclared: Vec<&str> = roles
                .iter()
                .filter(|role| {
                    !declared_unsupported
                        .iter()
                        .any(|(declared, _)| declared == *role)
                })
                .map(|role| role.as_str())
                .collect();
            if undeclared.is_empty() {
                Judgement::AsDeclared
            } else {
                Judgement::Unexpected(format!(
                    "the {} exited {} (unsupported) but implementations.yaml declares the case supported",
                    undeclared.join(" and the "),
                    cell::UNSUPPORTED_EXIT
                ))
            }
        }
        _ if !declared_unsupported.is_empty() => Judgement::Unexpected(format!(
            "declared unsupported ({}) but the shims did not exit {}: remove the entry from implementations.yaml{}",
            declared_unsupported
                .iter()
                .map(|(role, reason)| format!(
                    "{} as {}: {reason}",
                    implementation_name(matrix, cell, *role),
                    role.as_str()
                ))
                .collect::<Vec<_>>()
                .join("; "),
            cell::UNSUPPORTED_EXIT,
            match &result.verdict {
                Verdict::Failed { reason } => format!(" (the run failed: {reason})"),
                _ => String::new(),
            }
        )),
        Verdict::Passed => match known_failure {
            None => Judgement::AsDeclared,
            Some(known) => Judgement::Unexpected(format!(
                "passes now: remove the known failure at {} ({})",
                known.declared_at, known.reason
            )),
        },
        Verdict::Failed { reason } => match known_failure {
            Some(_) => Judgement::AsDeclared,
            None => Judgement::Unexpected(reason.clone()),
        },
    }
}

fn implementation_name(matrix: &Matrix, cell: Cell, role: Role) -> &'static str {
    let index = match role {
        Role::Client => cell.client,
        Role::Server => cell.server,
    };
    matrix.implementations[index].name
}
