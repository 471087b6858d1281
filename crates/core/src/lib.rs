//! Vocabulary shared by every wirecrab crate.
//!
//! Nothing here does I/O. The types describe a captured frame ([`FrameMeta`],
//! [`Timestamp`], [`LinkType`]), a bounds-checked view over its bytes ([`Buf`]),
//! the static field registry ([`FieldDef`]) and the flat, reusable tree that
//! dissectors fill ([`Tree`]).
#![warn(missing_docs)]

mod buf;
mod field;
mod frame;
mod link;
mod time;
mod tree;
mod value;

pub use buf::{Buf, BufError};
pub use field::{Base, FieldDef, FieldId, FieldType, ValueNames};
pub use frame::FrameMeta;
pub use link::LinkType;
pub use time::Timestamp;
pub use tree::{Expert, Node, Severity, Tree, Want};
pub use value::Value;
