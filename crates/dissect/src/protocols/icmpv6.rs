//! Internet Control Message Protocol for IPv6 (RFC 4443), with Neighbor
//! Discovery (RFC 4861: router and neighbour solicitation/advertisement,
//! redirect, and their options; route information RFC 4191; RDNSS/DNSSL
//! RFC 8106), Multicast Listener Discovery (RFC 2710, MLDv2 RFC 3810),
//! Mobile IPv6 prefix/home-agent discovery (RFC 6275) and multicast router
//! discovery (RFC 4286). IPv6 next header 58.
//!
//! ```text
//!  0                   1                   2                   3
//! +---------------+---------------+-------------------------------+
//! |     Type      |     Code      |           Checksum            |
//! +---------------+---------------+-------------------------------+
//! |                         Message body                          |
//! +---------------------------------------------------------------+
//!
//! Neighbor Discovery options (type-length-value, length in 8-byte units):
//! +---------------+---------------+-------------------------------+
//! |     Type      |    Length     |   value ... (8 * Length - 2)  |
//! +---------------+---------------+-------------------------------+
//! ```
//! The checksum covers a pseudo-header (source, destination, length, next
//! header 58). Error messages (types 1-4) quote the offending IPv6 packet,
//! which is dissected again with the Protocol and Info columns frozen.

use std::fmt::Write;

use wirecrab_core::{Base, Buf, BufError, FieldDef, FieldType as T, Severity, Value};

use super::icmp::{fold, item, matched_reply, rest_from, sum16, EchoKey, EchoTable};
use super::udp::CHECKSUM_STATUS_NAMES;
use crate::columns::Address;
use crate::ctx::{Ctx, Next};
use crate::names::write_mac;
use crate::registry::Protocol;

static ICMPV6: FieldDef = FieldDef::new("icmpv6", "Internet Control Message Protocol v6", T::Protocol);
static TYPE: FieldDef = FieldDef::new("icmpv6.type", "Type", T::U8).names(TYPES);
static CODE: FieldDef = FieldDef::new("icmpv6.code", "Code", T::U8);
static CHECKSUM: FieldDef = FieldDef::new("icmpv6.checksum", "Checksum", T::U16).base(Base::Hex);
static CHECKSUM_STATUS: FieldDef =
    FieldDef::new("icmpv6.checksum.status", "Checksum Status", T::U8).base(Base::None).names(CHECKSUM_STATUS_NAMES);
static RESERVED: FieldDef = FieldDef::new("icmpv6.reserved", "Reserved", T::Bytes);
static DATA: FieldDef = FieldDef::new("icmpv6.data", "Data", T::Bytes);
static UNKNOWN_DATA: FieldDef = FieldDef::new("icmpv6.unknown_data", "Unknown Data", T::Bytes);
static MTU: FieldDef = FieldDef::new("icmpv6.mtu", "MTU", T::U32);
static POINTER: FieldDef = FieldDef::new("icmpv6.pointer", "Pointer", T::U32);
static ECHO_ID: FieldDef = FieldDef::new("icmpv6.echo.identifier", "Identifier", T::U16).base(Base::Hex);
static ECHO_SEQ: FieldDef = FieldDef::new("icmpv6.echo.sequence_number", "Sequence", T::U16);
static NONCE: FieldDef = FieldDef::new("icmpv6.nonce", "Nonce", T::Bytes);
static LENGTH: FieldDef = FieldDef::new("icmpv6.length", "Length of original datagram", T::U8);

static RA_HOP_LIMIT: FieldDef = FieldDef::new("icmpv6.nd.ra.cur_hop_limit", "Cur hop limit", T::U8);
static RA_FLAG: FieldDef = FieldDef::new("icmpv6.nd.ra.flag", "Flags", T::U8).base(Base::Hex);
static RA_FLAG_M: FieldDef =
    FieldDef::new("icmpv6.nd.ra.flag.m", "Managed address configuration", T::Bool).mask(0x80).tf("Set", "Not set");
static RA_FLAG_O: FieldDef =
    FieldDef::new("icmpv6.nd.ra.flag.o", "Other configuration", T::Bool).mask(0x40).tf("Set", "Not set");
static RA_FLAG_H: FieldDef = FieldDef::new("icmpv6.nd.ra.flag.h", "Home Agent", T::Bool).mask(0x20).tf("Set", "Not set");
static RA_FLAG_PRF: FieldDef =
    FieldDef::new("icmpv6.nd.ra.flag.prf", "Prf (Default Router Preference)", T::U8).mask(0x18).names(ROUTER_PREF);
static RA_FLAG_P: FieldDef = FieldDef::new("icmpv6.nd.ra.flag.p", "Proxy", T::Bool).mask(0x04).tf("Set", "Not set");
static RA_FLAG_RSV: FieldDef = FieldDef::new("icmpv6.nd.ra.flag.rsv", "Reserved", T::U8).mask(0x03);
static RA_ROUTER_LIFETIME: FieldDef = FieldDef::new("icmpv6.nd.ra.router_lifetime", "Router lifetime (s)", T::U16);
static RA_REACHABLE: FieldDef = FieldDef::new("icmpv6.nd.ra.reachable_time", "Reachable time (ms)", T::U32);
static RA_RETRANS: FieldDef = FieldDef::new("icmpv6.nd.ra.retrans_timer", "Retrans timer (ms)", T::U32);
static NS_TARGET: FieldDef = FieldDef::new("icmpv6.nd.ns.target_address", "Target Address", T::Ipv6);
static NA_FLAG: FieldDef = FieldDef::new("icmpv6.nd.na.flag", "Flags", T::U32).base(Base::Hex);
static NA_FLAG_R: FieldDef = FieldDef::new("icmpv6.nd.na.flag.r", "Router", T::Bool).mask(0x8000_0000).tf("Set", "Not set");
static NA_FLAG_S: FieldDef =
    FieldDef::new("icmpv6.nd.na.flag.s", "Solicited", T::Bool).mask(0x4000_0000).tf("Set", "Not set");
static NA_FLAG_O: FieldDef =
    FieldDef::new("icmpv6.nd.na.flag.o", "Override", T::Bool).mask(0x2000_0000).tf("Set", "Not set");
static NA_FLAG_RSV: FieldDef = FieldDef::new("icmpv6.nd.na.flag.rsv", "Reserved", T::U32).mask(0x1fff_ffff);
static NA_TARGET: FieldDef = FieldDef::new("icmpv6.nd.na.target_address", "Target Address", T::Ipv6);
static RD_TARGET: FieldDef = FieldDef::new("icmpv6.nd.rd.target_address", "Target Address", T::Ipv6);
static RD_DESTINATION: FieldDef = FieldDef::new("icmpv6.rd.na.destination_address", "Destination Address", T::Ipv6);

static OPT: FieldDef = FieldDef::new("icmpv6.opt", "ICMPv6 Option", T::None);
static OPT_TYPE: FieldDef = FieldDef::new("icmpv6.opt.type", "Type", T::U8).names(OPTIONS);
static OPT_LENGTH: FieldDef = FieldDef::new("icmpv6.opt.length", "Length", T::U8);
static OPT_RESERVED: FieldDef = FieldDef::new("icmpv6.opt.reserved", "Reserved", T::None);
static OPT_PADDING: FieldDef = FieldDef::new("icmpv6.opt.padding", "Padding", T::None);
// Wireshark registers these twice under one name: as FT_ETHER for 6-byte
// addresses and FT_BYTES otherwise. We keep the FT_BYTES declaration that
// `tshark -G fields` lists, and give 6-byte addresses an Ether value.
static OPT_LINKADDR: FieldDef = FieldDef::new("icmpv6.opt.linkaddr", "Link-layer address", T::Bytes);
static OPT_SRC_LINKADDR: FieldDef = FieldDef::new("icmpv6.opt.src_linkaddr", "Source Link-layer address", T::Bytes);
static OPT_TARGET_LINKADDR: FieldDef = FieldDef::new("icmpv6.opt.target_linkaddr", "Target Link-layer address", T::Bytes);
// FT_EUI64 in Wireshark; there is no such type here, so the raw 8 bytes.
static OPT_LINKADDR_EUI64: FieldDef = FieldDef::new("icmpv6.opt.linkaddr_eui64", "Link-layer address", T::Bytes);
static OPT_SRC_LINKADDR_EUI64: FieldDef =
    FieldDef::new("icmpv6.opt.src_linkaddr_eui64", "Source Link-layer address", T::Bytes);
static OPT_TARGET_LINKADDR_EUI64: FieldDef =
    FieldDef::new("icmpv6.opt.target_linkaddr_eui64", "Target Link-layer address", T::Bytes);
static OPT_PREFIX_LEN: FieldDef = FieldDef::new("icmpv6.opt.prefix.length", "Prefix Length", T::U8);
static OPT_PREFIX_FLAG: FieldDef = FieldDef::new("icmpv6.opt.prefix.flag", "Flag", T::U8).base(Base::Hex);
static OPT_PREFIX_FLAG_L: FieldDef =
    FieldDef::new("icmpv6.opt.prefix.flag.l", "On-link flag(L)", T::Bool).mask(0x80).tf("Set", "Not set");
static OPT_PREFIX_FLAG_A: FieldDef =
    FieldDef::new("icmpv6.opt.prefix.flag.a", "Autonomous address-configuration flag(A)", T::Bool)
        .mask(0x40)
        .tf("Set", "Not set");
static OPT_PREFIX_FLAG_R: FieldDef =
    FieldDef::new("icmpv6.opt.prefix.flag.r", "Router address flag(R)", T::Bool).mask(0x20).tf("Set", "Not set");
static OPT_PREFIX_FLAG_RSV: FieldDef = FieldDef::new("icmpv6.opt.prefix.flag.reserved", "Reserved", T::U8).mask(0x1f);
static OPT_PREFIX_VALID: FieldDef = FieldDef::new("icmpv6.opt.prefix.valid_lifetime", "Valid Lifetime", T::U32);
static OPT_PREFIX_PREFERRED: FieldDef =
    FieldDef::new("icmpv6.opt.prefix.preferred_lifetime", "Preferred Lifetime", T::U32);
