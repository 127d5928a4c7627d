//! One test per rule of the crate's opening essay, on manifests read by
//! mamori's loader.

use mamori_model::Inventory;
use mamori_netpol::{Engine, FieldValidation, Options, Target};
use mamori_source::load::{load_texts, LoadOptions};

fn engine_with(yaml: &str, field_validation: FieldValidation) -> Engine {
    let r = load_texts(&[("t.yaml", yaml)], &LoadOptions::default());
    Engine::new(
        &Inventory::new(r.objects),
        Options {
            field_validation,
            ..Options::default()
        },
    )
}

fn engine(yaml: &str) -> Engine {
    engine_with(yaml, FieldValidation::Strict)
}

fn class(e: &Engine, ns_name: &str) -> Target {
    let (ns, name) = ns_name.split_once('/').unwrap();
    let i = e.endpoint_by_name(ns, name);
    assert_eq!(i.len(), 1, "{ns_name}");
    Target::Class(e.endpoints[i[0]].class)
}

fn conns(e: &Engine, from: &str, to: &str) -> String {
    e.conns(class(e, from), class(e, to)).to_string()
}

fn pod(ns: &str, name: &str, labels: &str, ports: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: {ns}\n  labels: {labels}\nspec:\n  containers:\n  - name: c\n    image: x\n    ports: {ports}\n---\n"
    )
}

fn ns(name: &str, labels: &str) -> String {
    format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n  labels: {labels}\n---\n")
}

fn policy(ns: &str, name: &str, spec: &str) -> String {
    format!("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec: {spec}\n---\n")
}

fn two_pods() -> String {
    pod("a", "web", "{app: web}", "[{containerPort: 80, name: http}]")
        + &pod("a", "db", "{app: db}", "[{containerPort: 5432}]")
}

#[test]
fn no_policy_allows_everything() {
    let e = engine(&two_pods());
    assert_eq!(conns(&e, "a/web", "a/db"), "All Connections");
}

#[test]
fn policy_types_default_ingress_plus_egress_only_when_the_list_is_non_empty() {
    // No policyTypes, no egress: an ingress policy only.
    let e = engine(&(two_pods() + &policy("a", "p", "{podSelector: {}}")));
    assert!(e.policies[0].ingress && !e.policies[0].egress);
    assert_eq!(conns(&e, "a/web", "a/db"), "No Connections");
    // `egress: []` does not make it an egress policy.
    let e = engine(&(two_pods() + &policy("a", "p", "{podSelector: {}, egress: []}")));
    assert!(!e.policies[0].egress);
    // A non-empty egress list does.
    let e = engine(
        &(two_pods()
            + &policy(
                "a",
                "p",
                "{podSelector: {}, egress: [{ports: [{port: 53, protocol: UDP}]}]}",
            )),
    );
    assert!(e.policies[0].ingress && e.policies[0].egress);
}

#[test]
fn isolation_is_per_direction() {
    // Egress-only deny on web: db's ingress is untouched, web's egress is denied.
    let p = policy(
        "a",
        "p",
        "{podSelector: {matchLabels: {app: web}}, policyTypes: [Egress]}",
    );
    let e = engine(&(two_pods() + &p));
    assert_eq!(conns(&e, "a/web", "a/db"), "No Connections");
    assert_eq!(conns(&e, "a/db", "a/web"), "All Connections");
}

#[test]
fn absent_or_empty_from_and_ports_mean_all_and_an_empty_ingress_list_means_none() {
    let e = engine(
        &(two_pods()
            + &policy(
                "a",
                "p",
                "{podSelector: {matchLabels: {app: db}}, ingress: [{from: [], ports: []}]}",
            )),
    );
    assert_eq!(conns(&e, "a/web", "a/db"), "All Connections");
    let e = engine(&(two_pods() + &policy("a", "p", "{podSelector: {matchLabels: {app: db}}, ingress: [{}]}")));
    assert_eq!(conns(&e, "a/web", "a/db"), "All Connections");
    let e = engine(&(two_pods() + &policy("a", "p", "{podSelector: {matchLabels: {app: db}}, ingress: []}")));
    assert_eq!(conns(&e, "a/web", "a/db"), "No Connections");
}

