//! One test per rule of the multiple-networks model (the crate's opening
//! essay, "Multiple networks"), on manifests read by mamori's loader.

use mamori_model::Inventory;
use mamori_netpol::list::{connlist_with, Focus};
use mamori_netpol::networks::{connlist_multi, parse_networks_annotation, render_txt, MultiList};
use mamori_netpol::{Engine, FieldValidation, Options};
use mamori_source::load::{load_texts, LoadOptions};

fn inventory(yaml: &str) -> Inventory {
    let r = load_texts(&[("t.yaml", yaml)], &LoadOptions::default());
    Inventory::new(r.objects)
}

fn options(multiple_networks: bool) -> Options {
    Options {
        field_validation: FieldValidation::Ignore,
        multiple_networks,
        ..Options::default()
    }
}

fn multi(yaml: &str) -> (MultiList, String) {
    let inv = inventory(yaml);
    let engine = Engine::new(&inv, options(true));
    let ingress = mamori_netpol::ingress::reachable(&inv, &engine);
    let lines = connlist_with(&engine, &Focus::default(), &ingress);
    let m = connlist_multi(&inv, &engine, &Focus::default(), lines);
    let txt = render_txt(&m, None);
    (m, txt)
}

fn pod(ns: &str, name: &str, labels: &str, annotations: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: {ns}\n  labels: {labels}\n  annotations: {annotations}\nspec:\n  containers:\n  - name: c\n    image: x\n    ports: [{{containerPort: 8080}}]\n---\n"
    )
}

fn ns(name: &str, labels: &str) -> String {
    format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n  labels: {labels}\n---\n")
}

const UDN_LABEL: &str = "{k8s.ovn.org/primary-user-defined-network: \"\"}";

fn udn(ns: &str, name: &str, network: &str) -> String {
    format!("apiVersion: k8s.ovn.org/v1\nkind: UserDefinedNetwork\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec: {network}\n---\n")
}

const LAYER2_PRIMARY: &str = "{topology: Layer2, layer2: {role: Primary, subnets: [10.0.0.0/16]}}";

fn nad(ns: &str, name: &str) -> String {
    format!("apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  config: '{{}}'\n---\n")
}

fn mnp(ns: &str, name: &str, policy_for: &str, spec: &str) -> String {
    format!("apiVersion: k8s.cni.cncf.io/v1beta1\nkind: MultiNetworkPolicy\nmetadata:\n  name: {name}\n  namespace: {ns}\n  annotations: {{k8s.v1.cni.cncf.io/policy-for: \"{policy_for}\"}}\nspec: {spec}\n---\n")
}

fn vm(ns: &str, name: &str, labels: &str, networks: &str, volumes: &str) -> String {
    format!(
        "apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  template:\n    metadata:\n      labels: {labels}\n    spec:\n      domain: {{devices: {{}}}}\n      networks: {networks}\n      volumes: {volumes}\n---\n"
    )
}

fn has(txt: &str, line: &str) -> bool {
    txt.lines().any(|l| l == line)
}

#[test]
fn virtual_machines_are_workloads_only_with_multiple_networks() {
    let y = vm("default", "vm1", "{app: db}", "[]", "[]") + &pod("default", "web", "{app: web}", "{}");
    let inv = inventory(&y);
    let off = Engine::new(&inv, options(false));
    assert!(off.endpoints.iter().all(|e| e.kind != "VirtualMachine"));
    let on = Engine::new(&inv, options(true));
    let v = on
        .endpoints
        .iter()
        .find(|e| e.kind == "VirtualMachine")
        .expect("the VM");
    // The pod template's labels, no container ports.
    assert_eq!(v.labels, vec![("app".to_string(), "db".to_string())]);
    assert!(v.ports.is_empty());
}

