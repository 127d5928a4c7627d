use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// mamori (守り): diagnose and harden Kubernetes environments.
///
/// mamori reads manifests the way the API server would, and explains what is
/// wrong, where, and what it means.
#[derive(Parser, Debug)]
#[command(name = "mamori", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Scan manifests: schema problems and security findings.
    ///
    /// Reads YAML and JSON files and folders (recursively: .yaml, .yml,
    /// .json), multi-document files, `kind: List` output of `kubectl get -o
    /// yaml`, and Helm-rendered output; `-` reads stdin.
    ///
    /// Examples:
    ///   mamori scan examples/k8s-defense
    ///   helm template ./chart | mamori scan -
    ///   mamori scan manifests/ --format sarif -o mamori.sarif
    ///   mamori scan manifests/ --baseline previous.json --fail-on medium
    #[command(verbatim_doc_comment)]
    Scan(ScanArgs),
    /// Judge pods and workloads by the Pod Security Standards, as admission would.
    ///
    /// Without --level, each pod-bearing object (Pod, Deployment, StatefulSet,
    /// DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, PodTemplate)
    /// is judged by its namespace's `pod-security.kubernetes.io/{enforce,audit,
    /// warn}` labels (and their `-version` labels), exactly as the PodSecurity
    /// admission plugin would. Namespace objects in the input give the labels;
    /// a namespace that is not in the input has none, so the cluster defaults
    /// apply (privileged:latest, or those of --admission-config). Objects are
    /// judged as stored: a field the API server would drop is ignored, and
    /// said so.
    ///
    /// For every object: each mode's verdict with the API server's exact text
    /// (a Pod at enforce: `pods "NAME" is forbidden: violates PodSecurity
    /// ...`; otherwise, and for workloads, which are never rejected
    /// themselves: `would violate PodSecurity ...`), and the strictest level
    /// it satisfies. For every namespace: the strictest level all its
    /// workloads satisfy, i.e. the enforce label it can carry today, and
    /// what the next level would reject.
    ///
    /// Exit codes: 0 nothing is rejected at enforce; 1 enforce rejects a pod
    /// (or a workload's pods); 2 usage or input error (unreadable file,
    /// invalid YAML, bad --level, --version or --admission-config).
    /// JSON output: docs/pss-json.md.
    ///
    /// Examples:
    ///   mamori pss examples/k8s-defense
    ///   mamori pss manifests/ --level restricted
    ///   mamori pss manifests/ --level baseline --version v1.25 --format json -o pss.json
    ///   mamori pss manifests/ --k8s-version 1.29    # `latest` as a 1.29 API server means it
    ///   helm template ./chart | mamori pss - -n prod --admission-config admission.yaml
    #[command(verbatim_doc_comment, disable_version_flag = true)]
    Pss(PssArgs),
    /// List the checks in the catalog.
    Checks {
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
    },
    /// Show the documentation of a check (`mamori explain SCH003`).
    Explain {
        /// Check code or name.
        code: String,
    },
    /// Write, or verify, the generated check documentation (docs/checks).
    Docs {
        /// Output folder.
        #[arg(long, default_value = "docs/checks")]
        dir: PathBuf,
        /// Verify that the folder is up to date instead of writing it (exit 1 if stale).
        #[arg(long)]
        check: bool,
    },
    /// RBAC questions answered offline: can-i, who-can, matrix, generate.
    Rbac(RbacArgs),
    /// What each container of a pod or workload can actually do.
    ///
    /// For every container: the user it runs as, its effective capabilities
    /// (the container runtime's default set, plus adds, minus drops), its
    /// seccomp and AppArmor profiles as applied, and what follows: can it open
    /// raw sockets (ping), create user namespaces (unshare), change owners,
    /// bind ports below 1024, mount, escalate. Objects are read as the API
    /// server would store them (unknown fields dropped).
    ///
    /// Examples:
    ///   mamori explain-pod k8s-defense/secure-pod ../shared/seed-lab/ex2-supply-chain
    ///   mamori explain-pod shop/web examples/k8s-defense --format json
    #[command(verbatim_doc_comment)]
    ExplainPod(ExplainPodArgs),
    /// Fix findings by editing the YAML in place, keeping comments and layout.
    ///
    /// Safe fixes by default: seccomp RuntimeDefault (POD007),
    /// allowPrivilegeEscalation false (POD002), drop ALL capabilities
    /// (POD005), runAsNonRoot with uid 10001 where no user is set (POD004),
    /// automountServiceAccountToken false where nothing suggests API access
    /// (POD023), misplaced fields moved where they certainly belong (SCH003).
    /// With --unsafe-fixes also readOnlyRootFilesystem with an emptyDir at
    /// /tmp (POD010), host namespaces off (POD011-POD013) and CronJobs'
    /// concurrencyPolicy Forbid (POD033). Every result
    /// is re-parsed and compared with the original; a file that would change
    /// beyond the fixed fields is refused. Templates (`{{`) are refused.
    /// Without --in-place or -o, prints a unified diff and changes nothing.
    /// Exit 0 when done, 1 when a file was refused, 2 on usage or input error.
    ///
    /// Examples:
    ///   mamori fix manifests/                      # show the diff
    ///   mamori fix manifests/ --in-place
    ///   mamori fix deploy.yaml --select POD002,POD005 --in-place
    ///   mamori fix manifests/ --unsafe-fixes -o hardened/
    #[command(verbatim_doc_comment)]
    Fix(FixArgs),
    /// NetworkPolicy connectivity: who can reach whom, and why.
    Netpol(NetpolArgs),
    /// Sign and verify container images, cosign-compatible: keygen, sign, verify.
    ///
    /// Key pairs, signatures and payloads are in cosign's format (key-based
    /// "simple signing": the signature manifest under the tag
    /// `sha256-HEX.sig` in the image's repository), for cosign and Kyverno
    /// to verify what mamori signs and mamori what cosign signs (tested
    /// against sigstore-rs, skopeo and openssl). Images are registry references
    /// (`registry.example/app:1.0`, `...@sha256:HEX`) or OCI layouts on disk
    /// (`oci:DIR[:TAG]`). No transparency log is used: mamori works offline.
    /// Formats and limits: docs/image-signing.md.
    ///
    /// Examples:
    ///   mamori image keygen                         # cosign.key (password-protected) and cosign.pub
    ///   mamori image sign --key cosign.key registry.example/cs-app@sha256:...
    ///   mamori image verify --key cosign.pub registry.example/cs-app:latest
    ///   COSIGN_PASSWORD=... mamori image sign --key cosign.key oci:./build:v1 -a commit=abc123
    #[command(verbatim_doc_comment)]
    Image(ImageArgs),
}

