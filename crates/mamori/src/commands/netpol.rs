//! `mamori netpol`: list and reach, answered by the NetworkPolicy engine
//! (`mamori-netpol`) from manifests read by the usual loader.

use crate::cli::{
    ConnlistFormat, DiffFormat, FieldValidationArg, FocusDirection, NetpolArgs, NetpolCommand, NetpolDiffArgs,
    NetpolGenerateArgs, NetpolInput, NetpolListArgs, NetpolReachArgs, TextOrJson,
};
use anyhow::bail;
use mamori_model::{Inventory, Node};
use mamori_netpol::endpoint::{assumed_dns, is_dns};
use mamori_netpol::list::{connlist, Direction, Focus, Format};
use mamori_netpol::reach::End;
use mamori_netpol::{Engine, FieldValidation, Issue, Options, Protocol};
use mamori_source::load::{load_paths, LoadOptions, ProblemKind};
use std::path::PathBuf;

pub fn run(args: NetpolArgs) -> anyhow::Result<u8> {
    match args.command {
        NetpolCommand::List(a) => list(a),
        NetpolCommand::Reach(a) => reach(a),
        NetpolCommand::Diff(a) => diff(a),
        NetpolCommand::Generate(a) => generate(a),
    }
}

fn options(input: &NetpolInput) -> Options {
    Options {
        field_validation: match input.field_validation {
            FieldValidationArg::Strict => FieldValidation::Strict,
            FieldValidationArg::Ignore => FieldValidation::Ignore,
        },
        keep_rejected_workloads: input.keep_rejected_workloads,
        multiple_networks: false,
    }
}

/// Read the manifests; unreadable files and YAML syntax errors stop the
/// command (an answer from half the input would be wrong).
pub(crate) fn load(paths: &[PathBuf], input: &NetpolInput) -> anyhow::Result<Inventory> {
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    let opts = LoadOptions {
        default_namespace: input.namespace.clone(),
        ..LoadOptions::default()
    };
    let load = load_paths(&paths, &opts);
    let fatal: Vec<String> = load
        .problems
        .iter()
        .filter(|p| {
            matches!(
                p.kind,
                ProblemKind::Unreadable | ProblemKind::Syntax | ProblemKind::Binary | ProblemKind::TooLarge
            )
        })
        .map(|p| format!("{}:{}:{}: {}", p.path, p.pos.line, p.pos.col, p.message))
        .collect();
    if !fatal.is_empty() {
        bail!(
            "{}\nhint: fix the input; connectivity computed from part of it would be wrong",
            fatal.join("\nerror: ")
        );
    }
    Ok(Inventory::new(load.objects))
}

/// Whether an issue's object (`Kind ns/name`) is one the API server validates.
fn policy_kind(object: &str) -> bool {
    ["NetworkPolicy ", "AdminNetworkPolicy ", "BaselineAdminNetworkPolicy "]
        .iter()
        .any(|k| object.starts_with(k))
}

fn issue_line(i: &Issue) -> String {
    let file = i.at.rsplit_once(':').map(|(f, _)| f).unwrap_or(&i.at);
    if i.field.is_empty() {
        format!("{file}:{}: {}: {}", i.line, i.object, i.message)
    } else {
        format!("{file}:{}: {}: {}: {}", i.line, i.object, i.field, i.message)
    }
}

/// The engine, with the ingress controller when Ingress or Route objects
/// are present (so its reach is listed as `{ingress-controller}`).
fn engine_with_options(inv: &Inventory, options: Options) -> Engine {
    if mamori_netpol::ingress::present(inv) {
        Engine::with_extra(inv, options, vec![mamori_netpol::ingress::controller()])
    } else {
        Engine::new(inv, options)
    }
}

