//! A pass-through NSPR I/O layer between NSS's TLS layer and the TCP socket.
//!
//! It shows the connection's key logger the bytes that cross (see
//! `key_log`), and it can hold reads back: while a client writes its 0-RTT
//! data, reads report would-block, so NSS stops after sending the
//! ClientHello and takes the next write as early data, as it does on a
//! non-blocking socket whose peer has not answered yet. Without the hold, a
//! quick server's answer could complete the handshake inside the first
//! write, and the data would go out after it instead. It can also refuse
//! writes, so a connection that failed (say, on the peer's fatal alert) is
//! closed without NSS's parting close_notify.

use std::ffi::{c_int, c_void};
use std::ptr::{self, NonNull};
use std::sync::OnceLock;

use super::ffi::{
    Nspr4, PR_MSG_PEEK, PR_SOCKET_SHUTDOWN_ERROR, PR_SUCCESS, PR_TOP_IO_LAYER,
    PR_WOULD_BLOCK_ERROR, PRCloseFN, PRDescIdentity, PRFileDesc, PRIOMethods, PRStatus,
};
use super::key_log::KeyLogger;
use super::nss_error;
use crate::error::Error;

/// What the layer of one connection works with; shared with the connection
/// and NSS's secret callback through raw pointers, all on one thread.
pub struct SocketState {
    /// Reads report would-block while set.
    pub hold_reads: bool,
    /// Writes fail (as on a socket shut for writing) once set.
    pub refuse_writes: bool,
    /// The key log, when `SSLKEYLOGFILE` asks for one.
    pub key_log: Option<KeyLogger>,
}

impl SocketState {
    /// A state on the heap; free it with [`SocketState::free`] once the
    /// socket it was pushed under is closed.
    pub fn new(key_log: Option<KeyLogger>) -> NonNull<SocketState> {
        NonNull::from(Box::leak(Box::new(SocketState {
            hold_reads: false,
            refuse_writes: false,
            key_log,
        })))
    }

    /// Frees a state made by [`SocketState::new`].
    ///
    /// # Safety
    /// Nothing uses the state any more (its socket is closed).
    pub unsafe fn free(state: NonNull<SocketState>) {
        // SAFETY: made by `Box::leak` in `new`, freed once, per the caller.
        drop(unsafe { Box::from_raw(state.as_ptr()) });
    }
}

/// The layer's methods: NSPR's defaults (which pass every call to the layer
/// below) with the reads, writes and close replaced.
struct Layer {
    identity: PRDescIdentity,
    methods: PRIOMethods,
    default_close: PRCloseFN,
}

// SAFETY: the table is built once and only read; its pointers are NSPR's
// static functions and this module's.
unsafe impl Sync for Layer {}
// SAFETY: as above.
unsafe impl Send for Layer {}

fn layer() -> Result<&'static Layer, Error> {
    static LAYER: OnceLock<Result<Layer, String>> = OnceLock::new();
    LAYER
        .get_or_init(|| {
            let nspr = Nspr4::get().map_err(|error| error.to_string())?;
            // SAFETY: NSPR's static default table, copied; a NUL-terminated name.
            let (defaults, identity) = unsafe {
                let defaults = (nspr.PR_GetDefaultIOMethods)();
                if defaults.is_null() {
                    return Err("PR_GetDefaultIOMethods returned nothing".to_string());
                }
                (
                    *defaults,
                    (nspr.PR_GetUniqueIdentity)(c"crosscheck-socket".as_ptr()),
                )
            };
            let Some(default_close) = defaults.close else {
                return Err("NSPR's default layer has no close method".to_string());
            };
            let mut methods = defaults;
            methods.close = Some(layer_close);
            methods.read = Some(layer_read);
            methods.write = Some(layer_write);
            methods.recv = Some(layer_recv);
            methods.send = Some(layer_send);
            Ok(Layer {
                identity,
                methods,
                default_close,
            })
        })
        .as_ref()
        .map_err(|message| Error::library("building the NSPR I/O layer", message))
}

/// Pushes the layer onto `fd` (a bare TCP socket, before the TLS layer goes
/// on top), with `state` as its state.
///
/// # Safety
/// `fd` is a live NSPR socket; `state` outlives it.
pub unsafe fn push_layer(fd: *mut PRFileDesc, state: NonNull<SocketState>) -> Result<(), Error> {
    let nspr = Nspr4::get()?;
    let layer = layer()?;
    // SAFETY: the methods table is static; the new descriptor is either
    // pushed (then the stack owns it) or destroyed here.
    unsafe {
        let descriptor = (nspr.PR_CreateIOLayerStub)(layer.identity, &layer.methods);
        if descriptor.is_null() {
            return Err(nss_error("PR_CreateIOLayerStub"));
        }
        (*descriptor).secret = state.as_ptr().cast();
        if (nspr.PR_PushIOLayer)(fd, PR_TOP_IO_LAYER, descriptor) != PR_SUCCESS {
            let error = nss_error("PR_PushIOLayer");
            (*descriptor).secret = ptr::null_mut();
            if let Some(destroy) = (*descriptor).dtor {
                destroy(descriptor);
            }
            return Err(error);
        }
    }
    Ok(())
}

/// The layer's state, if it still has one.
///
/// # Safety
/// `fd` is this layer's descriptor; nothing else uses the state meanwhile.
unsafe fn state<'a>(fd: *mut PRFileDesc) -> Option<&'a mut SocketState> {
    // SAFETY: guaranteed by the caller; the secret is the state or null.
    unsafe { (*fd).secret.cast::<SocketState>().as_mut() }
}

