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
label: it has every key and one value differs by a typo (at most two
edits, and no more than a third of the value: `app: web` against `app:
wbe`, not `v1` against `v2`), or, for a selector of two labels or more, it
matches all values but lacks one key. Services whose selector resembles no pod of the input are
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
                    Some((_, have)) if is_typo(have, want) => differ.push(format!("it has {k}={have}")),
                    // A different value, not a slip of the keyboard: another workload.
                    Some(_) => return None,
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

/// Whether `a` and `b` differ by a slip of the keyboard: an optimal string
/// alignment distance (insertions, deletions, substitutions, adjacent
/// transpositions) of at most 2 and at most a third of the shorter value.
pub fn is_typo(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let shorter = a.len().min(b.len());
    if a == b || a.len().abs_diff(b.len()) > 2 {
        return false;
    }
    // d[i][j]: distance between a[..i] and b[..j].
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    let dist = d[a.len()][b.len()];
    dist <= 2 && dist * 3 <= shorter
}

#[cfg(test)]
mod tests {
    use super::is_typo;

    #[test]
    fn typos_are_small_edits_of_long_enough_values() {
        assert!(is_typo("wbe", "web"));
        assert!(is_typo("frontned", "frontend"));
        assert!(is_typo("checkout", "checkuot"));
        assert!(!is_typo("v1", "v2"));
        assert!(!is_typo("web", "web"));
        assert!(!is_typo("gpu-dcgm-exporter", "blackbox-exporter"));
        assert!(!is_typo("vtgate", "guestbook"));
    }
}