fn list(args: NetpolListArgs) -> anyhow::Result<u8> {
    let inv = load(&args.paths, &args.input)?;
    let engine = engine_with_options(
        &inv,
        Options {
            multiple_networks: args.multiple_networks,
            ..options(&args.input)
        },
    );
    let multi = args
        .multiple_networks
        .then(|| mamori_netpol::networks::connlist_multi(&inv, &engine, &Focus::default(), Vec::new()));
    let mut rejected: Vec<&Issue> = engine.rejected().collect();
    rejected.extend(multi.iter().flat_map(|m| m.issues.iter().filter(|i| i.rejected)));
    if !rejected.is_empty() && !args.skip_invalid {
        let lines: Vec<String> = rejected.iter().map(|i| issue_line(i)).collect();
        let all_policies = rejected.iter().all(|i| policy_kind(&i.object));
        bail!(
            "{} would refuse {} of the input:\nerror: {}\nhint: fix them, or pass --skip-invalid to list the connectivity without them{}",
            // (C)UDNs and MultiNetworkPolicies are refused by OVN-Kubernetes, not by validation.
            if all_policies { "the API server" } else { "the API server or OVN-Kubernetes" },
            match (all_policies, rejected.len()) {
                (true, 1) => "a policy",
                (true, _) => "policies",
                (false, 1) => "an object",
                (false, _) => "objects",
            },
            lines.join("\nerror: "),
            if lines.iter().any(|l| l.contains("unknown field")) {
                " (or --field-validation ignore to drop unknown fields, as a server without strict validation would)"
            } else {
                ""
            }
        );
    }
    for i in engine.issues.iter().chain(multi.iter().flat_map(|m| m.issues.iter())) {
        if !i.rejected {
            eprintln!("warning: {}", issue_line(i));
        }
    }
    let host: Vec<String> = engine
        .endpoints
        .iter()
        .filter(|e| e.host_network)
        .map(|e| e.label())
        .collect();
    if !host.is_empty() {
        eprintln!(
            "warning: hostNetwork workloads are listed as ordinary pods (as np-guard does), but NetworkPolicy leaves them undefined: {}",
            host.join(", ")
        );
    }
    let focus = Focus {
        workloads: args.focus_workload.clone(),
        direction: match args.focus_direction {
            None => Direction::Both,
            Some(FocusDirection::Ingress) => Direction::Ingress,
            Some(FocusDirection::Egress) => Direction::Egress,
        },
        peers: Vec::new(),
        conn: match &args.focus_conn {
            None => None,
            Some(c) => match Focus::parse_conn(c) {
                Some(c) => Some(c),
                None => bail!("{c:?} is not PROTOCOL-PORT\nhint: for example tcp-8080 or udp-53"),
            },
        },
    };
    let format = match args.format {
        ConnlistFormat::Txt => Format::Txt,
        ConnlistFormat::Json => Format::Json,
        ConnlistFormat::Csv => Format::Csv,
        ConnlistFormat::Md => Format::Md,
        ConnlistFormat::Dot => Format::Dot,
    };
    let ingress = mamori_netpol::ingress::reachable(&inv, &engine);
    let lines = mamori_netpol::list::connlist_with(&engine, &focus, &ingress);
    let mut text = if args.multiple_networks {
        let m = mamori_netpol::networks::connlist_multi(&inv, &engine, &focus, lines);
        match format {
            Format::Txt => mamori_netpol::networks::render_txt(&m, focus.conn),
            // One list with every network's lines (UDN ends tagged `[udn]`).
            _ => {
                let mut all = m.pod.clone();
                all.extend(
                    m.udn
                        .values()
                        .chain(m.cudn.values())
                        .chain(m.nad.values())
                        .flatten()
                        .cloned(),
                );
                mamori_netpol::list::render_focused(&all, format, focus.conn)
            }
        }
    } else {
        mamori_netpol::list::render_focused(&lines, format, focus.conn)
    };
    if args.exposure {
        if args.multiple_networks {
            bail!("--exposure does not work with --multiple-networks yet\nhint: drop one of them");
        }
        if format != Format::Txt {
            bail!("--exposure works with --format txt only for now\nhint: drop --format");
        }
        text = mamori_netpol::exposure::render_focused(&engine, &text, &focus);
    }
    if !text.ends_with('\n') && !text.is_empty() {
        text.push('\n');
    }
    match &args.output {
        Some(p) => super::write_atomic(p, &text)?,
        None => super::print(&text)?,
    }
    Ok(0)
}

/// `NS/NAME[:PORT[/PROTO]]`.
/// A connection: protocol and port.
type Conn = Option<(Protocol, u16)>;

fn parse_target(s: &str, default_ns: &str) -> anyhow::Result<(String, String, Conn)> {
    let (who, port) = match s.split_once(':') {
        Some((w, p)) => (w, Some(p)),
        None => (s, None),
    };
    let (ns, name) = match who.split_once('/') {
        Some((n, w)) => (n.to_string(), w.to_string()),
        None => (default_ns.to_string(), who.to_string()),
    };
    if name.is_empty() || ns.is_empty() {
        bail!("{s:?} is not NS/NAME[:PORT[/PROTO]]\nhint: for example shop/web:8080/tcp");
    }
    let port = match port {
        None => None,
        Some(p) => {
            let (num, proto) = match p.split_once('/') {
                Some((n, pr)) => (n, Some(pr)),
                None => (p, None),
            };
            let Ok(num) = num.parse::<u16>() else {
                bail!(
                    "{num:?} is not a port number (1-65535)\nhint: NS/NAME:PORT/PROTO, for example shop/web:8080/tcp"
                );
            };
            if num == 0 {
                bail!("port 0 is not a port\nhint: use 1-65535");
            }
            let proto = match proto {
                None => Protocol::Tcp,
                Some(p) => match Protocol::parse_loose(p) {
                    Some(p) => p,
                    None => bail!("{p:?} is not a protocol\nhint: tcp, udp or sctp"),
                },
            };
            Some((proto, num))
        }
    };
    Ok((ns, name, port))
}

