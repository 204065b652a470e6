//! The TCP stream to the shim, cut into records, with the connection's
//! idle timeout on every read and write.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use super::connection::ConnectionError;
use super::record::{Record, RecordBuffer};

/// The stream and the bytes read of a record not yet whole.
pub struct Wire {
    stream: TcpStream,
    incoming: RecordBuffer,
    idle_timeout: Duration,
}

impl Wire {
    pub fn new(stream: TcpStream, idle_timeout: Duration) -> Result<Wire, ConnectionError> {
        stream
            .set_read_timeout(Some(idle_timeout))
            .and_then(|()| stream.set_write_timeout(Some(idle_timeout)))
            .and_then(|()| stream.set_nodelay(true))
            .map_err(|error| {
                ConnectionError::Runner(format!("cannot set up the socket: {error}"))
            })?;
        Ok(Wire {
            stream,
            incoming: RecordBuffer::default(),
            idle_timeout,
        })
    }

    pub fn send(&mut self, bytes: &[u8]) -> Result<(), ConnectionError> {
        self.stream
            .write_all(bytes)
            .map_err(|error| self.io_error("writing to the shim", &error))
    }

    /// The next whole record; `None` at a clean end of stream.
    pub fn next_record(&mut self) -> Result<Option<Record>, ConnectionError> {
        let mut buffer = [0u8; 8192];
        loop {
            if let Some(record) = self.incoming.next_record() {
                return Ok(Some(record));
            }
            match self.stream.read(&mut buffer) {
                Ok(0) if self.incoming.is_empty() => return Ok(None),
                Ok(0) => {
                    return Err(ConnectionError::Local(
                        "the shim closed the connection in the middle of a record".to_string(),
                    ));
                }
                Ok(read) => self.incoming.extend(&buffer[..read]),
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(self.io_error("reading from the shim", &error)),
            }
        }
    }

    fn io_error(&self, doing: &str, error: &io::Error) -> ConnectionError {
        ConnectionError::Local(match error.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
                format!("timed out after {:?} {doing}", self.idle_timeout)
            }
            _ => format!("{doing}: {error}"),
        })
    }

    pub fn shutdown_write(&self) {
        let _ = self.stream.shutdown(Shutdown::Write);
    }

    /// Reads until the shim closes, errs or goes quiet, handing every
    /// record to `each`.
    pub fn drain(&mut self, mut each: impl FnMut(Record) -> bool) {
        while let Ok(Some(record)) = self.next_record() {
            if !each(record) {
                return;
            }
        }
    }
}
