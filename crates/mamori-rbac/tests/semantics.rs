//! One test per authorizer rule, on small inline fixtures (no shared data).

use mamori_rbac::{matching, Bootstrap, IssueEffect, Options, Policy, PolicyRule, Request, Scope, Subject, UserInfo};
use serde_json::{json, Value};

fn bare(objs: &[Value]) -> Policy {
    Policy::from_values(
        objs,
        Options {
            bootstrap: Bootstrap::Off,
            ..Options::default()
        },
    )
}

fn cluster_role(name: &str, rules: Value) -> Value {
    json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
           "metadata": {"name": name}, "rules": rules})
}

fn role(ns: &str, name: &str, rules: Value) -> Value {
    json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
           "metadata": {"name": name, "namespace": ns}, "rules": rules})
}

fn crb(name: &str, role: &str, subjects: Value) -> Value {
    json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
           "metadata": {"name": name}, "subjects": subjects,
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role}})
}

fn rb(ns: &str, name: &str, kind: &str, role: &str, subjects: Value) -> Value {
    json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
           "metadata": {"name": name, "namespace": ns}, "subjects": subjects,
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": kind, "name": role}})
}

fn alice() -> UserInfo {
    UserInfo::impersonate("alice", &[])
}

fn allow(rule: PolicyRule, req: &Request) -> bool {
    matching::rule_allows(&rule, req)
}

#[test]
fn verbs_and_groups_and_wildcards() {
    let r = PolicyRule::resource(&["apps"], &["deployments"], &["get"]);
    assert!(allow(r.clone(), &Request::resource("get", "apps", "deployments")));
    assert!(!allow(r.clone(), &Request::resource("list", "apps", "deployments")));
    assert!(!allow(r, &Request::resource("get", "extensions", "deployments")));
    let any = PolicyRule::resource(&["*"], &["*"], &["*"]);
    assert!(allow(
        any.clone(),
        &Request::resource("escalate", "rbac.authorization.k8s.io", "clusterroles")
    ));
    // `*` resource covers subresources too.
    assert!(allow(any, &Request::resource("create", "", "pods").subresource("exec")));
    // The core group is "", not "*".
    assert!(!allow(
        PolicyRule::resource(&[""], &["*"], &["get"]),
        &Request::resource("get", "apps", "deployments")
    ));
}

#[test]
fn subresources_are_separate_resources() {
    let pods = PolicyRule::resource(&[""], &["pods"], &["get"]);
    assert!(allow(pods.clone(), &Request::resource("get", "", "pods")));
    assert!(!allow(pods, &Request::resource("get", "", "pods").subresource("log")));
    let log = PolicyRule::resource(&[""], &["pods/log"], &["get"]);
    assert!(allow(
        log.clone(),
        &Request::resource("get", "", "pods").subresource("log")
    ));
    assert!(!allow(log, &Request::resource("get", "", "pods")));
    // `*/scale` grants the scale subresource of anything, and nothing else.
    let scale = PolicyRule::resource(&["*"], &["*/scale"], &["update"]);
    assert!(allow(
        scale.clone(),
        &Request::resource("update", "apps", "deployments").subresource("scale")
    ));
    assert!(!allow(
        scale.clone(),
        &Request::resource("update", "apps", "deployments")
    ));
    assert!(!allow(
        scale,
        &Request::resource("update", "apps", "deployments").subresource("status")
    ));
}

#[test]
fn resource_names_need_a_named_request() {
    let r = PolicyRule::resource(
        &[""],
        &["secrets"],
        &["get", "list", "watch", "create", "delete", "deletecollection"],
    )
    .with_names(&["db"]);
    assert!(allow(r.clone(), &Request::resource("get", "", "secrets").named("db")));
    assert!(allow(
        r.clone(),
        &Request::resource("delete", "", "secrets").named("db")
    ));
    assert!(!allow(
        r.clone(),
        &Request::resource("get", "", "secrets").named("other")
    ));
    // Requests that carry no name are never granted by a resourceNames rule.
    for verb in ["create", "list", "watch", "deletecollection"] {
        assert!(!allow(r.clone(), &Request::resource(verb, "", "secrets")), "{verb}");
    }
}

#[test]
fn non_resource_urls_and_prefixes() {
    let r = PolicyRule::non_resource(&["/apis/*", "/healthz", "/logs**"], &["get"]);
    assert!(allow(r.clone(), &Request::non_resource("get", "/apis/apps/v1")));
    assert!(!allow(r.clone(), &Request::non_resource("get", "/apis")));
    assert!(allow(r.clone(), &Request::non_resource("get", "/healthz")));
    assert!(!allow(r.clone(), &Request::non_resource("get", "/healthz/etcd")));
    assert!(allow(r.clone(), &Request::non_resource("get", "/logs/x")));
    assert!(!allow(r.clone(), &Request::non_resource("post", "/healthz")));
    // Resource rules never match non-resource requests and vice versa.
    assert!(!allow(
        PolicyRule::resource(&["*"], &["*"], &["*"]),
        &Request::non_resource("get", "/healthz")
    ));
    assert!(!allow(r, &Request::resource("get", "", "healthz")));
}

