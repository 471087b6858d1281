//! Recursive-descent parser with Wireshark 4.0's precedence:
//! `or` < `xor` < `and` < `not` < comparison < `&` < `+ -` < `* / %` < unary `-`
//! < slices and layers. Nesting is capped so hostile input cannot overflow
//! the stack.

use thiserror::Error;

use crate::ast::{ArithOp, CmpOp, Expr, ExprKind, LayerSel, SetItem, Slice, Span};
use crate::lexer::{lex, Token, TokenKind};

/// Deepest nesting accepted (parentheses, braces, `not`, unary minus).
const MAX_DEPTH: usize = 200;
/// Most binary operators and postfix operators (`and`, `+`, `[..]`...) in one
/// filter. A chain `a and b and c ...` is a tree as deep as it is long, and
/// everything that walks the tree recurses: 26,000 terms overflowed the
/// stack. Long lists belong in a set: `ip.addr in {...}`.
const MAX_OPERATORS: usize = 1000;

/// A syntax error and where it is.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message}")]
pub struct ParseError {
    /// What is wrong, and what to do about it.
    pub message: String,
    /// Where: put the caret here.
    pub span: Span,
}

impl ParseError {
    pub(crate) fn new(message: impl Into<String>, span: Span) -> Self {
        ParseError { message: message.into(), span }
    }

    /// The filter with a caret line under the error, for terminals.
    pub fn render(&self, src: &str) -> String {
        let start = self.span.start.min(src.len());
        let width = self.span.end.saturating_sub(start).max(1);
        let pad: String = src[..start].chars().map(|_| ' ').collect();
        format!("{src}\n{pad}{}\n{}", "^".repeat(width), self.message)
    }
}

/// Parse a display filter.
pub fn parse(src: &str) -> Result<Expr, ParseError> {
    let tokens = lex(src)?;
    let mut p = Parser { t: tokens, i: 0, depth: 0, operators: 0, end: src.len() };
    if p.t.is_empty() {
        return Err(ParseError::new("the filter is empty", Span { start: 0, end: src.len() }));
    }
    let e = p.or()?;
    if let Some(t) = p.peek() {
        return Err(ParseError::new(format!("unexpected {}", describe(t)), t.span));
    }
    Ok(e)
}

fn describe(t: &Token) -> String {
    match &t.kind {
        TokenKind::Word(w) => format!("'{w}'"),
        TokenKind::Str(_) => "string".into(),
        TokenKind::Op(o) => format!("'{o}'"),
    }
}

struct Parser {
    t: Vec<Token>,
    i: usize,
    depth: usize,
    operators: usize,
    end: usize,
}