#[test]
fn empty_pod_selector_selects_the_whole_namespace_only() {
    let y = two_pods() + &pod("b", "other", "{app: web}", "[]") + &policy("a", "deny", "{podSelector: {}}");
    let e = engine(&y);
    assert_eq!(conns(&e, "a/web", "a/db"), "No Connections");
    assert_eq!(conns(&e, "a/web", "b/other"), "All Connections");
}

#[test]
fn pod_selector_alone_means_the_policys_namespace() {
    let y = two_pods()
        + &pod("b", "web", "{app: web}", "[]")
        + &policy(
            "a",
            "p",
            "{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]}",
        );
    let e = engine(&y);
    assert_eq!(conns(&e, "a/web", "a/db"), "All Connections");
    assert_eq!(conns(&e, "b/web", "a/db"), "No Connections");
}

#[test]
fn namespace_and_pod_selector_in_one_peer_is_and_in_two_peers_is_or() {
    let base = two_pods()
        + &ns("b", "{team: x}")
        + &pod("b", "web", "{app: web}", "[]")
        + &pod("b", "job", "{app: job}", "[]");
    let and = policy(
        "a",
        "p",
        "{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: x}}, podSelector: {matchLabels: {app: web}}}]}]}",
    );
    let e = engine(&(base.clone() + &and));
    assert_eq!(conns(&e, "b/web", "a/db"), "All Connections");
    assert_eq!(conns(&e, "b/job", "a/db"), "No Connections");
    assert_eq!(conns(&e, "a/web", "a/db"), "No Connections", "a is not labelled team=x");
    let or = policy(
        "a",
        "p",
        "{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: x}}}, {podSelector: {matchLabels: {app: web}}}]}]}",
    );
    let e = engine(&(base + &or));
    assert_eq!(conns(&e, "b/job", "a/db"), "All Connections");
    assert_eq!(conns(&e, "a/web", "a/db"), "All Connections");
}

#[test]
fn namespaces_carry_their_name_label() {
    let y = two_pods()
        + &pod("kube-system", "dns", "{k8s-app: kube-dns}", "[]")
        + &policy(
            "a",
            "p",
            "{podSelector: {}, policyTypes: [Egress], egress: [{to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}], ports: [{port: 53, protocol: UDP}]}]}",
        );
    let e = engine(&y);
    assert_eq!(conns(&e, "a/web", "kube-system/dns"), "UDP 53");
    assert_eq!(conns(&e, "a/web", "a/db"), "No Connections");
}

#[test]
fn ip_block_with_except_cuts_the_external_space() {
    let y = two_pods()
        + &policy(
            "a",
            "p",
            "{podSelector: {matchLabels: {app: web}}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]}]}",
        );
    let e = engine(&y);
    let web = class(&e, "a/web");
    let got: Vec<String> = e
        .src_ips
        .iter()
        .map(|&r| format!("{} {}", mamori_netpol::ip::display(r), e.conns(Target::Ip(r), web)))
        .collect();
    assert_eq!(
        got,
        [
            "0.0.0.0-9.255.255.255 No Connections",
            "10.0.0.0-10.0.255.255 All Connections",
            "10.1.0.0-10.1.255.255 No Connections",
            "10.2.0.0-10.255.255.255 All Connections",
            "11.0.0.0-255.255.255.255 No Connections",
        ]
    );
    // ipBlocks never match pods.
    assert_eq!(conns(&e, "a/db", "a/web"), "No Connections");
}

