//! # mamori-rbac: the Kubernetes RBAC authorizer, offline
//!
//! This crate answers the questions `kubectl auth can-i` asks of a live
//! cluster — "may this user do this?", "what may this user do here?" — from
//! manifests alone, and says which binding, role and rule each answer rests
//! on. It reproduces the API server's RBAC authorizer
//! (`plugin/pkg/auth/authorizer/rbac` and the `rbac/v1` rule helpers in
//! kubernetes/kubernetes), kubectl's `--list` table printer, and the parts of
//! the API server around them that change an answer: defaulting and
//! validation of the stored objects, the ClusterRole aggregation controller,
//! the default (bootstrap) policy, impersonation and the `system:masters`
//! shortcut. What follows are the rules, and where each comes from.
//!
//! ## What is stored
//!
//! Only objects the API server would accept take part. An RBAC object is
//! `rbac.authorization.k8s.io/v1` (the beta versions stopped being served in
//! 1.22). Defaulting fills `roleRef.apiGroup` and a User or Group subject's
//! `apiGroup` with `rbac.authorization.k8s.io` when absent. Validation then
//! requires: at least one verb per rule; resource rules with at least one API
//! group and one resource; non-resource rules with no groups, resources or
//! names, and only in ClusterRoles; `roleRef.kind` `Role` or `ClusterRole`
//! (only `ClusterRole` from a ClusterRoleBinding); subject kinds `User`,
//! `Group` or `ServiceAccount`, the last with an empty `apiGroup` and, in a
//! ClusterRoleBinding, a namespace. Unknown fields follow the field
//! validation mode; kubectl asks for strict validation by default since 1.27,
//! so an unknown field rejects the object (the course's
//! `role-binding-limited.yaml`, with `apiGroup` at the top level, never
//! reaches the cluster and its account gets nothing). Rejections, dropped
//! fields and defaulting are returned as [`Issue`]s. Objects read by
//! mamori's loader ([`Policy::from_inventory`]) arrive already validated
//! against the Kubernetes schema: one the loader marks rejected grants
//! nothing, and one whose unknown fields it pruned is refused under strict
//! validation and used in its stored (pruned) form otherwise.
//!
//! ## How a request is matched
//!
//! A request is either a resource request (verb, API group, resource,
//! optional subresource, optional name, optional namespace) or a
//! non-resource request (verb, URL path). A rule allows a resource request
//! when each attribute matches:
//!
//! * verb: the rule lists it or `*`;
//! * API group: the rule lists it or `*` (`""` is the core group);
//! * resource: the rule lists `*`, which covers every resource *and every
//!   subresource*; or exactly `resource/subresource` (so `pods` never grants
//!   `pods/log`, and `pods/log` never grants `pods`); or `*/subresource`,
//!   which grants that subresource of any resource (`*/scale`);
//! * name: a rule without `resourceNames` matches any name; a rule with
//!   them matches only a request that carries one of those names. Requests
//!   that carry no name — `create` (the name is in the body, not the URL),
//!   `list`/`watch` of a collection, `deletecollection` — are never allowed
//!   by a rule with `resourceNames`. (`list`/`watch` with a
//!   `metadata.name` field selector do carry the name, which is why
//!   `kubectl get secret x -w` can work.)
//!
//! A rule allows a non-resource request when it lists the verb (or `*`) and
//! a URL that is `*`, equal to the path, or ends in `*` and is a prefix of
//! the path once the trailing `*`s are removed (`/apis/*` matches
//! `/apis/apps/v1` but not `/apis`; that is why the default policy lists both).
//!
//! ## Which bindings count
//!
//! The authorizer visits ClusterRoleBindings, then — only if the request has
//! a namespace — the RoleBindings of that namespace, and allows on the first
//! rule that matches. Consequences: a RoleBinding, even one that refers to a
//! ClusterRole, grants only inside its own namespace; a cluster-scoped
//! request (nodes, namespaces, `-A`) and every non-resource request see
//! ClusterRoleBindings only, so non-resource URLs can only be granted by a
//! ClusterRoleBinding. A binding whose role does not exist grants nothing
//! (and starts granting the moment the role is created). A RoleBinding's
//! `roleRef` of kind `Role` names a Role in the binding's namespace.
//!
//! A subject applies when: `User` — the name equals the user's name; `Group` —
//! the user is in the group; `ServiceAccount` — the user is
//! `system:serviceaccount:NS:NAME`, where NS is the subject's namespace or,
//! when it has none in a RoleBinding, the binding's namespace.
//!
//! Answers here list every matching grant in that visit order (bindings
//! sorted by name inside each kind: the API server's informer cache has no
//! order of its own); the first is the one the API server would report.
//!
//! ## Who is asking
//!
//! A service account's token authenticates as user
//! `system:serviceaccount:NS:NAME` in groups `system:serviceaccounts`,
//! `system:serviceaccounts:NS` and `system:authenticated`. Every
//! authenticated user is in `system:authenticated`; an unauthenticated
//! request is user `system:anonymous` in `system:unauthenticated`.
//! `kubectl --as` goes through the impersonation filter, which builds the
//! same groups for a service-account name given without `--as-group`, and adds
//! `system:authenticated` to any other user ([`UserInfo::impersonate`]).
//! Members of `system:masters` are allowed everything by an authorizer that
//! runs before RBAC; RBAC rules still list what RBAC alone would grant.
//!
//! ## Aggregation
//!
//! A ClusterRole with an `aggregationRule` does not keep its own rules: the
//! aggregation controller replaces them with the union of the rules of every
//! other ClusterRole matched by any of its label selectors, taken in name
//! order with duplicates dropped. Aggregated roles feed each other (`view` is
//! labelled into `edit`, `edit` into `admin`), so the union is recomputed to
//! a fixed point. Each aggregated rule remembers the ClusterRole it came from.
//!
//! ## The default policy
//!
//! The API server creates ClusterRoles (`cluster-admin`, `admin`, `edit`,
//! `view`, `system:basic-user`, `system:discovery`,
//! `system:public-info-viewer`, `system:service-account-issuer-discovery`,
//! the node, scheduler and controller-manager roles …), their
//! ClusterRoleBindings (to `system:authenticated`, `system:unauthenticated`,
//! `system:serviceaccounts`, `system:masters`, …) and a few Roles in
//! `kube-system` and `kube-public`. Every user therefore holds rules no
//! manifest mentions, and `can-i --list` is wrong without them. They are
//! carried as data ([`bootstrap`], `data/README.md` for provenance and the
//! version mapping) and are on by default; [`Bootstrap::Off`] leaves them
//! out. A manifest that defines an object of the same name replaces it.
//!
//! ## Names and audit logs
//!
//! kubectl turns `po` or `deploy.apps` into a group and plural resource
//! through the server's discovery; [`resources`] stands in for it offline,
//! and an unknown name is asked about as written, after kubectl's warning.
//! [`audit`] turns an audit log into the least-privilege Role it implies.
//!
//! ## The `--list` table
//!
//! [`Policy::list_table`] prints what kubectl prints: rules split into one
//! verb × group × resource (× name) or verb × URL each, resource rows that
//! differ only by verb merged back (verbs in first-seen order), rows sorted
//! stably by the Go string form of the rule (verbs first), columns padded by
//! Go's tab writer. Non-resource rows are never merged: a URL granted by two
//! default roles (`/healthz` by `system:discovery` and
//! `system:public-info-viewer`) is printed twice, as a cluster prints it.

