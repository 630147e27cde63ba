//! The end of a JSON-lines stream (build, push, pull, import) as the daemon meant it.
//!
//! dockerd ends every message with `\r\n`. bollard's line decoder parses a message as
//! soon as its closing brace arrives, before the line end; when the last message's `\r\n`
//! reaches the client in a read of its own, the decoder holds `\r` at the end of the body
//! and fails with `bytes remaining on stream`, after every message was delivered. That is
//! a finished stream, not a failed build: a large build's last read splits there now and
//! then (a CI run once reported the bloated variant's rebuild as failed this way).
//!
//! The decoder does not show what it held. A body cut inside a message ends hyper's
//! chunked decoding with an error of its own, so the held bytes are a line end; and the
//! callers still check the result (a build looks its image up by id or tag).

use bollard::errors::Error as BollardError;
use futures_util::{Stream, StreamExt, future};

/// What tokio-util's `FramedRead` says when the body ends with bytes it could not decode.
const BYTES_REMAINING: &str = "bytes remaining on stream";

/// True for the decoder's error at the end of a body holding an unfinished line.
pub(super) fn is_held_line_end(err: &BollardError) -> bool {
    matches!(err, BollardError::IOError { err } if err.to_string() == BYTES_REMAINING)
}

/// `stream` without that error: it ends where the daemon's last message did.
pub(super) fn to_last_message<T>(
    stream: impl Stream<Item = Result<T, BollardError>>,
) -> impl Stream<Item = Result<T, BollardError>> {
    stream.filter(|item| future::ready(!matches!(item, Err(e) if is_held_line_end(e))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_decoders_end_of_body_error_is_a_held_line_end() {
        let held = BollardError::IOError {
            err: std::io::Error::other(BYTES_REMAINING),
        };
        assert!(is_held_line_end(&held));
        let reset = BollardError::IOError {
            err: std::io::Error::from(std::io::ErrorKind::ConnectionReset),
        };
        assert!(!is_held_line_end(&reset));
        let daemon = BollardError::DockerStreamError {
            error: BYTES_REMAINING.to_string(),
        };
        assert!(
            !is_held_line_end(&daemon),
            "the daemon's own message is a failure"
        );
    }

    #[tokio::test]
    async fn the_stream_keeps_every_message_and_other_errors() {
        let items: Vec<Result<u32, BollardError>> = vec![
            Ok(1),
            Ok(2),
            Err(BollardError::IOError {
                err: std::io::Error::other(BYTES_REMAINING),
            }),
        ];
        let kept: Vec<u32> = to_last_message(futures_util::stream::iter(items))
            .map(|i| i.expect("a message"))
            .collect()
            .await;
        assert_eq!(kept, [1, 2]);
        let items: Vec<Result<u32, BollardError>> =
            vec![Ok(1), Err(BollardError::RequestTimeoutError)];
        let errors = to_last_message(futures_util::stream::iter(items))
            .filter(|i| future::ready(i.is_err()))
            .count()
            .await;
        assert_eq!(errors, 1);
    }
}