#[test]
fn protocol_defaults_to_tcp_and_end_port_makes_a_range() {
    let y = two_pods()
        + &policy("a", "p", "{podSelector: {matchLabels: {app: db}}, ingress: [{ports: [{port: 5432}, {port: 8000, endPort: 8010, protocol: UDP}]}]}");
    assert_eq!(conns(&engine(&y), "a/web", "a/db"), "TCP 5432,UDP 8000-8010");
}

#[test]
fn named_ports_resolve_on_each_destination_by_name_and_protocol() {
    let y = pod("a", "client", "{app: client}", "[]")
        + &pod("a", "s1", "{tier: s}", "[{containerPort: 8080, name: api}]")
        + &pod("a", "s2", "{tier: s}", "[{containerPort: 9090, name: api}]")
        + &pod(
            "a",
            "s3",
            "{tier: s}",
            "[{containerPort: 7070, name: api, protocol: UDP}]",
        )
        + &pod("a", "s4", "{tier: s}", "[{containerPort: 6060, name: other}]")
        + &policy(
            "a",
            "p",
            "{podSelector: {matchLabels: {tier: s}}, ingress: [{ports: [{port: api}]}]}",
        );
    let e = engine(&y);
    assert_eq!(conns(&e, "a/client", "a/s1"), "TCP 8080");
    assert_eq!(conns(&e, "a/client", "a/s2"), "TCP 9090");
    assert_eq!(
        conns(&e, "a/client", "a/s3"),
        "No Connections",
        "UDP port named api is not TCP api"
    );
    assert_eq!(
        conns(&e, "a/client", "a/s4"),
        "No Connections",
        "no port of that name: the rule allows nothing"
    );
}

#[test]
fn policies_see_pod_ports_not_service_ports() {
    let y = pod("a", "client", "{app: client}", "[]")
        + &pod("a", "api", "{app: api}", "[{containerPort: 8080}]")
        + "apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: a}\nspec:\n  selector: {app: api}\n  ports: [{port: 80, targetPort: 8080}]\n---\n"
        + &policy("a", "p", "{podSelector: {matchLabels: {app: api}}, ingress: [{ports: [{port: 80}]}]}");
    let e = engine(&y);
    let api = class(&e, "a/api");
    let c = e.conns(class(&e, "a/client"), api);
    assert!(c.contains(mamori_netpol::Protocol::Tcp, 80) && !c.contains(mamori_netpol::Protocol::Tcp, 8080));
}

#[test]
fn a_connection_needs_egress_at_the_source_and_ingress_at_the_destination() {
    let allow_in = policy(
        "a",
        "in",
        "{podSelector: {matchLabels: {app: db}}, ingress: [{ports: [{port: 5432}]}]}",
    );
    let deny_out = policy(
        "a",
        "out",
        "{podSelector: {matchLabels: {app: web}}, policyTypes: [Egress]}",
    );
    let e = engine(&(two_pods() + &allow_in + &deny_out));
    assert_eq!(conns(&e, "a/web", "a/db"), "No Connections");
    let (eg, ing) = e.explain(class(&e, "a/web"), class(&e, "a/db"));
    assert_eq!(eg.isolated_by.len(), 1);
    assert!(eg.grants.is_empty() && eg.allowed.is_empty());
    assert_eq!(ing.grants.len(), 1);
    assert_eq!(e.policies[ing.grants[0].policy].name, "in");
}

#[test]
fn invalid_policies_are_issues_and_never_decide() {
    let bad = [
        "{podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0}}]}]}",
        "{podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/16]}}]}]}",
        "{podSelector: {}, ingress: [{ports: [{endPort: 90}]}]}",
        "{podSelector: {}, ingress: [{ports: [{port: 90, endPort: 80}]}]}",
        "{podSelector: {}, ingress: [{ports: [{port: http, endPort: 80}]}]}",
        "{podSelector: {}, ingress: [{ports: [{port: 80, protocol: ICMP}]}]}",
        "{podSelector: {matchExpressions: [{key: app, operator: Equals, values: [x]}]}}",
    ];
    for spec in bad {
        let e = engine(&(two_pods() + &policy("a", "bad", spec)));
        assert!(e.policies.is_empty(), "{spec} was used");
        let issue = e.rejected().next().unwrap_or_else(|| panic!("{spec}: no issue"));
        assert!(
            issue.at.starts_with("t.yaml:") && issue.line > 0 && !issue.field.is_empty(),
            "{issue:?}"
        );
        // Not used: nothing is isolated.
        assert_eq!(conns(&e, "a/web", "a/db"), "All Connections", "{spec}");
    }
}