static OPT_PREFIX: FieldDef = FieldDef::new("icmpv6.opt.prefix", "Prefix", T::Ipv6);
static OPT_REDIRECTED: FieldDef = FieldDef::new("icmpv6.opt.redirected_packet", "Redirected Packet", T::None);
static OPT_MTU: FieldDef = FieldDef::new("icmpv6.opt.mtu", "MTU", T::U32);
static OPT_NBMA_LIMIT: FieldDef = FieldDef::new("icmpv6.opt.nbma.shortcut_limit", "Shortcut Limit", T::U8);
static OPT_ADV_INTERVAL: FieldDef = FieldDef::new("icmpv6.opt.advertisement_interval", "Advertisement Interval", T::U32);
static OPT_HA_PREF: FieldDef = FieldDef::new("icmpv6.opt.home_agent_preference", "Home Agent Preference", T::U16);
static OPT_HA_LIFETIME: FieldDef = FieldDef::new("icmpv6.opt.home_agent_lifetime", "Home Agent Preference", T::U16);
static OPT_IPV6_ADDRESS: FieldDef = FieldDef::new("icmpv6.opt.ipv6_address", "IPv6 Address", T::Ipv6);
static OPT_ROUTE_FLAG: FieldDef = FieldDef::new("icmpv6.opt.route_info.flag", "Flag", T::U8).base(Base::Hex);
static OPT_ROUTE_PREF: FieldDef =
    FieldDef::new("icmpv6.opt.route_info.flag.route_preference", "Route Preference", T::U8).mask(0x18).names(ROUTER_PREF);
static OPT_ROUTE_RSV: FieldDef = FieldDef::new("icmpv6.opt.route_info.flag.reserved", "Reserved", T::U8).mask(0xe7);
static OPT_ROUTE_LIFETIME: FieldDef = FieldDef::new("icmpv6.opt.route_lifetime", "Route Lifetime", T::U32);
static OPT_RDNSS_LIFETIME: FieldDef = FieldDef::new("icmpv6.opt.rdnss.lifetime", "Lifetime", T::U32);
static OPT_RDNSS: FieldDef = FieldDef::new("icmpv6.opt.rdnss", "Recursive DNS Servers", T::Ipv6);
static OPT_DNSSL_LIFETIME: FieldDef = FieldDef::new("icmpv6.opt.dnssl.lifetime", "Lifetime", T::U32);
static OPT_DNSSL: FieldDef = FieldDef::new("icmpv6.opt.dnssl", "Domain Names", T::String);
static OPT_TIMESTAMP: FieldDef = FieldDef::new("icmpv6.opt.timestamp", "Timestamp", T::AbsTime);
static OPT_NONCE: FieldDef = FieldDef::new("icmpv6.opt.nonce", "Nonce", T::Bytes);
static OPT_PS_KEY_HASH: FieldDef = FieldDef::new("icmpv6.opt.ps.key_hash", "Key Hash", T::Bytes);
static OPT_SIGNATURE: FieldDef =
    FieldDef::new("icmpv6.opt.digital_signature_padding", "Digital Signature and Padding", T::None);
static OPT_EFO: FieldDef = FieldDef::new("icmpv6.opt.efo", "Flags Expansion Option", T::U16).base(Base::Hex);
static OPT_EFO_M: FieldDef =
    FieldDef::new("icmpv6.opt.efo.m", "Managed address configuration", T::Bool).mask(0x8000).tf("Set", "Not set");
static OPT_EFO_O: FieldDef =
    FieldDef::new("icmpv6.opt.efo.o", "Other configuration", T::Bool).mask(0x4000).tf("Set", "Not set");
static OPT_EFO_H: FieldDef = FieldDef::new("icmpv6.opt.efo.h", "Home Agent", T::Bool).mask(0x2000).tf("Set", "Not set");
static OPT_EFO_PRF: FieldDef =
    FieldDef::new("icmpv6.opt.efo.prf", "Prf (Default Router Preference)", T::U16).mask(0x1800).names(ROUTER_PREF);
static OPT_EFO_P: FieldDef = FieldDef::new("icmpv6.opt.efo.p", "Proxy", T::Bool).mask(0x0400).tf("Set", "Not set");
static OPT_EFO_RSV: FieldDef = FieldDef::new("icmpv6.opt.efo.rsv", "Reserved", T::U16).mask(0x02ff);
static EXT_ECHO_SEQ: FieldDef = FieldDef::new("icmpv6.ext.echo.seq", "Sequence number", T::U8).base(Base::DecHex);
static EXT_ECHO_REQ_RES: FieldDef =
    FieldDef::new("icmpv6.ext.echo.req.res", "Reserved", T::U8).base(Base::Hex).mask(0xfe);
static EXT_ECHO_REQ_LOCAL: FieldDef =
    FieldDef::new("icmpv6.ext.echo.req.local", "Local bit", T::Bool).mask(0x01).tf("Set", "Not set");
static EXT_ECHO_RSP_STATE: FieldDef =
    FieldDef::new("icmpv6.ext.echo.rsp.state", "State", T::U8).mask(0xe0).names(EXT_ECHO_STATES);
static EXT_ECHO_RSP_RES: FieldDef =
    FieldDef::new("icmpv6.ext.echo.rsp.res", "Reserved", T::U8).base(Base::Hex).mask(0x18);
static EXT_ECHO_RSP_ACTIVE: FieldDef =
    FieldDef::new("icmpv6.ext.echo.rsp.active", "Active bit", T::Bool).mask(0x04).tf("Set", "Not set");
static EXT_ECHO_RSP_IPV4: FieldDef =
    FieldDef::new("icmpv6.ext.echo.rsp.ipv4", "IPv4 bit", T::Bool).mask(0x02).tf("Set", "Not set");
static EXT_ECHO_RSP_IPV6: FieldDef =
    FieldDef::new("icmpv6.ext.echo.rsp.ipv6", "IPv6 bit", T::Bool).mask(0x01).tf("Set", "Not set");

static MLD_MRD: FieldDef = FieldDef::new("icmpv6.mld.maximum_response_delay", "Maximum Response Delay [ms]", T::U16);
static MLD_MCAST: FieldDef = FieldDef::new("icmpv6.mld.multicast_address", "Multicast Address", T::Ipv6);
static MLD_MRC: FieldDef = FieldDef::new("icmpv6.mld.maximum_response_code", "Maximum Response Code", T::U16);
static MLD_FLAG: FieldDef = FieldDef::new("icmpv6.mld.flag", "Flags", T::U8).base(Base::Hex);
static MLD_FLAG_S: FieldDef =
    FieldDef::new("icmpv6.mld.flag.s", "Suppress Router-Side Processing", T::Bool).mask(0x08).tf("Set", "Not set");
static MLD_FLAG_QRV: FieldDef =
    FieldDef::new("icmpv6.mld.flag.qrv", "QRV (Querier's Robustness Variable)", T::U8).mask(0x07);
static MLD_FLAG_RSV: FieldDef = FieldDef::new("icmpv6.mld.flag.reserved", "Reserved", T::U8).mask(0xf0);
static MLD_QQI: FieldDef = FieldDef::new("icmpv6.mld.qqi", "QQIC (Querier's Query Interval Code)", T::U8);
static MLD_NB_SOURCES: FieldDef = FieldDef::new("icmpv6.mld.nb_sources", "Number of Sources", T::U16);
static MLD_SOURCE: FieldDef = FieldDef::new("icmpv6.mld.source_address", "Source Address", T::Ipv6);
static MLDR_NB_RECORDS: FieldDef =
    FieldDef::new("icmpv6.mldr.nb_mcast_records", "Number of Multicast Address Records", T::U16);
static MLDR_MAR: FieldDef = FieldDef::new("icmpv6.mldr.mar", "Multicast Address Record", T::None);
static MLDR_TYPE: FieldDef = FieldDef::new("icmpv6.mldr.mar.record_type", "Record Type", T::U8).names(RECORD_TYPES);
static MLDR_AUX_LEN: FieldDef = FieldDef::new("icmpv6.mldr.mar.aux_data_len", "Aux Data Len", T::U8);
static MLDR_NB_SOURCES: FieldDef = FieldDef::new("icmpv6.mldr.mar.nb_sources", "Number of Sources", T::U16);
static MLDR_MCAST: FieldDef = FieldDef::new("icmpv6.mldr.mar.multicast_address", "Multicast Address", T::Ipv6);
static MLDR_SOURCE: FieldDef = FieldDef::new("icmpv6.mldr.mar.source_address", "Source Address", T::Ipv6);
static MLDR_AUX: FieldDef = FieldDef::new("icmpv6.mldr.mar.auxiliary_data", "Auxiliary Data", T::Bytes);

static MIP6_ID: FieldDef = FieldDef::new("icmpv6.mip6.identifier", "Identifier", T::U16).base(Base::DecHex);
static MIP6_HA_ADDRESS: FieldDef = FieldDef::new("icmpv6.mip6.home_agent_address", "Home Agent Address", T::Ipv6);
static MIP6_FLAG: FieldDef = FieldDef::new("icmpv6.mip6.flag", "Flags", T::U16).base(Base::Hex);
static MIP6_FLAG_M: FieldDef =
    FieldDef::new("icmpv6.mip6.flag.m", "Managed address configuration", T::Bool).mask(0x8000).tf("Set", "Not set");
static MIP6_FLAG_O: FieldDef =
    FieldDef::new("icmpv6.mip6.flag.o", "Other configuration", T::Bool).mask(0x4000).tf("Set", "Not set");
static MIP6_FLAG_RSV: FieldDef = FieldDef::new("icmpv6.mip6.flag.rsv", "Reserved", T::U16).mask(0x3fff);
static MRD_QUERY_INTERVAL: FieldDef = FieldDef::new("icmpv6.mcast_ra.query_interval", "Query Interval", T::U16);
static MRD_ROBUSTNESS: FieldDef = FieldDef::new("icmpv6.mcast_ra.robustness_variable", "Robustness Variable", T::U16);

static RESP_IN: FieldDef = FieldDef::new("icmpv6.resp_in", "Response In", T::FrameNum);
static NO_RESP: FieldDef = FieldDef::new("icmpv6.no_resp", "No response seen", T::None);
static RESP_TO: FieldDef = FieldDef::new("icmpv6.resp_to", "Response To", T::FrameNum);
static RESPTIME: FieldDef = FieldDef::new("icmpv6.resptime", "Response Time", T::Double);

static INVALID_OPTION_LENGTH: FieldDef = FieldDef::new("icmpv6.invalid_option_length", "Invalid Option Length", T::None);
static UNDECODED_OPTION: FieldDef = FieldDef::new("icmpv6.undecoded.option", "Undecoded option", T::None);
static UNKNOWN_DATA_EXPERT: FieldDef =
    FieldDef::new("icmpv6.unknown_data.expert", "Unknown Data (not interpreted)", T::None);
