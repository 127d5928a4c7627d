//! Files and stdin to objects: walking folders, splitting documents,
//! expanding lists, assigning namespaces, validating against the schema.

use crate::schema::{IssueKind, SchemaIssue, SchemaSet, Type, NEWEST};
use crate::yaml::{parse_documents, Document, Limits};
use mamori_model::{is_cluster_scoped, FieldPath, Node, Object, Origin, Pos};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// Kubernetes minor version whose schema applies (`1.37`).
    pub k8s_version: String,
    /// Namespace assumed for namespaced objects that name none.
    pub default_namespace: String,
    pub limits: Limits,
    /// Files larger than this are refused (bytes).
    pub max_file_size: u64,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            k8s_version: NEWEST.to_string(),
            default_namespace: "default".to_string(),
            limits: Limits::default(),
            max_file_size: 64 * 1024 * 1024,
        }
    }
}

/// A problem with the input that is not about one object's fields.
#[derive(Clone, Debug, PartialEq)]
pub enum ProblemKind {
    /// The file could not be read.
    Unreadable,
    /// Not UTF-8 text.
    Binary,
    TooLarge,
    /// YAML syntax, or hostile structure (aliases, depth).
    Syntax,
    /// A document that is a list or scalar, not a mapping.
    NotAnObject,
    /// A mapping without apiVersion or kind: skipped (info).
    NotKubernetes,
    /// A kustomization file: render it first (info).
    Kustomization,
    /// A Helm/Go template that does not parse before rendering (info).
    Template,
    /// apiVersion/kind not served by the selected Kubernetes version.
    UnknownApi,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub path: String,
    pub pos: Pos,
    pub doc: Option<usize>,
    pub message: String,
    pub hint: Option<String>,
    /// For problems tied to an object (UnknownApi): its index.
    pub object: Option<usize>,
}

#[derive(Debug, Default)]
pub struct LoadResult {
    pub objects: Vec<Object>,
    /// Schema issues, by object index.
    pub issues: Vec<(usize, SchemaIssue)>,
    pub problems: Vec<Problem>,
    pub files: usize,
    pub documents: usize,
    /// Objects of custom resources for which no schema is known.
    pub unvalidated: usize,
}

struct RawDoc {
    path: String,
    doc: Document,
}

/// Resolve the command-line paths into the files to read, sorted for a
/// deterministic order. `-` is stdin.
pub fn collect_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<Problem>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            files.push(p.clone());
            continue;
        }
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => {
                let walker = walkdir::WalkDir::new(p)
                    .follow_links(true)
                    .sort_by_file_name()
                    .into_iter()
                    .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
                for entry in walker {
                    match entry {
                        Ok(e) if e.file_type().is_file() && is_manifest_name(e.path()) => files.push(e.into_path()),
                        Ok(_) => {}
                        Err(e) => problems.push(Problem {
                            kind: ProblemKind::Unreadable,
                            path: display(e.path().unwrap_or(p)),
                            pos: Pos::default(),
                            doc: None,
                            message: format!("cannot read: {e}"),
                            hint: None,
                            object: None,
                        }),
                    }
                }
            }
            Ok(_) => files.push(p.clone()),
            Err(e) => problems.push(Problem {
                kind: ProblemKind::Unreadable,
                path: display(p),
                pos: Pos::default(),
                doc: None,
                message: format!("cannot read {}: {e}", display(p)),
                hint: Some("check the path; folders are read recursively for .yaml, .yml and .json files".into()),
                object: None,
            }),
        }
    }
    (files, problems)
}

fn is_manifest_name(p: &Path) -> bool {
    matches!(
        p.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("yaml" | "yml" | "json")
    )
}

/// A path as the user should see it: relative to the working directory.
pub fn display(p: &Path) -> String {
    if p.as_os_str() == "-" {
        return "-".into();
    }
    if p.is_absolute() {
        if let Ok(cwd) = std::env::current_dir() {
            if let Ok(rel) = p.strip_prefix(&cwd) {
                return rel.display().to_string();
            }
        }
    }
    let s = p.display().to_string();
    s.strip_prefix("./").map(String::from).unwrap_or(s)
}