#[test]
fn unknown_fields_follow_the_field_validation_mode() {
    // The course's defect: `ports` inside the peer.
    let p = policy(
        "a",
        "p",
        "{podSelector: {matchLabels: {app: db}}, policyTypes: [Ingress], ingress: [{from: [{podSelector: {matchLabels: {app: web}}, ports: [{port: 1}]}]}]}",
    );
    let strict = engine(&(two_pods() + &p));
    assert!(strict.policies.is_empty());
    let i = strict.rejected().next().expect("refused");
    assert_eq!(i.field, "spec.ingress[0].from[0].ports");
    assert!(i.message.contains("allows all ports"), "{}", i.message);
    assert_eq!(conns(&strict, "a/web", "a/db"), "All Connections");
    let ignore = engine_with(&(two_pods() + &p), FieldValidation::Ignore);
    assert_eq!(ignore.policies.len(), 1);
    assert_eq!(conns(&ignore, "a/web", "a/db"), "All Connections");
    assert_eq!(
        ignore
            .conns(Target::Class(ignore.endpoints[0].class), class(&ignore, "a/db"))
            .to_string(),
        "No Connections",
        "db itself is not web"
    );
}

#[test]
fn workloads_by_template_and_equivalence_classes() {
    let dep = |name: &str| {
        format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: a}}\nspec:\n  selector: {{matchLabels: {{app: w}}}}\n  template:\n    metadata: {{labels: {{app: w}}}}\n    spec: {{containers: [{{name: c, image: x}}]}}\n---\n")
    };
    let e = engine(&(dep("w1") + &dep("w2") + &pod("a", "p", "{app: other}", "[]")));
    assert_eq!(e.endpoints.len(), 3);
    assert_eq!(e.classes.len(), 2, "w1 and w2 cannot be told apart");
    assert_eq!(e.endpoints[0].label(), "a/p[Pod]");
    assert_eq!(e.endpoints[1].label(), "a/w1[Deployment]");
}

#[test]
fn host_network_is_marked() {
    let y = "apiVersion: v1\nkind: Pod\nmetadata: {name: h, namespace: a}\nspec: {hostNetwork: true, containers: [{name: c, image: x}]}\n";
    let e = engine(y);
    assert!(e.endpoints[0].host_network && e.classes[0].host_network);
}

fn anp(name: &str, priority: u32, subject_ns: &str, dir: &str, rules: &str) -> String {
    format!(
        "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {{name: {name}}}\nspec:\n  priority: {priority}\n  subject: {{namespaces: {{matchLabels: {{kubernetes.io/metadata.name: {subject_ns}}}}}}}\n  {dir}: {rules}\n---\n"
    )
}

