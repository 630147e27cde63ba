//! `results.json`: the [`RunResults`] exactly, pretty-printed, with a final newline.

use crate::results::RunResults;

/// Serialise the results. Plain data with string keys cannot fail to serialise; should
/// it ever, the error text is written instead so the writer still has a file to show.
pub(crate) fn render(results: &RunResults) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(results)
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}").into_bytes());
    bytes.push(b'\n');
    bytes
}
