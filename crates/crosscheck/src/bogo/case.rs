//! The compiled form of one BoGo case (`crosscheck_model::bogo`): static
//! data the spec compiler emits and the runner ([`crate::bogo::runner`])
//! executes. Nothing here reads YAML.

pub use crosscheck_model::Role;
pub use crosscheck_model::bogo::{
    Case, Expect, KeyType, KeyUpdateRequest, Messages, Misbehaviour, Peer, RecordAt, Version,
};
