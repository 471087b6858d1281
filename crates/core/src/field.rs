//! The static field registry vocabulary.
//!
//! Every field a dissector can produce is a `static FieldDef` whose filter name
//! (`abbrev`) is Wireshark's where Wireshark has the field: these names are public
//! API. Identity is by address; [`FieldId`] is a dense index assigned once when the
//! registry is built, so "is this field wanted?" is one load and one bit test.

use std::sync::atomic::{AtomicU32, Ordering};

/// The type of a field's value, named as Wireshark names it (`FT_UINT16`...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// A protocol: the node that holds the protocol's fields.
    Protocol,
    /// A text-only item with no value.
    None,
    /// A boolean (often a flag bit under a mask).
    Bool,
    /// Unsigned 8-bit integer.
    U8,
    /// Unsigned 16-bit integer.
    U16,
    /// Unsigned 24-bit integer.
    U24,
    /// Unsigned 32-bit integer.
    U32,
    /// Unsigned 64-bit integer.
    U64,
    /// Signed 32-bit integer.
    I32,
    /// Signed 64-bit integer.
    I64,
    /// A double-precision float.
    Double,
    /// A 6-byte MAC address.
    Ether,
    /// An IPv4 address.
    Ipv4,
    /// An IPv6 address.
    Ipv6,
    /// A byte sequence.
    Bytes,
    /// A character string.
    String,
    /// An absolute time.
    AbsTime,
    /// A relative time (seconds with nanoseconds).
    RelTime,
    /// A reference to another frame by number.
    FrameNum,
}

impl FieldType {
    /// Wireshark's name for the type, as `tshark -G fields` prints it.
    pub fn wireshark_name(self) -> &'static str {
        match self {
            FieldType::Protocol => "FT_PROTOCOL",
            FieldType::None => "FT_NONE",
            FieldType::Bool => "FT_BOOLEAN",
            FieldType::U8 => "FT_UINT8",
            FieldType::U16 => "FT_UINT16",
            FieldType::U24 => "FT_UINT24",
            FieldType::U32 => "FT_UINT32",
            FieldType::U64 => "FT_UINT64",
            FieldType::I32 => "FT_INT32",
            FieldType::I64 => "FT_INT64",
            FieldType::Double => "FT_DOUBLE",
            FieldType::Ether => "FT_ETHER",
            FieldType::Ipv4 => "FT_IPv4",
            FieldType::Ipv6 => "FT_IPv6",
            FieldType::Bytes => "FT_BYTES",
            FieldType::String => "FT_STRING",
            FieldType::AbsTime => "FT_ABSOLUTE_TIME",
            FieldType::RelTime => "FT_RELATIVE_TIME",
            FieldType::FrameNum => "FT_FRAMENUM",
        }
    }

    /// Width in hex digits used when the field is shown in hexadecimal.
    pub fn hex_width(self) -> usize {
        match self {
            FieldType::U8 => 2,
            FieldType::U16 => 4,
            FieldType::U24 => 6,
            FieldType::U32 | FieldType::I32 => 8,
            _ => 16,
        }
    }

    /// True for the integer types.
    pub fn is_integer(self) -> bool {
        matches!(
            self,
            FieldType::U8
                | FieldType::U16
                | FieldType::U24
                | FieldType::U32
                | FieldType::U64
                | FieldType::I32
                | FieldType::I64
                | FieldType::FrameNum
        )
    }
}

/// How an integer is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// Not applicable (strings, addresses...).
    None,
    /// Decimal.
    Dec,
    /// Hexadecimal, zero-padded to the type's width.
    Hex,
    /// Decimal, with hexadecimal in parentheses in the tree.
    DecHex,
    /// Hexadecimal, with decimal in parentheses in the tree.
    HexDec,
    /// Octal.
    Oct,
    /// A port number (decimal).
    Port,
}

impl Base {
    /// Wireshark's name for the base, as `tshark -G fields` prints it.
    pub fn wireshark_name(self) -> &'static str {
        match self {
            Base::None => "BASE_NONE",
            Base::Dec => "BASE_DEC",
            Base::Hex => "BASE_HEX",
            Base::DecHex => "BASE_DEC_HEX",
            Base::HexDec => "BASE_HEX_DEC",
            Base::Oct => "BASE_OCT",
            Base::Port => "BASE_PT_TCP",
        }
    }
}

