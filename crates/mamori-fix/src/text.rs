//! Text edits at exact positions of a YAML file.
//!
//! The loader's tree keeps where every key and value *starts* (1-based line,
//! column in characters), not where it ends. The few facts needed to edit
//! without re-serialising are recovered from the text:
//! - a block mapping or sequence ends at the last line, after its last key or
//!   item, that is indented more than its keys (or dashes), or that is a `- `
//!   item at the keys' indentation (a compact sequence under its last key);
//!   blank and comment lines after it stay where they are;
//! - a flow collection ends at its matching `}` or `]` (quotes and comments
//!   skipped);
//! - a scalar ends at its closing quote, or for a plain scalar at a comment,
//!   the end of the line, or in flow context at `,`, `]` or `}`.
//!
//! Every edit is one operation on freshly parsed text; the caller re-parses
//! between operations, so positions are never stale. Whatever these rules
//! get wrong, the caller's verification (re-parse, compare objects) catches.

use mamori_model::{Entry, FieldPath, Node, Seg, Value};
use mamori_source::yaml::{parse_documents, Limits};

/// A value to write.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Bool(bool),
    Int(i64),
    Str(String),
    Seq(Vec<Val>),
    Map(Vec<(String, Val)>),
}

impl Val {
    pub fn str(s: &str) -> Val {
        Val::Str(s.to_string())
    }

    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Val::Bool(b) => (*b).into(),
            Val::Int(i) => (*i).into(),
            Val::Str(s) => s.clone().into(),
            Val::Seq(v) => v.iter().map(Val::to_json).collect(),
            Val::Map(m) => serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
        }
    }

    fn is_collection(&self) -> bool {
        match self {
            Val::Seq(v) => !v.is_empty(),
            Val::Map(m) => !m.is_empty(),
            _ => false,
        }
    }

    /// `keys[0]: {keys[1]: ... value}` as one value for `keys[0]`.
    fn nest(keys: &[String], value: Val) -> Val {
        keys.iter().rev().fold(value, |acc, k| Val::Map(vec![(k.clone(), acc)]))
    }
}

/// How the file writes nested blocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    /// Spaces per nesting level of mappings.
    pub step: usize,
    /// Spaces between a key and the dashes of its block sequence (0: `- ` at
    /// the key's indentation).
    pub seq_indent: usize,
    pub newline: &'static str,
}

impl Style {
    /// Learn the style from the file: the first nested block mapping gives the
    /// step, the first block sequence under a key gives the dash indentation.
    pub fn detect(text: &str) -> Style {
        let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
        // Counts of each step (1..8) between a key and its nested keys: the
        // most common one wins, ties to the smaller.
        let mut steps = [0usize; 9];
        let mut seq = None;
        let doc = Text::new(text);
        for d in parse_documents(text, Limits::default()).into_iter().flatten() {
            if let Some(n) = &d.node {
                learn(&doc, n, &mut steps, &mut seq);
            }
        }
        let step = (1..9)
            .rev()
            .max_by_key(|&i| steps[i])
            .filter(|&i| steps[i] > 0)
            .unwrap_or(2);
        Style {
            step,
            seq_indent: seq.unwrap_or(step),
            newline,
        }
    }
}

fn learn(t: &Text, n: &Node, steps: &mut [usize; 9], seq: &mut Option<usize>) {
    match &n.value {
        Value::Map(entries) => {
            for e in entries {
                if t.char_at(e.value.pos) == Some('{') || t.char_at(e.value.pos) == Some('[') {
                    continue;
                }
                match &e.value.value {
                    Value::Map(inner) => {
                        if let Some(f) = inner.first() {
                            if f.key_pos.line > e.key_pos.line && f.key_pos.col > e.key_pos.col {
                                let d = ((f.key_pos.col - e.key_pos.col) as usize).min(steps.len() - 1);
                                steps[d] += 1;
                            }
                        }
                    }
                    Value::Seq(items) if seq.is_none() => {
                        if let Some(first) = items.first() {
                            if let Some(dash) = t.dash_before(first.pos) {
                                if first.pos.line > e.key_pos.line && dash + 1 >= e.key_pos.col as usize {
                                    *seq = Some(dash + 1 - e.key_pos.col as usize);
                                }
                            }
                        }
                    }
                    _ => {}
                }
                learn(t, &e.value, steps, seq);
            }
        }
        Value::Seq(items) => items.iter().for_each(|i| learn(t, i, steps, seq)),
        _ => {}
    }
}

