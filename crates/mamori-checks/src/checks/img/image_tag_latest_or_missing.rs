use super::parse_image;
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{ContainerView, PodSpecView};

pub struct ImageTagLatestOrMissing;
pub static CHECK: ImageTagLatestOrMissing = ImageTagLatestOrMissing;

static META: CheckMeta = CheckMeta {
    code: "IMG001",
    name: "image-tag-latest-or-missing",
    title: "Image uses the latest tag or no tag",
    severity: Severity::Medium,
    selects: Selects::Containers,
    mappings: &[
        "NSA/CISA: use immutable images from trusted sources",
        "CIS Kubernetes 5.5.1",
        "MITRE ATT&CK T1610",
    ],
    course: Some("ex1-0 (nginx:latest, curlimages/curl)"),
    doc: r#"## What it finds
A container image written with the `latest` tag, or with no tag at all
(which means `latest`), and not pinned by digest.

## Why it matters
`latest` moves: each node may pull a different image, a rollback does not
roll back, and a compromised or broken push reaches every restart. Scans and
signatures verified for one image say nothing about the next.

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: nginx:latest
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
    image: nginx:1.27.3
```

## Fix
Pin a version tag, better a digest (`nginx:1.27.3@sha256:...`). Not applied
automatically: mamori does not know which version you tested.

## References
- Images: <https://kubernetes.io/docs/concepts/containers/images/>
"#,
};

impl Check for ImageTagLatestOrMissing {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn container(&self, cx: &Context, view: &PodSpecView, c: &ContainerView, out: &mut Vec<Finding>) {
        let Some(image) = c.node.str_field("image") else { return };
        let r = parse_image(image);
        if r.digest.is_some() {
            return;
        }
        let message = match r.tag {
            None => format!(
                "container {:?} uses image {image:?} without a tag, which means `latest`",
                c.name
            ),
            Some("latest") => format!(
                "container {:?} uses image {image:?} with the moving `latest` tag",
                c.name
            ),
            Some(_) => return,
        };
        let mut f = cx.finding(
            &META,
            view.object,
            &c.path.key("image"),
            message,
            Some(format!(
                "pin a version: {}:<version>, or a digest {}@sha256:<digest>",
                r.name, r.name
            )),
        );
        f.container = Some(c.name.to_string());
        out.push(f);
    }
}
