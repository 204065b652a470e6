//! Allocation-failure injection for the runner's malloc tests
//! (`-malloc-test`), the contract of BoringSSL's `crypto/mem.cc`:
//!
//! * `MALLOC_NUMBER_TO_FAIL=N` (a decimal `u64`; anything else disables the
//!   feature): the allocation with 0-based index N, counted over every
//!   allocation the library makes through its allocator, fails (returns
//!   NULL, `errno` = `ENOMEM`). Later allocations succeed again.
//! * If that allocation happened, the process exits with 88 however it ends,
//!   telling the runner to retry with N + 1. If the library made fewer than
//!   N + 1 allocations, nothing failed and the exit code is the test's own:
//!   the runner stops there and takes it as the verdict.
//! * `MALLOC_BREAK_ON_FAIL` set: raise `SIGTRAP` at the failing allocation.
//!
//! The hooks go into OpenSSL with `CRYPTO_set_mem_functions`, which works
//! only before OpenSSL's first allocation, so [`install_from_env`] must run
//! before any other OpenSSL call.

use std::ffi::{c_char, c_int, c_void};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::error::Failure;

unsafe extern "C" {
    fn CRYPTO_set_mem_functions(
        malloc_fn: Option<unsafe extern "C" fn(usize, *const c_char, c_int) -> *mut c_void>,
        realloc_fn: Option<
            unsafe extern "C" fn(*mut c_void, usize, *const c_char, c_int) -> *mut c_void,
        >,
        free_fn: Option<unsafe extern "C" fn(*mut c_void, *const c_char, c_int)>,
    ) -> c_int;
}

/// The environment variable naming the allocation to fail.
pub const NUMBER_TO_FAIL: &str = "MALLOC_NUMBER_TO_FAIL";
/// The environment variable asking for a trap at the failing allocation.
pub const BREAK_ON_FAIL: &str = "MALLOC_BREAK_ON_FAIL";

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static NUMBER: AtomicU64 = AtomicU64::new(u64::MAX);
static ENABLED: AtomicBool = AtomicBool::new(false);
static BREAK: AtomicBool = AtomicBool::new(false);
static FAILED: AtomicBool = AtomicBool::new(false);

/// Parses `MALLOC_NUMBER_TO_FAIL` as BoringSSL does (`strtoull` that must
/// consume the whole, non-empty value).
pub fn parse_number(value: &str) -> Option<u64> {
    if value.is_empty() || !value.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

/// Installs the hooks when `MALLOC_NUMBER_TO_FAIL` asks for them. Returns
/// whether injection is active.
pub fn install_from_env() -> Result<bool, Failure> {
    let Some(number) = std::env::var(NUMBER_TO_FAIL)
        .ok()
        .as_deref()
        .and_then(parse_number)
    else {
        return Ok(false);
    };
    NUMBER.store(number, Ordering::SeqCst);
    BREAK.store(std::env::var_os(BREAK_ON_FAIL).is_some(), Ordering::SeqCst);
    ENABLED.store(true, Ordering::SeqCst);
    // SAFETY: the hooks have the signatures OpenSSL 3 declares and are
    // installed before OpenSSL allocated anything.
    let installed =
        unsafe { CRYPTO_set_mem_functions(Some(hook_malloc), Some(hook_realloc), Some(hook_free)) };
    if installed != 1 {
        ENABLED.store(false, Ordering::SeqCst);
        return Err(Failure::setup(
            "CRYPTO_set_mem_functions refused the allocation hooks (OpenSSL already allocated)",
        ));
    }
    Ok(true)
}

/// Whether the chosen allocation was made to fail.
pub fn failure_injected() -> bool {
    FAILED.load(Ordering::SeqCst)
}

/// Counts one allocation and says whether it is the one to fail.
fn should_fail() -> bool {
    if !ENABLED.load(Ordering::Relaxed) {
        return false;
    }
    let index = ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
    if index != NUMBER.load(Ordering::Relaxed) {
        return false;
    }
    FAILED.store(true, Ordering::SeqCst);
    if BREAK.load(Ordering::Relaxed) {
        // SAFETY: raising a signal has no memory-safety preconditions.
        unsafe {
            libc::raise(libc::SIGTRAP);
        }
    }
    // SAFETY: errno is thread-local and always writable.
    unsafe {
        *libc::__errno_location() = libc::ENOMEM;
    }
    true
}

unsafe extern "C" fn hook_malloc(size: usize, _file: *const c_char, _line: c_int) -> *mut c_void {
    if should_fail() {
        return std::ptr::null_mut();
    }
    // SAFETY: plain libc allocation; OpenSSL frees it through `hook_free`.
    unsafe { libc::malloc(size) }
}

unsafe extern "C" fn hook_realloc(
    pointer: *mut c_void,
    size: usize,
    _file: *const c_char,
    _line: c_int,
) -> *mut c_void {
    if size == 0 {
        // SAFETY: `pointer` came from `hook_malloc`/`hook_realloc` or is NULL.
        unsafe { libc::free(pointer) };
        return std::ptr::null_mut();
    }
    if should_fail() {
        return std::ptr::null_mut();
    }
    // SAFETY: `pointer` came from `hook_malloc`/`hook_realloc` or is NULL.
    unsafe { libc::realloc(pointer, size) }
}

unsafe extern "C" fn hook_free(pointer: *mut c_void, _file: *const c_char, _line: c_int) {
    // SAFETY: `pointer` came from `hook_malloc`/`hook_realloc` or is NULL.
    unsafe { libc::free(pointer) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_parse_like_strtoull_with_full_consumption() {
        assert_eq!(parse_number("0"), Some(0));
        assert_eq!(parse_number("123"), Some(123));
        assert_eq!(parse_number(""), None);
        assert_eq!(parse_number("12x"), None);
        assert_eq!(parse_number("-1"), None);
    }
}