/// A Service named as the destination: the pods it selects, and the
/// target port a Service port maps to (policies see pod ports only).
fn via_service(inv: &Inventory, engine: &Engine, ns: &str, name: &str, port: Conn) -> Option<(usize, Conn, String)> {
    let svc = inv.get("Service", ns, name)?;
    let targets = inv.service_targets(svc);
    let view = targets.first()?;
    let dst = engine.endpoints.iter().position(|e| e.objects.contains(&view.object))?;
    let Some((proto, num)) = port else {
        return Some((
            dst,
            None,
            format!(
                "{ns}/{name} is a Service: asking about the pods it selects, {}",
                engine.endpoints[dst].label()
            ),
        ));
    };
    let sp = svc
        .stored
        .get("spec")
        .and_then(|s| s.field("ports"))
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .find(|p| {
            p.get("port").and_then(Node::as_i64) == Some(i64::from(num))
                && p.str_field("protocol")
                    .and_then(Protocol::parse)
                    .unwrap_or(Protocol::Tcp)
                    == proto
        })?;
    let target = match sp.get("targetPort") {
        None => Some(num),
        Some(t) => match (t.as_i64(), t.as_str()) {
            (Some(n), _) => u16::try_from(n).ok(),
            (None, Some(named)) => engine.endpoints[dst]
                .ports
                .iter()
                .find(|(n, p, _)| n.as_deref() == Some(named) && *p == proto)
                .map(|(_, _, n)| *n),
            _ => None,
        },
    }?;
    Some((
        dst,
        Some((proto, target)),
        format!(
            "{ns}/{name} is a Service: its port {proto} {num} goes to port {target} of {}, and policies see the pod's port {target}",
            engine.endpoints[dst].label()
        ),
    ))
}

fn reach(args: NetpolReachArgs) -> anyhow::Result<u8> {
    let inv = load(&args.paths, &args.input)?;
    let (fns, fname, fport) = parse_target(&args.from, &args.input.namespace)?;
    if fport.is_some() {
        bail!("--from takes NS/NAME without a port\nhint: the port belongs to --to (NS/NAME:PORT/PROTO)");
    }
    let (tns, tname, mut port) = parse_target(&args.to, &args.input.namespace)?;
    let opts = options(&args.input);
    let mut engine = Engine::new(&inv, opts);
    if !engine.endpoints.iter().any(is_dns) {
        // Questions about DNS need the DNS pods; most manifests leave them out.
        engine = Engine::with_extra(&inv, opts, vec![assumed_dns()]);
    }
    let mut notes = Vec::new();
    let find = |ns: &str, name: &str| engine.endpoint_by_name(ns, name).first().copied();
    let address = |s: &str| {
        s.split(':')
            .next()
            .and_then(|a| a.parse::<std::net::Ipv4Addr>().ok())
            .map(u32::from)
    };
    let src = match address(&args.from) {
        Some(a) => End::Address(a),
        None => match find(&fns, &fname) {
            Some(s) => End::Endpoint(s),
            None => bail!(
                "no workload or pod {fns}/{fname} in the input\nhint: {}",
                known(&engine)
            ),
        },
    };
    let dst = match address(&args.to) {
        Some(a) => End::Address(a),
        None => End::Endpoint(match find(&tns, &tname) {
            Some(d) => d,
            None => match via_service(&inv, &engine, &tns, &tname, port) {
                Some((d, p, note)) => {
                    port = p;
                    notes.push(note);
                    d
                }
                None => {
                    let dns = tns == "kube-system" && matches!(tname.as_str(), "coredns" | "dns");
                    match engine.endpoints.iter().position(is_dns).filter(|_| dns) {
                        Some(d) => d,
                        None => bail!(
                            "no workload, pod or Service {tns}/{tname} in the input\nhint: {}",
                            known(&engine)
                        ),
                    }
                }
            },
        }),
    };
    if matches!((src, dst), (End::Address(_), End::Address(_))) {
        bail!("both ends are addresses\nhint: NetworkPolicy governs pods; name a workload at one end");
    }
    let mut verdict = mamori_netpol::reach::reach_ends(&engine, src, dst, port);
    verdict.notes.splice(0..0, notes);
    for i in &engine.issues {
        verdict.notes.push(format!(
            "{} {}",
            if i.rejected { "refused:" } else { "warning:" },
            issue_line(i)
        ));
    }
    let text = match args.format {
        TextOrJson::Text => verdict.text(),
        TextOrJson::Json => serde_json::to_string_pretty(&verdict)? + "\n",
    };
    super::print(&text)?;
    Ok(if verdict.allowed { 0 } else { 1 })
}