#[test]
fn admin_network_policy_decides_before_network_policies() {
    // NP allows web -> db on 5432; an ANP denying ingress from a's pods wins.
    let np = policy(
        "a",
        "p",
        "{podSelector: {matchLabels: {app: db}}, ingress: [{ports: [{port: 5432}]}]}",
    );
    let deny = anp(
        "deny",
        10,
        "a",
        "ingress",
        "[{name: d, action: Deny, from: [{namespaces: {}}], ports: [{portNumber: {protocol: TCP, port: 5432}}]}]",
    );
    let e = engine(&(two_pods() + &np + &deny));
    assert_eq!(conns(&e, "a/web", "a/db"), "No Connections");
    // The first matching rule of the first ANP decides: Allow before Deny.
    let allow = anp(
        "allow",
        5,
        "a",
        "ingress",
        "[{name: x, action: Allow, from: [{namespaces: {}}], ports: [{portNumber: {protocol: TCP, port: 5432}}]}]",
    );
    let e = engine(&(two_pods() + &np + &deny + &allow));
    assert_eq!(conns(&e, "a/web", "a/db"), "TCP 5432");
    let (_, ing) = e.explain(class(&e, "a/web"), class(&e, "a/db"));
    assert_eq!(e.admin[ing.admin[0].policy].name, "allow");
}

#[test]
fn pass_hands_over_to_network_policies_and_the_baseline_applies_only_without_them() {
    let pass = anp(
        "pass",
        1,
        "a",
        "ingress",
        "[{name: p, action: Pass, from: [{namespaces: {}}]}]",
    );
    let banp = "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\nspec:\n  subject: {namespaces: {}}\n  ingress: [{name: b, action: Deny, from: [{namespaces: {}}]}]\n---\n";
    // No NetworkPolicy isolates db: the baseline denies.
    let e = engine(&(two_pods() + &pass + banp));
    assert_eq!(conns(&e, "a/web", "a/db"), "No Connections");
    // A NetworkPolicy isolates db: it decides, the baseline is not consulted.
    let np = policy(
        "a",
        "p",
        "{podSelector: {matchLabels: {app: db}}, ingress: [{ports: [{port: 5432}]}]}",
    );
    let e = engine(&(two_pods() + &pass + banp + &np));
    assert_eq!(conns(&e, "a/web", "a/db"), "TCP 5432");
    // Same priority twice: an error.
    let twice = anp(
        "one",
        3,
        "a",
        "ingress",
        "[{name: p, action: Pass, from: [{namespaces: {}}]}]",
    ) + &anp(
        "two",
        3,
        "a",
        "ingress",
        "[{name: p, action: Pass, from: [{namespaces: {}}]}]",
    );
    let e = engine(&(two_pods() + &twice));
    assert!(e.rejected().any(|i| i.field == "spec.priority"));
}

#[test]
fn ingress_objects_give_the_controller_the_target_ports_policies_admit() {
    let base = pod("a", "api", "{app: api}", "[{containerPort: 8080}, {containerPort: 9090}]")
        + "apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: a}\nspec:\n  selector: {app: api}\n  ports: [{port: 80, targetPort: 8080}, {port: 90, targetPort: 9090}]\n---\n"
        + "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: a}\nspec:\n  rules:\n  - http:\n      paths:\n      - {path: /, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}\n---\n";
    let reach = |yaml: &str| {
        let r = load_texts(&[("t.yaml", yaml)], &LoadOptions::default());
        let inv = Inventory::new(r.objects);
        let e = Engine::with_extra(&inv, Options::default(), vec![mamori_netpol::ingress::controller()]);
        mamori_netpol::ingress::reachable(&inv, &e)
            .into_iter()
            .map(|(i, c)| format!("{} {c}", e.endpoints[i].label()))
            .collect::<Vec<_>>()
    };
    // Only the backend's target port, not every port of the Service.
    assert_eq!(reach(&base), ["a/api[Pod] TCP 8080"]);
    // A policy admitting only pods of its namespace keeps the controller out.
    let own_ns = policy("a", "p", "{podSelector: {}, ingress: [{from: [{podSelector: {}}]}]}");
    assert!(reach(&(base.clone() + &own_ns)).is_empty());
    // One admitting every namespace lets it in.
    let all_ns = policy(
        "a",
        "p",
        "{podSelector: {}, ingress: [{from: [{namespaceSelector: {}}]}]}",
    );
    assert_eq!(reach(&(base + &all_ns)), ["a/api[Pod] TCP 8080"]);
}
