//! pcapng custom blocks (draft-ietf-opsawg-pcapng §4.8), which Wireshark lists
//! among the frames: "Custom Block: PEN = <enterprise> (<number>), will be copied".
//! The file reader delivers them with a pseudo link type; the data is the
//! 4-byte Private Enterprise Number followed by the custom data.

use std::fmt::Write;

use wirecrab_core::{Buf, FieldDef, FieldType as T, LinkType};

use crate::ctx::{Ctx, Next};
use crate::registry::Protocol;

static PCAPNG: FieldDef = FieldDef::new("pcapng", "PCAPNG", T::Protocol);
static PEN: FieldDef = FieldDef::new("pcapng.cb.pen", "Private Enterprise Number (PEN)", T::U32).names(PENS);

/// Enterprise numbers seen in test files (IANA registry).
static PENS: &[(u64, &str)] = &[(32473, "Example Enterprise Number for Documentation Use")];

/// The custom-block pseudo-protocol.
pub static PROTOCOL: Protocol = Protocol {
    field: &PCAPNG,
    short: "PCAPNG",
    leaf: true,
    fields: &[&PEN],
    dissect,
    register: |t| {
        t.link(LinkType::PCAPNG_CUSTOM.0, &PROTOCOL);
        t.link(LinkType::PCAPNG_CUSTOM_NOCOPY.0, &PROTOCOL);
    },
};

fn dissect<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>) -> Next<'a> {
    // Wireshark shows no "pcapng" layer in frame.protocols for these, only data.
    ctx.layers.pop();
    ctx.set_protocol("PCAPNG");
    let pen = buf.be32(0).unwrap_or(0);
    let copy = ctx.meta.link_type == LinkType::PCAPNG_CUSTOM;
    if let Some(i) = ctx.info_set() {
        let name = PENS.iter().find(|(k, _)| *k == pen as u64).map_or("Unknown", |(_, n)| *n);
        let _ = write!(i, "Custom Block: PEN = {name} ({pen}), will {}be copied", if copy { "" } else { "not " });
    }
    ctx.uint(&PEN, &buf, 0, 4, pen as u64);
    Next::Data(buf.from(4))
}
