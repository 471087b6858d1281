//! Type-check a parsed filter against a field schema and compile it to
//! closures over a dissected frame.
//!
//! Words become fields when the schema knows them and literals otherwise,
//! read as the other side's field type wants (as Wireshark does). Errors
//! carry the span of the offending text and say what was expected.
//! Comparisons of a plain field with a literal (the common case) walk the
//! frame's nodes once without allocating; everything else goes through
//! value lists.

use std::cmp::Ordering;

use wirecrab_core::{FieldDef, FieldType, Node, Tree, Value};

use crate::ast::{ArithOp, CmpOp, Expr, ExprKind, LayerSel, SetItem, Slice, Span};
use crate::literal::{self, Lit};
use crate::parser::{parse, ParseError};

/// What the type checker needs to know about fields.
pub trait Schema {
    /// The field (or protocol) with this filter name.
    fn field(&self, name: &str) -> Option<&'static FieldDef>;
    /// The closest known name, for "did you mean".
    fn suggest(&self, name: &str) -> Option<&'static str>;
    /// Seconds since the epoch of a wall-clock time in the local time zone,
    /// for time literals without a zone (Wireshark reads them as local
    /// time). The default treats the local zone as UTC; the CLI asks the
    /// system (TZ).
    fn local_time(&self, t: &literal::WrittenTime) -> Option<i64> {
        Some(t.epoch_secs(0))
    }
}

/// A compiled display filter.
pub struct Filter {
    test: Test,
    fields: Vec<&'static FieldDef>,
    source: String,
}

type Test = Box<dyn Fn(&Frame<'_>) -> bool + Send + Sync>;
type Values = Box<dyn Fn(&Frame<'_>) -> Vec<Val> + Send + Sync>;

/// A dissected frame as the filter sees it.
pub struct Frame<'a> {
    /// The tree (holding at least the fields of [`Filter::fields`]).
    pub tree: &'a Tree,
    /// The frame bytes (for byte-valued nodes and slices).
    pub data: &'a [u8],
}

/// A value during evaluation.
#[derive(Debug, Clone)]
pub enum Val {
    /// Integers, booleans, frame numbers, absolute and relative times in ns.
    Int(i128),
    /// Floats.
    Float(f64),
    /// Bytes and strings.
    Bytes(Vec<u8>),
    /// IPv4.
    V4(u32),
    /// IPv6.
    V6(u128),
}

impl Filter {
    /// Parse and compile `src` against `schema`.
    pub fn new(src: &str, schema: &dyn Schema) -> Result<Filter, ParseError> {
        let ast = parse(src)?;
        let mut c = Compiler { schema, fields: Vec::new() };
        let test = c.test(&ast)?;
        Ok(Filter { test, fields: c.fields, source: src.to_string() })
    }

    /// True when the frame matches.
    pub fn matches(&self, f: &Frame<'_>) -> bool {
        (self.test)(f)
    }

    /// Every field the filter reads: the dissection must keep these.
    pub fn fields(&self) -> &[&'static FieldDef] {
        &self.fields
    }

    /// The filter's text.
    pub fn source(&self) -> &str {
        &self.source
    }
}

struct Compiler<'s> {
    schema: &'s dyn Schema,
    fields: Vec<&'static FieldDef>,
}

/// A field as written: which layers (`#2`), which bytes (`[0:3]`, `@`).
#[derive(Clone)]
struct FieldRef {
    f: &'static FieldDef,
    /// The protocol whose occurrences `#n` counts.
    proto: Option<&'static FieldDef>,
    layer: Option<LayerSel>,
    slice: Option<Slice>,
    raw: bool,
}

impl FieldRef {
    /// The type its values have: slices, raw bytes and protocols are bytes.
    fn ty(&self) -> FieldType {
        if self.slice.is_some() || self.raw || self.f.ty == FieldType::Protocol {
            FieldType::Bytes
        } else {
            self.f.ty
        }
    }

    /// No layer, slice or raw form: eligible for the allocation-free path.
    fn plain(&self) -> bool {
        self.layer.is_none() && self.slice.is_none() && !self.raw
    }
}

/// An operand before evaluation: a field, a literal awaiting a type, or a
/// computed value (function, arithmetic).
enum Operand {
    Field(FieldRef, Span),
    Word(String, Span),
    Str(Vec<u8>, Span),
    Computed(Values, FieldType, Span),
}

/// One side of a comparison once it is known to be a field or computed.
struct Side {
    vals: Values,
    ty: FieldType,
    field: Option<FieldRef>,
    span: Span,
}

/// Which values of a multi-valued field must satisfy a relation.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quant {
    Any,
    All,
}

fn err(msg: impl Into<String>, span: Span) -> ParseError {
    ParseError { message: msg.into(), span }
}

fn looks_like_field(w: &str) -> bool {
    w.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && w.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        && literal::bytes(w).is_none()
}

/// Byte-string types (compared by length first, as Wireshark orders them).
fn is_bytes(ty: FieldType) -> bool {
    matches!(ty, FieldType::Bytes | FieldType::Protocol | FieldType::None | FieldType::Ether)
}

fn is_numeric(ty: FieldType) -> bool {
    ty.is_integer() || matches!(ty, FieldType::Bool | FieldType::Double | FieldType::RelTime)
}

/// Which types a slice may be taken of (Wireshark 4.0: not integers or times).
fn sliceable(ty: FieldType) -> bool {
    matches!(
        ty,
        FieldType::Bytes | FieldType::Protocol | FieldType::None | FieldType::Ether | FieldType::String | FieldType::Ipv4 | FieldType::Ipv6
    )
}

/// Can values of these two types be compared with each other?
fn comparable(a: FieldType, b: FieldType) -> bool {
    let int = |t: FieldType| t.is_integer() || t == FieldType::Bool;
    a == b || (int(a) && int(b)) || (is_bytes(a) && is_bytes(b)) || (is_numeric(a) && is_numeric(b) && a != FieldType::RelTime && b != FieldType::RelTime)
}

/// The bytes a node covers. A protocol's value runs to the end of the data
/// (Wireshark's protocol value is its whole buffer), so `tcp contains "GET"`
/// sees the payload.
fn node_bytes<'a>(n: &'a Node, data: &'a [u8]) -> &'a [u8] {
    let s = (n.start as usize).min(data.len());
    let e = if n.field.ty == FieldType::Protocol { data.len() } else { (n.start as usize + n.len as usize).min(data.len()) };
    &data[s..e.max(s)]
}

/// A node's value, borrowed: what the fast path compares without allocating.
enum View<'a> {
    Int(i128),
    Float(f64),
    Bytes(&'a [u8]),
    V4(u32),
    V6(u128),
}

