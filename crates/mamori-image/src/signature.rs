//! Signing (append a simple-signing layer to the `.sig` manifest) and
//! verification (every layer checked; the valid payloads returned).

use crate::digest::Digest;
use crate::keys::{PrivateKey, PublicKey};
use crate::payload::Payload;
use crate::reference::Target;
use crate::store::{Fetched, Store};
use crate::{media, Error, Result};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt;

/// What `sign` did.
#[derive(Debug)]
pub struct SignOutcome {
    /// The digest that was signed.
    pub image: Digest,
    /// The payload's docker-reference.
    pub identity: String,
    /// `sha256-HEX.sig`.
    pub signature_tag: String,
    /// Where it was written (`localhost:5000/cs-app`, `oci:DIR`).
    pub location: String,
    /// False when this very signature was already there (nothing written).
    pub added: bool,
    /// Signatures in the manifest now.
    pub signatures: usize,
}

/// What a successful verification found.
#[derive(Debug)]
pub struct Verified {
    pub image: Digest,
    /// The payloads that passed every check, in layer order.
    pub payloads: Vec<Payload>,
}

/// Why verification failed (the image exists and was read).
#[derive(Debug, PartialEq)]
pub enum Rejection {
    /// No `.sig` manifest, or one without simple-signing layers.
    /// `referrers`: the OCI referrers fallback tag (`sha256-HEX`, where
    /// cosign v3 keeps Sigstore bundles) exists.
    NoSignatures {
        image: Digest,
        tag: String,
        referrers: bool,
    },
    /// The `.sig` manifest or one of its layers is not what it claims.
    Malformed { tag: String, why: String },
    /// Signatures exist, none verifies with the key.
    KeyMismatch { checked: usize },
    /// A signature verifies, but its payload names another image.
    DigestMismatch { image: Digest, signed: Vec<String> },
    /// Signatures verify for this image, but not with these annotations.
    Annotations { missing: Vec<String> },
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::NoSignatures { image, tag, referrers } => {
                write!(
                    f,
                    "no signatures found for {image} (no simple-signing signature under the tag {tag})"
                )?;
                if *referrers {
                    write!(
                        f,
                        "\nhint: the image has an OCI referrers index (tag sha256-{}): Sigstore bundles, cosign v3's default, which mamori does not read yet; `cosign sign --new-bundle-format=false --use-signing-config=false` writes the simple-signing layout",
                        image.hex()
                    )?;
                }
                Ok(())
            }
            Rejection::Malformed { tag, why } => write!(f, "malformed signature manifest {tag}: {why}"),
            Rejection::KeyMismatch { checked } => write!(
                f,
                "signature does not match the key: {checked} signature(s) checked, none verifies with this public key"
            ),
            Rejection::DigestMismatch { image, signed } => write!(
                f,
                "payload digest is not this image's digest: the signature is for {}, this image is {image}\nhint: the signature was copied from another image",
                signed.join(", ")
            ),
            Rejection::Annotations { missing } => write!(
                f,
                "the signatures verify, but none carries the annotations {}",
                missing.join(", ")
            ),
        }
    }
}

/// Sign the image `target` names in `store` and publish the signature.
pub fn sign(
    store: &mut dyn Store,
    target: &Target,
    key: &PrivateKey,
    annotations: &BTreeMap<String, String>,
) -> Result<SignOutcome> {
    let image = store.resolve()?.digest;
    let identity = target.identity();
    let payload = Payload::new(&identity, &image, annotations).to_bytes();
    let signature = STANDARD.encode(key.sign(&payload));
    let payload_digest = Digest::of(&payload);
    let tag = image.signature_tag();
    let refuse = |why: String, location: String| {
        Error::Content(format!(
            "malformed signature manifest {tag} in {location}: {why}\nhint: refusing to replace it; delete the tag to start over"
        ))
    };
    let mut layers = match store.manifest(&tag) {
        Ok(Some(existing)) => signature_layers(&existing).map_err(|why| refuse(why, store.location()))?,
        Ok(None) => Vec::new(),
        Err(Error::Content(why)) => return Err(refuse(why, store.location())),
        Err(e) => return Err(e),
    };
    let duplicate = layers.iter().any(|l| {
        l["digest"].as_str() == Some(payload_digest.as_str())
            && l["annotations"][media::SIGNATURE_ANNOTATION].as_str() == Some(signature.as_str())
    });
    if duplicate {
        return Ok(SignOutcome {
            image,
            identity,
            signature_tag: tag,
            location: store.location(),
            added: false,
            signatures: layers.len(),
        });
    }
    layers.push(json!({
        "mediaType": media::SIMPLE_SIGNING,
        "size": payload.len(),
        "digest": payload_digest.as_str(),
        "annotations": {media::SIGNATURE_ANNOTATION: signature},
    }));
    let diff_ids: Vec<&str> = layers.iter().filter_map(|l| l["digest"].as_str()).collect();
    // The config go-containerregistry writes for an image built from
    // `empty.Image` by appending layers.
    let config = serde_json::to_vec(&json!({
        "architecture": "",
        "created": "0001-01-01T00:00:00Z",
        "history": diff_ids.iter().map(|_| json!({"created": "0001-01-01T00:00:00Z"})).collect::<Vec<_>>(),
        "os": "",
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "config": {},
    }))
    .map_err(|e| Error::Content(e.to_string()))?;
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": media::OCI_MANIFEST,
        "config": {"mediaType": media::OCI_CONFIG, "size": config.len(), "digest": Digest::of(&config).as_str()},
        "layers": layers,
    }))
    .map_err(|e| Error::Content(e.to_string()))?;
    let count = layers.len();
    store.publish(&tag, &[payload, config], &manifest, media::OCI_MANIFEST)?;
    Ok(SignOutcome {
        image,
        identity,
        signature_tag: tag,
        location: store.location(),
        added: true,
        signatures: count,
    })
}

