//! Capture files built byte by byte for the reader and writer tests.
#![allow(dead_code)]

pub fn pcap(magic: u32, big: bool, linktype: u32, snaplen: u32, records: &[(u32, u32, &[u8])], modified: bool) -> Vec<u8> {
    let w32 = |v: u32| if big { v.to_be_bytes() } else { v.to_le_bytes() };
    let w16 = |v: u16| if big { v.to_be_bytes() } else { v.to_le_bytes() };
    let mut f = Vec::new();
    f.extend(w32(magic));
    f.extend(w16(2));
    f.extend(w16(4));
    f.extend(w32(0));
    f.extend(w32(0));
    f.extend(w32(snaplen));
    f.extend(w32(linktype));
    for (s, frac, data) in records {
        f.extend(w32(*s));
        f.extend(w32(*frac));
        f.extend(w32(data.len() as u32));
        f.extend(w32(data.len() as u32 + 10));
        if modified {
            f.extend([0u8; 8]);
        }
        f.extend_from_slice(data);
    }
    f
}

/// Build a pcapng block in the given byte order.
pub fn block(big: bool, btype: u32, body: &[u8]) -> Vec<u8> {
    let w32 = |v: u32| if big { v.to_be_bytes() } else { v.to_le_bytes() };
    let mut body = body.to_vec();
    while !body.len().is_multiple_of(4) {
        body.push(0);
    }
    let len = body.len() as u32 + 12;
    let mut b = Vec::new();
    b.extend(w32(btype));
    b.extend(w32(len));
    b.extend(body);
    b.extend(w32(len));
    b
}

pub fn shb(big: bool) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend(if big { 0x1a2b3c4du32.to_be_bytes() } else { 0x1a2b3c4du32.to_le_bytes() });
    body.extend(if big { [0, 1, 0, 0] } else { [1, 0, 0, 0] });
    body.extend([0xff; 8]);
    block(big, 0x0a0d0d0a, &body)
}

pub fn opt(big: bool, code: u16, val: &[u8]) -> Vec<u8> {
    let mut o = Vec::new();
    o.extend(if big { code.to_be_bytes() } else { code.to_le_bytes() });
    o.extend(if big { (val.len() as u16).to_be_bytes() } else { (val.len() as u16).to_le_bytes() });
    o.extend_from_slice(val);
    while !o.len().is_multiple_of(4) {
        o.push(0);
    }
    o
}

pub fn idb(big: bool, linktype: u16, opts: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend(if big { linktype.to_be_bytes() } else { linktype.to_le_bytes() });
    body.extend([0, 0]);
    body.extend(if big { 0u32.to_be_bytes() } else { 0u32.to_le_bytes() });
    body.extend_from_slice(opts);
    block(big, 1, &body)
}

pub fn epb(big: bool, iface: u32, ts: u64, data: &[u8], opts: &[u8]) -> Vec<u8> {
    let w32 = |v: u32| if big { v.to_be_bytes() } else { v.to_le_bytes() };
    let mut body = Vec::new();
    body.extend(w32(iface));
    body.extend(w32((ts >> 32) as u32));
    body.extend(w32(ts as u32));
    body.extend(w32(data.len() as u32));
    body.extend(w32(data.len() as u32));
    body.extend_from_slice(data);
    while !body.len().is_multiple_of(4) {
        body.push(0);
    }
    body.extend_from_slice(opts);
    block(big, 6, &body)
}