fn view<'a>(n: &'a Node, data: &'a [u8]) -> View<'a> {
    match &n.value {
        Value::U(v) => View::Int(*v as i128),
        Value::I(v) => View::Int(*v as i128),
        Value::Bool(b) => View::Int(*b as i128),
        Value::F(x) => View::Float(*x),
        Value::Ether(m) => View::Bytes(m),
        Value::V4(a) => View::V4(u32::from_be_bytes(*a)),
        Value::V6(a) => View::V6(u128::from_be_bytes(*a)),
        Value::Bytes | Value::Str | Value::None => View::Bytes(node_bytes(n, data)),
        Value::OwnedBytes(b) => View::Bytes(b),
        Value::OwnedStr(s) => View::Bytes(s.as_bytes()),
        Value::Time(t) => View::Int(t.as_nanos()),
        Value::RelTime(ns) => View::Int(*ns as i128),
    }
}

fn to_val(v: View<'_>) -> Val {
    match v {
        View::Int(i) => Val::Int(i),
        View::Float(x) => Val::Float(x),
        View::Bytes(b) => Val::Bytes(b.to_vec()),
        View::V4(a) => Val::V4(a),
        View::V6(a) => Val::V6(a),
    }
}

fn as_view(v: &Val) -> View<'_> {
    match v {
        Val::Int(i) => View::Int(*i),
        Val::Float(x) => View::Float(*x),
        Val::Bytes(b) => View::Bytes(b),
        Val::V4(a) => View::V4(*a),
        Val::V6(a) => View::V6(*a),
    }
}

fn lit_view(l: &Lit) -> View<'_> {
    match l {
        Lit::Int(v) => View::Int(*v),
        Lit::Float(x) => View::Float(*x),
        Lit::Bytes(b) => View::Bytes(b),
        Lit::V4(a, _) => View::V4(*a),
        Lit::V6(a, _) => View::V6(*a),
    }
}

/// The bytes a node stands for in slices and `@field`: owned values their
/// own bytes, everything else the frame bytes it covers.
fn raw_bytes<'a>(n: &'a Node, data: &'a [u8]) -> &'a [u8] {
    match &n.value {
        Value::OwnedBytes(b) => b,
        Value::OwnedStr(s) => s.as_bytes(),
        _ => node_bytes(n, data),
    }
}

/// Wireshark 4.0's slice of a value's bytes. A range running past the end
/// of a byte string is cut short there (`tcp.payload[0:4]` of a 1-byte
/// payload is that byte); of a text string it gives no value.
fn apply_slice(b: &[u8], s: &Slice, text: bool) -> Option<Vec<u8>> {
    if let Slice::Concat(parts) = s {
        let mut out = Vec::new();
        for p in parts {
            out.extend(apply_slice(b, p, text)?);
        }
        return Some(out);
    }
    let n = b.len() as i64;
    let at = |i: i64| if i < 0 { n + i } else { i };
    let (start, end) = match *s {
        Slice::Index(i) => (at(i), at(i) + 1),
        Slice::StartEnd(a, e) => (at(a), at(e) + 1),
        Slice::StartLen(a, l) => {
            let a = at(a.unwrap_or(0));
            (a, l.map_or(n, |l| a.saturating_add(l)))
        }
        Slice::Concat(_) => unreachable!("handled above"),
    };
    let end = if text { end } else { end.min(n) };
    if start < 0 || end > n || start >= end {
        return None;
    }
    Some(b[start as usize..end as usize].to_vec())
}

/// Call `each` with every node `r` selects: all occurrences, or those in
/// the protocol layers `#n` / `#[a-b]` names (counted by the protocol's own
/// nodes: in VXLAN, `ip.src#2` is the inner header's source).
fn visit<'t>(r: &FieldRef, tree: &'t Tree, mut each: impl FnMut(&'t Node)) {
    let nodes = tree.nodes();
    let Some(sel) = r.layer else {
        for n in nodes.iter().filter(|n| std::ptr::eq(n.field, r.f)) {
            each(n);
        }
        return;
    };
    let (lo, hi) = match sel {
        LayerSel::One(k) => (k, k),
        LayerSel::Range(a, b) => (a, b),
    };
    let mut layer = 0i64;
    for n in nodes {
        match r.proto {
            Some(p) if std::ptr::eq(n.field, p) => layer += 1,
            None if std::ptr::eq(n.field, r.f) => layer += 1,
            _ => {}
        }
        if std::ptr::eq(n.field, r.f) && (lo..=hi).contains(&layer) {
            each(n);
        }
    }
}

fn field_values(r: FieldRef) -> Values {
    Box::new(move |fr: &Frame<'_>| {
        let mut out = Vec::new();
        visit(&r, fr.tree, |n| match (&r.slice, r.raw) {
            (Some(s), _) => out.extend(apply_slice(raw_bytes(n, fr.data), s, r.f.ty == FieldType::String).map(Val::Bytes)),
            (None, true) => out.push(Val::Bytes(raw_bytes(n, fr.data).to_vec())),
            (None, false) => out.push(to_val(view(n, fr.data))),
        });
        out
    })
}

