use super::{req, sub, Capability, Req, FULL_CONTROL};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{Node, PodSpecView};
use mamori_rbac::{Grant, Policy, Request, UserInfo};

pub struct PodTokenGrantsRiskyPermission;
pub static CHECK: PodTokenGrantsRiskyPermission = PodTokenGrantsRiskyPermission;

/// What a stolen token could do, most dangerous first, with the finding's
/// severity when the account holds it cluster-wide and when only in its
/// namespace. The first one the account holds is reported.
pub(super) struct Attack {
    pub cap: Capability,
    pub cluster: Severity,
    pub namespace: Severity,
}

pub(super) static ATTACKS: &[Attack] = &[
    Attack {
        cap: FULL_CONTROL,
        cluster: Severity::Critical,
        namespace: Severity::High,
    },
    Attack {
        cap: Capability {
            requests: &[
                req("escalate", "rbac.authorization.k8s.io", "clusterroles", false),
                req("bind", "rbac.authorization.k8s.io", "clusterroles", true),
                req("escalate", "rbac.authorization.k8s.io", "roles", true),
                req("bind", "rbac.authorization.k8s.io", "roles", true),
                req("impersonate", "", "users", false),
                req("impersonate", "", "groups", false),
                req("impersonate", "", "serviceaccounts", true),
            ],
            does: "grant itself any permission (escalate, bind or impersonate)",
        },
        cluster: Severity::Critical,
        namespace: Severity::High,
    },
    Attack {
        cap: Capability {
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
        cluster: Severity::Critical,
        namespace: Severity::Critical,
    },
    Attack {
        cap: Capability {
            requests: &[sub("create", "pods", "exec"), sub("create", "pods", "attach")],
            does: "run commands in other pods",
        },
        cluster: Severity::Critical,
        namespace: Severity::High,
    },
    Attack {
        cap: Capability {
            requests: &[req("create", "", "pods", true)],
            does: "create pods (running as any service account there)",
        },
        cluster: Severity::Critical,
        namespace: Severity::High,
    },
    Attack {
        cap: Capability {
            requests: &[sub("create", "serviceaccounts", "token")],
            does: "mint tokens for other service accounts",
        },
        cluster: Severity::Critical,
        namespace: Severity::High,
    },
    Attack {
        cap: Capability {
            requests: &[req("list", "", "secrets", true), req("get", "", "secrets", true)],
            does: "read Secrets",
        },
        cluster: Severity::High,
        namespace: Severity::Medium,
    },
    Attack {
        cap: Capability {
            requests: &[req("delete", "", "pods", true)],
            does: "delete pods",
        },
        cluster: Severity::High,
        namespace: Severity::Medium,
    },
];

/// The most dangerous thing a service account's token allows.
pub(super) struct Power {
    /// Index into `ATTACKS`.
    pub attack: usize,
    /// Held cluster-wide (else only in the account's namespace).
    pub cluster: bool,
    /// binding -> role of the first grant.
    pub chain: String,
}

impl Power {
    pub fn severity(&self) -> Severity {
        let a = &ATTACKS[self.attack];
        if self.cluster {
            a.cluster
        } else {
            a.namespace
        }
    }

    /// "do anything, for example delete any pod, in the whole cluster".
    pub fn text(&self, ns: &str) -> String {
        let what = ATTACKS[self.attack].cap.does.trim_end_matches(',');
        if self.cluster {
            format!("{what} in the whole cluster")
        } else {
            format!("{what} in namespace {ns}")
        }
    }
}

/// What the token of ServiceAccount `ns/sa` can do, if anything dangerous.
pub(super) fn power_of(policy: &Policy, ns: &str, sa: &str) -> Option<Power> {
    let user = UserInfo::service_account(ns, sa);
    ATTACKS.iter().enumerate().find_map(|(i, a)| {
        holds(policy, &user, &a.cap, ns).map(|(g, cluster)| Power {
            attack: i,
            cluster,
            chain: g.chain(),
        })
    })
}

/// The service account a pod spec runs as (`serviceAccountName`, then the
/// deprecated `serviceAccount`, else `default`) and the field that names it.
pub(super) fn account_of(spec: &Node) -> (&str, Option<&'static str>) {
    for field in ["serviceAccountName", "serviceAccount"] {
        if let Some(name) = spec.field(field).and_then(Node::as_str).filter(|s| !s.is_empty()) {
            return (name, Some(field));
        }
    }
    ("default", None)
}

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

Its severity is the token's reach, not this check's ceiling (critical):

| the account may ... | cluster-wide | only in its namespace |
|---|---|---|
| do anything (`*` on `*`) | critical | high |
| escalate, bind or impersonate | critical | high |
| proxy to nodes (`nodes/proxy`) | critical | - |
| exec or attach into pods | critical | high |
| create pods | critical | high |
| mint service-account tokens | critical | high |
| read Secrets | high | medium |
| delete pods | high | medium |

A `.mamori.yaml` `severity:` entry for `RBAC014` still overrides them all.

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
pub(super) fn mounts_token(spec: &Node, account: Option<&Node>) -> bool {
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
fn holds(policy: &Policy, user: &UserInfo, cap: &Capability, ns: &str) -> Option<(Grant, bool)> {
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
        let (sa, sa_field) = account_of(spec);
        let account = cx.inventory.get("ServiceAccount", ns, sa).map(|a| &a.stored);
        if !mounts_token(spec, account) {
            return;
        }
        let policy = super::policy(cx);
        let Some(power) = power_of(&policy, ns, sa) else { return };
        let place = if o.kind == "Pod" {
            format!("`{}`", o.name)
        } else {
            format!("a pod of {} {}", o.kind, o.name)
        };
        let path = match sa_field {
            Some(f) => view.spec_path.key(f),
            None => view.spec_path.clone(),
        };
        let mut f = cx.finding(
            &META,
            view.object,
            &path,
            format!(
                "a shell in {place} can {} with the mounted token of ServiceAccount {ns}/{sa} ({sa} -> {})",
                power.text(ns),
                power.chain
            ),
            Some(
                "run it as a service account with only the permissions it uses, or set `automountServiceAccountToken: false` if it does not call the API"
                    .into(),
            ),
        );
        f.severity = power.severity();
        out.push(f);
    }
}
