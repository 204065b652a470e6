//! What crosscheck's runtime, its spec compiler and its shims share, defined
//! once: the two roles of a TLS connection, the exit codes and output lines
//! through which shims tell the harness what happened, and the records the
//! spec compiler emits (expectations, programs, BoGo cases and, with the
//! `app-identity` feature, the App Identity family).

/// `databake::Bake` for types whose tokens `quote::ToTokens` writes by
/// hand (their paths name `crosscheck`), so records that hold them derive
/// `Bake`.
#[cfg(feature = "tokens")]
macro_rules! bake_as_tokens {
    ($($type:ty),+) => {$(
        impl databake::Bake for $type {
            fn bake(&self, env: &databake::CrateEnv) -> proc_macro2::TokenStream {
                env.insert("crosscheck");
                quote::ToTokens::to_token_stream(self)
            }
        }
    )+};
}

#[cfg(feature = "app-identity")]
pub mod app_identity;
pub mod expectation;
pub mod program;

use std::fmt;

/// A side of a TLS connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "tokens", derive(databake::Bake), databake(path = crosscheck))]
pub enum Role {
    Client,
    Server,
}

impl Role {
    pub const ALL: [Role; 2] = [Role::Client, Role::Server];

    /// `client` or `server`, as specs and command lines write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Client => "client",
            Role::Server => "server",
        }
    }

    /// Parses `client` or `server`.
    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == name)
    }

    /// The other side.
    pub fn peer(self) -> Role {
        match self {
            Role::Client => Role::Server,
            Role::Server => Role::Client,
        }
    }
}

#[cfg(feature = "tokens")]
impl quote::ToTokens for Role {
    fn to_tokens(&self, tokens: &mut proc_macro2::TokenStream) {
        tokens.extend(match self {
            Role::Client => quote::quote! { ::crosscheck::Role::Client },
            Role::Server => quote::quote! { ::crosscheck::Role::Server },
        });
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

pub mod bogo;
pub mod tls;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_their_names() {
        for role in Role::ALL {
            assert_eq!(Role::from_name(role.as_str()), Some(role));
            assert_eq!(role.peer().peer(), role);
        }
        assert_eq!(Role::from_name("peer"), None);
        assert_eq!(Role::Client.to_string(), "client");
    }
}