static UNDECODED_TYPE: FieldDef = FieldDef::new("icmpv6.undecoded.type", "Undecoded type", T::None);
static CHECKSUM_BAD: FieldDef = FieldDef::new("icmpv6.checksum_bad.expert", "Bad checksum", T::None);
static RESP_NOT_FOUND: FieldDef = FieldDef::new("icmpv6.resp_not_found", "Response not found", T::None);

static TYPES: &[(u64, &str)] = &[
    (1, "Destination Unreachable"),
    (2, "Packet Too Big"),
    (3, "Time Exceeded"),
    (4, "Parameter Problem"),
    (100, "Private experimentation"),
    (101, "Private experimentation"),
    (127, "Reserved for expansion of ICMPv6 error messages"),
    (128, "Echo (ping) request"),
    (129, "Echo (ping) reply"),
    (130, "Multicast Listener Query"),
    (131, "Multicast Listener Report"),
    (132, "Multicast Listener Done"),
    (133, "Router Solicitation"),
    (134, "Router Advertisement"),
    (135, "Neighbor Solicitation"),
    (136, "Neighbor Advertisement"),
    (137, "Redirect"),
    (138, "Router Renumbering"),
    (139, "Node Information Query"),
    (140, "Node Information Reply"),
    (141, "Inverse Neighbor Discovery Solicitation"),
    (142, "Inverse Neighbor Discovery Advertisement"),
    (143, "Multicast Listener Report Message v2"),
    (144, "Home Agent Address Discovery Request"),
    (145, "Home Agent Address Discovery Reply"),
    (146, "Mobile Prefix Solicitation"),
    (147, "Mobile Prefix Advertisement"),
    (148, "Certification Path Solicitation"),
    (149, "Certification Path Advertisement"),
    (150, "Experimental Mobility"),
    (151, "Multicast Router Advertisement"),
    (152, "Multicast Router Solicitation"),
    (153, "Multicast Router Termination"),
    (154, "FMIPv6"),
    (155, "RPL Control"),
    (156, "Locator Update"),
    (157, "Duplicate Address Request"),
    (158, "Duplicate Address Confirmation"),
    (159, "MPL Control Message"),
    (160, "Extended Echo request"),
    (161, "Extended Echo reply"),
    (200, "Private experimentation"),
    (201, "Private experimentation"),
    (255, "Reserved for expansion of ICMPv6 informational messages"),
];

static OPTIONS: &[(u64, &str)] = &[
    (1, "Source link-layer address"),
    (2, "Target link-layer address"),
    (3, "Prefix information"),
    (4, "Redirected header"),
    (5, "MTU"),
    (6, "NBMA Shortcut Limit Option"),
    (7, "Advertisement Interval"),
    (8, "Home Agent Information"),
    (9, "Source Address List"),
    (10, "Target Address List"),
    (11, "CGA"),
    (12, "RSA Signature"),
    (13, "Timestamp"),
    (14, "Nonce"),
    (15, "Trust Anchor"),
    (16, "Certificate"),
    (17, "IP Address/Prefix Option"),
    (18, "New Router Prefix Information"),
    (19, "Link-layer Address"),
    (20, "Neighbor Advertisement Acknowledgment"),
    (21, "PvD ID"),
    (23, "MAP"),
    (24, "Route Information"),
    (25, "Recursive DNS Server"),
    (26, "RA Flags Extension"),
    (27, "Handover Key Request"),
    (28, "Handover Key Reply"),
    (29, "Handover Assist Information"),
    (30, "Mobile Node Identifier Option"),
    (31, "DNS Search List Option"),
    (32, "Proxy Signature (PS)"),
    (33, "Address Registration Option"),
    (34, "6LoWPAN Context Option"),
    (35, "Authoritative Border Router"),
    (36, "6LoWPAN Capability Indication Option"),
    (37, "DHCP Captive-Portal"),
    (38, "PREF64 Option"),
    (138, "CARD Request"),
    (139, "CARD Reply"),
    (253, "RFC3692-style Experiment 1"),
    (254, "RFC3692-style Experiment 2"),
];

static ROUTER_PREF: &[(u64, &str)] = &[(0, "Medium"), (1, "High"), (2, "Reserved"), (3, "Low")];

static EXT_ECHO_STATES: &[(u64, &str)] =
    &[(0, "Reserved"), (1, "Incomplete"), (2, "Reachable"), (3, "Stale"), (4, "Delay"), (5, "Probe"), (6, "Failed")];

static RECORD_TYPES: &[(u64, &str)] = &[
    (1, "Include"),
    (2, "Exclude"),
    (3, "Changed to include"),
    (4, "Changed to exclude"),
    (5, "Allow new sources"),
    (6, "Block old sources"),
];

/// The ICMPv6 protocol.
pub static PROTOCOL: Protocol = Protocol {
    field: &ICMPV6,
    short: "ICMPv6",
    leaf: false,
    fields: &[
        &TYPE, &CODE, &CHECKSUM, &CHECKSUM_STATUS, &RESERVED, &DATA, &UNKNOWN_DATA, &MTU, &POINTER, &ECHO_ID,
        &ECHO_SEQ, &NONCE, &LENGTH, &RA_HOP_LIMIT, &RA_FLAG, &RA_FLAG_M, &RA_FLAG_O, &RA_FLAG_H, &RA_FLAG_PRF,
        &RA_FLAG_P, &RA_FLAG_RSV, &RA_ROUTER_LIFETIME, &RA_REACHABLE, &RA_RETRANS, &NS_TARGET, &NA_FLAG, &NA_FLAG_R,
        &NA_FLAG_S, &NA_FLAG_O, &NA_FLAG_RSV, &NA_TARGET, &RD_TARGET, &RD_DESTINATION, &OPT, &OPT_TYPE, &OPT_LENGTH,
        &OPT_RESERVED, &OPT_PADDING, &OPT_LINKADDR, &OPT_SRC_LINKADDR, &OPT_TARGET_LINKADDR, &OPT_LINKADDR_EUI64,
        &OPT_SRC_LINKADDR_EUI64, &OPT_TARGET_LINKADDR_EUI64, &OPT_PREFIX_LEN, &OPT_PREFIX_FLAG, &OPT_PREFIX_FLAG_L,
        &OPT_PREFIX_FLAG_A, &OPT_PREFIX_FLAG_R, &OPT_PREFIX_FLAG_RSV, &OPT_PREFIX_VALID, &OPT_PREFIX_PREFERRED,
        &OPT_PREFIX, &OPT_REDIRECTED, &OPT_MTU, &OPT_NBMA_LIMIT, &OPT_ADV_INTERVAL, &OPT_HA_PREF, &OPT_HA_LIFETIME,
        &OPT_IPV6_ADDRESS, &OPT_ROUTE_FLAG, &OPT_ROUTE_PREF, &OPT_ROUTE_RSV, &OPT_ROUTE_LIFETIME,
        &OPT_RDNSS_LIFETIME, &OPT_RDNSS, &OPT_DNSSL_LIFETIME, &OPT_DNSSL, &OPT_TIMESTAMP, &OPT_NONCE,
        &OPT_PS_KEY_HASH, &OPT_SIGNATURE, &OPT_EFO, &OPT_EFO_M, &OPT_EFO_O, &OPT_EFO_H, &OPT_EFO_PRF, &OPT_EFO_P,
        &OPT_EFO_RSV, &EXT_ECHO_SEQ, &EXT_ECHO_REQ_RES, &EXT_ECHO_REQ_LOCAL, &EXT_ECHO_RSP_STATE, &EXT_ECHO_RSP_RES,
        &EXT_ECHO_RSP_ACTIVE, &EXT_ECHO_RSP_IPV4, &EXT_ECHO_RSP_IPV6, &MLD_MRD, &MLD_MCAST, &MLD_MRC, &MLD_FLAG,
        &MLD_FLAG_S, &MLD_FLAG_QRV, &MLD_FLAG_RSV, &MLD_QQI, &MLD_NB_SOURCES, &MLD_SOURCE, &MLDR_NB_RECORDS,
        &MLDR_MAR, &MLDR_TYPE, &MLDR_AUX_LEN, &MLDR_NB_SOURCES, &MLDR_MCAST, &MLDR_SOURCE, &MLDR_AUX, &MIP6_ID,
        &MIP6_HA_ADDRESS, &MIP6_FLAG, &MIP6_FLAG_M, &MIP6_FLAG_O, &MIP6_FLAG_RSV, &MRD_QUERY_INTERVAL,
        &MRD_ROBUSTNESS, &RESP_IN, &NO_RESP, &RESP_TO, &RESPTIME, &INVALID_OPTION_LENGTH, &UNDECODED_OPTION,
        &UNKNOWN_DATA_EXPERT, &UNDECODED_TYPE, &CHECKSUM_BAD, &RESP_NOT_FOUND,
    ],
    dissect,
    register: |t| t.ip_proto(58, &PROTOCOL),
};

const DST_UNREACH: u8 = 1;
const PACKET_TOO_BIG: u8 = 2;
const TIME_EXCEEDED: u8 = 3;
const PARAM_PROBLEM: u8 = 4;
const ECHO_REQUEST: u8 = 128;
const ECHO_REPLY: u8 = 129;
const MLD_QUERY: u8 = 130;
const MLD_REPORT: u8 = 131;
const MLD_DONE: u8 = 132;
const ROUTER_SOLICIT: u8 = 133;
const ROUTER_ADVERT: u8 = 134;
const NEIGHBOR_SOLICIT: u8 = 135;
const NEIGHBOR_ADVERT: u8 = 136;
const REDIRECT: u8 = 137;
const IND_SOLICIT: u8 = 141;
const IND_ADVERT: u8 = 142;
const MLDV2_REPORT: u8 = 143;
const DHAAD_REQUEST: u8 = 144;
const DHAAD_REPLY: u8 = 145;
const MOBILE_PREFIX_SOLICIT: u8 = 146;
const MOBILE_PREFIX_ADVERT: u8 = 147;
const MCAST_ROUTER_ADVERT: u8 = 151;
const MCAST_ROUTER_SOLICIT: u8 = 152;
const MCAST_ROUTER_TERM: u8 = 153;
/// An MLD query this long or longer is MLDv2 (RFC 3810 §8.1).
const MLDV2_QUERY_MINLEN: usize = 28;
/// Teredo's port: an echo request to it is a connectivity test (RFC 4380 §5.2.9).
const TEREDO_PORT: u16 = 3544;

fn type_name(ty: u8) -> Option<&'static str> {
    TYPES.iter().find(|(k, _)| *k == ty as u64).map(|(_, s)| *s)
}