/// A file's text with a line index.
pub struct Text<'a> {
    pub s: &'a str,
    starts: Vec<usize>,
}

impl<'a> Text<'a> {
    pub fn new(s: &'a str) -> Text<'a> {
        let mut starts = vec![0];
        starts.extend(s.match_indices('\n').map(|(i, _)| i + 1));
        Text { s, starts }
    }

    fn lines(&self) -> usize {
        self.starts.len()
    }

    /// Line `l` (1-based) without its line break.
    fn line(&self, l: usize) -> &'a str {
        let Some(&start) = self.starts.get(l.wrapping_sub(1)) else {
            return "";
        };
        let end = self.starts.get(l).map(|e| e - 1).unwrap_or(self.s.len());
        self.s[start..end].strip_suffix('\r').unwrap_or(&self.s[start..end])
    }

    /// Byte offset just past line `l` and its line break.
    fn line_end(&self, l: usize) -> usize {
        self.starts.get(l).copied().unwrap_or(self.s.len())
    }

    /// Byte offset of a position, if it is inside the text.
    pub fn offset(&self, line: u32, col: u32) -> Option<usize> {
        let start = *self.starts.get((line as usize).checked_sub(1)?)?;
        let text = self.line(line as usize);
        let skip = (col as usize).checked_sub(1)?;
        if skip == 0 {
            return Some(start);
        }
        let mut it = text.char_indices().skip(skip);
        match it.next() {
            Some((i, _)) => Some(start + i),
            None if text.chars().count() == skip => Some(start + text.len()),
            None => None,
        }
    }

    fn char_at(&self, pos: mamori_model::Pos) -> Option<char> {
        let o = self.offset(pos.line, pos.col)?;
        self.s[o..].chars().next()
    }

    /// 0-based column (in bytes, the line's prefix being ASCII) of the `-`
    /// that introduces the item starting at `pos`, if it is on the same line.
    fn dash_before(&self, pos: mamori_model::Pos) -> Option<usize> {
        let line = self.line(pos.line as usize);
        let at = self.offset(pos.line, pos.col)? - self.starts[pos.line as usize - 1];
        let before = line.get(..at)?;
        let trimmed = before.trim_end_matches(' ');
        let dash = trimmed.strip_suffix('-')?;
        if dash.len() < trimmed.len() && (dash.is_empty() || dash.ends_with(' ')) && trimmed.len() < before.len() {
            Some(dash.len())
        } else {
            None
        }
    }

    /// Last line of a block whose keys (or dashes) sit at indentation `n`,
    /// starting from line `from`, which belongs to it.
    fn block_end(&self, from: usize, n: usize) -> usize {
        let mut last = from;
        for l in from + 1..=self.lines() {
            let s = self.line(l);
            if s.starts_with("---") || s.starts_with("...") {
                break;
            }
            let t = s.trim_start_matches(' ');
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            let ind = s.len() - t.len();
            if ind > n || (ind == n && (t == "-" || t.starts_with("- "))) {
                last = l;
            } else {
                break;
            }
        }
        last
    }

