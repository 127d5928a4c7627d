//! `IMG`: container images.
pub mod image_not_pinned_by_digest;
pub mod image_tag_latest_or_missing;
pub mod pull_policy_allows_stale_image;
pub mod registry_not_allowed;

/// A parsed image reference: `[registry/]repository[:tag][@digest]`.
#[derive(Debug, PartialEq, Eq)]
pub struct ImageRef<'a> {
    pub name: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

pub fn parse_image(s: &str) -> ImageRef<'_> {
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (s, None),
    };
    let slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
    match rest[slash..].rfind(':') {
        Some(c) => ImageRef {
            name: &rest[..slash + c],
            tag: Some(&rest[slash + c + 1..]),
            digest,
        },
        None => ImageRef {
            name: rest,
            tag: None,
            digest,
        },
    }
}

impl ImageRef<'_> {
    /// `latest` or no tag, and no digest: the reference can change under you.
    pub fn is_mutable_latest(&self) -> bool {
        self.digest.is_none() && matches!(self.tag, None | Some("latest"))
    }
}

/// An image written as a template or variable (`{{ .Values.image }}`,
/// `${IMAGE}`, `$(IMAGE)`): its value is decided at deploy time, so image
/// checks cannot judge it.
pub fn is_templated(image: &str) -> bool {
    image.contains("{{") || image.contains("${") || image.contains("$(") || image.trim().is_empty()
}

/// Registry host and repository path of an image name, the way the
/// container runtime resolves them: the first path component is a registry
/// when it contains a `.` or a `:` or is `localhost`; otherwise the image
/// is on Docker Hub (`docker.io`), and a single-component name is in its
/// `library/` namespace (`nginx` is `docker.io/library/nginx`).
pub fn registry_and_repository(name: &str) -> (String, String) {
    match name.split_once('/') {
        Some((first, rest)) if first.contains('.') || first.contains(':') || first == "localhost" => {
            (normalize_registry(first), rest.to_string())
        }
        Some(_) => ("docker.io".to_string(), name.to_string()),
        None => ("docker.io".to_string(), format!("library/{name}")),
    }
}

/// Docker Hub's other names are the same registry.
pub fn normalize_registry(host: &str) -> String {
    let host = host.to_ascii_lowercase();
    match host.as_str() {
        "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => "docker.io".into(),
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_references() {
        assert_eq!(parse_image("nginx").tag, None);
        assert_eq!(parse_image("nginx:latest").tag, Some("latest"));
        let r = parse_image("localhost:5000/team/app:1.2@sha256:abc");
        assert_eq!(
            (r.name, r.tag, r.digest),
            ("localhost:5000/team/app", Some("1.2"), Some("sha256:abc"))
        );
        assert_eq!(parse_image("localhost:5000/app").tag, None);
    }

    #[test]
    fn registries_are_normalised() {
        let r = |s: &str| registry_and_repository(s);
        assert_eq!(r("nginx"), ("docker.io".into(), "library/nginx".into()));
        assert_eq!(r("bitnami/redis"), ("docker.io".into(), "bitnami/redis".into()));
        assert_eq!(
            r("index.docker.io/library/nginx"),
            ("docker.io".into(), "library/nginx".into())
        );
        assert_eq!(
            r("gcr.io/google-samples/app"),
            ("gcr.io".into(), "google-samples/app".into())
        );
        assert_eq!(r("localhost/app"), ("localhost".into(), "app".into()));
        assert_eq!(r("myhost:5000/app"), ("myhost:5000".into(), "app".into()));
        assert!(parse_image("nginx").is_mutable_latest());
        assert!(!parse_image("nginx:latest@sha256:abc").is_mutable_latest());
        assert!(!parse_image("nginx:1.27").is_mutable_latest());
        assert!(is_templated("{{ .Values.image }}"));
    }
}
