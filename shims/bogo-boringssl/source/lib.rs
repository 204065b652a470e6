//! Empty: this package only pins the `boring-sys` source (see Cargo.toml).
