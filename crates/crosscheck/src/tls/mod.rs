//! The TLS interop family: every client against every server over real TCP.

pub mod cell;
pub mod check;
pub mod listening;
pub mod matrix;
pub mod observe;
pub mod parameters;
pub mod ports;
pub mod provenance;
pub mod relay;
pub mod report;

pub use matrix::{
    Case, ConnectionWire, Implementation, KeyUpdates, Matrix, Parameter, ParameterKind,
    PlannedCell, Refusal, Relay, Role, Wire,
};

pub use check::check;