/// The code text Wireshark 4.0 appends to the Info column for some types
/// (its spelling, capitals included).
fn code_name(ty: u8, code: u8) -> Option<CodeText> {
    let (table, unknown): (&[(u8, &str)], CodeText) = match ty {
        DST_UNREACH => (
            &[
                (0, "no route to destination"),
                (1, "Administratively prohibited"),
                (2, "Beyond scope of source address"),
                (3, "Address unreachable"),
                (4, "Port unreachable"),
                (5, "Source address failed ingress/egress policy"),
                (6, "Reject route to destination"),
                (7, "Error in Source Routing Header"),
            ],
            CodeText::Plain("Unknown"),
        ),
        TIME_EXCEEDED => {
            (&[(0, "hop limit exceeded in transit"), (1, "fragment reassembly time exceeded")], CodeText::Number(code))
        }
        PARAM_PROBLEM => (
            &[
                (0, "erroneous header field encountered"),
                (1, "unrecognized Next Header type encountered"),
                (2, "unrecognized IPv6 option encountered"),
                (3, "IPv6 First Fragment has incomplete IPv6 Header Chain"),
            ],
            CodeText::Number(code),
        ),
        138 => (&[(0, "Command"), (1, "Result"), (255, "Sequence number reset")], CodeText::Number(code)),
        139 => (
            &[
                (0, "Query subject = IPv6 addresses"),
                (1, "Query subject = DNS name or empty"),
                (2, "Query subject = IPv4 addresses"),
            ],
            CodeText::Number(code),
        ),
        140 => (&[(0, "Successful"), (1, "Refused"), (2, "Unknown query type")], CodeText::Number(code)),
        155 => (
            &[
                (0x00, "DODAG Information Solicitation"),
                (0x01, "DODAG Information Object"),
                (0x02, "Destination Advertisement Object"),
                (0x03, "Destination Advertisement Object Acknowledgment"),
                (0x04, "P2P Discovery Reply Object"),
                (0x05, "P2P Discovery Reply Object Acknowledgement"),
                (0x80, "Secure DODAG Information Solicitation"),
                (0x81, "Secure DODAG Information Object"),
                (0x82, "Secure Destination Advertisement Object"),
                (0x83, "Secure Destination Advertisement Object Acknowledgment"),
                (0x84, "P2P Secure Discovery Reply Object"),
                (0x85, "P2P Secure Discovery Reply Object Acknowledgement"),
                (0x8a, "Consistency Check"),
            ],
            CodeText::Number(code),
        ),
        160 => (&[(0, "No error")], CodeText::Number(code)),
        161 => (
            &[
                (0, "No error"),
                (1, "Malformed Query"),
                (2, "No Such Interface"),
                (3, "No Such Table Entry"),
                (4, "Multiple Interfaces Satisfy Query"),
            ],
            CodeText::Number(code),
        ),
        _ => return None,
    };
    Some(table.iter().find(|(k, _)| *k == code).map_or(unknown, |(_, s)| CodeText::Plain(s)))
}

#[derive(Clone, Copy)]
enum CodeText {
    Plain(&'static str),
    Number(u8),
}

impl std::fmt::Display for CodeText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CodeText::Plain(s) => f.write_str(s),
            CodeText::Number(n) => write!(f, "Unknown ({n})"),
        }
    }
}

fn dissect<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>) -> Next<'a> {
    let depth = ctx.tree.depth();
    match dissect_icmpv6(ctx, buf) {
        Ok(next) => next,
        Err(e) => {
            // As a Wireshark exception would: keep what was added, put the
            // marker at the top level.
            ctx.tree.set_depth(depth);
            ctx.malformed("icmpv6", e);
            Next::Done
        }
    }
}

fn dissect_icmpv6<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>) -> Result<Next<'a>, BufError> {
    ctx.set_protocol("ICMPv6");
    ctx.info_set();
    ctx.open(&ICMPV6, &buf, buf.len());
    let ty = buf.u8(0)?;
    ctx.uint(&TYPE, &buf, 0, 1, ty as u64);
    if let Some(i) = ctx.info() {
        match type_name(ty) {
            Some(n) => i.push_str(n),
            None => {
                let _ = write!(i, "Unknown ({ty})");
            }
        }
    }
    let code = buf.u8(1)?;
    let c = ctx.uint(&CODE, &buf, 1, 1, code as u64);
    if let Some(cn) = code_name(ty, code) {
        ctx.label(c, |s| {
            let _ = write!(s, "Code: {code} ({cn})");
        });
        if let Some(i) = ctx.info() {
            let _ = write!(i, " ({cn})");
        }
    }
    if ctx.pinfo.dst_port == TEREDO_PORT && ty == ECHO_REQUEST {
        ctx.set_protocol("Teredo");
        if let Some(i) = ctx.info_set() {
            i.push_str("Direct IPv6 Connectivity Test");
        }
    }
    let ck = checksum(ctx, &buf)?;
    if ty == ECHO_REQUEST || ty == ECHO_REPLY {
        return echo(ctx, buf, ty, ck);
    }
    body(ctx, buf, ty)
}

/// Verify the checksum over the pseudo-header and the message, unless the
/// message is cut short or quoted inside an error. Returns the checksum.
fn checksum<'a>(ctx: &mut Ctx<'a, '_>, buf: &Buf<'a>) -> Result<u16, BufError> {
    let ck = buf.be16(2)?;
    if ctx.tree.wants_nothing() {
        // Summary lines only: nothing would show the result.
        return Ok(ck);
    }
    let whole = if buf.is_truncated() || ctx.pinfo.in_error { None } else { buf.slice(0, buf.reported_len()).ok() };
    let i = ctx.uint(&CHECKSUM, buf, 2, 2, ck as u64);
    let Some(bytes) = whole else {
        let why = if ctx.pinfo.in_error { "in ICMP error packet" } else { "fragmented datagram" };
        ctx.label(i, |s| {
            let _ = write!(s, "Checksum: 0x{ck:04x} [unverified] [{why}]");
        });
        ctx.uint(&CHECKSUM_STATUS, buf, 2, 0, 2);
        return Ok(ck);
    };
    let mut sum = address_sum(ctx.pinfo.net_src) + address_sum(ctx.pinfo.net_dst);
    sum += bytes.len() as u64 + 58;
    sum = sum16(sum, bytes);
    let good = fold(sum) == 0xffff;
    let should = !fold(sum + (!ck) as u64);
    ctx.label(i, |s| {
        if good {
            let _ = write!(s, "Checksum: 0x{ck:04x} [correct]");
        } else {
            let _ = write!(s, "Checksum: 0x{ck:04x} incorrect, should be 0x{should:04x}");
        }
    });
    ctx.uint(&CHECKSUM_STATUS, buf, 2, 0, if good { 1 } else { 0 });
    if !good {
        ctx.expert(&CHECKSUM_BAD, Severity::Warning, "Checksum", format!("Bad checksum [should be 0x{should:04x}]"));
    }
    Ok(ck)
}

/// The pseudo-header's contribution of one address (whatever IP carried us).
fn address_sum(a: Address) -> u64 {
    match a {
        Address::V6(b) => sum16(0, &b),
        Address::V4(b) => sum16(0, &b),
        Address::Ether(_) | Address::None => 0,
    }
}

/// Echo request/reply: identifier, sequence, request/reply matching, data.
fn echo<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>, ty: u8, ck: u16) -> Result<Next<'a>, BufError> {
    let id = buf.be16(4)?;
    ctx.uint(&ECHO_ID, &buf, 4, 2, id as u64);
    let seq = buf.be16(6)?;
    ctx.uint(&ECHO_SEQ, &buf, 6, 2, seq as u64);
    let v6 = matches!(ctx.pinfo.net_src, Address::V6(_));
    let hlim = ctx.pinfo.ttl;
    if let Some(i) = ctx.info() {
        let _ = write!(i, " id=0x{id:04x}, seq={seq}");
        // Wireshark shows the hop limit only when the IPv6 header is at hand.
        if v6 {
            let _ = write!(i, ", hop limit={hlim}");
        }
    }
    if ctx.pinfo.dst_port == TEREDO_PORT && ty == ECHO_REQUEST {
        buf.slice(8, 4)?;
        ctx.bytes(&NONCE, &buf, 8, 4);
        ctx.close();
        return Ok(Next::Done);
    }
    if !ctx.pinfo.in_error {
        let (src, dst) = (ctx.pinfo.net_src, ctx.pinfo.net_dst);
        let id_seq = (id as u32) << 16 | seq as u32;
        if ty == ECHO_REQUEST {
            let key = EchoKey::new(src, dst, if ck == 0xffff { 0 } else { ck }, id_seq);
            let (frame, ts) = (ctx.meta.number, ctx.meta.ts);
            ctx.state.get::<Icmpv6Echoes>().0.request(key, frame, ts);
        } else {
            // The reply's key is the request's checksum: type 129 -> 128
            // takes 0x0100 off (RFC 1624 incremental update).
            let key = EchoKey::new(src, dst, !fold((!ck) as u64 + (!0x0100u16) as u64), id_seq);
            if let Some((frame, ts)) = ctx.state.get::<Icmpv6Echoes>().0.reply(key) {
                matched_reply(ctx, &buf, &RESP_TO, &RESPTIME, frame, ts);
            }
        }
    }
    ctx.close();
    Ok(Next::Data(buf.from(8)))
}

