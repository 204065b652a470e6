//! The values every shim shares (see "Shared values" in `shims/README.md`).

/// Sent by the client first in every exchange.
pub const GREETING: &[u8] = b"i am the client. nice to meet you server.";

/// The server's answer to [`GREETING`].
pub const RESPONSE: &[u8] = b"i am the server. a pleasure to make your acquaintance.";

/// Size of one download chunk, and of each download write.
pub const CHUNK_BYTES: usize = 1_000_000;

/// Tag byte (byte 0) of the download chunk that starts at `offset`.
pub fn chunk_tag(offset: u64) -> u8 {
    // The remainder is below 255, so the cast is lossless.
    ((offset / 1_000_000_000) % 255) as u8
}

/// Identity of the external PSK (`out_of_band_psk`).
pub const PSK_IDENTITY: &[u8] = b"crosscheck-external-psk";

/// Secret of the external PSK: the 32 bytes 0x00, 0x01, ..., 0x1f (hash SHA-256).
pub const PSK_SECRET: [u8; 32] = {
    let mut secret = [0u8; 32];
    let mut i = 0;
    while i < secret.len() {
        secret[i] = i as u8;
        i += 1;
    }
    secret
};

/// Most early data a server accepts in `early_data`.
pub const MAX_EARLY_DATA_BYTES: u32 = 16384;

/// The client's SNI and the name its server certificate must carry.
pub const SERVER_NAME: &str = "localhost";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_count_gigabytes_modulo_255() {
        assert_eq!(chunk_tag(0), 0);
        assert_eq!(chunk_tag(999_000_000), 0);
        assert_eq!(chunk_tag(1_000_000_000), 1);
        assert_eq!(chunk_tag(254_000_000_000), 254);
        assert_eq!(chunk_tag(255_000_000_000), 0);
    }

    #[test]
    fn psk_secret_counts_up() {
        assert_eq!(PSK_SECRET[0], 0);
        assert_eq!(PSK_SECRET[31], 0x1f);
    }
}
