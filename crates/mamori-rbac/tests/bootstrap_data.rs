//! The built-in bootstrap data against the upstream copies in the shared
//! conformance folder, and its internal consistency.

mod common;

use mamori_rbac::{bootstrap, decode, Bootstrap, Decoded, FieldValidation, Options, Policy, RbacObject};

fn decoded(bootstrap: Bootstrap) -> Vec<RbacObject> {
    bootstrap::objects(bootstrap)
        .iter()
        .map(|v| match decode(v, FieldValidation::Strict, "default") {
            Decoded::Accepted(o, issues) => {
                assert!(issues.is_empty(), "{issues:?}");
                o
            }
            other => panic!("bootstrap object not accepted: {other:?}"),
        })
        .collect()
}

#[test]
fn every_builtin_object_is_valid_and_every_binding_resolves() {
    for minor in [25, 27, 28, 31, 33, 34] {
        let objs = decoded(Bootstrap::Minor(minor));
        assert!(objs.len() > 50, "{minor}");
        let p = Policy::from_values(
            &[],
            Options {
                bootstrap: Bootstrap::Minor(minor),
                ..Options::default()
            },
        );
        assert!(p.issues().is_empty(), "{minor}: {:?}", p.issues());
        for name in [
            "cluster-admin",
            "admin",
            "edit",
            "view",
            "system:basic-user",
            "system:discovery",
            "system:public-info-viewer",
            "system:service-account-issuer-discovery",
        ] {
            assert!(
                p.cluster_role(name).is_some_and(|r| !r.rules.is_empty()),
                "{minor} {name}"
            );
        }
    }
    assert!(bootstrap::objects(Bootstrap::Off).is_empty());
}

/// The shared, byte-exact upstream copies: older cluster-role-bindings
/// (a subset of today's) and the recent namespace roles and bindings.
#[test]
fn matches_the_shared_upstream_copies() {
    // The loader expands the `kind: List` files into their items.
    let Some(upstream) = common::shared_objects(&[
        "conformance/rbac/bootstrap/c60df899/cluster-role-bindings.yaml",
        "conformance/rbac/bootstrap/namespace-roles.yaml",
        "conformance/rbac/bootstrap/namespace-role-bindings.yaml",
    ]) else {
        return;
    };
    let ours = decoded(Bootstrap::default());
    assert_eq!(upstream.len(), 10 + 7 + 7);
    for item in &upstream {
        let value = item.stored.to_json();
        let Decoded::Accepted(obj, _) = decode(&value, FieldValidation::Strict, "default") else {
            panic!("upstream object rejected: {value}");
        };
        assert!(ours.contains(&obj), "missing or different: {value}");
    }
    eprintln!("bootstrap: {} upstream objects match the built-in data", upstream.len());
}
