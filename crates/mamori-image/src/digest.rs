//! Content digests (`sha256:` and 64 lowercase hex digits).

use sha2::{Digest as _, Sha256};
use std::fmt;

/// A `sha256:HEX` content digest. Other algorithms are refused: cosign's
/// signature tags and payloads use SHA-256 only.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest(String);

impl Digest {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Digest {
        Digest(format!("sha256:{}", hex(&Sha256::digest(bytes))))
    }

    /// Parse `sha256:HEX` exactly (64 lowercase hex digits).
    pub fn parse(s: &str) -> Result<Digest, String> {
        let Some(hex) = s.strip_prefix("sha256:") else {
            return Err(match s.split_once(':') {
                Some((alg, _)) => format!("unsupported digest algorithm {alg:?} in {s:?} (only sha256)"),
                None => format!("{s:?} is not a digest (expected sha256:<64 hex digits>)"),
            });
        };
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return Err(format!(
                "{s:?} is not a digest (expected sha256:<64 lowercase hex digits>)"
            ));
        }
        Ok(Digest(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 64 hex digits.
    pub fn hex(&self) -> &str {
        &self.0["sha256:".len()..]
    }

    /// cosign's signature tag for an image with this digest: `sha256-HEX.sig`.
    pub fn signature_tag(&self) -> String {
        format!("sha256-{}.sig", self.hex())
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const H: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(H[(b >> 4) as usize] as char);
        s.push(H[(b & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_input_digest_is_the_known_one() {
        assert_eq!(
            Digest::of(b"").as_str(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn parse_refuses_other_forms() {
        let d = Digest::of(b"x");
        assert_eq!(Digest::parse(d.as_str()).unwrap(), d);
        assert!(Digest::parse("sha512:abcd")
            .unwrap_err()
            .contains("unsupported digest algorithm"));
        assert!(Digest::parse(&d.as_str().to_uppercase()).is_err());
        assert!(Digest::parse("sha256:abc").is_err());
        assert!(Digest::parse("../../etc/passwd").is_err());
        assert_eq!(d.signature_tag(), format!("sha256-{}.sig", d.hex()));
    }
}
