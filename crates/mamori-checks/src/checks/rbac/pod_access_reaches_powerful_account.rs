use super::pod_token_grants_risky_permission::{account_of, mounts_token, power_of, Power};
use super::{req, sub, Capability, FULL_CONTROL};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{FieldPath, Inventory};
use mamori_rbac::Policy;
use std::collections::BTreeMap;

pub struct PodAccessReachesPowerfulAccount;
pub static CHECK: PodAccessReachesPowerfulAccount = PodAccessReachesPowerfulAccount;

/// Running commands in the pods that are already there.
static EXEC: Capability = Capability {
    requests: &[
        sub("create", "pods", "exec"),
        sub("get", "pods", "exec"),
        sub("create", "pods", "attach"),
        sub("get", "pods", "attach"),
        sub("patch", "pods", "ephemeralcontainers"),
        sub("update", "pods", "ephemeralcontainers"),
    ],
    does: "run commands in pods",
};

/// Making a pod that names any service account of the namespace.
static CREATE: Capability = Capability {
    requests: &[
        req("create", "", "pods", true),
        req("create", "apps", "deployments", true),
        req("create", "apps", "daemonsets", true),
        req("create", "apps", "statefulsets", true),
        req("create", "apps", "replicasets", true),
        req("create", "batch", "jobs", true),
        req("create", "batch", "cronjobs", true),
        req("create", "", "replicationcontrollers", true),
    ],
    does: "create pods",
};

