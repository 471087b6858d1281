//! The syntax tree, with spans, and its canonical text form.

use std::fmt;

/// A byte range of the filter text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span covering both.
    pub fn to(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }
}

/// Comparison operators (symbol and word forms parse to the same variant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `==`, `eq`, `any_eq`: any value equal.
    Eq,
    /// `!=`, `ne`, `all_ne`: no value equal.
    Ne,
    /// `===`, `all_eq`: every value equal.
    AllEq,
    /// `!==`, `any_ne`: some value different.
    AnyNe,
    /// `>`, `gt`.
    Gt,
    /// `<`, `lt`.
    Lt,
    /// `>=`, `ge`.
    Ge,
    /// `<=`, `le`.
    Le,
    /// `contains`.
    Contains,
    /// `matches`, `~`.
    Matches,
}

impl CmpOp {
    fn text(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::AllEq => "===",
            CmpOp::AnyNe => "!==",
            CmpOp::Gt => ">",
            CmpOp::Lt => "<",
            CmpOp::Ge => ">=",
            CmpOp::Le => "<=",
            CmpOp::Contains => "contains",
            CmpOp::Matches => "matches",
        }
    }
}

/// Arithmetic and bitwise operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
    /// `%`.
    Mod,
    /// `&` (bitwise and).
    BitAnd,
}

impl ArithOp {
    fn text(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
            ArithOp::Mod => "%",
            ArithOp::BitAnd => "&",
        }
    }
}

/// A slice `[...]` after a field: ranges as Wireshark writes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slice {
    /// `[i:j]`: start and length (either may be omitted: `[:j]`, `[i:]`).
    StartLen(Option<i64>, Option<i64>),
    /// `[i-j]`: start and end, inclusive.
    StartEnd(i64, i64),
    /// `[i]`: one byte.
    Index(i64),
    /// `[a,b,...]`: the pieces joined.
    Concat(Vec<Slice>),
}

impl fmt::Display for Slice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Slice::StartLen(a, b) => {
                if let Some(a) = a {
                    write!(f, "{a}")?;
                }
                f.write_str(":")?;
                if let Some(b) = b {
                    write!(f, "{b}")?;
                }
                Ok(())
            }
            Slice::StartEnd(a, b) => write!(f, "{a}-{b}"),
            Slice::Index(i) => write!(f, "{i}"),
            Slice::Concat(parts) => {
                for (i, p) in parts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{p}")?;
                }
                Ok(())
            }
        }
    }
}

/// The layer operator: `#2` or `#[2-4]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerSel {
    /// `#n`.
    One(i64),
    /// `#[a-b]`.
    Range(i64, i64),
}

/// One element of a membership set.
#[derive(Debug, Clone, PartialEq)]
pub enum SetItem {
    /// A value.
    Value(Expr),
    /// `a..b`.
    Range(Expr, Expr),
}

/// What a node is.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A bare word: a field, a protocol, or an unquoted literal (decided later).
    Word(String),
    /// `"..."` with escapes resolved (bytes, since `\xff` need not be UTF-8).
    Str(Vec<u8>),
    /// A field used for its raw bytes: `@tcp.payload`.
    Raw(String),
    /// `x[...]`.
    Slice(Box<Expr>, Slice),
    /// `x#n`.
    Layer(Box<Expr>, LayerSel),
    /// `name(args)`.
    Call(String, Vec<Expr>),
    /// `-x`.
    Neg(Box<Expr>),
    /// `a + b` and friends.
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    /// `a == b` and friends.
    Cmp(CmpOp, Box<Expr>, Box<Expr>),
    /// `x in {...}` (negated for `not in`).
    In(Box<Expr>, Vec<SetItem>, bool),
    /// `any ...` / `all ...` before a comparison or membership test: true
    /// for `all` when every value of the field satisfies it.
    Quant(bool, Box<Expr>),
    /// `not x`.
    Not(Box<Expr>),
    /// `a and b`.
    And(Box<Expr>, Box<Expr>),
    /// `a or b`.
    Or(Box<Expr>, Box<Expr>),
    /// `a xor b`.
    Xor(Box<Expr>, Box<Expr>),
}

/// A node and the text it came from.
#[derive(Debug, Clone)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it is.
    pub span: Span,
}