#[test]
fn non_resource_urls_only_through_cluster_role_bindings() {
    let objs = [
        cluster_role("metrics", json!([{"nonResourceURLs": ["/metrics"], "verbs": ["get"]}])),
        rb(
            "team",
            "metrics",
            "ClusterRole",
            "metrics",
            json!([{"kind": "User", "name": "alice"}]),
        ),
    ];
    let p = bare(&objs);
    assert!(!p.can_i(&alice(), &Request::non_resource("get", "/metrics")).allowed);
    let p = bare(&[
        objs[0].clone(),
        crb("metrics", "metrics", json!([{"kind": "User", "name": "alice"}])),
    ]);
    assert!(p.can_i(&alice(), &Request::non_resource("get", "/metrics")).allowed);
}

#[test]
fn rolebinding_to_cluster_role_is_namespace_scoped() {
    let p = bare(&[
        cluster_role(
            "reader",
            json!([{"apiGroups": [""], "resources": ["pods", "nodes"], "verbs": ["get"]}]),
        ),
        rb(
            "team",
            "read",
            "ClusterRole",
            "reader",
            json!([{"kind": "User", "name": "alice"}]),
        ),
    ]);
    let get = |ns: Option<&str>, res: &str| {
        let mut r = Request::resource("get", "", res);
        r.namespace = ns.map(str::to_string);
        p.can_i(&alice(), &r).allowed
    };
    assert!(get(Some("team"), "pods"));
    assert!(!get(Some("other"), "pods"));
    assert!(!get(None, "pods"), "all namespaces at once");
    assert!(!get(None, "nodes"), "cluster-scoped");
    let d = p.can_i(&alice(), &Request::resource("get", "", "pods").in_namespace("team"));
    assert_eq!(d.reasons[0].role.name, "reader");
    assert_eq!(d.reasons[0].binding.namespace.as_deref(), Some("team"));
}

