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
