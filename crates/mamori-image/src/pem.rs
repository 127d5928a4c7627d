//! PEM blocks, read as Go's `encoding/pem` reads them (text before the
//! block is skipped, `Key: value` headers are allowed, the base64 body may
//! be wrapped at any width) and written as it writes them (64 columns).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

/// One decoded PEM block.
#[derive(Debug)]
pub struct Block {
    /// The type after `BEGIN `, e.g. `PUBLIC KEY`.
    pub label: String,
    /// The decoded body.
    pub body: Vec<u8>,
    /// 1-based line of the BEGIN line.
    pub line: usize,
}

/// The first PEM block of `text`. `source` names the file in messages.
pub fn parse(text: &str, source: &str) -> Result<Block, String> {
    let mut lines = text.lines().enumerate();
    let (begin_line, label) = loop {
        let Some((i, l)) = lines.next() else {
            return Err(format!(
                "{source}: no PEM block found (expected a line like -----BEGIN PUBLIC KEY-----)"
            ));
        };
        let l = l.trim_end();
        if let Some(rest) = l.strip_prefix("-----BEGIN ") {
            match rest.strip_suffix("-----") {
                Some(label) => break (i + 1, label.to_string()),
                None => return Err(format!("{source}:{}: malformed PEM BEGIN line", i + 1)),
            }
        }
    };
    let end = format!("-----END {label}-----");
    let mut b64 = String::new();
    let mut in_headers = true;
    for (i, l) in lines {
        let l = l.trim();
        if l == end {
            let body = STANDARD
                .decode(b64.as_bytes())
                .map_err(|e| format!("{source}:{begin_line}: the base64 body of the {label} block is invalid ({e})"))?;
            return Ok(Block {
                label,
                body,
                line: begin_line,
            });
        }
        if l.starts_with("-----") {
            return Err(format!("{source}:{}: expected {end}, found {l:?}", i + 1));
        }
        // RFC 1421 headers come first and end at a blank line.
        if in_headers && l.contains(':') {
            continue;
        }
        in_headers = false;
        b64.push_str(l);
    }
    Err(format!(
        "{source}:{begin_line}: the {label} block has no {end} line\nhint: the file looks truncated"
    ))
}

/// A PEM block with the body wrapped at 64 columns, ending with a newline.
pub fn encode(label: &str, body: &[u8]) -> String {
    let b64 = STANDARD.encode(body);
    let mut s = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        s.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        s.push('\n');
    }
    s.push_str(&format!("-----END {label}-----\n"));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_wrapping() {
        let body: Vec<u8> = (0..=255u8).collect();
        let text = encode("PUBLIC KEY", &body);
        assert!(text.lines().all(|l| l.len() <= 64 || l.starts_with("-----")));
        let b = parse(&format!("leading text\n{text}"), "k.pub").unwrap();
        assert_eq!((b.label.as_str(), b.body, b.line), ("PUBLIC KEY", body, 2));
    }

    #[test]
    fn truncated_and_garbled_blocks_are_named() {
        let text = encode("PUBLIC KEY", b"hello world, hello world, hello world, hello world!");
        let cut = &text[..text.len() / 2];
        let e = parse(cut, "k.pub").unwrap_err();
        assert!(
            e.starts_with("k.pub:1: the PUBLIC KEY block has no -----END PUBLIC KEY----- line"),
            "{e}"
        );
        let e = parse("-----BEGIN X-----\n!!!!\n-----END X-----\n", "k").unwrap_err();
        assert!(e.contains("base64 body of the X block is invalid"), "{e}");
        assert!(parse("nothing here", "k").unwrap_err().contains("no PEM block"));
    }
}
