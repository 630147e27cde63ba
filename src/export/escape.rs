//! Escaping, one helper per format: every string that reaches a report or the terminal
//! (variant names, paths, image file names, history, build logs, results files) goes
//! through the helper of the format that prints it, and through no other.
//!
//! Control characters (C0, DEL, C1) never pass through raw: each format shows them as a
//! visible escape such as `\x1b`, except the white space that format keeps on purpose.

use std::fmt::Write;

/// Push `c` as a visible escape: `\x1b`, `\x07`, `\x9b`.
fn visible(out: &mut String, c: char) {
    let _ = write!(out, "\\x{:02x}", u32::from(c));
}

/// `text` with each control character kept (`keep`), turned into a space (`space`), or
/// shown as a visible escape.
fn controls(text: &str, keep: &[char], space: &[char]) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if !c.is_control() || keep.contains(&c) {
            out.push(c);
        } else if space.contains(&c) {
            out.push(' ');
        } else {
            visible(&mut out, c);
        }
    }
    out
}

/// Text for a terminal: every control character, newline and tab included, becomes a
/// visible escape, so untrusted text cannot move the cursor, recolour, retitle or ring.
/// A multi-line cell escapes each of its lines and joins them ([`terminal_lines`]).
pub(crate) fn terminal(text: &str) -> String {
    controls(text, &[], &[])
}

