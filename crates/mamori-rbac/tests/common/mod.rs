//! Test helpers: manifests read by mamori's own loader, and locating the
//! shared conformance data (absent on some machines: tests then skip with a
//! note, and the inline fixtures still run).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use mamori_model::Object;
use mamori_source::load::{load_texts, LoadOptions};

/// Every object of a manifest text, as `mamori scan` loads it (Lists
/// expanded, schema-validated, unknown fields pruned into `stored`).
pub fn objects(path: &str, text: &str) -> Vec<Object> {
    load_texts(&[(path, text)], &LoadOptions::default()).objects
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

/// Objects of several shared files, or `None` if any is missing.
pub fn shared_objects(rels: &[&str]) -> Option<Vec<Object>> {
    let mut out = Vec::new();
    for rel in rels {
        out.extend(objects(rel, &shared_file(rel)?));
    }
    Some(out)
}