/// Everything but echo, after the checksum.
fn body<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>, ty: u8) -> Result<Next<'a>, BufError> {
    let mut redirected = None;
    match ty {
        DST_UNREACH | TIME_EXCEEDED => {
            let words = buf.u8(4)?;
            if words > 0 {
                // RFC 4884: the quoted datagram's length in 64-bit words.
                ctx.uint(&LENGTH, &buf, 4, 1, words as u64);
                bytes(ctx, &RESERVED, &buf, 5, 3)?;
            } else {
                bytes(ctx, &RESERVED, &buf, 4, 4)?;
            }
            let inner = rest_from(&buf, 8)?;
            inner.u8(0)?;
            // Wireshark dissects the extensions after the quoted packet; here
            // they come first, so an error in them is only reported after,
            // and not when the capture ends inside the quoted IPv6 header:
            // that stops Wireshark before the extensions.
            let mut err = None;
            if words > 0 {
                let depth = ctx.tree.depth();
                let cut = inner.u8(0).is_ok_and(|v| v & 0xf0 == 0x60) && super::icmp::cut_in_header(&inner, 40);
                err = rest_from(&buf, 8 + 8 * words as usize)
                    .and_then(|ext| super::icmp::extensions(ctx, &ext))
                    .err()
                    .filter(|_| !cut);
                ctx.tree.set_depth(depth);
            }
            return contained(ctx, inner, err);
        }
        PACKET_TOO_BIG => {
            item(ctx, &MTU, &buf, 4, 4)?;
            return contained(ctx, rest_from(&buf, 8)?, None);
        }
        PARAM_PROBLEM => {
            item(ctx, &POINTER, &buf, 4, 4)?;
            return contained(ctx, rest_from(&buf, 8)?, None);
        }
        MLD_QUERY | MLD_REPORT | MLD_DONE => mld(ctx, &buf, ty)?,
        ROUTER_SOLICIT | IND_SOLICIT | IND_ADVERT => {
            bytes(ctx, &RESERVED, &buf, 4, 4)?;
            redirected = nd_options(ctx, &buf, 8)?;
        }
        ROUTER_ADVERT => {
            router_advert(ctx, &buf)?;
            redirected = nd_options(ctx, &buf, 16)?;
        }
        NEIGHBOR_SOLICIT => {
            bytes(ctx, &RESERVED, &buf, 4, 4)?;
            let target = buf.array::<16>(8)?;
            ctx.add(&NS_TARGET, &buf, 8, 16, Value::V6(target));
            if let Some(i) = ctx.info() {
                let _ = write!(i, " for {}", std::net::Ipv6Addr::from(target));
            }
            redirected = nd_options(ctx, &buf, 24)?;
        }
        NEIGHBOR_ADVERT => {
            neighbor_advert(ctx, &buf)?;
            redirected = nd_options(ctx, &buf, 24)?;
        }
        REDIRECT => {
            bytes(ctx, &RESERVED, &buf, 4, 4)?;
            item(ctx, &RD_TARGET, &buf, 8, 16)?;
            item(ctx, &RD_DESTINATION, &buf, 24, 16)?;
            redirected = nd_options(ctx, &buf, 40)?;
        }
        MLDV2_REPORT => mldv2_report(ctx, &buf)?,
        DHAAD_REQUEST | MOBILE_PREFIX_SOLICIT => {
            item(ctx, &MIP6_ID, &buf, 4, 2)?;
            bytes(ctx, &RESERVED, &buf, 6, 2)?;
        }
        DHAAD_REPLY => {
            item(ctx, &MIP6_ID, &buf, 4, 2)?;
            bytes(ctx, &RESERVED, &buf, 6, 2)?;
            let mut off = 8;
            while buf.len() > off {
                item(ctx, &MIP6_HA_ADDRESS, &buf, off, 16)?;
                off += 16;
            }
        }
        MOBILE_PREFIX_ADVERT => {
            item(ctx, &MIP6_ID, &buf, 4, 2)?;
            let flags = buf.be16(6)?;
            ctx.uint(&MIP6_FLAG, &buf, 6, 2, flags as u64);
            ctx.tree.enter();
            ctx.flag(&MIP6_FLAG_M, &buf, 6, 2, flags & 0x8000 != 0);
            ctx.flag(&MIP6_FLAG_O, &buf, 6, 2, flags & 0x4000 != 0);
            ctx.uint(&MIP6_FLAG_RSV, &buf, 6, 2, (flags & 0x3fff) as u64);
            ctx.tree.leave();
            redirected = nd_options(ctx, &buf, 8)?;
        }
        MCAST_ROUTER_ADVERT => {
            item(ctx, &MRD_QUERY_INTERVAL, &buf, 4, 2)?;
            item(ctx, &MRD_ROBUSTNESS, &buf, 6, 2)?;
        }
        MCAST_ROUTER_SOLICIT | MCAST_ROUTER_TERM => {}
        150 | 154 => {
            // FMIPv6: only the subtype, for the Info column.
            let sub = buf.u8(4)?;
            let name = match sub {
                2 => "Router Solicitation for Proxy Advertisement",
                3 => "Proxy Router Advertisement",
                4 => "Handover Initiate",
                5 => "Handover Acknowledge",
                _ => "",
            };
            if let Some(i) = ctx.info() {
                if name.is_empty() {
                    let _ = write!(i, " (Unknown ({sub}))");
                } else {
                    let _ = write!(i, " ({name})");
                }
            }
            undecoded(ctx, &buf, ty, 4);
        }
        160 | 161 => return extended_echo(ctx, buf, ty),
        // Types Wireshark decodes and this dissector does not (router
        // renumbering, node information, SEND, ILNP, RPL, 6LoWPAN ND, MPL):
        // no fields rather than misleading ones.
        138..=140 | 148 | 149 | 155..=159 => {}
        _ => undecoded(ctx, &buf, ty, 4),
    }
    match redirected {
        Some(inner) => contained(ctx, inner, None),
        None => {
            ctx.close();
            Ok(Next::Done)
        }
    }
}

/// Extended echo (RFC 8335): identifier, sequence, flags, then an RFC 4884
/// extension structure that Wireshark dissects through the ICMP dissector's
/// handle (hence an "icmp" layer, or "data" when it refuses).
fn extended_echo<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>, ty: u8) -> Result<Next<'a>, BufError> {
    item(ctx, &ECHO_ID, &buf, 4, 2)?;
    item(ctx, &EXT_ECHO_SEQ, &buf, 6, 1)?;
    if ty == 160 {
        item(ctx, &EXT_ECHO_REQ_RES, &buf, 7, 1)?;
        item(ctx, &EXT_ECHO_REQ_LOCAL, &buf, 7, 1)?;
        let ext = rest_from(&buf, 8)?;
        // The layer is there while the extension dissector runs (and stays if
        // it fails); a refusal takes it back and shows the bytes as data.
        ctx.layer("icmp");
        if !super::icmp::extensions(ctx, &ext)? {
            ctx.layers.pop();
            ctx.close();
            return Ok(Next::Data(ext));
        }
    } else {
        for f in [&EXT_ECHO_RSP_STATE, &EXT_ECHO_RSP_RES, &EXT_ECHO_RSP_ACTIVE, &EXT_ECHO_RSP_IPV4, &EXT_ECHO_RSP_IPV6] {
            item(ctx, f, &buf, 7, 1)?;
        }
    }
    ctx.close();
    Ok(Next::Done)
}

/// Message types this dissector does not decode: the rest as `icmpv6.data`.
fn undecoded<'a>(ctx: &mut Ctx<'a, '_>, buf: &Buf<'a>, ty: u8, off: usize) {
    ctx.expert(
        &UNDECODED_TYPE,
        Severity::Note,
        "Undecoded",
        format!(
            "Dissector for ICMPv6 Type ({ty}) code not implemented, Contact Wireshark developers if you want this supported"
        ),
    );
    if buf.len() > off {
        ctx.bytes(&DATA, buf, off, buf.len() - off);
    }
}

/// The packet quoted by an error message (or a Redirected Header option):
/// IPv6 when it looks like IPv6, else raw data. `err` is an error met after
/// it in Wireshark's order, reported before the columns freeze.
fn contained<'a>(ctx: &mut Ctx<'a, '_>, inner: Buf<'a>, err: Option<BufError>) -> Result<Next<'a>, BufError> {
    let v = inner.u8(0)?;
    ctx.close();
    if let Some(e) = err {
        ctx.malformed("icmpv6", e);
    }
    // The quotation must not take over the columns, and the layers below
    // need to know they are reading one.
    ctx.pinfo.in_error = true;
    ctx.cols.writable = false;
    if v & 0xf0 == 0x60 {
        Ok(crate::ctx::direct_ethertype(0x86dd, inner))
    } else {
        Ok(Next::Data(inner))
    }
}

/// A bytes or text-only field, added as Wireshark does (see [`item`]).
fn bytes<'a>(ctx: &mut Ctx<'a, '_>, f: &'static FieldDef, buf: &Buf<'a>, off: usize, len: usize) -> Result<(), BufError> {
    item(ctx, f, buf, off, len).map(|_| ())
}

/// An address that is read whatever the tree wants (Wireshark puts it in
/// the Info column or a label).
fn ipv6<'a>(ctx: &mut Ctx<'a, '_>, f: &'static FieldDef, buf: &Buf<'a>, off: usize) -> Result<[u8; 16], BufError> {
    let a = buf.array::<16>(off)?;
    ctx.add(f, buf, off, 16, Value::V6(a));
    Ok(a)
}

fn router_advert<'a>(ctx: &mut Ctx<'a, '_>, buf: &Buf<'a>) -> Result<(), BufError> {
    item(ctx, &RA_HOP_LIMIT, buf, 4, 1)?;
    let f = buf.u8(5)?;
    ctx.uint(&RA_FLAG, buf, 5, 1, f as u64);
    ctx.tree.enter();
    ctx.flag(&RA_FLAG_M, buf, 5, 1, f & 0x80 != 0);
    ctx.flag(&RA_FLAG_O, buf, 5, 1, f & 0x40 != 0);
    ctx.flag(&RA_FLAG_H, buf, 5, 1, f & 0x20 != 0);
    ctx.uint(&RA_FLAG_PRF, buf, 5, 1, ((f & 0x18) >> 3) as u64);
    ctx.flag(&RA_FLAG_P, buf, 5, 1, f & 0x04 != 0);
    ctx.uint(&RA_FLAG_RSV, buf, 5, 1, (f & 0x03) as u64);
    ctx.tree.leave();
    item(ctx, &RA_ROUTER_LIFETIME, buf, 6, 2)?;
    item(ctx, &RA_REACHABLE, buf, 8, 4)?;
    item(ctx, &RA_RETRANS, buf, 12, 4)?;
    Ok(())
}

fn neighbor_advert<'a>(ctx: &mut Ctx<'a, '_>, buf: &Buf<'a>) -> Result<(), BufError> {
    let f = buf.be32(4)?;
    ctx.uint(&NA_FLAG, buf, 4, 4, f as u64);
    ctx.tree.enter();
    ctx.flag(&NA_FLAG_R, buf, 4, 4, f & 0x8000_0000 != 0);
    ctx.flag(&NA_FLAG_S, buf, 4, 4, f & 0x4000_0000 != 0);
    ctx.flag(&NA_FLAG_O, buf, 4, 4, f & 0x2000_0000 != 0);
    ctx.uint(&NA_FLAG_RSV, buf, 4, 4, (f & 0x1fff_ffff) as u64);
    ctx.tree.leave();
    let target = ipv6(ctx, &NA_TARGET, buf, 8)?;
    if let Some(i) = ctx.info() {
        let _ = write!(i, " {} (", std::net::Ipv6Addr::from(target));
        let mut first = true;
        for (bit, name) in [(0x8000_0000, "rtr"), (0x4000_0000, "sol"), (0x2000_0000, "ovr")] {
            if f & bit != 0 {
                if !first {
                    i.push_str(", ");
                }
                i.push_str(name);
                first = false;
            }
        }
        if first {
            i.push_str("none");
        }
        i.push(')');
    }
    Ok(())
}

