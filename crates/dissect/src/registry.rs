//! The registry: every protocol and field wirecrab knows, built once.

use std::collections::HashMap;
use std::sync::OnceLock;

use wirecrab_core::{Buf, FieldDef, Want};

use crate::ctx::{Ctx, Next};
use crate::tables::Tables;

/// The signature of a protocol's dissect function.
pub type DissectFn = for<'a, 's> fn(&mut Ctx<'a, 's>, Buf<'a>) -> Next<'a>;

/// A protocol: its fields, its dissector and where it hooks into the tables.
pub struct Protocol {
    /// The protocol's own field (`FieldType::Protocol`, abbrev = filter name).
    pub field: &'static FieldDef,
    /// Name for the Protocol column (`TCP`).
    pub short: &'static str,
    /// True when nothing is dissected after this protocol (its payload holds
    /// no other protocol): a run that wants none of its fields can skip it.
    pub leaf: bool,
    /// Every field the protocol can produce.
    pub fields: &'static [&'static FieldDef],
    /// The dissector.
    pub dissect: DissectFn,
    /// Hook the protocol into dispatch tables.
    pub register: fn(&mut Tables),
}

impl std::fmt::Debug for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.field.abbrev)
    }
}

impl Protocol {
    /// The filter name (`tcp`).
    pub fn abbrev(&self) -> &'static str {
        self.field.abbrev
    }

    /// Does `want` keep any field of this protocol (or the protocol itself)?
    pub fn wanted_by(&self, want: &Want) -> bool {
        want.wants(self.field) || self.fields.iter().any(|f| want.wants(f))
    }

    /// The long name (`Transmission Control Protocol`).
    pub fn name(&self) -> &'static str {
        self.field.name
    }
}

/// All protocols and fields, with dense field ids assigned.
pub struct Registry {
    /// Protocols in registration order.
    pub protocols: Vec<&'static Protocol>,
    /// Every field, in registration order; index = id.
    pub fields: Vec<&'static FieldDef>,
    by_name: HashMap<&'static str, &'static FieldDef>,
    /// Dispatch tables.
    pub tables: Tables,
}

impl Registry {
    /// The process-wide registry (built on first use).
    pub fn get() -> &'static Registry {
        static R: OnceLock<Registry> = OnceLock::new();
        R.get_or_init(Registry::build)
    }

    fn build() -> Registry {
        let mut r = Registry {
            protocols: Vec::new(),
            fields: Vec::new(),
            by_name: HashMap::new(),
            tables: Tables::default(),
        };
        for f in crate::protocols::frame::EXTRA_FIELDS {
            r.add_field(f);
        }
        for p in crate::protocols::ALL {
            r.protocols.push(p);
            r.add_field(p.field);
            for f in p.fields {
                r.add_field(f);
            }
            (p.register)(&mut r.tables);
        }
        r
    }

    fn add_field(&mut self, f: &'static FieldDef) {
        // A field listed twice (shared between protocols) keeps its first id.
        if self.by_name.contains_key(f.abbrev) {
            return;
        }
        f.id.set(self.fields.len() as u32);
        self.fields.push(f);
        self.by_name.insert(f.abbrev, f);
    }

    /// Look a field or protocol up by its filter name.
    pub fn field(&self, abbrev: &str) -> Option<&'static FieldDef> {
        self.by_name.get(abbrev).copied()
    }

    /// The protocol with this filter name.
    pub fn protocol(&self, abbrev: &str) -> Option<&'static Protocol> {
        self.protocols.iter().copied().find(|p| p.abbrev() == abbrev)
    }

    /// Field names close to `name` (for "did you mean" messages).
    pub fn suggest(&self, name: &str) -> Option<&'static str> {
        self.fields
            .iter()
            .map(|f| (edit_distance(name, f.abbrev), f.abbrev))
            .filter(|(d, _)| *d <= 2 + name.len() / 8)
            .min()
            .map(|(_, n)| n)
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + (ca != *cb) as usize).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_prefixed_by_their_protocol() {
        let r = Registry::get();
        let mut seen = std::collections::HashSet::new();
        let mut lists: Vec<*const [&FieldDef]> = Vec::new();
        for p in &r.protocols {
            // mDNS and LLMNR produce DNS's fields: the same list, shared.
            if lists.contains(&(p.fields as *const _)) {
                continue;
            }
            lists.push(p.fields as *const _);
            for f in p.fields {
                assert!(seen.insert(f.abbrev), "field {} registered twice", f.abbrev);
                let proto = p.abbrev();
                // IPv6 owns its extension headers, which Wireshark names as
                // protocols of their own (ah, esp).
                let ext = proto == "ipv6" && (f.abbrev.starts_with("ah") || f.abbrev.starts_with("esp"));
                assert!(
                    f.abbrev.starts_with(proto) || ext,
                    "field {} does not start with its protocol {}",
                    f.abbrev,
                    proto
                );
            }
        }
    }

    #[test]
    fn masks_fit_their_type() {
        for f in &Registry::get().fields {
            if f.mask != 0 {
                let width = match f.ty {
                    wirecrab_core::FieldType::U8 => 8,
                    wirecrab_core::FieldType::U16 => 16,
                    wirecrab_core::FieldType::U24 => 24,
                    wirecrab_core::FieldType::U32 => 32,
                    _ => 64,
                };
                assert!(width == 64 || f.mask < (1u64 << width), "mask of {} exceeds its width", f.abbrev);
            }
        }
    }

    #[test]
    fn suggestions() {
        assert_eq!(Registry::get().suggest("tcp.prot"), Some("tcp.port"));
    }
}
