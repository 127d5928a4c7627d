use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::FieldPath;

pub struct CronjobConcurrentRuns;
pub static CHECK: CronjobConcurrentRuns = CronjobConcurrentRuns;

static META: CheckMeta = CheckMeta {
    code: "POD033",
    name: "cronjob-concurrent-runs",
    title: "CronJob allows concurrent runs",
    severity: Severity::Low,
    selects: Selects::Objects(&["CronJob"]),
    mappings: &[
        "NSA/CISA: use resource limits to prevent denial of service",
        "MITRE ATT&CK T1499 (endpoint denial of service)",
    ],
    course: None,
    doc: r#"## What it finds
A CronJob whose `spec.concurrencyPolicy` is `Allow`, written or by default
(the field is unset).

## Why it matters
With `Allow` the CronJob controller starts a new Job at every schedule even
while earlier runs are still going. A run that hangs or slows down (a lock,
a slow dependency, more data than usual) is joined by another one at each
tick: the Jobs pile up, compete for the same data and take the namespace's
quota or the node's capacity. `Forbid` skips a run while one is active;
`Replace` stops the old run for the new one.

## Example
```yaml
apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
  namespace: shop
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: report
            image: registry.example/report:1.0
```

## Use instead
```yaml
apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
  namespace: shop
spec:
  schedule: "*/5 * * * *"
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      activeDeadlineSeconds: 240
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: report
            image: registry.example/report:1.0
```

## Fix
Set `concurrencyPolicy: Forbid` (or `Replace` when only the newest run
matters), and bound each run with `jobTemplate.spec.activeDeadlineSeconds`.
`mamori fix` applies this only with --unsafe-fixes: it sets
`concurrencyPolicy: Forbid`, which makes a job meant to overlap skip runs.

## References
- CronJob concurrency policy: <https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#concurrency-policy>
"#,
};

impl Check for CronjobConcurrentRuns {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        let o = &cx.inventory.objects[obj];
        if o.rejected.is_some() {
            return;
        }
        let Some(spec) = o.stored.get("spec") else { return };
        let policy = spec.field("concurrencyPolicy").and_then(|p| p.as_str());
        if policy.is_some_and(|p| p != "Allow") {
            return;
        }
        let (field, how) = match policy {
            Some(_) => (FieldPath::root().key("spec").key("concurrencyPolicy"), "is Allow"),
            None => (FieldPath::root().key("spec"), "is unset (Allow)"),
        };
        out.push(cx.finding(
            &META,
            obj,
            &field,
            format!(
                "CronJob {:?}: concurrencyPolicy {how}: a run that hangs is joined by a new one at every schedule",
                o.name
            ),
            Some("set `concurrencyPolicy: Forbid` (or `Replace`) and bound runs with `activeDeadlineSeconds`".into()),
        ));
    }
}
