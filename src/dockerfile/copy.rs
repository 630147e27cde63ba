//! What `COPY`/`ADD` bring in from the build context.

use super::parse::parse;

/// One context source of a `COPY` or `ADD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CopySource {
    /// 1-based line of the instruction.
    pub(crate) line: usize,
    /// `COPY` or `ADD`.
    pub(crate) keyword: String,
    /// The source as written (relative to the context root).
    pub(crate) source: String,
}

/// Context sources of every `COPY`/`ADD` without `--from=`, in order. Flags (`--chown`,
/// `--chmod`, `--link`, ...), the destination, heredoc sources and remote `ADD` sources
/// (URLs, git) are left out.
pub(crate) fn copy_sources(text: &str) -> Vec<CopySource> {
    let Ok(df) = parse(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for ins in &df.instructions {
        if !matches!(ins.keyword.as_str(), "COPY" | "ADD") || ins.flag("from").is_some() {
            continue;
        }
        let words = ins.words();
        let Some((_dest, sources)) = words.split_last() else {
            continue;
        };
        for source in sources {
            if source.starts_with("<<") || is_remote(source) {
                continue;
            }
            out.push(CopySource {
                line: ins.line,
                keyword: ins.keyword.clone(),
                source: source.clone(),
            });
        }
    }
    out
}

fn is_remote(source: &str) -> bool {
    ["http://", "https://", "git@", "git://"]
        .iter()
        .any(|p| source.starts_with(p))
}

#[cfg(test)]
mod tests {
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
}
