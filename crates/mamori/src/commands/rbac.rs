//! `mamori rbac`: can-i, who-can, matrix and generate, answered by the RBAC
//! engine (`mamori-rbac`) from manifests read by the usual loader.

use crate::cli::{CanIArgs, MatrixArgs, RbacArgs, RbacCommand, RbacFormat, RbacInput, WhoCanArgs};
use anyhow::bail;
use mamori_model::Inventory;
use mamori_rbac::resources::{ResourceTable, ResourceType, KNOWN_NON_RESOURCE_VERBS, KNOWN_RESOURCE_VERBS};
use mamori_rbac::{Bootstrap, Decision, IssueEffect, Options, Policy, Request, Scope, UserInfo};
use mamori_source::load::{load_paths, LoadOptions, ProblemKind};
use std::fmt::Write as _;
use std::path::PathBuf;

mod generate;

pub fn run(args: RbacArgs) -> anyhow::Result<u8> {
    match args.command {
        RbacCommand::CanI(a) => can_i(a),
        RbacCommand::WhoCan(a) => who_can(a),
        RbacCommand::Matrix(a) => matrix(a),
        RbacCommand::Generate(a) => generate::run(a),
    }
}

/// Manifests loaded and turned into a policy.
struct Loaded {
    inventory: Inventory,
    policy: Policy,
    resources: ResourceTable,
}

fn bootstrap_for(version: &str) -> anyhow::Result<u32> {
    let t = version.trim().trim_start_matches('v');
    let minor = t
        .strip_prefix("1.")
        .and_then(|m| m.split('.').next())
        .and_then(|m| m.parse::<u32>().ok());
    match minor {
        Some(m) if m >= 25 => Ok(m),
        _ => bail!("Kubernetes version {version:?} is not supported\nhint: use 1.25 or newer"),
    }
}

fn load(paths: &[PathBuf], input: &RbacInput) -> anyhow::Result<Loaded> {
    let minor = bootstrap_for(&input.k8s_version)?;
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    let load = load_paths(&paths, &LoadOptions::default());
    if !input.quiet {
        for p in &load.problems {
            if matches!(
                p.kind,
                ProblemKind::Unreadable | ProblemKind::Syntax | ProblemKind::Binary | ProblemKind::TooLarge
            ) {
                eprintln!("warning: {}:{}:{}: {}", p.path, p.pos.line, p.pos.col, p.message);
            }
        }
    }
    let inventory = Inventory::new(load.objects);
    let options = Options {
        bootstrap: if input.no_bootstrap {
            Bootstrap::Off
        } else {
            Bootstrap::Minor(minor)
        },
        ..Options::default()
    };
    let policy = Policy::from_inventory(&inventory, options);
    if !input.quiet {
        warn_issues(&inventory, &policy);
    }
    let mut resources = ResourceTable::default();
    for (_, o) in inventory.of_kind("CustomResourceDefinition") {
        if let Some(t) = crd_type(&o.stored) {
            resources.add(t);
        }
    }
    Ok(Loaded {
        inventory,
        policy,
        resources,
    })
}

/// A custom resource type from a CustomResourceDefinition, so that can-i
/// resolves its names as a cluster's discovery would.
fn crd_type(crd: &mamori_model::Node) -> Option<ResourceType> {
    let spec = crd.get("spec")?;
    let names = spec.get("names")?;
    let plural = names.str_field("plural")?.to_string();
    Some(ResourceType {
        group: spec.str_field("group")?.to_string(),
        singular: names
            .str_field("singular")
            .map(str::to_string)
            .unwrap_or_else(|| names.str_field("kind").unwrap_or_default().to_ascii_lowercase()),
        kind: names.str_field("kind").unwrap_or_default().to_string(),
        short_names: names
            .get("shortNames")
            .and_then(|s| s.as_seq())
            .map(|s| s.iter().filter_map(|n| n.as_str().map(str::to_string)).collect())
            .unwrap_or_default(),
        namespaced: spec.str_field("scope") != Some("Cluster"),
        verbs: mamori_rbac::resources::STANDARD_VERBS
            .iter()
            .map(|v| v.to_string())
            .collect(),
        resource: plural,
    })
}