#[test]
fn virt_launcher_pods_fold_into_their_virtual_machine() {
    let launcher = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: virt-launcher-vm1-x\n  namespace: default\n  ownerReferences: [{kind: VirtualMachineInstance, name: vm1, controller: true}]\nspec:\n  containers: [{name: compute, image: x}]\n---\n";
    let y = vm("default", "vm1", "{app: db}", "[]", "[]") + launcher;
    let e = Engine::new(&inventory(&y), options(true));
    let labels: Vec<String> = e.endpoints.iter().map(|e| e.label()).collect();
    assert_eq!(labels, ["default/vm1[VirtualMachine]"]);
}

#[test]
fn a_primary_udn_isolates_its_namespace_and_tags_its_workloads() {
    let y = ns("blue", UDN_LABEL)
        + &udn("blue", "net", LAYER2_PRIMARY)
        + &pod("blue", "a", "{app: a}", "{}")
        + &pod("default", "b", "{app: b}", "{}");
    let (m, txt) = multi(&y);
    assert!(m.udn.contains_key("blue"));
    // No line between the two networks, either way.
    assert!(!txt.contains("blue[udn]/a[Pod] => default/b[Pod]"));
    assert!(!txt.contains("default/b[Pod] => blue[udn]/a[Pod]"));
    // Addresses outside the cluster reach both.
    assert!(has(
        &txt,
        "0.0.0.0-255.255.255.255[External] => blue[udn]/a[Pod] : All Connections"
    ));
    assert!(has(
        &txt,
        "0.0.0.0-255.255.255.255[External] => default/b[Pod] : All Connections"
    ));
    assert!(has(&txt, "Permitted connectivity analyzed in primary UDN blue:"));
    assert!(has(&txt, "blue/a[Pod]: "));
    assert!(has(&txt, "\tPrimary Network: blue[UDN]"));
}

#[test]
fn network_policies_apply_inside_a_primary_udn() {
    let deny = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: blue}\nspec: {podSelector: {matchLabels: {app: a}}, ingress: [{ports: [{port: 8080}]}]}\n---\n";
    let y = ns("blue", UDN_LABEL)
        + &udn("blue", "net", LAYER2_PRIMARY)
        + &pod("blue", "a", "{app: a}", "{}")
        + &pod("blue", "c", "{app: c}", "{}")
        + deny;
    let (_, txt) = multi(&y);
    assert!(has(&txt, "blue[udn]/c[Pod] => blue[udn]/a[Pod] : TCP 8080"));
    assert!(has(&txt, "blue[udn]/a[Pod] => blue[udn]/c[Pod] : All Connections"));
}

#[test]
fn without_the_namespace_label_a_udn_does_not_apply() {
    let y = ns("blue", "{}") + &udn("blue", "net", LAYER2_PRIMARY) + &pod("blue", "a", "{}", "{}");
    let (m, _) = multi(&y);
    assert!(m.udn.is_empty());
    assert_eq!(m.pod_network_workloads, 1);
}

#[test]
fn a_primary_cudn_joins_the_labelled_namespaces_it_selects() {
    let cudn = "apiVersion: k8s.ovn.org/v1\nkind: ClusterUserDefinedNetwork\nmetadata: {name: tenant}\nspec:\n  namespaceSelector: {matchLabels: {tenant: x}}\n  network: {topology: Layer2, layer2: {role: Primary}}\n---\n";
    let y = ns("red", "{tenant: x, k8s.ovn.org/primary-user-defined-network: \"\"}")
        + &ns("yellow", "{tenant: x, k8s.ovn.org/primary-user-defined-network: \"\"}")
        + &ns("green", "{tenant: x}")
        + cudn
        + &pod("red", "a", "{}", "{}")
        + &pod("yellow", "b", "{}", "{}")
        + &pod("green", "c", "{}", "{}");
    let (m, txt) = multi(&y);
    // Untagged names; `green` lacks the primary-network label: pod network.
    assert!(has(&txt, "red/a[Pod] => yellow/b[Pod] : All Connections"));
    assert!(has(&txt, "Permitted connectivity analyzed in primary CUDN tenant:"));
    assert!(!txt.contains("green/c[Pod] => red/a[Pod]"));
    assert_eq!(m.pod_network_workloads, 1);
    assert!(has(&txt, "\tPrimary Network: tenant[CUDN]"));
}