#[test]
fn role_refs_resolve_in_the_binding_namespace_and_missing_roles_grant_nothing() {
    let p = bare(&[
        role(
            "a",
            "r",
            json!([{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]),
        ),
        rb("b", "rb", "Role", "r", json!([{"kind": "User", "name": "alice"}])),
        rb("a", "rb", "Role", "r", json!([{"kind": "User", "name": "alice"}])),
    ]);
    assert!(
        p.can_i(&alice(), &Request::resource("get", "", "pods").in_namespace("a"))
            .allowed
    );
    assert!(
        !p.can_i(&alice(), &Request::resource("get", "", "pods").in_namespace("b"))
            .allowed
    );
    assert!(p.issues().iter().any(|i| i.namespace.as_deref() == Some("b")
        && i.effect == IssueEffect::Note
        && i.message.contains("does not exist")));
}

#[test]
fn service_account_subjects() {
    let rules = json!([{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}]);
    let p = bare(&[
        role("apps", "cm", rules.clone()),
        // No namespace: the binding's namespace.
        rb(
            "apps",
            "local",
            "Role",
            "cm",
            json!([{"kind": "ServiceAccount", "name": "web"}]),
        ),
        role("other", "cm", rules),
        rb(
            "other",
            "remote",
            "Role",
            "cm",
            json!([{"kind": "ServiceAccount", "name": "web", "namespace": "apps"}]),
        ),
    ]);
    let web = UserInfo::service_account("apps", "web");
    let cm = |ns| Request::resource("get", "", "configmaps").in_namespace(ns);
    assert!(p.can_i(&web, &cm("apps")).allowed);
    assert!(
        p.can_i(&web, &cm("other")).allowed,
        "explicit namespace across namespaces"
    );
    assert!(
        !p.can_i(&UserInfo::service_account("other", "web"), &cm("other"))
            .allowed
    );
    let who = p.who_can(&cm("apps"), &Scope::Namespace("apps".into()));
    assert!(who.iter().any(|w| w.subject == Subject::service_account("apps", "web")));
    // A ServiceAccount subject of a ClusterRoleBinding needs a namespace.
    let p = bare(&[crb("x", "cm", json!([{"kind": "ServiceAccount", "name": "web"}]))]);
    assert!(p
        .issues()
        .iter()
        .any(|i| i.field == "subjects[0].namespace" && i.effect == IssueEffect::Rejected));
}

#[test]
fn implicit_groups() {
    let sa = UserInfo::service_account("ns1", "build");
    assert_eq!(sa.name, "system:serviceaccount:ns1:build");
    assert_eq!(
        sa.groups,
        [
            "system:serviceaccounts",
            "system:serviceaccounts:ns1",
            "system:authenticated"
        ]
    );
    assert_eq!(
        UserInfo::impersonate("system:serviceaccount:ns1:build", &[]).groups,
        sa.groups
    );
    assert_eq!(UserInfo::impersonate("bob", &[]).groups, ["system:authenticated"]);
    assert_eq!(
        UserInfo::impersonate("bob", &["dev"]).groups,
        ["dev", "system:authenticated"]
    );
    assert_eq!(
        UserInfo::impersonate("system:anonymous", &[]).groups,
        ["system:unauthenticated"]
    );
    assert_eq!(UserInfo::anonymous().groups, ["system:unauthenticated"]);

    let read = json!([{"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]}]);
    let p = bare(&[
        cluster_role("r", read),
        crb(
            "all-sa",
            "r",
            json!([{"kind": "Group", "name": "system:serviceaccounts:ns1"}]),
        ),
        crb(
            "anon",
            "r",
            json!([{"kind": "Group", "name": "system:unauthenticated"}]),
        ),
    ]);
    let list = Request::resource("list", "", "pods");
    assert!(p.can_i(&sa, &list).allowed);
    assert!(!p.can_i(&UserInfo::service_account("ns2", "build"), &list).allowed);
    assert!(p.can_i(&UserInfo::anonymous(), &list).allowed);
    assert!(!p.can_i(&UserInfo::impersonate("bob", &[]), &list).allowed);
}

#[test]
fn system_masters_bypasses_rbac() {
    let p = bare(&[]);
    let admin = UserInfo::impersonate("root", &["system:masters"]);
    let d = p.can_i(&admin, &Request::resource("delete", "", "nodes"));
    assert!(d.allowed && d.reasons.is_empty());
    assert_eq!(d.privileged_group.as_deref(), Some("system:masters"));
    let who = p.who_can(&Request::non_resource("get", "/x"), &Scope::Cluster);
    assert_eq!(who.len(), 1);
    assert!(who[0].privileged);
}

#[test]
fn aggregation_unions_selected_roles_to_a_fixed_point() {
    let lbl = |k: &str| json!({k: "true"});
    let mk = |name: &str, labels: Value, agg: Option<&str>, rules: Value| {
        let mut v = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": name, "labels": labels}, "rules": rules});
        if let Some(sel) = agg {
            v["aggregationRule"] = json!({"clusterRoleSelectors": [{"matchLabels": {sel: "true"}}]});
        }
        v
    };
    let get = json!([{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]);
    let p = bare(&[
        mk(
            "top",
            json!({}),
            Some("to-top"),
            json!([{"apiGroups": ["x"], "resources": ["ignored"], "verbs": ["get"]}]),
        ),
        mk("mid", lbl("to-top"), Some("to-mid"), json!(null)),
        mk("leaf", lbl("to-mid"), None, get.clone()),
        mk("leaf2", lbl("to-top"), None, get),
        mk(
            "expr",
            json!({"tier": "gold"}),
            None,
            json!([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]),
        ),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "byexpr"},
               "aggregationRule": {"clusterRoleSelectors": [{"matchExpressions": [{"key": "tier", "operator": "In", "values": ["gold"]}]}]}}),
    ]);
    // Own rules are replaced; duplicates dropped; transitive through `mid`.
    let top = p.cluster_role("top").unwrap();
    assert_eq!(top.rules, vec![PolicyRule::resource(&[""], &["pods"], &["get"])]);
    assert_eq!(p.cluster_role("byexpr").unwrap().rules.len(), 1);
    let p2 = bare(&[
        crb("b", "top", json!([{"kind": "User", "name": "alice"}])),
        mk(
            "leaf",
            lbl("to-top"),
            None,
            json!([{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]),
        ),
        mk("top", json!({}), Some("to-top"), json!(null)),
    ]);
    let d = p2.can_i(&alice(), &Request::resource("get", "", "pods"));
    assert_eq!(d.reasons[0].aggregated_from.as_deref(), Some("leaf"));
}

#[test]
fn rejected_objects_take_no_part() {
    let p = bare(&[
        cluster_role("bad", json!([{"apiGroups": [""], "resources": ["pods"]}])),
        role("ns", "url", json!([{"nonResourceURLs": ["/x"], "verbs": ["get"]}])),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1beta1", "kind": "ClusterRole", "metadata": {"name": "old"}, "rules": []}),
        crb("b", "bad", json!([{"kind": "Robot", "name": "r2"}])),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "x", "namespace": "ns"},
               "roleRef": {"kind": "Role", "name": "r", "apiGroup": "example.com"}}),
    ]);
    let fields: Vec<&str> = p
        .issues()
        .iter()
        .filter(|i| i.effect == IssueEffect::Rejected)
        .map(|i| i.field.as_str())
        .collect();
    assert!(fields.contains(&"rules[0].verbs"), "{fields:?}");
    assert!(fields.contains(&"rules[0].nonResourceURLs"));
    assert!(fields.contains(&"apiVersion"));
    assert!(fields.contains(&"subjects[0].kind"));
    assert!(fields.contains(&"roleRef.apiGroup"));
    assert!(p.cluster_role("bad").is_none() && p.cluster_role("old").is_none());
    assert!(p.role("ns", "url").is_none());
}