/// Objects the API server would refuse, dropped fields, and bindings to
/// missing roles change answers: say so, pointing at the manifest.
fn warn_issues(inventory: &Inventory, policy: &Policy) {
    for i in policy.issues() {
        let missing_role = i.message.contains("does not exist");
        if !(matches!(i.effect, IssueEffect::Rejected | IssueEffect::FieldDropped) || missing_role) {
            continue;
        }
        let name = i.name.clone().unwrap_or_default();
        let ns = i.namespace.clone().unwrap_or_default();
        let place =
            i.at.as_ref()
                .map(|at| format!("{at}: "))
                .or_else(|| {
                    inventory
                        .get(&i.kind, &ns, &name)
                        .map(|o| format!("{}:{}: ", o.origin.path, o.origin.line))
                })
                .unwrap_or_default();
        let who = if ns.is_empty() {
            format!("{} {name}", i.kind)
        } else {
            format!("{} {ns}/{name}", i.kind)
        };
        let what = match i.effect {
            IssueEffect::Rejected => "the API server refuses it, so it grants nothing",
            IssueEffect::FieldDropped => "the field is dropped",
            IssueEffect::Note => "it grants nothing until the role exists",
        };
        eprintln!(
            "warning: {place}{who}: {}; {what}",
            i.message.trim_end_matches(": the binding grants nothing")
        );
    }
}

/// The parsed `VERB RESOURCE[.GROUP][/NAME]` or `VERB /URL`.
struct Question {
    request: Request,
    namespaced: Option<bool>,
}

fn question(
    verb: &str,
    target: &str,
    subresource: Option<&str>,
    resources: &ResourceTable,
    quiet: bool,
) -> anyhow::Result<Question> {
    if target.starts_with('/') {
        if subresource.is_some() {
            bail!("--subresource can not be used with a non-resource URL");
        }
        if !quiet && !KNOWN_NON_RESOURCE_VERBS.contains(&verb) {
            eprintln!("warning: verb '{verb}' is not a known verb");
            eprintln!("hint: non-resource URLs take get, put, post, head, options, delete, patch; the answer is for '{verb}' as written");
        }
        return Ok(Question {
            request: Request::non_resource(verb, target),
            namespaced: None,
        });
    }
    let (resource_arg, name) = match target.split_once('/') {
        Some((r, n)) => (r, Some(n)),
        None => (target, None),
    };
    let resolved = resources.resolve(resource_arg);
    if !quiet {
        if let Some(w) = &resolved.warning {
            eprintln!("warning: {w}");
            eprintln!("hint: mamori knows the built-in types of Kubernetes and the CustomResourceDefinitions in the input; the answer is for {resource_arg:?} as written (kubectl does the same)");
        }
        if !KNOWN_RESOURCE_VERBS.contains(&verb) {
            eprintln!("warning: verb '{verb}' is not a known verb");
            eprintln!(
                "hint: known verbs: {}; the answer is for '{verb}' as written",
                KNOWN_RESOURCE_VERBS.join(", ")
            );
        }
    }
    let mut request = Request::resource(verb, &resolved.group, &resolved.resource);
    if let Some(n) = name {
        request = request.named(n);
    }
    if let Some(s) = subresource {
        request = request.subresource(s);
    }
    Ok(Question {
        request,
        namespaced: resolved.namespaced,
    })
}

fn user_of(name: &str, groups: &[String]) -> UserInfo {
    let groups: Vec<&str> = groups.iter().map(String::as_str).collect();
    UserInfo::impersonate(name, &groups)
}

/// `path:line` of the manifest behind a binding, or `built-in`.
fn origin_of(inventory: &Inventory, kind: &str, namespace: Option<&str>, name: &str, bootstrap: bool) -> String {
    if bootstrap {
        return "built-in default policy".into();
    }
    inventory
        .get(kind, namespace.unwrap_or(""), name)
        .map(|o| format!("{}:{}", o.origin.path, o.origin.line))
        .unwrap_or_default()
}

fn grant_lines(out: &mut String, inventory: &Inventory, d: &Decision) {
    for g in &d.reasons {
        let kind = match g.binding.kind {
            mamori_rbac::BindingKind::ClusterRoleBinding => "ClusterRoleBinding",
            mamori_rbac::BindingKind::RoleBinding => "RoleBinding",
        };
        let at = origin_of(
            inventory,
            kind,
            g.binding.namespace.as_deref(),
            &g.binding.name,
            g.bootstrap,
        );
        let _ = writeln!(out, "  {} <- {}", g.subject, g.chain_with_rule());
        if !at.is_empty() {
            let _ = writeln!(out, "    binding: {at}");
        }
    }
}