/// Whether reads are held back; if so, sets NSPR's would-block error.
///
/// # Safety
/// As [`state`].
unsafe fn holding_reads(fd: *mut PRFileDesc) -> bool {
    // SAFETY: guaranteed by the caller.
    let hold = unsafe { state(fd) }.is_some_and(|state| state.hold_reads);
    if hold && let Ok(nspr) = Nspr4::get() {
        // SAFETY: sets the thread's error code.
        unsafe { (nspr.PR_SetError)(PR_WOULD_BLOCK_ERROR, 0) };
    }
    hold
}

/// Whether writes are refused; if so, sets NSPR's shut-down error.
///
/// # Safety
/// As [`state`].
unsafe fn refusing_writes(fd: *mut PRFileDesc) -> bool {
    // SAFETY: guaranteed by the caller.
    let refuse = unsafe { state(fd) }.is_some_and(|state| state.refuse_writes);
    if refuse && let Ok(nspr) = Nspr4::get() {
        // SAFETY: sets the thread's error code.
        unsafe { (nspr.PR_SetError)(PR_SOCKET_SHUTDOWN_ERROR, 0) };
    }
    refuse
}

/// Shows the key logger bytes that crossed the layer.
///
/// # Safety
/// As [`state`]; `data` holds `count` bytes when `count` is positive.
unsafe fn observe(fd: *mut PRFileDesc, outgoing: bool, data: *const c_void, count: i32) {
    let Ok(count) = usize::try_from(count) else {
        return;
    };
    // SAFETY: guaranteed by the caller.
    let Some(logger) = (unsafe { state(fd) }).and_then(|state| state.key_log.as_mut()) else {
        return;
    };
    if count > 0 {
        // SAFETY: guaranteed by the caller.
        logger.observe(outgoing, unsafe {
            std::slice::from_raw_parts(data.cast(), count)
        });
    }
}

/// The descriptor below this layer's and its methods.
///
/// # Safety
/// `fd` is this layer's descriptor.
unsafe fn below(fd: *mut PRFileDesc) -> Option<(*mut PRFileDesc, &'static PRIOMethods)> {
    // SAFETY: a stacked descriptor points to the one below and its methods,
    // which are static tables.
    unsafe {
        let lower = (*fd).lower;
        if lower.is_null() || (*lower).methods.is_null() {
            return None;
        }
        Some((lower, &*(*lower).methods))
    }
}

unsafe extern "C" fn layer_read(fd: *mut PRFileDesc, buffer: *mut c_void, amount: i32) -> i32 {
    // SAFETY: NSPR calls with this layer's descriptor and a buffer of `amount`.
    unsafe {
        if holding_reads(fd) {
            return -1;
        }
        let Some((lower, Some(read))) = below(fd).map(|(lower, methods)| (lower, methods.read))
        else {
            return -1;
        };
        let count = read(lower, buffer, amount);
        observe(fd, false, buffer, count);
        count
    }
}

unsafe extern "C" fn layer_write(fd: *mut PRFileDesc, buffer: *const c_void, amount: i32) -> i32 {
    // SAFETY: NSPR calls with this layer's descriptor and `amount` bytes.
    unsafe {
        if refusing_writes(fd) {
            return -1;
        }
        let Some((lower, Some(write))) = below(fd).map(|(lower, methods)| (lower, methods.write))
        else {
            return -1;
        };
        let count = write(lower, buffer, amount);
        observe(fd, true, buffer, count);
        count
    }
}

unsafe extern "C" fn layer_recv(
    fd: *mut PRFileDesc,
    buffer: *mut c_void,
    amount: i32,
    flags: c_int,
    timeout: u32,
) -> i32 {
    // SAFETY: NSPR calls with this layer's descriptor and a buffer of `amount`.
    unsafe {
        if holding_reads(fd) {
            return -1;
        }
        let Some((lower, Some(recv))) = below(fd).map(|(lower, methods)| (lower, methods.recv))
        else {
            return -1;
        };
        let count = recv(lower, buffer, amount, flags, timeout);
        if flags & PR_MSG_PEEK == 0 {
            observe(fd, false, buffer, count);
        }
        count
    }
}

unsafe extern "C" fn layer_send(
    fd: *mut PRFileDesc,
    buffer: *const c_void,
    amount: i32,
    flags: c_int,
    timeout: u32,
) -> i32 {
    // SAFETY: NSPR calls with this layer's descriptor and `amount` bytes.
    unsafe {
        if refusing_writes(fd) {
            return -1;
        }
        let Some((lower, Some(send))) = below(fd).map(|(lower, methods)| (lower, methods.send))
        else {
            return -1;
        };
        let count = send(lower, buffer, amount, flags, timeout);
        observe(fd, true, buffer, count);
        count
    }
}

/// Drops the state from the descriptor, then closes as NSPR's default layer
/// does (pop this layer, close the ones below).
unsafe extern "C" fn layer_close(fd: *mut PRFileDesc) -> PRStatus {
    let Ok(layer) = layer() else {
        return -1;
    };
    // SAFETY: NSPR calls with this layer's descriptor.
    unsafe {
        (*fd).secret = ptr::null_mut();
        (layer.default_close)(fd)
    }
}
