//! Sinks that turn dissected frames into text: tshark's one-line summary,
//! `-T fields`, the `-V` detail tree, `-x` hex dump, `-T json` and `-T ek`.
//!
//! Every sink appends to a caller-owned `String`, so the caller decides when to
//! write (in large blocks) and how to handle a closed pipe.
#![warn(missing_docs)]

mod conv;
mod fields;
mod hexdump;
mod json;
mod summary;
mod time;
mod tree;
mod value;

pub use conv::{ConvKind, ConvReport};
pub use fields::{FieldsOptions, FieldsSink, Occurrence, Quote, COLUMN_FIELDS};
pub use hexdump::write_hex_dump;
pub use json::{json_end, write_ek, write_json, JsonState};
pub use summary::{SummarySink, TimeFormat};
pub use time::{local_to_epoch, TimeCache};
pub use tree::write_tree;
pub use value::{write_value, write_value_display};

/// Sink-independent facts about the frame being written.
pub struct FrameView<'a> {
    /// Metadata from the capture.
    pub meta: &'a wirecrab_core::FrameMeta,
    /// Captured bytes.
    pub data: &'a [u8],
    /// The dissection.
    pub d: &'a wirecrab_dissect::Dissection<'a>,
    /// Time of the first frame.
    pub first_ts: wirecrab_core::Timestamp,
    /// Time of the previous captured frame.
    pub prev_ts: wirecrab_core::Timestamp,
    /// Time of the previous displayed frame.
    pub prev_displayed_ts: wirecrab_core::Timestamp,
}
