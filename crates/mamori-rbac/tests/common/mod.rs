//! Test helpers: YAML manifests to `serde_json::Value`s, and locating the
//! shared conformance data (absent on some machines: tests then skip with a
//! note, and the inline fixtures still run).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

/// Every document of a multi-document YAML string.
pub fn yaml_docs(text: &str) -> Vec<Value> {
    serde_yaml_ng::Deserializer::from_str(text)
        .map(|d| Value::deserialize(d).expect("valid YAML"))
        .filter(|v| !v.is_null())
        .collect()
}

/// `/work/shared` (or `$MAMORI_SHARED`), if present.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("MAMORI_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    dir.is_dir().then_some(dir)
}

/// A file under the shared folder, or `None` with a note on stderr.
pub fn shared_file(rel: &str) -> Option<String> {
    let Some(dir) = shared_dir() else {
        eprintln!("note: shared data folder not found; skipping checks on {rel}");
        return None;
    };
    match std::fs::read_to_string(dir.join(rel)) {
        Ok(s) => Some(s),
        Err(e) => {
            eprintln!("note: {rel} not readable ({e}); skipping");
            None
        }
    }
}

/// Documents of several shared files, or `None` if any is missing.
pub fn shared_docs(rels: &[&str]) -> Option<Vec<Value>> {
    let mut out = Vec::new();
    for rel in rels {
        out.extend(yaml_docs(&shared_file(rel)?));
    }
    Some(out)
}
