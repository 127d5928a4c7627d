use super::{is_templated, parse_image, registry_and_repository};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{ContainerView, PodSpecView};

pub struct RegistryNotAllowed;
pub static CHECK: RegistryNotAllowed = RegistryNotAllowed;

static META: CheckMeta = CheckMeta {
    code: "IMG004",
    name: "registry-not-allowed",
    title: "Image from a registry outside the allow-list",
    severity: Severity::High,
    selects: Selects::Containers,
    mappings: &[
        "NSA/CISA: use images from trusted repositories",
        "CIS Kubernetes 5.5.1",
        "MITRE ATT&CK T1610 (Deploy Container)",
        "MITRE ATT&CK T1525 (Implant Internal Image)",
    ],
    course: None,
    doc: r#"## What it finds
When `.mamori.yaml` lists allowed registries (`registries:`), a container
image whose registry is not on the list. Without that setting the check is
off.

Image names are resolved as the container runtime does: the first path
component is the registry when it contains a `.` or a `:` or is
`localhost`; otherwise the image comes from Docker Hub, so `nginx` is
`docker.io/library/nginx` and `bitnami/redis` is `docker.io/bitnami/redis`.
An entry of the list is a registry host (`registry.example.com`,
`localhost:5000`), a host with a path prefix (`docker.io/library`,
`ghcr.io/my-org`), or `*.` and a domain for its subdomains
(`*.dkr.ecr.eu-west-1.amazonaws.com`). `index.docker.io` and
`registry-1.docker.io` count as `docker.io`.

## Why it matters
Whoever controls a registry controls what your pods run. Images from
registries you have not vetted skip your scanning, signing and mirroring,
and a typo in a public name (typosquatting) pulls an attacker's image.
Keeping images in known registries is also what admission policies
(Kyverno, Gatekeeper) enforce in the cluster; this check finds them
before deployment.

## Example
With `registries: [registry.example.com]` in `.mamori.yaml`:
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: nginx:1.27.3
```

## Use instead
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: registry.example.com/library/nginx:1.27.3
```

## Fix
Mirror the image into an allowed registry and reference it there, or add
the registry to `registries` in `.mamori.yaml` once you trust it.

## References
- Images (registries and names): <https://kubernetes.io/docs/concepts/containers/images/#image-names>
- NSA/CISA Kubernetes Hardening Guide: <https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF>
- mamori configuration: <https://example.invalid/mamori/docs/configuration.md>
"#,
};

/// Whether the image `registry/repository` is covered by an allow-list entry.
pub fn allowed(registry: &str, repository: &str, entry: &str) -> bool {
    let entry = entry
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/');
    if let Some(domain) = entry.strip_prefix("*.") {
        let domain = domain.to_ascii_lowercase();
        return registry
            .strip_suffix(domain.as_str())
            .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.'));
    }
    let (host, prefix) = match entry.split_once('/') {
        Some((h, p)) => (h, Some(p)),
        None => (entry, None),
    };
    if super::normalize_registry(host) != registry {
        return false;
    }
    match prefix {
        None => true,
        Some(p) => repository == p || repository.starts_with(&format!("{p}/")),
    }
}

impl Check for RegistryNotAllowed {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn container(&self, cx: &Context, view: &PodSpecView, c: &ContainerView, out: &mut Vec<Finding>) {
        let list = &cx.config.registries;
        if list.is_empty() {
            return;
        }
        let Some(image) = c.node.str_field("image") else { return };
        if is_templated(image) {
            return;
        }
        let r = parse_image(image);
        let (registry, repository) = registry_and_repository(r.name);
        if list.iter().any(|e| allowed(&registry, &repository, e)) {
            return;
        }
        let resolved = if r.name == format!("{registry}/{repository}") {
            String::new()
        } else {
            format!(" ({registry}/{repository})")
        };
        let target = match list[0].trim() {
            e if e.contains('*') || e.contains('/') => "<allowed registry>".to_string(),
            e => e.to_string(),
        };
        out.push(cx.container_finding(
            &META,
            view,
            c,
            &c.path.key("image"),
            format!(
                "container {:?} pulls {image:?}{resolved} from registry {registry}, which is not in the allowed registries of .mamori.yaml ({})",
                c.name,
                list.join(", ")
            ),
            Some(format!(
                "mirror the image to an allowed registry and write `image: {}/{repository}{}`, or add {registry} to `registries` in .mamori.yaml",
                target,
                &image[r.name.len()..]
            )),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::allowed;

    #[test]
    fn allow_list_entries() {
        assert!(allowed("docker.io", "library/nginx", "docker.io"));
        assert!(allowed("docker.io", "library/nginx", "index.docker.io"));
        assert!(allowed("docker.io", "library/nginx", "docker.io/library"));
        assert!(!allowed("docker.io", "libraryx/nginx", "docker.io/library"));
        assert!(!allowed("docker.io", "bitnami/redis", "docker.io/library"));
        assert!(allowed("ghcr.io", "org/app", "https://ghcr.io/"));
        assert!(allowed(
            "1.dkr.ecr.eu-west-1.amazonaws.com",
            "app",
            "*.dkr.ecr.eu-west-1.amazonaws.com"
        ));
        assert!(!allowed("evil-amazonaws.com", "app", "*.amazonaws.com"));
        assert!(!allowed("registry.example.com.evil.io", "app", "registry.example.com"));
        assert!(allowed("localhost:5000", "app", "localhost:5000"));
        assert!(!allowed("localhost:5001", "app", "localhost:5000"));
    }
}
