//! A YAML/JSON value tree that keeps the position of every key and value.

use crate::path::{FieldPath, Seg};
use serde_json::Value as Json;

/// A position in a file: 1-based line and 1-based column (in characters).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    pub fn new(line: u32, col: u32) -> Pos {
        Pos { line, col }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    /// Where the value starts.
    pub pos: Pos,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// `plain` is true when the scalar was written without quotes; such a
    /// string survived YAML 1.1 type resolution (see the loader).
    Str {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_pos: Pos,
    pub value: Node,
}

impl Node {
    pub fn new(value: Value, pos: Pos) -> Node {
        Node { value, pos }
    }

    pub fn null() -> Node {
        Node::new(Value::Null, Pos::default())
    }

    pub fn string(s: impl Into<String>) -> Node {
        Node::new(
            Value::Str {
                text: s.into(),
                plain: false,
            },
            Pos::default(),
        )
    }

    /// The type name used in messages, as Kubernetes' decoder words it.
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "number",
            Value::Str { .. } => "string",
            Value::Seq(_) => "array",
            Value::Map(_) => "object",
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str { text, .. } => Some(text),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self.value {
            Value::Int(i) => Some(i),
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(f as i64),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(v) => Some(v),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(v) => Some(v),
            _ => None,
        }
    }

    /// The entry for `key` in a mapping. Later duplicates win, as in the API
    /// server's JSON decoding.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_map()?.iter().rev().find(|e| e.key == key)
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// A non-null child: `null` means unset in Kubernetes objects.
    pub fn field(&self, key: &str) -> Option<&Node> {
        self.get(key).filter(|n| !n.is_null())
    }

    pub fn str_field(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Node::as_str)
    }

    pub fn at(&self, path: &FieldPath) -> Option<&Node> {
        let mut cur = self;
        for seg in path.segs() {
            cur = match seg {
                Seg::Key(k) => cur.get(k)?,
                Seg::Index(i) => cur.as_seq()?.get(*i)?,
            };
        }
        Some(cur)
    }

    /// Where a finding about `path` should point: the key of the last
    /// segment when it is a mapping key, else the value; for a path that does
    /// not exist, the deepest existing ancestor.
    pub fn locate(&self, path: &FieldPath) -> Pos {
        let mut cur = self;
        let mut pos = self.pos;
        for seg in path.segs() {
            match seg {
                Seg::Key(k) => match cur.entry(k) {
                    Some(e) => {
                        pos = e.key_pos;
                        cur = &e.value;
                    }
                    None => return pos,
                },
                Seg::Index(i) => match cur.as_seq().and_then(|s| s.get(*i)) {
                    Some(n) => {
                        pos = n.pos;
                        cur = n;
                    }
                    None => return pos,
                },
            }
        }
        pos
    }

    /// Remove the value at `path` (a mapping key or a sequence item). Returns
    /// whether something was removed.
    pub fn remove(&mut self, path: &FieldPath) -> bool {
        let segs = path.segs();
        let Some((last, parent)) = segs.split_last() else {
            return false;
        };
        let mut cur = self;
        for seg in parent {
            let next = match (seg, &mut cur.value) {
                (Seg::Key(k), Value::Map(m)) => m.iter_mut().rev().find(|e| &e.key == k).map(|e| &mut e.value),
                (Seg::Index(i), Value::Seq(s)) => s.get_mut(*i),
                _ => None,
            };
            match next {
                Some(n) => cur = n,
                None => return false,
            }
        }
        match (last, &mut cur.value) {
            (Seg::Key(k), Value::Map(m)) => {
                let before = m.len();
                m.retain(|e| &e.key != k);
                m.len() != before
            }
            (Seg::Index(i), Value::Seq(s)) if *i < s.len() => {
                s.remove(*i);
                true
            }
            _ => false,
        }
    }

    /// Plain JSON, as the API server would see the object after YAML-to-JSON
    /// conversion. Duplicate keys keep the last value.
    pub fn to_json(&self) -> Json {
        match &self.value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => Json::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map(Json::Number).unwrap_or(Json::Null),
            Value::Str { text, .. } => Json::String(text.clone()),
            Value::Seq(items) => Json::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => {
                let mut m = serde_json::Map::with_capacity(entries.len());
                for e in entries {
                    m.insert(e.key.clone(), e.value.to_json());
                }
                Json::Object(m)
            }
        }
    }

    /// Build a node (without positions) from JSON, e.g. for generated objects.
    pub fn from_json(v: &Json) -> Node {
        let value = match v {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(0.0)),
            },
            Json::String(s) => Value::Str {
                text: s.clone(),
                plain: false,
            },
            Json::Array(a) => Value::Seq(a.iter().map(Node::from_json).collect()),
            Json::Object(o) => Value::Map(
                o.iter()
                    .map(|(k, v)| Entry {
                        key: k.clone(),
                        key_pos: Pos::default(),
                        value: Node::from_json(v),
                    })
                    .collect(),
            ),
        };
        Node::new(value, Pos::default())
    }

    /// String-to-string map (labels, annotations, selectors); non-string
    /// values are skipped, since the schema check reports them.
    pub fn string_map(&self) -> Vec<(String, String)> {
        self.as_map()
            .map(|m| {
                m.iter()
                    .filter_map(|e| e.value.as_str().map(|v| (e.key.clone(), v.to_string())))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Count of nodes in the tree, for limits and statistics.
    pub fn size(&self) -> usize {
        1 + match &self.value {
            Value::Seq(s) => s.iter().map(Node::size).sum(),
            Value::Map(m) => m.iter().map(|e| e.value.size()).sum(),
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Node {
        Node::from_json(&serde_json::json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}]}}))
    }

    #[test]
    fn path_lookup_and_removal() {
        let mut n = sample();
        let p = FieldPath::parse("spec.containers[1].name").unwrap();
        assert_eq!(n.at(&p).and_then(Node::as_str), Some("b"));
        assert!(n.remove(&p));
        assert!(n.at(&p).is_none());
        assert!(!n.remove(&p));
        assert_eq!(
            n.to_json(),
            serde_json::json!({"spec": {"containers": [{"name": "a"}, {}]}})
        );
    }

    #[test]
    fn duplicate_keys_last_wins() {
        let n = Node::new(
            Value::Map(vec![
                Entry {
                    key: "a".into(),
                    key_pos: Pos::new(1, 1),
                    value: Node::string("x"),
                },
                Entry {
                    key: "a".into(),
                    key_pos: Pos::new(2, 1),
                    value: Node::string("y"),
                },
            ]),
            Pos::new(1, 1),
        );
        assert_eq!(n.str_field("a"), Some("y"));
        assert_eq!(n.to_json(), serde_json::json!({"a": "y"}));
        assert_eq!(n.locate(&FieldPath::parse("a").unwrap()), Pos::new(2, 1));
    }
}
