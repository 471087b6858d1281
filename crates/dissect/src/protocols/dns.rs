//! Domain Name System (RFC 1035 §4), with EDNS(0) (RFC 6891) and its client
//! subnet option (RFC 7871), CAA (RFC 8659), SVCB/HTTPS (RFC 9460) and the
//! DNSSEC records DS, RRSIG, DNSKEY and NSEC (RFC 4034).
//!
//! ```text
//!                                 1  1  1  1  1  1
//!   0  1  2  3  4  5  6  7  8  9  0  1  2  3  4  5
//! +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
//! |                      ID                       |
//! +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
//! |QR|   Opcode  |AA|TC|RD|RA| Z|AD|CD|   RCODE   |
//! +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
//! |                    QDCOUNT                    |
//! +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
//! |                    ANCOUNT                    |
//! +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
//! |                    NSCOUNT                    |
//! +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
//! |                    ARCOUNT                    |
//! +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
//! ```
//! Over TCP each message is preceded by a 2-byte length (RFC 1035 §4.2.2).
//! Names are decompressed with a bounded number of pointer hops and a 255-byte
//! cap; every loop is bounded by the message. The Info column follows tshark
//! 4.0: opcode, " response", the id, the rcode name when not 0, then
//! " TYPE name" per question and " TYPE summary" per resource record of every
//! section. Requests and responses are matched per conversation and id
//! (`dns.response_to`, `dns.time`, retransmissions, unsolicited responses).
//! Multicast DNS (RFC 6762, UDP 5353) and LLMNR (RFC 4795, UDP 5355) share
//! the dissector under their own protocol names, as in Wireshark.

use std::collections::HashMap;
use std::fmt::Write;

use wirecrab_core::{Base, Buf, BufError, FieldDef, FieldType as T, Severity, Timestamp, Value};

use crate::columns::Address;
use crate::ctx::{Ctx, Next};
use crate::registry::Protocol;

static DNS: FieldDef = FieldDef::new("dns", "Domain Name System", T::Protocol);
static LENGTH: FieldDef = FieldDef::new("dns.length", "Length", T::U16);
static ID: FieldDef = FieldDef::new("dns.id", "Transaction ID", T::U16).base(Base::Hex);
static FLAGS: FieldDef = FieldDef::new("dns.flags", "Flags", T::U16).base(Base::Hex);
static F_RESPONSE: FieldDef = FieldDef::new("dns.flags.response", "Response", T::Bool)
    .mask(0x8000)
    .tf("Message is a response", "Message is a query")
    .width(16);
static F_OPCODE: FieldDef = FieldDef::new("dns.flags.opcode", "Opcode", T::U16)
    .mask(0x7800)
    .names(OPCODES);
static F_AUTHORITATIVE: FieldDef =
    FieldDef::new("dns.flags.authoritative", "Authoritative", T::Bool)
        .mask(0x400)
        .tf(
            "Server is an authority for domain",
            "Server is not an authority for domain",
        )
        .width(16);
static F_TRUNCATED: FieldDef = FieldDef::new("dns.flags.truncated", "Truncated", T::Bool)
    .mask(0x200)
    .tf("Message is truncated", "Message is not truncated")
    .width(16);
static F_RECDESIRED: FieldDef = FieldDef::new("dns.flags.recdesired", "Recursion desired", T::Bool)
    .mask(0x100)
    .tf("Do query recursively", "Don't do query recursively")
    .width(16);
static F_RECAVAIL: FieldDef = FieldDef::new("dns.flags.recavail", "Recursion available", T::Bool)
    .mask(0x80)
    .tf(
        "Server can do recursive queries",
        "Server can't do recursive queries",
    )
    .width(16);
static F_Z: FieldDef = FieldDef::new("dns.flags.z", "Z", T::Bool)
    .mask(0x40)
    .tf("reserved - incorrect!", "reserved (0)")
    .width(16);
static F_AUTHENTICATED: FieldDef =
    FieldDef::new("dns.flags.authenticated", "Answer authenticated", T::Bool)
        .mask(0x20)
        .tf(
            "Answer/authority portion was authenticated by the server",
            "Answer/authority portion was not authenticated by the server",
        )
        .width(16);
static F_CHECKDISABLE: FieldDef =
    FieldDef::new("dns.flags.checkdisable", "Non-authenticated data", T::Bool)
        .mask(0x10)
        .tf("Acceptable", "Unacceptable")
        .width(16);
static F_CONFLICT: FieldDef = FieldDef::new("dns.flags.conflict", "Conflict", T::Bool)
    .mask(0x400)
    .tf("Conflict", "None")
    .width(16);
static F_TENTATIVE: FieldDef = FieldDef::new("dns.flags.tentative", "Tentative", T::Bool)
    .mask(0x100)
    .tf("Tentative", "Not tentative")
    .width(16);
static F_RCODE: FieldDef = FieldDef::new("dns.flags.rcode", "Reply code", T::U16)
    .mask(0xf)
    .names(RCODES);
static COUNT_QUERIES: FieldDef = FieldDef::new("dns.count.queries", "Questions", T::U16);
static COUNT_ZONES: FieldDef = FieldDef::new("dns.count.zones", "Zones", T::U16);
static COUNT_ANSWERS: FieldDef = FieldDef::new("dns.count.answers", "Answer RRs", T::U16);
static COUNT_PREREQ: FieldDef = FieldDef::new("dns.count.prerequisites", "Prerequisites", T::U16);
static COUNT_AUTH: FieldDef = FieldDef::new("dns.count.auth_rr", "Authority RRs", T::U16);
static COUNT_UPDATES: FieldDef = FieldDef::new("dns.count.updates", "Updates", T::U16);
static COUNT_ADD: FieldDef = FieldDef::new("dns.count.add_rr", "Additional RRs", T::U16);

static QRY_NAME: FieldDef = FieldDef::new("dns.qry.name", "Name", T::String);
static QRY_NAME_LEN: FieldDef =
    FieldDef::new("dns.qry.name.len", "Name Length", T::U16).generated();
static COUNT_LABELS: FieldDef =
    FieldDef::new("dns.count.labels", "Label Count", T::U16).generated();
static QRY_TYPE: FieldDef = FieldDef::new("dns.qry.type", "Type", T::U16).names(TYPES);
static QRY_CLASS: FieldDef = FieldDef::new("dns.qry.class", "Class", T::U16)
    .base(Base::Hex)
    .names(CLASSES);

static QRY_QU: FieldDef = FieldDef::new("dns.qry.qu", "\"QU\" question", T::Bool)
    .mask(0x8000)
    .tf("True", "False")
    .width(16);
static CACHE_FLUSH: FieldDef = FieldDef::new("dns.resp.cache_flush", "Cache flush", T::Bool)
    .mask(0x8000)
    .tf("True", "False")
    .width(16);
static RESP_NAME: FieldDef = FieldDef::new("dns.resp.name", "Name", T::String);
static RESP_TYPE: FieldDef = FieldDef::new("dns.resp.type", "Type", T::U16).names(TYPES);
static RESP_CLASS: FieldDef = FieldDef::new("dns.resp.class", "Class", T::U16)
    .base(Base::Hex)
    .names(CLASSES);
static RESP_TTL: FieldDef = FieldDef::new("dns.resp.ttl", "Time to live", T::U32);
static RESP_LEN: FieldDef = FieldDef::new("dns.resp.len", "Data length", T::U16);

static A: FieldDef = FieldDef::new("dns.a", "Address", T::Ipv4);
static AAAA: FieldDef = FieldDef::new("dns.aaaa", "AAAA Address", T::Ipv6);
static NS: FieldDef = FieldDef::new("dns.ns", "Name Server", T::String);
static MD: FieldDef = FieldDef::new("dns.md", "Mail Destination", T::String);
static MF: FieldDef = FieldDef::new("dns.mf", "Mail Forwarder", T::String);
static CNAME: FieldDef = FieldDef::new("dns.cname", "CNAME", T::String);
static DNAME: FieldDef = FieldDef::new("dns.dname", "Dname", T::String);
static PTR: FieldDef = FieldDef::new("dns.ptr.domain_name", "Domain Name", T::String);
static MX_PREF: FieldDef = FieldDef::new("dns.mx.preference", "Preference", T::U16);
static MX_EXCHANGE: FieldDef = FieldDef::new("dns.mx.mail_exchange", "Mail Exchange", T::String);
static TXT_LEN: FieldDef = FieldDef::new("dns.txt.length", "TXT Length", T::U8);
static TXT: FieldDef = FieldDef::new("dns.txt", "TXT", T::String);
static SPF_LEN: FieldDef = FieldDef::new("dns.spf.length", "SPF Length", T::U8);
static SPF: FieldDef = FieldDef::new("dns.spf", "SPF", T::String);
static HINFO_CPU_LEN: FieldDef = FieldDef::new("dns.hinfo.cpu_length", "CPU Length", T::U8);
static HINFO_CPU: FieldDef = FieldDef::new("dns.hinfo.cpu", "CPU", T::String);
static HINFO_OS_LEN: FieldDef = FieldDef::new("dns.hinfo.os_length", "OS Length", T::U8);
static HINFO_OS: FieldDef = FieldDef::new("dns.hinfo.os", "OS", T::String);
static SOA_MNAME: FieldDef = FieldDef::new("dns.soa.mname", "Primary name server", T::String);
static SOA_RNAME: FieldDef = FieldDef::new(
    "dns.soa.rname",
    "Responsible authority's mailbox",
    T::String,
);
static SOA_SERIAL: FieldDef = FieldDef::new("dns.soa.serial_number", "Serial Number", T::U32);
static SOA_REFRESH: FieldDef =
    FieldDef::new("dns.soa.refresh_interval", "Refresh Interval", T::U32);
static SOA_RETRY: FieldDef = FieldDef::new("dns.soa.retry_interval", "Retry Interval", T::U32);
static SOA_EXPIRE: FieldDef = FieldDef::new("dns.soa.expire_limit", "Expire limit", T::U32);
static SOA_MINIMUM: FieldDef = FieldDef::new("dns.soa.minimum_ttl", "Minimum TTL", T::U32);
static SRV_SERVICE: FieldDef = FieldDef::new("dns.srv.service", "Service", T::String);
static SRV_PROTO: FieldDef = FieldDef::new("dns.srv.proto", "Protocol", T::String);
static SRV_NAME: FieldDef = FieldDef::new("dns.srv.name", "Name", T::String);
static SRV_PRIORITY: FieldDef = FieldDef::new("dns.srv.priority", "Priority", T::U16);
static SRV_WEIGHT: FieldDef = FieldDef::new("dns.srv.weight", "Weight", T::U16);
static SRV_PORT: FieldDef = FieldDef::new("dns.srv.port", "Port", T::U16);
static SRV_TARGET: FieldDef = FieldDef::new("dns.srv.target", "Target", T::String);

static RR_UDP_PAYLOAD_SIZE: FieldDef =
    FieldDef::new("dns.rr.udp_payload_size", "UDP payload size", T::U16);
static EXT_RCODE: FieldDef =
    FieldDef::new("dns.resp.ext_rcode", "Higher bits in extended RCODE", T::U8).base(Base::Hex);
static EDNS0_VERSION: FieldDef = FieldDef::new("dns.resp.edns0_version", "EDNS0 version", T::U8);
static RESP_Z: FieldDef = FieldDef::new("dns.resp.z", "Z", T::U16).base(Base::Hex);
static RESP_Z_DO: FieldDef = FieldDef::new("dns.resp.z.do", "DO bit", T::Bool)
    .mask(0x8000)
    .tf(
        "Accepts DNSSEC security RRs",
        "Cannot handle DNSSEC security RRs",
    )
    .width(16);
static RESP_Z_RESERVED: FieldDef = FieldDef::new("dns.resp.z.reserved", "Reserved", T::U16)
    .base(Base::Hex)
    .mask(0x7fff);
static OPT: FieldDef = FieldDef::new("dns.opt", "Option", T::None);
static OPT_CODE: FieldDef = FieldDef::new("dns.opt.code", "Option Code", T::U16).names(OPT_CODES);
static OPT_LEN: FieldDef = FieldDef::new("dns.opt.len", "Option Length", T::U16);
static OPT_DATA: FieldDef = FieldDef::new("dns.opt.data", "Option Data", T::Bytes);
static OPT_CLIENT_FAMILY: FieldDef =
    FieldDef::new("dns.opt.client.family", "Family", T::U16).names(&[(1, "IPv4"), (2, "IPv6")]);
static OPT_CLIENT_NETMASK: FieldDef =
    FieldDef::new("dns.opt.client.netmask", "Source Netmask", T::U8);
static OPT_CLIENT_SCOPE: FieldDef = FieldDef::new("dns.opt.client.scope", "Scope Netmask", T::U8);
static OPT_CLIENT_ADDR: FieldDef = FieldDef::new("dns.opt.client.addr", "Client Subnet", T::Bytes);
static OPT_CLIENT_ADDR4: FieldDef = FieldDef::new("dns.opt.client.addr4", "Client Subnet", T::Ipv4);
static OPT_CLIENT_ADDR6: FieldDef = FieldDef::new("dns.opt.client.addr6", "Client Subnet", T::Ipv6);
static OPT_COOKIE_CLIENT: FieldDef =
    FieldDef::new("dns.opt.cookie.client", "Client Cookie", T::Bytes);
static OPT_COOKIE_SERVER: FieldDef =
    FieldDef::new("dns.opt.cookie.server", "Server Cookie", T::Bytes);
