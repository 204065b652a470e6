//! Reading what users and peers hand over, bounded: a file or stream larger
//! than any real input (`/dev/zero`, a mistaken path) is an error after
//! [`LIMIT`] bytes rather than gigabytes of memory.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// The most any single input may hold: 64 MiB, far above the largest real
/// one (a BoGo config or test list of a few hundred KB).
pub const LIMIT: u64 = 64 * 1024 * 1024;

/// All of `reader`, if it holds at most [`LIMIT`] bytes.
pub fn read(reader: impl Read) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.take(LIMIT + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > LIMIT {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!(
                "it holds more than {} MiB, more than any real input",
                LIMIT >> 20
            ),
        ));
    }
    Ok(bytes)
}

/// All of `reader` as UTF-8 text, if it holds at most [`LIMIT`] bytes.
pub fn read_to_string(reader: impl Read) -> io::Result<String> {
    String::from_utf8(read(reader)?).map_err(|error| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("it is not UTF-8 text: {}", error.utf8_error()),
        )
    })
}

/// The file at `path`, if it holds at most [`LIMIT`] bytes.
pub fn read_file(path: &Path) -> io::Result<Vec<u8>> {
    read(File::open(path)?)
}

/// The file at `path` as UTF-8 text, if it holds at most [`LIMIT`] bytes.
pub fn read_file_to_string(path: &Path) -> io::Result<String> {
    read_to_string(File::open(path)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_stream_is_refused_after_the_limit() {
        let error = read(io::repeat(0)).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::FileTooLarge);
        assert_eq!(
            error.to_string(),
            "it holds more than 64 MiB, more than any real input"
        );
    }

    #[test]
    fn inputs_up_to_the_limit_are_read_whole() {
        let exactly = read(io::repeat(7).take(LIMIT)).unwrap();
        assert_eq!(exactly.len() as u64, LIMIT);
        assert_eq!(read_to_string(&b"a list\n"[..]).unwrap(), "a list\n");
    }

    #[test]
    fn text_that_is_not_utf8_says_so() {
        let error = read_to_string(&[0xff, 0xfe][..]).unwrap_err();
        assert!(
            error.to_string().starts_with("it is not UTF-8 text"),
            "{error}"
        );
    }
}