    /// Offset of the `}` or `]` closing the flow collection opened at `open`.
    fn flow_close(&self, open: usize) -> Option<usize> {
        let b = self.s.as_bytes();
        let mut depth = 0usize;
        let mut i = open;
        while i < b.len() {
            match b[i] {
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                b'"' | b'\'' => i = self.quoted_end(i)? - 1,
                b'#' if i > 0 && matches!(b[i - 1], b' ' | b'\t' | b'\n') => {
                    while i < b.len() && b[i] != b'\n' {
                        i += 1;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        None
    }

    /// Offset just past the quoted scalar starting at `start`.
    fn quoted_end(&self, start: usize) -> Option<usize> {
        let b = self.s.as_bytes();
        let q = b[start];
        let mut i = start + 1;
        while i < b.len() {
            if q == b'"' && b[i] == b'\\' {
                i += 2;
                continue;
            }
            if b[i] == q {
                if q == b'\'' && b.get(i + 1) == Some(&b'\'') {
                    i += 2;
                    continue;
                }
                return Some(i + 1);
            }
            i += 1;
        }
        None
    }

    /// Offset just past the scalar starting at `start`.
    fn scalar_end(&self, start: usize, flow: bool) -> Option<usize> {
        let b = self.s.as_bytes();
        match b.get(start)? {
            b'"' | b'\'' => self.quoted_end(start),
            b'|' | b'>' | b'&' | b'*' | b'!' | b'{' | b'[' => None,
            _ => {
                let mut i = start;
                while i < b.len() {
                    let c = b[i];
                    if c == b'\n' || c == b'\r' || (c == b'#' && i > start && b[i - 1] == b' ') {
                        break;
                    }
                    if flow && matches!(c, b',' | b']' | b'}') {
                        break;
                    }
                    if c == b':' && matches!(b.get(i + 1), None | Some(b' ' | b'\n' | b'\r')) {
                        break;
                    }
                    i += 1;
                }
                Some(start + self.s[start..i].trim_end().len())
            }
        }
    }
}

/// One change to make in a document.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// Make `at.keys...` equal to `value`, creating mappings on the way.
    Set {
        at: FieldPath,
        keys: Vec<String>,
        value: Val,
    },
    /// Make the sequence `at.keys...` contain `item`, creating it if absent.
    Append {
        at: FieldPath,
        keys: Vec<String>,
        item: Val,
    },
    /// Move the mapping entry at `from` into the block mapping at `to`.
    Move { from: FieldPath, to: FieldPath },
}

/// The result of one operation: the new text and the paths (relative to
/// the object) whose value it changed.
pub struct Edit {
    pub text: String,
    pub changed: Vec<FieldPath>,
}

struct Ctx<'a> {
    t: Text<'a>,
    style: Style,
}

fn pad(n: usize) -> String {
    " ".repeat(n)
}

fn scalar(v: &Val) -> String {
    match v {
        Val::Bool(b) => b.to_string(),
        Val::Int(i) => i.to_string(),
        Val::Str(s) => {
            let plain = !s.is_empty()
                && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '/')
                && s.chars().all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c))
                && !matches!(
                    s.to_ascii_lowercase().as_str(),
                    "y" | "yes" | "n" | "no" | "on" | "off" | "true" | "false" | "null"
                );
            if plain {
                s.clone()
            } else {
                serde_json::Value::String(s.clone()).to_string()
            }
        }
        Val::Seq(items) => format!("[{}]", items.iter().map(scalar).collect::<Vec<_>>().join(", ")),
        Val::Map(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{}: {}", scalar(&Val::Str(k.clone())), scalar(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

impl Ctx<'_> {
    fn entry(&self, key: &str, v: &Val, n: usize) -> Vec<String> {
        let k = scalar(&Val::Str(key.to_string()));
        if v.is_collection() {
            let mut out = vec![format!("{}{k}:", pad(n))];
            out.extend(self.body(v, n));
            out
        } else {
            vec![format!("{}{k}: {}", pad(n), scalar(v))]
        }
    }

    /// Lines of a non-empty collection that is the value of a key at `n`.
    fn body(&self, v: &Val, n: usize) -> Vec<String> {
        match v {
            Val::Map(m) => m
                .iter()
                .flat_map(|(k, v)| self.entry(k, v, n + self.style.step))
                .collect(),
            Val::Seq(items) => items
                .iter()
                .flat_map(|i| self.item(i, n + self.style.seq_indent))
                .collect(),
            _ => Vec::new(),
        }
    }

    fn item(&self, v: &Val, d: usize) -> Vec<String> {
        match v {
            Val::Map(m) if !m.is_empty() => {
                let mut lines: Vec<String> = m.iter().flat_map(|(k, v)| self.entry(k, v, d + 2)).collect();
                lines[0] = format!("{}- {}", pad(d), &lines[0][d + 2..]);
                lines
            }
            _ => vec![format!("{}- {}", pad(d), scalar(v))],
        }
    }

    fn join(&self, lines: &[String]) -> String {
        let mut s = String::new();
        for l in lines {
            s.push_str(l);
            s.push_str(self.style.newline);
        }
        s
    }

    fn off(&self, pos: mamori_model::Pos) -> Result<usize, String> {
        self.t
            .offset(pos.line, pos.col)
            .ok_or_else(|| format!("line {} column {} is outside the file", pos.line, pos.col))
    }

    fn is_flow(&self, n: &Node) -> bool {
        matches!(self.t.char_at(n.pos), Some('{') | Some('['))
    }

    /// Text after line `l`: `insert` goes on new lines after it.
    fn after_line(&self, l: usize, insert: &str) -> String {
        let at = self.t.line_end(l);
        let mut out = String::with_capacity(self.t.s.len() + insert.len() + 2);
        out.push_str(&self.t.s[..at]);
        if !self.t.s[..at].ends_with('\n') {
            out.push_str(self.style.newline);
        }
        out.push_str(insert);
        out.push_str(&self.t.s[at..]);
        out
    }

    fn splice(&self, from: usize, to: usize, with: &str) -> String {
        format!("{}{}{}", &self.t.s[..from], with, &self.t.s[to..])
    }

    /// Block mapping keys' indentation, checking that the entries are laid out
    /// as written (merged or aliased entries are not).
    fn block_indent(&self, entries: &[Entry]) -> Result<usize, String> {
        let first = entries.first().ok_or("empty block mapping")?;
        let mut line = 0;
        for e in entries {
            if e.key_pos.col != first.key_pos.col || e.key_pos.line <= line {
                return Err(format!(
                    "the mapping at line {} is not laid out key by key (merge keys or aliases?)",
                    first.key_pos.line
                ));
            }
            line = e.key_pos.line;
        }
        Ok((first.key_pos.col as usize).saturating_sub(1))
    }

    /// Add `key: v` to mapping `m`.
    fn insert_into_map(&self, m: &Node, key: &str, v: &Val) -> Result<String, String> {
        let Some(entries) = m.as_map() else {
            return Err("not a mapping".into());
        };
        if self.is_flow(m) {
            let open = self.off(m.pos)?;
            let close = self.t.flow_close(open).ok_or("unclosed flow mapping")?;
            let kv = format!("{}: {}", scalar(&Val::Str(key.to_string())), scalar(v));
            let inner = &self.t.s[open + 1..close];
            let content = inner.trim_end();
            if content.trim().is_empty() {
                return Ok(self.splice(open + 1, close, &kv));
            }
            let at = open + 1 + content.len();
            let sep = if content.ends_with(',') { " " } else { ", " };
            return Ok(self.splice(at, at, &format!("{sep}{kv}")));
        }
        let n = self.block_indent(entries)?;
        let last = entries.last().map(|e| e.key_pos.line as usize).unwrap_or(0);
        let end = self.t.block_end(last, n);
        Ok(self.after_line(end, &self.join(&self.entry(key, v, n))))
    }

    /// Give entry `e` of mapping `m`, whose value is null, the value `v`.
    fn fill_null(&self, m: &Node, e: &Entry, v: &Val) -> Result<String, String> {
        let flow = self.is_flow(m);
        let k = self.off(e.key_pos)?;
        let kend = self.t.scalar_end(k, flow).ok_or("key not found in the text")?;
        let rest = &self.t.s[kend..];
        let colon = kend + rest.find(':').ok_or("no `:` after the key")?;
        if self.t.s[kend..colon].trim() != "" {
            return Err(format!("unexpected text after key {:?}", e.key));
        }
        let vstart = colon + 1;
        let after = &self.t.s[vstart..];
        let lead = after.len() - after.trim_start_matches([' ', '\t']).len();
        let tok_start = vstart + lead;
        let tok_len = ["~", "null", "Null", "NULL"]
            .iter()
            .find(|t| {
                self.t.s[tok_start..].starts_with(**t)
                    && matches!(
                        self.t.s.as_bytes().get(tok_start + t.len()),
                        None | Some(b' ' | b'\t' | b'\r' | b'\n' | b'#' | b',' | b'}')
                    )
            })
            .map(|t| t.len())
            .unwrap_or(0);
        if flow || !v.is_collection() {
            return Ok(self.splice(vstart, tok_start + tok_len, &format!(" {}", scalar(v))));
        }
        let line = e.key_pos.line as usize;
        let n = (e.key_pos.col as usize).saturating_sub(1);
        if self.t.block_end(line, n) != line {
            return Err(format!("key {:?} at line {line} has an unexpected value", e.key));
        }
        let body = self.join(&self.body(v, n));
        // Drop the null token, and the spaces before it when nothing follows;
        // keep a comment.
        let rest = self.t.s[tok_start + tok_len..].trim_start_matches([' ', '\t']);
        let from = if rest.is_empty() || rest.starts_with(['\r', '\n']) {
            vstart
        } else {
            tok_start
        };
        let to = if tok_len == 0 && from == tok_start {
            tok_start
        } else {
            tok_start + tok_len
        };
        let removed = self.splice(from, to, "");
        let t2 = Text::new(&removed);
        let c2 = Ctx {
            t: t2,
            style: self.style,
        };
        Ok(c2.after_line(line, &body))
    }

    fn replace_scalar(&self, m: &Node, node: &Node, v: &Val) -> Result<String, String> {
        let start = self.off(node.pos)?;
        let end = self
            .t
            .scalar_end(start, self.is_flow(m))
            .ok_or_else(|| format!("cannot edit the value at line {}", node.pos.line))?;
        Ok(self.splice(start, end, &scalar(v)))
    }

    fn append(&self, s: &Node, item: &Val) -> Result<String, String> {
        let items = s.as_seq().ok_or("not a sequence")?;
        if self.is_flow(s) {
            let open = self.off(s.pos)?;
            let close = self.t.flow_close(open).ok_or("unclosed flow sequence")?;
            let content = self.t.s[open + 1..close].trim_end();
            if content.trim().is_empty() {
                return Ok(self.splice(open + 1, close, &scalar(item)));
            }
            let at = open + 1 + content.len();
            let sep = if content.ends_with(',') { " " } else { ", " };
            return Ok(self.splice(at, at, &format!("{sep}{}", scalar(item))));
        }
        let first = items.first().ok_or("empty block sequence")?;
        let d = self
            .t
            .dash_before(first.pos)
            .ok_or_else(|| format!("cannot find the `-` of the item at line {}", first.pos.line))?;
        let mut line = 0;
        for i in items {
            if i.pos.line as usize <= line || self.t.dash_before(i.pos) != Some(d) {
                return Err(format!(
                    "the list at line {} is not laid out item by item",
                    first.pos.line
                ));
            }
            line = i.pos.line as usize;
        }
        let end = self.t.block_end(line, d);
        Ok(self.after_line(end, &self.join(&self.item(item, d))))
    }
}

fn child<'n>(n: &'n Node, seg: &Seg) -> Option<&'n Node> {
    match seg {
        Seg::Key(k) => n.get(k),
        Seg::Index(i) => n.as_seq()?.get(*i),
    }
}

