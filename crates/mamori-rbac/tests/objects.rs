//! Objects from mamori's loader: stored form, `rejected`, strict field
//! validation and assumed namespaces.

mod common;

use mamori_rbac::{Bootstrap, FieldValidation, IssueEffect, Options, Policy, Request, UserInfo};

const ROLE: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader}
rules:
- apiGroups: [\"\"]
  resources: [pods]
  verbs: [get]
";

fn opts(field_validation: FieldValidation) -> Options {
    Options {
        bootstrap: Bootstrap::Off,
        field_validation,
        default_namespace: "default".into(),
    }
}

fn can_get(p: &Policy, ns: &str) -> bool {
    p.can_i(
        &UserInfo::impersonate("alice", &[]),
        &Request::resource("get", "", "pods").in_namespace(ns),
    )
    .allowed
}

#[test]
fn unknown_field_rejects_under_strict_and_is_dropped_otherwise() {
    let text = format!(
        "{ROLE}---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: b}}
subjects: [{{kind: User, name: alice}}]
roleRef: {{kind: Role, name: reader}}
extra: 1
"
    );
    let objs = common::objects("x.yaml", &text);
    assert_ne!(objs[1].node, objs[1].stored, "the loader pruned `extra`");
    let strict = Policy::from_objects(&objs, opts(FieldValidation::Strict));
    assert!(!can_get(&strict, "default"));
    let issue = strict
        .issues()
        .iter()
        .find(|i| i.effect == IssueEffect::Rejected)
        .expect("rejection reported");
    assert_eq!(issue.field, "extra");
    let warn = Policy::from_objects(&objs, opts(FieldValidation::Warn));
    assert!(can_get(&warn, "default"));
}

#[test]
fn objects_the_loader_rejects_grant_nothing() {
    // roleRef.name missing: refused whatever the validation mode.
    let text = format!(
        "{ROLE}---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: b}}
subjects: [{{kind: User, name: alice}}]
roleRef: {{kind: Role, apiGroup: rbac.authorization.k8s.io}}
"
    );
    let objs = common::objects("x.yaml", &text);
    assert!(objs[1].rejected.is_some());
    let p = Policy::from_objects(&objs, opts(FieldValidation::Warn));
    assert!(!can_get(&p, "default"));
    assert!(p.issues().iter().any(|i| i.name.as_deref() == Some("b")
        && i.effect == IssueEffect::Rejected
        && i.message.contains("rejected by the API server")));
}

#[test]
fn assumed_namespace_comes_from_the_loader() {
    let text = format!(
        "{ROLE}---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: b}}
subjects: [{{kind: User, name: alice}}]
roleRef: {{kind: Role, name: reader}}
"
    );
    let load = mamori_source::load::load_texts(
        &[("x.yaml", &text)],
        &mamori_source::load::LoadOptions {
            default_namespace: "apps".into(),
            ..Default::default()
        },
    );
    let p = Policy::from_objects(&load.objects, opts(FieldValidation::Strict));
    assert!(can_get(&p, "apps"));
    assert!(!can_get(&p, "default"));
}
