//! The message patterns of the cases, over any [`TlsStream`]: whole-message
//! writes, exact reads, the tagged download and the two ways of closing.

use std::io::ErrorKind;

use crate::error::Error;
use crate::library::TlsStream;
use crate::protocol::{CHUNK_BYTES, chunk_tag};

/// Writes all of `message` and flushes it.
pub fn send(stream: &mut impl TlsStream, message: &[u8], what: &str) -> Result<(), Error> {
    stream
        .write_all(message)
        .and_then(|()| stream.flush())
        .map_err(|source| Error::io(format!("sending {what}"), source))
}

/// Reads exactly `expected.len()` bytes and checks they are `expected`.
pub fn expect(stream: &mut impl TlsStream, expected: &[u8], what: &str) -> Result<(), Error> {
    let mut received = vec![0u8; expected.len()];
    let mut filled = 0;
    while filled < received.len() {
        match stream.read(&mut received[filled..]) {
            Ok(0) => {
                return Err(Error::check(format!(
                    "peer closed after {filled} of the {} bytes of {what}",
                    expected.len()
                )));
            }
            Ok(count) => filled += count,
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            Err(error) if error.kind() == ErrorKind::UnexpectedEof => {
                return Err(Error::io(
                    format!("peer closed after {filled} bytes of {what}"),
                    error,
                ));
            }
            Err(error) => return Err(Error::io(format!("reading {what}"), error)),
        }
    }
    check_message(&received, expected, what)
}

/// Checks that `received` is `expected`, showing what came instead.
pub fn check_message(received: &[u8], expected: &[u8], what: &str) -> Result<(), Error> {
    if received == expected {
        return Ok(());
    }
    Err(Error::check(format!(
        "{what} mismatch: expected {:?}, received {:?}",
        String::from_utf8_lossy(expected),
        String::from_utf8_lossy(&received[..received.len().min(200)])
    )))
}

/// Writes `total` bytes as 1,000,000-byte tagged chunks. With an interval, a
/// KeyUpdate goes out before every offset that is a multiple of it.
pub fn send_download(
    stream: &mut impl TlsStream,
    total: u64,
    key_update_interval: Option<u64>,
) -> Result<(), Error> {
    let mut chunk = vec![0u8; CHUNK_BYTES].into_boxed_slice();
    let mut next_key_update = key_update_interval.map(|_| 0u64);
    let mut offset = 0u64;
    while offset < total {
        let length = (total - offset).min(CHUNK_BYTES as u64) as usize;
        chunk[0] = chunk_tag(offset);
        let mut written = 0usize;
        while written < length {
            let position = offset + written as u64;
            let mut end = length;
            if let (Some(interval), Some(next)) = (key_update_interval, next_key_update.as_mut()) {
                if *next == position {
                    stream
                        .request_key_update()
                        .map_err(|error| error.during(&format!("at offset {position}")))?;
                    *next = next.saturating_add(interval);
                }
                end = end.min((*next - offset).try_into().unwrap_or(usize::MAX));
            }
            stream.write_all(&chunk[written..end]).map_err(|source| {
                Error::io(format!("sending the download at offset {position}"), source)
            })?;
            written = end;
        }
        stream
            .flush()
            .map_err(|source| Error::io("flushing the download", source))?;
        offset += length as u64;
    }
    Ok(())
}

/// Reads exactly `total` download bytes, checking the tag byte of every chunk.
pub fn receive_download(stream: &mut impl TlsStream, total: u64) -> Result<(), Error> {
    let mut buffer = vec![0u8; CHUNK_BYTES].into_boxed_slice();
    let mut offset = 0u64;
    let mut next_tag = 0u64;
    while offset < total {
        let wanted = (total - offset).min(buffer.len() as u64) as usize;
        let count = match stream.read(&mut buffer[..wanted]) {
            Ok(0) => {
                return Err(Error::check(format!(
                    "peer closed after {offset} of {total} download bytes"
                )));
            }
            Ok(count) => count,
            Err(error) if error.kind() == ErrorKind::Interrupted => continue,
            Err(error) => {
                return Err(Error::io(
                    format!("reading the download at offset {offset} of {total}"),
                    error,
                ));
            }
        };
        let end = offset + count as u64;
        while next_tag < end {
            let byte = buffer[(next_tag - offset) as usize];
            let expected = chunk_tag(next_tag);
            if byte != expected {
                return Err(Error::check(format!(
                    "download chunk at offset {next_tag} has tag {byte}, expected {expected}"
                )));
            }
            next_tag += CHUNK_BYTES as u64;
        }
        offset = end;
    }
    Ok(())
}