fn type_err(path: &FieldPath, n: &Node, want: &str) -> String {
    format!("{path} is {} {}, not {want}", article(n.type_name()), n.type_name())
}

fn article(t: &str) -> &'static str {
    if t.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// Apply `op` to the object at `base` (`items[i]` for a `List` item, else
/// the root) of document `doc` in `text`. `Ok(None)`: nothing to change.
pub fn apply(text: &str, doc: usize, base: &FieldPath, op: &Op, style: Style) -> Result<Option<Edit>, String> {
    let docs = parse_documents(text, Limits::default());
    let root = match docs.get(doc) {
        Some(Ok(d)) => d.node.as_ref().ok_or("empty document")?,
        Some(Err(e)) => return Err(format!("the document does not parse: {e}")),
        None => return Err("document not found".into()),
    };
    let mut obj = root;
    for seg in base.segs() {
        obj = child(obj, seg).ok_or("object not found")?;
    }
    let cx = Ctx {
        t: Text::new(text),
        style,
    };
    match op {
        Op::Set { at, keys, value } => set(&cx, obj, at, keys, value, false),
        Op::Append { at, keys, item } => set(&cx, obj, at, keys, item, true),
        Op::Move { from, to } => move_entry(&cx, obj, from, to),
    }
}

fn set(cx: &Ctx, obj: &Node, at: &FieldPath, keys: &[String], v: &Val, append: bool) -> Result<Option<Edit>, String> {
    let mut node = obj.at(at).ok_or_else(|| format!("{at} not found"))?;
    let mut path = at.clone();
    if node.as_map().is_none() {
        return Err(type_err(at, node, "a mapping"));
    }
    let whole = |v: &Val| if append { Val::Seq(vec![v.clone()]) } else { v.clone() };
    for (i, k) in keys.iter().enumerate() {
        let last = i + 1 == keys.len();
        let here = path.key(k.clone());
        let Some(e) = node.entry(k) else {
            let value = Val::nest(&keys[i + 1..], whole(v));
            let text = cx.insert_into_map(node, k, &value)?;
            return Ok(Some(Edit {
                text,
                changed: vec![here],
            }));
        };
        if e.value.is_null() {
            let value = Val::nest(&keys[i + 1..], whole(v));
            let text = cx.fill_null(node, e, &value)?;
            return Ok(Some(Edit {
                text,
                changed: vec![here],
            }));
        }
        if last {
            if append {
                let items = e.value.as_seq().ok_or_else(|| type_err(&here, &e.value, "a list"))?;
                if items.iter().any(|n| n.to_json() == v.to_json()) {
                    return Ok(None);
                }
                let text = cx.append(&e.value, v)?;
                return Ok(Some(Edit {
                    text,
                    changed: vec![here],
                }));
            }
            if e.value.to_json() == v.to_json() {
                return Ok(None);
            }
            if matches!(e.value.value, Value::Map(_) | Value::Seq(_)) {
                return Err(type_err(&here, &e.value, "a scalar"));
            }
            let text = cx.replace_scalar(node, &e.value, v)?;
            return Ok(Some(Edit {
                text,
                changed: vec![here],
            }));
        }
        if e.value.as_map().is_none() {
            return Err(type_err(&here, &e.value, "a mapping"));
        }
        node = &e.value;
        path = here;
    }
    Ok(None)
}