static OPT_PADDING: FieldDef = FieldDef::new("dns.opt.padding", "Padding", T::Bytes);

static CAA_FLAGS: FieldDef = FieldDef::new("dns.caa.flags", "CAA Flags", T::U8).base(Base::Hex);
static CAA_CRITICAL: FieldDef =
    FieldDef::new("dns.caa.flags.issuer_critical", "Issuer Critical", T::Bool)
        .mask(0x80)
        .tf("Critical", "Not critical")
        .width(8);
static CAA_ISSUE: FieldDef = FieldDef::new("dns.caa.issue", "Issue", T::String);
static CAA_ISSUEWILD: FieldDef = FieldDef::new("dns.caa.issuewild", "Issue Wildcard", T::String);
static CAA_IODEF: FieldDef = FieldDef::new("dns.caa.iodef", "Report URL", T::String);
static CAA_UNKNOWN: FieldDef = FieldDef::new("dns.caa.unknown", "Unknown tag", T::String);
static CAA_TAG_LEN: FieldDef = FieldDef::new("dns.caa.tag_length", "Tag length", T::U8);
static CAA_TAG: FieldDef = FieldDef::new("dns.caa.tag", "Tag", T::String);
static CAA_VALUE: FieldDef = FieldDef::new("dns.caa.value", "Value", T::String);

static SVCB_PRIORITY: FieldDef = FieldDef::new("dns.svcb.svcpriority", "SvcPriority", T::U16);
static SVCB_TARGET: FieldDef = FieldDef::new("dns.svcb.targetname", "TargetName", T::String);
static SVCB_PARAM: FieldDef = FieldDef::new("dns.svcb.svcparam", "SvcParam", T::None);
static SVCB_KEY: FieldDef =
    FieldDef::new("dns.svcb.svcparam.key", "SvcParamKey", T::U16).names(SVCB_KEYS);
static SVCB_VALUE_LEN: FieldDef = FieldDef::new(
    "dns.svcb.svcparam.value.length",
    "SvcParamValue length",
    T::U16,
);
static SVCB_VALUE: FieldDef = FieldDef::new("dns.svcb.svcparam.value", "SvcParamValue", T::Bytes);
static SVCB_MANDATORY: FieldDef =
    FieldDef::new("dns.svcb.svcparam.mandatory.key", "Mandatory key", T::U16).names(SVCB_KEYS);
static SVCB_ALPN_LEN: FieldDef =
    FieldDef::new("dns.svcb.svcparam.alpn.length", "ALPN length", T::U8);
static SVCB_ALPN: FieldDef = FieldDef::new("dns.svcb.svcparam.alpn", "ALPN", T::String);
static SVCB_PORT: FieldDef = FieldDef::new("dns.svcb.svcparam.port", "Port", T::U16);
static SVCB_IPV4: FieldDef = FieldDef::new("dns.svcb.svcparam.ipv4hint.ip", "IP", T::Ipv4);
static SVCB_ECH: FieldDef = FieldDef::new("dns.svcb.svcparam.echconfig", "ECHConfig", T::Bytes);
static SVCB_IPV6: FieldDef = FieldDef::new("dns.svcb.svcparam.ipv6hint.ip", "IP", T::Ipv6);
static SVCB_ODOH: FieldDef = FieldDef::new("dns.svcb.svcparam.odohconfig", "ODoHConfig", T::Bytes);

static DS_KEY_ID: FieldDef = FieldDef::new("dns.ds.key_id", "Key id", T::U16).base(Base::Hex);
static DS_ALGORITHM: FieldDef =
    FieldDef::new("dns.ds.algorithm", "Algorithm", T::U8).names(ALGORITHMS);
static DS_DIGEST_TYPE: FieldDef =
    FieldDef::new("dns.ds.digest_type", "Digest Type", T::U8).names(DIGESTS);
static DS_DIGEST: FieldDef = FieldDef::new("dns.ds.digest", "Digest", T::Bytes);
static RRSIG_TYPE_COVERED: FieldDef =
    FieldDef::new("dns.rrsig.type_covered", "Type Covered", T::U16).names(TYPES);
static RRSIG_ALGORITHM: FieldDef =
    FieldDef::new("dns.rrsig.algorithm", "Algorithm", T::U8).names(ALGORITHMS);
static RRSIG_LABELS: FieldDef = FieldDef::new("dns.rrsig.labels", "Labels", T::U8);
static RRSIG_ORIGINAL_TTL: FieldDef =
    FieldDef::new("dns.rrsig.original_ttl", "Original TTL", T::U32);
static RRSIG_EXPIRATION: FieldDef = FieldDef::new(
    "dns.rrsig.signature_expiration",
    "Signature Expiration",
    T::AbsTime,
);
static RRSIG_INCEPTION: FieldDef = FieldDef::new(
    "dns.rrsig.signature_inception",
    "Signature Inception",
    T::AbsTime,
);
static RRSIG_KEY_TAG: FieldDef = FieldDef::new("dns.rrsig.key_tag", "Key Tag", T::U16);
static RRSIG_SIGNER: FieldDef = FieldDef::new("dns.rrsig.signers_name", "Signer's name", T::String);
static RRSIG_SIGNATURE: FieldDef = FieldDef::new("dns.rrsig.signature", "Signature", T::Bytes);
static DNSKEY_FLAGS: FieldDef = FieldDef::new("dns.dnskey.flags", "Flags", T::U16).base(Base::Hex);
static DNSKEY_ZONE_KEY: FieldDef = FieldDef::new("dns.dnskey.flags.zone_key", "Zone Key", T::Bool)
    .mask(0x100)
    .tf(
        "This is the zone key for specified zone",
        "This is not a zone key",
    )
    .width(16);
static DNSKEY_REVOKED: FieldDef =
    FieldDef::new("dns.dnskey.flags.key_revoked", "Key Revoked", T::Bool)
        .mask(0x80)
        .tf("Yes", "No")
        .width(16);
static DNSKEY_SEP: FieldDef = FieldDef::new(
    "dns.dnskey.flags.secure_entry_point",
    "Key Signing Key",
    T::Bool,
)
.mask(0x1)
.tf("Yes", "No")
.width(16);
static DNSKEY_RESERVED: FieldDef =
    FieldDef::new("dns.dnskey.flags.reserved", "Key Signing Key", T::U16)
        .base(Base::Hex)
        .mask(0xfe7e);
static DNSKEY_PROTOCOL: FieldDef = FieldDef::new("dns.dnskey.protocol", "Protocol", T::U8);
static DNSKEY_ALGORITHM: FieldDef =
    FieldDef::new("dns.dnskey.algorithm", "Algorithm", T::U8).names(ALGORITHMS);
static DNSKEY_KEY_ID: FieldDef = FieldDef::new("dns.dnskey.key_id", "Key id", T::U16).generated();
static DNSKEY_PUBLIC_KEY: FieldDef = FieldDef::new("dns.dnskey.public_key", "Public Key", T::Bytes);
static NSEC_NEXT: FieldDef =
    FieldDef::new("dns.nsec.next_domain_name", "Next Domain Name", T::String);

static NSEC3_ALGO: FieldDef = FieldDef::new("dns.nsec3.algo", "Hash algorithm", T::U8)
    .names(&[(0, "Reserved"), (1, "SHA-1")]);
static NSEC3_FLAGS: FieldDef = FieldDef::new("dns.nsec3.flags", "NSEC3 flags", T::U8);
static NSEC3_OPT_OUT: FieldDef =
    FieldDef::new("dns.nsec3.flags.opt_out", "NSEC3 Opt-out flag", T::Bool)
        .mask(0x1)
        .tf(
            "Additional insecure delegations allowed",
            "Additional insecure delegations forbidden",
        );
static NSEC3_ITERATIONS: FieldDef =
    FieldDef::new("dns.nsec3.iterations", "NSEC3 iterations", T::U16);
static NSEC3_SALT_LEN: FieldDef = FieldDef::new("dns.nsec3.salt_length", "Salt length", T::U8);
static NSEC3_SALT: FieldDef = FieldDef::new("dns.nsec3.salt_value", "Salt value", T::Bytes);
static NSEC3_HASH_LEN: FieldDef = FieldDef::new("dns.nsec3.hash_length", "Hash length", T::U8);
static NSEC3_HASH: FieldDef = FieldDef::new("dns.nsec3.hash_value", "Next hashed owner", T::String).generated();
static SSHFP_ALGORITHM: FieldDef =
    FieldDef::new("dns.sshfp.algorithm", "Algorithm", T::U8).names(&[
        (0, "Reserved"),
        (1, "RSA"),
        (2, "DSA"),
        (3, "ECDSA"),
        (4, "Ed25519"),
        (5, "XMSS"),
    ]);
static SSHFP_TYPE: FieldDef =
    FieldDef::new("dns.sshfp.fingerprint.type", "Fingerprint type", T::U8).names(&[
        (0, "Reserved"),
        (1, "SHA1"),
        (2, "SHA256"),
    ]);
static SSHFP_FINGERPRINT: FieldDef =
    FieldDef::new("dns.sshfp.fingerprint", "Fingerprint", T::Bytes);
static DATA: FieldDef = FieldDef::new("dns.data", "Data", T::Bytes);
static RESPONSE_TO: FieldDef =
    FieldDef::new("dns.response_to", "Request In", T::FrameNum).generated();
static TIME: FieldDef = FieldDef::new("dns.time", "Time", T::RelTime).generated();
static RETRANSMISSION: FieldDef =
    FieldDef::new("dns.retransmission", "Retransmission", T::Bool).generated();
static RETRANSMIT_REQUEST_IN: FieldDef = FieldDef::new(
    "dns.retransmit_request_in",
    "Retransmitted request. Original request in",
    T::FrameNum,
)
.generated();
static RETRANSMIT_RESPONSE_IN: FieldDef = FieldDef::new(
    "dns.retransmit_response_in",
    "Retransmitted response. Original response in",
    T::FrameNum,
)
.generated();
static RETRANSMIT_REQUEST: FieldDef = FieldDef::new("dns.retransmit_request", "DNS query retransmission", T::None);
static RETRANSMIT_RESPONSE: FieldDef =
    FieldDef::new("dns.retransmit_response", "DNS response retransmission", T::None);
static UNSOLICITED: FieldDef = FieldDef::new("dns.unsolicited", "Unsolicited", T::Bool).generated();

static OPCODES: &[(u64, &str)] = &[
    (0, "Standard query"),
    (1, "Inverse query"),
    (2, "Server status request"),
    (4, "Zone change notification"),
    (5, "Dynamic update"),
    (6, "DNS Stateful operations (DSO)"),
];

static RCODES: &[(u64, &str)] = &[
    (0, "No error"),
    (1, "Format error"),
    (2, "Server failure"),
    (3, "No such name"),
    (4, "Not implemented"),
    (5, "Refused"),
    (6, "Name exists"),
    (7, "RRset exists"),
    (8, "RRset does not exist"),
    (9, "Not authoritative"),
    (10, "Name out of zone"),
    (11, "DSO-Type not implemented"),
    (16, "Bad OPT Version or TSIG Signature Failure"),
    (17, "Key not recognized"),
    (18, "Signature out of time window"),
    (19, "Bad TKEY Mode"),
    (20, "Duplicate key name"),
    (21, "Algorithm not supported"),
    (22, "Bad Truncation"),
    (23, "Bad/missing Server Cookie"),
];

static CLASSES: &[(u64, &str)] = &[
    (1, "IN"),
    (2, "CS"),
    (3, "CH"),
    (4, "HS"),
    (0xfe, "NONE"),
    (0xff, "ANY"),
];

static OPT_CODES: &[(u64, &str)] = &[
    (0, "Reserved"),
    (1, "LLQ - Long-lived query"),
    (2, "UL - Update lease"),
    (3, "NSID - Name Server Identifier"),
    (4, "Owner (reserved)"),
    (5, "DAU - DNSSEC Algorithm Understood (RFC6975)"),
    (6, "DHU - DS Hash Understood (RFC6975)"),
    (7, "N3U - NSEC3 Hash Understood (RFC6975)"),
    (20730, "Experimental - CSUBNET - Client subnet"),
    (8, "CSUBNET - Client subnet"),
    (9, "EDNS EXPIRE (RFC7314)"),
    (10, "COOKIE"),
    (11, "EDNS TCP Keepalive"),
    (12, "PADDING"),
    (13, "CHAIN"),
    (15, "Extended DNS Error"),
];

static SVCB_KEYS: &[(u64, &str)] = &[
    (0, "mandatory"),
    (1, "alpn"),
    (2, "no-default-alpn"),
    (3, "port"),
    (4, "ipv4hint"),
    (5, "echconfig"),
    (6, "ipv6hint"),
    (32769, "odohconfig"),
    (65535, "key65535"),
];

static DIGESTS: &[(u64, &str)] = &[
    (0, "Reserved digest"),
    (1, "SHA-1"),
    (2, "SHA-256"),
    (3, "GOST R 34.11-94"),
    (4, "SHA-384"),
];

