//! The simple-signing payload cosign signs.

use crate::digest::Digest;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The type cosign writes.
pub const COSIGN_TYPE: &str = "cosign container image signature";
/// The type newer cosign releases write; accepted on reading.
pub const SIGSTORE_TYPE: &str = "https://sigstore.dev/cosign/sign/v1";

/// `{"critical":{...},"optional":...}`, fields in cosign's order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Payload {
    pub critical: Critical,
    /// Annotations (`-a key=value`); `null` when there are none. A sorted
    /// map, as Go's encoding/json writes maps.
    pub optional: Option<BTreeMap<String, Value>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Critical {
    pub identity: Identity,
    pub image: Image,
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    #[serde(rename = "docker-reference")]
    pub docker_reference: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Image {
    #[serde(rename = "docker-manifest-digest")]
    pub docker_manifest_digest: String,
}

impl Payload {
    pub fn new(identity: &str, digest: &Digest, annotations: &BTreeMap<String, String>) -> Payload {
        Payload {
            critical: Critical {
                identity: Identity {
                    docker_reference: identity.to_string(),
                },
                image: Image {
                    docker_manifest_digest: digest.to_string(),
                },
                kind: COSIGN_TYPE.to_string(),
            },
            optional: if annotations.is_empty() {
                None
            } else {
                Some(
                    annotations
                        .iter()
                        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                        .collect(),
                )
            },
        }
    }

    /// The compact JSON bytes that get signed.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Parse signed bytes; `Err` says what is wrong.
    pub fn parse(bytes: &[u8]) -> Result<Payload, String> {
        let p: Payload =
            serde_json::from_slice(bytes).map_err(|e| format!("the payload is not a simple-signing payload ({e})"))?;
        if p.critical.kind != COSIGN_TYPE && p.critical.kind != SIGSTORE_TYPE {
            return Err(format!(
                "unknown payload type {:?} (expected {COSIGN_TYPE:?})",
                p.critical.kind
            ));
        }
        Ok(p)
    }

    /// The annotations that are missing or different, as `key=value` wanted.
    pub fn missing_annotations(&self, wanted: &BTreeMap<String, String>) -> Vec<String> {
        wanted
            .iter()
            .filter(|(k, v)| self.optional.as_ref().and_then(|o| o.get(*k)).and_then(Value::as_str) != Some(v.as_str()))
            .map(|(k, v)| format!("{k}={v}"))
            .collect()
    }

    /// The payload as cosign prints it: re-encoded, object keys sorted.
    pub fn to_output_value(&self) -> Value {
        sort_keys(serde_json::to_value(self).unwrap_or(Value::Null))
    }
}

fn sort_keys(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            let sorted: BTreeMap<String, Value> = m.into_iter().map(|(k, v)| (k, sort_keys(v))).collect();
            Value::Object(sorted.into_iter().collect())
        }
        Value::Array(a) => Value::Array(a.into_iter().map(sort_keys).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_bytes_are_cosigns_compact_json() {
        let d = Digest::of(b"image");
        let p = Payload::new("localhost:5000/cs-app", &d, &BTreeMap::new());
        assert_eq!(
            String::from_utf8(p.to_bytes()).unwrap(),
            format!(
                r#"{{"critical":{{"identity":{{"docker-reference":"localhost:5000/cs-app"}},"image":{{"docker-manifest-digest":"{d}"}},"type":"cosign container image signature"}},"optional":null}}"#
            )
        );
        let a = BTreeMap::from([("z".to_string(), "1".to_string()), ("a".to_string(), "2".to_string())]);
        let p = Payload::new("r", &d, &a);
        assert!(String::from_utf8(p.to_bytes())
            .unwrap()
            .ends_with(r#""optional":{"a":"2","z":"1"}}"#));
        assert_eq!(Payload::parse(&p.to_bytes()).unwrap(), p);
        assert!(p.missing_annotations(&a).is_empty());
        let other = BTreeMap::from([("a".to_string(), "3".to_string())]);
        assert_eq!(p.missing_annotations(&other), ["a=3"]);
    }

    #[test]
    fn foreign_payloads_are_refused() {
        assert!(Payload::parse(b"not json").is_err());
        let e = Payload::parse(br#"{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"d"},"type":"x"},"optional":null}"#).unwrap_err();
        assert!(e.contains("unknown payload type"), "{e}");
    }
}