/// Read text from a file (or stdin), refusing binary and oversized input.
fn read_text(p: &Path, max: u64) -> Result<String, (ProblemKind, String)> {
    use std::io::Read;
    let mut bytes = Vec::new();
    let res = if p.as_os_str() == "-" {
        std::io::stdin().take(max + 1).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(p).and_then(|f| f.take(max + 1).read_to_end(&mut bytes))
    };
    if let Err(e) = res {
        return Err((ProblemKind::Unreadable, format!("cannot read: {e}")));
    }
    if bytes.len() as u64 > max {
        return Err((
            ProblemKind::TooLarge,
            format!("larger than {} MiB: refusing to load it", max / (1024 * 1024)),
        ));
    }
    if bytes.contains(&0) {
        return Err((
            ProblemKind::Binary,
            "binary data (NUL bytes), not a YAML or JSON text".into(),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        (
            ProblemKind::Binary,
            format!(
                "not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// Load everything the paths name.
pub fn load_paths(paths: &[PathBuf], opts: &LoadOptions) -> LoadResult {
    load_paths_with_progress(paths, opts, &mut |_, _| {})
}

/// As [`load_paths`], calling `progress(done, total)` after each file.
pub fn load_paths_with_progress(
    paths: &[PathBuf],
    opts: &LoadOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> LoadResult {
    let (files, problems) = collect_files(paths);
    let mut texts = Vec::with_capacity(files.len());
    let mut result = LoadResult {
        problems,
        ..LoadResult::default()
    };
    for (i, f) in files.iter().enumerate() {
        let shown = display(f);
        match read_text(f, opts.max_file_size) {
            Ok(t) => texts.push((shown, t)),
            Err((kind, message)) => result.problems.push(Problem {
                kind,
                path: shown,
                pos: Pos::new(1, 1),
                doc: None,
                message,
                hint: None,
                object: None,
            }),
        }
        progress(i + 1, files.len());
    }
    result.files = files.len();
    let sources: Vec<(&str, &str)> = texts.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    load_sources(&sources, opts, &mut result);
    result
}

/// Load in-memory texts, each with the path to show for it.
pub fn load_texts(sources: &[(&str, &str)], opts: &LoadOptions) -> LoadResult {
    let mut result = LoadResult {
        files: sources.len(),
        ..LoadResult::default()
    };
    load_sources(sources, opts, &mut result);
    result
}

/// Parse every source's documents, on as many threads as the machine
/// offers: parsing is most of a scan's time and files are independent.
/// Results keep the sources' order, so output stays deterministic.
fn parse_all(sources: &[(&str, &str)], limits: Limits) -> Vec<Vec<Result<Document, crate::yaml::YamlError>>> {
    let threads = threads_for(sources.iter().map(|(_, t)| t.len()).sum());
    if threads < 2 || sources.len() < 2 {
        return sources.iter().map(|(_, t)| parse_documents(t, limits)).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut slots: Vec<Option<Vec<Result<Document, crate::yaml::YamlError>>>> = Vec::new();
    slots.resize_with(sources.len(), || None);
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((_, text)) = sources.get(i) else { break };
                        done.push((i, parse_documents(text, limits)));
                    }
                    done
                })
            })
            .collect();
        for w in workers {
            // A panicking parser is a bug; re-raise it on this thread.
            for (i, docs) in w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)) {
                slots[i] = Some(docs);
            }
        }
    });
    slots.into_iter().map(|s| s.unwrap_or_default()).collect()
}

