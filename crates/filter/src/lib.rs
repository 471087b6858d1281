//! Wireshark's display-filter language (wireshark-filter(4), Wireshark 4.0, plus
//! `xor` and space-separated sets from later releases).
//!
//! This crate depends on nothing but the standard library: the later stages
//! (type-checking against the field registry, compilation to closures) take
//! the registry as a parameter, so the TUI, HTTP view and capture commands can
//! reuse the same front end. Parsing keeps a byte span on every node so errors
//! can put a caret under the offending text.
//!
//! Bare words (`tcp.port`, `10.0.0.1`, `00:1b:21`, `fe80::1`, `443`) stay words
//! here: whether a word is a field or a literal, and which kind of literal, is
//! decided by the type checker, as Wireshark does.
#![warn(missing_docs)]

mod ast;
mod compile;
mod lexer;
mod literal;
mod parser;

pub use ast::{ArithOp, CmpOp, Expr, ExprKind, LayerSel, SetItem, Slice, Span};
pub use compile::{Filter, Frame, Schema, Val};
pub use lexer::{lex, Token, TokenKind};
pub use literal::WrittenTime;
pub use parser::{parse, ParseError};
