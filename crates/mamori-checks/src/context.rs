use crate::registry::CheckMeta;
use mamori_diagnostics::{Config, Finding, Location};
use mamori_model::{ContainerView, Effective, FieldPath, Inventory, Object, PodSpecView};
use mamori_source::load::Problem;
use mamori_source::schema::SchemaIssue;

/// What checks see: the inventory, the load's problems and schema issues,
/// and the configuration.
pub struct Context<'a> {
    pub inventory: &'a Inventory,
    pub problems: &'a [Problem],
    pub issues: &'a [(usize, SchemaIssue)],
    pub config: &'a Config,
}

impl Context<'_> {
    /// A finding about a field of an object, located at that field as written.
    pub fn finding(
        &self,
        meta: &CheckMeta,
        obj: usize,
        field: &FieldPath,
        message: String,
        hint: Option<String>,
    ) -> Finding {
        let o = &self.inventory.objects[obj];
        let pos = o.node.locate(field);
        let mut f = self.bare(meta, &o.origin.path, pos.line, pos.col, message, hint);
        f.location.field = field.to_string();
        f.object = Some(o.reference());
        f.notes = object_notes(o);
        f
    }

    /// A finding about a container's field, naming the container.
    pub fn container_finding(
        &self,
        meta: &CheckMeta,
        view: &PodSpecView,
        c: &ContainerView,
        field: &FieldPath,
        message: String,
        hint: Option<String>,
    ) -> Finding {
        let mut f = self.finding(meta, view.object, field, message, hint);
        f.container = Some(c.name.to_string());
        f
    }

    /// The container's effective security settings, from the stored pod spec.
    pub fn effective(&self, view: &PodSpecView, c: &ContainerView) -> Option<Effective> {
        let obj = &self.inventory.objects[view.object];
        let spec = view.spec(obj)?;
        Some(Effective::of(spec, view.metadata(obj), c.node))
    }

    pub fn bare(
        &self,
        meta: &CheckMeta,
        path: &str,
        line: u32,
        col: u32,
        message: String,
        hint: Option<String>,
    ) -> Finding {
        Finding {
            code: meta.code.to_string(),
            name: meta.name.to_string(),
            severity: meta.severity,
            object: None,
            location: Location {
                path: path.to_string(),
                line,
                column: col,
                field: String::new(),
            },
            message,
            why: why_of(meta),
            hint,
            references: references_of(meta),
            notes: Vec::new(),
            container: None,
            fix: None,
        }
    }
}

/// Facts about the object worth repeating in every finding about it.
pub fn object_notes(o: &Object) -> Vec<String> {
    let mut notes = Vec::new();
    if o.namespace_assumed {
        if let Some(ns) = &o.effective_namespace {
            notes.push(format!(
                "no namespace in the manifest: analysed as namespace {ns:?} (set at deploy time, or pass --namespace)"
            ));
        }
    }
    if let Some(src) = &o.origin.helm_source {
        notes.push(format!("rendered from Helm template {src}"));
    }
    notes
}

/// The first paragraph of the doc's "Why it matters" section.
pub fn why_of(meta: &CheckMeta) -> String {
    section(meta.doc, "Why it matters")
        .and_then(|s| {
            s.split("\n\n")
                .next()
                .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        })
        .unwrap_or_default()
}

pub fn references_of(meta: &CheckMeta) -> Vec<String> {
    section(meta.doc, "References")
        .map(|s| {
            s.lines()
                .filter_map(|l| l.trim().strip_prefix("- "))
                .filter_map(|l| {
                    l.split_once("<")
                        .and_then(|(_, r)| r.split_once('>'))
                        .map(|(u, _)| u.to_string())
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The body of `## NAME` in a check's doc.
pub fn section<'d>(doc: &'d str, name: &str) -> Option<&'d str> {
    let head = format!("## {name}\n");
    let start = doc.find(&head)? + head.len();
    let rest = &doc[start..];
    let end = rest.find("\n## ").map(|e| e + 1).unwrap_or(rest.len());
    Some(rest[..end].trim())
}