/// The layers of a `.sig` manifest, checked for shape.
fn signature_layers(m: &Fetched) -> std::result::Result<Vec<Value>, String> {
    let v: Value = serde_json::from_slice(&m.bytes).map_err(|e| format!("not JSON ({e})"))?;
    if v.get("schemaVersion").and_then(Value::as_u64) != Some(2) {
        return Err("schemaVersion is not 2".into());
    }
    let declared = v
        .get("mediaType")
        .and_then(Value::as_str)
        .unwrap_or(m.media_type.as_str());
    if declared != media::OCI_MANIFEST && declared != media::DOCKER_MANIFEST && !declared.is_empty() {
        return Err(format!("it is a {declared:?}, not an image manifest"));
    }
    let layers = v
        .get("layers")
        .and_then(Value::as_array)
        .ok_or("it has no `layers` list")?;
    for (i, l) in layers.iter().enumerate() {
        let media_type = l.get("mediaType").and_then(Value::as_str);
        let digest = l.get("digest").and_then(Value::as_str);
        if media_type.is_none() || digest.is_none() || !l.get("size").is_some_and(Value::is_u64) {
            return Err(format!("layers[{i}] lacks mediaType, digest or size"));
        }
        Digest::parse(digest.unwrap_or_default()).map_err(|e| format!("layers[{i}].digest: {e}"))?;
    }
    Ok(layers.clone())
}

/// Verify the image's signatures with `key`; `annotations` must all be in
/// a valid payload's `optional`.
pub fn verify(
    store: &mut dyn Store,
    key: &PublicKey,
    annotations: &BTreeMap<String, String>,
) -> Result<std::result::Result<Verified, Rejection>> {
    let image = store.resolve()?.digest;
    let tag = image.signature_tag();
    let manifest = match store.manifest(&tag) {
        Ok(Some(m)) => m,
        Ok(None) => {
            let referrers = has_referrers(store, &image);
            return Ok(Err(Rejection::NoSignatures { image, tag, referrers }));
        }
        Err(Error::Content(why)) => return Ok(Err(Rejection::Malformed { tag, why })),
        Err(e) => return Err(e),
    };
    let layers = match signature_layers(&manifest) {
        Ok(l) => l,
        Err(why) => return Ok(Err(Rejection::Malformed { tag, why })),
    };
    let mut checked = 0;
    let mut signed_for = Vec::new();
    let mut missing = Vec::new();
    let mut payloads = Vec::new();
    for (i, layer) in layers.iter().enumerate() {
        if layer["mediaType"].as_str() != Some(media::SIMPLE_SIGNING) {
            continue;
        }
        checked += 1;
        let Some(sig_b64) = layer["annotations"][media::SIGNATURE_ANNOTATION].as_str() else {
            return Ok(Err(Rejection::Malformed {
                tag,
                why: format!("layers[{i}] has no {} annotation", media::SIGNATURE_ANNOTATION),
            }));
        };
        let Ok(sig) = STANDARD.decode(sig_b64) else {
            return Ok(Err(Rejection::Malformed {
                tag,
                why: format!("layers[{i}]: the signature is not base64"),
            }));
        };
        let digest = Digest::parse(layer["digest"].as_str().unwrap_or_default()).map_err(Error::Content)?;
        let blob = match store.blob(&digest) {
            Ok(b) => b,
            Err(Error::Content(why)) => return Ok(Err(Rejection::Malformed { tag, why })),
            Err(e) => return Err(e),
        };
        if !key.verify(&blob, &sig) {
            continue;
        }
        let payload = match Payload::parse(&blob) {
            Ok(p) => p,
            Err(why) => {
                return Ok(Err(Rejection::Malformed {
                    tag,
                    why: format!("layers[{i}]: {why}"),
                }))
            }
        };
        if payload.critical.image.docker_manifest_digest != image.as_str() {
            signed_for.push(payload.critical.image.docker_manifest_digest.clone());
            continue;
        }
        let m = payload.missing_annotations(annotations);
        if !m.is_empty() {
            missing = m;
            continue;
        }
        payloads.push(payload);
    }
    if !payloads.is_empty() {
        return Ok(Ok(Verified { image, payloads }));
    }
    Ok(Err(if checked == 0 {
        let referrers = has_referrers(store, &image);
        Rejection::NoSignatures { image, tag, referrers }
    } else if !signed_for.is_empty() {
        Rejection::DigestMismatch {
            image,
            signed: signed_for,
        }
    } else if !missing.is_empty() {
        Rejection::Annotations { missing }
    } else {
        Rejection::KeyMismatch { checked }
    }))
}

/// Whether the referrers tag schema's fallback tag (`sha256-HEX`) exists.
fn has_referrers(store: &mut dyn Store, image: &Digest) -> bool {
    matches!(store.manifest(&format!("sha256-{}", image.hex())), Ok(Some(_)))
}
