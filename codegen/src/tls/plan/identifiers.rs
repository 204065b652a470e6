//! Spec names turned into Rust identifiers, with clashes reported.

use std::collections::HashMap;

use crate::diagnostic::FileChecks;
use crate::located::Located;
use crate::names::snake_case;

/// The identifiers handed out so far for one kind of name.
pub struct Identifiers {
    /// How the identifier is used, e.g. `a test module name`.
    purpose: &'static str,
    /// identifier → (name as written, `file:line:col`).
    seen: HashMap<String, (String, String)>,
}

impl Identifiers {
    pub fn new(purpose: &'static str) -> Self {
        Identifiers {
            purpose,
            seen: HashMap::new(),
        }
    }

    /// The snake_case identifier for `name`; keywords, names with nothing
    /// usable and names whose identifier is already taken are errors (and
    /// give an empty identifier).
    pub fn claim(&mut self, name: &Located<String>, checks: &mut FileChecks<'_>) -> String {
        let ident = match snake_case(name) {
            Ok(ident) => ident,
            Err(message) => {
                checks.error(name.position, message);
                return String::new();
            }
        };
        if let Some((first, at)) = self.seen.get(&ident) {
            checks.error(
                name.position,
                format!(
                    "`{}` and `{first}` (at {at}) both become {} `{ident}`; rename one",
                    name.value, self.purpose
                ),
            );
            return String::new();
        }
        self.seen.insert(
            ident.clone(),
            (name.value.clone(), checks.locate(name.position)),
        );
        ident
    }
}
