//! A `RUN` instruction's shell script read from the Dockerfile text with the byte range of
//! every word, so a rewrite can insert a flag after one word or join two scripts and leave
//! every other byte as it was. It reads as `shell::commands` does (the same splitting on
//! `&&`, `||`, `;`, `|`, `&` and parentheses, quotes removed from the words), and also
//! follows the Dockerfile's line continuations and the comment lines inside them.

use std::ops::Range;

use crate::dockerfile::parse::Instruction;

/// One word of the script: its text (quotes removed) and where it is in the Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Word {
    /// The word as the shell sees it.
    pub(super) text: String,
    /// Its byte range in the Dockerfile text.
    pub(super) range: Range<usize>,
}

/// A simple command and the operator that ends it (`None` for the last one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Command {
    /// Its words.
    pub(super) words: Vec<Word>,
    /// `&&`, `||`, `;`, `|`, `&`, `(` or `)` after it.
    pub(super) op: Option<&'static str>,
}

impl Command {
    /// The words as strings, for the `shell` recognisers.
    pub(super) fn strings(&self) -> Vec<String> {
        self.words.iter().map(|w| w.text.clone()).collect()
    }
}

/// The script of a shell-form `RUN` (keyword and `--flags` left out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Script {
    /// Byte offset of the script's first word in the Dockerfile text.
    pub(super) start: usize,
    /// The simple commands in order.
    pub(super) commands: Vec<Command>,
    /// An unquoted `#` starts a shell comment: whatever is appended would be commented out.
    pub(super) comment: bool,
}

impl Script {
    /// Every operator between the commands, in order.
    pub(super) fn operators(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.commands.iter().filter_map(|c| c.op)
    }
}

/// The script of `ins` (a shell-form `RUN` without heredocs) in `text`.
pub(super) fn script(text: &str, ins: &Instruction, escape: char) -> Script {
    let mut reader = Reader {
        src: text,
        escape,
        pos: ins.span.start,
        end: ins.span.end,
    };
    let mut commands = Vec::new();
    let mut current: Vec<Word> = Vec::new();
    let mut comment = false;
    let mut head = 0; // keyword and flags still to skip
    let mut start = ins.span.end;
    while let Some(token) = reader.next_token() {
        match token {
            Token::Word(word) if head == 0 => {
                head = 1;
                let _ = word; // the keyword
            }
            Token::Word(word) if head == 1 && word.text.starts_with("--") => {}
            Token::Word(word) if word.text.starts_with('#') && word_is_bare(text, &word) => {
                comment = true;
                break;
            }
            Token::Word(word) => {
                if head == 1 {
                    head = 2;
                    start = word.range.start;
                }
                current.push(word);
            }
            Token::Op(op) => {
                head = 2;
                if !current.is_empty() {
                    commands.push(Command {
                        words: std::mem::take(&mut current),
                        op: Some(op),
                    });
                } else if let Some(last) = commands.last_mut() {
                    last.op = last.op.or(Some(op));
                }
            }
        }
    }
    if !current.is_empty() {
        commands.push(Command {
            words: current,
            op: None,
        });
    }
    Script {
        start,
        commands,
        comment,
    }
}

/// Does the word start with an unquoted character (a `#` there starts a comment)?
fn word_is_bare(text: &str, word: &Word) -> bool {
    text[word.range.clone()].starts_with('#')
}

enum Token {
    Word(Word),
    Op(&'static str),
}

struct Reader<'a> {
    src: &'a str,
    escape: char,
    pos: usize,
    end: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<char> {
        self.src[self.pos..self.end].chars().next()
    }

    /// At a line continuation (the escape character, trailing blanks, a newline), skip it
    /// and the blank and comment lines after it; true when one was skipped.
    fn skip_continuation(&mut self) -> bool {
        let rest = &self.src[self.pos..self.end];
        let Some(after) = rest.strip_prefix(self.escape) else {
            return false;
        };
        let blanks = after.len() - after.trim_start_matches([' ', '\t', '\r']).len();
        if !after[blanks..].starts_with('\n') {
            return false;
        }
        self.pos += self.escape.len_utf8() + blanks + 1;
        loop {
            let rest = &self.src[self.pos..self.end];
            let line_end = rest.find('\n');
            let line = &rest[..line_end.unwrap_or(rest.len())];
            let trimmed = line.trim_start();
            match line_end {
                Some(n) if trimmed.is_empty() || trimmed.starts_with('#') => self.pos += n + 1,
                _ => return true,
            }
        }
    }

