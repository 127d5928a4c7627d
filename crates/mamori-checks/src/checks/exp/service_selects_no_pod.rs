use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::FieldPath;

pub struct ServiceSelectsNoPod;
pub static CHECK: ServiceSelectsNoPod = ServiceSelectsNoPod;

static META: CheckMeta = CheckMeta {
    code: "EXP010",
    name: "service-selects-no-pod",
    title: "Service selector matches no pod, missing one by a single label",
    severity: Severity::Low,
    selects: Selects::Objects(&["Service"]),
    mappings: &[],
    course: None,
    doc: r#"## What it finds
A Service whose `selector` matches the pod labels of no Pod or workload of
the input in its namespace, while one of them misses it by exactly one
label: it has every key but one value differs (`app: web` against `app:
wbe`), or, for a selector of two labels or more, it matches all values but
lacks one key. Services whose selector resembles no pod of the input are
not reported: their pods may come from elsewhere (an operator, another
repository).

## Why it matters
A selector that matches nothing gives the Service no endpoints: clients get
connection refused, which is often "fixed" under pressure by loosening the
selector until it matches, sometimes more pods than intended. It is also
how a typo or a renamed label (`app` versus `app.kubernetes.io/name`)
shows up before deployment: the Service that was meant to expose one
workload silently exposes none, or, once someone adds that label to
another pod, exposes that one.

## Example
```yaml
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector:
    app: wbe
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
  labels:
    app: web
spec:
  containers:
  - name: web
    image: registry.example/web:1.0
```

## Use instead
```yaml
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
  labels:
    app: web
spec:
  containers:
  - name: web
    image: registry.example/web:1.0
```

## Fix
Make the selector name labels the intended pod template carries (keep them
to the few that identify the workload). Not applied automatically: which
side is wrong is the author's call.

## References
- Services and selectors: <https://kubernetes.io/docs/concepts/services-networking/service/#services-without-selectors>
- Labels and selectors: <https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/>
"#,
};

impl Check for ServiceSelectsNoPod {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        let o = &cx.inventory.objects[obj];
        if o.rejected.is_some() {
            return;
        }
        let Some(selector) = o.stored.get("spec").and_then(|s| s.field("selector")) else {
            return;
        };
        let pairs = selector.string_map();
        if pairs.is_empty() {
            return;
        }
        let inv = cx.inventory;
        if !inv.service_targets(o).is_empty() {
            return;
        }
        // The pod of the namespace that misses the selector by one label, if any.
        let near = inv.pod_specs.iter().find_map(|v| {
            let p = &inv.objects[v.object];
            if p.effective_namespace != o.effective_namespace || p.rejected.is_some() {
                return None;
            }
            let labels = v.labels(p);
            let mut differ = Vec::new();
            let mut missing = Vec::new();
            for (k, want) in &pairs {
                match labels.iter().find(|(lk, _)| lk == k) {
                    Some((_, have)) if have == want => {}
                    Some((_, have)) => differ.push(format!("it has {k}={have}")),
                    None => missing.push(format!("it lacks {k}")),
                }
            }
            let one = differ.len() + missing.len() == 1 && (pairs.len() >= 2 || differ.len() == 1);
            one.then(|| (p, differ.into_iter().chain(missing).collect::<String>()))
        });
        let Some((pod, how)) = near else { return };
        let wanted: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        out.push(cx.finding(
            &META,
            obj,
            &FieldPath::root().key("spec").key("selector"),
            format!(
                "Service {:?} selects {} and matches no pod of the input in namespace {:?}: {} {:?} misses it by one label ({how})",
                o.name,
                wanted.join(","),
                o.effective_namespace.as_deref().unwrap_or("default"),
                pod.kind,
                pod.name
            ),
            Some("make the selector match the labels of the intended pod template".into()),
        ));
    }
}
