//! OCI image layouts on disk (image-spec `image-layout.md`): an
//! `oci-layout` file, `index.json` listing manifests (a tag is the entry's
//! `org.opencontainers.image.ref.name` annotation), and content-addressed
//! blobs under `blobs/sha256/`. Blobs are written to a temporary file and
//! renamed; `index.json` is replaced the same way, last, so a signature
//! appears whole or not at all.

use crate::digest::Digest;
use crate::store::{check_manifest, Fetched, Store};
use crate::{media, Error, Result};
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};

pub const REF_NAME: &str = "org.opencontainers.image.ref.name";

pub struct Layout {
    dir: PathBuf,
    tag: Option<String>,
}

impl Layout {
    /// Open an existing layout; `tag` selects the image (None: the only one).
    pub fn open(dir: &Path, tag: Option<String>) -> Result<Layout> {
        let marker = dir.join("oci-layout");
        let text = std::fs::read_to_string(&marker).map_err(|e| {
            Error::Layout(format!(
                "{}: not an OCI image layout ({e})\nhint: oci:DIR names a folder with oci-layout, index.json and blobs/ (skopeo copy ... oci:DIR:TAG makes one)",
                marker.display()
            ))
        })?;
        let v: Value =
            serde_json::from_str(&text).map_err(|e| Error::Layout(format!("{}: not JSON ({e})", marker.display())))?;
        if v.get("imageLayoutVersion").and_then(Value::as_str) != Some("1.0.0") {
            return Err(Error::Layout(format!(
                "{}: imageLayoutVersion must be \"1.0.0\"",
                marker.display()
            )));
        }
        Ok(Layout {
            dir: dir.to_path_buf(),
            tag,
        })
    }

    /// Create an empty layout (for tests and offline work).
    pub fn create(dir: &Path) -> Result<()> {
        let io = |e: std::io::Error| Error::Layout(format!("{}: {e}", dir.display()));
        std::fs::create_dir_all(dir.join("blobs/sha256")).map_err(io)?;
        write_atomic(&dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#)?;
        write_atomic(
            &dir.join("index.json"),
            serde_json::to_string(&json!({"schemaVersion": 2, "mediaType": media::OCI_INDEX, "manifests": []}))
                .unwrap_or_default()
                .as_bytes(),
        )
    }

    fn index_path(&self) -> PathBuf {
        self.dir.join("index.json")
    }

    fn index(&self) -> Result<Value> {
        let p = self.index_path();
        let text = std::fs::read_to_string(&p).map_err(|e| Error::Layout(format!("{}: {e}", p.display())))?;
        let v: Value =
            serde_json::from_str(&text).map_err(|e| Error::Layout(format!("{}: not JSON ({e})", p.display())))?;
        if !v.get("manifests").is_some_and(Value::is_array) {
            return Err(Error::Layout(format!("{}: no `manifests` list", p.display())));
        }
        Ok(v)
    }

    fn entries(&self) -> Result<Vec<Value>> {
        Ok(self.index()?["manifests"].as_array().cloned().unwrap_or_default())
    }

    fn blob_path(&self, d: &Digest) -> PathBuf {
        self.dir.join("blobs/sha256").join(d.hex())
    }

    fn read_entry(&self, entry: &Value, what: &str) -> Result<Fetched> {
        let digest = entry
            .get("digest")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::Layout(format!("{}: an entry has no digest", self.index_path().display())))
            .and_then(|d| {
                Digest::parse(d).map_err(|e| Error::Layout(format!("{}: {e}", self.index_path().display())))
            })?;
        let media_type = entry.get("mediaType").and_then(Value::as_str).unwrap_or("").to_string();
        let bytes = self.blob(&digest)?;
        check_manifest(&bytes, &media_type, what)?;
        Ok(Fetched {
            bytes,
            media_type,
            digest,
        })
    }