    fn next_token(&mut self) -> Option<Token> {
        // Blanks and continuations between tokens.
        loop {
            if self.skip_continuation() {
                continue;
            }
            match self.peek() {
                Some(c) if c.is_whitespace() => self.pos += c.len_utf8(),
                Some(_) => break,
                None => return None,
            }
        }
        let rest = &self.src[self.pos..self.end];
        for op in ["&&", "||", ";", "|", "&", "(", ")"] {
            if rest.starts_with(op) {
                self.pos += op.len();
                return Some(Token::Op(op));
            }
        }
        let start = self.pos;
        let mut end = start;
        let mut text = String::new();
        let mut quote: Option<char> = None;
        loop {
            if self.skip_continuation() {
                continue;
            }
            let Some(c) = self.peek() else { break };
            if let Some(q) = quote {
                self.pos += c.len_utf8();
                if c == q {
                    quote = None;
                } else {
                    text.push(c);
                }
                end = self.pos;
                continue;
            }
            match c {
                '\'' | '"' => quote = Some(c),
                '\\' => {
                    self.pos += 1;
                    if let Some(next) = self.peek() {
                        self.pos += next.len_utf8();
                        text.push(next);
                    }
                    end = self.pos;
                    continue;
                }
                ';' | '&' | '|' | '(' | ')' => break,
                c if c.is_whitespace() => break,
                c => text.push(c),
            }
            self.pos += c.len_utf8();
            end = self.pos;
        }
        Some(Token::Word(Word {
            text,
            range: start..end,
        }))
    }
}

#[cfg(test)]
mod tests {
    //! The spanned reader against `shell::commands`, and its ranges.

    use super::*;
    use crate::dockerfile::parse::parse;
    use crate::dockerfile::shell::commands;

    fn scripts(text: &str) -> Vec<Script> {
        let df = parse(text).expect("parses");
        df.instructions
            .iter()
            .filter(|i| i.keyword == "RUN")
            .map(|i| script(text, i, df.escape))
            .collect()
    }

    #[test]
    fn reads_the_words_shell_commands_reads_on_the_articles_recipes() {
        for text in [
            include_str!("../../../variants/article/Dockerfile.bloated"),
            include_str!("../../../variants/article/Dockerfile.ubuntu-optimized"),
            include_str!("../../../variants/article/Dockerfile.alpine"),
            include_str!("../../../variants/article/Dockerfile.distroless"),
        ] {
            let df = parse(text).expect("parses");
            for ins in df.instructions.iter().filter(|i| i.keyword == "RUN") {
                let got: Vec<Vec<String>> = script(text, ins, df.escape)
                    .commands
                    .iter()
                    .map(Command::strings)
                    .collect();
                assert_eq!(got, commands(&ins.args), "line {}", ins.line);
            }
        }
    }

    #[test]
    fn ranges_point_at_the_words_across_continuations_and_comment_lines() {
        let text = "FROM x\nRUN --mount=type=cache,target=/c apt-get update && \\\n# a comment\n    apt-get install -y 'a b' ; echo \"#x\"\n";
        let s = &scripts(text)[0];
        assert_eq!(&text[s.start..s.start + 7], "apt-get");
        let install = &s.commands[1].words[1];
        assert_eq!(install.text, "install");
        assert_eq!(&text[install.range.clone()], "install");
        assert_eq!(&text[s.commands[1].words[3].range.clone()], "'a b'");
        assert_eq!(s.operators().collect::<Vec<_>>(), ["&&", ";"]);
        assert!(!s.comment);
        assert!(scripts("FROM x\nRUN make # build\n")[0].comment);
    }

    #[test]
    fn a_backtick_escape_continues_lines_and_leaves_backslashes_to_the_shell() {
        let text = "# escape=`\nFROM x\nRUN echo a\\b && `\n    echo c\n";
        let s = &scripts(text)[0];
        let words: Vec<Vec<String>> = s.commands.iter().map(Command::strings).collect();
        assert_eq!(words, [vec!["echo", "ab"], vec!["echo", "c"]]);
    }
}