pub mod audit;
pub mod bootstrap;
mod explain;
pub mod matching;
pub mod model;
mod policy;
pub mod resources;
pub mod table;
pub mod user;

use serde::Serialize;

pub use bootstrap::Bootstrap;
pub use explain::rule_text;
pub use model::{
    decode, AggregationRule, ClusterRole, ClusterRoleBinding, Decoded, FieldValidation, Issue, IssueEffect,
    LabelSelector, PolicyRule, RbacObject, Role, RoleBinding, RoleKind, RoleRef, Subject, SubjectKind,
};
pub use policy::{BindingKind, BindingRef, Decision, Grant, Options, Policy, PolicyBuilder, RoleId, Scope, WhoCan};
pub use user::UserInfo;

/// The attributes of one request, as the authorizer sees them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Request {
    pub verb: String,
    /// `""` for the core group.
    pub api_group: String,
    /// Plural resource name (`pods`, `deployments`).
    pub resource: String,
    /// `""` when none.
    pub subresource: String,
    /// The object name, for requests that carry one.
    pub name: Option<String>,
    /// `None` or `""`: a cluster-wide request.
    pub namespace: Option<String>,
    /// Set for a non-resource request; the resource fields are then unused.
    pub non_resource_url: Option<String>,
}

impl Request {
    /// A resource request.
    pub fn resource(verb: &str, api_group: &str, resource: &str) -> Self {
        Request {
            verb: verb.to_string(),
            api_group: api_group.to_string(),
            resource: resource.to_string(),
            ..Request::default()
        }
    }

    /// A non-resource request (`/healthz`, `/apis/apps`).
    pub fn non_resource(verb: &str, path: &str) -> Self {
        Request {
            verb: verb.to_string(),
            non_resource_url: Some(path.to_string()),
            ..Request::default()
        }
    }

    pub fn in_namespace(mut self, namespace: &str) -> Self {
        self.namespace = Some(namespace.to_string());
        self
    }

    pub fn named(mut self, name: &str) -> Self {
        self.name = Some(name.to_string());
        self
    }

    pub fn subresource(mut self, subresource: &str) -> Self {
        self.subresource = subresource.to_string();
        self
    }
}
