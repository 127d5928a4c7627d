//! Field paths in the notation Kubernetes uses in its error messages:
//! `spec.containers[0].securityContext`.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Seg {
    Key(String),
    Index(usize),
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldPath(Vec<Seg>);

impl FieldPath {
    pub fn root() -> FieldPath {
        FieldPath(Vec::new())
    }

    pub fn segs(&self) -> &[Seg] {
        &self.0
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    pub fn key(&self, k: impl Into<String>) -> FieldPath {
        let mut v = self.0.clone();
        v.push(Seg::Key(k.into()));
        FieldPath(v)
    }

    pub fn index(&self, i: usize) -> FieldPath {
        let mut v = self.0.clone();
        v.push(Seg::Index(i));
        FieldPath(v)
    }

    pub fn push_key(&mut self, k: impl Into<String>) {
        self.0.push(Seg::Key(k.into()));
    }

    pub fn push_index(&mut self, i: usize) {
        self.0.push(Seg::Index(i));
    }

    pub fn pop(&mut self) -> Option<Seg> {
        self.0.pop()
    }

    pub fn parent(&self) -> Option<FieldPath> {
        if self.0.is_empty() {
            None
        } else {
            Some(FieldPath(self.0[..self.0.len() - 1].to_vec()))
        }
    }

    pub fn last_key(&self) -> Option<&str> {
        match self.0.last() {
            Some(Seg::Key(k)) => Some(k),
            _ => None,
        }
    }

    pub fn starts_with(&self, other: &FieldPath) -> bool {
        self.0.starts_with(&other.0)
    }

    pub fn join(&self, other: &FieldPath) -> FieldPath {
        let mut v = self.0.clone();
        v.extend(other.0.iter().cloned());
        FieldPath(v)
    }

    /// Parse `a.b[0].c`. Keys containing dots or brackets are written as
    /// `a["x.y/z"]`, like upstream's field paths for map keys.
    pub fn parse(s: &str) -> Option<FieldPath> {
        let mut segs = Vec::new();
        let bytes = s.as_bytes();
        let mut i = 0;
        let mut key = String::new();
        while i < bytes.len() {
            match bytes[i] {
                b'.' => {
                    if !key.is_empty() {
                        segs.push(Seg::Key(std::mem::take(&mut key)));
                    }
                    i += 1;
                }
                b'[' => {
                    if !key.is_empty() {
                        segs.push(Seg::Key(std::mem::take(&mut key)));
                    }
                    let end = s[i..].find(']')? + i;
                    let inner = &s[i + 1..end];
                    if let Some(q) = inner.strip_prefix('"').and_then(|x| x.strip_suffix('"')) {
                        segs.push(Seg::Key(q.to_string()));
                    } else {
                        segs.push(Seg::Index(inner.parse().ok()?));
                    }
                    i = end + 1;
                }
                _ => {
                    let ch = s[i..].chars().next()?;
                    key.push(ch);
                    i += ch.len_utf8();
                }
            }
        }
        if !key.is_empty() {
            segs.push(Seg::Key(key));
        }
        Some(FieldPath(segs))
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for seg in &self.0 {
            match seg {
                Seg::Key(k) if k.contains(['.', '[', ']', '/']) || k.is_empty() => write!(f, "[{k:?}]")?,
                Seg::Key(k) => {
                    if !first {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                Seg::Index(i) => write!(f, "[{i}]")?,
            }
            first = false;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for s in [
            "spec.containers[0].securityContext",
            "metadata.labels[\"app.kubernetes.io/name\"]",
            "a",
            "",
        ] {
            assert_eq!(FieldPath::parse(s).unwrap().to_string(), s);
        }
        let p = FieldPath::root()
            .key("spec")
            .key("egress")
            .index(0)
            .key("to")
            .index(0)
            .key("ports");
        assert_eq!(p.to_string(), "spec.egress[0].to[0].ports");
        assert_eq!(p.parent().unwrap().to_string(), "spec.egress[0].to[0]");
    }
}