static ALGORITHMS: &[(u64, &str)] = &[
    (1, "RSA/MD5"),
    (2, "Diffie-Hellman"),
    (3, "DSA"),
    (4, "Elliptic curve crypto"),
    (5, "RSA/SHA1"),
    (6, "DSA + NSEC3/SHA1"),
    (7, "RSA/SHA1 + NSEC3/SHA1"),
    (8, "RSA/SHA-256"),
    (10, "RSA/SHA-512"),
    (12, "GOST R 34.10-2001"),
    (13, "ECDSA Curve P-256 with SHA-256"),
    (14, "ECDSA Curve P-386 with SHA-386"),
    (15, "Ed25519"),
    (16, "Ed448"),
    (157, "HMAC/MD5"),
    (252, "Indirect key"),
    (253, "Private, domain name"),
    (254, "Private, OID"),
];

/// Record types with Wireshark's descriptions (the field value names).
static TYPES: &[(u64, &str)] = &[
    (0, "Unused"),
    (1, "A (Host Address)"),
    (2, "NS (authoritative Name Server)"),
    (3, "MD (Mail Destination)"),
    (4, "MF (Mail Forwarder)"),
    (5, "CNAME (Canonical NAME for an alias)"),
    (6, "SOA (Start Of a zone of Authority)"),
    (7, "MB (MailBox domain name)"),
    (8, "MG (Mail Group member)"),
    (9, "MR (Mail Rename domain)"),
    (10, "NULL RR"),
    (11, "WKS (Well Known Service)"),
    (12, "PTR (domain name PoinTeR)"),
    (13, "HINFO (host information)"),
    (14, "MINFO (Mailbox or mail list information)"),
    (15, "MX (Mail eXchange)"),
    (16, "TXT (Text strings)"),
    (17, "RP (Responsible Person)"),
    (18, "AFSDB (AFS Data Base location)"),
    (19, "X25 (XX.25 PSDN address)"),
    (20, "ISDN (ISDN address)"),
    (21, "RT (Route Through)"),
    (22, "NSAP (NSAP address)"),
    (23, "NSAP-PTR (NSAP domain name pointer)"),
    (24, "SIG (security signature)"),
    (25, "KEY (security key)"),
    (26, "PX (X.400 mail mapping information)"),
    (27, "GPOS (Geographical Position)"),
    (28, "AAAA (IPv6 Address)"),
    (29, "LOC (Location Information)"),
    (30, "NXT (Next Domain)"),
    (31, "EID (Endpoint Identifier)"),
    (32, "NIMLOC (Nimrod Locator)"),
    (33, "SRV (Server Selection)"),
    (34, "ATMA (ATM Address)"),
    (35, "NAPTR (Naming Authority Pointer)"),
    (36, "KX (Key Exchanger)"),
    (37, "CERT"),
    (38, "A6 (OBSOLETE - use AAAA)"),
    (39, "DNAME"),
    (40, "SINK"),
    (41, "OPT"),
    (42, "APL"),
    (43, "DS (Delegation Signer)"),
    (44, "SSHFP (SSH Key Fingerprint)"),
    (45, "IPSECKEY"),
    (46, "RRSIG (Resource Record Signature)"),
    (47, "NSEC (Next Secure)"),
    (48, "DNSKEY (DNS Public Key)"),
    (49, "DHCID"),
    (50, "NSEC3"),
    (51, "NSEC3PARAM"),
    (52, "TLSA"),
    (55, "HIP (Host Identity Protocol)"),
    (57, "RKEY"),
    (58, "TALINK (Trust Anchor LINK)"),
    (59, "CDS (Child DS)"),
    (60, "CDNSKEY (DNSKEY(s) the Child wants reflected in DS)"),
    (61, "OPENPGPKEY (OpenPGP Key)"),
    (62, "CSYNC (Child-to-Parent Synchronization)"),
    (63, "ZONEMD"),
    (64, "SVCB (General Purpose Service Endpoints)"),
    (65, "HTTPS (HTTPS Specific Service Endpoints)"),
    (99, "SPF"),
    (100, "UINFO"),
    (101, "UID"),
    (102, "GID"),
    (103, "UNSPEC"),
    (104, "NID (NodeID)"),
    (105, "L32 (Locator32)"),
    (106, "L64 (Locator64)"),
    (107, "LP (Locator FQDN)"),
    (108, "EUI48"),
    (109, "EUI64"),
    (249, "TKEY (Transaction Key)"),
    (250, "TSIG (Transaction Signature)"),
    (251, "IXFR (incremental transfer)"),
    (252, "AXFR (transfer of an entire zone)"),
    (253, "MAILB (mailbox-related RRs)"),
    (254, "MAILA (mail agent RRs)"),
    (
        255,
        "* (A request for all records the server/cache has available)",
    ),
    (256, "URI"),
    (257, "CAA (Certification Authority Restriction)"),
    (32768, "TA (DNSSEC Trust Authorities)"),
    (32769, "DLV (DNSSEC Lookaside Validation)"),
    (65281, "WINS"),
    (65282, "WINS-R"),
    (65422, "XPF"),
];

/// Every DNS field; mDNS and LLMNR produce the same ones.
static FIELDS: &[&FieldDef] = &[
    &LENGTH,
    &ID,
    &FLAGS,
    &F_RESPONSE,
    &F_OPCODE,
    &F_AUTHORITATIVE,
    &F_TRUNCATED,
    &F_RECDESIRED,
    &F_RECAVAIL,
    &F_Z,
    &F_AUTHENTICATED,
    &F_CHECKDISABLE,
    &F_RCODE,
    &F_CONFLICT,
    &F_TENTATIVE,
    &COUNT_QUERIES,
    &COUNT_ZONES,
    &COUNT_ANSWERS,
    &COUNT_PREREQ,
    &COUNT_AUTH,
    &COUNT_UPDATES,
    &COUNT_ADD,
    &QRY_NAME,
    &QRY_NAME_LEN,
    &COUNT_LABELS,
    &QRY_TYPE,
    &QRY_CLASS,
    &QRY_QU,
    &CACHE_FLUSH,
    &RESP_NAME,
    &RESP_TYPE,
    &RESP_CLASS,
    &RESP_TTL,
    &RESP_LEN,
    &A,
    &AAAA,
    &NS,
    &MD,
    &MF,
    &CNAME,
    &DNAME,
    &PTR,
    &MX_PREF,
    &MX_EXCHANGE,
    &TXT_LEN,
    &TXT,
    &SPF_LEN,
    &SPF,
    &HINFO_CPU_LEN,
    &HINFO_CPU,
    &HINFO_OS_LEN,
    &HINFO_OS,
    &SOA_MNAME,
    &SOA_RNAME,
    &SOA_SERIAL,
    &SOA_REFRESH,
    &SOA_RETRY,
    &SOA_EXPIRE,
    &SOA_MINIMUM,
    &SRV_SERVICE,
    &SRV_PROTO,
    &SRV_NAME,
    &SRV_PRIORITY,
    &SRV_WEIGHT,
    &SRV_PORT,
    &SRV_TARGET,
    &RR_UDP_PAYLOAD_SIZE,
    &EXT_RCODE,
    &EDNS0_VERSION,
    &RESP_Z,
    &RESP_Z_DO,
    &RESP_Z_RESERVED,
    &OPT,
    &OPT_CODE,
    &OPT_LEN,
    &OPT_DATA,
    &OPT_CLIENT_FAMILY,
    &OPT_CLIENT_NETMASK,
    &OPT_CLIENT_SCOPE,
    &OPT_CLIENT_ADDR,
    &OPT_CLIENT_ADDR4,
    &OPT_CLIENT_ADDR6,
    &OPT_COOKIE_CLIENT,
    &OPT_COOKIE_SERVER,
    &OPT_PADDING,
    &CAA_FLAGS,
    &CAA_CRITICAL,
    &CAA_ISSUE,
    &CAA_ISSUEWILD,
    &CAA_IODEF,
    &CAA_UNKNOWN,
    &CAA_TAG_LEN,
    &CAA_TAG,
    &CAA_VALUE,
    &SVCB_PRIORITY,
    &SVCB_TARGET,
    &SVCB_PARAM,
    &SVCB_KEY,
    &SVCB_VALUE_LEN,
    &SVCB_VALUE,
    &SVCB_MANDATORY,
    &SVCB_ALPN_LEN,
    &SVCB_ALPN,
    &SVCB_PORT,
    &SVCB_IPV4,
    &SVCB_ECH,
    &SVCB_IPV6,
    &SVCB_ODOH,
    &DS_KEY_ID,
    &DS_ALGORITHM,
    &DS_DIGEST_TYPE,
    &DS_DIGEST,
    &RRSIG_TYPE_COVERED,
    &RRSIG_ALGORITHM,
    &RRSIG_LABELS,
    &RRSIG_ORIGINAL_TTL,
    &RRSIG_EXPIRATION,
    &RRSIG_INCEPTION,
    &RRSIG_KEY_TAG,
    &RRSIG_SIGNER,
    &RRSIG_SIGNATURE,
    &DNSKEY_FLAGS,
    &DNSKEY_ZONE_KEY,
    &DNSKEY_REVOKED,
    &DNSKEY_SEP,
    &DNSKEY_RESERVED,
    &DNSKEY_PROTOCOL,
    &DNSKEY_ALGORITHM,
    &DNSKEY_KEY_ID,
    &DNSKEY_PUBLIC_KEY,
    &NSEC_NEXT,
    &NSEC3_ALGO,
    &NSEC3_FLAGS,
    &NSEC3_OPT_OUT,
    &NSEC3_ITERATIONS,
    &NSEC3_SALT_LEN,
    &NSEC3_SALT,
    &NSEC3_HASH_LEN,
    &NSEC3_HASH,
    &SSHFP_ALGORITHM,
    &SSHFP_TYPE,
    &SSHFP_FINGERPRINT,
    &DATA,
    &RESPONSE_TO,
    &TIME,
    &RETRANSMISSION,
    &RETRANSMIT_REQUEST_IN,
    &RETRANSMIT_RESPONSE_IN,
    &UNSOLICITED,
    &RETRANSMIT_REQUEST,
    &RETRANSMIT_RESPONSE,
];

/// The DNS protocol.
pub static PROTOCOL: Protocol = Protocol {
    field: &DNS,
    short: "DNS",
    leaf: true,
    fields: FIELDS,
    dissect,
    register: |t| {
        t.udp_port(53, &PROTOCOL);
        t.tcp_port(53, &PROTOCOL);
        t.udp_port(5353, &MDNS_PROTOCOL);
        t.udp_port(5355, &LLMNR_PROTOCOL);
    },
};

/// Text-only subtree heads ("Queries", "www.example.com: type A, class IN"):
/// Wireshark gives them no filter name, so this field is not registered and
/// appears only in the full tree.
static TEXT: FieldDef = FieldDef::new("", "Text", T::None);

static MDNS: FieldDef = FieldDef::new("mdns", "Multicast Domain Name System", T::Protocol);
static LLMNR: FieldDef =
    FieldDef::new("llmnr", "Link-local Multicast Name Resolution", T::Protocol);

/// Multicast DNS (RFC 6762): DNS's fields, its own protocol name. Its UDP
/// port is registered by [`PROTOCOL`] so that it works before this protocol
/// is listed in `protocols::ALL` (which registers the `mdns` field).
pub static MDNS_PROTOCOL: Protocol = Protocol {
    field: &MDNS,
    short: "MDNS",
    leaf: true,
    fields: FIELDS,
    dissect: dissect_mdns,
    register: |_| {},
};

/// Link-local Multicast Name Resolution (RFC 4795), as [`MDNS_PROTOCOL`].
pub static LLMNR_PROTOCOL: Protocol = Protocol {
    field: &LLMNR,
    short: "LLMNR",
    leaf: true,
    fields: FIELDS,
    dissect: dissect_llmnr,
    register: |_| {},
};

/// Most compression pointers followed in one name.
const MAX_HOPS: usize = 128;
/// Longest name text kept (Wireshark's MAX_DNAME_LEN).
const MAX_NAME: usize = 255;
/// Outstanding transactions kept before the table is reset.
const MAX_TRANSACTIONS: usize = 65536;

/// The short type name used in the Info column ("A", "AAAA", "ANY"...).
fn type_name(t: u16, out: &mut String) {
    if t == 255 {
        out.push_str("ANY");
        return;
    }
    match TYPES.iter().find(|(k, _)| *k == t as u64) {
        Some((_, d)) => out.push_str(d.split(' ').next().unwrap_or(d)),
        None => {
            let _ = write!(out, "Unknown ({t})");
        }
    }
}

