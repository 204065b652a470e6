//! The TCP side of a TLS stream: a blocking socket whose reads go through a
//! large buffer, so a library that asks for a record header, then a record,
//! costs one system call per many records instead of two per record.

use std::io::{self, IoSlice, Read, Write};
use std::net::TcpStream;

/// Bytes read from the kernel at a time.
const READ_BUFFER_BYTES: usize = 64 * 1024;

/// A connected TCP socket with a read buffer; writes go straight through.
pub struct Socket {
    tcp: TcpStream,
    buffer: Box<[u8]>,
    start: usize,
    end: usize,
}

impl Socket {
    pub fn new(tcp: TcpStream) -> Socket {
        Socket {
            tcp,
            buffer: vec![0; READ_BUFFER_BYTES].into_boxed_slice(),
            start: 0,
            end: 0,
        }
    }
}

impl Read for Socket {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.start == self.end {
            if out.len() >= self.buffer.len() {
                return self.tcp.read(out);
            }
            self.end = self.tcp.read(&mut self.buffer)?;
            self.start = 0;
        }
        let count = out.len().min(self.end - self.start);
        out[..count].copy_from_slice(&self.buffer[self.start..self.start + count]);
        self.start += count;
        Ok(count)
    }
}

impl Write for Socket {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.tcp.write(data)
    }

    fn write_vectored(&mut self, data: &[IoSlice<'_>]) -> io::Result<usize> {
        self.tcp.write_vectored(data)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tcp.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn reads_through_the_buffer_in_order() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let sender = std::thread::spawn(move || {
            let (mut tcp, _) = listener.accept().unwrap();
            let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
            tcp.write_all(&data).unwrap();
        });
        let mut socket = Socket::new(TcpStream::connect(address).unwrap());
        let mut received = Vec::new();
        let mut small = [0u8; 5];
        let count = socket.read(&mut small).unwrap();
        received.extend_from_slice(&small[..count]);
        socket.read_to_end(&mut received).unwrap();
        sender.join().unwrap();
        assert_eq!(received.len(), 300_000);
        assert!(
            received
                .iter()
                .enumerate()
                .all(|(i, b)| *b == (i % 251) as u8)
        );
    }
}
