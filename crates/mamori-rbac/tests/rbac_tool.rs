//! rbac-tool's who-can and policy-rules fixtures (shared conformance data).
//! The expected rows are the header comments of each fixture. rbac-tool
//! looks at bindings of every namespace, hence `Scope::AnyNamespace`.

mod common;

use std::collections::BTreeSet;

use mamori_rbac::{table, Options, Policy, Request, Scope, SubjectKind, UserInfo};

const DIR: &str = "conformance/rbac/rbac-tool/testdata";

fn policy(file: &str) -> Option<Policy> {
    let docs = common::shared_objects(&[&format!("{DIR}/{file}")])?;
    let p = Policy::from_objects(&docs, Options::default());
    let rejected: Vec<_> = p
        .issues()
        .iter()
        .filter(|i| i.effect == mamori_rbac::IssueEffect::Rejected)
        .collect();
    assert!(rejected.is_empty(), "{file}: {rejected:?}");
    Some(p)
}

/// (kind, name, namespace) of who-can subjects whose name contains `grep`.
fn who(p: &Policy, req: &Request, grep: &str) -> BTreeSet<(String, String, String)> {
    let found: BTreeSet<_> = p
        .who_can(req, &Scope::AnyNamespace)
        .into_iter()
        .filter(|w| w.subject.name.contains(grep))
        .map(|w| {
            assert!(!w.grants.is_empty() || w.privileged);
            (
                w.subject.kind.as_str().to_string(),
                w.subject.name,
                w.subject.namespace.unwrap_or_default(),
            )
        })
        .collect();
    eprintln!(
        "conformance: who-can {} {}: {} subject(s) matching {grep:?}",
        req.verb,
        req.non_resource_url.as_deref().unwrap_or(&req.resource),
        found.len()
    );
    found
}

fn set(rows: &[(&str, &str, &str)]) -> BTreeSet<(String, String, String)> {
    rows.iter()
        .map(|(k, n, ns)| (k.to_string(), n.to_string(), ns.to_string()))
        .collect()
}

#[test]
fn clusterrole_aggregate() {
    let Some(p) = policy("whocan/clusterrole-aggregate.yaml") else {
        return;
    };
    let want = set(&[
        ("Group", "test-aggregate-group", ""),
        ("ServiceAccount", "test-aggregate-sa", "test"),
        ("User", "test-aggregate-user", ""),
    ]);
    for verb in ["get", "create"] {
        assert_eq!(
            who(&p, &Request::resource(verb, "", "pods"), "test-aggregate"),
            want,
            "{verb}"
        );
    }
    // The grant names the labelled source role behind the aggregated rule.
    let w = p.who_can(&Request::resource("create", "", "pods"), &Scope::AnyNamespace);
    let user = w.iter().find(|w| w.subject.name == "test-aggregate-user").unwrap();
    assert_eq!(user.grants[0].role.name, "test-aggregate");
    assert_eq!(
        user.grants[0].aggregated_from.as_deref(),
        Some("test-clusterrole-create")
    );
}

#[test]
fn pod_creator() {
    let Some(p) = policy("whocan/pod-creator.yaml") else {
        return;
    };
    assert_eq!(
        who(&p, &Request::resource("create", "", "pods"), "pod-creator"),
        set(&[
            ("Group", "test-pod-creator-group", ""),
            ("ServiceAccount", "test-pod-creator-sa", "test"),
            ("User", "test-pod-creator-user", ""),
        ])
    );
    // The Role lives in `test`: asked for another namespace, nobody.
    let other = p.who_can(
        &Request::resource("create", "", "pods"),
        &Scope::Namespace("prod".into()),
    );
    assert!(other.iter().all(|w| !w.subject.name.contains("pod-creator")));
}

#[test]
fn secret_reader() {
    let Some(p) = policy("whocan/secret-reader.yaml") else {
        return;
    };
    assert_eq!(
        who(&p, &Request::resource("get", "", "secrets"), "test-secret-reader"),
        set(&[
            ("ServiceAccount", "test-secret-reader-sa", "test"),
            ("User", "test-secret-reader", ""),
        ])
    );
}

