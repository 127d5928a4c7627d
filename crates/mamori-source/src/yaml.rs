//! YAML to [`Node`], the way `kubectl` reads manifests.
//!
//! Why our own tree builder on top of `saphyr-parser`: we need the position of
//! every key and value, YAML 1.1 scalar resolution as Kubernetes does it
//! (`sigs.k8s.io/yaml` uses a fork of go-yaml v2), and hard limits against
//! hostile input. The parser gives events with spans; this module turns them
//! into nodes.
//!
//! Semantics reproduced:
//! - Documents are split like `k8s.io/apimachinery`'s YAML reader: a line that
//!   starts with `---` separates documents; only spaces or a comment may follow
//!   it. Each document is parsed on its own, so a syntax error costs one
//!   document, not the file.
//! - Plain scalars resolve as go-yaml v2 does: `y`/`yes`/`on`/`true` (any of
//!   the three casings listed upstream) are `true`, likewise `n`/`no`/`off`/
//!   `false`; `~`, `null` and the empty scalar are null; integers in decimal,
//!   `0x` hex, `0o` or leading-`0` octal, `0b` binary, with `_` separators;
//!   floats including `.inf` and `.nan`. Timestamps stay strings (go-yaml v2
//!   keeps them as strings when decoding into untyped values). Quoted scalars
//!   are always strings.
//! - Merge keys (`<<`) merge mappings; explicit keys win.
//! - Mapping keys become strings (`1` -> `"1"`, `true` -> `"true"`), as the
//!   YAML-to-JSON conversion does; non-scalar keys are an error.
//!
//! Limits: nesting depth, total nodes per document (this bounds alias
//! expansion, so "billion laughs" documents fail fast with a clear message).

use mamori_model::{Entry, Node, Pos, Value};
use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    pub line: u32,
    pub col: u32,
    pub message: String,
}

impl std::fmt::Display for YamlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {} column {}: {}", self.line, self.col, self.message)
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_depth: usize,
    /// Nodes per document, counting every copy an alias makes.
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 200,
            max_nodes: 2_000_000,
        }
    }
}

/// One YAML document of a file.
#[derive(Clone, Debug)]
pub struct Document {
    /// 0-based index among the file's documents.
    pub index: usize,
    /// 1-based line where the document's text starts.
    pub start_line: u32,
    /// `None` for an empty document (only comments or nothing).
    pub node: Option<Node>,
    /// Helm's `# Source: ...` comment, if the document carries one.
    pub helm_source: Option<String>,
}

/// A document's text and where it starts.
#[derive(Clone, Debug)]
pub struct Chunk<'a> {
    pub start_line: u32,
    pub text: &'a str,
    /// Error in the separator line itself (content after `---`).
    pub separator_error: Option<YamlError>,
}

/// Split on document separators as the Kubernetes YAML reader does.
pub fn split_documents(text: &str) -> Vec<Chunk<'_>> {
    let mut chunks = Vec::new();
    let mut start = 0usize;
    let mut start_line = 1u32;
    let mut line_no = 0u32;
    let mut offset = 0usize;
    let mut pending_error = None;
    for line in text.split_inclusive('\n') {
        line_no += 1;
        if let Some(rest) = line.strip_prefix("---") {
            let trimmed = rest.trim();
            let err = if !trimmed.is_empty() && !trimmed.starts_with('#') {
                Some(YamlError {
                    line: line_no,
                    col: 4,
                    message: format!(
                        "content after the document separator `---` ({}): Kubernetes' YAML reader rejects it; put the content on the next line",
                        truncate(trimmed, 40)
                    ),
                })
            } else {
                None
            };
            chunks.push(Chunk {
                start_line,
                text: &text[start..offset],
                separator_error: pending_error.take(),
            });
            pending_error = err;
            start = offset + line.len();
            start_line = line_no + 1;
        }
        offset += line.len();
    }
    chunks.push(Chunk {
        start_line,
        text: &text[start..],
        separator_error: pending_error,
    });
    // A leading `---` produces an empty first chunk; keep indexes stable by
    // dropping it only when it is blank.
    if chunks.len() > 1 && chunks[0].text.trim().is_empty() && chunks[0].separator_error.is_none() {
        chunks.remove(0);
    }
    chunks
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}...", s.chars().take(n).collect::<String>())
    }
}

