//! C TLS libraries loaded when the shim starts (`dlopen`), so the shims
//! build without the libraries' headers and a missing library is a clear
//! error naming the package to install, not a link failure.
//!
//! An adapter declares the functions it calls with [`c_api!`]:
//!
//! ```ignore
//! c_api! {
//!     /// GnuTLS 3.7, the functions this adapter calls.
//!     pub struct GnuTls in ["libgnutls.so.30"], package "libgnutls30" {
//!         fn gnutls_check_version(required: *const c_char) -> *const c_char;
//!     }
//! }
//! let gnutls = GnuTls::get()?; // loaded once per process
//! ```

use crate::error::Error;

/// Opens the first of `names` that loads.
pub fn open(names: &[&str], package: &str) -> Result<libloading::Library, Error> {
    let mut failures = Vec::new();
    for name in names {
        // SAFETY: loading a TLS library runs its initialisers, which have no
        // preconditions.
        match unsafe { libloading::Library::new(name) } {
            Ok(library) => return Ok(library),
            Err(error) => failures.push(error.to_string()),
        }
    }
    Err(Error::library(
        format!(
            "cannot load {} (install it with: apt-get install {package})",
            names.join(" or ")
        ),
        failures.join("; "),
    ))
}

/// Declares a struct holding function pointers into a C library, loaded on
/// first use by `NAME::get()`.
#[macro_export]
macro_rules! c_api {
    (
        $(#[$meta:meta])*
        pub struct $name:ident in [$($file:literal),+ $(,)?], package $package:literal {
            $( fn $function:ident ( $($argument:ident : $type:ty),* $(,)? ) $(-> $return:ty)? ; )*
        }
    ) => {
        $(#[$meta])*
        #[allow(non_snake_case)]
        pub struct $name {
            $( pub $function: unsafe extern "C" fn($($type),*) $(-> $return)?, )*
            _library: ::libloading::Library,
        }

        impl $name {
            /// The library, loaded by the first call; later calls return the
            /// same table or the same error.
            pub fn get() -> ::std::result::Result<&'static $name, $crate::error::Error> {
                static TABLE: ::std::sync::OnceLock<::std::result::Result<$name, ::std::string::String>> =
                    ::std::sync::OnceLock::new();
                TABLE
                    .get_or_init(|| $name::load().map_err(|error| error.to_string()))
                    .as_ref()
                    .map_err(|message| $crate::error::Error::library("loading the TLS library", message))
            }

            // The locals are named after the C functions.
            #[allow(non_snake_case)]
            fn load() -> ::std::result::Result<$name, $crate::error::Error> {
                let library = $crate::c_library::open(&[$($file),+], $package)?;
                $(
                    // SAFETY: the declared signature is the C prototype of
                    // the library's header for this symbol.
                    let $function = unsafe {
                        *library
                            .get::<unsafe extern "C" fn($($type),*) $(-> $return)?>(
                                concat!(stringify!($function), "\0").as_bytes(),
                            )
                            .map_err(|error| $crate::error::Error::library(
                                concat!("finding ", stringify!($function)),
                                error,
                            ))?
                    };
                )*
                Ok($name { $($function,)* _library: library })
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use std::ffi::{CStr, c_char};

    crate::c_api! {
        /// The C library's `getenv`, as a stand-in for a TLS library.
        pub struct LibC in ["libc.so.6"], package "libc6" {
            fn getenv(name: *const c_char) -> *mut c_char;
        }
    }

    crate::c_api! {
        #[allow(dead_code)]
        pub struct Missing in ["libcrosscheck-absent.so.0"], package "crosscheck-absent" {
            fn absent();
        }
    }

    #[test]
    fn loads_a_library_and_calls_it() {
        let libc = LibC::get().expect("libc loads");
        // SAFETY: a NUL-terminated name; the result is read at once.
        let path = unsafe { (libc.getenv)(c"PATH".as_ptr()) };
        assert!(!path.is_null());
        // SAFETY: getenv returned a NUL-terminated string.
        assert!(!unsafe { CStr::from_ptr(path) }.to_bytes().is_empty());
    }

    #[test]
    fn a_missing_library_names_the_package() {
        let message = Missing::get().err().expect("not loadable").to_string();
        assert!(
            message.contains("apt-get install crosscheck-absent"),
            "{message}"
        );
    }
}
