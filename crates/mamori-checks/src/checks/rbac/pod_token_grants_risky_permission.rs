use super::{req, sub, Capability, Req, FULL_CONTROL};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{Node, PodSpecView};
use mamori_rbac::{Grant, Request, UserInfo};

pub struct PodTokenGrantsRiskyPermission;
pub static CHECK: PodTokenGrantsRiskyPermission = PodTokenGrantsRiskyPermission;

/// What a stolen token could do, most dangerous first; the first one the
/// account holds is reported.
static ATTACKS: &[Capability] = &[
    FULL_CONTROL,
    Capability {
        requests: &[
            req("escalate", "rbac.authorization.k8s.io", "clusterroles", false),
            req("bind", "rbac.authorization.k8s.io", "clusterroles", true),
            req("impersonate", "", "users", false),
            req("impersonate", "", "groups", false),
            req("impersonate", "", "serviceaccounts", true),
        ],
        does: "grant itself any permission (escalate, bind or impersonate)",
    },
    Capability {
        requests: &[
            Req {
                verb: "create",
                group: "",
                resource: "nodes",
                subresource: "proxy",
                namespaced: false,
            },
            Req {
                verb: "get",
                group: "",
                resource: "nodes",
                subresource: "proxy",
                namespaced: false,
            },
        ],
        does: "run commands on nodes through nodes/proxy",
    },
    Capability {
        requests: &[sub("create", "pods", "exec"), sub("create", "pods", "attach")],
        does: "run commands in other pods",
    },
    Capability {
        requests: &[req("create", "", "pods", true)],
        does: "create pods (running as any service account there)",
    },
    Capability {
        requests: &[sub("create", "serviceaccounts", "token")],
        does: "mint tokens for other service accounts",
    },
    Capability {
        requests: &[req("list", "", "secrets", true), req("get", "", "secrets", true)],
        does: "read Secrets",
    },
    Capability {
        requests: &[req("delete", "", "pods", true)],
        does: "delete pods",
    },
];

static META: CheckMeta = CheckMeta {
    code: "RBAC014",
    name: "pod-token-grants-risky-permission",
    title: "Pod mounts a service-account token with a dangerous permission",
    severity: Severity::Critical,
    selects: Selects::PodSpecs,
    mappings: &[
        "NSA/CISA: disable service-account token automount",
        "CIS Kubernetes 5.1.6",
        "MITRE ATT&CK T1528 (Steal Application Access Token)",
    ],
    course: Some("ex1-0 (a shell in curl deletes nginx with the mounted sa-admin token)"),
    doc: r#"## What it finds
A pod (or workload template) that mounts a service-account token, because
`automountServiceAccountToken` is not `false` on the pod nor on its service
account (or a projected token volume asks for one), while that account may do
something dangerous: anything at all, escalate or impersonate, proxy to
nodes, exec into or create pods, mint tokens, read Secrets or delete pods.
The finding names the permission, where it holds, and the chain behind it.

## Why it matters
The token is a file in every container of the pod
(`/var/run/secrets/kubernetes.io/serviceaccount/token`). Whoever gets a shell
in the pod, through a bug in the application or a compromised image, can call
the API server with it. This is the course's first lesson: with `sa-admin`
bound to `cluster-admin`, a shell in `curl` deletes `nginx`.

## Example
```yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: sa-admin
  namespace: shop
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: sa-admin-binding
subjects:
- kind: ServiceAccount
  name: sa-admin
  namespace: shop
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
---
apiVersion: v1
kind: Pod
metadata:
  name: curl
  namespace: shop
spec:
  serviceAccountName: sa-admin
  containers:
  - name: curl
    image: curlimages/curl:8.10.1
```

## Use instead
```yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: curl
  namespace: shop
automountServiceAccountToken: false
---
apiVersion: v1
kind: Pod
metadata:
  name: curl
  namespace: shop
spec:
  serviceAccountName: curl
  containers:
  - name: curl
    image: curlimages/curl:8.10.1
```

## Fix
Give the pod its own service account with only the permissions it uses
(often none), and set `automountServiceAccountToken: false` on the pod or the
account when it does not call the API. Not safe to apply blindly: a pod that
does call the API stops working.

## References
- Service account tokens: <https://kubernetes.io/docs/concepts/security/service-accounts/#service-account-tokens>
- RBAC good practices: <https://kubernetes.io/docs/concepts/security/rbac-good-practices/>
"#,
};

/// Whether the pod gets a token: the pod's `automountServiceAccountToken`
/// wins, then the account's; a projected `serviceAccountToken` volume
/// mounts one regardless.
fn mounts_token(spec: &Node, account: Option<&Node>) -> bool {
    let projected = spec
        .get("volumes")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .any(|v| {
            v.get("projected")
                .and_then(|p| p.get("sources"))
                .and_then(Node::as_seq)
                .is_some_and(|s| s.iter().any(|src| src.field("serviceAccountToken").is_some()))
        });
    let auto = spec
        .get("automountServiceAccountToken")
        .and_then(Node::as_bool)
        .or_else(|| account.and_then(|a| a.get("automountServiceAccountToken").and_then(Node::as_bool)))
        .unwrap_or(true);
    auto || projected
}

/// The first grant of the capability: cluster-wide first, then in `ns`.
fn holds(policy: &mamori_rbac::Policy, user: &UserInfo, cap: &Capability, ns: &str) -> Option<(Grant, bool)> {
    for cluster in [true, false] {
        for r in cap.requests.iter().filter(|r| cluster || r.namespaced) {
            let mut q: Request = r.request();
            if !cluster {
                q = q.in_namespace(ns);
            }
            if let Some(g) = policy.can_i(user, &q).reasons.into_iter().next() {
                return Some((g, cluster));
            }
        }
    }
    None
}

impl Check for PodTokenGrantsRiskyPermission {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pod_spec(&self, cx: &Context, view: &PodSpecView, out: &mut Vec<Finding>) {
        let o = &cx.inventory.objects[view.object];
        let Some(spec) = view.spec(o) else { return };
        let Some(ns) = o.effective_namespace.as_deref() else {
            return;
        };
        let sa_field = if spec.field("serviceAccountName").is_some() {
            "serviceAccountName"
        } else {
            "serviceAccount"
        };
        let sa = spec
            .field(sa_field)
            .and_then(Node::as_str)
            .filter(|s| !s.is_empty())
            .unwrap_or("default");
        let account = cx.inventory.get("ServiceAccount", ns, sa).map(|a| &a.stored);
        if !mounts_token(spec, account) {
            return;
        }
        let policy = super::policy(cx);
        let user = UserInfo::service_account(ns, sa);
        for cap in ATTACKS {
            let Some((g, cluster)) = holds(&policy, &user, cap, ns) else {
                continue;
            };
            let scope = if cluster {
                "in the whole cluster".to_string()
            } else {
                format!("in namespace {ns}")
            };
            let place = if o.kind == "Pod" {
                format!("`{}`", o.name)
            } else {
                format!("a pod of {} {}", o.kind, o.name)
            };
            let what = cap.does.trim_end_matches(',');
            let path = if spec.field(sa_field).is_some() {
                view.spec_path.key(sa_field)
            } else {
                view.spec_path.clone()
            };
            out.push(cx.finding(
                &META,
                view.object,
                &path,
                format!(
                    "a shell in {place} can {what} {scope} with the mounted token of ServiceAccount {ns}/{sa} ({sa} -> {})",
                    g.chain()
                ),
                Some(
                    "run it as a service account with only the permissions it uses, or set `automountServiceAccountToken: false` if it does not call the API"
                        .into(),
                ),
            ));
            return;
        }
    }
}