/// The name of `v` in `table`, or `<unknown> (v)`.
fn name_or(out: &mut String, table: &[(u64, &'static str)], v: u16, unknown: &str) {
    match lookup(table, v as u64) {
        Some(s) => out.push_str(s),
        None => {
            let _ = write!(out, "{unknown} ({v})");
        }
    }
}

fn opcode_text(out: &mut String, opcode: u16) {
    name_or(out, OPCODES, opcode, "Unknown operation");
}

fn rcode_text(out: &mut String, rcode: u16) {
    name_or(out, RCODES, rcode, "Unknown error");
}

fn class_text(out: &mut String, class: u16) {
    name_or(out, CLASSES, class, "Unknown");
}

/// A count of seconds as Wireshark's `unsigned_time_secs_to_str` shows it
/// ("1 day, 2 hours, 1 second").
fn write_secs(out: &mut String, v: u32) {
    if v == 0 {
        out.push_str("0 seconds");
        return;
    }
    let parts = [
        (v / 86400, "day"),
        (v / 3600 % 24, "hour"),
        (v / 60 % 60, "minute"),
        (v % 60, "second"),
    ];
    let mut first = true;
    for (n, unit) in parts {
        if n == 0 {
            continue;
        }
        if !first {
            out.push_str(", ");
        }
        first = false;
        let _ = write!(out, "{n} {unit}{}", if n == 1 { "" } else { "s" });
    }
}

/// Add a 32-bit count of seconds labelled "Name: v (1 hour)".
fn add_secs<'a>(ctx: &mut Ctx<'a, '_>, f: &'static FieldDef, m: &Buf<'a>, off: usize, v: u32) {
    let idx = ctx.uint(f, m, off, 4, v as u64);
    ctx.label(idx, |s| {
        let _ = write!(s, "{}: {v} (", f.name);
        write_secs(s, v);
        s.push(')');
    });
}

/// Standard base 64 with padding (how Wireshark shows ECH configurations).
fn base64(b: &[u8], out: &mut String) {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for c in b.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for k in 0..4 {
            if k <= c.len() {
                out.push(A[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
}

fn lookup(table: &[(u64, &'static str)], v: u64) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == v).map(|(_, s)| *s)
}

/// Append a raw name as Wireshark's `format_text` shows it: printable text
/// as is, C escapes or octal for control bytes, U+FFFD for invalid UTF-8.
fn format_name(raw: &[u8], out: &mut String) {
    for chunk in raw.utf8_chunks() {
        for ch in chunk.valid().chars() {
            match ch {
                '\x07' => out.push_str("\\a"),
                '\x08' => out.push_str("\\b"),
                '\x0c' => out.push_str("\\f"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\x0b' => out.push_str("\\v"),
                c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                    let _ = write!(out, "\\{:03o}", c as u32);
                }
                c => out.push(c),
            }
        }
        if !chunk.invalid().is_empty() {
            out.push('\u{fffd}');
        }
    }
}

/// What reading a name found.
#[derive(Debug, Clone, Copy, Default)]
struct NameInfo {
    /// Bytes the name occupies where it is written (up to and including the
    /// first pointer or the terminating zero).
    used: usize,
    /// Length of the raw name text (bytes of labels plus dots).
    len: usize,
}

/// Read a possibly compressed name at `off` of the message `m`. When `out` is
/// given, the name is appended as text (`<Root>` for the root name); `raw`
/// is scratch space. Follows Wireshark 4.0's `get_dns_name`: at most 255
/// bytes of text ("<Name too long>" beyond), pointer loops and unknown
/// extended labels are reported in place of the name.
fn read_name(
    m: &Buf<'_>,
    off: usize,
    out: Option<(&mut String, &mut Vec<u8>)>,
) -> Result<NameInfo, BufError> {
    let mut pos = off;
    let mut used: Option<usize> = None;
    let mut hops = 0usize;
    let mut special: Option<&'static str> = None;
    let mut budget = MAX_NAME;
    let mut raw_len = 0usize;
    let (out, raw) = match out {
        Some((o, r)) => (Some(o), Some(r)),
        None => (None, None),
    };
    let mut raw = raw;
    if let Some(r) = raw.as_deref_mut() {
        r.clear();
    }
    let push = |b: u8, budget: &mut usize, raw_len: &mut usize, raw: &mut Option<&mut Vec<u8>>| {
        if *budget > 0 {
            *budget -= 1;
            *raw_len += 1;
            if let Some(r) = raw.as_deref_mut() {
                r.push(b);
            }
        }
    };
    loop {
        let c = m.u8(pos)? as usize;
        pos += 1;
        if c == 0 {
            break;
        }
        match c & 0xc0 {
            0x00 => {
                let label = m.slice(pos, c)?;
                if raw_len > 0 {
                    push(b'.', &mut budget, &mut raw_len, &mut raw);
                } else {
                    budget = budget.saturating_sub(1);
                }
                for &b in label {
                    push(b, &mut budget, &mut raw_len, &mut raw);
                }
                pos += c;
            }
            0x40 if c == 0x41 => {
                // Bitstring label (RFC 2673): "\[x<hex>/<bits>]".
                let bits = m.u8(pos)? as usize;
                pos += 1;
                let n = if bits == 0 { 1 } else { (bits - 1) / 8 + 1 };
                let bytes = m.slice(pos, n)?;
                let mut t = String::from("\\[x");
                for b in bytes {
                    let _ = write!(t, "{b:02x}");
                }
                let _ = write!(t, "/{bits}]");
                for b in t.bytes() {
                    push(b, &mut budget, &mut raw_len, &mut raw);
                }
                pos += n;
            }
            0x40 => {
                special = Some("<Unknown extended label>");
                break;
            }
            0xc0 => {
                let lo = m.u8(pos)? as usize;
                pos += 1;
                if used.is_none() {
                    used = Some(pos - off);
                }
                hops += 1;
                if hops > MAX_HOPS {
                    special = Some("<Name contains a pointer that loops>");
                    break;
                }
                pos = ((c & 0x3f) << 8) | lo;
            }
            _ => {
                return Err(BufError::Malformed {
                    offset: m.base() + pos - 1,
                    wanted: 1,
                    reported: 0,
                });
            }
        }
    }
    if special.is_none() && budget == 0 {
        special = Some("<Name too long>");
    }
    // Lazily: after a pointer, pos may lie before off.
    let used = used.unwrap_or_else(|| pos - off);
    let mut len = raw_len;
    if let Some(o) = out {
        if let Some(s) = special {
            o.push_str(s);
            len = s.len();
        } else if raw_len == 0 {
            o.push_str("<Root>");
            len = 6;
        } else if let Some(r) = raw {
            format_name(r, o);
        }
    } else if let Some(s) = special {
        len = s.len();
    } else if raw_len == 0 {
        len = 6;
    }
    Ok(NameInfo { used, len })
}

/// Walk a name only to learn how many bytes it occupies in place.
fn skip_name(m: &Buf<'_>, off: usize) -> Result<usize, BufError> {
    let mut pos = off;
    loop {
        let c = m.u8(pos)? as usize;
        pos += 1;
        match c & 0xc0 {
            0x00 if c == 0 => return Ok(pos - off),
            0x00 => {
                m.slice(pos, c)?;
                pos += c;
            }
            0x40 if c == 0x41 => {
                let bits = m.u8(pos)? as usize;
                let n = if bits == 0 { 1 } else { (bits - 1) / 8 + 1 };
                m.slice(pos + 1, n)?;
                pos += 1 + n;
            }
            0x40 => return Ok(pos - off),
            0xc0 => {
                m.u8(pos)?;
                return Ok(pos + 1 - off);
            }
            _ => {
                return Err(BufError::Malformed {
                    offset: m.base() + pos - 1,
                    wanted: 1,
                    reported: 0,
                })
            }
        }
    }
}

/// A conversation (TCP or not, endpoints in canonical order) and a message id.
type TransKey = (bool, (Address, u16), (Address, u16), u16);

/// The latest transaction seen for a key.
struct Trans {
    /// Frame of the request.
    req: u32,
    /// When the request was seen.
    req_ts: Timestamp,
    /// Frame of the first response, 0 while unanswered.
    rep: u32,
}

/// Request/response matching, per capture (Wireshark keys transactions by
/// conversation and id; a repeated unanswered request within 5 s is a
/// retransmission).
#[derive(Default)]
struct DnsState {
    trans: HashMap<TransKey, Trans>,
    /// Answered transactions, oldest first: only the latest [`KEEP_ANSWERED`]
    /// are kept (to recognise a retransmitted response), so memory follows the
    /// queries in flight, not the length of the capture.
    answered: std::collections::VecDeque<(TransKey, u32)>,
}

/// Answered transactions remembered.
const KEEP_ANSWERED: usize = 1024;

/// Wireshark's default DNS retransmission timer, in nanoseconds.
const RETRANSMISSION_TIMER: i128 = 5_000_000_000;

/// One message being dissected.
struct Msg<'a> {
    m: Buf<'a>,
    /// Decompress names (a name field or the columns are wanted).
    names: bool,
    /// The Info column text, built as we go.
    info: Option<String>,
    /// Scratch space for names.
    tmp: String,
    /// The owner name of the record being dissected.
    owner: String,
    /// Scratch space for raw name bytes.
    raw: Vec<u8>,
    /// Which flavour of the protocol this is.
    kind: Kind,
    /// Carried over TCP.
    tcp: bool,
    /// The full tree is kept: subtree labels are worth building.
    full: bool,
    /// Label of the record being dissected (full tree only).
    sum: String,
}

/// DNS proper, multicast DNS (RFC 6762) or LLMNR (RFC 4795).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Dns,
    Mdns,
    Llmnr,
}

fn dissect<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>) -> Next<'a> {
    let n = ctx.layers.len();
    if n >= 2 && ctx.layers[n - 2] == "tcp" {
        return over_tcp(ctx, buf);
    }
    ctx.set_protocol("DNS");
    message(ctx, buf, None, Kind::Dns);
    Next::Done
}

fn dissect_mdns<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>) -> Next<'a> {
    ctx.set_protocol("MDNS");
    message(ctx, buf, None, Kind::Mdns);
    Next::Done
}

fn dissect_llmnr<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>) -> Next<'a> {
    ctx.set_protocol("LLMNR");
    message(ctx, buf, None, Kind::Llmnr);
    Next::Done
}

/// DNS over TCP: a 2-byte length before each message. Every whole message
/// in the segment is dissected; a segment without one is left to TCP.
fn over_tcp<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>) -> Next<'a> {
    let mut off = 0usize;
    let mut done = 0usize;
    while off < buf.reported_len() {
        let mlen = match buf.be16(off) {
            Ok(l) => l as usize,
            Err(_) => break,
        };
        if off + 2 + mlen > buf.reported_len() {
            break;
        }
        if done == 0 {
            ctx.set_protocol("DNS");
        }
        let w = buf.sub(off, 2 + mlen);
        message(ctx, w.from(2), Some(&w), Kind::Dns);
        done += 1;
        off += 2 + mlen;
        if ctx.malformed {
            return Next::Done;
        }
    }
    if done == 0 {
        // Not one whole message here: tshark shows a segment of a reassembled PDU.
        ctx.layers.pop();
        if let Some(i) = ctx.info() {
            if !i.is_empty() {
                i.push(' ');
            }
            i.push_str("[TCP segment of a reassembled PDU]");
        }
    }
    Next::Done
}

/// The protocol node's field: mDNS and LLMNR have their own once registered.
fn proto_field(kind: Kind) -> &'static FieldDef {
    let f = match kind {
        Kind::Dns => &DNS,
        Kind::Mdns => &MDNS,
        Kind::Llmnr => &LLMNR,
    };
    if f.id() == u32::MAX {
        &DNS
    } else {
        f
    }
}

/// Dissect one message; `tcp` is the window including the length prefix.
fn message<'a>(ctx: &mut Ctx<'a, '_>, m: Buf<'a>, tcp: Option<&Buf<'a>>, kind: Kind) {
    let cover = tcp.copied().unwrap_or(m);
    let idx = ctx.open(proto_field(kind), &cover, cover.len());
    if let Some(w) = tcp {
        ctx.uint(&LENGTH, w, 0, 2, m.reported_len() as u64);
    }
    let names = ctx.wants_cols() || wants_any_name(ctx);
    let info = if ctx.wants_cols() {
        Some(String::new())
    } else {
        None
    };
    let full = ctx.tree.wants_all();
    let mut st = Msg {
        m,
        names,
        info,
        tmp: String::new(),
        owner: String::new(),
        raw: Vec::new(),
        kind,
        tcp: tcp.is_some(),
        full,
        sum: String::new(),
    };
    let depth = ctx.tree.depth();
    let r = body(ctx, &mut st, idx);
    // An exception may leave subtrees open: come back to the protocol's level.
    ctx.tree.set_depth(depth);
    if let Some(info) = st.info.take() {
        if let Some(i) = ctx.info_set() {
            *i = info;
        }
    }
    if let Err(e) = r {
        ctx.malformed(proto_field(kind).abbrev, e);
    }
}

fn wants_any_name(ctx: &Ctx<'_, '_>) -> bool {
    [
        &QRY_NAME,
        &QRY_NAME_LEN,
        &COUNT_LABELS,
        &RESP_NAME,
        &NS,
        &MD,
        &MF,
        &CNAME,
        &DNAME,
        &PTR,
        &MX_EXCHANGE,
        &SOA_MNAME,
        &SOA_RNAME,
        &SRV_SERVICE,
        &SRV_PROTO,
        &SRV_NAME,
        &SRV_TARGET,
        &SVCB_TARGET,
        &RRSIG_SIGNER,
        &NSEC_NEXT,
    ]
    .iter()
    .any(|f| ctx.tree.wants(f))
}

