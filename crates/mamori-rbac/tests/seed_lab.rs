//! The course's answers (seed-lab EXPECTED.md, ex1 00-vulnerable and
//! 01-rbac), reproduced from its manifests.

mod common;

use mamori_model::Object;
use mamori_rbac::{Bootstrap, FieldValidation, IssueEffect, Options, Policy, Request, UserInfo};

const EX1: &str = "seed-lab/ex1-k8s-defense";

fn vulnerable() -> Option<Vec<Object>> {
    common::shared_objects(&[
        &format!("{EX1}/00-vulnerable/namespace-k8s-defense.yaml"),
        &format!("{EX1}/00-vulnerable/service-account-admin.yaml"),
        &format!("{EX1}/00-vulnerable/cluster-role-binding-admin.yaml"),
        &format!("{EX1}/00-vulnerable/nginx-pod.yaml"),
        &format!("{EX1}/00-vulnerable/curl-pod.yaml"),
        &format!("{EX1}/00-vulnerable/nginx-service.yaml"),
    ])
}

fn rbac_step(corrected: bool) -> Option<Vec<Object>> {
    let mut docs = vulnerable()?;
    let binding = if corrected {
        "01-rbac/corrected/role-binding-limited.yaml"
    } else {
        "01-rbac/role-binding-limited.yaml"
    };
    docs.extend(common::shared_objects(&[
        &format!("{EX1}/01-rbac/role-readonly.yaml"),
        &format!("{EX1}/01-rbac/service-account-limited.yaml"),
        &format!("{EX1}/{binding}"),
        &format!("{EX1}/01-rbac/nginx-pod.yaml"),
        &format!("{EX1}/01-rbac/curl-pod.yaml"),
    ])?);
    Some(docs)
}

fn yes(policy: &Policy, user: &UserInfo, verb: &str) -> bool {
    policy
        .can_i(user, &Request::resource(verb, "", "pods").in_namespace("k8s-defense"))
        .allowed
}

fn sa(name: &str) -> UserInfo {
    // `kubectl --as=system:serviceaccount:k8s-defense:NAME`
    UserInfo::impersonate(&format!("system:serviceaccount:k8s-defense:{name}"), &[])
}

#[test]
fn ex1_00_sa_admin_can_get_and_delete_pods() {
    let Some(docs) = vulnerable() else { return };
    let p = Policy::from_objects(&docs, Options::default());
    let admin = sa("sa-admin");
    assert!(yes(&p, &admin, "get"));
    assert!(yes(&p, &admin, "delete"));
    // The chain behind the answer: sa-admin-binding -> cluster-admin -> rule 0.
    let d = p.can_i(
        &admin,
        &Request::resource("delete", "", "pods").in_namespace("k8s-defense"),
    );
    let first = &d.reasons[0];
    assert_eq!(first.binding.name, "sa-admin-binding");
    assert_eq!(first.role.name, "cluster-admin");
    assert_eq!(first.rule_index, 0);
    assert!(!first.bootstrap);
    assert_eq!(first.subject.namespace.as_deref(), Some("k8s-defense"));
    assert!(d.privileged_group.is_none());
}

#[test]
fn ex1_00_sa_admin_list_table() {
    let Some(docs) = vulnerable() else { return };
    let p = Policy::from_objects(&docs, Options::default());
    let table = p.list_table(&sa("sa-admin"), Some("default"));
    assert_eq!(table, include_str!("expected/sa-admin-default.txt"));
    let rows: Vec<&str> = table.lines().collect();
    let cells = |l: &str| l.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    assert_eq!(cells(rows[1]), ["*.*", "[]", "[]", "[*]"]);
    assert!(rows[2].starts_with(' '));
    assert_eq!(cells(rows[2]), ["[*]", "[]", "[*]"]);
    // Without the bootstrap policy cluster-admin does not exist: the binding
    // grants nothing (header only) and is reported.
    let bare = Policy::from_objects(
        &docs,
        Options {
            bootstrap: Bootstrap::Off,
            ..Options::default()
        },
    );
    assert_eq!(bare.list_table(&sa("sa-admin"), Some("default")).lines().count(), 1);
    assert!(!yes(&bare, &sa("sa-admin"), "get"));
    assert!(bare
        .issues()
        .iter()
        .any(|i| i.name.as_deref() == Some("sa-admin-binding") && i.message.contains("does not exist")));
}

#[test]
fn ex1_01_corrected_sa_limited_get_yes_delete_no() {
    let Some(docs) = rbac_step(true) else { return };
    let p = Policy::from_objects(&docs, Options::default());
    let limited = sa("sa-limited");
    assert!(yes(&p, &limited, "get"));
    assert!(!yes(&p, &limited, "delete"));
    // The subject has no namespace: the RoleBinding's own namespace applies.
    let d = p.can_i(
        &limited,
        &Request::resource("get", "", "pods").in_namespace("k8s-defense"),
    );
    assert_eq!(d.reasons[0].binding.name, "sa-limited-binding");
    assert_eq!(d.reasons[0].subject.namespace.as_deref(), Some("k8s-defense"));
    assert_eq!(d.reasons[0].role.name, "role-readonly");
    // The Role grants nothing outside its namespace.
    assert!(
        !p.can_i(&limited, &Request::resource("get", "", "pods").in_namespace("default"))
            .allowed
    );
    // sa-admin keeps its power in 01 (the binding is not removed).
    assert!(yes(&p, &sa("sa-admin"), "delete"));
}

#[test]
fn ex1_01_corrected_sa_limited_list_tables() {
    let Some(docs) = rbac_step(true) else { return };
    let p = Policy::from_objects(&docs, Options::default());
    let limited = sa("sa-limited");
    let default_ns = p.list_table(&limited, Some("default"));
    assert_eq!(default_ns, include_str!("expected/sa-limited-default.txt"));
    assert!(!default_ns.contains("pods") && !default_ns.contains("*.*"));
    let ns = p.list_table(&limited, Some("k8s-defense"));
    assert_eq!(ns, include_str!("expected/sa-limited-k8s-defense.txt"));
    assert!(ns
        .lines()
        .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["pods", "[]", "[]", "[get", "list]"]));
}

#[test]
fn ex1_01_as_printed_binding_is_rejected_and_grants_nothing() {
    let Some(docs) = rbac_step(false) else { return };
    let p = Policy::from_objects(&docs, Options::default());
    let limited = sa("sa-limited");
    assert!(!yes(&p, &limited, "get"));
    assert!(!yes(&p, &limited, "delete"));
    let issue = p
        .issues()
        .iter()
        .find(|i| i.name.as_deref() == Some("sa-limited-binding") && i.effect == IssueEffect::Rejected)
        .expect("the as-printed binding is reported");
    assert_eq!(issue.field, "apiGroup");
    assert!(issue.message.contains("unknown field"));
    // Were the field dropped instead (non-strict validation), roleRef.apiGroup
    // is defaulted and the binding works.
    let lax = Policy::from_objects(
        &docs,
        Options {
            field_validation: FieldValidation::Warn,
            ..Options::default()
        },
    );
    assert!(yes(&lax, &limited, "get"));
    assert!(!yes(&lax, &limited, "delete"));
}