fn move_entry(cx: &Ctx, obj: &Node, from: &FieldPath, to: &FieldPath) -> Result<Option<Edit>, String> {
    let (Some(parent_path), Some(key)) = (from.parent(), from.last_key()) else {
        return Err(format!("cannot move {from}"));
    };
    let parent = obj.at(&parent_path).ok_or_else(|| format!("{parent_path} not found"))?;
    let target = obj.at(to).ok_or_else(|| format!("{to} not found"))?;
    let Some(e) = parent.entry(key) else { return Ok(None) };
    if target.get(key).is_some() {
        return Err(format!("{to} already has {key:?}: not moving {from}"));
    }
    if cx.is_flow(parent) || cx.is_flow(target) || target.as_map().is_none_or(|m| m.is_empty()) {
        return Err(format!("{from} or {to} is not a block mapping with entries"));
    }
    let t_entries = target.as_map().unwrap_or_default();
    let nt = cx.block_indent(t_entries)?;
    let ne = (e.key_pos.col as usize).saturating_sub(1);
    let es = e.key_pos.line as usize;
    let line = cx.t.line(es);
    if line.len() - line.trim_start_matches(' ').len() != ne {
        return Err(format!("{from} does not start its line ({es})"));
    }
    let ee = cx.t.block_end(es, ne);
    let t_last = t_entries.last().map(|x| x.key_pos.line as usize).unwrap_or(0);
    let tend = cx.t.block_end(t_last, nt);
    if (es..=ee).contains(&tend) || (t_last >= es && t_last <= ee) {
        return Err(format!("{from} and {to} overlap"));
    }
    let nl = cx.style.newline;
    let mut moved = String::new();
    for l in es..=ee {
        let s = cx.t.line(l);
        if s.trim().is_empty() {
            moved.push_str(s);
        } else if nt >= ne {
            moved.push_str(&pad(nt - ne));
            moved.push_str(s);
        } else {
            let cut = ne - nt;
            if !s.starts_with(&pad(cut)) {
                return Err(format!("line {l} is indented less than {from}"));
            }
            moved.push_str(&s[cut..]);
        }
        moved.push_str(nl);
    }
    let s = cx.t.s;
    let range = |a: usize, b: usize| -> &str {
        // Lines a..=b (1-based) with their line breaks; empty when a > b.
        if a > b || a == 0 {
            ""
        } else {
            &s[cx.t.starts[a - 1]..cx.t.line_end(b)]
        }
    };
    let with_nl = |x: &str| {
        if x.is_empty() || x.ends_with('\n') {
            x.to_string()
        } else {
            format!("{x}{nl}")
        }
    };
    let total = cx.t.lines();
    let text = if es > tend {
        format!(
            "{}{}{}{}",
            with_nl(range(1, tend)),
            moved,
            range(tend + 1, es - 1),
            range(ee + 1, total)
        )
    } else {
        format!(
            "{}{}{}{}",
            range(1, es - 1),
            with_nl(range(ee + 1, tend)),
            moved,
            range(tend + 1, total)
        )
    };
    Ok(Some(Edit {
        text,
        changed: vec![from.clone(), to.key(key)],
    }))
}