fn body<'a>(ctx: &mut Ctx<'a, '_>, st: &mut Msg<'a>, idx: Option<usize>) -> Result<(), BufError> {
    let m = st.m;
    let id = m.be16(0)?;
    let flags = m.be16(2)?;
    let response = flags & 0x8000 != 0;
    let opcode = (flags >> 11) & 0xf;
    let rcode = flags & 0xf;
    if let Some(i) = st.info.as_mut() {
        opcode_text(i, opcode);
        if response {
            i.push_str(" response");
        }
        let _ = write!(i, " 0x{id:04x}");
        if response && rcode != 0 {
            i.push(' ');
            rcode_text(i, rcode);
        }
    }
    let kind = st.kind;
    ctx.label(idx, |s| {
        s.push_str(proto_field(kind).name);
        s.push_str(if response { " (response)" } else { " (query)" });
    });
    ctx.uint(&ID, &m, 0, 2, id as u64);
    let fidx = ctx.uint(&FLAGS, &m, 2, 2, flags as u64);
    ctx.label(fidx, |s| {
        let _ = write!(s, "Flags: 0x{flags:04x} ");
        opcode_text(s, opcode);
        if response {
            s.push_str(" response, ");
            rcode_text(s, rcode);
        }
    });
    ctx.tree.enter();
    let f = flags as u64;
    ctx.flag(&F_RESPONSE, &m, 2, 2, response);
    ctx.uint(&F_OPCODE, &m, 2, 2, opcode as u64);
    if kind == Kind::Llmnr {
        ctx.flag(&F_CONFLICT, &m, 2, 2, f & 0x400 != 0);
        ctx.flag(&F_TRUNCATED, &m, 2, 2, f & 0x200 != 0);
        ctx.flag(&F_TENTATIVE, &m, 2, 2, f & 0x100 != 0);
    } else {
        if response {
            ctx.flag(&F_AUTHORITATIVE, &m, 2, 2, f & 0x400 != 0);
        }
        ctx.flag(&F_TRUNCATED, &m, 2, 2, f & 0x200 != 0);
        ctx.flag(&F_RECDESIRED, &m, 2, 2, f & 0x100 != 0);
        if response {
            ctx.flag(&F_RECAVAIL, &m, 2, 2, f & 0x80 != 0);
        }
        ctx.flag(&F_Z, &m, 2, 2, f & 0x40 != 0);
        // Queries show the AD bit only when it is set (Wireshark's
        // "AD bit" variant of the field).
        if response || f & 0x20 != 0 {
            let ad = ctx.flag(&F_AUTHENTICATED, &m, 2, 2, f & 0x20 != 0);
            if !response {
                ctx.label(ad, |s| s.push_str(".... .... ..1. .... = AD bit: Set"));
            }
        }
        ctx.flag(&F_CHECKDISABLE, &m, 2, 2, f & 0x10 != 0);
    }
    if response {
        ctx.uint(&F_RCODE, &m, 2, 2, rcode as u64);
    }
    ctx.close();
    let update = opcode == 5;
    let qd = m.be16(4)?;
    ctx.uint(
        if update { &COUNT_ZONES } else { &COUNT_QUERIES },
        &m,
        4,
        2,
        qd as u64,
    );
    let an = m.be16(6)?;
    ctx.uint(
        if update {
            &COUNT_PREREQ
        } else {
            &COUNT_ANSWERS
        },
        &m,
        6,
        2,
        an as u64,
    );
    let ns = m.be16(8)?;
    ctx.uint(
        if update { &COUNT_UPDATES } else { &COUNT_AUTH },
        &m,
        8,
        2,
        ns as u64,
    );
    let ar = m.be16(10)?;
    ctx.uint(&COUNT_ADD, &m, 10, 2, ar as u64);

    let mut off = 12usize;
    if qd > 0 {
        let sec = ctx.open_labeled(&TEXT, &m, off, 0, |s| {
            s.push_str(if update { "Zone" } else { "Queries" })
        });
        let start = off;
        for _ in 0..qd {
            off += question(ctx, st, off)?;
        }
        ctx.tree.set_len(sec, off - start);
        ctx.close();
    }
    let heads = if update {
        ["Prerequisites", "Updates", "Additional records"]
    } else {
        ["Answers", "Authoritative nameservers", "Additional records"]
    };
    for (count, head) in [an, ns, ar].into_iter().zip(heads) {
        if count == 0 {
            continue;
        }
        let sec = ctx.open_labeled(&TEXT, &m, off, 0, |s| s.push_str(head));
        let start = off;
        for _ in 0..count {
            off += record(ctx, st, off)?;
        }
        ctx.tree.set_len(sec, off - start);
        ctx.close();
    }
    // Like Wireshark, a message that ended in an exception is not matched.
    transaction(ctx, &m, id, response, st.tcp);
    Ok(())
}

fn transaction<'a>(ctx: &mut Ctx<'a, '_>, m: &Buf<'a>, id: u16, response: bool, tcp: bool) {
    let wanted = [
        &RESPONSE_TO,
        &TIME,
        &RETRANSMISSION,
        &RETRANSMIT_REQUEST_IN,
        &RETRANSMIT_RESPONSE_IN,
        &UNSOLICITED,
    ];
    // Messages quoted by ICMP errors take no part in matching.
    if ctx.pinfo.in_error || !wanted.iter().any(|f| ctx.tree.wants(f)) {
        return;
    }
    let (a, b, _) = crate::protocols::udp::conv_key(
        ctx.pinfo.net_src,
        ctx.pinfo.src_port,
        ctx.pinfo.net_dst,
        ctx.pinfo.dst_port,
    );
    let key = (tcp, a, b, id);
    let num = ctx.meta.number as u32;
    let ts = ctx.meta.ts;
    let st = ctx.state.get::<DnsState>();
    if st.trans.len() >= MAX_TRANSACTIONS {
        st.trans.clear();
    }
    if response {
        match st.trans.get_mut(&key) {
            Some(t) if t.rep == 0 || t.rep == num => {
                let first_answer = t.rep == 0;
                t.rep = num;
                let (req, req_ts) = (t.req, t.req_ts);
                if first_answer {
                    st.answered.push_back((key, req));
                    while st.answered.len() > KEEP_ANSWERED {
                        let Some((k, req)) = st.answered.pop_front() else { break };
                        if st.trans.get(&k).is_some_and(|t| t.req == req && t.rep != 0) {
                            st.trans.remove(&k);
                        }
                    }
                }
                ctx.add(&RESPONSE_TO, m, 0, 0, Value::U(req as u64));
                ctx.add(&TIME, m, 0, 0, Value::RelTime(ts.since(req_ts) as i64));
            }
            Some(t) => {
                let rep = t.rep;
                ctx.add(&RETRANSMIT_RESPONSE_IN, m, 0, 0, Value::U(rep as u64));
                ctx.flag(&RETRANSMISSION, m, 0, 0, true);
                let msg = format!("DNS response retransmission. Original response in frame {rep}");
                ctx.expert(&RETRANSMIT_RESPONSE, Severity::Warning, "Protocol", msg);
            }
            None => {
                ctx.flag(&UNSOLICITED, m, 0, 0, true);
            }
        }
    } else {
        match st.trans.get(&key) {
            Some(t) if t.rep == 0 && t.req != num && ts.since(t.req_ts) < RETRANSMISSION_TIMER => {
                let req = t.req;
                ctx.add(&RETRANSMIT_REQUEST_IN, m, 0, 0, Value::U(req as u64));
                ctx.flag(&RETRANSMISSION, m, 0, 0, true);
                let msg = format!("DNS query retransmission. Original request in frame {req}");
                ctx.expert(&RETRANSMIT_REQUEST, Severity::Warning, "Protocol", msg);
            }
            _ => {
                st.trans.insert(
                    key,
                    Trans {
                        req: num,
                        req_ts: ts,
                        rep: 0,
                    },
                );
            }
        }
    }
}

fn question<'a>(ctx: &mut Ctx<'a, '_>, st: &mut Msg<'a>, off: usize) -> Result<usize, BufError> {
    let m = st.m;
    let (used, name) = if st.names {
        st.tmp.clear();
        let n = read_name(&m, off, Some((&mut st.tmp, &mut st.raw)))?;
        (n.used, Some(n.len))
    } else {
        (skip_name(&m, off)?, None)
    };
    let qtype = m.be16(off + used)?;
    let mut qclass = m.be16(off + used + 2)?;
    let mdns = st.kind == Kind::Mdns;
    let qu = mdns && qclass & 0x8000 != 0;
    if mdns {
        qclass &= 0x7fff;
    }
    if let Some(i) = st.info.as_mut() {
        i.push(' ');
        type_name(qtype, i);
        i.push(' ');
        i.push_str(&st.tmp);
        if mdns {
            i.push_str(if qu {
                ", \"QU\" question"
            } else {
                ", \"QM\" question"
            });
        }
    }
    let full = st.full;
    let text = st.tmp.as_str();
    ctx.open_labeled(&TEXT, &m, off, used + 4, |s| {
        if full {
            let _ = write!(s, "{text}: type ");
            type_name(qtype, s);
            s.push_str(", class ");
            class_text(s, qclass);
            if mdns {
                s.push_str(if qu {
                    ", \"QU\" question"
                } else {
                    ", \"QM\" question"
                });
            }
        }
    });
    if let Some(len) = name {
        ctx.add(&QRY_NAME, &m, off, used, Value::OwnedStr(text.into()));
        let (l, labels) = name_stats(text, len);
        ctx.uint(&QRY_NAME_LEN, &m, off, used, l);
        ctx.uint(&COUNT_LABELS, &m, off, used, labels);
    }
    ctx.uint(&QRY_TYPE, &m, off + used, 2, qtype as u64);
    ctx.uint(&QRY_CLASS, &m, off + used + 2, 2, qclass as u64);
    if mdns {
        ctx.flag(&QRY_QU, &m, off + used + 2, 2, qu);
    }
    ctx.close();
    Ok(used + 4)
}

/// `dns.qry.name.len` and `dns.count.labels` as Wireshark computes them.
fn name_stats(text: &str, len: usize) -> (u64, u64) {
    if len <= 1 {
        return (0, 0);
    }
    let labels = 1 + text.bytes().filter(|&b| b == b'.').count() as u64;
    (len as u64, labels)
}

fn add_name<'a>(
    ctx: &mut Ctx<'a, '_>,
    st: &mut Msg<'a>,
    f: &'static FieldDef,
    off: usize,
) -> Result<usize, BufError> {
    let m = st.m;
    if st.names || ctx.tree.wants(f) {
        st.tmp.clear();
        let n = read_name(&m, off, Some((&mut st.tmp, &mut st.raw)))?;
        ctx.add(f, &m, off, n.used, Value::OwnedStr(st.tmp.as_str().into()));
        Ok(n.used)
    } else {
        skip_name(&m, off)
    }
}

/// Append `what` and the last name read to the record's label.
fn summary(st: &mut Msg<'_>, what: &str) {
    if st.full {
        st.sum.push_str(what);
        st.sum.push_str(&st.tmp);
    }
}

fn info_tmp(st: &mut Msg<'_>) {
    if let Some(i) = st.info.as_mut() {
        i.push(' ');
        i.push_str(&st.tmp);
    }
}

fn record<'a>(ctx: &mut Ctx<'a, '_>, st: &mut Msg<'a>, off: usize) -> Result<usize, BufError> {
    let m = st.m;
    let used = if st.names {
        st.owner.clear();
        read_name(&m, off, Some((&mut st.owner, &mut st.raw)))?.used
    } else {
        skip_name(&m, off)?
    };
    let p = off + used;
    let rtype = m.be16(p)?;
    let class = m.be16(p + 2)?;
    let ttl = m.be32(p + 4)?;
    let rdlen = m.be16(p + 8)? as usize;
    let rd = p + 10;
    let flush = st.kind == Kind::Mdns && class & 0x8000 != 0;
    if let Some(i) = st.info.as_mut() {
        i.push(' ');
        type_name(rtype, i);
        if flush {
            i.push_str(", cache flush");
        }
    }
    // Wireshark adds the record's subtree, covering it whole, before any
    // field: a record cut short adds nothing.
    m.slice(off, used + 10 + rdlen)?;
    let owner = st.owner.as_str();
    if st.full {
        st.sum.clear();
        let _ = write!(st.sum, "{owner}: type ");
        type_name(rtype, &mut st.sum);
        if rtype != 41 {
            st.sum.push_str(", class ");
            class_text(
                &mut st.sum,
                if st.kind == Kind::Mdns {
                    class & 0x7fff
                } else {
                    class
                },
            );
            if flush {
                st.sum.push_str(", cache flush");
            }
        }
    }
    let label = &st.sum;
    let ridx = ctx.open_labeled(&TEXT, &m, off, used + 10 + rdlen, |s| s.push_str(label));
    if rtype == 33 && st.names && owner.split('.').count() >= 3 {
        let mut it = owner.splitn(3, '.');
        let (s, pr, n) = (
            it.next().unwrap_or(""),
            it.next().unwrap_or(""),
            it.next().unwrap_or(""),
        );
        ctx.add(&SRV_SERVICE, &m, off, used, Value::OwnedStr(s.into()));
        ctx.add(&SRV_PROTO, &m, off, used, Value::OwnedStr(pr.into()));
        ctx.add(&SRV_NAME, &m, off, used, Value::OwnedStr(n.into()));
    } else if st.names {
        ctx.add(&RESP_NAME, &m, off, used, Value::OwnedStr(owner.into()));
    }
    ctx.uint(&RESP_TYPE, &m, p, 2, rtype as u64);
    if rtype == 41 {
        if st.kind == Kind::Mdns {
            // Wireshark's mDNS variant of this field is BASE_HEX under mask
            // 0x7fff; one FieldDef per filter name here, so decimal.
            ctx.uint(&RR_UDP_PAYLOAD_SIZE, &m, p + 2, 2, (class & 0x7fff) as u64);
            ctx.flag(&CACHE_FLUSH, &m, p + 2, 2, flush);
        } else {
            ctx.uint(&RR_UDP_PAYLOAD_SIZE, &m, p + 2, 2, class as u64);
        }
        ctx.uint(&EXT_RCODE, &m, p + 4, 1, (ttl >> 24) as u64);
        ctx.uint(&EDNS0_VERSION, &m, p + 5, 1, ((ttl >> 16) & 0xff) as u64);
        ctx.uint(&RESP_Z, &m, p + 6, 2, (ttl & 0xffff) as u64);
        ctx.tree.enter();
        ctx.flag(&RESP_Z_DO, &m, p + 6, 2, ttl & 0x8000 != 0);
        ctx.uint(&RESP_Z_RESERVED, &m, p + 6, 2, (ttl & 0x7fff) as u64);
        ctx.close();
    } else if st.kind == Kind::Mdns {
        ctx.uint(&RESP_CLASS, &m, p + 2, 2, (class & 0x7fff) as u64);
        ctx.flag(&CACHE_FLUSH, &m, p + 2, 2, flush);
        add_secs(ctx, &RESP_TTL, &m, p + 4, ttl);
    } else {
        ctx.uint(&RESP_CLASS, &m, p + 2, 2, class as u64);
        add_secs(ctx, &RESP_TTL, &m, p + 4, ttl);
    }
    ctx.uint(&RESP_LEN, &m, p + 8, 2, rdlen as u64);
    let before = st.sum.len();
    rdata(ctx, st, rtype, rd, rdlen)?;
    if st.full && st.sum.len() != before {
        let label = &st.sum;
        ctx.label(ridx, |s| s.push_str(label));
    }
    ctx.close();
    Ok(used + 10 + rdlen)
}