/// Trees compare by structure only: the same filter written with other
/// spacing is the same filter.
impl PartialEq for Expr {
    fn eq(&self, other: &Expr) -> bool {
        self.kind == other.kind
    }
}

fn write_str_lit(f: &mut fmt::Formatter<'_>, b: &[u8]) -> fmt::Result {
    f.write_str("\"")?;
    for &c in b {
        match c {
            b'"' => f.write_str("\\\"")?,
            b'\\' => f.write_str("\\\\")?,
            b'\n' => f.write_str("\\n")?,
            b'\t' => f.write_str("\\t")?,
            b'\r' => f.write_str("\\r")?,
            0x20..=0x7e => write!(f, "{}", c as char)?,
            _ => write!(f, "\\x{c:02x}")?,
        }
    }
    f.write_str("\"")
}

/// The operator of a left-associative chain link and its precedence class.
fn link(e: &Expr) -> Option<(&Expr, &'static str, &Expr, u8)> {
    match &e.kind {
        ExprKind::And(a, b) => Some((a, "and", b, 0)),
        ExprKind::Or(a, b) => Some((a, "or", b, 1)),
        ExprKind::Xor(a, b) => Some((a, "xor", b, 2)),
        ExprKind::Arith(op, a, b) => {
            let class = match op {
                ArithOp::Add | ArithOp::Sub => 3,
                ArithOp::Mul | ArithOp::Div | ArithOp::Mod => 4,
                ArithOp::BitAnd => 5,
            };
            Some((a, op.text(), b, class))
        }
        _ => None,
    }
}

/// `a and b and c` without the brackets a fully parenthesised form would
/// nest (a chain of 1,000 terms would be 1,000 brackets deep, past the
/// parser's nesting cap): links of one precedence class print flat, which
/// parses back to the same left-deep tree.
fn write_chain(f: &mut fmt::Formatter<'_>, e: &Expr) -> fmt::Result {
    let Some((a, op, b, class)) = link(e) else { return write!(f, "{e}") };
    let mut links = vec![(op, b)];
    let mut left = a;
    while let Some((a2, op2, b2, c2)) = link(left) {
        if c2 != class {
            break;
        }
        links.push((op2, b2));
        left = a2;
    }
    write!(f, "{left}")?;
    for (op, b) in links.iter().rev() {
        write!(f, " {op} {b}")?;
    }
    Ok(())
}

/// The canonical text: fully parenthesised, so printing and parsing again
/// gives the same tree whatever the precedence rules.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Word(w) => f.write_str(w),
            ExprKind::Str(s) => write_str_lit(f, s),
            ExprKind::Raw(w) => write!(f, "@{w}"),
            ExprKind::Slice(e, s) => {
                write!(f, "{e}[{s}]")
            }
            ExprKind::Layer(e, LayerSel::One(n)) => write!(f, "{e}#{n}"),
            ExprKind::Layer(e, LayerSel::Range(a, b)) => write!(f, "{e}#[{a}-{b}]"),
            ExprKind::Call(name, args) => {
                write!(f, "{name}(")?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{a}")?;
                }
                f.write_str(")")
            }
            ExprKind::Neg(e) => write!(f, "-{{{e}}}"),
            ExprKind::Arith(op, a, b) => {
                f.write_str("{")?;
                write_chain(f, self)?;
                let _ = (op, a, b);
                f.write_str("}")
            }
            ExprKind::Cmp(op, a, b) => write!(f, "({a} {} {b})", op.text()),
            ExprKind::In(e, items, neg) => {
                write!(f, "({e} {}in {{", if *neg { "not " } else { "" })?;
                for (i, it) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    match it {
                        SetItem::Value(v) => write!(f, "{v}")?,
                        SetItem::Range(a, b) => write!(f, "{a}..{b}")?,
                    }
                }
                f.write_str("})")
            }
            ExprKind::Quant(all, e) => write!(f, "({} {e})", if *all { "all" } else { "any" }),
            ExprKind::Not(e) => write!(f, "(not {e})"),
            ExprKind::And(..) | ExprKind::Or(..) | ExprKind::Xor(..) => {
                f.write_str("(")?;
                write_chain(f, self)?;
                f.write_str(")")
            }
        }
    }
}