/// Parse every document of a file. Errors are per document.
pub fn parse_documents(text: &str, limits: Limits) -> Vec<Result<Document, YamlError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    split_documents(text)
        .into_iter()
        .enumerate()
        .map(|(index, chunk)| {
            if let Some(e) = chunk.separator_error {
                return Err(e);
            }
            let node = parse_one(chunk.text, chunk.start_line - 1, limits)?;
            Ok(Document {
                index,
                start_line: chunk.start_line,
                node,
                helm_source: helm_source(chunk.text),
            })
        })
        .collect()
}

/// `# Source: chart/templates/x.yaml`, as `helm template` writes it.
fn helm_source(text: &str) -> Option<String> {
    for line in text.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("# Source:") {
            return Some(rest.trim().to_string());
        }
        if !t.is_empty() && !t.starts_with('#') {
            break;
        }
    }
    None
}

enum Frame {
    Seq {
        items: Vec<Node>,
        pos: Pos,
        anchor: usize,
    },
    Map {
        entries: Vec<Entry>,
        pos: Pos,
        anchor: usize,
        key: Option<(String, Pos)>,
        merges: Vec<Node>,
    },
}

struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    root: Option<Node>,
    nodes: usize,
    limits: Limits,
}

fn pos_of(span: &Span, line_offset: u32) -> Pos {
    Pos::new(span.start.line() as u32 + line_offset, span.start.col() as u32 + 1)
}

/// saphyr's message for a tab in a line's leading whitespace.
const TAB_INDENT: &str = "tabs disallowed within this context (block indentation)";

/// Parse one document like go-yaml v2 would. go-yaml skips tabs anywhere
/// inside a flow collection (`[...]`, `{...}`), also at the start of a line,
/// where YAML 1.2 and saphyr want space indentation first. Such a line is
/// retried with its leading tabs read as spaces: one byte and one column
/// each, so every position stays as written.
fn parse_one(text: &str, line_offset: u32, limits: Limits) -> Result<Option<Node>, YamlError> {
    let mut owned: Option<String> = None;
    // A bound on retries keeps hostile input linear enough.
    for _ in 0..256 {
        let current = owned.as_deref().unwrap_or(text);
        match parse_events(current, line_offset, limits) {
            Ok(node) => return Ok(node),
            Err(e) => {
                let line = (e.line - line_offset) as usize;
                if e.message == QUOTED_INDENT {
                    let Some(fixed) = indent_quoted_continuations(current, line, e.col as usize) else {
                        return Err(e);
                    };
                    owned = Some(fixed);
                    continue;
                }
                if e.message != TAB_INDENT || !in_flow_at(current, line) {
                    return Err(e);
                }
                let Some(fixed) = leading_tabs_as_spaces(current, line) else {
                    return Err(e);
                };
                owned = Some(fixed);
            }
        }
    }
    parse_events(owned.as_deref().unwrap_or(text), line_offset, limits)
}

/// saphyr's message for a continuation line of a quoted scalar indented no
/// more than its block (`config: '{` ... `  }'` at the key's column).
const QUOTED_INDENT: &str = "invalid indentation in quoted scalar";

/// go-yaml does not check the indentation of a quoted scalar's
/// continuation lines (only a document marker ends it). Their leading
/// whitespace is folded away, so indenting them one column deeper than the
/// line the scalar starts on changes no value; columns on those lines move.
/// The scalar starts at `line`, `col` (1-based, its quote).
fn indent_quoted_continuations(text: &str, line: usize, col: usize) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let first = lines.get(line.checked_sub(1)?)?;
    let quote_at = first.char_indices().nth(col.checked_sub(1)?).map(|(i, _)| i)?;
    let quote = first[quote_at..].chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let need = first.len() - first.trim_start_matches(' ').len() + 1;
    let mut out: String = lines[..line - 1].concat();
    let mut rest = &first[quote_at + 1..];
    out.push_str(&first[..quote_at + 1]);
    let mut i = line;
    let mut changed = false;
    loop {
        // Find the closing quote on this line ('' and \" are escapes).
        let bytes = rest.as_bytes();
        let mut k = 0;
        let mut closed = false;
        while k < bytes.len() {
            let b = bytes[k];
            if quote == '"' && b == b'\\' {
                k += 2;
                continue;
            }
            if b == quote as u8 {
                if quote == '\'' && bytes.get(k + 1) == Some(&b'\'') {
                    k += 2;
                    continue;
                }
                closed = true;
                break;
            }
            k += 1;
        }
        out.push_str(rest);
        if closed {
            break;
        }
        let next = lines.get(i)?;
        i += 1;
        let ws = next.len() - next.trim_start_matches(' ').len();
        if ws < need && !next.trim().is_empty() {
            out.extend(std::iter::repeat_n(' ', need - ws));
            changed = true;
        }
        rest = next;
    }
    out.push_str(&lines[i..].concat());
    changed.then_some(out)
}