fn rdata<'a>(
    ctx: &mut Ctx<'a, '_>,
    st: &mut Msg<'a>,
    rtype: u16,
    o: usize,
    len: usize,
) -> Result<(), BufError> {
    let m = st.m;
    let end = o + len;
    match rtype {
        1 => {
            let a: [u8; 4] = m.array(o)?;
            if let Some(i) = st.info.as_mut() {
                i.push(' ');
                crate::names::write_v4(i, &a);
            }
            if st.full {
                st.sum.push_str(", addr ");
                crate::names::write_v4(&mut st.sum, &a);
            }
            ctx.add(&A, &m, o, 4, Value::V4(a));
        }
        28 => {
            let a: [u8; 16] = m.array(o)?;
            if let Some(i) = st.info.as_mut() {
                let _ = write!(i, " {}", std::net::Ipv6Addr::from(a));
            }
            if st.full {
                let _ = write!(st.sum, ", addr {}", std::net::Ipv6Addr::from(a));
            }
            ctx.add(&AAAA, &m, o, 16, Value::V6(a));
        }
        2 | 3 | 4 | 5 | 12 | 39 => {
            let f = match rtype {
                2 => &NS,
                3 => &MD,
                4 => &MF,
                5 => &CNAME,
                12 => &PTR,
                _ => &DNAME,
            };
            add_name(ctx, st, f, o)?;
            info_tmp(st);
            let what = match rtype {
                2 => ", ns ",
                5 => ", cname ",
                39 => ", dname ",
                3 => ", md ",
                4 => ", mf ",
                _ => ", ",
            };
            summary(st, what);
        }
        6 => {
            let u = add_name(ctx, st, &SOA_MNAME, o)?;
            info_tmp(st);
            summary(st, ", mname ");
            let u2 = add_name(ctx, st, &SOA_RNAME, o + u)?;
            let p = o + u + u2;
            ctx.uint(&SOA_SERIAL, &m, p, 4, m.be32(p)? as u64);
            for (k, f) in [&SOA_REFRESH, &SOA_RETRY, &SOA_EXPIRE, &SOA_MINIMUM]
                .into_iter()
                .enumerate()
            {
                let q = p + 4 + 4 * k;
                add_secs(ctx, f, &m, q, m.be32(q)?);
            }
        }
        15 => {
            let pref = m.be16(o)?;
            ctx.uint(&MX_PREF, &m, o, 2, pref as u64);
            add_name(ctx, st, &MX_EXCHANGE, o + 2)?;
            if let Some(i) = st.info.as_mut() {
                let _ = write!(i, " {pref} {}", st.tmp);
            }
            if st.full {
                let _ = write!(st.sum, ", preference {pref}, mx {}", st.tmp);
            }
        }
        16 | 99 => {
            let (lf, tf) = if rtype == 16 {
                (&TXT_LEN, &TXT)
            } else {
                (&SPF_LEN, &SPF)
            };
            let mut p = o;
            while p < end {
                let l = m.u8(p)? as usize;
                ctx.uint(lf, &m, p, 1, l as u64);
                m.slice(p + 1, l)?;
                ctx.text(tf, &m, p + 1, l);
                p += 1 + l;
            }
        }
        13 => {
            let cl = m.u8(o)? as usize;
            ctx.uint(&HINFO_CPU_LEN, &m, o, 1, cl as u64);
            let cpu = m.slice(o + 1, cl)?;
            ctx.text(&HINFO_CPU, &m, o + 1, cl);
            let p = o + 1 + cl;
            let ol = m.u8(p)? as usize;
            ctx.uint(&HINFO_OS_LEN, &m, p, 1, ol as u64);
            let os = m.slice(p + 1, ol)?;
            ctx.text(&HINFO_OS, &m, p + 1, ol);
            if let Some(i) = st.info.as_mut() {
                i.push(' ');
                format_name(cpu, i);
                i.push(' ');
                format_name(os, i);
            }
            if st.full {
                st.sum.push_str(", CPU ");
                format_name(cpu, &mut st.sum);
                st.sum.push_str(", OS ");
                format_name(os, &mut st.sum);
            }
        }
        33 => {
            let pri = m.be16(o)?;
            let w = m.be16(o + 2)?;
            let port = m.be16(o + 4)?;
            ctx.uint(&SRV_PRIORITY, &m, o, 2, pri as u64);
            ctx.uint(&SRV_WEIGHT, &m, o + 2, 2, w as u64);
            ctx.uint(&SRV_PORT, &m, o + 4, 2, port as u64);
            add_name(ctx, st, &SRV_TARGET, o + 6)?;
            if let Some(i) = st.info.as_mut() {
                let _ = write!(i, " {pri} {w} {port} {}", st.tmp);
            }
            if st.full {
                let _ = write!(
                    st.sum,
                    ", priority {pri}, weight {w}, port {port}, target {}",
                    st.tmp
                );
            }
        }
        41 => opt_rdata(ctx, &m, o, end)?,
        43 | 59 | 32769 => {
            let key = m.be16(o)?;
            ctx.uint(&DS_KEY_ID, &m, o, 2, key as u64);
            ctx.uint(&DS_ALGORITHM, &m, o + 2, 1, m.u8(o + 2)? as u64);
            ctx.uint(&DS_DIGEST_TYPE, &m, o + 3, 1, m.u8(o + 3)? as u64);
            ctx.bytes(&DS_DIGEST, &m, o + 4, len.saturating_sub(4));
        }
        24 | 46 => {
            ctx.uint(&RRSIG_TYPE_COVERED, &m, o, 2, m.be16(o)? as u64);
            ctx.uint(&RRSIG_ALGORITHM, &m, o + 2, 1, m.u8(o + 2)? as u64);
            ctx.uint(&RRSIG_LABELS, &m, o + 3, 1, m.u8(o + 3)? as u64);
            add_secs(ctx, &RRSIG_ORIGINAL_TTL, &m, o + 4, m.be32(o + 4)?);
            let exp = m.be32(o + 8)?;
            ctx.add(
                &RRSIG_EXPIRATION,
                &m,
                o + 8,
                4,
                Value::Time(Timestamp::new(exp as i64, 0)),
            );
            let inc = m.be32(o + 12)?;
            ctx.add(
                &RRSIG_INCEPTION,
                &m,
                o + 12,
                4,
                Value::Time(Timestamp::new(inc as i64, 0)),
            );
            ctx.uint(&RRSIG_KEY_TAG, &m, o + 16, 2, m.be16(o + 16)? as u64);
            let u = add_name(ctx, st, &RRSIG_SIGNER, o + 18)?;
            let s = o + 18 + u;
            ctx.bytes(&RRSIG_SIGNATURE, &m, s, end.saturating_sub(s));
        }
        47 => {
            let u = add_name(ctx, st, &NSEC_NEXT, o)?;
            info_tmp(st);
            summary(st, ", next domain name ");
            type_bitmap(ctx, &m, o + u, end)?;
        }
        50 | 51 => {
            ctx.uint(&NSEC3_ALGO, &m, o, 1, m.u8(o)? as u64);
            let fl = m.u8(o + 1)?;
            ctx.uint(&NSEC3_FLAGS, &m, o + 1, 1, fl as u64);
            ctx.tree.enter();
            ctx.flag(&NSEC3_OPT_OUT, &m, o + 1, 1, fl & 1 != 0);
            ctx.close();
            ctx.uint(&NSEC3_ITERATIONS, &m, o + 2, 2, m.be16(o + 2)? as u64);
            let sl = m.u8(o + 4)? as usize;
            ctx.uint(&NSEC3_SALT_LEN, &m, o + 4, 1, sl as u64);
            m.slice(o + 5, sl)?;
            ctx.bytes(&NSEC3_SALT, &m, o + 5, sl);
            if rtype == 50 {
                let h = o + 5 + sl;
                let hl = m.u8(h)? as usize;
                ctx.uint(&NSEC3_HASH_LEN, &m, h, 1, hl as u64);
                let hash = m.slice(h + 1, hl)?;
                if ctx.tree.wants(&NSEC3_HASH) {
                    ctx.add(
                        &NSEC3_HASH,
                        &m,
                        h + 1,
                        hl,
                        Value::OwnedStr(base32hex(hash).into()),
                    );
                }
                type_bitmap(ctx, &m, h + 1 + hl, end)?;
            }
        }
        44 => {
            ctx.uint(&SSHFP_ALGORITHM, &m, o, 1, m.u8(o)? as u64);
            ctx.uint(&SSHFP_TYPE, &m, o + 1, 1, m.u8(o + 1)? as u64);
            ctx.bytes(&SSHFP_FINGERPRINT, &m, o + 2, len.saturating_sub(2));
        }
        48 | 60 => {
            let fl = m.be16(o)? as u64;
            ctx.uint(&DNSKEY_FLAGS, &m, o, 2, fl);
            ctx.tree.enter();
            ctx.flag(&DNSKEY_ZONE_KEY, &m, o, 2, fl & 0x100 != 0);
            ctx.flag(&DNSKEY_REVOKED, &m, o, 2, fl & 0x80 != 0);
            ctx.flag(&DNSKEY_SEP, &m, o, 2, fl & 1 != 0);
            ctx.uint(&DNSKEY_RESERVED, &m, o, 2, fl & 0xfe7e);
            ctx.close();
            ctx.uint(&DNSKEY_PROTOCOL, &m, o + 2, 1, m.u8(o + 2)? as u64);
            let alg = m.u8(o + 3)?;
            ctx.uint(&DNSKEY_ALGORITHM, &m, o + 3, 1, alg as u64);
            if ctx.tree.wants(&DNSKEY_KEY_ID) {
                let rd = m.slice(o, len)?;
                ctx.uint(&DNSKEY_KEY_ID, &m, o, len, key_tag(rd, alg) as u64);
            }
            ctx.bytes(&DNSKEY_PUBLIC_KEY, &m, o + 4, len.saturating_sub(4));
        }
        64 | 65 => svcb(ctx, st, o, end)?,
        257 => caa(ctx, &m, o, end)?,
        t if !wireshark_decodes(t) && len > 0 => {
            ctx.bytes(&DATA, &m, o, len);
        }
        _ => {}
    }
    // The record must be there in full even when its contents were not read.
    if len > 0 {
        m.slice(o, len)?;
    }
    Ok(())
}

/// Types Wireshark 4.0 decodes itself (other types' data is `dns.data`).
fn wireshark_decodes(t: u16) -> bool {
    matches!(
        t,
        1..=30 | 33 | 35..=39 | 41..=52 | 55 | 59..=65 | 99 | 104..=109 | 249 | 250 | 257 | 32769 | 65281 | 65282 | 65422
    )
}

/// The NSEC/NSEC3 type bit maps (RFC 4034 §4.1.2): each type as `dns.resp.type`.
fn type_bitmap<'a>(
    ctx: &mut Ctx<'a, '_>,
    m: &Buf<'a>,
    mut p: usize,
    end: usize,
) -> Result<(), BufError> {
    while p < end {
        let win = m.u8(p)? as u64;
        let len = m.u8(p + 1)? as usize;
        let bits = m.slice(p + 2, len)?;
        for (i, &b) in bits.iter().enumerate() {
            for j in 0..8 {
                if b & (0x80 >> j) != 0 {
                    let t = win * 256 + (i as u64) * 8 + j;
                    let idx = ctx.uint(&RESP_TYPE, m, p + 2 + i, 1, t);
                    ctx.label(idx, |s| {
                        s.push_str("RR type in bit map: ");
                        match lookup(TYPES, t) {
                            Some(d) => s.push_str(d),
                            None => {
                                let _ = write!(s, "Unknown ({t})");
                            }
                        }
                    });
                }
            }
        }
        p += 2 + len;
    }
    Ok(())
}