#[test]
fn refused_networks_are_errors() {
    let two = ns("blue", UDN_LABEL)
        + &udn("blue", "one", LAYER2_PRIMARY)
        + &udn("blue", "two", LAYER2_PRIMARY)
        + &pod("blue", "a", "{}", "{}");
    let (m, _) = multi(&two);
    assert!(m
        .issues
        .iter()
        .any(|i| i.rejected && i.message.contains("only one primary")));
    for (spec, field) in [
        ("{topology: Layer4, layer2: {role: Primary}}", "spec.topology"),
        ("{topology: Layer2, layer3: {role: Primary}}", "spec.layer3"),
        ("{topology: Layer3, layer3: {role: Admin}}", "spec.layer3.role"),
    ] {
        let y = ns("blue", UDN_LABEL) + &udn("blue", "n", spec) + &pod("blue", "a", "{}", "{}");
        let (m, _) = multi(&y);
        assert!(m.issues.iter().any(|i| i.rejected && i.field == field), "{spec}");
    }
    let y = ns("blue", UDN_LABEL) + &udn("blue", "default", LAYER2_PRIMARY);
    assert!(multi(&y).0.issues.iter().any(|i| i.field == "metadata.name"));
    let y = ns("openshift-x", UDN_LABEL) + &udn("openshift-x", "n", LAYER2_PRIMARY);
    assert!(multi(&y).0.issues.iter().any(|i| i.field == "metadata.namespace"));
}

#[test]
fn a_nad_is_a_secondary_network_of_the_workloads_attached_to_it_only() {
    let y = nad("default", "l2")
        + &pod("default", "a", "{}", "{k8s.v1.cni.cncf.io/networks: l2}")
        + &pod("default", "b", "{}", "{k8s.v1.cni.cncf.io/networks: default/l2}")
        + &pod("default", "c", "{}", "{}")
        // A reference to a NAD the input lacks attaches nothing.
        + &pod("default", "d", "{}", "{k8s.v1.cni.cncf.io/networks: other}");
    let (m, txt) = multi(&y);
    let l2: Vec<String> = m.nad["l2"].iter().map(|l| format!("{} => {}", l.src, l.dst)).collect();
    assert_eq!(
        l2,
        ["default/a[Pod] => default/b[Pod]", "default/b[Pod] => default/a[Pod]"]
    );
    assert!(has(&txt, "\tSecondary Networks: l2[NAD]"));
}

#[test]
fn network_policies_do_not_govern_a_secondary_network_multi_network_policies_do() {
    let deny_all = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: default}\nspec: {podSelector: {}, policyTypes: [Ingress, Egress]}\n---\n";
    let y = nad("default", "l2")
        + &nad("default", "other")
        + &pod("default", "a", "{app: a}", "{k8s.v1.cni.cncf.io/networks: l2}")
        + &pod("default", "b", "{app: b}", "{k8s.v1.cni.cncf.io/networks: l2}")
        + deny_all
        // Ingress to b only from a on TCP 80; a policy for another network does nothing here.
        + &mnp("default", "m", "l2", "{podSelector: {matchLabels: {app: b}}, ingress: [{from: [{podSelector: {matchLabels: {app: a}}}], ports: [{port: 80}]}]}")
        + &mnp("default", "n", "other", "{podSelector: {}, policyTypes: [Ingress, Egress]}");
    let (m, txt) = multi(&y);
    assert!(m.pod.is_empty());
    assert!(has(
        &txt,
        "All connections are not allowed for the workloads in the pod-network"
    ));
    assert!(has(&txt, "default/a[Pod] => default/b[Pod] : TCP 80"));
    assert!(has(&txt, "default/b[Pod] => default/a[Pod] : All Connections"));
}

