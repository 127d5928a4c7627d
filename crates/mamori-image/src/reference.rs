//! Image references: the Docker distribution grammar, and `oci:DIR[:TAG]`.

use crate::digest::Digest;
use crate::{Error, Result};
use std::path::PathBuf;

/// Docker Hub's registry name, as go-containerregistry (and so cosign)
/// writes it.
pub const DOCKER_HUB: &str = "index.docker.io";

/// A registry image: `REGISTRY/REPOSITORY[:TAG][@DIGEST]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// Host and optional port (`localhost:5000`, `index.docker.io`).
    pub registry: String,
    /// The repository path (`library/nginx`, `team/cs-app`).
    pub repository: String,
    /// The tag; `latest` when neither tag nor digest is written.
    pub tag: Option<String>,
    pub digest: Option<Digest>,
}

/// Where an image is: in a registry, or in an OCI image layout on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Registry(Reference),
    /// `oci:DIR[:TAG]`; without a tag the layout must hold one image.
    Layout {
        dir: PathBuf,
        tag: Option<String>,
    },
}

impl Target {
    /// `oci:DIR[:TAG]`, `docker://REF` or a plain reference.
    pub fn parse(s: &str) -> Result<Target> {
        if let Some(rest) = s.strip_prefix("oci:") {
            if rest.is_empty() {
                return Err(Error::Reference(format!(
                    "{s:?}: no folder after oci:\nhint: oci:DIR or oci:DIR:TAG"
                )));
            }
            // The tag is what follows the last `:`, unless that is part of the path.
            if let Some((dir, tag)) = rest.rsplit_once(':') {
                if !tag.contains('/') && !dir.is_empty() {
                    check_tag(tag, s)?;
                    return Ok(Target::Layout {
                        dir: PathBuf::from(dir),
                        tag: Some(tag.to_string()),
                    });
                }
            }
            return Ok(Target::Layout {
                dir: PathBuf::from(rest),
                tag: None,
            });
        }
        let r = s.strip_prefix("docker://").unwrap_or(s);
        Ok(Target::Registry(Reference::parse(r)?))
    }

    /// Whether the image is named by tag rather than by digest.
    pub fn by_tag(&self) -> bool {
        match self {
            Target::Registry(r) => r.digest.is_none(),
            Target::Layout { .. } => true,
        }
    }

    /// The name to show (cosign's `ref.Name()` for registry images).
    pub fn name(&self) -> String {
        match self {
            Target::Registry(r) => r.name(),
            Target::Layout { dir, tag } => match tag {
                Some(t) => format!("oci:{}:{t}", dir.display()),
                None => format!("oci:{}", dir.display()),
            },
        }
    }

    /// The identity written into payloads (`critical.identity.docker-reference`).
    pub fn identity(&self) -> String {
        match self {
            Target::Registry(r) => r.repository_name(),
            Target::Layout { dir, .. } => format!("oci:{}", dir.display()),
        }
    }
}

impl Reference {
    pub fn parse(s: &str) -> Result<Reference> {
        let bad = |why: &str| Error::Reference(format!("{s:?} is not a valid image reference: {why}"));
        if s.is_empty() {
            return Err(bad("it is empty"));
        }
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => (r, Some(Digest::parse(d).map_err(|e| bad(&e))?)),
            None => (s, None),
        };
        let (name, tag) = match rest.rfind(':') {
            Some(i) if !rest[i + 1..].contains('/') => (&rest[..i], Some(&rest[i + 1..])),
            _ => (rest, None),
        };
        if let Some(t) = tag {
            check_tag(t, s)?;
        }
        let (registry, path) = match name.split_once('/') {
            Some((first, path)) if first.contains('.') || first.contains(':') || first == "localhost" => {
                (first.to_string(), path.to_string())
            }
            _ => ("docker.io".to_string(), name.to_string()),
        };
        if !valid_host(&registry) {
            return Err(bad(&format!("{registry:?} is not a registry host")));
        }
        if path.is_empty() || !path.split('/').all(valid_component) {
            return Err(bad(
                "the repository must be lowercase letters, digits and separators (. _ __ -) between /",
            ));
        }
        let hub = registry == "docker.io" || registry == DOCKER_HUB;
        let registry = if hub { DOCKER_HUB.to_string() } else { registry };
        let repository = if hub && !path.contains('/') {
            format!("library/{path}")
        } else {
            path
        };
        let tag = match (tag, &digest) {
            (Some(t), _) => Some(t.to_string()),
            (None, None) => Some("latest".to_string()),
            (None, Some(_)) => None,
        };
        Ok(Reference {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// `REGISTRY/REPOSITORY`: what cosign signs as the docker-reference.
    pub fn repository_name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// The full reference, normalised.
    pub fn name(&self) -> String {
        let mut s = self.repository_name();
        if let Some(t) = &self.tag {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = &self.digest {
            s.push('@');
            s.push_str(d.as_str());
        }
        s
    }

    /// The same repository with another tag (e.g. the `.sig` tag).
    pub fn with_tag(&self, tag: &str) -> Reference {
        Reference {
            tag: Some(tag.to_string()),
            digest: None,
            ..self.clone()
        }
    }

    /// Whether the registry host is this machine (plain HTTP may replace
    /// HTTPS there when the server does not speak TLS).
    pub fn is_loopback(&self) -> bool {
        let host = match self.registry.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or(""),
            None => self.registry.split(':').next().unwrap_or(""),
        };
        host == "localhost" || host == "::1" || host.parse::<std::net::Ipv4Addr>().is_ok_and(|a| a.is_loopback())
    }
}

fn check_tag(t: &str, whole: &str) -> Result<()> {
    let ok = !t.is_empty()
        && t.len() <= 128
        && t.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::Reference(format!(
            "{whole:?} is not a valid image reference: tag {t:?} must be 1-128 letters, digits, _ . - (not starting with . or -)"
        )))
    }
}

