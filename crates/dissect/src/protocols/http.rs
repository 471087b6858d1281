//! HTTP/1.x (RFC 9112): the field names only, for now.
//!
//! The fields are registered so that `-e http.host` and filters naming HTTP
//! fields are accepted as in tshark; HTTP dissection (on TCP reassembly)
//! arrives with the streams-and-HTTP issue. Until then no port is registered
//! and TCP payload on port 80 is shown as `data`, and these fields stay empty.

use wirecrab_core::{Buf, FieldDef, FieldType as T};

use crate::ctx::{Ctx, Next};
use crate::registry::Protocol;

static HTTP: FieldDef = FieldDef::new("http", "Hypertext Transfer Protocol", T::Protocol);
static REQUEST: FieldDef = FieldDef::new("http.request", "Request", T::Bool);
static RESPONSE: FieldDef = FieldDef::new("http.response", "Response", T::Bool);
static METHOD: FieldDef = FieldDef::new("http.request.method", "Request Method", T::String);
static URI: FieldDef = FieldDef::new("http.request.uri", "Request URI", T::String);
static VERSION: FieldDef = FieldDef::new("http.request.version", "Request Version", T::String);
static HOST: FieldDef = FieldDef::new("http.host", "Host", T::String);
static USER_AGENT: FieldDef = FieldDef::new("http.user_agent", "User-Agent", T::String);
static CODE: FieldDef = FieldDef::new("http.response.code", "Status Code", T::U16);
static PHRASE: FieldDef = FieldDef::new("http.response.phrase", "Response Phrase", T::String);
static CONTENT_TYPE: FieldDef = FieldDef::new("http.content_type", "Content-Type", T::String);
static CONTENT_LENGTH: FieldDef = FieldDef::new("http.content_length", "Content length", T::U64);
static XFF: FieldDef = FieldDef::new("http.x_forwarded_for", "X-Forwarded-For", T::String);
static COOKIE: FieldDef = FieldDef::new("http.cookie", "Cookie", T::String);
static AUTHORIZATION: FieldDef = FieldDef::new("http.authorization", "Authorization", T::String);

/// The HTTP protocol (fields only in this version).
pub static PROTOCOL: Protocol = Protocol {
    field: &HTTP,
    short: "HTTP",
    leaf: true,
    fields: &[
        &REQUEST, &RESPONSE, &METHOD, &URI, &VERSION, &HOST, &USER_AGENT, &CODE, &PHRASE, &CONTENT_TYPE, &CONTENT_LENGTH,
        &XFF, &COOKIE, &AUTHORIZATION,
    ],
    dissect,
    register: |_| {},
};

fn dissect<'a>(_ctx: &mut Ctx<'a, '_>, buf: Buf<'a>) -> Next<'a> {
    Next::Data(buf)
}