fn bin(kind: fn(Box<Expr>, Box<Expr>) -> ExprKind, a: Expr, b: Expr) -> Expr {
    let span = a.span.to(b.span);
    Expr { kind: kind(Box::new(a), Box::new(b)), span }
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.t.get(self.i)
    }

    fn eof_span(&self) -> Span {
        Span { start: self.end, end: self.end }
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Some(Token { kind: TokenKind::Op(o), .. }) if *o == op)
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Token { kind: TokenKind::Word(x), .. }) if x == w)
    }

    fn is_word_at(&self, k: usize, w: &str) -> bool {
        matches!(self.t.get(self.i + k), Some(Token { kind: TokenKind::Word(x), .. }) if x == w)
    }

    fn bump(&mut self) -> Option<Token> {
        let t = self.t.get(self.i).cloned();
        self.i += 1;
        t
    }

    fn expect_op(&mut self, op: &str, what: &str) -> Result<Span, ParseError> {
        match self.peek() {
            Some(t) if t.kind == TokenKind::Op(static_op(op)) => {
                let s = t.span;
                self.i += 1;
                Ok(s)
            }
            Some(t) => Err(ParseError::new(format!("expected {what}, found {}", describe(t)), t.span)),
            None => Err(ParseError::new(format!("expected {what} at the end"), self.eof_span())),
        }
    }

    /// Count one more binary or postfix operator (at the current token).
    fn operator(&mut self) -> Result<(), ParseError> {
        self.operators += 1;
        if self.operators > MAX_OPERATORS {
            let span = self.peek().map(|t| t.span).unwrap_or_else(|| self.eof_span());
            return Err(ParseError::new(
                format!("more than {MAX_OPERATORS} operators: for long lists of values use a set, e.g. ip.addr in {{10.0.0.1, 10.0.0.2}}"),
                span,
            ));
        }
        Ok(())
    }

    fn enter(&mut self, span: Span) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError::new(format!("nested more than {MAX_DEPTH} levels deep"), span));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        let mut a = self.xor()?;
        while self.is_word("or") || self.is_op("||") {
            self.operator()?;
            self.i += 1;
            let b = self.xor()?;
            a = bin(ExprKind::Or, a, b);
        }
        Ok(a)
    }

    fn xor(&mut self) -> Result<Expr, ParseError> {
        let mut a = self.and()?;
        while self.is_word("xor") || self.is_op("^^") {
            self.operator()?;
            self.i += 1;
            let b = self.and()?;
            a = bin(ExprKind::Xor, a, b);
        }
        Ok(a)
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut a = self.not()?;
        while self.is_word("and") || self.is_op("&&") {
            self.operator()?;
            self.i += 1;
            let b = self.not()?;
            a = bin(ExprKind::And, a, b);
        }
        Ok(a)
    }

    fn not(&mut self) -> Result<Expr, ParseError> {
        if self.is_word("not") || self.is_op("!") {
            let start = self.bump().map(|t| t.span).unwrap_or_default();
            self.enter(start)?;
            let e = self.not()?;
            self.depth -= 1;
            let span = start.to(e.span);
            return Ok(Expr { kind: ExprKind::Not(Box::new(e)), span });
        }
        self.relation()
    }

    fn cmp_op(&self) -> Option<CmpOp> {
        let t = self.peek()?;
        Some(match &t.kind {
            TokenKind::Op("==") => CmpOp::Eq,
            TokenKind::Op("!=") => CmpOp::Ne,
            TokenKind::Op("===") => CmpOp::AllEq,
            TokenKind::Op("!==") => CmpOp::AnyNe,
            TokenKind::Op(">") => CmpOp::Gt,
            TokenKind::Op("<") => CmpOp::Lt,
            TokenKind::Op(">=") => CmpOp::Ge,
            TokenKind::Op("<=") => CmpOp::Le,
            TokenKind::Op("~") => CmpOp::Matches,
            TokenKind::Word(w) => match w.as_str() {
                "eq" | "any_eq" => CmpOp::Eq,
                "ne" | "all_ne" => CmpOp::Ne,
                "all_eq" => CmpOp::AllEq,
                "any_ne" => CmpOp::AnyNe,
                "gt" => CmpOp::Gt,
                "lt" => CmpOp::Lt,
                "ge" => CmpOp::Ge,
                "le" => CmpOp::Le,
                "contains" => CmpOp::Contains,
                "matches" => CmpOp::Matches,
                _ => return None,
            },
            _ => return None,
        })
    }

    fn relation(&mut self) -> Result<Expr, ParseError> {
        let quant = (self.is_word("any") || self.is_word("all")) && self.t.get(self.i + 1).is_some_and(|t| {
            matches!(&t.kind, TokenKind::Word(_) | TokenKind::Op("(" | "@" | "{" | "-"))
        });
        if quant {
            let (all, start) = match self.bump() {
                Some(Token { kind: TokenKind::Word(w), span }) => (w == "all", span),
                _ => unreachable!("checked above"),
            };
            self.enter(start)?;
            let e = self.relation()?;
            self.depth -= 1;
            if !matches!(e.kind, ExprKind::Cmp(..) | ExprKind::In(..)) {
                return Err(ParseError::new(format!("'{}' must be followed by a comparison or 'in' test", if all { "all" } else { "any" }), start.to(e.span)));
            }
            let span = start.to(e.span);
            return Ok(Expr { kind: ExprKind::Quant(all, Box::new(e)), span });
        }
        let a = self.bitand()?;
        if let Some(op) = self.cmp_op() {
            self.i += 1;
            let b = self.bitand()?;
            let span = a.span.to(b.span);
            return Ok(Expr { kind: ExprKind::Cmp(op, Box::new(a), Box::new(b)), span });
        }
        let negated = self.is_word("not") && self.is_word_at(1, "in");
        if self.is_word("in") || negated {
            self.i += if negated { 2 } else { 1 };
            let (items, end) = self.set()?;
            let span = a.span.to(end);
            return Ok(Expr { kind: ExprKind::In(Box::new(a), items, negated), span });
        }
        Ok(a)
    }

    /// `{ a, b..c d }`: commas (Wireshark 4.0) or spaces (later releases).
    fn set(&mut self) -> Result<(Vec<SetItem>, Span), ParseError> {
        self.expect_op("{", "'{' to open the set")?;
        let mut items = Vec::new();
        loop {
            if self.is_op("}") {
                let end = self.bump().map(|t| t.span).unwrap_or_default();
                if items.is_empty() {
                    return Err(ParseError::new("the set is empty", end));
                }
                return Ok((items, end));
            }
            if self.peek().is_none() {
                return Err(ParseError::new("the set is not closed: a '}' is missing", self.eof_span()));
            }
            let lo = self.bitand()?;
            if self.is_op("..") {
                self.i += 1;
                let hi = self.bitand()?;
                items.push(SetItem::Range(lo, hi));
            } else {
                items.push(SetItem::Value(lo));
            }
            if self.is_op(",") {
                let comma = self.bump().map(|t| t.span).unwrap_or_default();
                if self.is_op("}") {
                    return Err(ParseError::new("a value is missing after ','", comma));
                }
            }
        }
    }

    fn bitand(&mut self) -> Result<Expr, ParseError> {
        let mut a = self.sum()?;
        while self.is_op("&") || self.is_word("bitwise_and") {
            self.operator()?;
            self.i += 1;
            let b = self.sum()?;
            let span = a.span.to(b.span);
            a = Expr { kind: ExprKind::Arith(ArithOp::BitAnd, Box::new(a), Box::new(b)), span };
        }
        Ok(a)
    }

    fn sum(&mut self) -> Result<Expr, ParseError> {
        let mut a = self.product()?;
        loop {
            let op = if self.is_op("+") {
                ArithOp::Add
            } else if self.is_op("-") {
                ArithOp::Sub
            } else {
                return Ok(a);
            };
            self.operator()?;
            self.i += 1;
            let b = self.product()?;
            let span = a.span.to(b.span);
            a = Expr { kind: ExprKind::Arith(op, Box::new(a), Box::new(b)), span };
        }
    }

    fn product(&mut self) -> Result<Expr, ParseError> {
        let mut a = self.unary()?;
        loop {
            let op = if self.is_op("*") {
                ArithOp::Mul
            } else if self.is_op("/") {
                ArithOp::Div
            } else if self.is_op("%") {
                ArithOp::Mod
            } else {
                return Ok(a);
            };
            self.operator()?;
            self.i += 1;
            let b = self.unary()?;
            let span = a.span.to(b.span);
            a = Expr { kind: ExprKind::Arith(op, Box::new(a), Box::new(b)), span };
        }
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.is_op("-") {
            let start = self.bump().map(|t| t.span).unwrap_or_default();
            self.enter(start)?;
            let e = self.unary()?;
            self.depth -= 1;
            let span = start.to(e.span);
            return Ok(Expr { kind: ExprKind::Neg(Box::new(e)), span });
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Result<Expr, ParseError> {
        let mut e = self.primary()?;
        loop {
            if self.is_op("[") || self.is_op("#") {
                self.operator()?;
            }
            if self.is_op("[") {
                let open = self.bump().map(|t| t.span).unwrap_or_default();
                let (slice, close) = self.slice(open)?;
                let span = e.span.to(close);
                e = Expr { kind: ExprKind::Slice(Box::new(e), slice), span };
            } else if self.is_op("#") {
                let hash = self.bump().map(|t| t.span).unwrap_or_default();
                if matches!(e.kind, ExprKind::Layer(..)) {
                    return Err(ParseError::new("a field takes one layer operator '#', not two", hash));
                }
                let (sel, end) = self.layer(hash)?;
                let span = e.span.to(end);
                e = Expr { kind: ExprKind::Layer(Box::new(e), sel), span };
            } else {
                return Ok(e);
            }
        }
    }

    /// The tokens between `[` and `]` as text, e.g. `-4:`, `1-3`, `:2`.
    fn bracket_text(&mut self, open: Span) -> Result<(String, Span), ParseError> {
        let mut text = String::new();
        loop {
            match self.bump() {
                Some(Token { kind: TokenKind::Op("]"), span }) => return Ok((text, span)),
                Some(Token { kind: TokenKind::Op(o), .. }) if matches!(o, "-" | ":" | ",") => text.push_str(o),
                Some(Token { kind: TokenKind::Word(w), .. }) => text.push_str(&w),
                Some(t) => return Err(ParseError::new(format!("unexpected {} inside '[...]'", describe(&t)), t.span)),
                None => return Err(ParseError::new("'[' is not closed: a ']' is missing", open)),
            }
        }
    }

    fn slice(&mut self, open: Span) -> Result<(Slice, Span), ParseError> {
        let (text, close) = self.bracket_text(open)?;
        let span = open.to(close);
        let parts = text.split(',').map(|t| slice_part(t, span)).collect::<Result<Vec<_>, _>>()?;
        let slice = if parts.len() == 1 { parts.into_iter().next().unwrap_or(Slice::Index(0)) } else { Slice::Concat(parts) };
        Ok((slice, close))
    }

    fn layer(&mut self, hash: Span) -> Result<(LayerSel, Span), ParseError> {
        match self.bump() {
            Some(Token { kind: TokenKind::Word(w), span }) => {
                let n = w.parse::<i64>().map_err(|_| ParseError::new(format!("layer number expected after '#', found '{w}'"), span))?;
                Ok((LayerSel::One(n), span))
            }
            Some(Token { kind: TokenKind::Op("["), span }) => {
                let (text, close) = self.bracket_text(span)?;
                let bad = || ParseError::new(format!("invalid layer range #[{text}]: use #[a-b]"), span.to(close));
                let (a, b) = text.split_once('-').unwrap_or((&text, &text));
                let (a, b): (i64, i64) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
                if b < a {
                    return Err(ParseError::new(format!("invalid layer range #[{text}]: the end comes before the start"), span.to(close)));
                }
                Ok((LayerSel::Range(a, b), close))
            }
            _ => Err(ParseError::new("layer number expected after '#'", hash)),
        }
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        let Some(t) = self.bump() else {
            return Err(ParseError::new("the filter ends too early: a value or field is missing", self.eof_span()));
        };
        match t.kind {
            TokenKind::Op("(") => {
                self.enter(t.span)?;
                let e = self.or()?;
                self.depth -= 1;
                let close = self.expect_op(")", "')'")?;
                Ok(Expr { kind: e.kind, span: t.span.to(close) })
            }
            TokenKind::Op("{") => {
                self.enter(t.span)?;
                let e = self.bitand()?;
                self.depth -= 1;
                let close = self.expect_op("}", "'}'")?;
                Ok(Expr { kind: e.kind, span: t.span.to(close) })
            }
            TokenKind::Op("@") => match self.bump() {
                Some(Token { kind: TokenKind::Word(w), span }) => Ok(Expr { kind: ExprKind::Raw(w), span: t.span.to(span) }),
                _ => Err(ParseError::new("a field name is expected after '@'", t.span)),
            },
            TokenKind::Str(s) => Ok(Expr { kind: ExprKind::Str(s), span: t.span }),
            TokenKind::Word(w) => {
                if is_keyword(&w) {
                    return Err(ParseError::new(format!("'{w}' needs a value or field before it"), t.span));
                }
                if self.is_op("(") {
                    self.i += 1;
                    self.enter(t.span)?;
                    let mut args = Vec::new();
                    if !self.is_op(")") {
                        loop {
                            args.push(self.bitand()?);
                            if self.is_op(",") {
                                self.i += 1;
                                continue;
                            }
                            break;
                        }
                    }
                    self.depth -= 1;
                    let close = self.expect_op(")", "')' to close the function call")?;
                    return Ok(Expr { kind: ExprKind::Call(w, args), span: t.span.to(close) });
                }
                Ok(Expr { kind: ExprKind::Word(w), span: t.span })
            }
            TokenKind::Op(o) => Err(ParseError::new(format!("unexpected '{o}': a value or field is expected here"), t.span)),
        }
    }
}

/// One range of a slice: `i:j`, `i-j`, `i`, `:j`, `i:`. Empty and
/// backwards ranges are refused, as Wireshark does.
fn slice_part(text: &str, span: Span) -> Result<Slice, ParseError> {
    let bad = || ParseError::new(format!("invalid slice [{text}]: use [i:j], [i-j], [i], [:j] or [i:]"), span);
    let num = |s: &str| s.parse::<i64>().map_err(|_| bad());
    if let Some((a, b)) = text.split_once(':') {
        let a = if a.is_empty() { None } else { Some(num(a)?) };
        let b = if b.is_empty() { None } else { Some(num(b)?) };
        if a.is_none() && b.is_none() {
            return Err(bad());
        }
        if b.is_some_and(|l| l <= 0) {
            return Err(ParseError::new(format!("invalid slice [{text}]: the length must be at least 1"), span));
        }
        Ok(Slice::StartLen(a, b))
    } else if let Some(pos) = text.get(1..).and_then(|t| t.find('-')).map(|p| p + 1) {
        let (a, b) = (num(&text[..pos])?, num(&text[pos + 1..])?);
        if (a >= 0) == (b >= 0) && b < a {
            return Err(ParseError::new(format!("invalid slice [{text}]: the end comes before the start"), span));
        }
        Ok(Slice::StartEnd(a, b))
    } else {
        Ok(Slice::Index(num(text)?))
    }
}

fn is_keyword(w: &str) -> bool {
    matches!(
        w,
        "and" | "or" | "xor" | "not" | "in" | "contains" | "matches" | "eq" | "ne" | "gt" | "lt" | "ge" | "le" | "any_eq"
            | "all_ne" | "all_eq" | "any_ne" | "bitwise_and"
    )
}

fn static_op(op: &str) -> &'static str {
    match op {
        "(" => "(",
        ")" => ")",
        "{" => "{",
        "}" => "}",
        "[" => "[",
        "]" => "]",
        _ => "?",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(s: &str) -> String {
        parse(s).map(|e| e.to_string()).unwrap_or_else(|e| format!("error: {e}"))
    }

    #[test]
    fn precedence_and_word_forms() {
        assert_eq!(show("ip.addr == 10.0.1.23 && tcp.port == 39836"), "((ip.addr == 10.0.1.23) and (tcp.port == 39836))");
        assert_eq!(show("a or b and not c"), "(a or (b and (not c)))");
        assert_eq!(show("a || b ^^ c"), "(a or (b xor c))");
        assert_eq!(show("http.response.code ge 400"), "(http.response.code >= 400)");
        assert_eq!(show("tcp.flags & 0x02"), "{tcp.flags & 0x02}");
        assert_eq!(show("frame.len + 2 * 3 > 10"), "({frame.len + {2 * 3}} > 10)");
        assert_eq!(show("-tcp.port < -1"), "(-{tcp.port} < -{1})");
    }

    #[test]
    fn sets_slices_layers_functions() {
        assert_eq!(show("tcp.port in {80, 443, 8000..8100}"), "(tcp.port in {80, 443, 8000..8100})");
        assert_eq!(show("tcp.port not in {80 443}"), "(tcp.port not in {80, 443})");
        assert_eq!(show("eth.src[0:3] == 00:1b:21"), "(eth.src[0:3] == 00:1b:21)");
        assert_eq!(show("frame[-4:] == 01:02:03:04"), "(frame[-4:] == 01:02:03:04)");
        assert_eq!(show("ip.src#2 == 10.0.0.1 and ip.dst#[1-2]"), "((ip.src#2 == 10.0.0.1) and ip.dst#[1-2])");
        assert_eq!(show("len(http.host) > 3 and lower(http.host) contains \"x\""), "((len(http.host) > 3) and (lower(http.host) contains \"x\"))");
        assert_eq!(show("@tcp.payload contains 47:45:54"), "(@tcp.payload contains 47:45:54)");
        assert_eq!(show("dns.qry.name matches \"(?i)bench\""), "(dns.qry.name matches \"(?i)bench\")");
    }

    #[test]
    fn errors_have_spans() {
        let e = parse("tcp.port == ").unwrap_err();
        assert!(e.message.contains("ends too early"), "{e}");
        let e = parse("(tcp.port == 1").unwrap_err();
        assert!(e.message.contains("')'"), "{e}");
        let e = parse("tcp.port == 1 2").unwrap_err();
        assert_eq!(e.span, Span { start: 14, end: 15 });
        assert_eq!(e.render("tcp.port == 1 2"), "tcp.port == 1 2\n              ^\nunexpected '2'");
        assert!(parse("").is_err());
        assert!(parse("a in {}").is_err());
        assert!(parse("a[1:2:3]").is_err());
    }

    #[test]
    fn hostile_input_gets_an_error_or_a_result() {
        let deep = format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(parse(&deep).unwrap_err().message.contains("nested"));
        let chain = vec!["tcp"; 26_000].join("&&");
        assert!(parse(&chain).unwrap_err().message.contains("use a set"));
        let sum = format!("tcp.len{} == 1", "+1".repeat(5000));
        assert!(parse(&sum).is_err());
        assert!(parse(&vec!["tcp"; 1000].join(" or ")).is_ok());
        let nots = "not ".repeat(10_000) + "a";
        assert!(parse(&nots).is_err());
        let big_set = format!("a in {{{}}}", (0..100_000).map(|i| i.to_string()).collect::<Vec<_>>().join(","));
        match parse(&big_set).unwrap().kind {
            ExprKind::In(_, items, false) => assert_eq!(items.len(), 100_000),
            other => panic!("{other:?}"),
        }
        assert!(parse("a == \"\0\u{1}\"").is_ok());
    }
}