fn cmp_views(a: &View<'_>, b: &View<'_>, len_first: bool) -> Option<Ordering> {
    match (a, b) {
        (View::Int(x), View::Int(y)) => Some(x.cmp(y)),
        (View::Float(x), View::Float(y)) => x.partial_cmp(y),
        (View::Int(x), View::Float(y)) => (*x as f64).partial_cmp(y),
        (View::Float(x), View::Int(y)) => x.partial_cmp(&(*y as f64)),
        (View::Bytes(x), View::Bytes(y)) if len_first => Some(x.len().cmp(&y.len()).then_with(|| x.cmp(y))),
        (View::Bytes(x), View::Bytes(y)) => Some(x.cmp(y)),
        (View::V4(x), View::V4(y)) => Some(x.cmp(y)),
        (View::V6(x), View::V6(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// Equality with a literal: addresses with a prefix compare as networks.
fn eq_lit(v: &View<'_>, l: &Lit) -> bool {
    match (v, l) {
        (View::V4(a), Lit::V4(n, p)) => {
            let mask = if *p == 0 { 0 } else { u32::MAX << (32 - *p as u32) };
            a & mask == n & mask
        }
        (View::V6(a), Lit::V6(n, p)) => {
            let mask = if *p == 0 { 0 } else { u128::MAX << (128 - *p as u32) };
            a & mask == n & mask
        }
        _ => cmp_views(v, &lit_view(l), false) == Some(Ordering::Equal),
    }
}

/// Does `v` stand in relation `op` to the literal? (`op` is one of
/// ==, !=, <, >, <=, >= here; quantifiers are applied by the caller.)
fn holds_lit(op: CmpOp, v: &View<'_>, l: &Lit, len_first: bool) -> bool {
    match op {
        CmpOp::Eq => eq_lit(v, l),
        CmpOp::Ne => !eq_lit(v, l),
        _ => cmp_holds(op, cmp_views(v, &lit_view(l), len_first)),
    }
}

/// Split an operator into the relation tested on each value and how many
/// values must pass: Wireshark's `==` is any, `!=` all (`all_ne`), `===`
/// all, `!==` any; an explicit `any`/`all` prefix overrides.
fn relation(op: CmpOp, quant: Option<Quant>) -> (CmpOp, Quant) {
    let (base, default) = match op {
        CmpOp::Eq => (CmpOp::Eq, Quant::Any),
        CmpOp::Ne => (CmpOp::Ne, Quant::All),
        CmpOp::AllEq => (CmpOp::Eq, Quant::All),
        CmpOp::AnyNe => (CmpOp::Ne, Quant::Any),
        o => (o, Quant::Any),
    };
    (base, quant.unwrap_or(default))
}

/// Quantify over an iterator of outcomes: `all` needs at least one value.
fn quantify(q: Quant, it: impl Iterator<Item = bool>) -> bool {
    match q {
        Quant::Any => {
            for b in it {
                if b {
                    return true;
                }
            }
            false
        }
        Quant::All => {
            let mut seen = false;
            for b in it {
                if !b {
                    return false;
                }
                seen = true;
            }
            seen
        }
    }
}

fn truthy(v: &Val) -> bool {
    match v {
        Val::Int(x) => *x != 0,
        Val::Float(x) => *x != 0.0,
        // A masked byte string is true when some bit survived.
        Val::Bytes(b) => b.iter().any(|c| *c != 0),
        Val::V4(a) => *a != 0,
        Val::V6(a) => *a != 0,
    }
}

/// A value as text, the way `string()` shows its field type.
fn val_text(v: &Val, ty: FieldType) -> Vec<u8> {
    match v {
        Val::Int(i) if ty == FieldType::RelTime => {
            let (s, ns) = (i / 1_000_000_000, (i % 1_000_000_000).abs());
            let sign = if *i < 0 && s == 0 { "-" } else { "" };
            format!("{sign}{s}.{ns:09}").into_bytes()
        }
        Val::Int(i) => i.to_string().into_bytes(),
        Val::Float(f) => f.to_string().into_bytes(),
        Val::V4(a) => std::net::Ipv4Addr::from(*a).to_string().into_bytes(),
        Val::V6(a) => std::net::Ipv6Addr::from(*a).to_string().into_bytes(),
        Val::Bytes(b) => {
            let sep = if ty == FieldType::Ether { ":" } else { "" };
            b.iter().map(|c| format!("{c:02x}")).collect::<Vec<_>>().join(sep).into_bytes()
        }
    }
}

impl Compiler<'_> {
    fn use_field(&mut self, f: &'static FieldDef) {
        if !self.fields.iter().any(|g| std::ptr::eq(*g, f)) {
            self.fields.push(f);
        }
    }

    fn unknown(&self, w: &str, span: Span) -> ParseError {
        let hint = self.schema.suggest(w).map(|s| format!(" — did you mean '{s}'?")).unwrap_or_default();
        err(format!("unknown field '{w}'{hint}"), span)
    }

    /// The protocol a field belongs to (the part of its name before the
    /// first dot), which `#n` counts.
    fn protocol_of(&self, f: &'static FieldDef) -> Option<&'static FieldDef> {
        if f.ty == FieldType::Protocol {
            return Some(f);
        }
        let name = f.abbrev.split('.').next()?;
        self.schema.field(name).filter(|p| p.ty == FieldType::Protocol)
    }

    /// Register what evaluating `r` reads, and return its values.
    fn values_of(&mut self, r: &FieldRef) -> Values {
        self.use_field(r.f);
        if r.layer.is_some() {
            if let Some(p) = r.proto {
                self.use_field(p);
            }
        }
        field_values(r.clone())
    }

    /// A boolean test.
    fn test(&mut self, e: &Expr) -> Result<Test, ParseError> {
        Ok(match &e.kind {
            // Tests have no side effects, so `and`/`or` may run the cheaper
            // side first: `dns.qry.name matches "..." && udp.port == 53` tests
            // the port before running the regex.
            ExprKind::And(x, y) => {
                let (a, b) = (self.test(x)?, self.test(y)?);
                let (a, b) = if cost(y) < cost(x) { (b, a) } else { (a, b) };
                Box::new(move |f| a(f) && b(f))
            }
            ExprKind::Or(x, y) => {
                let (a, b) = (self.test(x)?, self.test(y)?);
                let (a, b) = if cost(y) < cost(x) { (b, a) } else { (a, b) };
                Box::new(move |f| a(f) || b(f))
            }
            ExprKind::Xor(a, b) => {
                let (a, b) = (self.test(a)?, self.test(b)?);
                Box::new(move |f| a(f) != b(f))
            }
            ExprKind::Not(a) => {
                let a = self.test(a)?;
                Box::new(move |f| !a(f))
            }
            ExprKind::Cmp(op, a, b) => self.compare(*op, a, b, e.span, None)?,
            ExprKind::In(a, items, neg) => self.membership(a, items, *neg, None)?,
            ExprKind::Quant(all, inner) => {
                let q = Some(if *all { Quant::All } else { Quant::Any });
                match &inner.kind {
                    ExprKind::Cmp(op, a, b) => self.compare(*op, a, b, inner.span, q)?,
                    ExprKind::In(a, items, neg) => self.membership(a, items, *neg, q)?,
                    _ => return Err(err("'any' and 'all' apply to a comparison or an 'in' test", e.span)),
                }
            }
            _ => {
                // A bare field or protocol: does it exist? Anything else: is it non-zero?
                match self.operand(e)? {
                    Operand::Field(r, _) => {
                        let vals = self.values_of(&r);
                        Box::new(move |fr| !vals(fr).is_empty())
                    }
                    Operand::Computed(vals, _, _) => Box::new(move |fr| vals(fr).iter().any(truthy)),
                    Operand::Word(w, span) => {
                        return Err(if looks_like_field(&w) {
                            self.unknown(&w, span)
                        } else {
                            err(format!("'{w}' is a value, not a test: compare it with a field"), span)
                        })
                    }
                    Operand::Str(_, span) => return Err(err("a string is not a test: compare it with a field", span)),
                }
            }
        })
    }

    fn operand(&mut self, e: &Expr) -> Result<Operand, ParseError> {
        let field = |c: &Self, f: &'static FieldDef, raw: bool| FieldRef { f, proto: c.protocol_of(f), layer: None, slice: None, raw };
        Ok(match &e.kind {
            ExprKind::Word(w) => match self.schema.field(w) {
                Some(f) => Operand::Field(field(self, f, false), e.span),
                None => Operand::Word(w.clone(), e.span),
            },
            ExprKind::Str(s) => Operand::Str(s.clone(), e.span),
            ExprKind::Raw(w) => match self.schema.field(w) {
                Some(f) => Operand::Field(field(self, f, true), e.span),
                None => return Err(self.unknown(w, e.span)),
            },
            ExprKind::Slice(inner, s) => match self.operand(inner)? {
                Operand::Field(r, _) if !r.raw && !sliceable(r.f.ty) => {
                    return Err(err(
                        format!(
                            "'{}' is {} ({}): only bytes, strings, addresses and protocols can be sliced (use @{} for its raw bytes)",
                            r.f.abbrev,
                            literal::expected(r.f.ty).split(" such").next().unwrap_or("a value"),
                            r.f.ty.wireshark_name(),
                            r.f.abbrev
                        ),
                        e.span,
                    ))
                }
                Operand::Field(r, _) => Operand::Field(FieldRef { slice: Some(s.clone()), ..r }, e.span),
                Operand::Word(w, span) if looks_like_field(&w) => return Err(self.unknown(&w, span)),
                _ => return Err(err("only a field can be sliced", e.span)),
            },
            ExprKind::Layer(inner, sel) => match self.operand(inner)? {
                Operand::Field(r, _) => Operand::Field(FieldRef { layer: Some(*sel), ..r }, e.span),
                Operand::Word(w, span) if looks_like_field(&w) => return Err(self.unknown(&w, span)),
                _ => return Err(err("the layer operator '#' applies to fields", e.span)),
            },
            ExprKind::Call(name, args) => self.call(name, args, e.span)?,
            // A negative literal stays a literal, read for the other side's type.
            ExprKind::Neg(inner) if matches!(&inner.kind, ExprKind::Word(w) if self.schema.field(w).is_none()) => {
                let ExprKind::Word(w) = &inner.kind else { unreachable!("matched above") };
                Operand::Word(format!("-{w}"), e.span)
            }
            ExprKind::Neg(inner) => {
                let v = self.numeric(inner, None)?;
                Operand::Computed(
                    Box::new(move |fr| {
                        v(fr).into_iter()
                            .map(|x| match x {
                                Val::Int(i) => Val::Int(-i),
                                Val::Float(f) => Val::Float(-f),
                                other => other,
                            })
                            .collect()
                    }),
                    FieldType::I64,
                    e.span,
                )
            }
            ExprKind::Arith(ArithOp::BitAnd, a, b) => self.bitand(a, b, e.span)?,
            ExprKind::Arith(op, a, b) => {
                let (a, b, op) = (self.numeric(a, None)?, self.numeric(b, None)?, *op);
                Operand::Computed(
                    Box::new(move |fr| {
                        let (x, y) = (a(fr), b(fr));
                        let (Some(Val::Int(x)), Some(Val::Int(y))) = (x.first(), y.first()) else { return Vec::new() };
                        let r = match op {
                            ArithOp::Add => x.checked_add(*y),
                            ArithOp::Sub => x.checked_sub(*y),
                            ArithOp::Mul => x.checked_mul(*y),
                            ArithOp::Div => x.checked_div(*y),
                            ArithOp::Mod => x.checked_rem(*y),
                            ArithOp::BitAnd => Some(x & y),
                        };
                        r.map(|v| vec![Val::Int(v)]).unwrap_or_default()
                    }),
                    FieldType::I64,
                    e.span,
                )
            }
            _ => return Err(err("a value or field is expected here", e.span)),
        })
    }

    /// `a & b`: integers mask integers, IPv4 addresses mask addresses
    /// (`ip.src & 255.255.0.0`), byte strings mask byte strings (`tcp[13] & 02`).
    fn bitand(&mut self, a: &Expr, b: &Expr, span: Span) -> Result<Operand, ParseError> {
        let left = self.operand(a)?;
        let lty = match &left {
            Operand::Field(r, _) => r.ty(),
            Operand::Computed(_, t, _) => *t,
            _ => FieldType::I64,
        };
        if !(is_bytes(lty) || lty == FieldType::Ipv4) {
            let x = self.numeric_operand(left, Some(lty))?;
            let y = self.numeric(b, Some(lty))?;
            return Ok(Operand::Computed(
                Box::new(move |fr| {
                    let (x, y) = (x(fr), y(fr));
                    match (y.first(), x.is_empty()) {
                        (Some(Val::Int(m)), false) => x.into_iter().filter_map(|v| if let Val::Int(i) = v { Some(Val::Int(i & m)) } else { None }).collect(),
                        _ => Vec::new(),
                    }
                }),
                if lty.is_integer() { lty } else { FieldType::I64 },
                span,
            ));
        }
        let Side { vals, .. } = match self.side(left)? {
            Ok(s) => s,
            Err(_) => return Err(err("'&' needs a field on its left", a.span)),
        };
        let mask_op = self.operand(b)?;
        let mask = self.literal_for(lty, None, mask_op)?;
        Ok(Operand::Computed(
            Box::new(move |fr| {
                vals(fr)
                    .into_iter()
                    .filter_map(|v| match (v, &mask) {
                        (Val::V4(a), Lit::V4(m, _)) => Some(Val::V4(a & m)),
                        (Val::Bytes(x), Lit::Bytes(m)) => Some(Val::Bytes(x.iter().zip(m).map(|(p, q)| p & q).collect())),
                        _ => None,
                    })
                    .collect()
            }),
            lty,
            span,
        ))
    }

    /// An operand that must produce integers (arithmetic). A literal must
    /// fit `partner`, the type of the field it meets, when there is one.
    fn numeric(&mut self, e: &Expr, partner: Option<FieldType>) -> Result<Values, ParseError> {
        let op = self.operand(e)?;
        self.numeric_operand(op, partner)
    }

    fn numeric_operand(&mut self, op: Operand, partner: Option<FieldType>) -> Result<Values, ParseError> {
        match op {
            Operand::Field(r, _) if r.plain() && (r.f.ty.is_integer() || r.f.ty == FieldType::Bool) => Ok(self.values_of(&r)),
            Operand::Field(r, span) => Err(err(format!("'{}' is not a number ({})", r.f.abbrev, r.ty().wireshark_name()), span)),
            Operand::Word(w, span) => match literal::int(&w) {
                Some(v) if partner.is_some_and(|t| !literal::fits(t, v)) => {
                    Err(err(format!("{w} is out of range for {}", partner.map(|t| t.wireshark_name()).unwrap_or_default()), span))
                }
                Some(v) => Ok(Box::new(move |_| vec![Val::Int(v)])),
                None if looks_like_field(&w) => Err(self.unknown(&w, span)),
                None => Err(err(format!("'{w}' is not an integer"), span)),
            },
            Operand::Str(_, span) => Err(err("a string is not a number", span)),
            Operand::Computed(v, t, span) if is_numeric(t) => {
                let _ = span;
                Ok(v)
            }
            Operand::Computed(_, t, span) => Err(err(format!("this is not a number ({})", t.wireshark_name()), span)),
        }
    }

    /// The single argument of a function: a field or a computed value.
    fn argument(&mut self, name: &str, args: &[Expr], span: Span) -> Result<(Values, FieldType, Option<FieldRef>, Span), ParseError> {
        if args.len() != 1 {
            return Err(err(format!("{name}() takes one argument"), span));
        }
        match self.operand(&args[0])? {
            Operand::Field(r, s) => {
                let vals = self.values_of(&r);
                Ok((vals, r.ty(), Some(r), s))
            }
            Operand::Computed(v, t, s) => Ok((v, t, None, s)),
            Operand::Word(w, s) if looks_like_field(&w) => Err(self.unknown(&w, s)),
            _ => Err(err(format!("{name}() takes a field"), args[0].span)),
        }
    }

    fn call(&mut self, name: &str, args: &[Expr], span: Span) -> Result<Operand, ParseError> {
        Ok(match name {
            "len" => {
                let (v, _, field, _) = self.argument(name, args, span)?;
                let lengths: Values = match field {
                    // The length of a field is its size in the packet (tshark:
                    // len(tcp.port) == 2), of a string or byte value its bytes.
                    Some(r) if r.plain() && !matches!(r.f.ty, FieldType::String | FieldType::Bytes | FieldType::Protocol) => {
                        Box::new(move |fr| {
                            let mut out = Vec::new();
                            visit(&r, fr.tree, |n| out.push(Val::Int(n.len as i128)));
                            out
                        })
                    }
                    _ => Box::new(move |fr| {
                        v(fr).into_iter()
                            .map(|x| Val::Int(match x { Val::Bytes(b) => b.len() as i128, Val::V4(_) => 4, Val::V6(_) => 16, _ => 0 }))
                            .collect()
                    }),
                };
                Operand::Computed(lengths, FieldType::U32, span)
            }
            "count" => {
                let (v, _, _, _) = self.argument(name, args, span)?;
                Operand::Computed(Box::new(move |fr| vec![Val::Int(v(fr).len() as i128)]), FieldType::U32, span)
            }
            "lower" | "upper" => {
                let (v, ty, _, s) = self.argument(name, args, span)?;
                if ty != FieldType::String {
                    return Err(err(format!("{name}() takes a string field, not {}", ty.wireshark_name()), s));
                }
                let up = name == "upper";
                Operand::Computed(
                    Box::new(move |fr| {
                        v(fr).into_iter()
                            .map(|x| match x {
                                Val::Bytes(b) => Val::Bytes(if up { b.to_ascii_uppercase() } else { b.to_ascii_lowercase() }),
                                other => other,
                            })
                            .collect()
                    }),
                    FieldType::String,
                    span,
                )
            }
            "string" => {
                let (v, ty, _, s) = self.argument(name, args, span)?;
                if matches!(ty, FieldType::String | FieldType::Bytes | FieldType::Protocol | FieldType::None) {
                    return Err(err(format!("string() converts numbers, addresses and times to text, not {}", ty.wireshark_name()), s));
                }
                Operand::Computed(Box::new(move |fr| v(fr).iter().map(|x| Val::Bytes(val_text(x, ty))).collect()), FieldType::String, span)
            }
            "abs" => {
                let (v, ty, _, s) = self.argument(name, args, span)?;
                if !is_numeric(ty) {
                    return Err(err(format!("abs() takes a number, not {}", ty.wireshark_name()), s));
                }
                Operand::Computed(
                    Box::new(move |fr| {
                        v(fr).into_iter()
                            .map(|x| match x {
                                Val::Int(i) => Val::Int(i.abs()),
                                Val::Float(f) => Val::Float(f.abs()),
                                other => other,
                            })
                            .collect()
                    }),
                    ty,
                    span,
                )
            }
            "max" | "min" => {
                if args.is_empty() {
                    return Err(err(format!("{name}() takes at least one field"), span));
                }
                let mut all: Vec<Values> = Vec::new();
                let mut consts: Vec<(i128, Span)> = Vec::new();
                let mut ty = None;
                for a in args {
                    let (v, t) = match self.operand(a)? {
                        Operand::Field(r, s) if is_numeric(r.ty()) => (self.values_of(&r), (r.ty(), s)),
                        Operand::Computed(v, t, s) if is_numeric(t) => (v, (t, s)),
                        Operand::Word(w, s) if looks_like_field(&w) => return Err(self.unknown(&w, s)),
                        Operand::Word(w, s) => match literal::int(&w) {
                            // A constant takes the type of the fields beside it.
                            Some(c) => {
                                consts.push((c, s));
                                continue;
                            }
                            None => return Err(err(format!("'{w}' is not a number"), s)),
                        },
                        _ => return Err(err(format!("{name}() takes numeric fields"), a.span)),
                    };
                    match ty {
                        None => ty = Some(t.0),
                        Some(first) if first != t.0 => {
                            return Err(err(format!("{name}() arguments must have one type: {} and {}", first.wireshark_name(), t.0.wireshark_name()), t.1))
                        }
                        Some(_) => {}
                    }
                    all.push(v);
                }
                for (c, s) in consts {
                    if let Some(t) = ty.filter(|t| !literal::fits(*t, c)) {
                        return Err(err(format!("{c} is out of range for {}", t.wireshark_name()), s));
                    }
                    all.push(Box::new(move |_| vec![Val::Int(c)]));
                }
                let max = name == "max";
                Operand::Computed(
                    Box::new(move |fr| {
                        let vals = all.iter().flat_map(|v| v(fr)).filter_map(|x| if let Val::Int(i) = x { Some(i) } else { None });
                        let r = if max { vals.max() } else { vals.min() };
                        r.map(|i| vec![Val::Int(i)]).unwrap_or_default()
                    }),
                    ty.unwrap_or(FieldType::I64),
                    span,
                )
            }
            _ => return Err(err(format!("unknown function '{name}' (len, count, string, lower, upper, abs, max, min)"), span)),
        })
    }

    /// Read a word or string for the other side's type.
    fn literal_for(&self, ty: FieldType, f: Option<&'static FieldDef>, op: Operand) -> Result<Lit, ParseError> {
        let names = f.map(|f| f.names).unwrap_or(wirecrab_core::ValueNames::None);
        let who = f.map(|f| format!("'{}' ", f.abbrev)).unwrap_or_default();
        match op {
            Operand::Word(w, span) => literal::word(ty, &w, &names).ok_or_else(|| {
                if looks_like_field(&w) && !matches!(ty, FieldType::String) {
                    self.unknown(&w, span)
                } else if literal::int(&w).is_some_and(|v| !literal::fits(ty, v)) {
                    err(format!("{w} is out of range: {who}is {}", ty.wireshark_name()), span)
                } else {
                    err(format!("'{w}' is not valid here: {who}needs {}", literal::expected(ty)), span)
                }
            }),
            Operand::Str(s, span) if ty == FieldType::AbsTime => {
                let bad = || err(format!("this string is not valid here: {who}needs {}", literal::expected(ty)), span);
                let t = std::str::from_utf8(&s).ok().and_then(literal::written_time).ok_or_else(bad)?;
                // A zone in the text wins; a `*_utc` field reads UTC; otherwise local time.
                let secs = match t.offset {
                    Some(off) => t.epoch_secs(off),
                    None if f.is_some_and(|f| f.abbrev.ends_with("_utc")) => t.epoch_secs(0),
                    None => self.schema.local_time(&t).ok_or_else(bad)?,
                };
                Ok(Lit::Int(secs as i128 * 1_000_000_000 + t.nanos))
            }
            Operand::Str(s, span) => literal::quoted(ty, &s, &names)
                .ok_or_else(|| err(format!("this string is not valid here: {who}needs {}", literal::expected(ty)), span)),
            Operand::Field(g, span) => Err(err(format!("'{}' is a field: a value is expected here", g.f.abbrev), span)),
            Operand::Computed(_, _, span) => Err(err("a plain value is expected here, not an expression", span)),
        }
    }

    /// Values and type of one side of a comparison, or the literal operand back.
    fn side(&mut self, op: Operand) -> Result<Result<Side, Operand>, ParseError> {
        Ok(match op {
            Operand::Field(r, span) => {
                let vals = self.values_of(&r);
                Ok(Side { vals, ty: r.ty(), field: Some(r), span })
            }
            Operand::Computed(vals, ty, span) => Ok(Side { vals, ty, field: None, span }),
            lit => Err(lit),
        })
    }

    fn compare(&mut self, op: CmpOp, a: &Expr, b: &Expr, span: Span, quant: Option<Quant>) -> Result<Test, ParseError> {
        let (oa, ob) = (self.operand(a)?, self.operand(b)?);
        let (left, right) = (self.side(oa)?, self.side(ob)?);
        match (left, right) {
            (Ok(l), Ok(r)) => self.field_field(op, l, r, quant),
            (Ok(side), Err(lit)) => self.field_literal(op, side, lit, quant),
            (Err(lit), Ok(side)) => self.field_literal(mirror(op), side, lit, quant),
            (Err(Operand::Word(w, s)), Err(_)) | (Err(_), Err(Operand::Word(w, s))) if looks_like_field(&w) => Err(self.unknown(&w, s)),
            (Err(_), Err(_)) => Err(err("compare a field with a value: both sides are values", span)),
        }
    }

    /// Field against field: every pair of values.
    fn field_field(&mut self, op: CmpOp, l: Side, r: Side, quant: Option<Quant>) -> Result<Test, ParseError> {
        if matches!(op, CmpOp::Contains | CmpOp::Matches) {
            return Err(err("'contains' and 'matches' take a literal on their right", r.span));
        }
        if !comparable(l.ty, r.ty) {
            return Err(err(
                format!("{} and {} cannot be compared", l.ty.wireshark_name(), r.ty.wireshark_name()),
                l.span.to(r.span),
            ));
        }
        let (base, q) = relation(op, quant);
        let len_first = is_bytes(l.ty) && is_bytes(r.ty);
        let (lv, rv) = (l.vals, r.vals);
        Ok(Box::new(move |fr| {
            let (x, y) = (lv(fr), rv(fr));
            let eq = |p: &Val| y.iter().any(|q| cmp_views(&as_view(p), &as_view(q), false) == Some(Ordering::Equal));
            match base {
                CmpOp::Eq => quantify(q, x.iter().map(eq)),
                CmpOp::Ne if q == Quant::All => !y.is_empty() && quantify(q, x.iter().map(|p| !eq(p))),
                CmpOp::Ne => x.iter().any(|p| y.iter().any(|q| cmp_views(&as_view(p), &as_view(q), false) != Some(Ordering::Equal))),
                _ => quantify(q, x.iter().map(|p| y.iter().any(|q| cmp_holds(base, cmp_views(&as_view(p), &as_view(q), len_first))))),
            }
        }))
    }

    fn field_literal(&mut self, op: CmpOp, side: Side, lit: Operand, quant: Option<Quant>) -> Result<Test, ParseError> {
        let Side { vals, ty, field, span } = side;
        let names_of = field.as_ref().filter(|r| r.plain()).map(|r| r.f);
        let what = || match &field {
            Some(r) => format!("'{}' is {}", r.f.abbrev, ty.wireshark_name()),
            None => format!("this is {}", ty.wireshark_name()),
        };
        if matches!(op, CmpOp::Contains | CmpOp::Matches) && !matches!(ty, FieldType::String) && !is_bytes(ty) {
            let word = if op == CmpOp::Matches { "matches" } else { "contains" };
            return Err(err(format!("{}: '{word}' applies to strings and byte strings", what()), span));
        }
        let q = quant.unwrap_or(Quant::Any);
        if op == CmpOp::Matches {
            let (pat, lspan) = match lit {
                Operand::Str(s, sp) => (String::from_utf8_lossy(&s).into_owned(), sp),
                Operand::Word(w, sp) => return Err(err(format!("'matches' needs a quoted regular expression, found '{w}'"), sp)),
                Operand::Field(_, sp) | Operand::Computed(_, _, sp) => return Err(err("'matches' needs a quoted regular expression", sp)),
            };
            // Wireshark's matches is case-insensitive unless the pattern says (?-i).
            let re = regex::bytes::RegexBuilder::new(&pat)
                .case_insensitive(true)
                .size_limit(1 << 20)
                .build()
                .map_err(|e| err(format!("invalid regular expression: {e}"), lspan))?;
            if let Some(r) = field.filter(|r| r.plain()) {
                return Ok(Box::new(move |fr| {
                    let mut out = Vec::new();
                    visit(&r, fr.tree, |n| out.push(matches!(view(n, fr.data), View::Bytes(b) if re.is_match(b))));
                    quantify(q, out.into_iter())
                }));
            }
            return Ok(Box::new(move |fr| quantify(q, vals(fr).iter().map(|v| matches!(v, Val::Bytes(b) if re.is_match(b))))));
        }
        if op == CmpOp::Contains {
            let want = if ty == FieldType::String { FieldType::String } else { FieldType::Bytes };
            let needle = match self.literal_for(want, names_of, lit)? {
                Lit::Bytes(b) => b,
                _ => Vec::new(),
            };
            let finder = memchr::memmem::Finder::new(&needle).into_owned();
            if let Some(r) = field.filter(|r| r.plain()) {
                let f = r.f;
                return Ok(Box::new(move |fr| {
                    quantify(
                        q,
                        fr.tree.nodes().iter().filter(|n| std::ptr::eq(n.field, f)).map(|n| match view(n, fr.data) {
                            View::Bytes(h) => finder.find(h).is_some(),
                            _ => false,
                        }),
                    )
                }));
            }
            return Ok(Box::new(move |fr| {
                quantify(q, vals(fr).iter().map(|v| matches!(v, Val::Bytes(h) if finder.find(h).is_some())))
            }));
        }
        let l = self.literal_for(ty, names_of, lit)?;
        let (base, q) = relation(op, quant);
        let len_first = is_bytes(ty);
        if let Some(f) = field.filter(|r| r.plain()).map(|r| r.f) {
            // The common case, allocation-free: one walk over the nodes.
            return Ok(Box::new(move |fr| {
                quantify(
                    q,
                    fr.tree.nodes().iter().filter(|n| std::ptr::eq(n.field, f)).map(|n| holds_lit(base, &view(n, fr.data), &l, len_first)),
                )
            }));
        }
        Ok(Box::new(move |fr| quantify(q, vals(fr).iter().map(|v| holds_lit(base, &as_view(v), &l, len_first)))))
    }

    fn membership(&mut self, a: &Expr, items: &[SetItem], neg: bool, quant: Option<Quant>) -> Result<Test, ParseError> {
        let oa = self.operand(a)?;
        let Side { vals, ty, field, .. } = match self.side(oa)? {
            Ok(x) => x,
            Err(Operand::Word(w, s)) if looks_like_field(&w) => return Err(self.unknown(&w, s)),
            Err(_) => return Err(err("'in' needs a field on its left", a.span)),
        };
        let names_of = field.as_ref().filter(|r| r.plain()).map(|r| r.f);
        let mut set: Vec<(Lit, Option<Lit>)> = Vec::with_capacity(items.len());
        for it in items {
            let (lo, hi) = match it {
                SetItem::Value(v) => (v, None),
                SetItem::Range(lo, hi) => (lo, Some(hi)),
            };
            let lo_op = self.operand(lo)?;
            let lo = self.literal_for(ty, names_of, lo_op)?;
            let hi = match hi {
                Some(h) => {
                    let op = self.operand(h)?;
                    Some(self.literal_for(ty, names_of, op)?)
                }
                None => None,
            };
            set.push((lo, hi));
        }
        let len_first = is_bytes(ty);
        let q = quant.unwrap_or(Quant::Any);
        Ok(Box::new(move |fr| {
            let in_item = |v: &Val, (lo, hi): &(Lit, Option<Lit>)| {
                let v = as_view(v);
                match hi {
                    None => eq_lit(&v, lo),
                    Some(hi) => holds_lit(CmpOp::Ge, &v, lo, len_first) && holds_lit(CmpOp::Le, &v, hi, len_first),
                }
            };
            let v = vals(fr);
            // A set is a chain of `or`ed comparisons, each with the quantifier:
            // `all x in {a, b}` is `all x == a or all x == b` (as tshark 4.0).
            let hit = set.iter().any(|item| quantify(q, v.iter().map(|x| in_item(x, item))));
            // `x not in {...}` is `!(x in {...})`.
            hit != neg
        }))
    }
}

/// A rough price of evaluating `e`, to order the sides of `and`/`or`:
/// plain comparisons are cheapest, computed operands, `contains` and large
/// sets cost more, regular expressions most.
fn cost(e: &Expr) -> u32 {
    match &e.kind {
        ExprKind::Word(_) | ExprKind::Str(_) => 0,
        ExprKind::Raw(_) | ExprKind::Slice(..) | ExprKind::Layer(..) | ExprKind::Call(..) | ExprKind::Arith(..) | ExprKind::Neg(_) => 3,
        ExprKind::Cmp(op, a, b) => {
            let base = match op {
                CmpOp::Matches => 20,
                CmpOp::Contains => 4,
                _ => 1,
            };
            base + cost(a) + cost(b)
        }
        ExprKind::In(a, items, _) => 1 + (items.len() as u32 / 8).min(50) + cost(a),
        ExprKind::Quant(_, x) | ExprKind::Not(x) => cost(x),
        ExprKind::And(a, b) | ExprKind::Or(a, b) | ExprKind::Xor(a, b) => cost(a).saturating_add(cost(b)),
    }
}

fn mirror(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Ge => CmpOp::Le,
        CmpOp::Le => CmpOp::Ge,
        o => o,
    }
}

fn cmp_holds(op: CmpOp, o: Option<Ordering>) -> bool {
    use Ordering::*;
    match (op, o) {
        (_, None) => false,
        (CmpOp::Eq | CmpOp::AllEq, Some(Equal)) => true,
        (CmpOp::Ne | CmpOp::AnyNe, Some(o)) => o != Equal,
        (CmpOp::Gt, Some(Greater)) => true,
        (CmpOp::Lt, Some(Less)) => true,
        (CmpOp::Ge, Some(o)) => o != Less,
        (CmpOp::Le, Some(o)) => o != Greater,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wirecrab_core::{FieldDef, FieldType as T, FrameMeta, Tree, Value, Want};

    static PORT: FieldDef = FieldDef::new("tcp.port", "Port", T::U16);
    static ADDR: FieldDef = FieldDef::new("ip.addr", "Address", T::Ipv4);
    static NAME: FieldDef = FieldDef::new("dns.qry.name", "Name", T::String);
    static IP: FieldDef = FieldDef::new("ip", "Internet Protocol", T::Protocol);
    static SRC: FieldDef = FieldDef::new("ip.src", "Source", T::Ipv4);
    static PAYLOAD: FieldDef = FieldDef::new("tcp.payload", "Payload", T::Bytes);
    static SYN: FieldDef = FieldDef::new("tcp.flags.syn", "Syn", T::Bool);

    struct Mini;
    impl Schema for Mini {
        fn field(&self, name: &str) -> Option<&'static FieldDef> {
            [&PORT, &ADDR, &NAME, &IP, &SRC, &PAYLOAD, &SYN].into_iter().find(|f| f.abbrev == name)
        }
        fn suggest(&self, name: &str) -> Option<&'static str> {
            name.starts_with("tcp.p").then_some("tcp.port")
        }
    }

    fn frame(ports: &[u64], addrs: &[[u8; 4]], name: Option<&str>) -> Tree {
        let _ = FrameMeta::default();
        let mut t = Tree::new(Want::All);
        for p in ports {
            t.add(&PORT, 0, 2, Value::U(*p));
        }
        for a in addrs {
            t.add(&ADDR, 0, 4, Value::V4(*a));
        }
        if let Some(n) = name {
            t.add(&NAME, 0, 0, Value::OwnedStr(n.into()));
        }
        t
    }

    fn run(src: &str, t: &Tree) -> bool {
        Filter::new(src, &Mini).unwrap_or_else(|e| panic!("{src}: {e}")).matches(&Frame { tree: t, data: &[] })
    }

    #[test]
    fn any_and_all_semantics_on_multi_valued_fields() {
        let t = frame(&[80, 443], &[[10, 0, 0, 1], [192, 168, 1, 1]], None);
        assert!(run("tcp.port == 80", &t));
        assert!(!run("tcp.port != 80", &t), "!= means no value equals");
        assert!(run("tcp.port !== 80", &t), "!== means some value differs");
        assert!(!run("tcp.port === 80", &t));
        assert!(run("ip.addr == 10.0.0.0/8 and ip.addr == 192.168.0.0/16", &t));
        assert!(run("tcp.port in {1..100}", &t));
        assert!(!run("tcp.port not in {80, 443}", &t));
        let empty = frame(&[], &[], None);
        assert!(!run("tcp.port != 80", &empty), "a missing field matches nothing");
        assert!(!run("tcp.port", &empty));
    }

    #[test]
    fn strings_regexes_and_functions() {
        let t = frame(&[53], &[], Some("WWW.Example.com"));
        assert!(run("dns.qry.name contains \"Example\"", &t));
        assert!(run("dns.qry.name matches \"(?i)example\\\\.COM$\"", &t));
        assert!(run("lower(dns.qry.name) == \"www.example.com\"", &t));
        assert!(run("len(dns.qry.name) == 15", &t));
        assert!(run("tcp.port + 1 == 54 && tcp.port * 2 > 100", &t));
    }

    /// Outer and inner IPv4 headers (as in VXLAN), each with a source address.
    fn tunnel() -> Tree {
        let mut t = Tree::new(Want::All);
        t.add(&IP, 0, 20, Value::None);
        t.add(&SRC, 12, 4, Value::V4([10, 0, 0, 1]));
        t.add(&PORT, 0, 2, Value::U(4789));
        t.add(&IP, 50, 20, Value::None);
        t.add(&SRC, 62, 4, Value::V4([192, 168, 0, 9]));
        t
    }

    #[test]
    fn layers_count_protocol_headers_and_quantifiers_pick_values() {
        let t = tunnel();
        assert!(run("ip.src#2 == 192.168.0.9", &t));
        assert!(!run("ip.src#1 == 192.168.0.9", &t));
        assert!(!run("ip.src#0 == 10.0.0.1", &t), "there is no layer 0");
        assert!(run("ip.src#[1-2] == 10.0.0.0/8", &t));
        assert!(run("any ip.src == 192.168.0.0/16", &t));
        assert!(!run("all ip.src == 192.168.0.0/16", &t));
        assert!(!run("all ip.src in {10.0.0.0/8, 192.168.0.0/16}", &t), "each set element is its own all-comparison");
        assert!(run("all ip.src != 1.2.3.4", &t));
        assert!(run("ip.src & 255.255.0.0 == 192.168.0.0", &t));
        assert!(Filter::new("ip.src#1#2 == 1.1.1.1", &Mini).is_err());
        assert!(Filter::new("ip.src#[2-1] == 1.1.1.1", &Mini).is_err());
    }

    #[test]
    fn bytes_slices_masks_and_literal_forms() {
        let mut t = Tree::new(Want::All);
        t.add(&PAYLOAD, 0, 4, Value::Bytes);
        t.add(&SYN, 0, 1, Value::Bool(true));
        let data = b"POST /x";
        let m = |src: &str| Filter::new(src, &Mini).unwrap_or_else(|e| panic!("{src}: {e}")).matches(&Frame { tree: &t, data });
        assert!(m("tcp.payload[0] == 0x50"));
        assert!(m("tcp.payload[0] & 0xf0 == 0x50"));
        assert!(m("tcp.payload[1] & 0x0f"));
        assert!(!m("tcp.payload[1] & 0x80"), "a mask that keeps no bit is false");
        assert!(m("tcp.payload[0:2,3] == \"POT\""), "slices join");
        assert!(m("tcp.payload[0:10] == \"POST\""), "a byte slice past the end is cut short");
        assert!(m("tcp.payload[0] == 'P'"), "a character constant is the byte it names");
        assert!(m("tcp.payload matches r\"^p\\w+\""), "raw strings keep backslashes; matches ignores case");
        assert!(!m("tcp.payload matches \"(?-i)^p\""));
        assert!(m("tcp.payload > 50:00:00"), "longer byte strings sort after shorter ones");
        assert!(m("tcp.flags.syn == Set") && m("tcp.flags.syn == \"Set\"") && !m("tcp.flags.syn == \"Not set\""));
        assert!(m("len(tcp.flags.syn) == 1"), "the length of a field is its size in the packet");
        assert!(Filter::new("tcp.port[0] == 00", &Mini).is_err(), "integers cannot be sliced");
        assert!(Filter::new("tcp.port == 65536", &Mini).is_err());
        assert!(Filter::new("tcp.port & 0x10000", &Mini).is_err());
        assert!(Filter::new("tcp.flags.syn == -1", &Mini).is_err());
        assert!(Filter::new("tcp.port contains 50", &Mini).is_err());
        assert!(Filter::new("ip.src matches \"^10\"", &Mini).is_err());
        assert!(Filter::new("tcp.port == ip", &Mini).is_err(), "an integer and a protocol cannot be compared");
        assert!(Filter::new("lower(tcp.payload) == \"x\"", &Mini).is_err());
        assert!(Filter::new("tcp.port in {80, }", &Mini).is_err());
    }

    #[test]
    fn the_longest_accepted_chain_fits_a_small_stack() {
        // 1,000 operators is the parser's cap; parsing, printing, compiling,
        // evaluating and dropping must fit a 1 MiB thread stack.
        let src = vec!["tcp.port == 80"; 1001].join(" or ");
        std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || {
                let printed = crate::parse(&src).unwrap().to_string();
                let f = Filter::new(&printed, &Mini).unwrap();
                assert!(f.matches(&Frame { tree: &frame(&[80], &[], None), data: &[] }));
            })
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn type_errors_point_at_the_value() {
        let e = Filter::new("tcp.port == \"abc\"", &Mini).err().unwrap();
        assert!(e.message.contains("needs an integer"), "{e}");
        assert_eq!(e.span.start, 12);
        let e = Filter::new("ip.addr == 300.1.1.1", &Mini).err().unwrap();
        assert!(e.message.contains("IPv4"), "{e}");
        let e = Filter::new("tcp.prot == 80", &Mini).err().unwrap();
        assert_eq!(e.message, "unknown field 'tcp.prot' — did you mean 'tcp.port'?");
        assert!(Filter::new("dns.qry.name matches \"(\"", &Mini).is_err());
        assert!(Filter::new("80", &Mini).is_err());
        // Found by fuzzing: an expression where a set element should be a value.
        assert!(Filter::new("tcp.port in {5..3, 3%0}", &Mini).is_err());
        assert!(Filter::new("tcp.port in {tcp.port}", &Mini).is_err());
    }
}