/// "Close": send close_notify, then read until the peer's close.
pub fn close(stream: &mut impl TlsStream) -> Result<(), Error> {
    stream
        .send_close_notify()
        .map_err(|error| error.during("sending close_notify"))?;
    await_close(stream)
}

/// "Close after the client": read until the peer's close, then send close_notify.
pub fn close_after_peer(stream: &mut impl TlsStream) -> Result<(), Error> {
    await_close(stream)?;
    stream
        .send_close_notify()
        .map_err(|error| error.during("sending close_notify"))
}

/// Reads until the peer's close_notify or end of stream; any data is an error.
fn await_close(stream: &mut impl TlsStream) -> Result<(), Error> {
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => return Ok(()),
            Ok(count) => {
                return Err(Error::check(format!(
                    "received {count} unexpected bytes while waiting for the peer to close"
                )));
            }
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            Err(error) if error.kind() == ErrorKind::UnexpectedEof => return Ok(()),
            Err(error) => {
                return Err(Error::io("waiting for the peer to close", error));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{self, Read, Write};

    use super::*;
    use crate::library::NamedGroup;

    /// An in-memory stream: reads from `input`, records writes and KeyUpdates
    /// (with `discard`, only the first byte and offset of each write).
    #[derive(Default)]
    struct Memory {
        input: io::Cursor<Vec<u8>>,
        output: Vec<u8>,
        discard: bool,
        written: usize,
        write_starts: Vec<(usize, u8)>,
        key_updates_at: Vec<usize>,
    }

    impl Read for Memory {
        fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
            // Short reads, to exercise chunk boundaries inside one read.
            let limit = buffer.len().min(300_007);
            self.input.read(&mut buffer[..limit])
        }
    }

    impl Write for Memory {
        fn write(&mut self, data: &[u8]) -> io::Result<usize> {
            if let Some(first) = data.first() {
                self.write_starts.push((self.written, *first));
            }
            if !self.discard {
                self.output.extend_from_slice(data);
            }
            self.written += data.len();
            Ok(data.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl TlsStream for Memory {
        fn send_close_notify(&mut self) -> Result<(), Error> {
            Ok(())
        }

        fn request_key_update(&mut self) -> Result<(), Error> {
            self.key_updates_at.push(self.written);
            Ok(())
        }

        fn resumed(&self) -> bool {
            false
        }

        fn early_data_accepted(&self) -> bool {
            false
        }

        fn negotiated_group(&self) -> Option<NamedGroup> {
            None
        }
    }

    #[test]
    fn download_is_tagged_and_key_updates_land_on_multiples() {
        let mut server = Memory::default();
        send_download(&mut server, 3_500_000, Some(1_500_000)).unwrap();
        assert_eq!(server.output.len(), 3_500_000);
        assert_eq!(server.key_updates_at, [0, 1_500_000, 3_000_000]);

        let mut client = Memory {
            input: io::Cursor::new(server.output),
            ..Memory::default()
        };
        receive_download(&mut client, 3_500_000).unwrap();
    }

    #[test]
    fn tags_follow_the_gigabyte_offset() {
        let total = 2_000_000_000u64 + 1;
        let mut server = Memory {
            discard: true,
            ..Memory::default()
        };
        send_download(&mut server, total, None).unwrap();
        assert!(server.key_updates_at.is_empty());
        assert_eq!(server.written as u64, total);
        assert_eq!(server.write_starts.len(), 2001);
        for (offset, tag) in server.write_starts {
            assert_eq!(offset % CHUNK_BYTES, 0);
            assert_eq!(tag, (offset / 1_000_000_000) as u8, "tag at {offset}");
        }
    }

    #[test]
    fn receiving_detects_a_wrong_tag_and_a_short_download() {
        let mut data = vec![0u8; 2_000_000];
        data[1_000_000] = 7;
        let mut client = Memory {
            input: io::Cursor::new(data.clone()),
            ..Memory::default()
        };
        let error = receive_download(&mut client, 2_000_000).unwrap_err();
        assert!(
            error.to_string().contains("offset 1000000 has tag 7"),
            "{error}"
        );

        let mut short = Memory {
            input: io::Cursor::new(vec![0u8; 10]),
            ..Memory::default()
        };
        let error = receive_download(&mut short, 2_000_000).unwrap_err();
        assert!(error.to_string().contains("after 10 of 2000000"), "{error}");
    }

    #[test]
    fn expect_shows_what_arrived_instead() {
        let mut stream = Memory {
            input: io::Cursor::new(b"hello".to_vec()),
            ..Memory::default()
        };
        let error = expect(&mut stream, b"world", "the greeting").unwrap_err();
        assert!(error.to_string().contains("\"hello\""), "{error}");
    }
}