/// `text` with the tabs of line `line` (1-based)'s leading whitespace
/// replaced by spaces; `None` when that whitespace has no tab.
fn leading_tabs_as_spaces(text: &str, line: usize) -> Option<String> {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.checked_sub(1)?)
        .map(str::len)
        .sum();
    let rest = text.get(start..)?;
    let ws = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    if !rest[..ws].contains('\t') {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..start]);
    out.extend(rest[..ws].chars().map(|_| ' '));
    out.push_str(&rest[ws..]);
    Some(out)
}

/// Whether line `line` (1-based) starts inside a flow collection. saphyr's
/// scanner reads ahead, so the failed parse has not yet reported the
/// collection: parse the lines before it and see what is left open.
fn in_flow_at(text: &str, line: usize) -> bool {
    let mut starts = vec![0];
    starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    let Some(&end) = starts.get(line.saturating_sub(1)) else {
        return false;
    };
    let prefix = &text[..end];
    let mut open: Vec<bool> = Vec::new();
    for ev in Parser::new_from_str(prefix) {
        let Ok((ev, span)) = ev else { break };
        match ev {
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                let first = starts
                    .get(span.start.line().saturating_sub(1))
                    .and_then(|&s| prefix.get(s..))
                    .and_then(|l| l.chars().nth(span.start.col()));
                open.push(matches!(first, Some('[' | '{')));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                open.pop();
            }
            _ => {}
        }
    }
    open.last() == Some(&true)
}

fn parse_events(text: &str, line_offset: u32, limits: Limits) -> Result<Option<Node>, YamlError> {
    let mut parser = Parser::new_from_str(text);
    let mut b = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
        nodes: 0,
        limits,
    };
    let mut docs = 0;
    while let Some(ev) = parser.next_event() {
        let (ev, span) = match ev {
            Ok(ok) => ok,
            Err(e) => {
                let e = YamlError {
                    line: e.marker().line() as u32 + line_offset,
                    col: e.marker().col() as u32 + 1,
                    message: e.info().to_string(),
                };
                return Err(e);
            }
        };
        let pos = pos_of(&span, line_offset);
        match ev {
            Event::StreamStart | Event::StreamEnd | Event::Nothing | Event::DocumentEnd => {}
            Event::DocumentStart(_) => {
                docs += 1;
                if docs > 1 {
                    // kubectl converts only the first document of a chunk.
                    break;
                }
            }
            Event::Alias(id) => {
                let node = match b.anchors.get(&id) {
                    Some(n) => n.clone(),
                    None => return Err(err(pos, "alias refers to an unknown anchor")),
                };
                b.count(node.size(), pos)?;
                b.push(node, pos)?;
            }
            Event::Scalar(text, style, anchor, tag) => {
                b.count(1, pos)?;
                let node = Node::new(resolve(&text, style, tag.as_deref()), pos);
                if anchor > 0 {
                    b.anchors.insert(anchor, node.clone());
                }
                b.push(node, pos)?;
            }
            Event::SequenceStart(anchor, _) => {
                b.count(1, pos)?;
                b.open(
                    Frame::Seq {
                        items: Vec::new(),
                        pos,
                        anchor,
                    },
                    pos,
                )?;
            }
            Event::MappingStart(anchor, _) => {
                b.count(1, pos)?;
                b.open(
                    Frame::Map {
                        entries: Vec::new(),
                        pos,
                        anchor,
                        key: None,
                        merges: Vec::new(),
                    },
                    pos,
                )?;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let frame = b.stack.pop().ok_or_else(|| err(pos, "unbalanced collection end"))?;
                let (node, anchor) = match frame {
                    Frame::Seq { items, pos, anchor } => (Node::new(Value::Seq(items), pos), anchor),
                    Frame::Map {
                        mut entries,
                        pos,
                        anchor,
                        merges,
                        ..
                    } => {
                        apply_merges(&mut entries, merges, pos)?;
                        (Node::new(Value::Map(entries), pos), anchor)
                    }
                };
                if anchor > 0 {
                    b.anchors.insert(anchor, node.clone());
                }
                b.push(node, pos)?;
            }
        }
    }
    Ok(b.root)
}