/// Base 32 with the extended hex alphabet (RFC 4648 §7), lower case, no
/// padding: how Wireshark shows an NSEC3 hash.
fn base32hex(b: &[u8]) -> String {
    const A: &[u8; 32] = b"0123456789abcdefghijklmnopqrstuv";
    let mut out = String::with_capacity(b.len() * 8 / 5 + 1);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &x in b {
        acc = (acc << 8) | x as u32;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(A[((acc >> bits) & 31) as usize] as char);
        }
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(A[((acc << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// RFC 4034 Appendix B key tag.
fn key_tag(rd: &[u8], alg: u8) -> u16 {
    if alg == 1 {
        if rd.len() < 4 {
            return 0;
        }
        return u16::from_be_bytes([rd[rd.len() - 3], rd[rd.len() - 2]]);
    }
    let mut ac: u32 = 0;
    for (i, &b) in rd.iter().enumerate() {
        ac += if i & 1 == 1 {
            b as u32
        } else {
            (b as u32) << 8
        };
    }
    ac += (ac >> 16) & 0xffff;
    (ac & 0xffff) as u16
}

fn opt_rdata<'a>(ctx: &mut Ctx<'a, '_>, m: &Buf<'a>, o: usize, end: usize) -> Result<(), BufError> {
    let mut p = o;
    while p + 4 <= end {
        let code = m.be16(p)?;
        let olen = m.be16(p + 2)? as usize;
        ctx.open_labeled(&OPT, m, p, 4 + olen, |s| {
            s.push_str("Option: ");
            match lookup(OPT_CODES, code as u64) {
                Some(n) => s.push_str(n),
                None => {
                    let _ = write!(s, "Unknown ({code})");
                }
            }
        });
        ctx.uint(&OPT_CODE, m, p, 2, code as u64);
        ctx.uint(&OPT_LEN, m, p + 2, 2, olen as u64);
        let d = p + 4;
        let r = m.slice(d, olen).map(|_| ());
        if r.is_ok() {
            ctx.bytes(&OPT_DATA, m, d, olen);
            let _ = opt_option(ctx, m, code, d, olen);
        }
        ctx.close();
        r?;
        p = d + olen;
    }
    Ok(())
}

fn opt_option<'a>(
    ctx: &mut Ctx<'a, '_>,
    m: &Buf<'a>,
    code: u16,
    d: usize,
    olen: usize,
) -> Result<(), BufError> {
    match code {
        8 | 20730 => {
            let fam = m.be16(d)?;
            ctx.uint(&OPT_CLIENT_FAMILY, m, d, 2, fam as u64);
            ctx.uint(&OPT_CLIENT_NETMASK, m, d + 2, 1, m.u8(d + 2)? as u64);
            ctx.uint(&OPT_CLIENT_SCOPE, m, d + 3, 1, m.u8(d + 3)? as u64);
            let alen = olen.saturating_sub(4);
            let a = m.slice(d + 4, alen)?;
            match fam {
                1 if alen <= 4 => {
                    let mut v = [0u8; 4];
                    v[..alen].copy_from_slice(a);
                    ctx.add(&OPT_CLIENT_ADDR4, m, d + 4, alen, Value::V4(v));
                }
                2 if alen <= 16 => {
                    let mut v = [0u8; 16];
                    v[..alen].copy_from_slice(a);
                    ctx.add(&OPT_CLIENT_ADDR6, m, d + 4, alen, Value::V6(v));
                }
                _ => {
                    ctx.bytes(&OPT_CLIENT_ADDR, m, d + 4, alen);
                }
            }
        }
        10 => {
            ctx.bytes(&OPT_COOKIE_CLIENT, m, d, olen.min(8));
            ctx.bytes(&OPT_COOKIE_SERVER, m, d + 8, olen.saturating_sub(8));
        }
        12 => {
            ctx.bytes(&OPT_PADDING, m, d, olen);
        }
        _ => {}
    }
    Ok(())
}

fn caa<'a>(ctx: &mut Ctx<'a, '_>, m: &Buf<'a>, o: usize, end: usize) -> Result<(), BufError> {
    let fl = m.u8(o)?;
    ctx.uint(&CAA_FLAGS, m, o, 1, fl as u64);
    ctx.tree.enter();
    ctx.flag(&CAA_CRITICAL, m, o, 1, fl & 0x80 != 0);
    ctx.close();
    let tl = m.u8(o + 1)? as usize;
    let tag = m.slice(o + 2, tl)?;
    let v = o + 2 + tl;
    let vlen = end.saturating_sub(v);
    m.slice(v, vlen)?;
    let f = match tag {
        b"issue" => &CAA_ISSUE,
        b"issuewild" => &CAA_ISSUEWILD,
        b"iodef" => &CAA_IODEF,
        _ => &CAA_UNKNOWN,
    };
    // "Issue: ca.example" heads the tag, its length and the value.
    if ctx.tree.wants(f) {
        let val = m.slice(v, vlen)?;
        let idx = ctx.add(
            f,
            m,
            o + 1,
            end.saturating_sub(o + 1),
            Value::OwnedStr(String::from_utf8_lossy(val).into()),
        );
        ctx.label(idx, |s| {
            s.push_str(f.name);
            s.push_str(": ");
            format_name(val, s);
        });
    }
    ctx.tree.enter();
    ctx.uint(&CAA_TAG_LEN, m, o + 1, 1, tl as u64);
    ctx.text(&CAA_TAG, m, o + 2, tl);
    ctx.text(&CAA_VALUE, m, v, vlen);
    ctx.close();
    Ok(())
}

fn svcb<'a>(ctx: &mut Ctx<'a, '_>, st: &mut Msg<'a>, o: usize, end: usize) -> Result<(), BufError> {
    let m = st.m;
    let pri = m.be16(o)?;
    ctx.uint(&SVCB_PRIORITY, &m, o, 2, pri as u64);
    let u = add_name(ctx, st, &SVCB_TARGET, o + 2)?;
    let mut p = o + 2 + u;
    while p + 4 <= end {
        let key = m.be16(p)?;
        let vlen = m.be16(p + 2)? as usize;
        let v = p + 4;
        let r = m.slice(v, vlen);
        let idx = ctx
            .tree
            .add(&SVCB_PARAM, m.base() + p, 4 + vlen, Value::None);
        if let (Some(i), true, Ok(val)) = (idx, ctx.tree.wants_all(), r) {
            ctx.tree.set_label(i, |s| svc_param_label(s, key, val));
        }
        ctx.tree.enter();
        ctx.uint(&SVCB_KEY, &m, p, 2, key as u64);
        ctx.uint(&SVCB_VALUE_LEN, &m, p + 2, 2, vlen as u64);
        if r.is_ok() {
            svc_param(ctx, &m, key, v, vlen);
        }
        ctx.close();
        r?;
        p = v + vlen;
    }
    Ok(())
}

fn svc_param<'a>(ctx: &mut Ctx<'a, '_>, m: &Buf<'a>, key: u16, v: usize, vlen: usize) {
    let end = v + vlen;
    match key {
        0 => {
            let mut q = v;
            while q + 2 <= end {
                ctx.uint(&SVCB_MANDATORY, m, q, 2, m.be16(q).unwrap_or(0) as u64);
                q += 2;
            }
        }
        1 => {
            let mut q = v;
            while q < end {
                let l = m.u8(q).unwrap_or(0) as usize;
                ctx.uint(&SVCB_ALPN_LEN, m, q, 1, l as u64);
                ctx.text(&SVCB_ALPN, m, q + 1, l.min(end - q - 1));
                q += 1 + l;
            }
        }
        2 => {}
        3 => {
            ctx.uint(&SVCB_PORT, m, v, 2, m.be16(v).unwrap_or(0) as u64);
        }
        4 => {
            let mut q = v;
            while q + 4 <= end {
                if let Ok(a) = m.array::<4>(q) {
                    ctx.add(&SVCB_IPV4, m, q, 4, Value::V4(a));
                }
                q += 4;
            }
        }
        5 => {
            let idx = ctx.bytes(&SVCB_ECH, m, v, vlen);
            if let (Some(i), true, Ok(val)) = (idx, ctx.tree.wants_all(), m.slice(v, vlen)) {
                ctx.tree.set_label(i, |s| {
                    s.push_str("ECHConfig: ");
                    base64(val, s);
                });
            }
        }
        6 => {
            let mut q = v;
            while q + 16 <= end {
                if let Ok(a) = m.array::<16>(q) {
                    ctx.add(&SVCB_IPV6, m, q, 16, Value::V6(a));
                }
                q += 16;
            }
        }
        32769 => {
            ctx.bytes(&SVCB_ODOH, m, v, vlen);
        }
        _ => {
            ctx.bytes(&SVCB_VALUE, m, v, vlen);
        }
    }
}

fn svc_key_name(s: &mut String, key: u16) {
    match lookup(SVCB_KEYS, key as u64) {
        Some(n) => s.push_str(n),
        None => {
            let _ = write!(s, "key{key}");
        }
    }
}

/// "SvcParam: alpn=h2,h3" (RFC 9460 presentation format, as Wireshark shows it).
fn svc_param_label(s: &mut String, key: u16, val: &[u8]) {
    s.push_str("SvcParam: ");
    svc_key_name(s, key);
    if key == 2 {
        return;
    }
    s.push('=');
    match key {
        0 => {
            for (i, k) in val.chunks_exact(2).enumerate() {
                if i > 0 {
                    s.push(',');
                }
                svc_key_name(s, u16::from_be_bytes([k[0], k[1]]));
            }
        }
        1 => {
            let mut q = 0;
            let mut first = true;
            while q < val.len() {
                let l = val[q] as usize;
                let id = val.get(q + 1..(q + 1 + l).min(val.len())).unwrap_or(&[]);
                if !first {
                    s.push(',');
                }
                first = false;
                format_name(id, s);
                q += 1 + l;
            }
        }
        3 if val.len() >= 2 => {
            let _ = write!(s, "{}", u16::from_be_bytes([val[0], val[1]]));
        }
        4 => {
            for (i, a) in val.chunks_exact(4).enumerate() {
                if i > 0 {
                    s.push(',');
                }
                let _ = write!(s, "{}.{}.{}.{}", a[0], a[1], a[2], a[3]);
            }
        }
        6 => {
            for (i, a) in val.chunks_exact(16).enumerate() {
                if i > 0 {
                    s.push(',');
                }
                let mut o = [0u8; 16];
                o.copy_from_slice(a);
                let _ = write!(s, "{}", std::net::Ipv6Addr::from(o));
            }
        }
        5 | 32769 => base64(val, s),
        _ => format_name(val, s),
    }
}

#[cfg(test)]
mod tests {
    use wirecrab_core::{FrameMeta, LinkType, Timestamp, Value, Want};

    use crate::{Dissector, Options};

    /// What one frame gave: Info, `frame.protocols`, (abbrev, value) of every node.
    struct Out {
        info: String,
        layers: String,
        nodes: Vec<(&'static str, Value)>,
        malformed: bool,
    }

    impl Out {
        fn values(&self, abbrev: &str) -> Vec<&Value> {
            self.nodes
                .iter()
                .filter(|(a, _)| *a == abbrev)
                .map(|(_, v)| v)
                .collect()
        }
    }

    fn s(v: &str) -> Value {
        Value::OwnedStr(v.into())
    }

    /// A raw IPv4 + UDP frame around `payload` (checksums zero).
    fn udp(sport: u16, dport: u16, src: [u8; 4], dst: [u8; 4], payload: &[u8]) -> Vec<u8> {
        let ulen = 8 + payload.len();
        let tlen = 20 + ulen;
        let mut f = vec![
            0x45,
            0,
            (tlen >> 8) as u8,
            tlen as u8,
            0,
            1,
            0,
            0,
            64,
            17,
            0,
            0,
        ];
        f.extend_from_slice(&src);
        f.extend_from_slice(&dst);
        f.extend_from_slice(&sport.to_be_bytes());
        f.extend_from_slice(&dport.to_be_bytes());
        f.extend_from_slice(&(ulen as u16).to_be_bytes());
        f.extend_from_slice(&[0, 0]);
        f.extend_from_slice(payload);
        f
    }

    const C: [u8; 4] = [10, 0, 0, 1];
    const S: [u8; 4] = [10, 0, 0, 2];

    fn query(p: &[u8]) -> Vec<u8> {
        udp(40000, 53, C, S, p)
    }

    fn reply(p: &[u8]) -> Vec<u8> {
        udp(53, 40000, S, C, p)
    }

    fn run_all(d: &mut Dissector, frames: &[Vec<u8>]) -> Vec<Out> {
        frames
            .iter()
            .enumerate()
            .map(|(i, bytes)| {
                let n = bytes.len() as u32;
                let meta = FrameMeta {
                    number: i as u64 + 1,
                    ts: Timestamp::new(100 + i as i64, 0),
                    orig_len: n,
                    cap_len: n,
                    has_ts: true,
                    link_type: LinkType::RAW,
                    ..Default::default()
                };
                let r = d.dissect(&meta, bytes);
                Out {
                    info: r.cols.info_text(),
                    layers: r.layers.join(":"),
                    nodes: r
                        .tree
                        .nodes()
                        .iter()
                        .map(|n| (n.field.abbrev, n.value.clone()))
                        .collect(),
                    malformed: r.malformed,
                }
            })
            .collect()
    }

    fn run(frames: &[Vec<u8>]) -> Vec<Out> {
        let mut d = Dissector::new(Options {
            want: Want::All,
            columns: true,
            protocols: true,
        });
        run_all(&mut d, frames)
    }

    fn one(frame: Vec<u8>) -> Out {
        run(&[frame]).remove(0)
    }