fn load_sources(sources: &[(&str, &str)], opts: &LoadOptions, result: &mut LoadResult) {
    let mut raw = Vec::new();
    let bytes: usize = sources.iter().map(|(_, t)| t.len()).sum();
    // The schema is built (once per version) while the files are parsed.
    let (parsed, schema) = std::thread::scope(|s| {
        let schema = s.spawn(|| {
            SchemaSet::for_version(&opts.k8s_version)
                .or_else(|| SchemaSet::for_version(NEWEST))
                .expect("newest schema is embedded")
        });
        let parsed = parse_all(sources, opts.limits);
        (parsed, schema.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
    });
    for ((path, text), docs) in sources.iter().zip(parsed) {
        let template = text.contains("{{");
        let mut template_reported = false;
        for d in docs {
            result.documents += 1;
            match d {
                Ok(doc) => raw.push(RawDoc {
                    path: path.to_string(),
                    doc,
                }),
                Err(_) if template => {
                    // Go templates are not YAML until rendered: one note per file.
                    if !template_reported {
                        template_reported = true;
                        result.problems.push(Problem {
                            kind: ProblemKind::Template,
                            path: path.to_string(),
                            pos: Pos::new(1, 1),
                            doc: None,
                            message: "an unrendered template ({{ ... }}), not YAML yet: skipped".into(),
                            hint: Some("render it first: `helm template CHART | mamori scan -`".into()),
                            object: None,
                        });
                    }
                }
                Err(e) => result.problems.push(Problem {
                    kind: ProblemKind::Syntax,
                    path: path.to_string(),
                    pos: Pos::new(e.line, e.col),
                    doc: None,
                    message: format!("invalid YAML: {}", e.message),
                    hint: Some("fix the syntax at this line; the file's other documents are still analysed".into()),
                    object: None,
                }),
            }
        }
    }
    // CustomResourceDefinitions in the input give schemas and scopes; each
    // is converted on its own, on as many threads as the input is worth.
    let crds: Vec<&Node> = raw
        .iter()
        .filter_map(|r| r.doc.node.as_ref())
        .filter(|n| n.str_field("kind") == Some("CustomResourceDefinition"))
        .collect();
    let crd_bytes = if crds.len() > 1 { bytes } else { 0 };
    let mut crd_roots: HashMap<(String, String, String), Type> = HashMap::new();
    let mut crd_cluster_kinds: HashSet<String> = HashSet::new();
    for (roots, cluster_kind) in in_parallel(&crds, threads_for(crd_bytes), |n| crd_schema(n)) {
        crd_roots.extend(roots);
        crd_cluster_kinds.extend(cluster_kind);
    }
    let ctx = Ctx {
        schema,
        crd_roots,
        crd_cluster_kinds,
        opts,
    };
    validate_all(&ctx, &raw, bytes, result);
}

/// Threads worth using for `bytes` of input: one below a few hundred
/// kilobytes, where a thread costs more than it saves.
fn threads_for(bytes: usize) -> usize {
    if bytes < 256 * 1024 {
        return 1;
    }
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(8)
}

type CrdRoots = Vec<((String, String, String), Type)>;

/// A CRD's root type per served version, and its kind when cluster-scoped.
fn crd_schema(n: &Node) -> (CrdRoots, Option<String>) {
    let j = n.to_json();
    let mut tmp = SchemaSet::default();
    tmp.add_crd(&j);
    let spec = &j["spec"];
    let group = spec["group"].as_str().unwrap_or_default();
    let kind = spec["names"]["kind"].as_str().unwrap_or_default();
    let cluster = (spec["scope"].as_str() == Some("Cluster")).then(|| kind.to_string());
    let mut roots = Vec::new();
    for v in spec["versions"].as_array().into_iter().flatten() {
        let name = v["name"].as_str().unwrap_or_default();
        if let Some(t) = tmp.root(group, name, kind) {
            roots.push(((group.to_string(), name.to_string(), kind.to_string()), t.clone()));
        }
    }
    (roots, cluster)
}

/// `f` over `items` on up to `threads` threads, results in `items`' order.
fn in_parallel<T: Sync, R: Send>(items: &[T], threads: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if threads < 2 || items.len() < 2 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        let workers: Vec<_> = items
            .chunks(chunk)
            .map(|part| s.spawn(|| part.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        workers
            .into_iter()
            // A panic on a worker is a bug; re-raise it on this thread.
            .flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// Validate every document into `result`, in order. Documents are
/// independent, so contiguous runs of them are validated on separate
/// threads and the parts appended in order, object indexes shifted: the
/// result is the one a single thread produces.
fn validate_all(ctx: &Ctx, raw: &[RawDoc], bytes: usize, result: &mut LoadResult) {
    let run = |docs: &[RawDoc], into: &mut LoadResult| {
        for r in docs {
            if let Some(node) = &r.doc.node {
                ctx.document(r, node, into);
            }
        }
    };
    let threads = threads_for(bytes);
    if threads < 2 || raw.len() < 2 {
        return run(raw, result);
    }
    let chunk = raw.len().div_ceil(threads);
    let parts: Vec<LoadResult> = std::thread::scope(|s| {
        let workers: Vec<_> = raw
            .chunks(chunk)
            .map(|docs| {
                s.spawn(move || {
                    let mut part = LoadResult::default();
                    run(docs, &mut part);
                    part
                })
            })
            .collect();
        workers
            .into_iter()
            // A panic while validating is a bug; re-raise it on this thread.
            .map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    for part in parts {
        let offset = result.objects.len();
        result.objects.extend(part.objects);
        result
            .issues
            .extend(part.issues.into_iter().map(|(i, issue)| (i + offset, issue)));
        result.problems.extend(part.problems.into_iter().map(|mut p| {
            p.object = p.object.map(|i| i + offset);
            p
        }));
        result.unvalidated += part.unvalidated;
        result.documents += part.documents;
    }
}

struct Ctx<'a> {
    schema: Arc<SchemaSet>,
    crd_roots: HashMap<(String, String, String), Type>,
    crd_cluster_kinds: HashSet<String>,
    opts: &'a LoadOptions,
}

impl Ctx<'_> {
    fn document(&self, r: &RawDoc, node: &Node, result: &mut LoadResult) {
        let problem = |kind, pos: Pos, message: String, hint: Option<String>| Problem {
            kind,
            path: r.path.clone(),
            pos,
            doc: Some(r.doc.index),
            message,
            hint,
            object: None,
        };
        if node.as_map().is_none() {
            result.problems.push(problem(
                ProblemKind::NotAnObject,
                node.pos,
                format!(
                    "document {} is {} {}, not a Kubernetes object",
                    r.doc.index + 1,
                    article(node.type_name()),
                    node.type_name()
                ),
                Some("a manifest document is a mapping with apiVersion, kind and metadata".into()),
            ));
            return;
        }
        let api_version = node.str_field("apiVersion");
        let kind = node.str_field("kind");
        let file_name = Path::new(&r.path).file_name().and_then(|f| f.to_str()).unwrap_or("");
        if kind == Some("Kustomization")
            || matches!(file_name, "kustomization.yaml" | "kustomization.yml" | "Kustomization")
        {
            result.problems.push(problem(
                ProblemKind::Kustomization,
                node.pos,
                "a kustomization file, not a manifest: skipped".into(),
                Some(format!(
                    "render it first: `kustomize build {} | mamori scan -`",
                    Path::new(&r.path)
                        .parent()
                        .map(|p| p.display().to_string())
                        .filter(|s| !s.is_empty())
                        .unwrap_or_else(|| ".".into())
                )),
            ));
            return;
        }
        let (Some(_), Some(kind)) = (api_version, kind) else {
            result.problems.push(problem(
                ProblemKind::NotKubernetes,
                node.pos,
                format!(
                    "document {} has no {}: not a Kubernetes object, skipped",
                    r.doc.index + 1,
                    if api_version.is_none() && kind.is_none() {
                        "apiVersion or kind"
                    } else if api_version.is_none() {
                        "apiVersion"
                    } else {
                        "kind"
                    }
                ),
                None,
            ));
            return;
        };
        if kind.ends_with("List") && node.field("items").is_some() {
            if let Some(items) = node.field("items").and_then(Node::as_seq) {
                // A typed list (`NamespaceList`, as `kubectl get -o json`
                // and the API server return it) may leave out its items'
                // apiVersion and kind: they are the list's.
                let item_kind = kind.strip_suffix("List").filter(|k| !k.is_empty());
                for (i, item) in items.iter().enumerate() {
                    let typed;
                    let item = match (item_kind, &item.value) {
                        (Some(k), mamori_model::Value::Map(entries))
                            if item.str_field("apiVersion").is_none() || item.str_field("kind").is_none() =>
                        {
                            let mut entries = entries.clone();
                            let at = node.entry("kind").map(|e| e.key_pos).unwrap_or(node.pos);
                            for (key, value) in [("apiVersion", api_version.unwrap_or_default()), ("kind", k)] {
                                if item.str_field(key).is_none() {
                                    entries.retain(|e| e.key != key);
                                    entries.push(mamori_model::Entry {
                                        key: key.into(),
                                        key_pos: at,
                                        value: Node::new(
                                            mamori_model::Value::Str {
                                                text: value.to_string(),
                                                plain: true,
                                            },
                                            at,
                                        ),
                                    });
                                }
                            }
                            typed = Node::new(mamori_model::Value::Map(entries), item.pos);
                            &typed
                        }
                        _ => item,
                    };
                    if item.as_map().is_none()
                        || item.str_field("apiVersion").is_none()
                        || item.str_field("kind").is_none()
                    {
                        result.problems.push(problem(
                            ProblemKind::NotAnObject,
                            item.pos,
                            format!("items[{i}] of this {kind} is not a Kubernetes object (needs apiVersion and kind)"),
                            None,
                        ));
                        continue;
                    }
                    self.object(r, item, Some(i), result);
                }
                return;
            }
        }
        self.object(r, node, None, result);
    }

    fn object(&self, r: &RawDoc, node: &Node, list_item: Option<usize>, result: &mut LoadResult) {
        let api_version = node.str_field("apiVersion").unwrap_or_default().to_string();
        let kind = node.str_field("kind").unwrap_or_default().to_string();
        let (group, version) = api_version.split_once('/').unwrap_or(("", &api_version));
        let meta = node.get("metadata");
        let name = meta
            .and_then(|m| m.str_field("name"))
            .map(String::from)
            .or_else(|| meta.and_then(|m| m.str_field("generateName")).map(|g| format!("{g}*")))
            .unwrap_or_default();
        let namespace = meta
            .and_then(|m| m.str_field("namespace"))
            .filter(|s| !s.is_empty())
            .map(String::from);
        let cluster = is_cluster_scoped(&kind) || self.crd_cluster_kinds.contains(&kind);
        let (effective_namespace, namespace_assumed) = if cluster {
            (None, false)
        } else {
            match &namespace {
                Some(ns) => (Some(ns.clone()), false),
                None => (Some(self.opts.default_namespace.clone()), true),
            }
        };
        let index = result.objects.len();
        let root = self
            .crd_roots
            .get(&(group.to_string(), version.to_string(), kind.clone()))
            .or_else(|| self.schema.root(group, version, &kind));
        let (stored, rejected) = match root {
            Some(root) => {
                let mut v = self.schema.validate(root, node);
                if name.is_empty() {
                    v.issues.push(SchemaIssue {
                        path: FieldPath::parse("metadata.name").expect("static"),
                        pos: meta.map(|m| m.pos).unwrap_or(node.pos),
                        kind: IssueKind::MissingRequired { field: "name".into() },
                    });
                }
                let rejected = v.issues.iter().find_map(|i| match &i.kind {
                    IssueKind::WrongType { expected, found, .. } => {
                        Some(format!("{}: expected {expected}, got {found}", i.path))
                    }
                    IssueKind::MissingRequired { .. } => Some(format!("{}: Required value", i.path)),
                    IssueKind::InvalidEnum { value, .. } => Some(format!("{}: Unsupported value: {value:?}", i.path)),
                    IssueKind::InvalidBase64 => Some(format!("{}: illegal base64 data", i.path)),
                    _ => None,
                });
                for i in v.issues {
                    result.issues.push((index, i));
                }
                (v.stored, rejected)
            }
            None => {
                let builtin_group = group.is_empty()
                    || (group.ends_with(".k8s.io") && !is_project_crd_group(group))
                    || self.schema.knows_group(group);
                let elsewhere = self.schema.api_versions_for_kind(&kind);
                if builtin_group || !elsewhere.is_empty() && !group.contains('.') {
                    let hint = if elsewhere.is_empty() {
                        crate::schema::removed_api_hint(group, version, &kind, &self.schema.version)
                    } else {
                        Some(format!(
                            "Kubernetes {} serves {kind} as apiVersion {}",
                            self.schema.version,
                            elsewhere.join(" or ")
                        ))
                    };
                    result.problems.push(Problem {
                        kind: ProblemKind::UnknownApi,
                        path: r.path.clone(),
                        pos: node.entry("apiVersion").map(|e| e.value.pos).unwrap_or(node.pos),
                        doc: Some(r.doc.index),
                        message: format!(
                            "Kubernetes {} does not serve {kind} in {api_version}: the API server refuses it (no matches for kind {kind:?} in version {api_version:?})",
                            self.schema.version
                        ),
                        hint,
                        object: Some(index),
                    });
                } else {
                    result.unvalidated += 1;
                }
                (node.clone(), None)
            }
        };
        result.objects.push(Object {
            api_version,
            kind,
            name,
            namespace,
            effective_namespace,
            namespace_assumed,
            origin: Origin {
                path: r.path.clone(),
                doc: r.doc.index,
                line: node
                    .as_map()
                    .and_then(|m| m.first())
                    .map(|e| e.key_pos.line)
                    .unwrap_or(node.pos.line),
                helm_source: r.doc.helm_source.clone(),
                list_item,
            },
            node: node.clone(),
            stored,
            rejected,
        });
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Large inputs are parsed and validated on several threads; the
    /// result must be the one each file gives alone, in order.
    #[test]
    fn threaded_load_equals_file_by_file() {
        let doc = |i: usize| {
            format!(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p{i}\nspec:\n  containers:\n  - name: c\n    image: x\n    capabilties: {{}}\n---\nkind: [\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\ndata:\n  k: {}\n",
                "v".repeat(400)
            )
        };
        let texts: Vec<(String, String)> = (0..600).map(|i| (format!("f{i}.yaml"), doc(i))).collect();
        let sources: Vec<(&str, &str)> = texts.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
        // Above the size at which threads are used.
        assert!(sources.iter().map(|(_, t)| t.len()).sum::<usize>() > 256 * 1024);
        let all = load_texts(&sources, &LoadOptions::default());
        let mut objects = Vec::new();
        let mut issues = Vec::new();
        let mut problems = Vec::new();
        for src in &sources {
            let one = load_texts(std::slice::from_ref(src), &LoadOptions::default());
            let offset = objects.len();
            issues.extend(one.issues.iter().map(|(i, x)| (i + offset, format!("{x:?}"))));
            problems.extend(
                one.problems
                    .iter()
                    .map(|p| (p.path.clone(), p.message.clone(), p.object.map(|i| i + offset))),
            );
            objects.extend(
                one.objects
                    .iter()
                    .map(|o| (o.origin.path.clone(), o.kind.clone(), o.name.clone())),
            );
        }
        let got_objects: Vec<_> = all
            .objects
            .iter()
            .map(|o| (o.origin.path.clone(), o.kind.clone(), o.name.clone()))
            .collect();
        let got_issues: Vec<_> = all.issues.iter().map(|(i, x)| (*i, format!("{x:?}"))).collect();
        let got_problems: Vec<_> = all
            .problems
            .iter()
            .map(|p| (p.path.clone(), p.message.clone(), p.object))
            .collect();
        assert_eq!(got_objects.len(), 1200);
        assert!(got_issues.len() >= 600 && got_problems.len() >= 600);
        assert_eq!(got_objects, objects);
        assert_eq!(got_issues, issues);
        assert_eq!(got_problems, problems);
        assert_eq!(all.documents, 1800);
    }

    #[test]
    fn lists_namespaces_and_problems() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- 3\n---\n- just a list\n---\nfoo: bar\n---\napiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: d, namespace: web}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: c, namespace: ignored}\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n";
        let r = load_texts(&[("a.yaml", text)], &LoadOptions::default());
        let names: Vec<_> = r
            .objects
            .iter()
            .map(|o| (o.kind.as_str(), o.effective_namespace.as_deref(), o.namespace_assumed))
            .collect();
        assert_eq!(
            names,
            vec![
                ("ConfigMap", Some("default"), true),
                ("Deployment", Some("web"), false),
                ("ClusterRole", None, false),
                ("Widget", Some("default"), true)
            ]
        );
        assert_eq!(r.objects[0].origin.list_item, Some(0));
        assert_eq!(r.objects[0].origin.line, 4);
        let kinds: Vec<_> = r.problems.iter().map(|p| p.kind.clone()).collect();
        assert_eq!(
            kinds,
            vec![
                ProblemKind::NotAnObject,
                ProblemKind::NotAnObject,
                ProblemKind::NotKubernetes,
                ProblemKind::UnknownApi
            ]
        );
        assert!(
            r.problems[3].hint.as_deref().unwrap().contains("apps/v1"),
            "{:?}",
            r.problems[3]
        );
        assert_eq!(r.unvalidated, 1);
    }

    #[test]
    fn typed_list_items_take_the_lists_kind() {
        let text = "apiVersion: v1\nkind: NamespaceList\nitems:\n- metadata:\n    name: a\n    labels: {x: y}\n";
        let r = load_texts(&[("ns.yaml", text)], &LoadOptions::default());
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(r.objects.len(), 1);
        let o = &r.objects[0];
        assert_eq!(
            (o.kind.as_str(), o.api_version.as_str(), o.name.as_str()),
            ("Namespace", "v1", "a")
        );
        assert_eq!(o.origin.line, 4);
    }

    #[test]
    fn crd_in_input_validates_its_resources() {
        let text = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec:\n  group: example.com\n  scope: Cluster\n  names: {kind: Widget, plural: widgets}\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          spec:\n            type: object\n            properties:\n              size: {type: integer}\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  size: big\n  colour: red\n";
        let r = load_texts(&[("w.yaml", text)], &LoadOptions::default());
        let w = &r.objects[1];
        assert_eq!(w.effective_namespace, None);
        let paths: Vec<_> = r
            .issues
            .iter()
            .filter(|(i, _)| *i == 1)
            .map(|(_, i)| i.path.to_string())
            .collect();
        assert_eq!(paths, vec!["spec.size", "spec.colour"]);
        assert!(w.rejected.is_some());
    }
}

#[cfg(test)]
mod removed_api_tests {
    use super::*;

    fn hint_of(text: &str) -> String {
        let r = load_texts(&[("x.yaml", text)], &LoadOptions::default());
        let p = r
            .problems
            .iter()
            .find(|p| p.kind == ProblemKind::UnknownApi)
            .expect("UnknownApi");
        p.hint.clone().unwrap_or_default()
    }

    #[test]
    fn pod_security_policy_points_at_pod_security_admission() {
        let h = hint_of("apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n  name: p\n");
        assert!(
            h.starts_with("PodSecurityPolicy was removed in Kubernetes 1.25 and has no successor API"),
            "{h}"
        );
        assert!(h.contains("pod-security.kubernetes.io/enforce"), "{h}");
    }

    #[test]
    fn kind_served_only_by_older_versions_names_the_range() {
        let h = hint_of(
            "apiVersion: resource.k8s.io/v1alpha2\nkind: PodSchedulingContext\nmetadata:\n  name: p\n  namespace: n\n",
        );
        assert!(
            h.starts_with("PodSchedulingContext in resource.k8s.io/v1alpha2 is served by Kubernetes 1.2"),
            "{h}"
        );
        assert!(h.contains("--k8s-version"), "{h}");
    }
}

/// API groups under `k8s.io` that Kubernetes projects ship as custom
/// resources (or aggregated APIs), not as built-in APIs: an object of theirs
/// is an unvalidated custom resource, not an API the server refuses. Any
/// other unknown `*.k8s.io` group is taken as a built-in one (a removed API).
fn is_project_crd_group(group: &str) -> bool {
    const GROUPS: &[&str] = &[
        "gateway.networking.k8s.io",
        "policy.networking.k8s.io",
        "snapshot.storage.k8s.io",
        "groupsnapshot.storage.k8s.io",
        "autoscaling.k8s.io",
        "metrics.k8s.io",
        "custom.metrics.k8s.io",
        "external.metrics.k8s.io",
        "topology.node.k8s.io",
        "networking.x-k8s.io",
    ];
    GROUPS.contains(&group) || group.ends_with(".sigs.k8s.io")
}

#[cfg(test)]
mod crd_group_tests {
    use super::*;

    #[test]
    fn unknown_kind_of_an_embedded_crd_group_is_unvalidated_not_refused() {
        let text = "apiVersion: kyverno.io/v1alpha2\nkind: AdmissionReport\nmetadata:\n  name: r\n  namespace: n\n";
        let r = load_texts(&[("x.yaml", text)], &LoadOptions::default());
        assert!(
            r.problems.iter().all(|p| p.kind != ProblemKind::UnknownApi),
            "{:?}",
            r.problems
        );
        assert_eq!(r.unvalidated, 1);
        // A built-in group still is refused.
        let text = "apiVersion: apps/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: n\n";
        let r = load_texts(&[("x.yaml", text)], &LoadOptions::default());
        assert!(r.problems.iter().any(|p| p.kind == ProblemKind::UnknownApi));
    }
    #[test]
    fn custom_resources_of_kubernetes_projects_are_not_refused_apis() {
        for (api, kind) in [
            ("policy.networking.k8s.io/v1alpha1", "AdminNetworkPolicy"),
            ("gateway.networking.k8s.io/v1", "HTTPRoute"),
            ("snapshot.storage.k8s.io/v1", "VolumeSnapshot"),
            ("autoscaling.k8s.io/v1", "VerticalPodAutoscaler"),
            ("scheduling.x-k8s.io/v1alpha1", "PodGroup"),
            ("kueue.x-k8s.io/v1beta1", "LocalQueue"),
            ("jobset.x-k8s.io/v1alpha2", "JobSet"),
        ] {
            let text = format!("apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: w\n  namespace: n\n");
            let r = load_texts(&[("x.yaml", &text)], &LoadOptions::default());
            assert!(
                r.problems.iter().all(|p| p.kind != ProblemKind::UnknownApi),
                "{api}: {:?}",
                r.problems
            );
            assert_eq!(r.unvalidated, 1, "{api}");
        }
        // A group of Kubernetes' own that no supported version serves any more.
        let text = "apiVersion: settings.k8s.io/v1alpha1\nkind: PodPreset\nmetadata:\n  name: w\n  namespace: n\n";
        let r = load_texts(&[("x.yaml", text)], &LoadOptions::default());
        assert!(r.problems.iter().any(|p| p.kind == ProblemKind::UnknownApi));
    }
}