fn err(pos: Pos, msg: &str) -> YamlError {
    YamlError {
        line: pos.line,
        col: pos.col,
        message: msg.to_string(),
    }
}

impl Builder {
    fn count(&mut self, n: usize, pos: Pos) -> Result<(), YamlError> {
        self.nodes += n;
        if self.nodes > self.limits.max_nodes {
            return Err(err(
                pos,
                &format!(
                    "document expands to more than {} values (aliases multiply them): refusing to load it",
                    self.limits.max_nodes
                ),
            ));
        }
        Ok(())
    }

    fn open(&mut self, frame: Frame, pos: Pos) -> Result<(), YamlError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(err(
                pos,
                &format!(
                    "nesting deeper than {} levels: refusing to load it",
                    self.limits.max_depth
                ),
            ));
        }
        self.stack.push(frame);
        Ok(())
    }

    fn push(&mut self, node: Node, pos: Pos) -> Result<(), YamlError> {
        match self.stack.last_mut() {
            None => {
                self.root = Some(node);
                Ok(())
            }
            Some(Frame::Seq { items, .. }) => {
                items.push(node);
                Ok(())
            }
            Some(Frame::Map {
                entries, key, merges, ..
            }) => match key.take() {
                None => {
                    let k = match &node.value {
                        Value::Str { text, .. } => text.clone(),
                        Value::Int(i) => i.to_string(),
                        Value::Float(f) => f.to_string(),
                        Value::Bool(b) => b.to_string(),
                        Value::Null => "null".to_string(),
                        Value::Seq(_) | Value::Map(_) => {
                            return Err(err(pos, "a mapping key must be a scalar, not a collection"))
                        }
                    };
                    *key = Some((k, node.pos));
                    Ok(())
                }
                Some((k, key_pos)) => {
                    if k == "<<" {
                        merges.push(node);
                    } else {
                        entries.push(Entry {
                            key: k,
                            key_pos,
                            value: node,
                        });
                    }
                    Ok(())
                }
            },
        }
    }
}

fn apply_merges(entries: &mut Vec<Entry>, merges: Vec<Node>, pos: Pos) -> Result<(), YamlError> {
    for m in merges {
        let sources: Vec<Node> = match m.value {
            Value::Map(_) => vec![m],
            Value::Seq(items) => items,
            _ => return Err(err(pos, "a merge key `<<` needs a mapping or a list of mappings")),
        };
        for src in sources {
            let Value::Map(src_entries) = src.value else {
                return Err(err(pos, "a merge key `<<` needs a mapping or a list of mappings"));
            };
            for e in src_entries {
                if !entries.iter().any(|x| x.key == e.key) {
                    entries.push(e);
                }
            }
        }
    }
    Ok(())
}

