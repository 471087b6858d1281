//! Tokens with spans. Words are maximal runs of the characters Wireshark
//! allows in unquoted values and field names (`[A-Za-z0-9_.:/-]`, not starting
//! with `-`), except that `..` always ends a word (set ranges: `80..90`).

use crate::ast::Span;
use crate::parser::ParseError;

/// Kinds of token.
#[derive(Debug, Clone, PartialEq)]
pub enum TokenKind {
    /// A bare word (field, keyword or unquoted literal).
    Word(String),
    /// A quoted string, escapes resolved.
    Str(Vec<u8>),
    /// Punctuation and operators: `==`, `(`, `..`, `&&`...
    Op(&'static str),
}

/// A token and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Where it is.
    pub span: Span,
}

/// Operators, longest first so `===` wins over `==`.
const OPS: &[&str] = &[
    "===", "!==", "==", "!=", ">=", "<=", "&&", "||", "^^", "..", ">", "<", "!", "~", "(", ")", "{", "}", "[", "]",
    ",", "#", "@", "+", "-", "*", "/", "%", "&",
];

fn is_word_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b':' | b'/' | b'-')
}

/// Split a filter into tokens.
pub fn lex(src: &str) -> Result<Vec<Token>, ParseError> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'"' {
            let (s, end) = string(src, i)?;
            out.push(Token { kind: TokenKind::Str(s), span: Span { start: i, end } });
            i = end;
            continue;
        }
        if c == b'r' && b.get(i + 1) == Some(&b'"') {
            let (s, end) = raw_string(src, i + 1)?;
            out.push(Token { kind: TokenKind::Str(s), span: Span { start: i, end } });
            i = end;
            continue;
        }
        if c == b'\'' {
            // A character constant is an integer: 'A', '\n', '\x41', '\101'.
            let (v, end) = char_constant(src, i)?;
            // Written in hex so it reads as the integer for numbers and as
            // the byte for byte strings.
            out.push(Token { kind: TokenKind::Word(format!("0x{v:02x}")), span: Span { start: i, end } });
            i = end;
            continue;
        }
        // '/' and '-' only continue words (CIDR masks, byte strings): alone they are operators.
        if is_word_char(c) && c != b'-' && c != b'/' && !(c == b'.' && b.get(i + 1) == Some(&b'.')) {
            let start = i;
            while i < b.len() && is_word_char(b[i]) && !(b[i] == b'.' && b.get(i + 1) == Some(&b'.')) {
                i += 1;
            }
            out.push(Token { kind: TokenKind::Word(src[start..i].to_string()), span: Span { start, end: i } });
            continue;
        }
        if let Some(op) = OPS.iter().find(|op| src[i..].starts_with(**op)) {
            out.push(Token { kind: TokenKind::Op(op), span: Span { start: i, end: i + op.len() } });
            i += op.len();
            continue;
        }
        let ch = src[i..].chars().next().unwrap_or('?');
        return Err(ParseError::new(format!("unexpected character {ch:?}"), Span { start: i, end: i + ch.len_utf8() }));
    }
    Ok(out)
}

/// A quoted string starting at `start` (the opening quote): its bytes and the
/// offset after the closing quote.
fn string(src: &str, start: usize) -> Result<(Vec<u8>, usize), ParseError> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'"' => return Ok((out, i + 1)),
            b'\\' => {
                let (v, used) = escape(src, i)?;
                out.extend(v);
                i += used;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Err(ParseError::new("string is not closed: a '\"' is missing", Span { start, end: b.len() }))
}

/// A raw string `r"..."` (quote at `quote`): no escapes, so regular
/// expressions keep their backslashes. Returns the bytes and the end.
fn raw_string(src: &str, quote: usize) -> Result<(Vec<u8>, usize), ParseError> {
    match src[quote + 1..].find('"') {
        Some(n) => Ok((src.as_bytes()[quote + 1..quote + 1 + n].to_vec(), quote + n + 2)),
        None => Err(ParseError::new("raw string is not closed: a '\"' is missing", Span { start: quote - 1, end: src.len() })),
    }
}

/// A character constant at `start` (the opening quote): its value and end.
fn char_constant(src: &str, start: usize) -> Result<(u32, usize), ParseError> {
    let b = src.as_bytes();
    let bad = || ParseError::new("invalid character constant: use 'A', '\\n', '\\x41' or '\\101'", Span { start, end: (start + 3).min(b.len()) });
    let (v, used) = match b.get(start + 1) {
        Some(b'\\') => {
            let (v, used) = escape(src, start + 1).map_err(|_| bad())?;
            if v.len() != 1 {
                return Err(bad());
            }
            (v[0] as u32, used)
        }
        Some(&c) if c != b'\'' && c.is_ascii() => (c as u32, 1),
        _ => return Err(bad()),
    };
    if b.get(start + 1 + used) != Some(&b'\'') {
        return Err(bad());
    }
    Ok((v, start + used + 2))
}

