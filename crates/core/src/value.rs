//! Field values.

use crate::Timestamp;

/// The value of one tree node. Byte and string values that lie in the frame are
/// not copied: `Bytes` and `Str` mean "the node's own byte range".
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// No value (protocol and text nodes).
    None,
    /// A boolean.
    Bool(bool),
    /// Any unsigned integer (already masked and shifted).
    U(u64),
    /// Any signed integer.
    I(i64),
    /// A float.
    F(f64),
    /// A MAC address.
    Ether([u8; 6]),
    /// An IPv4 address.
    V4([u8; 4]),
    /// An IPv6 address.
    V6([u8; 16]),
    /// The node's byte range, as bytes.
    Bytes,
    /// The node's byte range, as text.
    Str,
    /// Bytes that do not lie in the frame as they are (decoded, decompressed).
    OwnedBytes(Box<[u8]>),
    /// Text that does not lie in the frame as it is (a decompressed DNS name).
    OwnedStr(Box<str>),
    /// An absolute time.
    Time(Timestamp),
    /// A relative time in nanoseconds.
    RelTime(i64),
}

impl Value {
    /// The value as an unsigned integer, if it is one.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::U(v) => Some(v),
            Value::Bool(b) => Some(b as u64),
            Value::I(v) if v >= 0 => Some(v as u64),
            _ => None,
        }
    }
}
