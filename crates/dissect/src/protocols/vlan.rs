//! IEEE 802.1Q VLAN tag (EtherType 0x8100; also 0x9100 as some switches use it).
//!
//! ```text
//! +-----+---+--------------+-----------------+
//! | PCP |DEI|   VLAN ID    | EtherType/len   |
//! |  3  | 1 |     12       |      16         |
//! +-----+---+--------------+-----------------+
//! ```

use wirecrab_core::{Base, Buf, FieldDef, FieldType as T};

use crate::ctx::{Ctx, Next};
use crate::registry::Protocol;

static VLAN: FieldDef = FieldDef::new("vlan", "802.1Q Virtual LAN", T::Protocol);
static PRIORITY: FieldDef = FieldDef::new("vlan.priority", "Priority", T::U16).mask(0xe000);
static DEI: FieldDef = FieldDef::new("vlan.dei", "DEI", T::Bool).mask(0x1000).width(16);
static ID: FieldDef = FieldDef::new("vlan.id", "ID", T::U16).mask(0x0fff);
static ETYPE: FieldDef = FieldDef::new("vlan.etype", "Type", T::U16).base(Base::Hex).names(super::eth::ETHERTYPES);
static LEN: FieldDef = FieldDef::new("vlan.len", "Length", T::U16);
/// Bytes after the payload of a tagged frame (see `eth::padding_and_trailer`).
pub static TRAILER: FieldDef = FieldDef::new("vlan.trailer", "Trailer", T::Bytes);

/// The 802.1Q protocol.
pub static PROTOCOL: Protocol = Protocol {
    field: &VLAN,
    short: "802.1Q",
    leaf: false,
    fields: &[&PRIORITY, &DEI, &ID, &ETYPE, &LEN, &TRAILER],
    dissect,
    register: |t| {
        t.ethertype(0x8100, &PROTOCOL);
        t.ethertype(0x9100, &PROTOCOL);
    },
};

/// Parse a 4-byte tag: `(tci, ethertype)`.
pub fn tag(buf: &Buf<'_>) -> Result<(u16, u16), wirecrab_core::BufError> {
    Ok((buf.be16(0)?, buf.be16(2)?))
}

fn dissect<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>) -> Next<'a> {
    ctx.set_protocol("802.1Q");
    let idx = ctx.open(&VLAN, &buf, 4);
    let (tci, ty) = match tag(&buf) {
        Ok(v) => v,
        Err(e) => {
            ctx.close();
            ctx.malformed("vlan", e);
            return Next::Done;
        }
    };
    let (pri, dei, id) = (tci >> 13, tci & 0x1000 != 0, tci & 0x0fff);
    if let Some(i) = ctx.info_set() {
        use std::fmt::Write;
        let _ = write!(i, "PRI: {pri}  DEI: {}  ID: {id}", dei as u8);
    }
    ctx.label(idx, |s| s.push_str(&format!("802.1Q Virtual LAN, PRI: {pri}, DEI: {}, ID: {id}", dei as u8)));
    ctx.uint(&PRIORITY, &buf, 0, 2, pri as u64);
    ctx.flag(&DEI, &buf, 0, 2, dei);
    ctx.uint(&ID, &buf, 0, 2, id as u64);
    let payload = buf.from(4);
    if ty <= 1500 {
        ctx.uint(&LEN, &buf, 2, 2, ty as u64);
        ctx.close();
        return Next::Data(payload);
    }
    ctx.uint(&ETYPE, &buf, 2, 2, ty as u64);
    ctx.close();
    Next::Ethertype(ty, payload)
}