/// MLDv1 (RFC 2710) messages, or an MLDv2 query (RFC 3810 §5.1) when long enough.
fn mld<'a>(ctx: &mut Ctx<'a, '_>, buf: &Buf<'a>, ty: u8) -> Result<(), BufError> {
    if ty != MLD_QUERY || buf.len() < MLDV2_QUERY_MINLEN {
        item(ctx, &MLD_MRD, buf, 4, 2)?;
        bytes(ctx, &RESERVED, buf, 6, 2)?;
        item(ctx, &MLD_MCAST, buf, 8, 16)?;
        return Ok(());
    }
    // Codes of 32768 and up are floating point: mantissa and exponent.
    let mut mrc = buf.be16(4)? as u64;
    if mrc >= 32768 {
        mrc = ((mrc & 0x0fff) | 0x1000) << (((mrc & 0x7000) >> 12) + 3);
    }
    ctx.uint(&MLD_MRC, buf, 4, 2, mrc);
    bytes(ctx, &RESERVED, buf, 6, 2)?;
    item(ctx, &MLD_MCAST, buf, 8, 16)?;
    let f = buf.u8(24)?;
    ctx.uint(&MLD_FLAG, buf, 24, 1, f as u64);
    ctx.tree.enter();
    ctx.flag(&MLD_FLAG_S, buf, 24, 1, f & 0x08 != 0);
    ctx.uint(&MLD_FLAG_QRV, buf, 24, 1, (f & 0x07) as u64);
    ctx.uint(&MLD_FLAG_RSV, buf, 24, 1, (f >> 4) as u64);
    ctx.tree.leave();
    let mut qqi = buf.u8(25)? as u64;
    if qqi >= 128 {
        qqi = ((qqi & 0x0f) | 0x10) << (((qqi & 0x70) >> 4) + 3);
    }
    ctx.uint(&MLD_QQI, buf, 25, 1, qqi);
    let n = buf.be16(26)?;
    ctx.uint(&MLD_NB_SOURCES, buf, 26, 2, n as u64);
    // Each source must be there: a bogus count ends at the first missing one.
    for k in 0..n as usize {
        item(ctx, &MLD_SOURCE, buf, 28 + 16 * k, 16)?;
    }
    Ok(())
}

/// MLDv2 report (RFC 3810 §5.2): multicast address records.
fn mldv2_report<'a>(ctx: &mut Ctx<'a, '_>, buf: &Buf<'a>) -> Result<(), BufError> {
    bytes(ctx, &RESERVED, buf, 4, 2)?;
    item(ctx, &MLDR_NB_RECORDS, buf, 6, 2)?;
    let mut off = 8;
    // Each record takes at least 20 bytes or fails a read, so this ends.
    while off < buf.reported_len() {
        let (rtype, aux, n) = (buf.u8(off), buf.u8(off + 1), buf.be16(off + 2));
        let len = 20 + 16 * n.as_ref().map_or(0, |n| *n as usize) + 4 * aux.as_ref().map_or(0, |a| *a as usize);
        let idx = ctx.add(&MLDR_MAR, buf, off, len.min(buf.len().saturating_sub(off)), Value::None);
        ctx.tree.enter();
        let (rtype, aux, n) = (rtype?, aux?, n?);
        ctx.uint(&MLDR_TYPE, buf, off, 1, rtype as u64);
        ctx.uint(&MLDR_AUX_LEN, buf, off + 1, 1, aux as u64);
        ctx.uint(&MLDR_NB_SOURCES, buf, off + 2, 2, n as u64);
        let group = ipv6(ctx, &MLDR_MCAST, buf, off + 4)?;
        ctx.label(idx, |s| {
            let name = RECORD_TYPES.iter().find(|(k, _)| *k == rtype as u64).map(|(_, s)| *s);
            s.push_str("Multicast Address Record");
            match name {
                Some(nm) => {
                    let _ = write!(s, " {nm}: {}", std::net::Ipv6Addr::from(group));
                }
                None => {
                    let _ = write!(s, " Unknown Record Type ({rtype}): {}", std::net::Ipv6Addr::from(group));
                }
            }
        });
        off += 20;
        for _ in 0..n {
            item(ctx, &MLDR_SOURCE, buf, off, 16)?;
            off += 16;
        }
        if aux > 0 {
            bytes(ctx, &MLDR_AUX, buf, off, aux as usize * 4)?;
            off += aux as usize * 4;
        }
        ctx.tree.leave();
    }
    Ok(())
}

/// Neighbor Discovery options from `off` to the end (RFC 4861 §4.6). Returns
/// the packet of a Redirected Header option, which is dissected last.
fn nd_options<'a>(ctx: &mut Ctx<'a, '_>, buf: &Buf<'a>, off: usize) -> Result<Option<Buf<'a>>, BufError> {
    let mut redirected = None;
    let depth = ctx.tree.depth();
    match option_walk(ctx, buf, off, &mut redirected) {
        Ok(()) => Ok(redirected),
        // Wireshark has already shown a redirected packet when a later option
        // fails: report the error, then let the packet be dissected.
        Err(e) if redirected.is_some() => {
            ctx.tree.set_depth(depth.saturating_sub(1));
            ctx.malformed("icmpv6", e);
            ctx.tree.set_depth(depth);
            Ok(redirected)
        }
        Err(e) => Err(e),
    }
}

fn option_walk<'a>(
    ctx: &mut Ctx<'a, '_>,
    buf: &Buf<'a>,
    mut off: usize,
    redirected: &mut Option<Buf<'a>>,
) -> Result<(), BufError> {
    while buf.reported_len() > off {
        let len = buf.u8(off + 1)? as usize * 8;
        let idx = item(ctx, &OPT, buf, off, len)?;
        ctx.tree.enter();
        let otype = buf.u8(off)?;
        ctx.uint(&OPT_TYPE, buf, off, 1, otype as u64);
        let l = ctx.uint(&OPT_LENGTH, buf, off + 1, 1, (len / 8) as u64);
        ctx.label(l, |s| {
            let _ = write!(s, "Length: {} ({len} bytes)", len / 8);
        });
        let mut label = String::new();
        if len == 0 {
            // A zero length would never advance: RFC 4861 says discard.
            ctx.expert(&INVALID_OPTION_LENGTH, Severity::Error, "Malformed", "Invalid option length (Zero)");
            ctx.tree.leave();
            opt_label(ctx, idx, otype, &label, false);
            break;
        }
        let end = off + len;
        let done = nd_option(ctx, buf, off, len, otype, &mut label, redirected)?;
        if end > done {
            bytes(ctx, &UNKNOWN_DATA, buf, done, end - done)?;
            ctx.expert(&UNKNOWN_DATA_EXPERT, Severity::Error, "Malformed", "Unknown Data (not interpreted)");
        }
        ctx.tree.leave();
        opt_label(ctx, idx, otype, &label, true);
        off = end;
    }
    Ok(())
}

/// "ICMPv6 Option (Name : detail)", as Wireshark labels options.
fn opt_label(ctx: &mut Ctx<'_, '_>, idx: Option<usize>, otype: u8, detail: &str, close: bool) {
    ctx.label(idx, |s| {
        s.push_str("ICMPv6 Option (");
        match OPTIONS.iter().find(|(k, _)| *k == otype as u64) {
            Some((_, n)) => s.push_str(n),
            None => {
                let _ = write!(s, "Unknown {otype}");
            }
        }
        s.push_str(detail);
        if close {
            s.push(')');
        }
    });
}

