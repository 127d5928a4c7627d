//! mamori's model: plain types shared by every engine.
//!
//! The loader (`mamori-source`) turns files into [`Node`] trees that remember
//! where every key and value was written, wraps each Kubernetes object in an
//! [`Object`] with its origin, and collects them into an [`Inventory`]. Engines
//! read objects *as they would be stored* by the API server (unknown fields
//! pruned), while findings point back at the text as written. Nothing here does
//! I/O.

pub mod effective;
pub mod inventory;
pub mod node;
pub mod object;
pub mod path;
pub mod podspec;
pub mod selector;

pub use effective::Effective;
pub use inventory::{Inventory, NamespaceInfo};
pub use node::{Entry, Node, Pos, Value};
pub use object::{is_cluster_scoped, Object, ObjectRef, Origin};
pub use path::{FieldPath, Seg};
pub use podspec::{ContainerKind, ContainerView, PodSpecView};
pub use selector::{LabelSelector, Requirement, SelectorError, SelectorOp};
