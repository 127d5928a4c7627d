use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{Node, PodSpecView};

pub struct GitRepoVolume;
pub static CHECK: GitRepoVolume = GitRepoVolume;

static META: CheckMeta = CheckMeta {
    code: "POD037",
    name: "git-repo-volume",
    title: "gitRepo volume (deprecated; runs git on the node)",
    severity: Severity::High,
    selects: Selects::PodSpecs,
    mappings: &[
        "NSA/CISA: limit container access to the host",
        "MITRE ATT&CK T1611 (escape to host)",
        "CVE-2024-10220; CVE-2025-1767",
    ],
    course: None,
    doc: r#"## What it finds
A `gitRepo` volume in a pod spec (the API server warns "deprecated in
v1.11" for each one).

## Why it matters
The kubelet clones a `gitRepo` volume itself, as root on the node, with the
node's `git`. Whoever controls the repository or the pod's fields controls
what runs there: CVE-2024-10220 executed the repository's hooks outside the
container (kubelets up to 1.28.11, 1.29.6 and 1.30.2), and CVE-2025-1767,
unfixed, lets a pod clone repositories that are local to the node, reading
other pods' data. Since 1.33 the volume driver is disabled by default (the
`GitRepoVolumeDriver` feature gate), so the pod fails to start there; the
Pod Security `restricted` level refuses the volume type altogether.

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: site
  namespace: shop
spec:
  containers:
  - name: web
    image: registry.example/web:1.0
    volumeMounts:
    - name: content
      mountPath: /srv
  volumes:
  - name: content
    gitRepo:
      repository: https://git.example/site.git
```

## Use instead
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: site
  namespace: shop
spec:
  initContainers:
  - name: clone
    image: registry.example/git:2.45
    args: ["clone", "--depth=1", "https://git.example/site.git", "/srv"]
    volumeMounts:
    - name: content
      mountPath: /srv
  containers:
  - name: web
    image: registry.example/web:1.0
    volumeMounts:
    - name: content
      mountPath: /srv
      readOnly: true
  volumes:
  - name: content
    emptyDir: {}
```

## Fix
Clone in an init container into an `emptyDir` and mount that into the
containers (upstream's documented replacement), or bake the content into
the image. Not applied automatically: it needs an image with git.

## References
- gitRepo (deprecated): <https://kubernetes.io/docs/concepts/storage/volumes/#gitrepo>
- CVE-2024-10220, arbitrary command execution through gitRepo volumes: <https://github.com/kubernetes/kubernetes/issues/128885>
- KEP-5040, removing the gitRepo volume driver: <https://github.com/kubernetes/enhancements/issues/5040>
"#,
};

impl Check for GitRepoVolume {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pod_spec(&self, cx: &Context, view: &PodSpecView, out: &mut Vec<Finding>) {
        let obj = &cx.inventory.objects[view.object];
        let Some(spec) = view.spec(obj) else { return };
        let Some(volumes) = spec.field("volumes").and_then(Node::as_seq) else {
            return;
        };
        for (i, v) in volumes.iter().enumerate() {
            let Some(repo) = v.field("gitRepo") else { continue };
            let field = view.spec_path.key("volumes").index(i).key("gitRepo");
            let url = repo.str_field("repository").unwrap_or("");
            out.push(cx.finding(
                &META,
                view.object,
                &field,
                format!(
                    "{field}: deprecated in v1.11: the kubelet clones {url:?} as root on the node, with the repository's hooks (CVE-2024-10220)"
                ),
                Some("clone in an init container into an emptyDir volume instead".into()),
            ));
        }
    }
}
