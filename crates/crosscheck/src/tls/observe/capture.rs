//! What the relay keeps of one direction of a connection: the stream cut
//! into records as it passes, cheaply enough for gigabyte downloads.
//!
//! Every record of the first [`WINDOW_BYTES`] is kept whole (the hellos,
//! the encrypted handshake, tickets, the first application data). After
//! that, a direction watched to its end keeps records of up to
//! [`SMALL_RECORD_BYTES`] (alerts, KeyUpdates, tickets) and only counts the
//! others; any other direction stops looking and is forwarded in bulk.

/// Bytes of a record header: type, version, length.
const HEADER_LEN: usize = 5;
/// Bytes of each direction kept record by record.
pub const WINDOW_BYTES: u64 = 64 * 1024;
/// Largest record body kept after the window when a direction is watched
/// to its end.
pub const SMALL_RECORD_BYTES: usize = 1024;
/// Bytes kept of a stream that is not TLS, to show what it was.
const NOT_TLS_SAMPLE: usize = 16;

/// How far to look into a direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// The first [`WINDOW_BYTES`], then bulk forwarding.
    Handshake,
    /// Every record header to the end, small records kept.
    Everything,
    /// Nothing: bytes are only counted (for measuring what looking costs).
    Nothing,
}

/// One record seen on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapturedRecord {
    /// Position among this direction's records, from 0.
    pub index: u64,
    pub content_type: u8,
    pub version: u16,
    /// Body length as the header says.
    pub length: usize,
    /// The body, unless it was counted without being kept.
    pub body: Option<Vec<u8>>,
}

/// One direction's capture, once the stream has ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirectionCapture {
    pub records: Vec<CapturedRecord>,
    /// Records whose header was seen.
    pub record_count: u64,
    /// Every byte forwarded.
    pub bytes: u64,
    /// Bytes forwarded after the capture stopped looking.
    pub unobserved_bytes: u64,
    /// Bytes of a record cut short by the end of the stream.
    pub truncated_bytes: usize,
    /// The first bytes, when the stream did not look like TLS records.
    pub not_tls: Option<Vec<u8>>,
}

/// The scanner the relay feeds as bytes pass.
#[derive(Debug)]
pub struct DirectionTap {
    depth: Depth,
    header: Vec<u8>,
    /// The record whose body is arriving, and how much of it is still due.
    current: Option<(CapturedRecord, usize)>,
    looking: bool,
    capture: DirectionCapture,
}

impl DirectionTap {
    pub fn new(depth: Depth) -> Self {
        DirectionTap {
            depth,
            header: Vec::with_capacity(HEADER_LEN),
            current: None,
            looking: depth != Depth::Nothing,
            capture: DirectionCapture::default(),
        }
    }

    /// Whether the tap still reads the bytes it is fed (else the relay may
    /// forward without calling [`DirectionTap::feed`], only [`DirectionTap::count`]).
    pub fn is_looking(&self) -> bool {
        self.looking
    }

    /// Bytes forwarded without being looked at.
    pub fn count(&mut self, bytes: usize) {
        self.capture.bytes += bytes as u64;
        self.capture.unobserved_bytes += bytes as u64;
    }