/// Names for a field's values.
#[derive(Debug, Clone, Copy)]
pub enum ValueNames {
    /// No names.
    None,
    /// Exact values.
    Table(&'static [(u64, &'static str)]),
    /// Booleans: the text for true and for false.
    TrueFalse(&'static str, &'static str),
}

impl ValueNames {
    /// The name of `v`, if there is one.
    pub fn lookup(&self, v: u64) -> Option<&'static str> {
        match self {
            ValueNames::None => None,
            ValueNames::Table(t) => t.iter().find(|(k, _)| *k == v).map(|(_, s)| *s),
            ValueNames::TrueFalse(t, f) => Some(if v != 0 { t } else { f }),
        }
    }
}

/// Dense index of a registered field. Unregistered fields report `u32::MAX`.
#[derive(Debug)]
pub struct FieldId(AtomicU32);

impl FieldId {
    const UNSET: u32 = u32::MAX;

    /// A fresh, unassigned id (for static initialisers).
    pub const fn new() -> Self {
        FieldId(AtomicU32::new(Self::UNSET))
    }

    /// The index, or `u32::MAX` before registration.
    #[inline]
    pub fn get(&self) -> u32 {
        // Relaxed is enough: ids are written once, before any dissector runs,
        // and the thread spawn that follows is a synchronisation point.
        self.0.load(Ordering::Relaxed)
    }

    /// Assign the index (done once by the registry).
    pub fn set(&self, id: u32) {
        self.0.store(id, Ordering::Relaxed)
    }
}

impl Default for FieldId {
    fn default() -> Self {
        Self::new()
    }
}

/// One field of the registry. Declare each as a `static` beside its dissector.
#[derive(Debug)]
pub struct FieldDef {
    /// The filter name, e.g. `ip.src` (Wireshark's where Wireshark has the field).
    pub abbrev: &'static str,
    /// The human name shown in the detail tree, e.g. `Source Address`.
    pub name: &'static str,
    /// Value type.
    pub ty: FieldType,
    /// How integers are shown.
    pub base: Base,
    /// Bit mask within the containing integer (0 = whole value).
    pub mask: u64,
    /// Value names.
    pub names: ValueNames,
    /// Width in bits of the integer a masked boolean lives in (Wireshark's
    /// FT_BOOLEAN "display" width); 0 = derive from the mask.
    pub bits: u8,
    /// Shown in brackets in the tree: computed by the dissector, not on the wire.
    pub generated: bool,
    /// Not shown in the tree or JSON, only in fields and filters (`ip.addr`).
    pub hidden: bool,
    /// Dense id assigned by the registry.
    pub id: FieldId,
}

impl FieldDef {
    /// A field with no base, mask or names.
    pub const fn new(abbrev: &'static str, name: &'static str, ty: FieldType) -> Self {
        let base = match ty {
            FieldType::U8
            | FieldType::U16
            | FieldType::U24
            | FieldType::U32
            | FieldType::U64
            | FieldType::I32
            | FieldType::I64 => Base::Dec,
            _ => Base::None,
        };
        FieldDef { abbrev, name, ty, base, mask: 0, names: ValueNames::None, bits: 0, generated: false, hidden: false, id: FieldId::new() }
    }

    /// The same field shown in `base`.
    pub const fn base(mut self, base: Base) -> Self {
        self.base = base;
        self
    }

    /// The same field under a bit mask.
    pub const fn mask(mut self, mask: u64) -> Self {
        self.mask = mask;
        self
    }

    /// A masked boolean inside an integer of `bits` bits.
    pub const fn width(mut self, bits: u8) -> Self {
        self.bits = bits;
        self
    }

    /// Mark the field as generated (shown in brackets in the tree).
    pub const fn generated(mut self) -> Self {
        self.generated = true;
        self
    }

    /// Mark the field as hidden (fields and filters only).
    pub const fn hidden(mut self) -> Self {
        self.hidden = true;
        self
    }

    /// The same field with value names.
    pub const fn names(mut self, names: &'static [(u64, &'static str)]) -> Self {
        self.names = ValueNames::Table(names);
        self
    }

    /// A boolean field with custom true/false texts.
    pub const fn tf(mut self, t: &'static str, f: &'static str) -> Self {
        self.names = ValueNames::TrueFalse(t, f);
        self
    }

    /// The registry index of this field.
    #[inline]
    pub fn id(&self) -> u32 {
        self.id.get()
    }

    /// The protocol part of the name (`ip` for `ip.src`).
    pub fn protocol(&self) -> &'static str {
        self.abbrev.split('.').next().unwrap_or(self.abbrev)
    }
}