#[test]
fn specific_resource_reader() {
    let Some(p) = policy("whocan/specific-resource-reader.yaml") else {
        return;
    };
    let req = Request::resource("get", "", "secrets").named("some-secret");
    assert_eq!(
        who(&p, &req, "test-specific-secret-reader"),
        set(&[
            ("ServiceAccount", "test-specific-secret-reader-sa", "test"),
            ("User", "test-specific-secret-reader", ""),
        ])
    );
    // resourceNames: another name, or a nameless list, is not granted.
    assert!(who(&p, &Request::resource("get", "", "secrets").named("other"), "specific").is_empty());
    assert!(who(&p, &Request::resource("list", "", "secrets"), "specific").is_empty());
}

#[test]
fn impersonator() {
    let Some(p) = policy("whocan/impersonator.yaml") else {
        return;
    };
    assert_eq!(
        who(
            &p,
            &Request::resource("impersonate", "", "serviceaccounts"),
            "impersonator"
        ),
        set(&[("User", "test-impersonator-user", "")])
    );
}

#[test]
fn nonresourceurl_reader() {
    let Some(p) = policy("whocan/nonresourceurl-reader.yaml") else {
        return;
    };
    let req = Request::non_resource("get", "/test-reader");
    let masters = who(&p, &req, "system:masters");
    assert_eq!(masters, set(&[("Group", "system:masters", "")]));
    // Divergence from rbac-tool, on purpose: the fixture binds the
    // ClusterRole through a *RoleBinding*, and the API server never consults
    // RoleBindings for non-resource requests, so the user cannot get the URL.
    assert!(who(&p, &req, "test-nonresourceurl-reader").is_empty());
    let user = UserInfo::impersonate("test-nonresourceurl-reader", &[]);
    assert!(!p.can_i(&user, &req).allowed);
}

#[test]
fn gateway_api_operator() {
    let Some(p) = policy("whocan/gatewat-api-operator.yaml") else {
        return;
    };
    let want = set(&[
        ("ServiceAccount", "gateway-network-operator-sa", "test"),
        ("User", "gateway-network-operator-user", ""),
    ]);
    let req = |verb| Request::resource(verb, "gateway.networking.k8s.io", "gateways");
    assert_eq!(who(&p, &req("create"), "gateway-network-operator"), want);
    // Divergence from rbac-tool's header, on purpose: the role grants
    // create/update/delete/patch only, so `get` is denied by the API server.
    assert!(who(&p, &req("get"), "gateway-network-operator").is_empty());
}

#[test]
fn policy_rules_multiple_role_bindings() {
    let Some(p) = policy("policyrules/multiple-role-bindings.yaml") else {
        return;
    };
    let user = UserInfo::service_account("policyrules", "the-test-user");
    let mut rows = BTreeSet::new();
    // rbac-tool's grep keeps the fixture's rows; the bootstrap
    // ClusterRoleBindings every service account also gets are left out.
    let grants = p.grants_for(&user, Some("policyrules"));
    assert!(grants.iter().any(|g| g.bootstrap && g.role.name == "system:basic-user"));
    for g in grants.into_iter().filter(|g| !g.bootstrap) {
        for r in table::breakdown(&g.rule) {
            rows.insert((
                r.verbs[0].clone(),
                r.api_groups[0].clone(),
                r.resources[0].clone(),
                r.resource_names.first().cloned().unwrap_or_default(),
                format!("{}/{}", g.binding.namespace.clone().unwrap(), g.role.name),
            ));
        }
    }
    let want: BTreeSet<_> = [
        ("get", "*", "", "policyrules/some-rules"),
        ("get", "*", "", "policyrules/more-rules"),
        ("get", "secrets", "some-secret", "policyrules/some-rules"),
        ("get", "secrets", "", "policyrules/more-rules"),
        ("list", "secrets", "some-secret", "policyrules/some-rules"),
        ("watch", "secrets", "some-secret", "policyrules/some-rules"),
    ]
    .into_iter()
    .map(|(v, r, n, o)| {
        (
            v.to_string(),
            String::new(),
            r.to_string(),
            n.to_string(),
            o.to_string(),
        )
    })
    .collect();
    assert_eq!(rows, want);
    eprintln!("conformance: policy-rules the-test-user: {} rows match", rows.len());
    assert!(p
        .grants_for(&user, Some("policyrules"))
        .iter()
        .filter(|g| !g.bootstrap)
        .all(|g| g.subject.kind == SubjectKind::ServiceAccount));
}
