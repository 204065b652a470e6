//! Token helpers every family's emitter uses.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};

/// `#[ignore = "reason"]`, or nothing for a test that runs.
pub fn ignore_attribute(reason: Option<&str>) -> TokenStream {
    match reason {
        Some(reason) => quote! { #[ignore = #reason] },
        None => TokenStream::new(),
    }
}

/// `Some(value)` or `None`.
pub fn optional(value: Option<impl ToTokens>) -> TokenStream {
    match value {
        Some(value) => quote! { Some(#value) },
        None => quote! { None },
    }
}
