//! Errors of the file reader.

use thiserror::Error;

/// Why a capture could not be read (further).
#[derive(Debug, Error)]
pub enum ReadError {
    /// An I/O error from the operating system.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The input is empty.
    #[error("the file is empty (0 bytes): not a pcap or pcapng file")]
    Empty,
    /// The input does not start with a known magic number.
    #[error("not a pcap or pcapng file (starts with {})", hex_prefix(.0))]
    NotCapture(Vec<u8>),
    /// The file header itself is incomplete.
    #[error("the file header is cut short ({got} of {need} bytes)")]
    HeaderCutShort {
        /// Bytes present.
        got: usize,
        /// Bytes needed.
        need: usize,
    },
    /// The input ends inside a record.
    #[error("the file appears to have been cut short in the middle of frame {frame} (byte offset {offset})")]
    CutShort {
        /// Number of the incomplete frame.
        frame: u64,
        /// Offset of its record in the (decompressed) input.
        offset: u64,
    },
    /// A record or block claims a size no sane capture has.
    #[error("the file appears to be damaged or corrupt: frame {frame} at byte offset {offset} claims {len} bytes, more than the maximum of {max}")]
    AbsurdLength {
        /// Frame number the record would have had.
        frame: u64,
        /// Offset of its record in the (decompressed) input.
        offset: u64,
        /// Claimed length.
        len: u64,
        /// The limit.
        max: u64,
    },
    /// A pcapng block whose structure is inconsistent.
    #[error("the file appears to be damaged or corrupt: {what} (block at byte offset {offset}, near frame {frame})")]
    Corrupt {
        /// What is wrong.
        what: String,
        /// Offset of the block.
        offset: u64,
        /// The next frame number.
        frame: u64,
    },
}

impl ReadError {
    /// True when frames before the error were valid and the input merely ended
    /// or went bad later (tshark prints the frames, then the message, exit 2).
    pub fn is_partial(&self) -> bool {
        matches!(self, ReadError::CutShort { .. } | ReadError::AbsurdLength { .. } | ReadError::Corrupt { .. })
    }
}

fn hex_prefix(b: &[u8]) -> String {
    b.iter().take(4).map(|x| format!("{x:02x}")).collect::<Vec<_>>().join(" ")
}
