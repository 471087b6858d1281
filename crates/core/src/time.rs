//! Capture timestamps.

/// Seconds and nanoseconds since the Unix epoch (UTC). Negative seconds are
/// allowed (pcapng if_tsoffset can move times before 1970).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp {
    /// Whole seconds.
    pub secs: i64,
    /// Nanoseconds, always `0..1_000_000_000`.
    pub nanos: u32,
}

impl Timestamp {
    /// A timestamp from seconds and nanoseconds (nanoseconds are normalised).
    pub fn new(secs: i64, nanos: u64) -> Self {
        Timestamp {
            secs: secs.saturating_add((nanos / 1_000_000_000) as i64),
            nanos: (nanos % 1_000_000_000) as u32,
        }
    }

    /// Total nanoseconds (saturating).
    pub fn as_nanos(&self) -> i128 {
        self.secs as i128 * 1_000_000_000 + self.nanos as i128
    }

    /// `self - earlier` in nanoseconds.
    pub fn since(&self, earlier: Timestamp) -> i128 {
        self.as_nanos() - earlier.as_nanos()
    }
}