fn known(engine: &Engine) -> String {
    let names: Vec<String> = engine
        .endpoints
        .iter()
        .filter(|e| !e.assumed)
        .take(8)
        .map(|e| format!("{}/{}", e.namespace, e.name))
        .collect();
    if names.is_empty() {
        "the input has no pods or workloads".into()
    } else {
        format!("known: {}", names.join(", "))
    }
}

/// An engine from manifests whose policies the API server would all accept.
fn checked_engine_with(paths: &[PathBuf], input: &NetpolInput, multi: bool) -> anyhow::Result<(Inventory, Engine)> {
    let inv = load(paths, input)?;
    let engine = engine_with_options(
        &inv,
        Options {
            multiple_networks: multi,
            ..options(input)
        },
    );
    let mut rejected: Vec<String> = engine.rejected().map(issue_line).collect();
    if multi {
        let m = mamori_netpol::networks::connlist_multi(&inv, &engine, &Focus::default(), Vec::new());
        rejected.extend(m.issues.iter().filter(|i| i.rejected).map(issue_line));
    }
    if !rejected.is_empty() {
        bail!(
            "the API server would refuse policies of {}:\nerror: {}\nhint: fix them first; connectivity is never computed from a refused policy",
            paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "),
            rejected.join("\nerror: ")
        );
    }
    Ok((inv, engine))
}

fn diff(args: NetpolDiffArgs) -> anyhow::Result<u8> {
    let multi = args.multiple_networks;
    let (i1, before) = checked_engine_with(std::slice::from_ref(&args.dir1), &args.input, multi)?;
    let (i2, after) = checked_engine_with(std::slice::from_ref(&args.dir2), &args.input, multi)?;
    let (n1, n2) = (
        mamori_netpol::networks::class_networks(&i1, &before),
        mamori_netpol::networks::class_networks(&i2, &after),
    );
    let changes = mamori_netpol::diff::diff_networks(
        &before,
        &after,
        &mamori_netpol::ingress::reachable(&i1, &before),
        &mamori_netpol::ingress::reachable(&i2, &after),
        [multi.then_some(&n1[..]), multi.then_some(&n2[..])],
    );
    let format = match args.format {
        DiffFormat::Txt => mamori_netpol::diff::Format::Txt,
        DiffFormat::Csv => mamori_netpol::diff::Format::Csv,
        DiffFormat::Md => mamori_netpol::diff::Format::Md,
        DiffFormat::Json => mamori_netpol::diff::Format::Json,
    };
    let mut text = mamori_netpol::diff::render(&changes, format);
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    if changes.is_empty() {
        eprintln!("no connectivity changed");
    }
    super::print(&text)?;
    Ok(if changes.is_empty() { 0 } else { 1 })
}

