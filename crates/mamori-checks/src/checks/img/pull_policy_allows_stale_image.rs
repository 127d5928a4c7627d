use super::{is_templated, parse_image};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{ContainerView, PodSpecView};

pub struct PullPolicyAllowsStaleImage;
pub static CHECK: PullPolicyAllowsStaleImage = PullPolicyAllowsStaleImage;

static META: CheckMeta = CheckMeta {
    code: "IMG003",
    name: "pull-policy-allows-stale-image",
    title: "Mutable image tag with a pull policy that reuses cached images",
    severity: Severity::Low,
    selects: Selects::Containers,
    mappings: &[
        "NSA/CISA: use immutable images from trusted sources",
        "CIS Kubernetes 5.5.1",
        "MITRE ATT&CK T1525 (Implant Internal Image)",
    ],
    course: None,
    doc: r#"## What it finds
A container whose image has the moving `latest` tag or no tag (and no
digest) while `imagePullPolicy` is `IfNotPresent` or `Never`.

When `imagePullPolicy` is not written, the API server sets it: `Always` for
an image with the `latest` tag or no tag, `IfNotPresent` for any other tag
or a digest. So an unset policy with `latest` is not reported here (IMG001
still reports the tag).

## Why it matters
With `IfNotPresent` each node keeps the first `latest` it ever pulled, and
with `Never` it runs whatever image is already there. Pods of one workload
then run different code on different nodes, a fixed image never reaches old
nodes, and an image someone placed on a node is used without asking the
registry. `Always` also makes the kubelet check with the registry that the
pod may use the image (credentials), which cached images skip.

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
    imagePullPolicy: IfNotPresent
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
    imagePullPolicy: IfNotPresent
```

## Fix
Pin a version or digest (then `IfNotPresent` is safe and saves pulls), or
set `imagePullPolicy: Always` while you still use a moving tag. Not applied
automatically: which version to pin is yours to choose.

## References
- Image pull policy and its defaults: <https://kubernetes.io/docs/concepts/containers/images/#imagepullpolicy-defaulting>
- Images, updating: <https://kubernetes.io/docs/concepts/containers/images/#updating-images>
"#,
};

impl Check for PullPolicyAllowsStaleImage {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn container(&self, cx: &Context, view: &PodSpecView, c: &ContainerView, out: &mut Vec<Finding>) {
        let Some(image) = c.node.str_field("image") else { return };
        if is_templated(image) || !parse_image(image).is_mutable_latest() {
            return;
        }
        // Unset is defaulted to Always for latest or untagged images.
        let Some(policy) = c.node.str_field("imagePullPolicy") else {
            return;
        };
        let consequence = match policy {
            "IfNotPresent" => "each node keeps the first `latest` it pulled and never looks for a newer one",
            "Never" => "the kubelet never pulls and runs whatever image of that name is already on the node",
            _ => return,
        };
        out.push(cx.container_finding(
            &META,
            view,
            c,
            &c.path.key("imagePullPolicy"),
            format!(
                "container {:?} uses the moving image {image:?} with imagePullPolicy: {policy}, so {consequence}",
                c.name
            ),
            Some(format!(
                "pin a version or digest (`image: {}:<version>`), or set `imagePullPolicy: Always`",
                parse_image(image).name
            )),
        ));
    }
}
