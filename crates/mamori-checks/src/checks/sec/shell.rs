//! Just enough shell to see what a container's command prints: split a
//! `sh -c` script into pipelines of simple commands, keep quoting where it
//! matters (nothing expands inside single quotes), and note where output
//! is redirected. Not a shell: loops, functions and here-documents are read
//! as plain words, which errs towards reporting.

/// Stands for a `$` that the shell would not expand (single quotes, `\$`).
pub const LITERAL_DOLLAR: char = '\u{1}';

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Simple {
    /// Words with quotes removed; the command name first.
    pub words: Vec<String>,
    /// Its standard output feeds the next command (`|`).
    pub piped: bool,
}

/// Split a script into simple commands, in order.
pub fn split(script: &str) -> Vec<Simple> {
    let mut out = Vec::new();
    let mut cur = Simple::default();
    let mut word = String::new();
    let mut in_word = false;
    let (mut single, mut double) = (false, false);
    let mut depth = 0usize; // inside $( ... ) or ` ... `
    let mut backtick = false;
    let chars: Vec<char> = script.chars().collect();
    let mut i = 0;
    let end_word = |word: &mut String, in_word: &mut bool, cur: &mut Simple| {
        if *in_word {
            cur.words.push(std::mem::take(word));
            *in_word = false;
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if single {
            if c == '\'' {
                single = false;
            } else {
                word.push(if c == '$' { LITERAL_DOLLAR } else { c });
            }
            i += 1;
            continue;
        }
        match c {
            '\\' => {
                if let Some(n) = next {
                    word.push(if n == '$' { LITERAL_DOLLAR } else { n });
                    in_word = true;
                }
                i += 2;
                continue;
            }
            '\'' if !double => {
                single = true;
                in_word = true;
            }
            '"' => {
                double = !double;
                in_word = true;
            }
            '$' if next == Some('(') => {
                depth += 1;
                word.push_str("$(");
                in_word = true;
                i += 2;
                continue;
            }
            ')' if depth > 0 => {
                depth -= 1;
                word.push(')');
            }
            '`' => {
                if backtick {
                    depth -= 1;
                } else {
                    depth += 1;
                }
                backtick = !backtick;
                word.push('`');
                in_word = true;
            }
            _ if double || depth > 0 => {
                word.push(c);
                in_word = true;
            }
            '#' if !in_word => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            ' ' | '\t' | '\r' => end_word(&mut word, &mut in_word, &mut cur),
            ';' | '\n' | '&' | '|' | '(' | ')' if !(c == '&' && next == Some('>')) => {
                // `>&2` and `2>&1` keep their `&`.
                if c == '&' && word.ends_with('>') {
                    word.push('&');
                    i += 1;
                    continue;
                }
                end_word(&mut word, &mut in_word, &mut cur);
                let pipe = c == '|' && next != Some('|') && chars.get(i.wrapping_sub(1)) != Some(&'|');
                if c == '|' && next == Some('|') || c == '&' && next == Some('&') {
                    i += 1;
                }
                if !cur.words.is_empty() {
                    cur.piped = pipe;
                    out.push(std::mem::take(&mut cur));
                }
            }
            '>' | '<' => {
                // `2>`, `1>>`, `&>` stay one word with their operator.
                if !(in_word && matches!(word.as_str(), "1" | "2" | "&")) {
                    end_word(&mut word, &mut in_word, &mut cur);
                }
                word.push(c);
                if next == Some('>') && c == '>' {
                    word.push('>');
                    i += 1;
                }
                in_word = true;
                if chars.get(i + 1) != Some(&'&') {
                    end_word(&mut word, &mut in_word, &mut cur);
                }
            }
            _ => {
                word.push(c);
                in_word = true;
            }
        }
        i += 1;
    }
    end_word(&mut word, &mut in_word, &mut cur);
    if !cur.words.is_empty() {
        out.push(cur);
    }
    out
}

/// Where standard output goes when it is not the container log: the target
/// of a `>`, `>>`, `1>`, `&>` redirection to anything but the log itself.
pub fn stdout_redirected_away(words: &[String]) -> bool {
    const LOG: &[&str] = &[
        "/dev/stdout",
        "/dev/stderr",
        "/proc/self/fd/1",
        "/proc/self/fd/2",
        "/proc/1/fd/1",
        "/proc/1/fd/2",
        "&1",
        "&2",
    ];
    let mut it = words.iter().peekable();
    while let Some(w) = it.next() {
        let op = ["&>>", "&>", "1>>", "1>", ">>", ">"]
            .iter()
            .find(|op| w.starts_with(**op) && !w.starts_with(">&") || w == *op);
        let Some(op) = op else {
            if let Some(t) = w.strip_prefix(">&").or_else(|| w.strip_prefix("1>&")) {
                if !matches!(t, "1" | "2") {
                    return true;
                }
            }
            continue;
        };
        let rest = &w[op.len()..];
        let target = if rest.is_empty() {
            it.next().map(String::as_str).unwrap_or("")
        } else {
            rest
        };
        if !LOG.contains(&target) {
            return true;
        }
    }
    false
}

/// The words that are arguments: redirections and their targets removed.
pub fn arguments(words: &[String]) -> Vec<&str> {
    let mut out = Vec::new();
    let mut skip = false;
    for w in words {
        if skip {
            skip = false;
            continue;
        }
        let is_redirect = w.starts_with('>')
            || w.starts_with('<')
            || w.starts_with("1>")
            || w.starts_with("2>")
            || w.starts_with("&>");
        if is_redirect {
            skip = w.trim_end_matches('&').ends_with(['>', '<']);
            continue;
        }
        out.push(w.as_str());
    }
    out
}

/// A container's argv, `command` then `args`, each word with its field path.
pub fn container_argv<'a>(c: &mamori_model::ContainerView<'a>) -> Vec<(mamori_model::FieldPath, &'a str)> {
    let mut argv = Vec::new();
    for field in ["command", "args"] {
        let items = c.node.field(field).and_then(mamori_model::Node::as_seq).unwrap_or(&[]);
        for (i, a) in items.iter().enumerate() {
            if let Some(s) = a.as_str() {
                argv.push((c.path.key(field).index(i), s));
            }
        }
    }
    argv
}

