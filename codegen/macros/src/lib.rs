use proc_macro::TokenStream; #[proc_macro] pub fn spec(_i: TokenStream) -> TokenStream { TokenStream::new() }
