//! Where manifests and blobs are read and written: a registry or a layout.

use crate::digest::Digest;
use crate::reference::Target;
use crate::{layout, media, registry, Error, Result};
use std::path::PathBuf;

/// A manifest as fetched: its bytes, media type and computed digest.
#[derive(Clone, Debug)]
pub struct Fetched {
    pub bytes: Vec<u8>,
    pub media_type: String,
    pub digest: Digest,
}

/// The operations signing and verification need.
pub trait Store {
    /// The image's own manifest, by the tag or digest the target names.
    fn resolve(&mut self) -> Result<Fetched>;
    /// A manifest by tag in the image's repository; `None` when absent.
    fn manifest(&mut self, tag: &str) -> Result<Option<Fetched>>;
    /// A blob of the image's repository, checked against its digest.
    fn blob(&mut self, digest: &Digest) -> Result<Vec<u8>>;
    /// Store `blobs`, then write `manifest` under `tag`: whole or not at all.
    fn publish(&mut self, tag: &str, blobs: &[Vec<u8>], manifest: &[u8], media_type: &str) -> Result<()>;
    /// Where signatures are written, for messages (`localhost:5000/cs-app`).
    fn location(&self) -> String;
}

/// How to reach a store.
#[derive(Clone, Debug, Default)]
pub struct StoreOptions {
    /// Plain HTTP to any registry that does not speak TLS (otherwise only
    /// to loopback hosts). TLS, when spoken, is always verified.
    pub allow_insecure: bool,
    /// A PEM file of CA certificates trusted for registries, besides the
    /// system roots.
    pub ca_cert: Option<PathBuf>,
    /// The Docker config file (default `$DOCKER_CONFIG/config.json`, then
    /// `~/.docker/config.json`).
    pub docker_config: Option<PathBuf>,
}

/// Open the store that holds `target`.
pub fn open(target: &Target, options: &StoreOptions) -> Result<Box<dyn Store>> {
    match target {
        Target::Registry(r) => Ok(Box::new(registry::Client::new(r.clone(), options)?)),
        Target::Layout { dir, tag } => Ok(Box::new(layout::Layout::open(dir, tag.clone())?)),
    }
}

/// Check that `bytes` are the manifest their media type claims: JSON with
/// `schemaVersion` 2 and, when present, a `mediaType` equal to the type it
/// was served as. `what` names it in messages.
pub fn check_manifest(bytes: &[u8], media_type: &str, what: &str) -> Result<serde_json::Value> {
    let v: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| Error::Content(format!("{what} is not a JSON manifest ({e})")))?;
    if !v.is_object() {
        return Err(Error::Content(format!("{what} is not a JSON manifest (not an object)")));
    }
    if v.get("schemaVersion").and_then(|s| s.as_u64()) != Some(2) {
        return Err(Error::Content(format!(
            "{what} is not an OCI or Docker v2 manifest (schemaVersion is not 2)"
        )));
    }
    if let Some(declared) = v.get("mediaType").and_then(|m| m.as_str()) {
        let known = [
            media::OCI_MANIFEST,
            media::OCI_INDEX,
            media::DOCKER_MANIFEST,
            media::DOCKER_LIST,
        ];
        if !known.contains(&declared) {
            return Err(Error::Content(format!("{what} has unsupported mediaType {declared:?}")));
        }
        if !media_type.is_empty() && declared != media_type {
            return Err(Error::Content(format!(
                "{what} was served as {media_type:?} but declares mediaType {declared:?}"
            )));
        }
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_that_are_not_what_they_claim() {
        let oci = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}"#;
        assert!(check_manifest(oci, media::OCI_MANIFEST, "m").is_ok());
        assert!(check_manifest(oci, "", "m").is_ok());
        let e = check_manifest(oci, media::DOCKER_MANIFEST, "m")
            .unwrap_err()
            .to_string();
        assert!(e.contains("served as") && e.contains("declares mediaType"), "{e}");
        let e = check_manifest(br#"{"schemaVersion":1}"#, "", "m")
            .unwrap_err()
            .to_string();
        assert!(e.contains("schemaVersion is not 2"), "{e}");
        let e = check_manifest(br#"{"schemaVersion":2,"mediaType":"text/html"}"#, "", "m").unwrap_err();
        assert!(e.to_string().contains("unsupported mediaType"));
        assert!(check_manifest(b"<html>", "text/html", "m")
            .unwrap_err()
            .to_string()
            .contains("not a JSON manifest"));
        assert!(check_manifest(b"[]", "", "m").is_err());
    }
}
