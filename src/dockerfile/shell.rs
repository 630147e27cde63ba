//! Just enough shell reading for the lint: split a `RUN` script into simple commands
//! (on `&&`, `||`, `;`, `|`, `&`, newlines and parentheses) and words (quotes removed), and
//! recognise `apt-get`/`apt`, `pip` and other package installers in them.

/// The simple commands of `script`, each as its words.
pub(super) fn commands(script: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = script.chars();
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            } else {
                word.push(c);
            }
            continue;
        }
        match c {
            '\'' | '"' => {
                quote = Some(c);
                in_word = true;
            }
            '\\' => {
                if let Some(next) = chars.next()
                    && next != '\n'
                {
                    word.push(next);
                    in_word = true;
                }
            }
            ';' | '&' | '|' | '\n' | '(' | ')' => {
                finish_word(&mut words, &mut word, &mut in_word);
                if !words.is_empty() {
                    out.push(std::mem::take(&mut words));
                }
            }
            c if c.is_whitespace() => finish_word(&mut words, &mut word, &mut in_word),
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    finish_word(&mut words, &mut word, &mut in_word);
    if !words.is_empty() {
        out.push(words);
    }
    out
}

fn finish_word(words: &mut Vec<String>, word: &mut String, in_word: &mut bool) {
    if *in_word {
        words.push(std::mem::take(word));
        *in_word = false;
    }
}

/// The program and its arguments, after `sudo`, `env` and `NAME=value` prefixes.
pub(super) fn program(cmd: &[String]) -> &[String] {
    let mut i = 0;
    while i < cmd.len() {
        let w = cmd[i].as_str();
        let assignment = w.contains('=') && !w.starts_with('-') && !w.starts_with('=');
        if w == "sudo" || w == "env" || w == "exec" || assignment {
            i += 1;
        } else {
            break;
        }
    }
    &cmd[i..]
}

/// The first non-option word of `args` (skipping the value of `-o`/`-c`/`-t`).
fn subcommand(args: &[String]) -> Option<&str> {
    let mut i = 0;
    while i < args.len() {
        let w = args[i].as_str();
        if matches!(w, "-o" | "-c" | "-t") {
            i += 2;
        } else if w.starts_with('-') {
            i += 1;
        } else {
            return Some(w);
        }
    }
    None
}

/// `apt-get`/`apt` with its subcommand, e.g. `("update", args)`.
pub(super) fn apt(cmd: &[String]) -> Option<(&str, &[String])> {
    tool(cmd, &["apt-get", "apt"])
}

/// One of the programs `names` (by its file name) with its subcommand and arguments.
pub(super) fn tool<'a>(cmd: &'a [String], names: &[&str]) -> Option<(&'a str, &'a [String])> {
    let prog = program(cmd);
    let name = prog.first()?.rsplit('/').next()?;
    if !names.contains(&name) {
        return None;
    }
    Some((subcommand(&prog[1..])?, &prog[1..]))
}

/// `pip`, `pip3`, `pip3.9` or `python* -m pip` with its subcommand.
pub(super) fn pip(cmd: &[String]) -> Option<(&str, &[String])> {
    let prog = program(cmd);
    let name = prog.first()?.rsplit('/').next()?;
    let version = |v: &str| v.chars().all(|c| c.is_ascii_digit() || c == '.');
    let rest = if name.strip_prefix("pip").is_some_and(version) {
        &prog[1..]
    } else if name.starts_with("python") && prog.get(1)? == "-m" && prog.get(2)? == "pip" {
        &prog[3..]
    } else {
        return None;
    };
    Some((subcommand(rest)?, rest))
}

/// True for a script whose commands include a `pip install --user` without `--prefix` or
/// `--target`: packages that land in the installing user's home (`/root/.local` as root).
pub(super) fn has_pip_user_install(script: &str) -> bool {
    commands(script)
        .iter()
        .filter_map(|c| pip(c))
        .any(|(s, args)| {
            s == "install"
                && args.iter().any(|a| a == "--user")
                && !args
                    .iter()
                    .any(|a| a.starts_with("--prefix") || a.starts_with("--target"))
        })
}

/// Does the command install dependencies (pip, npm, yarn, pnpm, poetry, pipenv, bundle,
/// go mod download, composer, cargo fetch, apt-get/apt install, apk add)?
pub(super) fn installs_dependencies(cmd: &[String]) -> bool {
    if pip(cmd).is_some_and(|(sub, _)| sub == "install") {
        return true;
    }
    if apt(cmd).is_some_and(|(sub, _)| sub == "install") {
        return true;
    }
    let prog = program(cmd);
    let Some(name) = prog.first().and_then(|p| p.rsplit('/').next()) else {
        return false;
    };
    let sub = subcommand(&prog[1..]);
    match name {
        "npm" => matches!(sub, Some("install" | "i" | "ci")),
        "yarn" => matches!(sub, None | Some("install")),
        "pnpm" | "poetry" | "pipenv" | "bundle" | "composer" => sub == Some("install"),
        "go" => sub == Some("mod") && prog.iter().any(|w| w == "download"),
        "cargo" => sub == Some("fetch"),
        "apk" => sub == Some("add"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<Vec<String>> {
        commands(s)
    }

    #[test]
    fn splits_on_operators_and_removes_quotes() {
        let cmds = words(
            "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y 'a b'; echo \"x|y\" | cat",
        );
        assert_eq!(cmds.len(), 4);
        assert_eq!(cmds[1].last().map(String::as_str), Some("a b"));
        assert_eq!(cmds[2], ["echo", "x|y"]);
        assert_eq!(apt(&cmds[0]).map(|c| c.0), Some("update"));
        assert_eq!(apt(&cmds[1]).map(|c| c.0), Some("install"));
    }

    #[test]
    fn recognises_pip_in_its_several_spellings() {
        for s in [
            "pip install x",
            "pip3 install x",
            "python3 -m pip install x",
            "/usr/bin/pip3.9 install x",
        ] {
            let cmd = &words(s)[0];
            assert_eq!(pip(cmd).map(|c| c.0), Some("install"), "{s}");
            assert!(installs_dependencies(cmd), "{s}");
        }
        assert!(installs_dependencies(&words("npm ci")[0]));
        assert_eq!(pip(&words("pipenv install")[0]), None, "pipenv is not pip");
        assert_eq!(pip(&words("pipx install black")[0]), None, "nor is pipx");
        assert!(!installs_dependencies(&words("python3 app.py")[0]));
        assert_eq!(
            apt(&words("apt-get -o Acquire::Retries=3 update")[0]).map(|c| c.0),
            Some("update")
        );
    }
}