    fn name(n: &str) -> Vec<u8> {
        let mut o = Vec::new();
        for l in n.split('.').filter(|l| !l.is_empty()) {
            o.push(l.len() as u8);
            o.extend_from_slice(l.as_bytes());
        }
        o.push(0);
        o
    }

    fn header(id: u16, flags: u16, counts: [u16; 4]) -> Vec<u8> {
        let mut h = Vec::new();
        h.extend_from_slice(&id.to_be_bytes());
        h.extend_from_slice(&flags.to_be_bytes());
        for c in counts {
            h.extend_from_slice(&c.to_be_bytes());
        }
        h
    }

    fn question(n: &str, t: u16) -> Vec<u8> {
        let mut q = name(n);
        q.extend_from_slice(&t.to_be_bytes());
        q.extend_from_slice(&1u16.to_be_bytes());
        q
    }

    fn rr(owner: &[u8], t: u16, ttl: u32, rdata: &[u8]) -> Vec<u8> {
        let mut r = owner.to_vec();
        r.extend_from_slice(&t.to_be_bytes());
        r.extend_from_slice(&1u16.to_be_bytes());
        r.extend_from_slice(&ttl.to_be_bytes());
        r.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
        r.extend_from_slice(rdata);
        r
    }

    fn example_query() -> Vec<u8> {
        [
            header(0x1234, 0x0100, [1, 0, 0, 0]),
            question("www.example.com", 1),
        ]
        .concat()
    }

    /// A response whose answers point back at the question name (offset 12)
    /// and into the CNAME target.
    fn example_response() -> Vec<u8> {
        let q = question("www.example.com", 1);
        let mut cname = b"\x03web".to_vec();
        cname.extend_from_slice(&[0xc0, 16]); // "example.com" inside the question
        let first = 12 + q.len() + 12; // where the CNAME rdata starts
        [
            header(0x1234, 0x8180, [1, 2, 0, 0]),
            q,
            rr(&[0xc0, 12], 5, 300, &cname),
            rr(&[0xc0, first as u8], 1, 60, &[192, 0, 2, 7]),
        ]
        .concat()
    }

    #[test]
    fn standard_query() {
        let r = one(query(&example_query()));
        assert_eq!(r.layers, "raw:ip:udp:dns");
        assert_eq!(r.info, "Standard query 0x1234 A www.example.com");
        assert_eq!(r.values("dns.id"), [&Value::U(0x1234)]);
        assert_eq!(r.values("dns.flags.response"), [&Value::Bool(false)]);
        assert_eq!(r.values("dns.flags.recdesired"), [&Value::Bool(true)]);
        assert!(
            r.values("dns.flags.rcode").is_empty(),
            "queries have no reply code"
        );
        assert_eq!(r.values("dns.count.queries"), [&Value::U(1)]);
        assert_eq!(r.values("dns.qry.name"), [&s("www.example.com")]);
        assert_eq!(r.values("dns.qry.name.len"), [&Value::U(15)]);
        assert_eq!(r.values("dns.count.labels"), [&Value::U(3)]);
        assert_eq!(r.values("dns.qry.type"), [&Value::U(1)]);
        assert_eq!(r.values("dns.qry.class"), [&Value::U(1)]);
        assert!(!r.malformed);
    }

    #[test]
    fn response_with_compression_pointers_and_matching() {
        let out = run(&[query(&example_query()), reply(&example_response())]);
        let r = &out[1];
        assert_eq!(
            r.info,
            "Standard query response 0x1234 A www.example.com CNAME web.example.com A 192.0.2.7"
        );
        assert_eq!(
            r.values("dns.resp.name"),
            [&s("www.example.com"), &s("web.example.com")]
        );
        assert_eq!(r.values("dns.cname"), [&s("web.example.com")]);
        assert_eq!(r.values("dns.a"), [&Value::V4([192, 0, 2, 7])]);
        assert_eq!(r.values("dns.resp.ttl"), [&Value::U(300), &Value::U(60)]);
        assert_eq!(r.values("dns.flags.rcode"), [&Value::U(0)]);
        assert_eq!(r.values("dns.response_to"), [&Value::U(1)]);
        assert_eq!(r.values("dns.time"), [&Value::RelTime(1_000_000_000)]);
        assert!(!r.malformed);
    }

    #[test]
    fn rcode_opt_and_client_subnet() {
        let mut opt = vec![0]; // root owner
        opt.extend_from_slice(&41u16.to_be_bytes());
        opt.extend_from_slice(&1232u16.to_be_bytes());
        opt.extend_from_slice(&0x0000_8000u32.to_be_bytes());
        let ecs = [0u8, 8, 0, 7, 0, 1, 24, 0, 198, 51, 100];
        opt.extend_from_slice(&(ecs.len() as u16).to_be_bytes());
        opt.extend_from_slice(&ecs);
        let m = [
            header(0xabcd, 0x8183, [1, 0, 0, 1]),
            question("nx.example", 28),
            opt,
        ]
        .concat();
        let r = one(reply(&m));
        assert_eq!(
            r.info,
            "Standard query response 0xabcd No such name AAAA nx.example OPT"
        );
        assert_eq!(r.values("dns.rr.udp_payload_size"), [&Value::U(1232)]);
        assert_eq!(r.values("dns.resp.z.do"), [&Value::Bool(true)]);
        assert_eq!(r.values("dns.opt.code"), [&Value::U(8)]);
        assert_eq!(r.values("dns.opt.client.family"), [&Value::U(1)]);
        assert_eq!(r.values("dns.opt.client.netmask"), [&Value::U(24)]);
        assert_eq!(
            r.values("dns.opt.client.addr4"),
            [&Value::V4([198, 51, 100, 0])]
        );
        assert_eq!(r.values("dns.unsolicited"), [&Value::Bool(true)]);
    }

    #[test]
    fn pointer_loop_terminates() {
        // The question name points at itself.
        let mut m = header(7, 0x8100, [1, 0, 0, 0]);
        m.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1]);
        let r = one(reply(&m));
        assert_eq!(
            r.info,
            "Standard query response 0x0007 A <Name contains a pointer that loops>"
        );
        // Two pointers pointing at each other.
        let mut m = header(8, 0x8100, [1, 0, 0, 0]);
        m.extend_from_slice(&[0xc0, 14, 0xc0, 12, 0, 1, 0, 1]);
        let r = one(reply(&m));
        assert!(
            r.info.ends_with("<Name contains a pointer that loops>"),
            "{}",
            r.info
        );
    }

    #[test]
    fn long_names_are_capped() {
        let label = "a".repeat(63);
        let long = [label.as_str(); 5].join(".");
        let r = one(query(
            &[header(9, 0x0100, [1, 0, 0, 0]), question(&long, 1)].concat(),
        ));
        assert_eq!(r.info, "Standard query 0x0009 A <Name too long>");
        assert!(!r.malformed);
    }

    #[test]
    fn truncated_message_is_malformed() {
        let full = example_response();
        let r = one(reply(&full[..full.len() - 2]));
        assert!(r.malformed);
        assert_eq!(r.info, "Standard query response 0x1234 A www.example.com CNAME web.example.com A[Malformed Packet]");
        let r = one(reply(&full[..5]));
        assert!(r.malformed);
        assert_eq!(r.layers, "raw:ip:udp:dns");
    }

    #[test]
    fn dnssec_and_newer_types() {
        let ds = [0x30, 0x39, 8, 2, 0xaa, 0xbb];
        let mut key = vec![1, 1, 3, 8];
        key.extend_from_slice(&[1, 2, 3, 4, 5, 6]);
        let caa = b"\x80\x05issueca.example";
        let mut svcb = vec![0, 1];
        svcb.extend_from_slice(&name("svc.example"));
        svcb.extend_from_slice(&[0, 1, 0, 3, 2, b'h', b'2', 0, 3, 0, 2, 0x01, 0xbb]);
        let mut nsec = name("b.example");
        nsec.extend_from_slice(&[0, 1, 0x40]);
        let m = [
            header(1, 0x8400, [0, 5, 0, 0]),
            rr(&name("example"), 43, 1, &ds),
            rr(&name("example"), 48, 1, &key),
            rr(&name("example"), 257, 1, caa),
            rr(&name("example"), 65, 1, &svcb),
            rr(&name("a.example"), 47, 1, &nsec),
        ]
        .concat();
        let r = one(reply(&m));
        assert_eq!(
            r.info,
            "Standard query response 0x0001 DS DNSKEY CAA HTTPS NSEC b.example"
        );
        assert_eq!(r.values("dns.ds.key_id"), [&Value::U(12345)]);
        assert_eq!(r.values("dns.dnskey.flags.zone_key"), [&Value::Bool(true)]);
        assert_eq!(
            r.values("dns.dnskey.flags.secure_entry_point"),
            [&Value::Bool(true)]
        );
        assert_eq!(
            r.values("dns.caa.flags.issuer_critical"),
            [&Value::Bool(true)]
        );
        assert_eq!(r.values("dns.svcb.svcpriority"), [&Value::U(1)]);
        assert_eq!(r.values("dns.svcb.targetname"), [&s("svc.example")]);
        assert_eq!(r.values("dns.svcb.svcparam.port"), [&Value::U(443)]);
        assert_eq!(r.values("dns.nsec.next_domain_name"), [&s("b.example")]);
        // The NSEC bit map lists type A as another dns.resp.type.
        assert_eq!(r.values("dns.resp.type").last(), Some(&&Value::U(1)));
        assert!(!r.malformed);
    }

    #[test]
    fn retransmitted_query() {
        let q = query(&example_query());
        let out = run(&[q.clone(), q]);
        assert_eq!(out[1].values("dns.retransmission"), [&Value::Bool(true)]);
        assert_eq!(out[1].values("dns.retransmit_request_in"), [&Value::U(1)]);
    }

    #[test]
    fn tcp_length_prefix() {
        let m = example_query();
        let mut p = (m.len() as u16).to_be_bytes().to_vec();
        p.extend_from_slice(&m);
        let tcp = |payload: &[u8], sport: u16| {
            let tlen = 40 + payload.len();
            let mut f = vec![
                0x45,
                0,
                (tlen >> 8) as u8,
                tlen as u8,
                0,
                1,
                0,
                0,
                64,
                6,
                0,
                0,
            ];
            f.extend_from_slice(&C);
            f.extend_from_slice(&S);
            f.extend_from_slice(&sport.to_be_bytes());
            f.extend_from_slice(&53u16.to_be_bytes());
            f.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0]);
            f.extend_from_slice(payload);
            f
        };
        // Two connections: the same bytes again on one would be a retransmission.
        let out = run(&[tcp(&p, 40000), tcp(&p[..10], 40001)]);
        assert_eq!(out[0].layers, "raw:ip:tcp:dns");
        assert_eq!(out[0].info, "Standard query 0x1234 A www.example.com");
        assert_eq!(out[0].values("dns.length"), [&Value::U(m.len() as u64)]);
        assert_eq!(out[1].layers, "raw:ip:tcp");
        assert!(
            out[1].info.ends_with("[TCP segment of a reassembled PDU]"),
            "{}",
            out[1].info
        );
    }

    #[test]
    fn mdns_question_and_cache_flush() {
        let mut q = name("_http._tcp.local");
        q.extend_from_slice(&[0, 12, 0x80, 1]); // PTR, class IN with the QU bit
        let r = one(udp(5353, 5353, C, [224, 0, 0, 251], &[header(0, 0, [1, 0, 0, 0]), q].concat()));
        assert_eq!(r.layers, "raw:ip:udp:mdns");
        assert_eq!(r.info, "Standard query 0x0000 PTR _http._tcp.local, \"QU\" question");
        assert_eq!(r.values("dns.qry.class"), [&Value::U(1)]);
        assert_eq!(r.values("dns.qry.qu"), [&Value::Bool(true)]);
        let mut a = name("foo.local");
        a.extend_from_slice(&[0, 1, 0x80, 1, 0, 0, 0, 120, 0, 4, 10, 1, 1, 1]);
        let r = one(udp(5353, 5353, C, [224, 0, 0, 251], &[header(0, 0x8400, [0, 1, 0, 0]), a].concat()));
        assert_eq!(r.info, "Standard query response 0x0000 A, cache flush 10.1.1.1");
        assert_eq!(r.values("dns.resp.cache_flush"), [&Value::Bool(true)]);
        let r = one(udp(50000, 5355, C, S, &[header(0x55, 0, [1, 0, 0, 0]), question("wpad", 1)].concat()));
        assert_eq!(r.layers, "raw:ip:udp:llmnr");
        assert_eq!(r.info, "Standard query 0x0055 A wpad");
    }

    #[test]
    fn no_panic_on_prefixes_and_random_payloads() {
        let mut d = Dissector::new(Options {
            want: Want::All,
            columns: true,
            protocols: true,
        });
        let resp = example_response();
        let frames: Vec<Vec<u8>> = (0..=resp.len()).map(|n| reply(&resp[..n])).collect();
        run_all(&mut d, &frames);
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for i in 0..5000 {
            let len = (next() % 300) as usize;
            let mut p: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            if i % 2 == 0 && p.len() >= 12 {
                // Plausible counts and pointers make the walk go deeper.
                p[4..12].copy_from_slice(&[0, 1, 0, 3, 0, 1, 0, 1]);
                for b in p.iter_mut().skip(12).step_by(7) {
                    *b |= 0xc0;
                }
            }
            let f = if i % 3 == 0 { query(&p) } else { reply(&p) };
            run_all(&mut d, &[f]);
        }
    }
}
