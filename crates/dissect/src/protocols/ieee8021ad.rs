//! IEEE 802.1ad provider bridging (Q-in-Q) service tag, EtherType 0x88a8.
//! The tag has the same layout as 802.1Q's (see `vlan.rs`).

use wirecrab_core::{Base, Buf, FieldDef, FieldType as T};

use crate::ctx::{Ctx, Next};
use crate::registry::Protocol;

static AD: FieldDef = FieldDef::new("ieee8021ad", "IEEE 802.1ad", T::Protocol);
static PRIORITY: FieldDef = FieldDef::new("ieee8021ad.priority", "Priority", T::U16).mask(0xe000);
static DEI: FieldDef = FieldDef::new("ieee8021ad.dei", "DEI", T::U16).mask(0x1000);
static ID: FieldDef = FieldDef::new("ieee8021ad.id", "ID", T::U16).mask(0x0fff);
static ETYPE: FieldDef = FieldDef::new("ieee8021ad.etype", "Type", T::U16).base(Base::Hex).names(super::eth::ETHERTYPES);

/// The 802.1ad protocol.
pub static PROTOCOL: Protocol = Protocol {
    field: &AD,
    short: "IEEE 802.1ad",
    leaf: false,
    fields: &[&PRIORITY, &DEI, &ID, &ETYPE],
    dissect,
    register: |t| t.ethertype(0x88a8, &PROTOCOL),
};

fn dissect<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>) -> Next<'a> {
    ctx.set_protocol("IEEE 802.1ad");
    let idx = ctx.open(&AD, &buf, 4);
    let (tci, ty) = match super::vlan::tag(&buf) {
        Ok(v) => v,
        Err(e) => {
            ctx.close();
            ctx.malformed("ieee8021ad", e);
            return Next::Done;
        }
    };
    let (pri, dei, id) = (tci >> 13, (tci >> 12) & 1, tci & 0x0fff);
    if let Some(i) = ctx.info_set() {
        use std::fmt::Write;
        let _ = write!(i, "PRI: {pri}  DEI: {dei}  ID: {id}");
    }
    ctx.label(idx, |s| s.push_str(&format!("IEEE 802.1ad, ID: {id}")));
    ctx.uint(&PRIORITY, &buf, 0, 2, pri as u64);
    ctx.uint(&DEI, &buf, 0, 2, dei as u64);
    ctx.uint(&ID, &buf, 0, 2, id as u64);
    ctx.uint(&ETYPE, &buf, 2, 2, ty as u64);
    ctx.close();
    Next::Ethertype(ty, buf.from(4))
}
