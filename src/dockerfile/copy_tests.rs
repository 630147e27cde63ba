//! Tests of COPY/ADD sources.

use super::*;

#[test]
fn lists_context_sources_in_order_without_flags_or_from() {
    let text = "FROM x\nCOPY --chown=a:b --chmod=644 --link requirements.txt ./\nCOPY --from=builder /root/.local /root/.local\nADD [\"src\", \"lib/a.py\", \"/app/\"]\nADD https://example.com/x.tgz /x\nCOPY <<EOF /etc/x\nhi\nEOF\nCOPY . /app\n";
    let got: Vec<_> = copy_sources(text)
        .into_iter()
        .map(|s| (s.line, s.keyword, s.source))
        .collect();
    let want = [
        (2, "COPY", "requirements.txt"),
        (4, "ADD", "src"),
        (4, "ADD", "lib/a.py"),
        (9, "COPY", "."),
    ];
    let want: Vec<_> = want
        .iter()
        .map(|(l, k, s)| (*l, k.to_string(), s.to_string()))
        .collect();
    assert_eq!(got, want);
}
