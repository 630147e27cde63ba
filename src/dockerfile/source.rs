//! A Dockerfile's text as read from disk: a UTF-8 byte-order mark is dropped (BuildKit and
//! the classic builder ignore it), and bytes that are not UTF-8 are read lossily (each
//! invalid sequence becomes U+FFFD) so the file still builds, with a warning.

use std::path::Path;

/// The UTF-8 encoding of U+FEFF, as editors write it at the start of a file.
const BOM: &[u8] = b"\xef\xbb\xbf";

/// A Dockerfile's text, ready to parse and send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Source {
    /// The text, without a byte-order mark.
    pub(crate) text: String,
    /// True when the file was not UTF-8 and invalid bytes were replaced.
    pub(crate) lossy: bool,
}

/// Decode the bytes of a Dockerfile.
pub(crate) fn decode(bytes: Vec<u8>) -> Source {
    let bytes = match bytes.strip_prefix(BOM) {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    match String::from_utf8(bytes) {
        Ok(text) => Source { text, lossy: false },
        Err(e) => Source {
            text: String::from_utf8_lossy(e.as_bytes()).into_owned(),
            lossy: true,
        },
    }
}

/// Read and decode the Dockerfile at `path`.
pub(crate) fn read(path: &Path) -> std::io::Result<Source> {
    std::fs::read(path).map(decode)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_is_dropped_and_other_text_kept() {
        let got = decode(b"\xef\xbb\xbfFROM scratch\n".to_vec());
        assert_eq!(got.text, "FROM scratch\n");
        assert!(!got.lossy);
        let plain = decode("FROM scratch # café\n".as_bytes().to_vec());
        assert_eq!(
            (plain.text.as_str(), plain.lossy),
            ("FROM scratch # café\n", false)
        );
    }

    #[test]
    fn bytes_that_are_not_utf8_are_replaced_and_flagged() {
        let got = decode(b"\xef\xbb\xbf# caf\xe9\nFROM scratch\n".to_vec());
        assert_eq!(got.text, "# caf\u{fffd}\nFROM scratch\n");
        assert!(got.lossy);
    }
}