    pub fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            if !self.looking {
                self.count(bytes.len());
                return;
            }
            let used = match self.current.take() {
                Some((record, due)) => self.body(record, due, bytes),
                None => self.header(bytes),
            };
            self.capture.bytes += used as u64;
            bytes = &bytes[used..];
            let at_boundary = self.current.is_none() && self.header.is_empty();
            if at_boundary && self.depth == Depth::Handshake && self.capture.bytes >= WINDOW_BYTES {
                self.looking = false;
            }
        }
    }

    fn header(&mut self, bytes: &[u8]) -> usize {
        let wanted = HEADER_LEN - self.header.len();
        let used = wanted.min(bytes.len());
        self.header.extend_from_slice(&bytes[..used]);
        if self.header.len() < HEADER_LEN {
            return used;
        }
        let header = std::mem::take(&mut self.header);
        if !(20..=24).contains(&header[0]) || header[1] != 3 {
            let mut sample = header;
            sample.extend_from_slice(&bytes[used..bytes.len().min(used + NOT_TLS_SAMPLE)]);
            sample.truncate(NOT_TLS_SAMPLE);
            self.capture.not_tls = Some(sample);
            self.looking = false;
            return used;
        }
        let length = usize::from(u16::from_be_bytes([header[3], header[4]]));
        let keep = self.capture.bytes < WINDOW_BYTES || length <= SMALL_RECORD_BYTES;
        let record = CapturedRecord {
            index: self.capture.record_count,
            content_type: header[0],
            version: u16::from_be_bytes([header[1], header[2]]),
            length,
            body: keep.then(|| Vec::with_capacity(length)),
        };
        self.capture.record_count += 1;
        self.current = Some((record, length));
        if length == 0 {
            self.finish_record();
        }
        used
    }

    fn body(&mut self, mut record: CapturedRecord, due: usize, bytes: &[u8]) -> usize {
        let used = due.min(bytes.len());
        if let Some(body) = &mut record.body {
            body.extend_from_slice(&bytes[..used]);
        }
        self.current = Some((record, due - used));
        if used == due {
            self.finish_record();
        }
        used
    }

    fn finish_record(&mut self) {
        if let Some((record, _)) = self.current.take()
            && record.body.is_some()
        {
            self.capture.records.push(record);
        }
    }

    /// The capture, at the end of the stream.
    pub fn finish(mut self) -> DirectionCapture {
        self.capture.truncated_bytes = self.header.len()
            + self
                .current
                .as_ref()
                .map_or(0, |(record, due)| HEADER_LEN + record.length - due);
        self.capture
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(content_type: u8, body: &[u8]) -> Vec<u8> {
        let mut bytes = vec![content_type, 3, 3];
        bytes.extend_from_slice(&(body.len() as u16).to_be_bytes());
        bytes.extend_from_slice(body);
        bytes
    }

    #[test]
    fn records_split_anywhere_come_out_whole() {
        let mut stream = record(22, b"hello");
        stream.extend(record(23, &[7; 300]));
        stream.extend(record(21, &[1, 0]));
        let mut tap = DirectionTap::new(Depth::Handshake);
        for byte in &stream {
            tap.feed(std::slice::from_ref(byte));
        }
        let capture = tap.finish();
        assert_eq!(capture.record_count, 3);
        assert_eq!(capture.bytes, stream.len() as u64);
        assert_eq!(capture.records[0].body.as_deref(), Some(&b"hello"[..]));
        assert_eq!(capture.records[2].content_type, 21);
        assert_eq!(capture.truncated_bytes, 0);
    }

    #[test]
    fn after_the_window_a_handshake_tap_stops_and_a_full_one_keeps_small_records() {
        let big = record(23, &[0; 16_000]);
        let small = record(23, &[1; 40]);
        let mut stream = Vec::new();
        for _ in 0..6 {
            stream.extend_from_slice(&big);
        }
        stream.extend_from_slice(&small);
        stream.extend_from_slice(&big);

        let mut handshake = DirectionTap::new(Depth::Handshake);
        handshake.feed(&stream);
        assert!(!handshake.is_looking());
        let capture = handshake.finish();
        assert_eq!(capture.record_count, 5);
        assert_eq!(capture.bytes, stream.len() as u64);
        assert!(capture.unobserved_bytes > 0);

        let mut everything = DirectionTap::new(Depth::Everything);
        everything.feed(&stream);
        let capture = everything.finish();
        assert_eq!(capture.record_count, 8);
        assert_eq!(capture.unobserved_bytes, 0);
        let kept: Vec<u64> = capture.records.iter().map(|r| r.index).collect();
        assert_eq!(
            kept,
            [0, 1, 2, 3, 4, 6],
            "records past the window are kept only when small"
        );
    }

    #[test]
    fn a_stream_that_is_not_tls_is_sampled_and_left_alone() {
        let mut tap = DirectionTap::new(Depth::Everything);
        tap.feed(b"GET / HTTP/1.1\r\nHost: x\r\n");
        let capture = tap.finish();
        assert_eq!(capture.not_tls.as_deref(), Some(&b"GET / HTTP/1.1\r\n"[..]));
        assert_eq!(capture.record_count, 0);
    }

    #[test]
    fn a_stream_cut_mid_record_says_so() {
        let mut tap = DirectionTap::new(Depth::Everything);
        tap.feed(&record(22, b"hello")[..7]);
        assert_eq!(tap.finish().truncated_bytes, 7);
    }
}
