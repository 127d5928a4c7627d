//! Small text helpers with Go's exact output: list quoting, pluralisation and
//! `%q` string quoting.

use std::fmt::Write;

/// Each item in double quotes, joined by `", "`; no escaping (upstream's
/// `joinQuote`). Empty list → empty string.
pub(crate) fn join_quote<S: AsRef<str>>(items: &[S]) -> String {
    let mut out = String::new();
    push_join_quote(&mut out, items);
    out
}

pub(crate) fn push_join_quote<S: AsRef<str>>(out: &mut String, items: &[S]) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('"');
        out.push_str(item.as_ref());
        out.push('"');
    }
}

/// Exactly one → singular; zero or many → plural.
pub(crate) fn pluralize(singular: &'static str, plural: &'static str, n: usize) -> &'static str {
    if n == 1 {
        singular
    } else {
        plural
    }
}

/// Sorts byte-wise and removes duplicates (Go's `sets.String.List()`).
pub(crate) fn sorted_set(mut v: Vec<&str>) -> Vec<&str> {
    v.sort_unstable();
    v.dedup();
    v
}

/// Go's `strconv.Quote` / `%q` for a string.
///
/// Printable characters are kept as they are; `"` and `\` are escaped; the
/// C escapes `\a \b \f \n \r \t \v` are used where they exist; other
/// non-printables become `\xNN` (below U+0080), `\uNNNN` or `\UNNNNNNNN`.
/// Printability follows Go's `unicode.IsPrint` for every assigned category
/// that matters here (controls, format characters, non-ASCII spaces, line
/// and paragraph separators, private use, noncharacters); unassigned code
/// points, which Go also escapes, are kept, since telling them apart needs
/// the full Unicode tables.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if is_go_printable(c) => out.push(c),
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

fn is_go_printable(c: char) -> bool {
    let u = c as u32;
    if u < 0x80 {
        return (0x20..0x7f).contains(&u);
    }
    !matches!(u,
        // C1 controls
        0x80..=0x9f
        // non-ASCII space separators (Zs), line/paragraph separators
        | 0xa0 | 0x1680 | 0x2000..=0x200a | 0x2028 | 0x2029 | 0x202f | 0x205f | 0x3000
        // format characters (Cf)
        | 0xad | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f | 0x890 | 0x891 | 0x8e2 | 0x180e
        | 0x200b..=0x200f | 0x202a..=0x202e | 0x2060..=0x2064 | 0x2066..=0x206f
        | 0xfeff | 0xfff9..=0xfffb | 0x110bd | 0x110cd | 0x13430..=0x1343f
        | 0x1bca0..=0x1bca3 | 0x1d173..=0x1d17a | 0xe0001 | 0xe0020..=0xe007f
        // private use (Co) and noncharacters
        | 0xe000..=0xf8ff | 0xf0000..=0xffffd | 0x100000..=0x10fffd
        | 0xfdd0..=0xfdef)
        && (u & 0xfffe) != 0xfffe
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_quote_and_pluralize() {
        assert_eq!(join_quote::<&str>(&[]), "");
        assert_eq!(join_quote(&["a"]), r#""a""#);
        assert_eq!(join_quote(&["a", "b\"c"]), r#""a", "b"c""#);
        assert_eq!(pluralize("container", "containers", 0), "containers");
        assert_eq!(pluralize("container", "containers", 1), "container");
        assert_eq!(pluralize("container", "containers", 2), "containers");
    }

    #[test]
    fn sorted_set_is_bytewise() {
        assert_eq!(
            sorted_set(vec!["80", "10000", "80", "B", "a"]),
            vec!["10000", "80", "B", "a"]
        );
    }

    #[test]
    fn go_quote_matches_strconv_quote() {
        assert_eq!(go_quote("unconfined"), r#""unconfined""#);
        assert_eq!(go_quote(""), r#""""#);
        assert_eq!(go_quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(go_quote("a\nb\tc\x00\x7f"), r#""a\nb\tc\x00\x7f""#);
        assert_eq!(go_quote("日本\u{a0}\u{200b}"), "\"日本\\u00a0\\u200b\"");
        assert_eq!(go_quote("\u{10ffff}😀"), "\"\\U0010ffff😀\"");
        assert_eq!(go_quote("\u{85}"), "\"\\u0085\"");
    }
}