/// The last path component of a command word (`/bin/sh` is `sh`).
pub fn base(w: &str) -> &str {
    w.rsplit('/').next().unwrap_or(w)
}

pub fn is_shell(w: &str) -> bool {
    matches!(base(w), "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh" | "busybox")
}

/// Where the script of `sh -c SCRIPT` sits in a container's argv
/// (`command` then `args`). With no `command`, `args` starting with `-c`
/// go to the image's shell entrypoint.
pub fn script_index(argv: &[&str], has_command: bool) -> Option<usize> {
    let flag = argv
        .iter()
        .position(|w| is_shell(w))
        .map(|p| p + 1)
        .or_else(|| (!has_command && argv.first().is_some_and(|w| w.starts_with("-c"))).then_some(0))?;
    let mut k = flag;
    // Skip options up to the one carrying `c` (`-c`, `-ec`, `-xc`).
    while let Some(w) = argv.get(k) {
        if w.starts_with('-') && !w.starts_with("--") {
            if w.contains('c') {
                return Some(k + 1).filter(|&i| i < argv.len());
            }
            k += 1;
        } else if base(w) == "sh" {
            // `busybox sh -c`
            k += 1;
        } else {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<Vec<String>> {
        split(s).into_iter().map(|c| c.words).collect()
    }

    #[test]
    fn splits_lists_and_pipelines() {
        let cmds = split("env | grep API_KEY && cat /mnt/secrets/API_KEY && sleep 3600");
        assert_eq!(cmds.len(), 4);
        assert!(cmds[0].piped);
        assert!(!cmds[1].piped);
        assert_eq!(cmds[2].words, ["cat", "/mnt/secrets/API_KEY"]);
        assert_eq!(words("a || b; c\nd"), [["a"], ["b"], ["c"], ["d"]]);
    }

    #[test]
    fn quotes_and_substitutions() {
        assert_eq!(words(r#"echo "key: $KEY" 'not $THIS'"#)[0][1], "key: $KEY");
        assert_eq!(words("echo 'not $THIS'")[0][1], format!("not {LITERAL_DOLLAR}THIS"));
        assert_eq!(words("echo $(cat /a; cat /b) x")[0], ["echo", "$(cat /a; cat /b)", "x"]);
        assert_eq!(words("# comment\necho hi # trailing"), [["echo", "hi"]]);
    }

    #[test]
    fn redirections() {
        let w = |s: &str| split(s).remove(0).words;
        assert!(stdout_redirected_away(&w("echo $X > /tmp/x")));
        assert!(stdout_redirected_away(&w("echo $X >/tmp/x")));
        assert!(stdout_redirected_away(&w("echo $X &>/dev/null")));
        assert!(!stdout_redirected_away(&w("echo $X >&2")));
        assert!(!stdout_redirected_away(&w("echo $X 2>/dev/null")));
        assert!(!stdout_redirected_away(&w("echo $X > /dev/stdout")));
        assert_eq!(arguments(&w("cat /a 2>&1 > /dev/stderr")), ["cat", "/a"]);
    }
}