/// Text for a terminal that may span lines (an error message, a progress line): each line
/// escaped as [`terminal`] does, the newlines between them kept.
pub(crate) fn terminal_text(text: &str) -> String {
    text.split('\n')
        .map(terminal)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Escaped lines joined with `\n`: a multi-line terminal cell.
pub(crate) fn terminal_lines(lines: &[String]) -> String {
    lines
        .iter()
        .map(|l| terminal(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Text for HTML content and attribute values: `& < > " '` as entities; newline and tab
/// stay (white space, kept by `<pre>`), other control characters become visible escapes.
pub(crate) fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in controls(text, &['\n', '\t'], &[]).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Text for a CSV field (the csv writer adds the quoting): newline and tab stay, other
/// control characters become visible escapes, so `cat results.csv` is safe.
pub(crate) fn csv(text: &str) -> String {
    controls(text, &['\n', '\t'], &[])
}

/// One line of text for Markdown: newline and tab become spaces (a table row or list
/// item must stay on one line), other control characters visible escapes.
fn one_line(text: &str) -> String {
    controls(text, &[], &['\n', '\t'])
}

/// Markdown inline text (table cells, list items, headings): shown literally. The
/// punctuation that starts emphasis, code, links or cells is backslash-escaped
/// (`` \` \* \_ \[ \| ``, `\\`, `~`), `& < >` become entities (Markdown passes HTML
/// through), and the text stays on one line. Never use it inside a code span; for text
/// that starts a line use [`markdown_block`].
pub(crate) fn markdown(text: &str) -> String {
    let line = one_line(text);
    let mut out = String::with_capacity(line.len() + 8);
    for c in line.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | '~' | '|' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Markdown text that starts a line (a paragraph, a quoted note): [`markdown`], and a
/// leading block marker is escaped so it stays text ([`markdown_line_start`]).
pub(crate) fn markdown_block(text: &str) -> String {
    markdown_line_start(&markdown(text))
}

/// Markdown already escaped inline, put at the start of a line: a leading `#`, `-`, `+`,
/// `1. ` or `1) ` would make a heading or a list, so it is backslash-escaped.
pub(crate) fn markdown_line_start(inline: &str) -> String {
    let digits = inline.chars().take_while(char::is_ascii_digit).count();
    let mut rest = inline[digits..].chars();
    match (rest.next(), rest.next()) {
        (Some('.' | ')'), None | Some(' ')) if digits > 0 => {
            format!("{}\\{}", &inline[..digits], &inline[digits..])
        }
        (Some('#' | '-' | '+'), _) if digits == 0 => format!("\\{inline}"),
        _ => inline.to_string(),
    }
}

/// The longest run of backticks in `text`.
fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// A Markdown code span showing `text` literally: the fence is one backtick longer than
/// the longest run inside, padded with spaces when the text starts or ends with a
/// backtick; no entities (a code span shows `&&` as `&&`). Not for table cells, where
/// GitHub splits cells at `|` even inside code.
pub(crate) fn code_span(text: &str) -> String {
    let text = one_line(text);
    let fence = "`".repeat(longest_backtick_run(&text) + 1);
    let spaced = text.starts_with(' ') && text.ends_with(' ') && !text.trim().is_empty();
    if text.is_empty() || text.starts_with('`') || text.ends_with('`') || spaced {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

/// A fenced Markdown code block (`info` as the language): the fence is longer than any
/// backtick run in the lines (at least three), so no line can close it; tabs stay, other
/// control characters become visible escapes.
pub(crate) fn code_block(lines: &[String], info: &str) -> String {
    let body: Vec<String> = lines
        .iter()
        .map(|l| controls(l, &['\t'], &['\n']))
        .collect();
    let longest = body
        .iter()
        .map(|l| longest_backtick_run(l))
        .max()
        .unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}{info}\n{}\n{fence}", body.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "evil\u{1b}[31m`name`\u{7}\u{9b}2J";

    #[test]
    fn the_terminal_sees_control_characters_as_visible_escapes() {
        assert_eq!(terminal(HOSTILE), "evil\\x1b[31m`name`\\x07\\x9b2J");
        assert_eq!(terminal("a\nb\tc\u{7f}"), "a\\x0ab\\x09c\\x7f");
        assert_eq!(
            terminal_lines(&["one\u{1b}]0;title".into(), "two".into()]),
            "one\\x1b]0;title\ntwo"
        );
        assert_eq!(terminal("plain ✓ text"), "plain ✓ text");
        assert_eq!(terminal_text("a\u{7}\nb\u{1b}[2J"), "a\\x07\nb\\x1b[2J");
    }

    #[test]
    fn html_escapes_markup_and_controls_but_keeps_white_space() {
        assert_eq!(
            html("<b a='1' b=\"2\">&</b>"),
            "&lt;b a=&#39;1&#39; b=&quot;2&quot;&gt;&amp;&lt;/b&gt;"
        );
        assert_eq!(html(HOSTILE), "evil\\x1b[31m`name`\\x07\\x9b2J");
        assert_eq!(html("line 1\n\tline 2"), "line 1\n\tline 2");
    }

    #[test]
    fn csv_fields_keep_newlines_and_show_other_controls() {
        assert_eq!(csv("a\nb\tc"), "a\nb\tc");
        assert_eq!(csv("a\u{1b}[0m\r"), "a\\x1b[0m\\x0d");
        assert_eq!(csv("x,\"y\""), "x,\"y\"", "quoting is the writer's job");
    }

    #[test]
    fn markdown_text_shows_punctuation_literally() {
        assert_eq!(markdown("a|b"), "a\\|b");
        assert_eq!(markdown("<script>&"), "&lt;script&gt;&amp;");
        assert_eq!(markdown("my_app *v2* [x](y)"), "my\\_app \\*v2\\* \\[x](y)");
        assert_eq!(markdown("`code`"), "\\`code\\`");
        assert_eq!(markdown("two\nlines"), "two lines");
        assert_eq!(markdown("136.0 MB, stand-in #2"), "136.0 MB, stand-in #2");
        assert_eq!(markdown_block("# not a heading"), "\\# not a heading");
        assert_eq!(markdown_block("- not a list"), "\\- not a list");
        assert_eq!(markdown_block("12. not a list"), "12\\. not a list");
        assert_eq!(markdown_block("2.1× the smallest"), "2.1× the smallest");
        // The visible escapes' backslashes are escaped too, so they render as `\x1b`.
        assert_eq!(
            markdown(HOSTILE),
            "evil\\\\x1b\\[31m\\`name\\`\\\\x07\\\\x9b2J"
        );
    }

    #[test]
    fn code_spans_are_literal_and_survive_backticks() {
        assert_eq!(
            code_span("&& rm -rf /var/lib/apt/lists/*"),
            "`&& rm -rf /var/lib/apt/lists/*`"
        );
        assert_eq!(code_span("USER <name>"), "`USER <name>`");
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("``x"), "``` ``x ```");
        assert_eq!(code_span("x`"), "`` x` ``");
        assert_eq!(code_span(" padded "), "`  padded  `");
        assert_eq!(code_span(HOSTILE), "``evil\\x1b[31m`name`\\x07\\x9b2J``");
        assert_eq!(code_span("two\nlines"), "`two lines`");
    }

    #[test]
    fn code_blocks_cannot_be_closed_by_their_lines() {
        let lines = vec!["```".to_string(), "ok\u{1b}[2K".to_string()];
        assert_eq!(
            code_block(&lines, "text"),
            "````text\n```\nok\\x1b[2K\n````"
        );
        assert_eq!(code_block(&["x".into()], ""), "```\nx\n```");
    }
}