fn can_i(a: CanIArgs) -> anyhow::Result<u8> {
    let (verb, target, paths) = if a.list {
        (None, None, a.words.iter().map(PathBuf::from).collect::<Vec<_>>())
    } else {
        if a.words.len() < 2 {
            bail!(
                "can-i needs VERB and RESOURCE (or --list)\nhint: mamori rbac can-i get pods -n NS --as USER [PATH...]"
            );
        }
        (
            Some(a.words[0].clone()),
            Some(a.words[1].clone()),
            a.words[2..].iter().map(PathBuf::from).collect(),
        )
    };
    let loaded = load(&paths, &a.input)?;
    let user = user_of(&a.as_user, &a.as_group);
    // kubectl asks in the context namespace (`default`) unless told; -A asks cluster-wide.
    let namespace = if a.all_namespaces {
        None
    } else {
        Some(a.namespace.clone().unwrap_or_else(|| "default".into()))
    };
    if a.list {
        let text = match a.format {
            RbacFormat::Text => loaded.policy.list_table(&user, namespace.as_deref()),
            RbacFormat::Json => {
                let grants = loaded.policy.grants_for(&user, namespace.as_deref());
                serde_json::to_string_pretty(
                    &serde_json::json!({"user": user, "namespace": namespace, "rules": grants}),
                )? + "\n"
            }
        };
        super::print(&text)?;
        return Ok(0);
    }
    let (verb, target) = (verb.unwrap_or_default(), target.unwrap_or_default());
    let q = question(
        &verb,
        &target,
        a.subresource.as_deref(),
        &loaded.resources,
        a.input.quiet,
    )?;
    let mut request = q.request;
    if request.non_resource_url.is_none() {
        if let Some(ns) = &namespace {
            if q.namespaced == Some(false) && a.namespace.is_some() && !a.input.quiet {
                eprintln!("warning: resource '{}' is not namespace scoped", request.resource);
            }
            request = request.in_namespace(ns);
        }
    }
    let d = loaded.policy.can_i(&user, &request);
    let text = match a.format {
        RbacFormat::Json => {
            serde_json::to_string_pretty(
                &serde_json::json!({"allowed": d.allowed, "user": user, "request": request, "decision": d}),
            )? + "\n"
        }
        RbacFormat::Text => {
            let mut out = String::from(if d.allowed { "yes\n" } else { "no\n" });
            if a.explain {
                explain(&mut out, &loaded, &user, &request, &d);
            }
            out
        }
    };
    super::print(&text)?;
    Ok(if d.allowed { 0 } else { 1 })
}

fn explain(out: &mut String, loaded: &Loaded, user: &UserInfo, request: &Request, d: &Decision) {
    let _ = writeln!(out, "user {} in groups [{}]", user.name, user.groups.join(", "));
    if let Some(g) = &d.privileged_group {
        let _ = writeln!(out, "  {g}: allowed by the API server before RBAC is asked");
    }
    if !d.reasons.is_empty() {
        let _ = writeln!(
            out,
            "allowed by ({} grant(s); the first is the one the API server reports):",
            d.reasons.len()
        );
        grant_lines(out, &loaded.inventory, d);
        return;
    }
    if d.allowed {
        return;
    }
    let ns = if request.non_resource_url.is_some() {
        None
    } else {
        request.namespace.as_deref()
    };
    let grants = loaded.policy.grants_for(user, ns.filter(|n| !n.is_empty()));
    let mut chains: Vec<String> = grants
        .iter()
        .map(|g| format!("{} <- {}", g.subject, g.chain()))
        .collect();
    chains.dedup();
    match ns.filter(|n| !n.is_empty()) {
        Some(n) => {
            let _ = writeln!(out, "no rule allows it: the ClusterRoleBindings and the RoleBindings of namespace {n} that apply to this user grant:");
        }
        None => {
            let _ = writeln!(out, "no rule allows it: a cluster-wide request sees ClusterRoleBindings only; those that apply to this user grant:");
        }
    }
    if chains.is_empty() {
        let _ = writeln!(out, "  nothing (no binding names this user or its groups)");
    }
    for c in chains {
        let _ = writeln!(out, "  {c}");
    }
}

