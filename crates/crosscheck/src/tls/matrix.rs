//! The compiled form of `specs/tls/`: static data the generated tests and
//! the CLI share, defined once in `crosscheck-model`. Built by the spec
//! compiler, never by hand.

pub use crosscheck_model::Role;
pub use crosscheck_model::tls::{
    Case, ConnectionWire, Implementation, KeyUpdates, Matrix, Parameter, ParameterKind,
    PlannedCell, Refusal, Relay, Wire,
};