/// `mamori netpol ...`: the NetworkPolicy engine's questions.
#[derive(clap::Args, Debug)]
pub struct NetpolArgs {
    #[command(subcommand)]
    pub command: NetpolCommand,
}

#[derive(Subcommand, Debug)]
pub enum NetpolCommand {
    /// Every allowed connection between workloads and external addresses.
    ///
    /// One line per allowed (source, destination) pair, in np-guard's
    /// connlist grammar (`ns/name[Kind] => ns/name[Kind] : TCP 80,UDP 53`,
    /// `All Connections`, external ranges as `a.b.c.d-e.f.g.h[External]`),
    /// so the txt output can be diffed with np-guard's. Workloads are
    /// their pod templates; pods are folded into their owners.
    ///
    /// A policy the API server would refuse (bad CIDR, `except` outside its
    /// CIDR, `endPort` without a numeric `port` or below it, unknown
    /// protocol, bad selector, unknown field under strict validation) is an
    /// error: nothing is printed and the exit code is 2, unless
    /// --skip-invalid analyses the rest without it.
    ///
    /// Examples:
    ///   mamori netpol list manifests/
    ///   mamori netpol list manifests/ --format json -o connlist.json
    ///   mamori netpol list manifests/ --focus-workload shop/web --focus-direction ingress
    #[command(verbatim_doc_comment)]
    List(NetpolListArgs),
    /// Can FROM reach TO (on PORT)? `allowed` or `denied` with the deciding rules; exit 0 or 1.
    ///
    /// Explains both ends: the egress policies of the source and the
    /// ingress policies of the destination, each with the policy and rule
    /// that allow the connection, or the isolation that denies it and the
    /// fact that no rule allows it. Egress isolation is checked against the
    /// cluster DNS too (kube-system pods labelled k8s-app=kube-dns; assumed
    /// when not in the input). A hostNetwork pod gives `unknown`.
    /// Exit codes: 0 allowed, 1 denied or unknown, 2 usage or input error.
    ///
    /// Examples:
    ///   mamori netpol reach --from k8s-defense/curl --to k8s-defense/nginx:80 manifests/
    ///   mamori netpol reach --from shop/web --to kube-system/kube-dns:53/udp manifests/
    ///   mamori netpol reach --from shop/web --to shop/db manifests/ --format json
    ///   mamori netpol reach --from shop/web --to 169.254.169.254:80 manifests/
    #[command(verbatim_doc_comment)]
    Reach(NetpolReachArgs),
    /// Connectivity that changed between two sets of manifests (np-guard's diff grammar).
    ///
    /// One line per (source, destination) pair whose allowed connections
    /// differ: `changed`, `added` or `removed`, with both sets and the
    /// workloads that exist on one side only. Exit 0 when nothing changed,
    /// 1 when something did, 2 on usage or input error.
    ///
    /// Examples:
    ///   mamori netpol diff before/ after/
    ///   mamori netpol diff main/ branch/ --format csv
    #[command(verbatim_doc_comment)]
    Diff(NetpolDiffArgs),
    /// Write the policies that allow exactly the given flows, and prove it.
    ///
    /// For every namespace of a flow: a `default-deny` policy (ingress and
    /// egress) and `allow-dns` (egress to the kube-dns pods on UDP and TCP
    /// 53); for every workload, the minimal egress and ingress rules for
    /// its flows (pods by their template's labels, other namespaces by
    /// their name label). FLOWS is CSV (`source,destination,port,protocol`,
    /// header optional) or JSON lines (`{"source": "ns/a", "destination":
    /// "ns/b", "port": 80, "protocol": "TCP"}`). The result is then loaded
    /// with the input (its own NetworkPolicies replaced) and its
    /// connectivity compared with the flows plus DNS: the difference is
    /// printed on stderr and must be empty (exit 1 otherwise).
    ///
    /// Examples:
    ///   mamori netpol generate manifests/ --flows flows.csv -o policies.yaml
    #[command(verbatim_doc_comment)]
    Generate(NetpolGenerateArgs),
}

