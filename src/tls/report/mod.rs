//! `crosscheck tls`: the whole matrix in parallel, then one clients ×
//! servers table per case on the terminal, as JSON and as an HTML page.

pub mod html;
pub mod model;
pub mod run;
pub mod table;

pub use model::{CaseReport, CellReport, CellStatus, Report, Totals};
pub use run::{RunOptions, run_matrix};
