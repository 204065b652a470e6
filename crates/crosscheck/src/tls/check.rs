//! The body of every generated TLS test: run the cell, then hold it to the
//! expectation the spec compiler decided for it.

use crate::expectation::{self, Observed};
use crate::paths;
use crate::process::log_tail;
use crate::tls::cell::{self, Cell, CellResult, Verdict};
use crate::tls::matrix::Matrix;

const LOG_TAIL_LINES: usize = 15;

pub use crate::expectation::Judgement;

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

/// Compares a cell's verdict with its expectation.
pub fn judge(matrix: &Matrix, cell: Cell, result: &CellResult) -> Judgement {
    let expected = matrix.expectation(cell.case, cell.client, cell.server);
    let roles: Vec<&str>;
    let how = format!("exited {}", cell::UNSUPPORTED_EXIT);
    let observed = match &result.verdict {
        Verdict::Passed => Observed::Passed,
        Verdict::Failed { reason } => Observed::Failed(reason),
        Verdict::Unsupported { roles: sides } => {
            roles = sides.iter().map(|role| role.as_str()).collect();
            Observed::Unsupported {
                who: &roles,
                how: &how,
            }
        }
    };
    expectation::judge(expected, &observed)
}