fn who_can(a: WhoCanArgs) -> anyhow::Result<u8> {
    if a.words.len() < 2 {
        bail!("who-can needs VERB and RESOURCE\nhint: mamori rbac who-can delete pods -n NS [PATH...]");
    }
    let paths: Vec<PathBuf> = a.words[2..].iter().map(PathBuf::from).collect();
    let loaded = load(&paths, &a.input)?;
    let q = question(
        &a.words[0],
        &a.words[1],
        a.subresource.as_deref(),
        &loaded.resources,
        a.input.quiet,
    )?;
    let mut request = q.request;
    let scope = if a.all_namespaces {
        Scope::AnyNamespace
    } else if request.non_resource_url.is_some() || (q.namespaced == Some(false) && a.namespace.is_none()) {
        Scope::Cluster
    } else {
        let ns = a.namespace.clone().unwrap_or_else(|| "default".into());
        request = request.in_namespace(&ns);
        Scope::Namespace(ns)
    };
    let found = loaded.policy.who_can(&request, &scope);
    let text = match a.format {
        RbacFormat::Json => {
            serde_json::to_string_pretty(&serde_json::json!({"request": request, "scope": scope, "subjects": found}))?
                + "\n"
        }
        RbacFormat::Text => {
            let mut out = String::new();
            let where_ = match &scope {
                Scope::Namespace(ns) => format!("in namespace {ns}"),
                Scope::Cluster => "cluster-wide".into(),
                Scope::AnyNamespace => "in some namespace".into(),
            };
            let _ = writeln!(out, "{} subject(s) can {} {where_}:", found.len(), describe(&request));
            for w in &found {
                if w.privileged {
                    let _ = writeln!(out, "{}\n  allowed before RBAC is asked (system:masters)", w.subject);
                    continue;
                }
                let _ = writeln!(out, "{}", w.subject);
                for g in &w.grants {
                    let kind = match g.binding.kind {
                        mamori_rbac::BindingKind::ClusterRoleBinding => "ClusterRoleBinding",
                        mamori_rbac::BindingKind::RoleBinding => "RoleBinding",
                    };
                    let at = origin_of(
                        &loaded.inventory,
                        kind,
                        g.binding.namespace.as_deref(),
                        &g.binding.name,
                        g.bootstrap,
                    );
                    let _ = writeln!(out, "  {}  ({at})", g.chain_with_rule());
                }
            }
            out
        }
    };
    super::print(&text)?;
    Ok(0)
}

fn describe(r: &Request) -> String {
    if let Some(u) = &r.non_resource_url {
        return format!("{} {u}", r.verb);
    }
    let mut s = format!("{} {}", r.verb, r.resource);
    if !r.subresource.is_empty() {
        s.push_str(&format!("/{}", r.subresource));
    }
    if !r.api_group.is_empty() {
        s.push_str(&format!(".{}", r.api_group));
    }
    if let Some(n) = &r.name {
        s.push_str(&format!(" named {n}"));
    }
    s
}

/// The HTTP verbs of non-resource requests, as the authorizer sees them.
const URL_VERBS: [&str; 6] = ["get", "head", "post", "put", "patch", "delete"];