/// One option's value; returns the offset after what was decoded.
fn nd_option<'a>(
    ctx: &mut Ctx<'a, '_>,
    buf: &Buf<'a>,
    off: usize,
    len: usize,
    otype: u8,
    label: &mut String,
    redirected: &mut Option<Buf<'a>>,
) -> Result<usize, BufError> {
    let o = off + 2;
    Ok(match otype {
        1 | 2 => link_layer_option(ctx, buf, o, len, otype == 1, label)?,
        3 => {
            let plen = buf.u8(o)?;
            ctx.uint(&OPT_PREFIX_LEN, buf, o, 1, plen as u64);
            let f = buf.u8(o + 1)?;
            ctx.uint(&OPT_PREFIX_FLAG, buf, o + 1, 1, f as u64);
            ctx.tree.enter();
            ctx.flag(&OPT_PREFIX_FLAG_L, buf, o + 1, 1, f & 0x80 != 0);
            ctx.flag(&OPT_PREFIX_FLAG_A, buf, o + 1, 1, f & 0x40 != 0);
            ctx.flag(&OPT_PREFIX_FLAG_R, buf, o + 1, 1, f & 0x20 != 0);
            ctx.uint(&OPT_PREFIX_FLAG_RSV, buf, o + 1, 1, (f & 0x1f) as u64);
            ctx.tree.leave();
            ctx.uint(&OPT_PREFIX_VALID, buf, o + 2, 4, buf.be32(o + 2)? as u64);
            ctx.uint(&OPT_PREFIX_PREFERRED, buf, o + 6, 4, buf.be32(o + 6)? as u64);
            bytes(ctx, &OPT_RESERVED, buf, o + 10, 4)?;
            let p = ipv6(ctx, &OPT_PREFIX, buf, o + 14)?;
            let _ = write!(label, " : {}/{plen}", std::net::Ipv6Addr::from(p));
            o + 30
        }
        4 => {
            bytes(ctx, &OPT_RESERVED, buf, o, 6)?;
            if len <= 8 {
                return Ok(o + 6);
            }
            bytes(ctx, &OPT_REDIRECTED, buf, o + 6, len - 8)?;
            let inner = buf.sub(o + 6, len - 8);
            // Wireshark counts as used what the quoted packet's dissector
            // reports: IPv6 its own datagram, data what was captured; the
            // rest of the option becomes "unknown data".
            let used = match (inner.u8(0), inner.be16(4)) {
                (Ok(v), Ok(plen)) if v & 0xf0 == 0x60 => (40 + plen as usize).min(len - 8),
                _ => inner.len().min(len - 8),
            };
            // Dissected after the options: the engine goes on from our return.
            *redirected = Some(inner);
            o + 6 + used
        }
        5 => {
            bytes(ctx, &OPT_RESERVED, buf, o, 2)?;
            let mtu = buf.be32(o + 2)?;
            ctx.uint(&OPT_MTU, buf, o + 2, 4, mtu as u64);
            let _ = write!(label, " : {mtu}");
            o + 6
        }
        6 => {
            let limit = buf.u8(o)?;
            ctx.uint(&OPT_NBMA_LIMIT, buf, o, 1, limit as u64);
            let _ = write!(label, " : {limit}");
            bytes(ctx, &OPT_RESERVED, buf, o, 1)?;
            bytes(ctx, &OPT_RESERVED, buf, o + 1, 4)?;
            o + 5
        }
        7 => {
            bytes(ctx, &OPT_RESERVED, buf, o, 2)?;
            let v = buf.be32(o + 2)?;
            ctx.uint(&OPT_ADV_INTERVAL, buf, o + 2, 4, v as u64);
            let _ = write!(label, " : {v}");
            o + 6
        }
        8 => {
            bytes(ctx, &OPT_RESERVED, buf, o, 2)?;
            item(ctx, &OPT_HA_PREF, buf, o + 2, 2)?;
            item(ctx, &OPT_HA_LIFETIME, buf, o + 4, 2)?;
            o + 6
        }
        9 | 10 => {
            bytes(ctx, &OPT_RESERVED, buf, o, 6)?;
            let mut p = o + 6;
            while p < off + len {
                let a = ipv6(ctx, &OPT_IPV6_ADDRESS, buf, p)?;
                let _ = write!(label, " {}", std::net::Ipv6Addr::from(a));
                p += 16;
            }
            p
        }
        13 => {
            // SEND timestamp (RFC 3971 §5.3.1): 48-bit seconds, 16-bit 1/64K.
            bytes(ctx, &OPT_RESERVED, buf, o, 6)?;
            let (hi, lo) = (buf.be16(o + 6)? as i64, buf.be32(o + 8)? as i64);
            let frac = buf.be16(o + 12)? as u64;
            let t = wirecrab_core::Timestamp::new(hi << 32 | lo, frac * (1_000_000_000 / 65536));
            ctx.add(&OPT_TIMESTAMP, buf, o + 6, 8, Value::Time(t));
            o + 14
        }
        14 => {
            bytes(ctx, &OPT_NONCE, buf, o, len - 2)?;
            off + len
        }
        24 => route_info(ctx, buf, o, len, label)?,
        25 => {
            bytes(ctx, &OPT_RESERVED, buf, o, 2)?;
            ctx.uint(&OPT_RDNSS_LIFETIME, buf, o + 2, 4, buf.be32(o + 2)? as u64);
            let mut p = o + 6;
            while p < off + len {
                let a = ipv6(ctx, &OPT_RDNSS, buf, p)?;
                let _ = write!(label, " {}", std::net::Ipv6Addr::from(a));
                p += 16;
            }
            p
        }
        26 => {
            // RFC 5175: 48 flag bits, of which Wireshark shows the first 16.
            let f = buf.be16(o)?;
            ctx.uint(&OPT_EFO, buf, o, 2, f as u64);
            ctx.tree.enter();
            ctx.flag(&OPT_EFO_M, buf, o, 2, f & 0x8000 != 0);
            ctx.flag(&OPT_EFO_O, buf, o, 2, f & 0x4000 != 0);
            ctx.flag(&OPT_EFO_H, buf, o, 2, f & 0x2000 != 0);
            ctx.uint(&OPT_EFO_PRF, buf, o, 2, ((f & 0x1800) >> 11) as u64);
            ctx.flag(&OPT_EFO_P, buf, o, 2, f & 0x0400 != 0);
            ctx.uint(&OPT_EFO_RSV, buf, o, 2, (f & 0x02ff) as u64);
            ctx.tree.leave();
            o + 6
        }
        31 => dnssl(ctx, buf, o, off + len, label)?,
        // Options Wireshark decodes and this dissector does not (SEND,
        // FMIPv6, 6LoWPAN ND, PvD, captive portal, PREF64...): no raw data
        // where Wireshark shows fields, but, as its decoders mostly do, an
        // error when the option runs past the packet.
        11 | 12 | 15..=23 | 27..=30 | 33..=38 => {
            buf.slice(o, len - 2)?;
            off + len
        }
        32 => {
            // Proxy Signature (RFC 6496): key hash, then signature and padding.
            bytes(ctx, &OPT_RESERVED, buf, o, 2)?;
            bytes(ctx, &OPT_PS_KEY_HASH, buf, o + 2, 16)?;
            bytes(ctx, &OPT_SIGNATURE, buf, o + 18, len.saturating_sub(20))?;
            off + len
        }
        _ => {
            ctx.expert(
                &UNDECODED_OPTION,
                Severity::Note,
                "Undecoded",
                format!(
                    "Dissector for ICMPv6 Option ({otype}) code not implemented, \
                     Contact Wireshark developers if you want this supported"
                ),
            );
            bytes(ctx, &DATA, buf, o, len - 2)?;
            off + len
        }
    })
}

/// Source/target link-layer address: a MAC in 8-byte options (Ethernet,
/// RFC 2464), an EUI-64 in 16-byte ones with 6 zero bytes (RFC 4944), else raw.
fn link_layer_option<'a>(
    ctx: &mut Ctx<'a, '_>,
    buf: &Buf<'a>,
    o: usize,
    len: usize,
    source: bool,
    label: &mut String,
) -> Result<usize, BufError> {
    let own = if source { &OPT_SRC_LINKADDR } else { &OPT_TARGET_LINKADDR };
    if len == 8 {
        let mac = buf.array::<6>(o)?;
        ctx.add(&OPT_LINKADDR, buf, o, 6, Value::Ether(mac));
        ctx.add(own, buf, o, 6, Value::Ether(mac));
        let mut m = String::new();
        write_mac(&mut m, &mac);
        if let Some(i) = ctx.info() {
            i.push_str(if source { " from " } else { " is at " });
            i.push_str(&m);
        }
        let _ = write!(label, " : {m}");
    } else if len == 16 && buf.be32(o + 8)? == 0 && buf.be16(o + 12)? == 0 {
        let eui = buf.array::<8>(o)?;
        let own_eui = if source { &OPT_SRC_LINKADDR_EUI64 } else { &OPT_TARGET_LINKADDR_EUI64 };
        item(ctx, &OPT_LINKADDR_EUI64, buf, o, 8)?;
        item(ctx, own_eui, buf, o, 8)?;
        if source {
            item(ctx, &OPT_LINKADDR, buf, o, 8)?;
            item(ctx, &OPT_SRC_LINKADDR, buf, o, 8)?;
        }
        item(ctx, &OPT_PADDING, buf, o + 8, 6)?;
        let mut m = String::new();
        crate::names::write_hex_bytes(&mut m, &eui, Some(':'));
        // Wireshark says "from" for both options here.
        if let Some(i) = ctx.info() {
            i.push_str(" from ");
            i.push_str(&m);
        }
        let _ = write!(label, " : {m}");
    } else {
        item(ctx, &OPT_LINKADDR, buf, o, len - 2)?;
        item(ctx, own, buf, o, len - 2)?;
    }
    Ok(o - 2 + len)
}

/// Route Information (RFC 4191 §2.3): the prefix is 0, 8 or 16 bytes long.
fn route_info<'a>(
    ctx: &mut Ctx<'a, '_>,
    buf: &Buf<'a>,
    o: usize,
    len: usize,
    label: &mut String,
) -> Result<usize, BufError> {
    let plen = buf.u8(o)?;
    ctx.uint(&OPT_PREFIX_LEN, buf, o, 1, plen as u64);
    let f = buf.u8(o + 1)?;
    ctx.uint(&OPT_ROUTE_FLAG, buf, o + 1, 1, f as u64);
    ctx.tree.enter();
    let pref = (f & 0x18) >> 3;
    ctx.uint(&OPT_ROUTE_PREF, buf, o + 1, 1, pref as u64);
    ctx.uint(&OPT_ROUTE_RSV, buf, o + 1, 1, (f & 0xe7) as u64);
    ctx.tree.leave();
    let _ = write!(label, " : {}", ROUTER_PREF[pref as usize].1);
    ctx.uint(&OPT_ROUTE_LIFETIME, buf, o + 2, 4, buf.be32(o + 2)? as u64);
    let p = o + 6;
    match len {
        8 => {
            let _ = write!(label, " ::/{plen}");
            Ok(p)
        }
        16 | 24 => {
            let n = len - 8;
            let mut a = [0u8; 16];
            a[..n].copy_from_slice(buf.slice(p, n)?);
            ctx.add(&OPT_PREFIX, buf, p, n, Value::V6(a));
            let _ = write!(label, " {}/{plen}", std::net::Ipv6Addr::from(a));
            Ok(p + n)
        }
        _ => {
            ctx.expert(&INVALID_OPTION_LENGTH, Severity::Error, "Malformed", "Invalid Option Length");
            Ok(p)
        }
    }
}

/// DNS Search List (RFC 8106 §5.2): uncompressed names, zero-padded.
fn dnssl<'a>(ctx: &mut Ctx<'a, '_>, buf: &Buf<'a>, o: usize, end: usize, label: &mut String) -> Result<usize, BufError> {
    bytes(ctx, &OPT_RESERVED, buf, o, 2)?;
    ctx.uint(&OPT_DNSSL_LIFETIME, buf, o + 2, 4, buf.be32(o + 2)? as u64);
    let mut p = o + 6;
    while p < end {
        if buf.u8(p)? == 0 {
            bytes(ctx, &OPT_PADDING, buf, p, end - p)?;
            return Ok(end);
        }
        let (name, used) = dns_name(buf, p)?;
        let _ = write!(label, " {name}");
        ctx.add(&OPT_DNSSL, buf, p, used, Value::OwnedStr(name.into()));
        p += used;
    }
    Ok(p)
}

/// A DNS name in wire format at `off`: the dotted text and the bytes used.
/// Compression pointers are not followed (RFC 8106 forbids them here).
fn dns_name(buf: &Buf<'_>, off: usize) -> Result<(String, usize), BufError> {
    let mut name = String::new();
    let mut p = off;
    loop {
        let l = buf.u8(p)? as usize;
        p += 1;
        if l == 0 {
            break;
        }
        if l >= 0xc0 {
            // A compression pointer ends the name (not followed: see above).
            buf.u8(p)?;
            p += 1;
            break;
        }
        if l >= 0x40 {
            // Extended (RFC 6891) and reserved label types: Wireshark's DNS
            // name reader gives up on the packet.
            return Err(BufError::Malformed { offset: buf.base() + p - 1, wanted: 1, reported: 0 });
        }
        let label = buf.slice(p, l)?;
        if !name.is_empty() {
            name.push('.');
        }
        for &c in label {
            if c.is_ascii_graphic() {
                name.push(c as char);
            } else {
                let _ = write!(name, "\\{c:03o}");
            }
        }
        p += l;
    }
    if name.is_empty() {
        name.push_str("<Root>");
    }
    Ok((name, p - off))
}

