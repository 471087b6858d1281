//! Sinks that turn dissected frames into text: tshark's one-line summary,
//! `-T fields`, the `-V` detail tree, `-x` hex dump, `-T json` and `-T ek`.
//!
//! Every sink appends to a caller-owned `String`, so the caller decides when to
//! write (in large blocks) and how to handle a closed pipe.
#![warn(missing_docs)]

mod conv;
mod expert;
mod fields;
mod follow;
mod hexdump;
mod io_stat;
mod json;
mod stats_tree;
mod summary;
mod term;
mod transactions;
mod time;
mod tree;
mod value;

pub use conv::{ConvKind, ConvReport};
pub use expert::ExpertReport;
pub use follow::{FollowMode, FollowProto, FollowReport, FollowSpec};
pub use fields::{FieldsOptions, FieldsSink, Occurrence, Quote, COLUMN_FIELDS};
pub use hexdump::write_hex_dump;
pub use io_stat::{Calc, ColumnSpec, IoStat, IoStatSpec};
pub use json::{json_end, write_ek, write_json, JsonState};
pub use stats_tree::{HttpTree, HttpTreeKind};
pub use term::stdout_width;
pub use transactions::{
    path_pattern, write_csv, write_csv_header, write_footer, write_table, Clock, RowFilter, StatusSpec, Transaction, Transactions,
};
pub use transactions::write_json as write_transaction_json;
pub use summary::{SummaryBatch, SummarySink, TimeFormat};
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

/// A `-z` report: reads every frame (before `-Y`), prints once at the end.
pub trait Report {
    /// The fields the dissection must keep for this report.
    fn wanted_fields(&self) -> Vec<&'static wirecrab_core::FieldDef>;
    /// Read one frame.
    fn frame(&mut self, v: &FrameView<'_>);
    /// Print the report; `first` is the capture's first timestamp.
    fn write(&self, out: &mut String, first: wirecrab_core::Timestamp);
}

impl Report for ConvReport {
    fn wanted_fields(&self) -> Vec<&'static wirecrab_core::FieldDef> {
        ConvReport::wanted_fields(self)
    }
    fn frame(&mut self, v: &FrameView<'_>) {
        ConvReport::frame(self, v)
    }
    fn write(&self, out: &mut String, first: wirecrab_core::Timestamp) {
        ConvReport::write(self, out, first)
    }
}

impl Report for FollowReport {
    fn wanted_fields(&self) -> Vec<&'static wirecrab_core::FieldDef> {
        FollowReport::wanted_fields(self)
    }
    fn frame(&mut self, v: &FrameView<'_>) {
        FollowReport::frame(self, v)
    }
    fn write(&self, out: &mut String, _first: wirecrab_core::Timestamp) {
        FollowReport::write(self, out)
    }
}