static META: CheckMeta = CheckMeta {
    code: "RBAC015",
    name: "pod-access-reaches-powerful-account",
    title: "Subject can exec into or create pods where a powerful service account runs",
    severity: Severity::Critical,
    selects: Selects::Objects(&["RoleBinding", "ClusterRoleBinding"]),
    mappings: &[
        "MITRE ATT&CK T1609 (Container Administration Command)",
        "MITRE ATT&CK T1528 (Steal Application Access Token)",
        "CIS Kubernetes 5.1.4",
    ],
    course: Some("ex1-0 (whoever can exec into curl holds sa-admin's cluster-admin)"),
    doc: r#"## What it finds
The second attack path: a binding that lets a person or workload exec into,
attach to or debug pods (`pods/exec`, `pods/attach`,
`pods/ephemeralcontainers`), or create pods or workloads, in a namespace that
runs a powerful service account. Powerful means its token may do something
dangerous cluster-wide (the list of RBAC014), or anything, escalate, bind or
impersonate in its own namespace.

- exec, attach or debug: a pod in the namespace mounts that account's token;
- create: the account exists there (declared, used by a workload, or
  `default`), since a new pod may name any service account of its namespace
  and mount its token.

The finding names the subjects, the chain that lets them in, the account they
reach, what its token can do and the chain behind that. Its severity is the
reached account's (the scale of RBAC014). Bindings that already give full
control are left to RBAC001.

## Why it matters
Permissions are transitive through pods. A developer allowed to `kubectl
exec` in `shop` holds, through the token in `/var/run/secrets`, whatever the
service accounts of `shop`'s pods hold: with `sa-admin` bound to
`cluster-admin` there, "exec in one namespace" is "admin of the cluster".

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
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: debugger
  namespace: shop
rules:
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list"]
- apiGroups: [""]
  resources: ["pods/exec"]
  verbs: ["create"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: dev-debugger
  namespace: shop
subjects:
- kind: User
  name: dev
  apiGroup: rbac.authorization.k8s.io
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: debugger
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
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: debugger
  namespace: shop
rules:
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list"]
- apiGroups: [""]
  resources: ["pods/exec"]
  verbs: ["create"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: dev-debugger
  namespace: shop
subjects:
- kind: User
  name: dev
  apiGroup: rbac.authorization.k8s.io
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: debugger
```

## Fix
Cut the powerful account down first (RBAC014 names it): give it only what
its workload uses, or move the workload to a namespace of its own where
nobody else may exec or create pods. Otherwise drop `pods/exec`,
`pods/attach`, `pods/ephemeralcontainers` and pod creation from the binding.
Not safe to apply blindly.

## References
- RBAC good practices, workload creation: <https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation>
- Service account tokens: <https://kubernetes.io/docs/concepts/security/service-accounts/#service-account-tokens>
"#,
};

/// A powerful account and how to reach it.
struct Target {
    sa: String,
    /// For a mounted token: the pod that mounts it (`pod curl`,
    /// `Deployment web`); `None` for an account a new pod could name.
    pod: Option<String>,
    power: Power,
}

/// Per namespace, the powerful accounts whose tokens are mounted by a pod
/// there, and the powerful accounts that exist there; built once per
/// inventory.
#[derive(Default)]
struct Targets {
    mounted: BTreeMap<String, Vec<Target>>,
    existing: BTreeMap<String, Vec<Target>>,
}

/// Powerful enough to be worth reaching: a dangerous permission
/// cluster-wide, or full control or escalation in its own namespace
/// (anything less is what exec or create in that namespace gives anyway).
fn powerful(policy: &Policy, ns: &str, sa: &str) -> Option<Power> {
    power_of(policy, ns, sa).filter(|p| p.cluster || p.attack <= 1)
}

fn targets(inv: &Inventory, policy: &Policy) -> Targets {
    let mut t = Targets::default();
    let mut accounts: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    for o in inv
        .objects
        .iter()
        .filter(|o| o.kind == "ServiceAccount" && o.rejected.is_none())
    {
        if let Some(ns) = &o.effective_namespace {
            accounts.entry(ns.clone()).or_default().insert(o.name.clone());
        }
    }
    for view in &inv.pod_specs {
        let o = &inv.objects[view.object];
        let (Some(ns), None) = (o.effective_namespace.as_deref(), &o.rejected) else {
            continue;
        };
        let Some(spec) = view.spec(o) else { continue };
        let (sa, _) = account_of(spec);
        let names = accounts.entry(ns.to_string()).or_default();
        names.insert("default".into());
        names.insert(sa.to_string());
        let account = inv.get("ServiceAccount", ns, sa).map(|a| &a.stored);
        if !mounts_token(spec, account) {
            continue;
        }
        if let Some(power) = powerful(policy, ns, sa) {
            let pod = if o.kind == "Pod" {
                format!("pod {}", o.name)
            } else {
                format!("{} {}", o.kind, o.name)
            };
            t.mounted.entry(ns.to_string()).or_default().push(Target {
                sa: sa.to_string(),
                pod: Some(pod),
                power,
            });
        }
    }
    for (ns, names) in &accounts {
        for sa in names {
            if let Some(power) = powerful(policy, ns, sa) {
                t.existing.entry(ns.clone()).or_default().push(Target {
                    sa: sa.clone(),
                    pod: None,
                    power,
                });
            }
        }
    }
    // Most dangerous first, then cluster-wide first; stable otherwise.
    for list in t.mounted.values_mut().chain(t.existing.values_mut()) {
        list.sort_by_key(|x| (x.power.attack, !x.power.cluster));
    }
    t
}

impl Check for PodAccessReachesPowerfulAccount {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        let Some(b) = super::binding_view(cx, obj) else { return };
        let subjects = b.non_system_subjects();
        if subjects.is_empty() || b.first_match(&FULL_CONTROL).is_some() {
            return;
        }
        let t = cx.inventory.derived(|inv| targets(inv, &super::policy(cx)));
        let in_scope = |ns: &str| b.cluster || b.namespace.as_deref() == Some(ns);
        // The worst reachable account over every namespace the binding covers;
        // a subject that is the account itself gains nothing.
        let mut best: Option<(&Target, &str, &Capability, usize, &mamori_rbac::PolicyRule)> = None;
        let mut namespaces = std::collections::BTreeSet::new();
        for (cap, map) in [(&EXEC, &t.mounted), (&CREATE, &t.existing)] {
            let Some((i, rule)) = b.first_match(cap) else { continue };
            for (ns, list) in map.iter().filter(|(ns, _)| in_scope(ns)) {
                let reachable = list.iter().find(|x| {
                    !subjects.iter().all(|s| {
                        s.kind == mamori_rbac::SubjectKind::ServiceAccount
                            && s.name == x.sa
                            && s.namespace.as_deref() == Some(ns.as_str())
                    })
                });
                let Some(x) = reachable else { continue };
                namespaces.insert(ns.as_str());
                let better = match best {
                    None => true,
                    Some((y, ..)) => (x.power.attack, !x.power.cluster) < (y.power.attack, !y.power.cluster),
                };
                if better {
                    best = Some((x, ns.as_str(), cap, i, rule));
                }
            }
        }
        let Some((x, ns, cap, i, rule)) = best else { return };
        let how = match &x.pod {
            Some(pod) => format!("{pod} there mounts the token of ServiceAccount {ns}/{}", x.sa),
            None => format!("a new pod there may run as ServiceAccount {ns}/{}", x.sa),
        };
        let more = match namespaces.len() {
            0 | 1 => String::new(),
            n => format!("; {} more namespace(s) are reachable the same way", n - 1),
        };
        let mut f = cx.finding(
            &META,
            obj,
            &FieldPath::parse("roleRef.name").expect("static path"),
            format!(
                "{} can {} in namespace {ns} ({} -> {} -> rules[{i}] {}): {how}, which can {} ({} -> {}){more}",
                super::subject_list(&subjects),
                cap.does,
                b.binding_text(),
                b.role_text(),
                mamori_rbac::rule_text(rule),
                x.power.text(ns),
                x.sa,
                x.power.chain
            ),
            Some(format!(
                "cut ServiceAccount {ns}/{} down to what its workload uses (see RBAC014), or take the right to {} in namespace {ns} away from this binding",
                x.sa, cap.does
            )),
        );
        f.severity = x.power.severity();
        out.push(f);
    }
}
