//! One file per protocol. To add a protocol: write `protocols/NAME.rs` with a
//! `pub static PROTOCOL: Protocol` and add one line to [`ALL`] (and its `mod`).

use crate::registry::Protocol;

pub mod arp;
pub mod data;
pub mod dns;
pub mod eth;
pub mod frame;
pub mod geneve;
pub mod http;
pub mod http2;
pub mod icmp;
pub mod icmpv6;
pub mod ieee8021ad;
pub mod ip;
pub mod ipv6;
pub mod mpls;
pub mod null;
pub mod pcapng_custom;
pub mod raw;
pub mod sll;
pub mod tcp;
pub mod tls;
pub mod udp;
pub mod vlan;
pub mod vxlan;

/// Every protocol, in registration order.
pub static ALL: &[&Protocol] = &[
    &frame::PROTOCOL,
    &eth::PROTOCOL,
    &vlan::PROTOCOL,
    &ieee8021ad::PROTOCOL,
    &sll::PROTOCOL,
    &null::PROTOCOL,
    &raw::PROTOCOL,
    &pcapng_custom::PROTOCOL,
    &mpls::PROTOCOL,
    &arp::PROTOCOL,
    &ip::PROTOCOL,
    &ipv6::PROTOCOL,
    &icmp::PROTOCOL,
    &icmpv6::PROTOCOL,
    &udp::PROTOCOL,
    &tcp::PROTOCOL,
    &dns::PROTOCOL,
    &dns::MDNS_PROTOCOL,
    &dns::LLMNR_PROTOCOL,
    &vxlan::PROTOCOL,
    &geneve::PROTOCOL,
    &http::PROTOCOL,
    &http::SSDP_PROTOCOL,
    &http2::PROTOCOL,
    &tls::PROTOCOL,
    &data::PROTOCOL,
];