fn matrix(a: MatrixArgs) -> anyhow::Result<u8> {
    let loaded = load(&a.paths, &a.input)?;
    let user = user_of(&a.as_user, &a.as_group);
    let ns = a.namespace.clone().unwrap_or_else(|| "default".into());
    let verbs = mamori_rbac::resources::STANDARD_VERBS;
    let grants = loaded.policy.grants_for(&user, Some(&ns));
    let mut rows: Vec<(String, Vec<char>)> = Vec::new();
    let mut hidden = 0;
    for t in loaded.resources.types() {
        let cells: Vec<char> = verbs
            .iter()
            .map(|v| {
                let mut req = Request::resource(v, &t.group, &t.resource);
                if t.namespaced {
                    req = req.in_namespace(&ns);
                }
                if loaded.policy.can_i(&user, &req).allowed {
                    'x'
                } else if grants.iter().any(|g| {
                    !g.rule.resource_names.is_empty()
                        && {
                            let probe = req.clone().named(&g.rule.resource_names[0]);
                            mamori_rbac::matching::rule_allows(&g.rule, &probe)
                        }
                        && (t.namespaced || g.binding.kind == mamori_rbac::BindingKind::ClusterRoleBinding)
                }) {
                    '~'
                } else {
                    '.'
                }
            })
            .collect();
        if !a.all && cells.iter().all(|c| *c == '.') {
            hidden += 1;
            continue;
        }
        let name = if t.group.is_empty() {
            t.resource.clone()
        } else {
            format!("{}.{}", t.resource, t.group)
        };
        rows.push((name, cells));
    }
    // Non-resource URLs come only through ClusterRoleBindings; each URL (or
    // prefix pattern) a granted rule names is a row, its HTTP verbs the columns.
    let mut urls: Vec<&str> = grants
        .iter()
        .filter(|g| g.binding.kind == mamori_rbac::BindingKind::ClusterRoleBinding)
        .flat_map(|g| g.rule.non_resource_urls.iter().map(String::as_str))
        .collect();
    urls.sort_unstable();
    urls.dedup();
    let url_rows: Vec<(&str, Vec<char>)> = urls
        .into_iter()
        .map(|u| {
            let cells = URL_VERBS
                .iter()
                .map(|v| {
                    if loaded.policy.can_i(&user, &Request::non_resource(v, u)).allowed {
                        'x'
                    } else {
                        '.'
                    }
                })
                .collect();
            (u, cells)
        })
        .collect();
    let text = match a.format {
        RbacFormat::Json => {
            let url_json: Vec<_> = url_rows
                .iter()
                .map(|(u, cells)| {
                    let m: serde_json::Map<String, serde_json::Value> = URL_VERBS
                        .iter()
                        .zip(cells)
                        .map(|(v, c)| {
                            (
                                v.to_string(),
                                serde_json::Value::from(if *c == 'x' { "allowed" } else { "denied" }),
                            )
                        })
                        .collect();
                    serde_json::json!({"url": u, "verbs": m})
                })
                .collect();
            let rows: Vec<_> = rows
                .iter()
                .map(|(r, cells)| {
                    let m: serde_json::Map<String, serde_json::Value> = verbs
                        .iter()
                        .zip(cells)
                        .map(|(v, c)| {
                            let s = match c {
                                'x' => "allowed",
                                '~' => "some-names",
                                _ => "denied",
                            };
                            (v.to_string(), serde_json::Value::from(s))
                        })
                        .collect();
                    serde_json::json!({"resource": r, "verbs": m})
                })
                .collect();
            serde_json::to_string_pretty(
                &serde_json::json!({"user": user, "namespace": ns, "matrix": rows, "nonResourceURLs": url_json}),
            )? + "\n"
        }
        RbacFormat::Text => {
            let width = rows.iter().map(|(r, _)| r.len()).max().unwrap_or(8).max(8);
            let mut out = format!("{:width$}", "RESOURCE");
            for v in verbs {
                let _ = write!(out, "  {v}");
            }
            out.push('\n');
            for (r, cells) in &rows {
                let _ = write!(out, "{r:width$}");
                for (v, c) in verbs.iter().zip(cells) {
                    let _ = write!(out, "  {c:<w$}", w = v.len());
                }
                out = out.trim_end().to_string();
                out.push('\n');
            }
            if !url_rows.is_empty() {
                let width = url_rows.iter().map(|(u, _)| u.len()).max().unwrap_or(16).max(16);
                let _ = write!(out, "\n{:width$}", "NON-RESOURCE URL");
                for v in URL_VERBS {
                    let _ = write!(out, "  {v}");
                }
                out.push('\n');
                for (u, cells) in &url_rows {
                    let _ = write!(out, "{u:width$}");
                    for (v, c) in URL_VERBS.iter().zip(cells) {
                        let _ = write!(out, "  {c:<w$}", w = v.len());
                    }
                    out = out.trim_end().to_string();
                    out.push('\n');
                }
            }
            if hidden > 0 {
                let _ = writeln!(out, "({hidden} other resource types: no access; --all lists them)");
            }
            let _ = writeln!(out, "namespace {ns}; x allowed, ~ only some named objects, . denied");
            out
        }
    };
    super::print(&text)?;
    Ok(0)
}