fn generate(args: NetpolGenerateArgs) -> anyhow::Result<u8> {
    use anyhow::Context as _;
    use mamori_netpol::ConnSet;
    use std::collections::BTreeMap;
    let inv = load(&args.paths, &args.input)?;
    let engine = Engine::new(&inv, options(&args.input));
    let flows_text = if args.flows.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())?
    } else {
        std::fs::read_to_string(&args.flows).with_context(|| format!("cannot read {}", args.flows.display()))?
    };
    let flows = match mamori_netpol::generate::parse_flows(&flows_text, &engine) {
        Ok(f) => f,
        Err(errors) => {
            let lines: Vec<String> = errors
                .iter()
                .map(|e| format!("{}:{}: {}", args.flows.display(), e.line, e.message))
                .collect();
            bail!(
                "{}\nhint: one flow per line: source,destination,port,protocol (NS/NAME,NS/NAME,80,TCP)",
                lines.join("\nerror: ")
            );
        }
    };
    if flows.is_empty() {
        bail!(
            "{} has no flows\nhint: one flow per line: source,destination,port,protocol",
            args.flows.display()
        );
    }
    for f in &flows {
        for e in [f.src, f.dst] {
            if engine.endpoints[e].labels.is_empty() {
                eprintln!(
                    "warning: {} has no labels: its rules select every pod of its namespace",
                    engine.endpoints[e].label()
                );
            }
        }
    }
    let yaml = mamori_netpol::generate::generate(&engine, &flows);

    // The proof: the input without its own policies, plus the result.
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let opts = LoadOptions {
        default_namespace: args.input.namespace.clone(),
        ..LoadOptions::default()
    };
    let mut objects: Vec<_> = load_paths(&paths, &opts)
        .objects
        .into_iter()
        .filter(|o| o.kind != "NetworkPolicy")
        .collect();
    let generated = mamori_source::load::load_texts(&[("generated.yaml", yaml.as_str())], &opts);
    objects.extend(generated.objects);
    let proved_inv = Inventory::new(objects);
    let mut proved = Engine::new(&proved_inv, options(&args.input));
    if !proved.endpoints.iter().any(is_dns) {
        // Prove the DNS rules too, against the DNS pods as usually deployed.
        proved = Engine::with_extra(&proved_inv, options(&args.input), vec![assumed_dns()]);
    }
    if let Some(i) = proved.rejected().next() {
        bail!(
            "the generated policies do not validate: {}\nhint: this is a bug in mamori",
            issue_line(i)
        );
    }
    let governed: Vec<&str> = flows
        .iter()
        .flat_map(|f| {
            [
                engine.endpoints[f.src].namespace.as_str(),
                engine.endpoints[f.dst].namespace.as_str(),
            ]
        })
        .collect();
    let mut want: BTreeMap<(String, String), ConnSet> = BTreeMap::new();
    for f in &flows {
        want.entry((engine.endpoints[f.src].label(), engine.endpoints[f.dst].label()))
            .or_default()
            .add(&ConnSet::port(f.protocol, f.port));
    }
    let dns: Vec<String> = proved
        .endpoints
        .iter()
        .filter(|e| is_dns(e))
        .map(|e| e.label())
        .collect();
    for e in proved
        .endpoints
        .iter()
        .filter(|e| governed.contains(&e.namespace.as_str()))
    {
        for d in &dns {
            if *d != e.label() {
                let c = want.entry((e.label(), d.clone())).or_default();
                c.add(&ConnSet::port(Protocol::Udp, 53));
                c.add(&ConnSet::port(Protocol::Tcp, 53));
            }
        }
    }
    let mut got: BTreeMap<(String, String), ConnSet> = BTreeMap::new();
    for l in connlist(&proved, &Focus::default()) {
        let touches = l.src_ns.as_deref().is_some_and(|n| governed.contains(&n))
            || l.dst_ns.as_deref().is_some_and(|n| governed.contains(&n));
        if touches {
            got.insert((l.src, l.dst), l.conns);
        }
    }
    // The list leaves out assumed endpoints: ask for DNS directly.
    for e in proved
        .endpoints
        .iter()
        .filter(|e| !e.assumed && governed.contains(&e.namespace.as_str()))
    {
        for d in proved.endpoints.iter().filter(|d| is_dns(d) && d.assumed) {
            let c = proved.conns(
                mamori_netpol::Target::Class(e.class),
                mamori_netpol::Target::Class(d.class),
            );
            if !c.is_empty() {
                got.insert((e.label(), d.label()), c);
            }
        }
    }
    let mut differences = Vec::new();
    let keys: std::collections::BTreeSet<_> = want.keys().chain(got.keys()).cloned().collect();
    for k in keys {
        let (w, g) = (
            want.get(&k).cloned().unwrap_or_default(),
            got.get(&k).cloned().unwrap_or_default(),
        );
        if w != g {
            differences.push(format!("{} => {} : wanted {}, got {}", k.0, k.1, w, g));
        }
    }
    match &args.output {
        Some(p) => super::write_atomic(p, &yaml)?,
        None => super::print(&yaml)?,
    }
    if differences.is_empty() {
        eprintln!(
            "proof: the connectivity of the result equals the {} flow(s) plus DNS ({} pair(s)) for namespaces {}; everything else to and from them is denied; diff: empty",
            flows.len(),
            want.len(),
            {
                let mut g = governed.clone();
                g.sort_unstable();
                g.dedup();
                g.join(", ")
            }
        );
        Ok(0)
    } else {
        eprintln!("proof failed: the result differs from the flows:");
        for d in &differences {
            eprintln!("  {d}");
        }
        eprintln!("hint: workloads with the same labels cannot be told apart by a policy; give them distinct labels");
        Ok(1)
    }
}