#[derive(clap::Args, Debug)]
pub struct NetpolDiffArgs {
    /// The manifests before.
    pub dir1: PathBuf,
    /// The manifests after.
    pub dir2: PathBuf,
    #[arg(long, short = 'f', value_enum, default_value = "txt")]
    pub format: DiffFormat,
    /// Model OVN-Kubernetes primary networks (as `list --multiple-networks`):
    /// workloads on different primary networks are not connected.
    #[arg(long)]
    pub multiple_networks: bool,
    #[command(flatten)]
    pub input: NetpolInput,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffFormat {
    Txt,
    Csv,
    Md,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct NetpolGenerateArgs {
    /// Files or folders with the workloads. Default: the current folder.
    pub paths: Vec<PathBuf>,
    /// The flows to allow (CSV or JSON lines; `-` for stdin).
    #[arg(long, value_name = "FILE")]
    pub flows: PathBuf,
    /// Write the YAML to FILE (whole or not at all).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub input: NetpolInput,
}

/// How manifests are read for NetworkPolicy questions.
#[derive(clap::Args, Debug)]
pub struct NetpolInput {
    /// Namespace assumed for namespaced objects that name none.
    #[arg(long, short = 'n', default_value = "default")]
    pub namespace: String,
    /// Field validation of the API server: `strict` (kubectl's default)
    /// refuses a policy with an unknown field; `ignore` drops the field and
    /// uses the rest.
    #[arg(long, value_enum, default_value = "strict")]
    pub field_validation: FieldValidationArg,
    /// Analyse workloads the API server would refuse (trimmed cluster
    /// dumps), as np-guard does.
    #[arg(long)]
    pub keep_rejected_workloads: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldValidationArg {
    Strict,
    Ignore,
}

#[derive(clap::Args, Debug)]
pub struct NetpolListArgs {
    /// Files or folders to read; `-` for stdin. Default: the current folder.
    pub paths: Vec<PathBuf>,
    #[arg(long, short = 'f', value_enum, default_value = "txt")]
    pub format: ConnlistFormat,
    /// Only lines with this workload at one end (`name` or `ns/name`; repeatable or comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub focus_workload: Vec<String>,
    /// With --focus-workload: only its ingress or its egress lines.
    #[arg(long, value_enum)]
    pub focus_direction: Option<FocusDirection>,
    /// Only this connection, as PROTOCOL-PORT (`tcp-8080`, `udp-53`).
    #[arg(long, value_name = "PROTO-PORT")]
    pub focus_conn: Option<String>,
    /// Also what each workload is open to beyond the input's workloads
    /// (`entire-cluster`, `ns/[pod with {app=x}]`, ...), and the workloads
    /// no policy protects (txt only; partial, see ARCHITECTURE.md).
    #[arg(long)]
    pub exposure: bool,
    /// Model OVN-Kubernetes networks as np-guard's multiple-networks
    /// option does: primary UserDefinedNetworks and
    /// ClusterUserDefinedNetworks isolate their namespaces, Multus
    /// NetworkAttachmentDefinitions are secondary networks governed by
    /// MultiNetworkPolicies, KubeVirt VirtualMachines are workloads. The
    /// txt form lists each network in its own section (see ARCHITECTURE.md).
    #[arg(long)]
    pub multiple_networks: bool,
    /// Analyse without the policies the API server would refuse (they are reported on stderr).
    #[arg(long)]
    pub skip_invalid: bool,
    /// Write the list to FILE (whole or not at all).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub input: NetpolInput,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnlistFormat {
    Txt,
    Json,
    Csv,
    Md,
    Dot,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FocusDirection {
    Ingress,
    Egress,
}

#[derive(clap::Args, Debug)]
pub struct NetpolReachArgs {
    /// The source workload or pod: NS/NAME (or an external IPv4 address).
    #[arg(long, value_name = "NS/NAME")]
    pub from: String,
    /// The destination: NS/NAME (a workload, pod or Service) or an external
    /// IPv4 address, optionally :PORT and /PROTOCOL (tcp, udp, sctp; default tcp).
    #[arg(long, value_name = "NS/NAME[:PORT[/PROTO]]")]
    pub to: String,
    /// Files or folders to read; `-` for stdin. Default: the current folder.
    pub paths: Vec<PathBuf>,
    #[arg(long, short = 'f', value_enum, default_value = "text")]
    pub format: TextOrJson,
    #[command(flatten)]
    pub input: NetpolInput,
}

/// `mamori image ...`: cosign-compatible signing.
#[derive(clap::Args, Debug)]
pub struct ImageArgs {
    #[command(subcommand)]
    pub command: ImageCommand,
}

#[derive(Subcommand, Debug)]
pub enum ImageCommand {
    /// Generate a key pair: PREFIX.key (encrypted, mode 0600) and PREFIX.pub.
    ///
    /// The password comes from COSIGN_PASSWORD when it is set (even to the
    /// empty string), else from a prompt on the terminal (asked twice), else
    /// from the first line of stdin. The private key is ECDSA P-256, sealed
    /// with scrypt (N=65536, r=8, p=1) and NaCl secretbox, in cosign's
    /// `ENCRYPTED SIGSTORE PRIVATE KEY` format.
    ///
    /// Examples:
    ///   mamori image keygen
    ///   COSIGN_PASSWORD= mamori image keygen --output-key-prefix ci --force
    #[command(verbatim_doc_comment)]
    Keygen(KeygenArgs),
    /// Sign an image and push the signature next to it.
    ///
    /// A tag is resolved to the digest of the manifest it names now, and
    /// that digest is signed (with a warning: the tag may have moved, so
    /// sign by digest). The signature is appended as a layer of the
    /// `sha256-HEX.sig` manifest, pushed whole or not at all. Exit 0 when
    /// signed, 2 on any error (key, password, registry).
    ///
    /// Examples:
    ///   mamori image sign --key cosign.key localhost:5000/cs-app@sha256:...
    ///   mamori image sign --key cosign.key ghcr.io/team/app:1.0 -a env=prod
    #[command(verbatim_doc_comment)]
    Sign(SignArgs),
    /// Verify an image's signatures with a public key, as cosign verify does.
    ///
    /// On success: the checks performed on stderr, and on stdout the JSON
    /// array of the payloads that verified. Exit 1 when verification fails
    /// (no signatures found, signature does not match the key, payload
    /// digest is not this image's digest, malformed signature manifest,
    /// annotations missing), 2 on other errors.
    ///
    /// Examples:
    ///   mamori image verify --key cosign.pub localhost:5000/cs-app:latest
    ///   mamori image verify --key cosign.pub oci:./build:v1 -a commit=abc123
    #[command(verbatim_doc_comment)]
    Verify(VerifyArgs),
}

#[derive(clap::Args, Debug)]
pub struct KeygenArgs {
    /// Write PREFIX.key and PREFIX.pub.
    #[arg(long, value_name = "PREFIX", default_value = "cosign")]
    pub output_key_prefix: String,
    /// Overwrite existing files.
    #[arg(long)]
    pub force: bool,
}

/// How registries are reached.
#[derive(clap::Args, Debug)]
pub struct RegistryArgs {
    /// Fall back to plain HTTP when the registry does not speak TLS, even
    /// when it is not on this machine (loopback registries may always fall
    /// back). HTTPS is tried first and, when spoken, always verified. Only
    /// for testing.
    #[arg(long)]
    pub allow_insecure_registry: bool,
    /// Also trust the CA certificates in this PEM file for registries (and
    /// their token services), besides the system roots. SSL_CERT_FILE /
    /// SSL_CERT_DIR, when set, replace the system roots.
    #[arg(long, value_name = "FILE")]
    pub registry_cacert: Option<PathBuf>,
    /// Docker config file with registry credentials (default
    /// $DOCKER_CONFIG/config.json, then ~/.docker/config.json).
    #[arg(long, value_name = "FILE")]
    pub docker_config: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct SignArgs {
    /// The encrypted private key (cosign.key).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The image: REGISTRY/REPO[:TAG][@sha256:HEX], or oci:DIR[:TAG].
    pub image: String,
    /// An annotation to sign into the payload's `optional` (repeatable).
    #[arg(long = "annotations", short = 'a', value_name = "KEY=VALUE")]
    pub annotations: Vec<String>,
    #[command(flatten)]
    pub registry: RegistryArgs,
    #[arg(long, short = 'f', value_enum, default_value = "text")]
    pub format: TextOrJson,
}

#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    /// The public key (cosign.pub).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The image: REGISTRY/REPO[:TAG][@sha256:HEX], or oci:DIR[:TAG].
    pub image: String,
    /// An annotation every accepted payload must carry (repeatable).
    #[arg(long = "annotations", short = 'a', value_name = "KEY=VALUE")]
    pub annotations: Vec<String>,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

#[derive(clap::Args, Debug)]
pub struct FixArgs {
    /// Files or folders to fix; `-` for stdin. Default: the current folder.
    pub paths: Vec<PathBuf>,
    /// Fix only these codes or prefixes (comma-separated: POD002,POD005 or POD).
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Show the diff and change nothing (the default).
    #[arg(long, conflicts_with_all = ["in_place", "output"])]
    pub dry_run: bool,
    /// Rewrite the files (each written to a temporary file and renamed).
    #[arg(long, conflicts_with = "output")]
    pub in_place: bool,
    /// Write every file, fixed or not, under DIR (folders kept).
    #[arg(long, short = 'o', value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Also apply fixes that can break a workload (read-only root
    /// filesystem, host namespaces off).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Namespace for objects that name none.
    #[arg(long, short = 'n', default_value = "default")]
    pub namespace: String,
}

#[derive(clap::Args, Debug)]
pub struct ExplainPodArgs {
    /// The pod or workload: NAMESPACE/NAME, or NAME with `-n`. Any pod-bearing
    /// kind matches (Pod, Deployment, StatefulSet, DaemonSet, Job, CronJob...).
    pub target: String,
    /// Files or folders to read; `-` for stdin. Default: the current folder.
    pub paths: Vec<PathBuf>,
    /// Namespace for a target given without one, and for objects that name none.
    #[arg(long, short = 'n', default_value = "default")]
    pub namespace: String,
    #[arg(long, short = 'f', value_enum, default_value = "text")]
    pub format: TextOrJson,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextOrJson {
    Text,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct ScanArgs {
    /// Files or folders to scan; `-` for stdin. Default: the current folder.
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "table")]
    pub format: Format,
    /// Write the report to FILE instead of stdout (written whole or not at all).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when a finding is at or above this severity.
    #[arg(long, value_enum, default_value = "high")]
    pub fail_on: FailOn,
    /// Namespace assumed for namespaced objects that name none (Helm and
    /// Kustomize set it at deploy time).
    #[arg(long, short = 'n', default_value = "default")]
    pub namespace: String,
    /// Kubernetes version whose API to validate against (1.25 to 1.37).
    #[arg(long, default_value = mamori_source::schema::NEWEST)]
    pub k8s_version: String,
    /// Configuration file (suppressions, severity overrides). Default:
    /// `.mamori.yaml` in the current folder, if present.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Report only findings that are not in this earlier JSON report.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Only run these checks (codes or code prefixes, comma-separated: `SCH,IMG001`).
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// No progress bar and no summary on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
}

#[derive(clap::Args, Debug)]
pub struct PssArgs {
    /// Files or folders to read; `-` for stdin. Default: the current folder.
    pub paths: Vec<PathBuf>,
    /// Judge every object at this level (privileged, baseline, restricted),
    /// as an enforce label would, instead of by its namespace's labels.
    #[arg(long, value_parser = parse_level)]
    pub level: Option<mamori_pss::Level>,
    /// Policy version: `latest` or `v1.N` (v1.0 and up). With --level, the
    /// version of that level (default latest); without, it replaces the
    /// version of every namespace label and default.
    #[arg(long, value_parser = parse_pss_version)]
    pub version: Option<mamori_pss::Version>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "text")]
    pub format: PssFormat,
    /// The API server's admission configuration (an AdmissionConfiguration
    /// with a PodSecurity plugin entry, or a bare PodSecurityConfiguration):
    /// cluster defaults for unlabelled namespaces, and exemptions.
    #[arg(long, value_name = "FILE")]
    pub admission_config: Option<PathBuf>,
    /// Namespace assumed for namespaced objects that name none.
    #[arg(long, short = 'n', default_value = "default")]
    pub namespace: String,
    /// Kubernetes version of the API server (1.25 to 1.37): its schema
    /// decides which fields are dropped, and `latest` (or a newer policy
    /// version) means this version's checks.
    #[arg(long, default_value = mamori_source::schema::NEWEST)]
    pub k8s_version: String,
    /// Write the report to FILE instead of stdout (written whole or not at all).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

fn parse_level(s: &str) -> Result<mamori_pss::Level, String> {
    mamori_pss::Level::parse(s).map_err(|_| "accepted levels: privileged, baseline, restricted".to_string())
}

fn parse_pss_version(s: &str) -> Result<mamori_pss::Version, String> {
    mamori_pss::Version::parse(s).map_err(|_| {
        let mut m =
            "accepted versions: latest, or v1.N without leading zeros (v1.0 ... v1.37; later ones evaluate as v1.37)"
                .to_string();
        // A common slip: the Kubernetes version instead of the policy version.
        let t = s.trim_start_matches('v');
        if let Some(minor) = t.strip_prefix("1.") {
            let minor = minor.split('.').next().unwrap_or("");
            if !minor.is_empty() && minor.bytes().all(|b| b.is_ascii_digit()) {
                m.push_str(&format!(
                    "; did you mean v1.{}?",
                    minor.trim_start_matches('0').parse::<u64>().unwrap_or(0)
                ));
            }
        }
        m
    })
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PssFormat {
    Text,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Sarif,
    Junit,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    Info,
    /// Never fail because of findings.
    Never,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// `mamori rbac ...`: the RBAC engine's questions, answered from manifests.
#[derive(clap::Args, Debug)]
pub struct RbacArgs {
    #[command(subcommand)]
    pub command: RbacCommand,
}

#[derive(Subcommand, Debug)]
pub enum RbacCommand {
    /// Would the API server allow this? Prints `yes` or `no`, exits 0 or 1 (like kubectl).
    ///
    /// Answers `kubectl auth can-i` from manifests, with the default
    /// (bootstrap) policy of the chosen Kubernetes version included. Without
    /// `-n` the namespace is `default`, as kubectl's. With --list, every
    /// argument is a PATH; otherwise the first two are VERB and RESOURCE.
    ///
    /// Examples:
    ///   mamori rbac can-i delete pods -n k8s-defense --as system:serviceaccount:k8s-defense:sa-admin manifests/
    ///   mamori rbac can-i get pods/nginx --subresource log -n shop --as alice manifests/
    ///   mamori rbac can-i list deployments.apps -A --as bob --as-group dev manifests/
    ///   mamori rbac can-i get /healthz --as system:anonymous
    ///   mamori rbac can-i --list -n k8s-defense --as system:serviceaccount:k8s-defense:sa-limited manifests/
    ///   mamori rbac can-i delete pods --explain -n k8s-defense --as system:serviceaccount:k8s-defense:sa-admin manifests/
    #[command(verbatim_doc_comment)]
    CanI(CanIArgs),
    /// Every subject that may do VERB on RESOURCE, with the chain behind each.
    ///
    /// Without -n: namespace `default` for namespaced resources, cluster-wide
    /// for cluster-scoped ones and URLs; -A counts RoleBindings of every
    /// namespace, each for its own namespace.
    ///
    /// Examples:
    ///   mamori rbac who-can delete pods -n k8s-defense manifests/
    ///   mamori rbac who-can get secrets -A manifests/ --format json
    ///   mamori rbac who-can create serviceaccounts/token -n kube-system manifests/
    #[command(verbatim_doc_comment)]
    WhoCan(WhoCanArgs),
    /// Resources x verbs access matrix of one user or service account.
    ///
    /// `x` allowed, `~` only for some named objects (resourceNames), `.` denied.
    /// Then the non-resource URLs (`/healthz`, `/metrics`, prefixes ending in `*`)
    /// its ClusterRoleBindings name, by HTTP verb.
    ///
    /// Examples:
    ///   mamori rbac matrix --as system:serviceaccount:k8s-defense:sa-limited -n k8s-defense manifests/
    ///   mamori rbac matrix --as alice --all manifests/ --format json
    #[command(verbatim_doc_comment)]
    Matrix(MatrixArgs),
    /// The least-privilege Role/ClusterRole and binding that allow what an audit log shows.
    ///
    /// Reads Kubernetes audit events (audit.k8s.io/v1, one JSON object per
    /// line), keeps those of one user, and prints YAML: a Role and
    /// RoleBinding per namespace, a ClusterRole and ClusterRoleBinding for
    /// cluster-wide requests and URLs. Read verbs are widened to
    /// get/list/watch as audit2rbac does (--exact keeps only the logged
    /// verbs); what that grants beyond the log is printed on stderr.
    /// resourceNames are never used for create, list, watch or
    /// deletecollection. Malformed lines are skipped and counted.
    ///
    /// Examples:
    ///   mamori rbac generate --audit-log audit.log --user alice > alice-rbac.yaml
    ///   mamori rbac generate --audit-log audit.log --serviceaccount ns1/sa1 --exact
    #[command(verbatim_doc_comment)]
    Generate(GenerateArgs),
}

/// How manifests are read for RBAC questions.
#[derive(clap::Args, Debug)]
pub struct RbacInput {
    /// Leave out the default policy the API server creates (cluster-admin, view, system:discovery, ...).
    #[arg(long)]
    pub no_bootstrap: bool,
    /// Kubernetes version whose default policy applies (1.25 to 1.34 carried; newer use 1.34's).
    #[arg(long, default_value = mamori_source::schema::NEWEST)]
    pub k8s_version: String,
    /// No warnings about rejected or incomplete RBAC objects on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(clap::Args, Debug)]
pub struct CanIArgs {
    /// VERB RESOURCE[.GROUP][/NAME] (or VERB /URL), then the manifest PATHs;
    /// with --list, only PATHs. Default PATH: the current folder.
    #[arg(value_name = "VERB RESOURCE PATH")]
    pub words: Vec<String>,
    /// Subresource (`log`, `exec`, `scale`, ...).
    #[arg(long)]
    pub subresource: Option<String>,
    /// Namespace of the request (default: `default`, as kubectl).
    #[arg(long, short = 'n', conflicts_with = "all_namespaces")]
    pub namespace: Option<String>,
    /// Ask for all namespaces at once (cluster-wide: only ClusterRoleBindings count).
    #[arg(long, short = 'A')]
    pub all_namespaces: bool,
    /// The user asking (`system:serviceaccount:NS:NAME` for a service account).
    #[arg(long = "as", value_name = "USER")]
    pub as_user: String,
    /// A group of the user (repeatable); without it, the groups the API server's impersonation would give.
    #[arg(long = "as-group", value_name = "GROUP")]
    pub as_group: Vec<String>,
    /// Print every allowed action, as kubectl's table.
    #[arg(long)]
    pub list: bool,
    /// Show the binding -> role -> rule behind the answer.
    #[arg(long)]
    pub explain: bool,
    #[arg(long, short = 'f', value_enum, default_value = "text")]
    pub format: RbacFormat,
    #[command(flatten)]
    pub input: RbacInput,
}

#[derive(clap::Args, Debug)]
pub struct WhoCanArgs {
    /// VERB RESOURCE[.GROUP][/NAME] (or VERB /URL), then the manifest PATHs.
    #[arg(value_name = "VERB RESOURCE PATH", required = true)]
    pub words: Vec<String>,
    #[arg(long)]
    pub subresource: Option<String>,
    /// Namespace of the request.
    #[arg(long, short = 'n', conflicts_with = "all_namespaces")]
    pub namespace: Option<String>,
    /// RoleBindings of every namespace count, each in its own namespace.
    #[arg(long, short = 'A')]
    pub all_namespaces: bool,
    #[arg(long, short = 'f', value_enum, default_value = "text")]
    pub format: RbacFormat,
    #[command(flatten)]
    pub input: RbacInput,
}

#[derive(clap::Args, Debug)]
pub struct MatrixArgs {
    /// Manifest files or folders. Default: the current folder.
    pub paths: Vec<PathBuf>,
    /// The user (`system:serviceaccount:NS:NAME` for a service account).
    #[arg(long = "as", value_name = "USER")]
    pub as_user: String,
    #[arg(long = "as-group", value_name = "GROUP")]
    pub as_group: Vec<String>,
    /// Namespace (default: `default`); namespaced resources are asked there.
    #[arg(long, short = 'n')]
    pub namespace: Option<String>,
    /// Also list resource types with no access at all.
    #[arg(long)]
    pub all: bool,
    #[arg(long, short = 'f', value_enum, default_value = "text")]
    pub format: RbacFormat,
    #[command(flatten)]
    pub input: RbacInput,
}

#[derive(clap::Args, Debug)]
pub struct GenerateArgs {
    /// Audit log: audit.k8s.io/v1 events, one JSON object per line (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    pub audit_log: PathBuf,
    /// The user whose requests to allow (the impersonated user when there is one).
    #[arg(long, conflicts_with = "serviceaccount")]
    pub user: Option<String>,
    /// The service account whose requests to allow.
    #[arg(long, value_name = "NS/NAME")]
    pub serviceaccount: Option<String>,
    /// Only the logged verbs: do not widen get/list/watch.
    #[arg(long)]
    pub exact: bool,
    /// Name of the generated roles and bindings (default `mamori:USER`).
    #[arg(long)]
    pub name: Option<String>,
    /// Write the YAML to FILE (whole or not at all).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RbacFormat {
    Text,
    Json,
}
