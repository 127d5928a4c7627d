//! The inventory: every object, indexed by kind/namespace/name, plus the
//! namespaces the objects imply.

use crate::object::Object;
use crate::podspec::PodSpecView;
use crate::selector::LabelSelector;
use std::any::{Any, TypeId};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// A namespace known to exist: declared in the input, or implied because an
/// object lives in it or names it (`default` and `kube-system` always exist).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamespaceInfo {
    pub name: String,
    /// Index of the Namespace object, when the input declares it.
    pub object: Option<usize>,
    /// Labels, including the `kubernetes.io/metadata.name` label the API
    /// server always sets.
    pub labels: Vec<(String, String)>,
}

#[derive(Debug, Default)]
pub struct Inventory {
    pub objects: Vec<Object>,
    index: HashMap<(String, String, String), Vec<usize>>,
    pub pod_specs: Vec<PodSpecView>,
    pub namespaces: BTreeMap<String, NamespaceInfo>,
    derived: Derived,
}

/// What engines derive from the whole inventory (an RBAC policy, ...),
/// built on first use and shared by every check that asks: engines are
/// lazy, and built once per inventory. Keyed by type.
#[derive(Default)]
struct Derived(Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>);

impl std::fmt::Debug for Derived {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Derived")
    }
}

type Labels = Vec<(String, String)>;

pub const NAME_LABEL: &str = "kubernetes.io/metadata.name";

impl Inventory {
    pub fn new(objects: Vec<Object>) -> Inventory {
        let mut inv = Inventory {
            objects,
            ..Inventory::default()
        };
        for (i, o) in inv.objects.iter().enumerate() {
            inv.index
                .entry((
                    o.kind.clone(),
                    o.effective_namespace.clone().unwrap_or_default(),
                    o.name.clone(),
                ))
                .or_default()
                .push(i);
            if let Some(v) = PodSpecView::for_object(i, o) {
                inv.pod_specs.push(v);
            }
        }
        for ns in ["default", "kube-system"] {
            inv.imply_namespace(ns);
        }
        let declared: Vec<(usize, String, Labels)> = inv
            .objects
            .iter()
            .enumerate()
            .filter(|(_, o)| o.kind == "Namespace" && o.api_version == "v1")
            .map(|(i, o)| (i, o.name.clone(), o.labels()))
            .collect();
        for (i, name, mut labels) in declared {
            // The API server always sets this label to the namespace's name.
            labels.retain(|(k, _)| k != NAME_LABEL);
            labels.push((NAME_LABEL.to_string(), name.clone()));
            labels.sort();
            inv.namespaces.insert(
                name.clone(),
                NamespaceInfo {
                    name,
                    object: Some(i),
                    labels,
                },
            );
        }
        let used: Vec<String> = inv
            .objects
            .iter()
            .filter_map(|o| o.effective_namespace.clone())
            .collect();
        for ns in used {
            inv.imply_namespace(&ns);
        }
        inv
    }

    /// The value of type `T` derived from this inventory, built by `build`
    /// the first time it is asked for. `objects` must not change afterwards.
    pub fn derived<T: Any + Send + Sync>(&self, build: impl FnOnce(&Inventory) -> T) -> Arc<T> {
        let key = TypeId::of::<T>();
        let lock = || self.derived.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(v) = lock().get(&key) {
            return Arc::clone(v).downcast().expect("keyed by type");
        }
        // Built without the lock held, so a builder may ask for other derived values.
        let built: Arc<dyn Any + Send + Sync> = Arc::new(build(self));
        Arc::clone(lock().entry(key).or_insert(built))
            .downcast()
            .expect("keyed by type")
    }

    fn imply_namespace(&mut self, name: &str) {
        if name.is_empty() {
            return;
        }
        self.namespaces
            .entry(name.to_string())
            .or_insert_with(|| NamespaceInfo {
                name: name.to_string(),
                object: None,
                labels: vec![(NAME_LABEL.to_string(), name.to_string())],
            });
    }

    /// Objects of `kind` named `name` in `namespace` (`""` for cluster-scoped).
    /// More than one means the input defines the same object twice.
    pub fn lookup(&self, kind: &str, namespace: &str, name: &str) -> &[usize] {
        self.index
            .get(&(kind.to_string(), namespace.to_string(), name.to_string()))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    pub fn get(&self, kind: &str, namespace: &str, name: &str) -> Option<&Object> {
        self.lookup(kind, namespace, name).last().map(|&i| &self.objects[i])
    }

    /// Groups of indexes that name the same kind/namespace/name.
    pub fn duplicates(&self) -> Vec<Vec<usize>> {
        let mut d: Vec<Vec<usize>> = self.index.values().filter(|v| v.len() > 1).cloned().collect();
        d.sort();
        d
    }

    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = (usize, &'a Object)> + 'a {
        self.objects.iter().enumerate().filter(move |(_, o)| o.kind == kind)
    }

    /// Pods (or pod templates) a Service's selector picks in its namespace.
    /// A Service without a selector selects nothing (its endpoints are
    /// managed by hand).
    pub fn service_targets(&self, service: &Object) -> Vec<&PodSpecView> {
        let Some(sel) = service.stored.get("spec").and_then(|s| s.field("selector")) else {
            return Vec::new();
        };
        let pairs = sel.string_map();
        if pairs.is_empty() {
            return Vec::new();
        }
        let selector = LabelSelector::from_map(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        self.pod_specs
            .iter()
            .filter(|v| {
                let o = &self.objects[v.object];
                o.effective_namespace == service.effective_namespace && selector.matches(&v.labels(o))
            })
            .collect()
    }
}
