//! # mamori-netpol: who can reach whom, and why
//!
//! This crate computes the connectivity a set of Kubernetes NetworkPolicies
//! allows between the workloads of a set of manifests, exactly as the
//! `networking.k8s.io/v1` API defines it, and explains each verdict by the
//! policy and rule that decide it on *both* ends. What follows are the
//! rules it implements; each has a unit test (`tests/semantics.rs`).
//!
//! ## Which policies exist
//!
//! Only policies the API server would store take part. The loader marks an
//! object it would refuse whatever the validation mode (a wrong type, an
//! unsupported `protocol` or `policyTypes` value); this crate adds the
//! checks of `ValidateNetworkPolicy` that a schema cannot express: a peer
//! must name a peer type, and `ipBlock` excludes the selectors; `cidr` and
//! every `except` must be valid CIDRs and each `except` a strict subset of
//! its `cidr` (inside it, with a longer prefix); a numeric `port` is
//! 1-65535 and a named one an IANA service name (`a-z0-9-`, at most 15,
//! with a letter); `endPort` needs a numeric `port` and must not be below
//! it; selector operators are `In`, `NotIn`, `Exists`, `DoesNotExist`
//! with values exactly for the first two. Unknown fields follow the field
//! validation mode: under `Strict` (kubectl's default since 1.27) they
//! refuse the object; under `Ignore` they are dropped and the object is
//! used as stored. A refused policy is an [`Issue`] with file, line and
//! field, and never contributes to a verdict.
//!
//! ## Defaulting
//!
//! `protocol` defaults to TCP. Without `policyTypes`, a policy has type
//! Ingress, plus Egress when its `egress` list is non-empty
//! (`SetDefaults_NetworkPolicySpec`: an `egress: []` does not make it an
//! egress policy).
//!
//! ## Isolation, per direction
//!
//! A pod is isolated for ingress when some policy *of its namespace* whose
//! types include Ingress selects it (`podSelector`, `{}` selecting every
//! pod of the namespace); likewise for egress. A direction in which a pod
//! is not isolated allows everything. In an isolated direction, what is
//! allowed is the union of what the rules of all isolating policies allow;
//! a policy with the type and no rules (`deny-all`) allows nothing, but
//! only isolates. Policies never deny: order and count do not matter.
//!
//! ## Rules and peers
//!
//! A rule with `from`/`to` absent or empty matches every peer, pods and
//! external addresses; `ports` absent or empty matches every port of every
//! protocol. A rule that is `{}` therefore allows everything. A peer is
//! one of:
//!
//! * `podSelector` alone: the matching pods of the *policy's* namespace;
//! * `namespaceSelector` alone: every pod of the matching namespaces
//!   (`{}`: all namespaces); namespaces carry the
//!   `kubernetes.io/metadata.name` label the API server sets;
//! * both in one peer: pods matching the pod selector in namespaces
//!   matching the namespace selector (AND). Two list items, one with each
//!   selector, are two peers (OR);
//! * `ipBlock`: addresses in `cidr` and not in any `except`. Pod addresses
//!   are not in manifests, so an ipBlock stands for addresses outside the
//!   cluster; whether a CNI also applies it to pod or node addresses is
//!   implementation-specific and not guessed. The IPv4 space is cut into
//!   atomic intervals at every boundary of the ipBlocks of ingress rules
//!   (sources) and of egress rules (destinations), one external peer each.
//!
//! ## Ports
//!
//! A numeric port with `endPort` is the range `port..=endPort`. Policies
//! see pod ports: a Service's `port` means nothing to them, only the pod's
//! `containerPort` (the Service's `targetPort`) does. A named port is
//! resolved on each *destination* pod, by name and protocol, among its
//! containers' ports: the same rule can allow 8080 to one pod and 9090 to
//! another, and allows nothing to a pod without that name (nor to an
//! external address).
//!
//! ## A connection
//!
//! A connection from A to B on a port is allowed when A's egress allows it
//! to B *and* B's ingress allows it from A. Replies of an allowed
//! connection are allowed (connection tracking), so they are not listed.
//! A connection from an external address is decided by the destination's
//! ingress alone, one to it by the source's egress alone.
//!
//! ## Workloads and scale
//!
//! Workloads are represented by their pod template (Deployment,
//! StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job,
//! CronJob); bare pods by themselves, folded into their owner when they
//! have one (`ownerReferences`, the controller first), as a cluster dump
//! shows them. Endpoints that no policy can tell apart — same namespace,
//! pod labels, container ports and host networking — form one equivalence
//! class, and the evaluation runs on classes: its cost grows with the
//! number of distinct shapes, not of pod pairs.
//!
//! ## Multiple networks (`Options::multiple_networks`)
//!
//! Off by default; np-guard's multiple-networks option. The rules, each
//! tested in `tests/networks.rs` and against np-guard's `udn_*`, `cudn_*`,
//! `nad_*` and `*_vms_*` scenarios:
//!
//! * **KubeVirt VirtualMachines** (`kubevirt.io`) are workloads
//!   (`ns/name[VirtualMachine]`) with the labels of `spec.template`. They
//!   declare no container ports, so named ports never resolve on them, and
//!   an Ingress or Route reaches them on the Service's numeric target
//!   ports. A virt-launcher pod (owned by the VirtualMachineInstance of the
//!   same name) is the VM.
//! * **Primary networks.** A namespace is on a primary UserDefinedNetwork
//!   (UDN) when it carries the `k8s.ovn.org/primary-user-defined-network`
//!   label and has a UDN whose `layer2`/`layer3` role is `Primary`; the
//!   network is named by the namespace and its workloads are shown as
//!   `ns[udn]/name[Kind]`. A labelled namespace that the `namespaceSelector`
//!   of a primary ClusterUserDefinedNetwork (CUDN) matches is on that CUDN
//!   (named by the CUDN, workloads untagged). Every other namespace is on
//!   the cluster's pod network. Workloads are connected only to workloads
//!   on the same primary network; NetworkPolicies (and the admin policies)
//!   apply within each network as usual; external addresses and the
//!   ingress controller reach every primary network.
//! * **Refused networks** are errors, never verdicts (as OVN-Kubernetes
//!   refuses them): a topology other than `Layer2`/`Layer3`, a layer section
//!   that is not the topology's, a role other than `Primary`/`Secondary`, a
//!   UDN named `default` or in the `default` or an `openshift-` namespace,
//!   and a second primary (C)UDN for a namespace.
//! * **Secondary networks.** A NetworkAttachmentDefinition (NAD) is a
//!   network named by the NAD; a workload is attached by its pods'
//!   `k8s.v1.cni.cncf.io/networks` annotation (`[ns/]name[@if]`, comma
//!   separated, or Multus's JSON list) or a VM's `multus.networkName`; the
//!   namespace defaults to the workload's, and a NAD the input lacks
//!   attaches nothing. On a NAD only attached workloads connect, whatever
//!   their namespaces and primary networks; external addresses are not on
//!   it; NetworkPolicies do not apply, MultiNetworkPolicies do.
//! * **MultiNetworkPolicy** governs the networks its
//!   `k8s.v1.cni.cncf.io/policy-for` annotation names (`[ns/]name`, comma
//!   separated, the namespace defaulting to the policy's, where a NAD of
//!   that name must exist); without the annotation it is an error. Its spec
//!   is a NetworkPolicy's, validated, defaulted and evaluated the same way,
//!   except that an `ipBlock` matches the workloads whose address on the
//!   network it contains: the `ips` of the JSON annotation, or a VM's
//!   static cloud-init addresses (`networkData` `ethernets.*.addresses`).
//! * The txt list has one section per network: the pod network (or why it
//!   is empty), primary UDNs, primary CUDNs, then NADs, each sorted by name,
//!   and a workload-to-networks mapping (not with `--focus-conn`).
//!
//! * **Exposure** (`list --exposure`): what a workload is open to that
//!   does not exist yet, as np-guard computes it; the rules are in
//!   [`exposure`].
//!
//! ## What is not guessed
//!
//! `hostNetwork` pods share the node's address; the API leaves policy
//! behaviour for them undefined, so a verdict about one is *unknown*
//! (the list still shows them as ordinary pods, as np-guard does, and says
//! so). Traffic from or to nodes is out of scope.

pub mod admin;
pub mod diff;
pub mod endpoint;
pub mod engine;
pub mod exposure;
pub mod generate;
pub mod ingress;
pub mod ip;
pub mod list;
pub mod networks;
pub mod policy;
pub mod ports;
pub mod reach;

pub use endpoint::{Class, Endpoint};
pub use engine::{Engine, Grant, Options, Side, Target};
pub use policy::{FieldValidation, Issue, NetPol};
pub use ports::{ConnSet, Protocol};