/// go-yaml v2's resolution of a scalar.
pub fn resolve(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Value {
    let string = || Value::Str {
        text: text.to_string(),
        plain: style == ScalarStyle::Plain,
    };
    if let Some(tag) = tag {
        if tag.is_yaml_core_schema() {
            match tag.suffix.as_str() {
                "str" | "binary" | "timestamp" => return string(),
                "null" => return Value::Null,
                "bool" | "int" | "float" => return resolve_plain(text).unwrap_or_else(string),
                _ => {}
            }
        }
        // A custom tag (`!Ref`) leaves the value as written.
        return string();
    }
    if style != ScalarStyle::Plain {
        return string();
    }
    resolve_plain(text).unwrap_or_else(string)
}

fn resolve_plain(s: &str) -> Option<Value> {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Some(Value::Bool(true))
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Some(Value::Bool(false))
        }
        "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        ".nan" | ".NaN" | ".NAN" => return Some(Value::Float(f64::NAN)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Some(Value::Float(f64::INFINITY)),
        "-.inf" | "-.Inf" | "-.INF" => return Some(Value::Float(f64::NEG_INFINITY)),
        _ => {}
    }
    let first = s.as_bytes()[0];
    match first {
        b'.' => s.parse::<f64>().ok().filter(|f| f.is_finite()).map(Value::Float),
        b'0'..=b'9' | b'+' | b'-' => {
            if looks_like_timestamp(s) {
                return None;
            }
            let plain: String = s.chars().filter(|&c| c != '_').collect();
            if let Some(i) = parse_go_int(&plain) {
                return Some(Value::Int(i));
            }
            if is_yaml_float(&plain) {
                return plain.parse::<f64>().ok().map(Value::Float);
            }
            None
        }
        _ => None,
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)`: sign, then `0x`, `0o`, `0b` or a
/// leading `0` for octal.
fn parse_go_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() {
        return None;
    }
    let (radix, digits) = if let Some(r) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        (16, r)
    } else if let Some(r) = body.strip_prefix("0o").or_else(|| body.strip_prefix("0O")) {
        (8, r)
    } else if let Some(r) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
        (2, r)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let mag = i128::from_str_radix(digits, radix).ok()?;
    let v = if neg { -mag } else { mag };
    i64::try_from(v).ok()
}

/// go-yaml's float pattern: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// YAML 1.1 timestamps (`2001-12-14`, `2001-12-14t21:59:43.10-05:00`): go-yaml
/// v2 recognises them first and keeps them as strings for untyped decoding.
fn looks_like_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 8
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && s[5..]
            .split(['-', 'T', 't', ' ', ':', '.', '+', 'Z'])
            .all(|p| p.chars().all(|c| c.is_ascii_digit()))
        && s.matches('-').count() >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Node {
        parse_documents(text, Limits::default())
            .into_iter()
            .next()
            .unwrap()
            .unwrap()
            .node
            .unwrap()
    }

    #[test]
    fn yaml11_scalars() {
        let n = one(
            "a: yes\nb: 'yes'\nc: 0777\nd: 1_000\ne: ~\nf: 0x1F\ng: 1.5e3\nh: 2001-12-14\ni: 08\nj: +\nk: .5\nl: On\n",
        );
        let j = n.to_json();
        assert_eq!(j["a"], true);
        assert_eq!(j["b"], "yes");
        assert_eq!(j["c"], 511);
        assert_eq!(j["d"], 1000);
        assert!(j["e"].is_null());
        assert_eq!(j["f"], 31);
        assert_eq!(j["g"], 1500.0);
        assert_eq!(j["h"], "2001-12-14");
        assert_eq!(j["i"], 8.0, "08 is not octal, but matches the float pattern");
        assert_eq!(j["j"], "+");
        assert_eq!(j["k"], 0.5);
        assert_eq!(j["l"], true);
    }

    #[test]
    fn positions_are_one_based() {
        let n = one("# c\napiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n");
        let e = n.entry("metadata").unwrap();
        assert_eq!(e.key_pos, Pos::new(4, 1));
        assert_eq!(e.value.entry("name").unwrap().key_pos, Pos::new(5, 3));
    }

    #[test]
    fn documents_split_like_kubectl() {
        let docs = parse_documents(
            "a: 1\n---\n# only a comment\n--- # trailing comment ok\nb: 2\n---\n",
            Limits::default(),
        );
        assert_eq!(docs.len(), 4);
        let d: Vec<_> = docs.into_iter().map(Result::unwrap).collect();
        assert!(d[1].node.is_none());
        assert_eq!(d[2].start_line, 5);
        assert_eq!(d[2].node.as_ref().unwrap().entry("b").unwrap().key_pos.line, 5);
        assert!(d[3].node.is_none());
    }

    #[test]
    fn separator_with_content_is_an_error() {
        let docs = parse_documents("a: 1\n--- b: 2\n", Limits::default());
        assert!(docs[1].as_ref().unwrap_err().message.contains("document separator"));
    }

    #[test]
    fn one_bad_document_does_not_spoil_the_rest() {
        let docs = parse_documents("a: [1\n---\nb: 2\n", Limits::default());
        assert!(docs[0].is_err());
        assert_eq!(docs[1].as_ref().unwrap().node.as_ref().unwrap().to_json()["b"], 2);
    }

    #[test]
    fn tabs_starting_a_line_inside_flow_collections_are_whitespace_like_go_yaml() {
        // From a real Deployment: a tab before the spaces of a flow item.
        let text =
            "spec:\n  args:\n    [\n      \"-jar\",\n\t      \"-Dlisten=8080\",\n      \"app.jar\",\n    ]\nafter: 1\n";
        let n = one(text);
        let args = n.entry("spec").unwrap().value.entry("args").unwrap();
        let Value::Seq(items) = &args.value.value else {
            panic!("not a list: {args:?}")
        };
        let texts: Vec<_> = items.iter().map(|i| i.as_str().unwrap().to_string()).collect();
        assert_eq!(texts, ["-jar", "-Dlisten=8080", "app.jar"]);
        // Positions are those of the text as written.
        assert_eq!(items[1].pos, Pos::new(5, 8));
        assert_eq!(n.entry("after").unwrap().key_pos, Pos::new(8, 1));
        // In a flow mapping too, and in several lines.
        let m = one("a: {x: 1,\n\t\ty: 2,\n\t z: 3}\n");
        assert!(m.entry("a").unwrap().value.entry("z").is_some());
    }

    #[test]
    fn quoted_scalar_continuations_at_the_block_indentation_are_read_like_go_yaml() {
        // From a NetworkAttachmentDefinition: the closing `}'` sits at the
        // column of its key, which YAML 1.2 refuses and go-yaml reads.
        let n = one("spec:\n  config: '{\n    \"a\": 1,\n  \"b\": \"it''s\"\n  }'\n  after: 1\n");
        let spec = &n.entry("spec").unwrap().value;
        assert_eq!(
            spec.entry("config").unwrap().value.as_str(),
            Some("{ \"a\": 1, \"b\": \"it's\" }")
        );
        assert_eq!(spec.entry("after").unwrap().key_pos, Pos::new(6, 3));
        let d = one("a: \"x\n y\"\nb: 2\n");
        assert_eq!(d.entry("a").unwrap().value.as_str(), Some("x y"));
    }

    #[test]
    fn tabs_as_block_indentation_stay_errors() {
        // go-yaml refuses these too ("found character that cannot start any token").
        let docs = parse_documents("a:\n\tb: 1\n", Limits::default());
        let e = docs.into_iter().next().unwrap().unwrap_err();
        assert_eq!((e.line, e.col), (2, 2));
        assert!(e.message.contains("tabs"), "{}", e.message);
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut s = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let names: Vec<char> = "bcdefghijk".chars().collect();
        let mut prev = 'a';
        for c in &names {
            s.push_str(&format!("{c}: &{c} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
            prev = *c;
        }
        let e = parse_documents(&s, Limits::default()).remove(0).unwrap_err();
        assert!(e.message.contains("aliases"), "{e}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let s = "[".repeat(10_000);
        let e = parse_documents(&s, Limits::default()).remove(0).unwrap_err();
        assert!(e.message.contains("nesting") || e.message.contains("recursion"), "{e}");
    }

    #[test]
    fn merge_keys_and_helm_source() {
        let docs = parse_documents(
            "---\n# Source: chart/templates/a.yaml\nbase: &b {x: 1, z: 2}\nm:\n  <<: *b\n  z: 3\ny: key\n",
            Limits::default(),
        );
        let d = docs[0].as_ref().unwrap();
        assert_eq!(d.helm_source.as_deref(), Some("chart/templates/a.yaml"));
        assert_eq!(
            d.node.as_ref().unwrap().to_json()["m"],
            serde_json::json!({"z": 3, "x": 1})
        );
        // go-yaml v2 resolves a plain `y` key to the boolean true, so the
        // API server sees the key "true".
        assert_eq!(d.node.as_ref().unwrap().to_json()["true"], "key");
    }
}