#[test]
fn a_multi_network_policy_without_policy_for_is_an_error() {
    let y = nad("default", "l2")
        + &pod("default", "a", "{}", "{k8s.v1.cni.cncf.io/networks: l2}")
        + "apiVersion: k8s.cni.cncf.io/v1beta1\nkind: MultiNetworkPolicy\nmetadata: {name: m, namespace: default}\nspec: {podSelector: {}}\n---\n";
    let (m, _) = multi(&y);
    assert!(m.issues.iter().any(|i| i.rejected && i.field.contains("policy-for")));
}

#[test]
fn ip_blocks_of_a_multi_network_policy_match_workload_addresses_on_the_network() {
    let at = |ip: &str| format!("{{k8s.v1.cni.cncf.io/networks: '[{{\"name\": \"l2\", \"ips\": [\"{ip}/24\"]}}]'}}");
    let y = nad("default", "l2")
        + &pod("default", "server", "{app: s}", &at("10.1.0.1"))
        + &pod("default", "near", "{}", &at("10.1.0.11"))
        + &pod("default", "far", "{}", &at("10.1.0.99"))
        + &mnp("default", "m", "default/l2", "{podSelector: {matchLabels: {app: s}}, policyTypes: [Ingress], ingress: [{from: [{ipBlock: {cidr: 10.1.0.8/29}}]}]}");
    let (m, _) = multi(&y);
    let l2: Vec<String> = m.nad["l2"].iter().map(|l| format!("{} => {}", l.src, l.dst)).collect();
    assert!(
        l2.contains(&"default/near[Pod] => default/server[Pod]".to_string()),
        "{l2:?}"
    );
    assert!(
        !l2.contains(&"default/far[Pod] => default/server[Pod]".to_string()),
        "{l2:?}"
    );
}

#[test]
fn a_virtual_machine_has_its_cloud_init_addresses_on_its_secondary_networks() {
    let net = "[{name: n, multus: {networkName: l2}}]";
    let vol = |ip: &str| {
        format!("[{{name: ci, cloudInitNoCloud: {{networkData: \"ethernets:\\n  eth1:\\n    addresses:\\n    - {ip}/24\\nversion: 2\\n\"}}}}]")
    };
    let y = nad("default", "l2")
        + &vm("default", "server", "{app: s}", net, &vol("10.2.0.9"))
        + &vm("default", "in", "{}", net, &vol("10.2.0.1"))
        + &vm("default", "out", "{}", net, &vol("10.2.0.200"))
        + &mnp("default", "m", "l2", "{podSelector: {matchLabels: {app: s}}, policyTypes: [Ingress], ingress: [{from: [{ipBlock: {cidr: 10.2.0.0/30}}]}]}");
    let (m, _) = multi(&y);
    let l2: Vec<String> = m.nad["l2"].iter().map(|l| format!("{} => {}", l.src, l.dst)).collect();
    assert!(
        l2.contains(&"default/in[VirtualMachine] => default/server[VirtualMachine]".to_string()),
        "{l2:?}"
    );
    assert!(
        !l2.contains(&"default/out[VirtualMachine] => default/server[VirtualMachine]".to_string()),
        "{l2:?}"
    );
}