#[test]
fn bootstrap_policy_is_part_of_every_answer_and_can_be_turned_off() {
    let on = Policy::from_values(&[], Options::default());
    let off = bare(&[]);
    let u = UserInfo::impersonate("carol", &[]);
    let ssar = Request::resource("create", "authorization.k8s.io", "selfsubjectaccessreviews");
    assert!(on.can_i(&u, &ssar).allowed && !off.can_i(&u, &ssar).allowed);
    let d = on.can_i(&u, &Request::non_resource("get", "/version"));
    let bindings: Vec<&str> = d.reasons.iter().map(|g| g.binding.name.as_str()).collect();
    assert_eq!(bindings, ["system:discovery", "system:public-info-viewer"]);
    assert!(d.reasons.iter().all(|g| g.bootstrap));
    // Anonymous users get public-info-viewer only.
    assert!(
        on.can_i(&UserInfo::anonymous(), &Request::non_resource("get", "/healthz"))
            .allowed
    );
    assert!(
        !on.can_i(&UserInfo::anonymous(), &Request::non_resource("get", "/apis"))
            .allowed
    );
    // Aggregated defaults: admin includes edit includes view.
    let admin = on.cluster_role("admin").unwrap();
    let pods_get = Request::resource("get", "", "pods").in_namespace("x");
    assert!(admin.rules.iter().any(|r| matching::rule_allows(r, &pods_get)));
    assert!(admin.rules.iter().any(|r| matching::rule_allows(
        r,
        &Request::resource("create", "rbac.authorization.k8s.io", "rolebindings")
    )));
    let view = on.cluster_role("view").unwrap();
    assert!(!view
        .rules
        .iter()
        .any(|r| matching::rule_allows(r, &Request::resource("get", "", "secrets"))));
}

#[test]
fn bootstrap_versions_differ_where_documented() {
    let u = UserInfo::service_account("a", "b");
    let at = |minor| {
        Policy::from_values(
            &[],
            Options {
                bootstrap: Bootstrap::Minor(minor),
                ..Options::default()
            },
        )
    };
    let slash = Request::non_resource("get", "/openid/v1/jwks/");
    let ssr = Request::resource("create", "authentication.k8s.io", "selfsubjectreviews");
    assert!(!at(25).can_i(&u, &slash).allowed && !at(25).can_i(&u, &ssr).allowed);
    assert!(!at(27).can_i(&u, &slash).allowed && at(27).can_i(&u, &ssr).allowed);
    assert!(at(28).can_i(&u, &slash).allowed);
    let statusz = UserInfo::impersonate("m", &["system:monitoring"]);
    assert!(
        !at(31)
            .can_i(&statusz, &Request::non_resource("get", "/statusz"))
            .allowed
    );
    assert!(
        at(34)
            .can_i(&statusz, &Request::non_resource("get", "/statusz"))
            .allowed
    );
}

#[test]
fn list_tables_compact_and_sort_like_kubectl() {
    let p = bare(&[
        role(
            "ns",
            "r",
            json!([
            {"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]},
            {"apiGroups": ["apps"], "resources": ["deployments/scale"], "verbs": ["update"]},
            {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]},
            {"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["a", "b"], "verbs": ["get"]}]),
        ),
        rb("ns", "rb", "Role", "r", json!([{"kind": "User", "name": "alice"}])),
    ]);
    // Verbs sort first (`[get]` < `[list get]` < `[update]`); pods' verbs
    // merge in first-seen order; one row per resource name; the first
    // column is as wide as `deployments.apps/scale` plus 3.
    let want = "\
Resources                Non-Resource URLs   Resource Names   Verbs
secrets                  []                  [a]              [get]
secrets                  []                  [b]              [get]
pods                     []                  []               [list get]
deployments.apps/scale   []                  []               [update]
";
    assert_eq!(p.list_table(&alice(), Some("ns")), want);
}
