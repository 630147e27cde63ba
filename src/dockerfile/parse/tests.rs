//! Tests of the Dockerfile reader.

use super::*;

#[test]
fn joins_continuations_and_skips_comments_with_their_line_numbers() {
    let text = "# syntax=docker/dockerfile:1\nFROM ubuntu:20.04\n\n# a comment\nRUN apt-get update && \\\n    # inside\n    apt-get install -y x\nCMD [\"python3\", \"app.py\"]\n";
    let df = parse(text).expect("parses");
    let kinds: Vec<_> = df
        .instructions
        .iter()
        .map(|i| (i.line, i.keyword.as_str()))
        .collect();
    assert_eq!(kinds, [(2, "FROM"), (5, "RUN"), (8, "CMD")]);
    assert_eq!(
        df.instructions[1].args,
        "apt-get update &&     apt-get install -y x"
    );
    assert_eq!(
        df.instructions[2].exec_form(),
        Some(vec!["python3".to_string(), "app.py".to_string()])
    );
    assert_eq!(&text[df.instructions[0].span.clone()], "FROM ubuntu:20.04");
}

#[test]
fn honours_the_escape_directive() {
    let text = "# escape=`\nFROM windows\nRUN dir C:\\ && `\n    echo done\n";
    let df = parse(text).expect("parses");
    assert_eq!(df.escape, '`');
    assert_eq!(df.instructions[1].args, "dir C:\\ &&     echo done");
    assert!(parse("# escape=x\nFROM a\n").is_err());
}

#[test]
fn keeps_heredoc_bodies_out_of_the_instructions() {
    let text = "FROM debian\nRUN <<EOF\nFROM not-a-stage\napt-get update\nEOF\nCOPY <<-\"END\" /x\n\tCOPY nothing\n\tEND\nUSER app\n";
    let df = parse(text).expect("parses");
    let kinds: Vec<_> = df
        .instructions
        .iter()
        .map(|i| (i.line, i.keyword.as_str()))
        .collect();
    assert_eq!(kinds, [(1, "FROM"), (2, "RUN"), (6, "COPY"), (9, "USER")]);
    assert_eq!(
        df.instructions[1].heredocs,
        ["FROM not-a-stage\napt-get update\n"]
    );
    assert_eq!(df.instructions[2].heredocs, ["COPY nothing\n"]);
}

#[test]
fn splits_flags_from_arguments() {
    let df = parse("COPY --from=builder --chown=app:app /a /b\n").expect("parses");
    let ins = &df.instructions[0];
    assert_eq!(ins.flag("from").as_deref(), Some("builder"));
    assert_eq!(ins.flags_and_rest().1, "/a /b");
}
