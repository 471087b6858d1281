//! A bounds-checked window over frame bytes.

use thiserror::Error;

/// Why a read from a [`Buf`] failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum BufError {
    /// The bytes exist on the wire but were not captured (snaplen).
    #[error("truncated: wanted {wanted} bytes at offset {offset}, {captured} captured")]
    Truncated {
        /// Offset of the read within the frame.
        offset: usize,
        /// Bytes the read needed.
        wanted: usize,
        /// Bytes captured from that offset on.
        captured: usize,
    },
    /// The packet itself claims fewer bytes than the header needs.
    #[error("malformed: wanted {wanted} bytes at offset {offset}, packet has {reported}")]
    Malformed {
        /// Offset of the read within the frame.
        offset: usize,
        /// Bytes the read needed.
        wanted: usize,
        /// Bytes the packet reports from that offset on.
        reported: usize,
    },
}

/// A window over a frame: the captured bytes plus the length the packet claims.
///
/// Reading past the captured bytes is [`BufError::Truncated`]; reading past the
/// reported length is [`BufError::Malformed`]. Offsets passed to the accessors are
/// relative to the window; [`Buf::base`] gives the window's offset in the frame so
/// tree nodes can point at absolute byte ranges.
#[derive(Clone, Copy, Debug)]
pub struct Buf<'a> {
    data: &'a [u8],
    base: usize,
    reported: usize,
    detached: bool,
}

impl<'a> Buf<'a> {
    /// A window over a whole frame. `reported` is the on-the-wire length
    /// (at least `data.len()` is assumed if smaller).
    pub fn new(data: &'a [u8], reported: usize) -> Self {
        Buf { data, base: 0, reported: reported.max(data.len()), detached: false }
    }

    /// A window over bytes of another origin (a reassembled or decompressed buffer).
    pub fn detached(data: &'a [u8]) -> Self {
        Buf { data, base: 0, reported: data.len(), detached: true }
    }

    /// True when the bytes are not the frame's own (reassembled, decompressed):
    /// tree nodes must then copy byte values instead of pointing into the frame.
    #[inline]
    pub fn is_detached(&self) -> bool {
        self.detached
    }

    /// Captured bytes in the window.
    #[inline]
    pub fn bytes(&self) -> &'a [u8] {
        self.data
    }

    /// Number of captured bytes.
    #[inline]
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True when no byte was captured.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Bytes the packet claims from the window's start on.
    #[inline]
    pub fn reported_len(&self) -> usize {
        self.reported
    }

    /// Offset of the window's first byte within the frame.
    #[inline]
    pub fn base(&self) -> usize {
        self.base
    }

    /// True when the packet claims more bytes than were captured.
    #[inline]
    pub fn is_truncated(&self) -> bool {
        self.reported > self.data.len()
    }

    fn error(&self, offset: usize, wanted: usize) -> BufError {
        if offset.saturating_add(wanted) > self.reported {
            BufError::Malformed {
                offset: self.base + offset,
                wanted,
                reported: self.reported.saturating_sub(offset),
            }
        } else {
            BufError::Truncated {
                offset: self.base + offset,
                wanted,
                captured: self.data.len().saturating_sub(offset),
            }
        }
    }

    /// `n` bytes at `offset`, or why they are not there.
    #[inline]
    pub fn slice(&self, offset: usize, n: usize) -> Result<&'a [u8], BufError> {
        match offset.checked_add(n) {
            Some(end) if end <= self.data.len() && end <= self.reported => Ok(&self.data[offset..end]),
            _ => Err(self.error(offset, n)),
        }
    }

    /// True when `n` bytes at `offset` can be read.
    #[inline]
    pub fn has(&self, offset: usize, n: usize) -> bool {
        offset.checked_add(n).is_some_and(|e| e <= self.data.len() && e <= self.reported)
    }

    /// Byte at `offset`.
    #[inline]
    pub fn u8(&self, offset: usize) -> Result<u8, BufError> {
        self.slice(offset, 1).map(|s| s[0])
    }

    /// Big-endian u16 at `offset`.
    #[inline]
    pub fn be16(&self, offset: usize) -> Result<u16, BufError> {
        self.slice(offset, 2).map(|s| u16::from_be_bytes([s[0], s[1]]))
    }

    /// Big-endian 24-bit value at `offset`.
    #[inline]
    pub fn be24(&self, offset: usize) -> Result<u32, BufError> {
        self.slice(offset, 3).map(|s| u32::from_be_bytes([0, s[0], s[1], s[2]]))
    }

    /// Big-endian u32 at `offset`.
    #[inline]
    pub fn be32(&self, offset: usize) -> Result<u32, BufError> {
        self.slice(offset, 4).map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
    }

    /// Little-endian u16 at `offset`.
    #[inline]
    pub fn le16(&self, offset: usize) -> Result<u16, BufError> {
        self.slice(offset, 2).map(|s| u16::from_le_bytes([s[0], s[1]]))
    }

    /// Little-endian u32 at `offset`.
    #[inline]
    pub fn le32(&self, offset: usize) -> Result<u32, BufError> {
        self.slice(offset, 4).map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }

    /// A fixed-size array at `offset`.
    #[inline]
    pub fn array<const N: usize>(&self, offset: usize) -> Result<[u8; N], BufError> {
        self.slice(offset, N).map(|s| {
            let mut a = [0u8; N];
            a.copy_from_slice(s);
            a
        })
    }

    /// The window from `offset` to its end (captured and reported both shrink).
    /// An offset past the end gives an empty window rather than an error, so a
    /// dissector can hand "the rest" to the next layer without checking first.
    #[inline]
    pub fn from(&self, offset: usize) -> Buf<'a> {
        let o = offset.min(self.data.len());
        Buf {
            data: &self.data[o..],
            base: self.base + o,
            reported: self.reported.saturating_sub(offset),
            detached: self.detached,
        }
    }

    /// The window `offset..offset+len` of the packet; captured bytes are cut to
    /// what exists, reported length is `len`.
    #[inline]
    pub fn sub(&self, offset: usize, len: usize) -> Buf<'a> {
        let o = offset.min(self.data.len());
        let end = offset.saturating_add(len).min(self.data.len());
        Buf { data: &self.data[o..end], base: self.base + o, reported: len, detached: self.detached }
    }

    /// The same window with its reported length cut to `len` (an IP total
    /// length shorter than the frame, leaving Ethernet padding outside).
    #[inline]
    pub fn limit(&self, len: usize) -> Buf<'a> {
        Buf { data: &self.data[..len.min(self.data.len())], base: self.base, reported: len.min(self.reported), detached: self.detached }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncated_versus_malformed() {
        let b = Buf::new(&[1, 2, 3], 10);
        assert_eq!(b.be16(1).unwrap(), 0x0203);
        assert!(matches!(b.be32(0), Err(BufError::Truncated { .. })));
        assert!(matches!(b.slice(8, 4), Err(BufError::Malformed { .. })));
        assert!(matches!(b.slice(usize::MAX, 2), Err(BufError::Malformed { .. })));
    }

    #[test]
    fn windows_keep_absolute_offsets() {
        let b = Buf::new(&[0, 1, 2, 3, 4, 5], 6);
        let w = b.from(2).sub(1, 2);
        assert_eq!(w.base(), 3);
        assert_eq!(w.bytes(), &[3, 4]);
        assert!(b.from(100).is_empty());
    }
}
