//! Type-check a parsed filter against a field schema and compile it to
//! closures over a dissected frame.
//!
//! Words become fields when the schema knows them and literals otherwise,
//! read as the other side's field type wants (as Wireshark does). Errors
//! carry the span of the offending text and say what was expected.

use regex::bytes::Regex;
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
}

/// A compiled display filter.
pub struct Filter {
    test: Test,
    fields: Vec<&'static FieldDef>,
    source: String,
}

type Test = Box<dyn Fn(&Frame<'_>) -> bool + Send + Sync>;
type Values = Box<dyn Fn(&Frame<'_>) -> Vec<Val> + Send + Sync>;
/// A field side of a comparison: its values, its type, the field itself, and
/// whether it is the plain field (no slice, layer or raw form: fast path).
type Side = (Values, FieldType, Option<&'static FieldDef>, bool);

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
    /// Integers, booleans, frame numbers, absolute times in ns.
    Int(i128),
    /// Floats and relative times in seconds.
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

/// An operand before evaluation: a field reference or a literal awaiting a type.
enum Operand {
    Field { f: &'static FieldDef, layer: Option<LayerSel>, slice: Option<Slice>, raw: bool },
    Word(String, Span),
    Str(Vec<u8>, Span),
    Computed(Values, Option<FieldType>),
}

fn err(msg: impl Into<String>, span: Span) -> ParseError {
    ParseError { message: msg.into(), span }
}

fn looks_like_field(w: &str) -> bool {
    w.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && w.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        && literal::bytes(w).is_none()
}

fn node_bytes<'a>(n: &'a Node, data: &'a [u8]) -> &'a [u8] {
    let s = (n.start as usize).min(data.len());
    let e = (n.start as usize + n.len as usize).min(data.len());
    &data[s..e]
}

/// The value of one node.
fn node_val(n: &Node, data: &[u8]) -> Val {
    match &n.value {
        Value::U(v) => Val::Int(*v as i128),
        Value::I(v) => Val::Int(*v as i128),
        Value::Bool(b) => Val::Int(*b as i128),
        Value::F(x) => Val::Float(*x),
        Value::Ether(m) => Val::Bytes(m.to_vec()),
        Value::V4(a) => Val::V4(u32::from_be_bytes(*a)),
        Value::V6(a) => Val::V6(u128::from_be_bytes(*a)),
        Value::Bytes | Value::Str | Value::None => Val::Bytes(node_bytes(n, data).to_vec()),
        Value::OwnedBytes(b) => Val::Bytes(b.to_vec()),
        Value::OwnedStr(s) => Val::Bytes(s.as_bytes().to_vec()),
        Value::Time(t) => Val::Int(t.as_nanos()),
        Value::RelTime(ns) => Val::Float(*ns as f64 / 1e9),
    }
}

/// Wireshark's slice of a value's bytes.
fn apply_slice(b: &[u8], s: &Slice) -> Option<Vec<u8>> {
    let n = b.len() as i64;
    let at = |i: i64| if i < 0 { n + i } else { i };
    let (start, end) = match *s {
        Slice::Index(i) => (at(i), at(i) + 1),
        Slice::StartEnd(a, e) => (at(a), at(e) + 1),
        Slice::StartLen(a, l) => {
            let a = at(a.unwrap_or(0));
            (a, l.map_or(n, |l| a + l))
        }
    };
    if start < 0 || end > n || start > end {
        return None;
    }
    Some(b[start as usize..end as usize].to_vec())
}

fn field_values(f: &'static FieldDef, layer: Option<LayerSel>, slice: Option<Slice>, raw: bool) -> Values {
    Box::new(move |fr: &Frame<'_>| {
        let nodes = fr.tree.nodes().iter().filter(|n| std::ptr::eq(n.field, f));
        let picked: Vec<&Node> = match layer {
            None => nodes.collect(),
            Some(LayerSel::One(k)) => nodes.skip((k.max(1) - 1) as usize).take(1).collect(),
            Some(LayerSel::Range(a, b)) => nodes.skip((a.max(1) - 1) as usize).take((b - a + 1).max(0) as usize).collect(),
        };
        picked
            .into_iter()
            .filter_map(|n| match (&slice, raw) {
                (Some(s), _) => apply_slice(&raw_bytes(n, fr.data), s).map(Val::Bytes),
                (None, true) => Some(Val::Bytes(raw_bytes(n, fr.data))),
                (None, false) => Some(node_val(n, fr.data)),
            })
            .collect()
    })
}

/// The bytes a node covers (owned values: their own bytes).
fn raw_bytes(n: &Node, data: &[u8]) -> Vec<u8> {
    match &n.value {
        Value::OwnedBytes(b) => b.to_vec(),
        Value::OwnedStr(s) => s.as_bytes().to_vec(),
        _ => node_bytes(n, data).to_vec(),
    }
}

fn cmp_vals(a: &Val, b: &Val) -> Option<std::cmp::Ordering> {
    use Val::*;
    match (a, b) {
        (Int(x), Int(y)) => Some(x.cmp(y)),
        (Float(x), Float(y)) => x.partial_cmp(y),
        (Int(x), Float(y)) => (*x as f64).partial_cmp(y),
        (Float(x), Int(y)) => x.partial_cmp(&(*y as f64)),
        (Bytes(x), Bytes(y)) => Some(x.cmp(y)),
        (V4(x), V4(y)) => Some(x.cmp(y)),
        (V6(x), V6(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn lit_val(l: &Lit) -> Val {
    match l {
        Lit::Int(v) => Val::Int(*v),
        Lit::Float(x) => Val::Float(*x),
        Lit::Bytes(b) => Val::Bytes(b.clone()),
        Lit::V4(a, _) => Val::V4(*a),
        Lit::V6(a, _) => Val::V6(*a),
    }
}

/// Equality with a literal: addresses with a prefix compare as networks.
fn eq_lit(v: &Val, l: &Lit) -> bool {
    match (v, l) {
        (Val::V4(a), Lit::V4(n, p)) => {
            let mask = if *p == 0 { 0 } else { u32::MAX << (32 - *p as u32) };
            a & mask == n & mask
        }
        (Val::V6(a), Lit::V6(n, p)) => {
            let mask = if *p == 0 { 0 } else { u128::MAX << (128 - *p as u32) };
            a & mask == n & mask
        }
        _ => cmp_vals(v, &lit_val(l)) == Some(std::cmp::Ordering::Equal),
    }
}

fn truthy(v: &Val) -> bool {
    match v {
        Val::Int(x) => *x != 0,
        Val::Float(x) => *x != 0.0,
        Val::Bytes(b) => !b.is_empty(),
        Val::V4(_) | Val::V6(_) => true,
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

    /// A boolean test.
    fn test(&mut self, e: &Expr) -> Result<Test, ParseError> {
        Ok(match &e.kind {
            ExprKind::And(a, b) => {
                let (a, b) = (self.test(a)?, self.test(b)?);
                Box::new(move |f| a(f) && b(f))
            }
            ExprKind::Or(a, b) => {
                let (a, b) = (self.test(a)?, self.test(b)?);
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
            ExprKind::Cmp(op, a, b) => self.compare(*op, a, b, e.span)?,
            ExprKind::In(a, items, neg) => self.membership(a, items, *neg)?,
            _ => {
                // A bare field or protocol: does it exist? Anything else: is it non-zero?
                let op = self.operand(e)?;
                match op {
                    Operand::Field { f, layer, slice, raw } => {
                        self.use_field(f);
                        let vals = field_values(f, layer, slice, raw);
                        Box::new(move |fr| !vals(fr).is_empty())
                    }
                    Operand::Computed(vals, _) => Box::new(move |fr| vals(fr).iter().any(truthy)),
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
        Ok(match &e.kind {
            ExprKind::Word(w) => match self.schema.field(w) {
                Some(f) => Operand::Field { f, layer: None, slice: None, raw: false },
                None => Operand::Word(w.clone(), e.span),
            },
            ExprKind::Str(s) => Operand::Str(s.clone(), e.span),
            ExprKind::Raw(w) => match self.schema.field(w) {
                Some(f) => Operand::Field { f, layer: None, slice: None, raw: true },
                None => return Err(self.unknown(w, e.span)),
            },
            ExprKind::Slice(inner, s) => match self.operand(inner)? {
                Operand::Field { f, layer, raw, .. } => Operand::Field { f, layer, slice: Some(s.clone()), raw },
                Operand::Word(w, span) if looks_like_field(&w) => return Err(self.unknown(&w, span)),
                _ => return Err(err("only a field can be sliced", e.span)),
            },
            ExprKind::Layer(inner, sel) => match self.operand(inner)? {
                Operand::Field { f, slice, raw, .. } => Operand::Field { f, layer: Some(*sel), slice, raw },
                Operand::Word(w, span) if looks_like_field(&w) => return Err(self.unknown(&w, span)),
                _ => return Err(err("the layer operator '#' applies to fields", e.span)),
            },
            ExprKind::Call(name, args) => self.call(name, args, e.span)?,
            ExprKind::Neg(inner) => {
                let v = self.numeric(inner)?;
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
                    Some(FieldType::I64),
                )
            }
            ExprKind::Arith(op, a, b) => {
                let (a, b, op) = (self.numeric(a)?, self.numeric(b)?, *op);
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
                    Some(FieldType::I64),
                )
            }
            _ => return Err(err("a value or field is expected here", e.span)),
        })
    }

    /// An operand that must produce integers (arithmetic).
    fn numeric(&mut self, e: &Expr) -> Result<Values, ParseError> {
        match self.operand(e)? {
            Operand::Field { f, layer, slice, raw } if f.ty.is_integer() || f.ty == FieldType::Bool => {
                self.use_field(f);
                Ok(field_values(f, layer, slice, raw))
            }
            Operand::Field { f, .. } => Err(err(format!("'{}' is not a number ({})", f.abbrev, f.ty.wireshark_name()), e.span)),
            Operand::Word(w, span) => match literal::int(&w) {
                Some(v) => Ok(Box::new(move |_| vec![Val::Int(v)])),
                None if looks_like_field(&w) => Err(self.unknown(&w, span)),
                None => Err(err(format!("'{w}' is not an integer"), span)),
            },
            Operand::Str(_, span) => Err(err("a string is not a number", span)),
            Operand::Computed(v, _) => Ok(v),
        }
    }

    fn call(&mut self, name: &str, args: &[Expr], span: Span) -> Result<Operand, ParseError> {
        let one = |c: &mut Self| -> Result<(Values, Option<FieldType>), ParseError> {
            if args.len() != 1 {
                return Err(err(format!("{name}() takes one argument"), span));
            }
            match c.operand(&args[0])? {
                Operand::Field { f, layer, slice, raw } => {
                    c.use_field(f);
                    let ty = if slice.is_some() || raw { FieldType::Bytes } else { f.ty };
                    Ok((field_values(f, layer, slice, raw), Some(ty)))
                }
                Operand::Computed(v, t) => Ok((v, t)),
                Operand::Word(w, s) if looks_like_field(&w) => Err(c.unknown(&w, s)),
                _ => Err(err(format!("{name}() takes a field"), args[0].span)),
            }
        };
        Ok(match name {
            "len" => {
                let (v, _) = one(self)?;
                Operand::Computed(
                    Box::new(move |fr| v(fr).into_iter().map(|x| Val::Int(match x { Val::Bytes(b) => b.len() as i128, Val::V4(_) => 4, Val::V6(_) => 16, _ => 0 })).collect()),
                    Some(FieldType::U32),
                )
            }
            "count" => {
                let (v, _) = one(self)?;
                Operand::Computed(Box::new(move |fr| vec![Val::Int(v(fr).len() as i128)]), Some(FieldType::U32))
            }
            "lower" | "upper" => {
                let (v, _) = one(self)?;
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
                    Some(FieldType::String),
                )
            }
            "string" => {
                let (v, _) = one(self)?;
                Operand::Computed(
                    Box::new(move |fr| {
                        v(fr).into_iter()
                            .map(|x| {
                                Val::Bytes(match x {
                                    Val::Int(i) => i.to_string().into_bytes(),
                                    Val::Float(f) => f.to_string().into_bytes(),
                                    Val::V4(a) => std::net::Ipv4Addr::from(a).to_string().into_bytes(),
                                    Val::V6(a) => std::net::Ipv6Addr::from(a).to_string().into_bytes(),
                                    Val::Bytes(b) => b,
                                })
                            })
                            .collect()
                    }),
                    Some(FieldType::String),
                )
            }
            "abs" => {
                let (v, t) = one(self)?;
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
                    t,
                )
            }
            "max" | "min" => {
                if args.is_empty() {
                    return Err(err(format!("{name}() takes at least one field"), span));
                }
                let mut all = Vec::new();
                for a in args {
                    all.push(self.numeric(a)?);
                }
                let max = name == "max";
                Operand::Computed(
                    Box::new(move |fr| {
                        let vals = all.iter().flat_map(|v| v(fr)).filter_map(|x| if let Val::Int(i) = x { Some(i) } else { None });
                        let r = if max { vals.max() } else { vals.min() };
                        r.map(|i| vec![Val::Int(i)]).unwrap_or_default()
                    }),
                    Some(FieldType::I64),
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
                } else {
                    err(format!("'{w}' is not valid here: {who}needs {}", literal::expected(ty)), span)
                }
            }),
            Operand::Str(s, span) => literal::quoted(ty, &s)
                .ok_or_else(|| err(format!("a string is not valid here: {who}needs {}", literal::expected(ty)), span)),
            Operand::Field { f: g, .. } => Err(err(format!("'{}' is a field: a value is expected here", g.abbrev), Span::default())),
            Operand::Computed(..) => Err(err("a plain value is expected here, not an expression", Span::default())),
        }
    }

    /// Values and type of one side of a comparison, or the literal operand back.
    fn side(&mut self, op: Operand) -> Result<Result<Side, Operand>, ParseError> {
        Ok(match op {
            Operand::Field { f, layer, slice, raw } => {
                self.use_field(f);
                // Slices, raw bytes and protocols compare as bytes.
                let as_bytes = slice.is_some() || raw || f.ty == FieldType::Protocol;
                let ty = if as_bytes { FieldType::Bytes } else { f.ty };
                let plain = layer.is_none() && slice.is_none() && !raw;
                Ok((field_values(f, layer, slice, raw), ty, Some(f), plain))
            }
            Operand::Computed(v, t) => Ok((v, t.unwrap_or(FieldType::I64), None, false)),
            lit => Err(lit),
        })
    }

    fn compare(&mut self, op: CmpOp, a: &Expr, b: &Expr, span: Span) -> Result<Test, ParseError> {
        let (oa, ob) = (self.operand(a)?, self.operand(b)?);
        let (left, right) = (self.side(oa)?, self.side(ob)?);
        let (vals, ty, plain, other, field) = match (left, right) {
            (Ok((lv, _, _, _)), Ok((rv, _, _, _))) => {
                // Field against field: compare every pair of values.
                use std::cmp::Ordering::Equal;
                return Ok(Box::new(move |fr| {
                    let (x, y) = (lv(fr), rv(fr));
                    let equal = |p: &Val| y.iter().any(|q| cmp_vals(p, q) == Some(Equal));
                    match op {
                        CmpOp::Ne => !x.is_empty() && !y.is_empty() && !x.iter().any(equal),
                        CmpOp::AllEq => !x.is_empty() && x.iter().all(equal),
                        _ => x.iter().any(|p| y.iter().any(|q| cmp_holds(op, cmp_vals(p, q)))),
                    }
                }));
            }
            (Ok((v, t, f, plain)), Err(lit)) => (v, t, f.filter(|_| plain), lit, f),
            (Err(lit), Ok((v, t, f, plain))) => {
                // `80 == tcp.port`: swap, mirroring the operator.
                let op = mirror(op);
                return self.finish_compare(op, v, t, f, f.filter(|_| plain), lit, span);
            }
            (Err(Operand::Word(w, s)), Err(_)) | (Err(_), Err(Operand::Word(w, s))) if looks_like_field(&w) => {
                return Err(self.unknown(&w, s))
            }
            (Err(_), Err(_)) => return Err(err("compare a field with a value: both sides are values", span)),
        };
        self.finish_compare(op, vals, ty, field, plain, other, span)
    }

    #[allow(clippy::too_many_arguments)]
    fn finish_compare(
        &mut self,
        op: CmpOp,
        vals: Values,
        ty: FieldType,
        f: Option<&'static FieldDef>,
        plain: Option<&'static FieldDef>,
        lit: Operand,
        _span: Span,
    ) -> Result<Test, ParseError> {
        if op == CmpOp::Matches {
            let (pat, span) = match lit {
                Operand::Str(s, span) => (String::from_utf8_lossy(&s).into_owned(), span),
                Operand::Word(w, span) => return Err(err(format!("'matches' needs a quoted regular expression, found '{w}'"), span)),
                _ => unreachable!("literal operand"),
            };
            let re = regex::bytes::RegexBuilder::new(&pat)
                .size_limit(1 << 20)
                .build()
                .map_err(|e| err(format!("invalid regular expression: {e}"), span))?;
            return Ok(Box::new(move |fr| vals(fr).iter().any(|v| matches_re(&re, v))));
        }
        if op == CmpOp::Contains {
            let needle = match self.literal_for(if matches!(ty, FieldType::String) { FieldType::String } else { FieldType::Bytes }, f, lit) {
                Ok(Lit::Bytes(b)) => b,
                Ok(_) => Vec::new(),
                Err(e) => return Err(e),
            };
            if let Some(field) = plain {
                return Ok(plain_contains(field, needle));
            }
            let finder = memchr::memmem::Finder::new(&needle).into_owned();
            return Ok(Box::new(move |fr| {
                vals(fr).iter().any(|v| match v {
                    Val::Bytes(h) => finder.find(h).is_some(),
                    _ => false,
                })
            }));
        }
        let l = self.literal_for(ty, f, lit)?;
        if let Some(field) = plain {
            return Ok(plain_compare(op, field, l));
        }
        Ok(match op {
            CmpOp::Eq => Box::new(move |fr| vals(fr).iter().any(|v| eq_lit(v, &l))),
            // "!=" is all_ne in Wireshark 4.0; a missing field matches nothing.
            CmpOp::Ne => Box::new(move |fr| {
                let v = vals(fr);
                !v.is_empty() && !v.iter().any(|x| eq_lit(x, &l))
            }),
            CmpOp::AllEq => Box::new(move |fr| {
                let v = vals(fr);
                !v.is_empty() && v.iter().all(|x| eq_lit(x, &l))
            }),
            CmpOp::AnyNe => Box::new(move |fr| vals(fr).iter().any(|v| !eq_lit(v, &l))),
            _ => {
                let lv = lit_val(&l);
                Box::new(move |fr| vals(fr).iter().any(|v| cmp_holds(op, cmp_vals(v, &lv))))
            }
        })
    }

    fn membership(&mut self, a: &Expr, items: &[SetItem], neg: bool) -> Result<Test, ParseError> {
        let oa = self.operand(a)?;
        let (vals, ty, f, _) = match self.side(oa)? {
            Ok(x) => x,
            Err(Operand::Word(w, s)) if looks_like_field(&w) => return Err(self.unknown(&w, s)),
            Err(_) => return Err(err("'in' needs a field on its left", a.span)),
        };
        let mut set: Vec<(Lit, Option<Lit>)> = Vec::with_capacity(items.len());
        for it in items {
            let (lo, hi) = match it {
                SetItem::Value(v) => (v, None),
                SetItem::Range(lo, hi) => (lo, Some(hi)),
            };
            let lo_op = self.operand(lo)?;
            let lo = self.literal_for(ty, f, lo_op)?;
            let hi = match hi {
                Some(h) => {
                    let op = self.operand(h)?;
                    Some(self.literal_for(ty, f, op)?)
                }
                None => None,
            };
            set.push((lo, hi));
        }
        Ok(Box::new(move |fr| {
            let hit = vals(fr).iter().any(|v| {
                set.iter().any(|(lo, hi)| match hi {
                    None => eq_lit(v, lo),
                    Some(hi) => {
                        cmp_holds(CmpOp::Ge, cmp_vals(v, &lit_val(lo))) && cmp_holds(CmpOp::Le, cmp_vals(v, &lit_val(hi)))
                    }
                })
            });
            hit != neg
        }))
    }
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
        Value::RelTime(ns) => View::Float(*ns as f64 / 1e9),
    }
}

/// Order a value against a literal (addresses ignore the prefix here).
fn view_cmp(v: &View<'_>, l: &Lit) -> Option<std::cmp::Ordering> {
    match (v, l) {
        (View::Int(x), Lit::Int(y)) => Some(x.cmp(y)),
        (View::Float(x), Lit::Float(y)) => x.partial_cmp(y),
        (View::Int(x), Lit::Float(y)) => (*x as f64).partial_cmp(y),
        (View::Float(x), Lit::Int(y)) => x.partial_cmp(&(*y as f64)),
        (View::Bytes(x), Lit::Bytes(y)) => Some((*x).cmp(y.as_slice())),
        (View::V4(x), Lit::V4(y, _)) => Some(x.cmp(y)),
        (View::V6(x), Lit::V6(y, _)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// Equality with a literal: addresses with a prefix compare as networks.
fn view_eq(v: &View<'_>, l: &Lit) -> bool {
    match (v, l) {
        (View::V4(a), Lit::V4(n, p)) => {
            let mask = if *p == 0 { 0 } else { u32::MAX << (32 - *p as u32) };
            a & mask == n & mask
        }
        (View::V6(a), Lit::V6(n, p)) => {
            let mask = if *p == 0 { 0 } else { u128::MAX << (128 - *p as u32) };
            a & mask == n & mask
        }
        _ => view_cmp(v, l) == Some(std::cmp::Ordering::Equal),
    }
}

/// The fast path for comparisons of a plain field with a literal
/// (`tcp.port == 443`, `ip.addr == 10.0.0.0/8`, `dns.qry.name == "a.b"`):
/// one walk over the nodes, no allocation.
fn plain_compare(op: CmpOp, field: &'static FieldDef, lit: Lit) -> Test {
    Box::new(move |fr| {
        let (mut n, mut eq, mut ne, mut holds) = (0usize, 0usize, 0usize, false);
        for node in fr.tree.nodes() {
            if !std::ptr::eq(node.field, field) {
                continue;
            }
            let v = view(node, fr.data);
            n += 1;
            if view_eq(&v, &lit) {
                eq += 1;
            } else {
                ne += 1;
            }
            if !holds && !matches!(op, CmpOp::Eq | CmpOp::Ne | CmpOp::AllEq | CmpOp::AnyNe) {
                holds = cmp_holds(op, view_cmp(&v, &lit));
            }
        }
        match op {
            CmpOp::Eq => eq > 0,
            CmpOp::Ne => n > 0 && eq == 0,
            CmpOp::AllEq => n > 0 && ne == 0,
            CmpOp::AnyNe => ne > 0,
            _ => holds,
        }
    })
}

/// `contains` on a plain field: search each value's bytes in place.
fn plain_contains(field: &'static FieldDef, needle: Vec<u8>) -> Test {
    let finder = memchr::memmem::Finder::new(&needle).into_owned();
    Box::new(move |fr| {
        fr.tree.nodes().iter().filter(|n| std::ptr::eq(n.field, field)).any(|n| match view(n, fr.data) {
            View::Bytes(h) => finder.find(h).is_some(),
            _ => false,
        })
    })
}

fn matches_re(re: &Regex, v: &Val) -> bool {
    match v {
        Val::Bytes(b) => re.is_match(b),
        Val::Int(i) => re.is_match(i.to_string().as_bytes()),
        Val::Float(f) => re.is_match(f.to_string().as_bytes()),
        Val::V4(a) => re.is_match(std::net::Ipv4Addr::from(*a).to_string().as_bytes()),
        Val::V6(a) => re.is_match(std::net::Ipv6Addr::from(*a).to_string().as_bytes()),
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

fn cmp_holds(op: CmpOp, o: Option<std::cmp::Ordering>) -> bool {
    use std::cmp::Ordering::*;
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

    struct Mini;
    impl Schema for Mini {
        fn field(&self, name: &str) -> Option<&'static FieldDef> {
            [&PORT, &ADDR, &NAME].into_iter().find(|f| f.abbrev == name)
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
