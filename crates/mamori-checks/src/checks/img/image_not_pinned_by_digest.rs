use super::{is_templated, parse_image};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{ContainerView, PodSpecView};

pub struct ImageNotPinnedByDigest;
pub static CHECK: ImageNotPinnedByDigest = ImageNotPinnedByDigest;

static META: CheckMeta = CheckMeta {
    code: "IMG002",
    name: "image-not-pinned-by-digest",
    title: "Image not pinned by digest",
    severity: Severity::Low,
    selects: Selects::Containers,
    mappings: &[
        "NSA/CISA: use immutable images from trusted sources",
        "CIS Kubernetes 5.5.1",
        "MITRE ATT&CK T1525 (Implant Internal Image)",
    ],
    course: None,
    doc: r#"## What it finds
A container image referenced by tag only, without an `@sha256:` digest.

## Why it matters
A tag is a name the registry owner can move: `app:1.4` can be pushed again
with different content, by a release pipeline or by whoever steals its
credentials. Nodes that pull later run the new content while the manifest
looks unchanged, and a vulnerability scan or signature check of "1.4" may
describe another image than the one running. A digest names exactly one
image; the registry cannot change what it points to.

## Example
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
    image: nginx:1.27.3@sha256:0a399eb16751829e1af26fea27b20c3ec28d7ab1fb72182879dcae1cca21206a
```

## Fix
Resolve the tag you tested to its digest (`crane digest nginx:1.27.3`,
`docker buildx imagetools inspect nginx:1.27.3`) and append it as
`@sha256:<digest>`; keep the tag for readers, the runtime uses the digest.
Tools such as Renovate keep digests up to date. Not applied automatically:
mamori cannot know which image you tested.

## References
- Images (image names, digests): <https://kubernetes.io/docs/concepts/containers/images/#image-names>
- NSA/CISA Kubernetes Hardening Guide: <https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF>
"#,
};

impl Check for ImageNotPinnedByDigest {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn container(&self, cx: &Context, view: &PodSpecView, c: &ContainerView, out: &mut Vec<Finding>) {
        let Some(image) = c.node.str_field("image") else { return };
        if is_templated(image) {
            return;
        }
        let r = parse_image(image);
        // Other digest algorithms are valid references too; only a missing
        // digest is a finding.
        if r.digest.is_some() {
            return;
        }
        let reference = match r.tag {
            Some(tag) => format!("{}:{tag}", r.name),
            None => format!("{}:<tag>", r.name),
        };
        out.push(cx.container_finding(
            &META,
            view,
            c,
            &c.path.key("image"),
            format!(
                "container {:?} uses image {image:?} by tag only: the registry can change what it points to",
                c.name
            ),
            Some(format!(
                "append the digest of the image you tested: `image: {reference}@sha256:<digest>`"
            )),
        ));
    }
}
