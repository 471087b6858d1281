//! Capture sources for wirecrab.
//!
//! [`FileReader`] reads pcap and pcapng files (also gzip- or zstd-compressed,
//! recognised by their magic bytes) from any `Read`, in large blocks and with
//! bounded memory: a record is only ever held while it is being delivered.
#![warn(missing_docs)]

mod bpf;
mod error;
mod pcap;
mod pcapng;
mod reader;
mod writer;

pub use bpf::CaptureFilter;
pub use error::ReadError;
pub use pcapng::{Interface, Secrets};
pub use reader::{FileFormat, FileReader, Frame};
pub use writer::{CaptureWriter, OutputFormat, WriteError, WriteFrame};