/// ICMPv6's echo table (ICMP keeps another).
#[derive(Default)]
struct Icmpv6Echoes(EchoTable);

#[cfg(test)]
mod tests {
    use super::super::icmp::tests::{dissector, hex, meta, run_frames, values, Row};
    use wirecrab_core::{LinkType, Timestamp, Value};

    fn ts(secs: i64, usecs: u64) -> Timestamp {
        Timestamp::new(secs, usecs * 1000)
    }

    /// One raw-IPv6 frame; `orig` is the length on the wire (0 = as captured).
    fn one(p: &str, orig: usize) -> Row {
        let b = hex(p);
        let orig = if orig == 0 { b.len() } else { orig };
        run_frames(&[(ts(1, 0), b, orig)], LinkType::RAW).remove(0)
    }

    fn v6(s: &str) -> Value {
        Value::V6(s.parse::<std::net::Ipv6Addr>().map(|a| a.octets()).unwrap_or_default())
    }

    // Expected Info strings below are what tshark 4.0.17 prints for the same bytes.
    const RA: &str = "6000000000c83afffe800000000000000000000000000001ff020000000000000000000000000001
        86005a9740c8070800007530000003e8 0101020000000001 05010000000005dc
        030440c000015180000038400000000020010db8000000000000000000000000
        190500000000025820010db800000000000000000000005320010db8000000000000000000000054
        1801000800000064 180230180000006420010db800010000
        18034000ffffffff20010db8000200000000000000000000
        1f0400000000012c076578616d706c6503636f6d0003666f6f0362617200000007010000000013881a01000000000000";

    #[test]
    fn icmpv6_router_advertisement_options() {
        let r = one(RA, 0);
        assert_eq!(r.0, "Router Advertisement from 02:00:00:00:00:01");
        assert_eq!(r.1, "raw:ipv6:icmpv6");
        assert_eq!(values(&r, "icmpv6.checksum.status"), [&Value::U(1)]);
        assert_eq!(values(&r, "icmpv6.nd.ra.cur_hop_limit"), [&Value::U(64)]);
        assert_eq!(values(&r, "icmpv6.nd.ra.flag.m"), [&Value::Bool(true)]);
        assert_eq!(values(&r, "icmpv6.nd.ra.flag.prf"), [&Value::U(1)]);
        let types: Vec<Value> = [1u64, 5, 3, 25, 24, 24, 24, 31, 7, 26].iter().map(|v| Value::U(*v)).collect();
        assert_eq!(values(&r, "icmpv6.opt.type"), types.iter().collect::<Vec<_>>());
        assert_eq!(values(&r, "icmpv6.opt.linkaddr"), [&Value::Ether([2, 0, 0, 0, 0, 1])]);
        assert_eq!(values(&r, "icmpv6.opt.mtu"), [&Value::U(1500)]);
        assert_eq!(values(&r, "icmpv6.opt.prefix.length")[0], &Value::U(64));
        assert_eq!(values(&r, "icmpv6.opt.prefix.valid_lifetime"), [&Value::U(86400)]);
        assert_eq!(values(&r, "icmpv6.opt.rdnss"), [&v6("2001:db8::53"), &v6("2001:db8::54")]);
        assert_eq!(values(&r, "icmpv6.opt.route_lifetime").len(), 3);
        assert_eq!(
            values(&r, "icmpv6.opt.dnssl"),
            [&Value::OwnedStr("example.com".into()), &Value::OwnedStr("foo.bar".into())]
        );
        assert!(values(&r, "icmpv6.unknown_data").is_empty());
    }

    #[test]
    fn icmpv6_neighbor_solicitation_and_advertisement() {
        let ns = one(
            "6000000000203afffe800000000000000000000000000002ff0200000000000000000001ff000001
             87007a9800000000fe800000000000000000000000000001 0101020000000001",
            0,
        );
        assert_eq!(ns.0, "Neighbor Solicitation for fe80::1 from 02:00:00:00:00:01");
        assert_eq!(values(&ns, "icmpv6.nd.ns.target_address"), [&v6("fe80::1")]);
        assert_eq!(values(&ns, "icmpv6.opt.src_linkaddr"), [&Value::Ether([2, 0, 0, 0, 0, 1])]);
        let na = one(
            "6000000000203afffe800000000000000000000000000002fe800000000000000000000000000001
             88009819e0000000fe800000000000000000000000000002 0201020000000002",
            0,
        );
        assert_eq!(na.0, "Neighbor Advertisement fe80::2 (rtr, sol, ovr) is at 02:00:00:00:00:02");
        assert_eq!(values(&na, "icmpv6.nd.na.flag.s"), [&Value::Bool(true)]);
        assert_eq!(values(&na, "icmpv6.opt.target_linkaddr"), [&Value::Ether([2, 0, 0, 0, 0, 2])]);
    }

    #[test]
    fn icmpv6_redirect_quotes_packet() {
        let r = one(
            "6000000000703afffe800000000000000000000000000002fe800000000000000000000000000001
             8900ddbf00000000fe80000000000000000000000000000320010db8000000000000000000000009
             0201020000000002 040800000000000060000000000c11fffe800000000000000000000000000001
             20010db800000000000000000000000903e80035000c00006162636400000000",
            0,
        );
        assert_eq!(r.0, "Redirect is at 02:00:00:00:00:02");
        assert!(r.1.starts_with("raw:ipv6:icmpv6:ipv6:udp"), "{}", r.1);
        assert_eq!(values(&r, "icmpv6.unknown_data"), [&Value::Bytes]);
        assert_eq!(values(&r, "ipv6.src").len(), 2);
    }

    #[test]
    fn icmpv6_destination_unreachable() {
        let r = one(
            "60000000003c3aff20010db8000000000000000000000001fe800000000000000000000000000001
             01046b0a00000000 60000000000c11fffe80000000000000000000000000000120010db8000000000000000000000009
             03e80035000c000061626364",
            0,
        );
        assert_eq!(r.0, "Destination Unreachable (Port unreachable)");
        assert!(r.1.starts_with("raw:ipv6:icmpv6:ipv6:udp"), "{}", r.1);
        assert_eq!(values(&r, "icmpv6.checksum.status"), [&Value::U(1)]);
        assert_eq!(values(&r, "udp.srcport"), [&Value::U(1000)]);
    }

    #[test]
    fn icmpv6_mldv2_report() {
        let r = one(
            "6000000000443a01fe800000000000000000000000000001ff020000000000000000000000000016
             8f00a78200000002 04000000ff0200000000000000000000000000fb
             01010001ff050000000000000000000000010003 20010db8000000000000000000000005 41555844",
            0,
        );
        assert_eq!(r.0, "Multicast Listener Report Message v2");
        assert_eq!(values(&r, "icmpv6.mldr.nb_mcast_records"), [&Value::U(2)]);
        assert_eq!(values(&r, "icmpv6.mldr.mar.record_type"), [&Value::U(4), &Value::U(1)]);
        assert_eq!(values(&r, "icmpv6.mldr.mar.source_address"), [&v6("2001:db8::5")]);
        assert_eq!(values(&r, "icmpv6.mldr.mar.auxiliary_data"), [&Value::Bytes]);
    }

    #[test]
    fn icmpv6_echo_match() {
        let req = hex("6000000000083a40fe800000000000000000000000000001fe800000000000000000000000000002 8000d6e9abcd0001");
        let rep = hex("6000000000083a3ffe800000000000000000000000000002fe800000000000000000000000000001 8100d5e9abcd0001");
        let rows = run_frames(&[(ts(10, 0), req.clone(), req.len()), (ts(10, 8030), rep.clone(), rep.len())], LinkType::RAW);
        assert_eq!(rows[0].0, "Echo (ping) request id=0xabcd, seq=1, hop limit=64");
        assert_eq!(rows[1].0, "Echo (ping) reply id=0xabcd, seq=1, hop limit=63 (request in 1)");
        assert_eq!(rows[0].1, "raw:ipv6:icmpv6");
        assert_eq!(values(&rows[1], "icmpv6.resp_to"), [&Value::U(1)]);
        assert_eq!(values(&rows[1], "icmpv6.resptime"), [&Value::F(8.03)]);
    }

    #[test]
    fn icmpv6_bad_option_length_and_truncation() {
        let zero = one(
            "6000000000183afffe800000000000000000000000000001ff020000000000000000000000000001
             8600ba3e40c8070800007530000003e8 0100000000000000",
            0,
        );
        assert_eq!(zero.0, "Router Advertisement");
        assert_eq!(values(&zero, "icmpv6.opt.type"), [&Value::U(1)]);
        let cut = one(
            "6000000000383afffe800000000000000000000000000001ff020000000000000000000000000001
             8600bcdd40c8070800007530000003e8 0101020000000001 030440c0000151800000",
            96,
        );
        assert_eq!(cut.0, "Router Advertisement from 02:00:00:00:00:01[Packet size limited during capture]");
        assert_eq!(values(&cut, "icmpv6.checksum.status"), [&Value::U(2)]);
    }

    #[test]
    fn icmpv6_no_panic_on_garbage() {
        let mut d = dissector();
        let hdr = hex("6000000000003a40fe800000000000000000000000000001ff020000000000000000000000000001");
        let mut x: u64 = 0x2545f4914f6cdd1d;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut packets: Vec<Vec<u8>> = vec![hex(RA)];
        for _ in 0..10_000 {
            let n = (next() % 160) as usize;
            let mut p = hdr.clone();
            for _ in 0..n {
                p.push(next() as u8);
            }
            p[4..6].copy_from_slice(&(n as u16).to_be_bytes());
            if n > 0 {
                let types = [1, 2, 3, 4, 128, 129, 130, 131, 133, 134, 135, 136, 137, 143, 145, 147, 151, 154, 160];
                p[40] = types[(next() % types.len() as u64) as usize];
            }
            // Small option lengths, so option walks get exercised.
            for k in (49..p.len()).step_by(8) {
                if next() % 2 == 0 {
                    p[k] = (next() % 4) as u8;
                }
            }
            packets.push(p);
        }
        for (i, p) in packets.iter().enumerate() {
            let cuts: Vec<usize> =
                if i == 0 { (0..=p.len()).collect() } else { vec![p.len(), (next() as usize) % (p.len() + 1)] };
            for cut in cuts {
                let m = meta(i as u64 + 1, Timestamp::default(), p.len(), cut, LinkType::RAW);
                let _ = d.dissect(&m, &p[..cut]);
            }
        }
    }
}