    /// Write a blob (content-addressed; an existing one is kept).
    pub fn put_blob(&self, bytes: &[u8]) -> Result<Digest> {
        let d = Digest::of(bytes);
        let p = self.blob_path(&d);
        if !p.exists() {
            write_atomic(&p, bytes)?;
        }
        Ok(d)
    }

    /// Point `tag` at the manifest `digest` (replacing an entry of that name).
    pub fn set_tag(&self, tag: &str, digest: &Digest, size: usize, media_type: &str) -> Result<()> {
        let mut index = self.index()?;
        let list = index["manifests"].as_array_mut().expect("checked by index()");
        list.retain(|e| {
            e.get("annotations")
                .and_then(|a| a.get(REF_NAME))
                .and_then(Value::as_str)
                != Some(tag)
        });
        list.push(json!({
            "mediaType": media_type,
            "digest": digest.as_str(),
            "size": size,
            "annotations": {REF_NAME: tag},
        }));
        let text = serde_json::to_vec(&index).map_err(|e| Error::Layout(e.to_string()))?;
        write_atomic(&self.index_path(), &text)
    }
}

fn tag_of(entry: &Value) -> Option<&str> {
    entry
        .get("annotations")
        .and_then(|a| a.get(REF_NAME))
        .and_then(Value::as_str)
}

impl Store for Layout {
    fn resolve(&mut self) -> Result<Fetched> {
        let entries = self.entries()?;
        let shown = self.dir.display().to_string();
        let entry = match &self.tag {
            Some(t) => entries
                .iter()
                .find(|e| tag_of(e) == Some(t.as_str()))
                .ok_or_else(|| Error::Content(format!("oci:{shown}: no image tagged {t:?} in index.json")))?,
            None => {
                let images: Vec<&Value> = entries
                    .iter()
                    .filter(|e| !tag_of(e).is_some_and(|t| t.ends_with(".sig")))
                    .collect();
                match images.as_slice() {
                    [one] => *one,
                    [] => return Err(Error::Content(format!("oci:{shown}: the layout holds no image"))),
                    _ => {
                        return Err(Error::Content(format!(
                            "oci:{shown}: the layout holds {} images\nhint: name one: oci:{shown}:TAG",
                            images.len()
                        )))
                    }
                }
            }
        };
        self.read_entry(entry, &format!("the image manifest in oci:{shown}"))
    }

    fn manifest(&mut self, tag: &str) -> Result<Option<Fetched>> {
        let entries = self.entries()?;
        match entries.iter().find(|e| tag_of(e) == Some(tag)) {
            Some(e) => Ok(Some(self.read_entry(
                e,
                &format!("the manifest tagged {tag} in oci:{}", self.dir.display()),
            )?)),
            None => Ok(None),
        }
    }

    fn blob(&mut self, digest: &Digest) -> Result<Vec<u8>> {
        Layout::blob(self, digest)
    }

    fn publish(&mut self, tag: &str, blobs: &[Vec<u8>], manifest: &[u8], media_type: &str) -> Result<()> {
        for b in blobs {
            self.put_blob(b)?;
        }
        let d = self.put_blob(manifest)?;
        self.set_tag(tag, &d, manifest.len(), media_type)
    }

    fn location(&self) -> String {
        format!("oci:{}", self.dir.display())
    }
}

impl Layout {
    fn blob(&self, digest: &Digest) -> Result<Vec<u8>> {
        let p = self.blob_path(digest);
        let bytes = std::fs::read(&p).map_err(|e| Error::Layout(format!("{}: {e}", p.display())))?;
        if Digest::of(&bytes) != *digest {
            return Err(Error::Content(format!(
                "{}: the blob does not have the digest it is stored under",
                p.display()
            )));
        }
        Ok(bytes)
    }
}

/// Write to a temporary file in the same folder, then rename.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.mamori-tmp-{}", std::process::id()));
    let res = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = res {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::Layout(format!("cannot write {}: {e}", path.display())));
    }
    Ok(())
}