/// One escape sequence at `at` (the backslash): its bytes and its length.
fn escape(src: &str, at: usize) -> Result<(Vec<u8>, usize), ParseError> {
    let b = src.as_bytes();
    let bad = |len: usize, what: &str| ParseError::new(format!("invalid escape sequence: {what}"), Span { start: at, end: (at + len).min(b.len()) });
    let Some(&c) = b.get(at + 1) else { return Err(bad(1, "nothing after '\\'")) };
    let simple = match c {
        b'a' => Some(7),
        b'b' => Some(8),
        b'f' => Some(12),
        b'n' => Some(b'\n'),
        b'r' => Some(b'\r'),
        b't' => Some(b'\t'),
        b'v' => Some(11),
        b'\\' => Some(b'\\'),
        b'"' => Some(b'"'),
        b'\'' => Some(b'\''),
        _ => None,
    };
    if let Some(v) = simple {
        return Ok((vec![v], 2));
    }
    let hex_digits = |from: usize, max: usize| {
        let mut n = 0;
        while n < max && b.get(from + n).is_some_and(|c| c.is_ascii_hexdigit()) {
            n += 1;
        }
        n
    };
    match c {
        b'x' => {
            let n = hex_digits(at + 2, 2);
            if n == 0 {
                return Err(bad(2, "\\x needs hex digits"));
            }
            let v = u8::from_str_radix(&src[at + 2..at + 2 + n], 16).map_err(|_| bad(2 + n, "\\x"))?;
            Ok((vec![v], 2 + n))
        }
        b'0'..=b'7' => {
            let mut n = 0;
            while n < 3 && b.get(at + 1 + n).is_some_and(|c| (b'0'..=b'7').contains(c)) {
                n += 1;
            }
            let v = u32::from_str_radix(&src[at + 1..at + 1 + n], 8).map_err(|_| bad(1 + n, "octal"))?;
            if v > 255 {
                return Err(bad(1 + n, "octal value above \\377"));
            }
            Ok((vec![v as u8], 1 + n))
        }
        b'u' | b'U' => {
            let want = if c == b'u' { 4 } else { 8 };
            let n = hex_digits(at + 2, want);
            if n != want {
                return Err(bad(2 + n, "\\u needs 4 hex digits, \\U 8"));
            }
            let v = u32::from_str_radix(&src[at + 2..at + 2 + n], 16).map_err(|_| bad(2 + n, "unicode"))?;
            let ch = char::from_u32(v).ok_or_else(|| bad(2 + n, "not a Unicode scalar value"))?;
            let mut buf = [0u8; 4];
            Ok((ch.encode_utf8(&mut buf).as_bytes().to_vec(), 2 + n))
        }
        _ => Err(bad(2, &format!("'\\{}'", c as char))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<TokenKind> {
        lex(s).unwrap().into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn words_operators_strings() {
        use TokenKind::*;
        assert_eq!(
            kinds("ip.addr==10.0.0.0/8&&tcp.port in {80..90 443}"),
            vec![
                Word("ip.addr".into()),
                Op("=="),
                Word("10.0.0.0/8".into()),
                Op("&&"),
                Word("tcp.port".into()),
                Word("in".into()),
                Op("{"),
                Word("80".into()),
                Op(".."),
                Word("90".into()),
                Word("443".into()),
                Op("}"),
            ]
        );
        assert_eq!(kinds(r#""a\x41\101\n\"\u00e9""#), vec![Str(b"aAA\n\"\xc3\xa9".to_vec())]);
        assert_eq!(kinds("eth.src[0:3] == 00:1b:21"), kinds("eth.src [ 0:3 ]==00:1b:21"));
        assert_eq!(kinds("fe80::1 === aa-bb-cc"), vec![Word("fe80::1".into()), Op("==="), Word("aa-bb-cc".into())]);
    }

    #[test]
    fn errors_point_at_the_text() {
        let e = lex("tcp.port == \"abc").unwrap_err();
        assert_eq!(e.span.start, 12);
        let e = lex("a $ b").unwrap_err();
        assert_eq!((e.span.start, e.span.end), (2, 3));
        assert!(lex(r#""\q""#).is_err());
        assert!(lex(r#""\777""#).is_err());
    }
}
