//! Blocking TCP I/O for s2n-tls through the binding's callback API (it has
//! no safe way to hand s2n a file descriptor).

use std::ffi::{c_int, c_void};
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::ptr::NonNull;

use s2n_tls::connection::Connection;

/// `EIO` (Linux), for errors without an OS code.
const EIO: c_int = 5;

/// A TCP socket that a connection's send and receive callbacks use; freed on
/// drop, so it must be dropped after the connection.
pub struct CallbackSocket(NonNull<TcpStream>);

impl CallbackSocket {
    /// Moves `tcp` to the heap and makes it `connection`'s transport.
    pub fn attach(
        connection: &mut Connection,
        tcp: TcpStream,
    ) -> Result<CallbackSocket, s2n_tls::error::Error> {
        let socket = CallbackSocket(NonNull::from(Box::leak(Box::new(tcp))));
        let context = socket.0.as_ptr().cast::<c_void>();
        connection.set_send_callback(Some(send_to_socket))?;
        connection.set_receive_callback(Some(receive_from_socket))?;
        // SAFETY: the context is the heap socket, which stays put and lives
        // until this value is dropped, after the connection (see `S2nStream`).
        unsafe {
            connection.set_send_context(context)?;
            connection.set_receive_context(context)?;
        }
        Ok(socket)
    }
}

impl Drop for CallbackSocket {
    fn drop(&mut self) {
        // SAFETY: made by `Box::leak` in `attach` and freed only here.
        drop(unsafe { Box::from_raw(self.0.as_ptr()) });
    }
}

/// s2n send callback: a blocking write to the socket in `context`.
///
/// # Safety
/// `context` is a live `CallbackSocket` pointer; `data` holds `length` bytes.
unsafe extern "C" fn send_to_socket(context: *mut c_void, data: *const u8, length: u32) -> c_int {
    // SAFETY: guaranteed by the caller (s2n passes what `attach` set).
    let (socket, data) = unsafe {
        (
            &mut *context.cast::<TcpStream>(),
            std::slice::from_raw_parts(data, length as usize),
        )
    };
    callback_result(socket.write(data))
}

/// s2n receive callback: a blocking read from the socket in `context`.
///
/// # Safety
/// `context` is a live `CallbackSocket` pointer; `buffer` has room for
/// `length` bytes.
unsafe extern "C" fn receive_from_socket(
    context: *mut c_void,
    buffer: *mut u8,
    length: u32,
) -> c_int {
    // SAFETY: guaranteed by the caller (s2n passes what `attach` set).
    let (socket, buffer) = unsafe {
        (
            &mut *context.cast::<TcpStream>(),
            std::slice::from_raw_parts_mut(buffer, length as usize),
        )
    };
    callback_result(socket.read(buffer))
}

/// A byte count for s2n, or -1 with errno set, as s2n expects of callbacks.
fn callback_result(result: io::Result<usize>) -> c_int {
    match result {
        Ok(count) => c_int::try_from(count).unwrap_or(c_int::MAX),
        Err(error) => {
            errno::set_errno(errno::Errno(error.raw_os_error().unwrap_or(EIO)));
            -1
        }
    }
}
