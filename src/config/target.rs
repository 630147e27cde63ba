//! The paths the probe requests (`health`, `latency_path`) must be request targets in
//! origin-form (RFC 9112 §3.2.1): `/` and path segments, an optional `?query`, every byte
//! a `pchar` or percent-encoded. Anything else (a space, CR or LF that would end the
//! request line and inject headers, a `#`, a non-ASCII character) is refused up front.

/// Why `target` is not an origin-form request target; `None` when it is one.
pub(crate) fn problem(target: &str) -> Option<String> {
    if !target.starts_with('/') {
        return Some("does not start with '/'".to_string());
    }
    let bytes = target.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // pchar, plus '/' between segments and '?' (and '/', '?') in the query.
        let allowed = b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?".contains(&b);
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3);
            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                return Some(format!(
                    "has a '%' at byte {i} not followed by two hex digits"
                ));
            }
            i += 3;
            continue;
        }
        if !allowed {
            return Some(format!("has {} at byte {i}", describe(b)));
        }
        i += 1;
    }
    None
}

fn describe(b: u8) -> String {
    match b {
        b' ' => "a space".to_string(),
        b'\r' => "a carriage return (\\r)".to_string(),
        b'\n' => "a line feed (\\n)".to_string(),
        b if b.is_ascii_control() => format!("a control character (\\x{b:02x})"),
        b if !b.is_ascii() => "a non-ASCII character (percent-encode it)".to_string(),
        b => format!("'{}'", char::from(b)),
    }
}

/// The message for a setting whose value is not a request target.
pub(crate) fn message(target: &str, problem: &str) -> String {
    format!(
        "must be a request target such as \"/health\" or \"/ready?deep=1\" (RFC 9112 \
         origin-form; percent-encode anything else): '{}' {problem}",
        crate::export::escape::terminal(target)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_queries_and_percent_escapes_are_request_targets() {
        for good in [
            "/",
            "/health",
            "/a/b;c=d/%20e:f@g!$'()*+,~",
            "/x?y=1&z=/a?b",
            "//x",
        ] {
            assert_eq!(problem(good), None, "{good}");
        }
    }

    #[test]
    fn anything_that_could_break_the_request_line_is_not() {
        let cases = [
            ("health", "does not start with '/'"),
            ("", "does not start with '/'"),
            ("/a b", "a space at byte 2"),
            ("/h\r\nX-Injected: 1", "a carriage return (\\r) at byte 2"),
            ("/h\nHost: evil", "a line feed (\\n) at byte 2"),
            ("/h\u{1b}[2J", "a control character (\\x1b) at byte 2"),
            (
                "/caf\u{e9}",
                "a non-ASCII character (percent-encode it) at byte 4",
            ),
            ("/x#frag", "'#' at byte 2"),
            ("/%zz", "'%' at byte 1 not followed by two hex digits"),
            ("/%4", "'%' at byte 1 not followed by two hex digits"),
        ];
        for (target, why) in cases {
            let got = problem(target).unwrap_or_default();
            assert!(got.contains(why), "{target:?}: {got}");
        }
        assert!(
            !message("/h\r\n", "x").contains('\r'),
            "quoted with escapes"
        );
    }
}
