use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::FieldPath;

pub struct LongLivedServiceAccountToken;
pub static CHECK: LongLivedServiceAccountToken = LongLivedServiceAccountToken;

static META: CheckMeta = CheckMeta {
    code: "SEC007",
    name: "long-lived-service-account-token",
    title: "Long-lived service account token Secret",
    severity: Severity::Medium,
    selects: Selects::Objects(&["Secret"]),
    mappings: &[
        "NSA/CISA: limit service account token use",
        "CIS Kubernetes 5.1.6 (ensure service account tokens are only mounted where necessary)",
        "MITRE ATT&CK T1528 (Steal Application Access Token)",
    ],
    course: None,
    doc: r#"## What it finds
A Secret of type `kubernetes.io/service-account-token`: the token
controller fills it with a token for the service account named in its
`kubernetes.io/service-account.name` annotation.

## Why it matters
That token never expires and is not bound to a pod: it stays valid until
the Secret or the service account is deleted, wherever it was copied to
(a CI system, a laptop, a log). Since Kubernetes 1.24 no such Secrets are
created automatically, and clusters clean up unused ones (1.29+); pods get
short-lived, audience-bound tokens from the TokenRequest API through
projected volumes, rotated by the kubelet.

## Example
```yaml
apiVersion: v1
kind: Secret
metadata:
  name: ci-token
  annotations:
    kubernetes.io/service-account.name: ci
type: kubernetes.io/service-account-token
```

## Use instead
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  serviceAccountName: ci
  containers:
  - name: app
    image: registry.example/app:1.0
    volumeMounts:
    - name: token
      mountPath: /var/run/secrets/tokens
      readOnly: true
  volumes:
  - name: token
    projected:
      sources:
      - serviceAccountToken:
          path: token
          audience: api
          expirationSeconds: 3600
```

## Fix
Delete the Secret; give pods projected tokens (automatic, or a
`serviceAccountToken` projection with an audience and expiry), and give
clients outside the cluster short-lived tokens with `kubectl create token
NAME --duration=1h` or workload identity federation. Not applied
automatically.

## References
- Service account tokens: <https://kubernetes.io/docs/concepts/security/service-accounts/#get-a-token>
- Manually create a long-lived API token (and why not to): <https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#manually-create-an-api-token-for-a-serviceaccount>
- Legacy service account token cleaner: <https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#legacy-serviceaccount-token-cleaner>
"#,
};

impl Check for LongLivedServiceAccountToken {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        let o = &cx.inventory.objects[obj];
        if o.rejected.is_some() || o.stored.str_field("type") != Some("kubernetes.io/service-account-token") {
            return;
        }
        let sa = o
            .annotation("kubernetes.io/service-account.name")
            .map(|n| format!("service account {n:?}"))
            .unwrap_or_else(|| "a service account".into());
        out.push(cx.finding(
            &META,
            obj,
            &FieldPath::root().key("type"),
            format!(
                "Secret {:?} holds a non-expiring token for {sa}: valid until the Secret is deleted, wherever it is copied",
                o.name
            ),
            Some(
                "delete this Secret; use projected service account tokens in pods, and `kubectl create token NAME --duration=1h` outside the cluster"
                    .into(),
            ),
        ));
    }
}