fn valid_component(c: &str) -> bool {
    // [a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)*
    let b = c.as_bytes();
    if b.is_empty() || !is_alnum(b[0]) || !is_alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if is_alnum(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !is_alnum(b[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        if !(sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-')) {
            return false;
        }
    }
    true
}

fn is_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

fn valid_host(h: &str) -> bool {
    let (host, port) = if let Some(v6) = h.strip_prefix('[') {
        match v6.split_once(']') {
            Some((addr, rest)) => {
                if addr.parse::<std::net::Ipv6Addr>().is_err() {
                    return false;
                }
                (None, rest.strip_prefix(':'))
            }
            None => return false,
        }
    } else {
        match h.split_once(':') {
            Some((host, port)) => (Some(host), Some(port)),
            None => (Some(h), None),
        }
    };
    let host_ok = host.is_none_or(|host| {
        !host.is_empty()
            && host.split('.').all(|l| {
                !l.is_empty()
                    && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && !l.starts_with('-')
                    && !l.ends_with('-')
            })
    });
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.parse::<u16>().is_ok());
    host_ok && port_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> Reference {
        Reference::parse(s).unwrap()
    }

    #[test]
    fn docker_hub_names_are_normalised_as_go_containerregistry_does() {
        assert_eq!(r("nginx").name(), "index.docker.io/library/nginx:latest");
        assert_eq!(
            r("curlimages/curl").repository_name(),
            "index.docker.io/curlimages/curl"
        );
        assert_eq!(r("docker.io/library/nginx:1.27").tag.as_deref(), Some("1.27"));
    }

    #[test]
    fn registries_ports_tags_and_digests() {
        let d = Digest::of(b"m");
        let x = r(&format!("localhost:5000/team/cs-app:v1@{d}"));
        assert_eq!(
            (x.registry.as_str(), x.repository.as_str(), x.tag.as_deref()),
            ("localhost:5000", "team/cs-app", Some("v1"))
        );
        assert_eq!(x.digest.as_ref(), Some(&d));
        let y = r(&format!("123.dkr.ecr.ap-northeast-2.amazonaws.com/cs-app@{d}"));
        assert_eq!(y.tag, None);
        assert!(r("127.0.0.1:5000/a").is_loopback());
        assert!(r("localhost/a").is_loopback());
        assert!(r("[::1]:5000/a").is_loopback());
        assert!(!r("ghcr.io/a").is_loopback());
    }

    #[test]
    fn bad_references_say_why() {
        for bad in ["", "Nginx", "a//b", "a:", "a:-x", "a@sha256:12", "host:99999/a", "-a/b"] {
            assert!(Reference::parse(bad).is_err(), "{bad}");
        }
        let e = Reference::parse("ex/UPPER").unwrap_err().to_string();
        assert!(e.contains("lowercase"), "{e}");
    }

    #[test]
    fn oci_layouts() {
        assert_eq!(
            Target::parse("oci:./img:v1").unwrap(),
            Target::Layout {
                dir: "./img".into(),
                tag: Some("v1".into())
            }
        );
        assert_eq!(
            Target::parse("oci:/tmp/a:b/c").unwrap(),
            Target::Layout {
                dir: "/tmp/a:b/c".into(),
                tag: None
            }
        );
        assert!(Target::parse("oci:").is_err());
        assert!(matches!(
            Target::parse("docker://localhost:5000/a:b").unwrap(),
            Target::Registry(_)
        ));
    }
}