#[test]
fn the_networks_annotation_has_two_forms() {
    let names = |v: &str| -> Vec<(Option<String>, String)> {
        parse_networks_annotation(v)
            .into_iter()
            .map(|r| (r.namespace, r.name))
            .collect()
    };
    assert_eq!(
        names("a, ns/b@eth2"),
        [(None, "a".to_string()), (Some("ns".to_string()), "b".to_string())]
    );
    let json = parse_networks_annotation(r#"[{"name": "c", "namespace": "x", "ips": ["1.2.3.4/24"]}]"#);
    assert_eq!((json[0].namespace.as_deref(), json[0].name.as_str()), (Some("x"), "c"));
    assert_eq!(json[0].ips, [u32::from(std::net::Ipv4Addr::new(1, 2, 3, 4))]);
}

#[test]
fn an_empty_pod_network_says_why() {
    let y = ns("blue", UDN_LABEL) + &udn("blue", "net", LAYER2_PRIMARY) + &pod("blue", "a", "{}", "{}");
    let (_, txt) = multi(&y);
    assert!(has(
        &txt,
        "all input workloads are configured with (C)UDN as their primary network interface"
    ));
}

#[test]
fn without_network_objects_the_list_is_one_block_with_the_mapping() {
    let y = pod("default", "a", "{}", "{}") + &pod("default", "b", "{}", "{}");
    let (_, txt) = multi(&y);
    assert!(!txt.contains("Permitted connectivity analyzed in"));
    assert!(has(&txt, "default/a[Pod] => default/b[Pod] : All Connections"));
    assert!(has(&txt, "Workload-to-Networks Mapping:"));
    assert!(has(&txt, "\tPrimary Network: pod-network"));
}

#[test]
fn focus_conn_lists_pairs_per_network_without_the_mapping() {
    let y = ns("blue", UDN_LABEL)
        + &udn("blue", "net", LAYER2_PRIMARY)
        + &pod("blue", "a", "{}", "{}")
        + &pod("blue", "b", "{}", "{}");
    let inv = inventory(&y);
    let engine = Engine::new(&inv, options(true));
    let focus = Focus {
        conn: Focus::parse_conn("tcp-80"),
        ..Focus::default()
    };
    let lines = connlist_with(&engine, &focus, &[]);
    let txt = render_txt(&connlist_multi(&inv, &engine, &focus, lines), focus.conn);
    assert!(txt.starts_with("Permitted connections on TCP 80:\n"));
    assert!(has(&txt, "blue[udn]/a[Pod] => blue[udn]/b[Pod]"));
    assert!(!txt.contains("Mapping"));
}

#[test]
fn diff_does_not_connect_workloads_on_different_primary_networks() {
    let before = pod("blue", "a", "{}", "{}") + &pod("green", "b", "{}", "{}");
    let after = ns("blue", UDN_LABEL) + &udn("blue", "net", LAYER2_PRIMARY) + &before;
    let (i1, i2) = (inventory(&before), inventory(&after));
    let (e1, e2) = (Engine::new(&i1, options(true)), Engine::new(&i2, options(true)));
    let (n1, n2) = (
        mamori_netpol::networks::class_networks(&i1, &e1),
        mamori_netpol::networks::class_networks(&i2, &e2),
    );
    let changes = mamori_netpol::diff::diff_networks(&e1, &e2, &[], &[], [Some(&n1[..]), Some(&n2[..])]);
    let pairs: Vec<(String, String)> = changes.iter().map(|c| (c.src.clone(), c.dst.clone())).collect();
    assert_eq!(
        pairs,
        [
            ("blue/a[Pod]".to_string(), "green/b[Pod]".to_string()),
            ("green/b[Pod]".to_string(), "blue/a[Pod]".to_string())
        ]
    );
    assert!(changes.iter().all(|c| c.after.is_empty()));
}

#[test]
fn the_ingress_controller_reaches_a_virtual_machine_on_numeric_target_ports() {
    let svc = "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: default}\nspec: {selector: {app: v}, ports: [{port: 80, targetPort: 8000}]}\n---\n";
    let ing = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i, namespace: default}\nspec: {defaultBackend: {service: {name: s, port: {number: 80}}}}\n---\n";
    let y = vm("default", "v", "{app: v}", "[]", "[]") + svc + ing;
    let inv = inventory(&y);
    let engine = Engine::with_extra(&inv, options(true), vec![mamori_netpol::ingress::controller()]);
    let reach = mamori_netpol::ingress::reachable(&inv, &engine);
    assert_eq!(reach.len(), 1);
    assert_eq!(reach[0].1.to_string(), "TCP 8000");
}
