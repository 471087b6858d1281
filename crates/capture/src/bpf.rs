//! Capture filters (tcpdump's language), compiled by libpcap's `pcap_compile`
//! and run with `pcap_offline_filter`, so `-f` means exactly what it means to
//! tcpdump.
//!
//! A filter is compiled per link type, on first use: a pcapng file may mix
//! interfaces, and a BPF program is only meaningful for the link type it was
//! compiled for.

use std::ffi::{c_char, c_int, c_uint, CStr, CString};

use wirecrab_core::{FrameMeta, LinkType};

#[repr(C)]
struct BpfProgram {
    bf_len: c_uint,
    bf_insns: *mut libc::c_void,
}

#[repr(C)]
struct PktHdr {
    ts: libc::timeval,
    caplen: u32,
    len: u32,
}

#[repr(C)]
struct PcapT {
    _private: [u8; 0],
}

#[link(name = "pcap")]
extern "C" {
    fn pcap_open_dead(linktype: c_int, snaplen: c_int) -> *mut PcapT;
    fn pcap_close(p: *mut PcapT);
    fn pcap_compile(p: *mut PcapT, fp: *mut BpfProgram, s: *const c_char, optimize: c_int, netmask: u32) -> c_int;
    fn pcap_geterr(p: *mut PcapT) -> *const c_char;
    fn pcap_freecode(fp: *mut BpfProgram);
    fn pcap_offline_filter(fp: *const BpfProgram, h: *const PktHdr, pkt: *const u8) -> c_int;
}

const PCAP_NETMASK_UNKNOWN: u32 = 0xffff_ffff;
const SNAPLEN: c_int = 262_144;

/// One compiled program, owned.
struct Program {
    prog: BpfProgram,
}

// The program is plain data (instructions) that only `pcap_offline_filter`
// reads; nothing in it refers back to the pcap_t it was compiled with.
unsafe impl Send for Program {}

impl Drop for Program {
    fn drop(&mut self) {
        // SAFETY: `prog` was filled by a successful pcap_compile and is freed once.
        unsafe { pcap_freecode(&mut self.prog) }
    }
}

/// libpcap identifies link types by DLT_ values in memory and LINKTYPE_
/// values in files; they differ for a few old types (pcap-linktype(7)).
fn dlt_of(l: LinkType) -> c_int {
    match l.0 {
        100 => 11, // ATM_RFC1483
        101 => 12, // RAW (Linux value)
        102 => 15, // SLIP_BSDOS
        103 => 16, // PPP_BSDOS
        106 => 19, // ATM_CLIP
        n => n as c_int,
    }
}

fn compile(expr: &CStr, link: LinkType) -> Result<Program, String> {
    // SAFETY: a dead handle needs no privileges or device; every pointer passed
    // below is valid for the call, and the handle is closed on every path.
    unsafe {
        let p = pcap_open_dead(dlt_of(link), SNAPLEN);
        if p.is_null() {
            return Err("libpcap could not create a handle".into());
        }
        let mut prog = BpfProgram { bf_len: 0, bf_insns: std::ptr::null_mut() };
        let rc = pcap_compile(p, &mut prog, expr.as_ptr(), 1, PCAP_NETMASK_UNKNOWN);
        let result = if rc == 0 {
            Ok(Program { prog })
        } else {
            Err(CStr::from_ptr(pcap_geterr(p)).to_string_lossy().into_owned())
        };
        pcap_close(p);
        result
    }
}

/// A tcpdump filter expression, ready to run on frames of any link type.
pub struct CaptureFilter {
    expr: CString,
    text: String,
    programs: Vec<(LinkType, Option<Program>)>,
}

impl CaptureFilter {
    /// Check `expr` for `link` (the file's first link type) now, so a typo is
    /// reported before any frame is read.
    pub fn new(expr: &str, link: LinkType) -> Result<CaptureFilter, String> {
        let c = CString::new(expr).map_err(|_| "a capture filter cannot contain a NUL byte".to_string())?;
        let prog = compile(&c, link)?;
        Ok(CaptureFilter { expr: c, text: expr.to_string(), programs: vec![(link, Some(prog))] })
    }

    /// The expression as given.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Does the frame pass? Frames whose link type the filter cannot be
    /// compiled for (e.g. `ether host` on raw IP) do not pass, as tcpdump
    /// would refuse to read them with that filter at all.
    pub fn matches(&mut self, meta: &FrameMeta, data: &[u8]) -> bool {
        let link = meta.link_type;
        let i = match self.programs.iter().position(|(l, _)| *l == link) {
            Some(i) => i,
            None => {
                let p = compile(&self.expr, link).ok();
                self.programs.push((link, p));
                self.programs.len() - 1
            }
        };
        let Some(prog) = &self.programs[i].1 else { return false };
        let hdr = PktHdr {
            ts: libc::timeval { tv_sec: meta.ts.secs as libc::time_t, tv_usec: (meta.ts.nanos / 1000) as libc::suseconds_t },
            caplen: data.len() as u32,
            len: meta.orig_len.max(data.len() as u32),
        };
        // SAFETY: the program is valid; the header's caplen is data's length,
        // which bounds every load the BPF interpreter makes.
        unsafe { pcap_offline_filter(&prog.prog, &hdr, data.as_ptr()) != 0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(link: LinkType, len: usize) -> FrameMeta {
        FrameMeta { link_type: link, orig_len: len as u32, cap_len: len as u32, ..FrameMeta::default() }
    }

    /// Ethernet + IPv4 + TCP header with the given ports.
    fn tcp_frame(sport: u16, dport: u16) -> Vec<u8> {
        let mut f = vec![0u8; 14 + 20 + 20];
        f[12] = 0x08;
        f[14] = 0x45;
        f[16..18].copy_from_slice(&40u16.to_be_bytes());
        f[22] = 64;
        f[23] = 6;
        f[26..30].copy_from_slice(&[10, 0, 0, 1]);
        f[30..34].copy_from_slice(&[10, 0, 0, 2]);
        f[34..36].copy_from_slice(&sport.to_be_bytes());
        f[36..38].copy_from_slice(&dport.to_be_bytes());
        f[46] = 0x50;
        f
    }

    #[test]
    fn port_filter_selects_by_port() {
        let mut f = CaptureFilter::new("tcp port 80", LinkType::ETHERNET).unwrap();
        let a = tcp_frame(12345, 80);
        let b = tcp_frame(12345, 443);
        assert!(f.matches(&meta(LinkType::ETHERNET, a.len()), &a));
        assert!(!f.matches(&meta(LinkType::ETHERNET, b.len()), &b));
    }

    #[test]
    fn wire_length_is_the_original_length() {
        let mut f = CaptureFilter::new("greater 1000", LinkType::ETHERNET).unwrap();
        let a = tcp_frame(1, 2);
        let mut m = meta(LinkType::ETHERNET, a.len());
        assert!(!f.matches(&m, &a));
        m.orig_len = 1500; // truncated by the snap length
        assert!(f.matches(&m, &a));
    }

    #[test]
    fn raw_ip_link_type_is_mapped_to_its_dlt() {
        let mut f = CaptureFilter::new("tcp port 80", LinkType::ETHERNET).unwrap();
        let a = tcp_frame(80, 1);
        let raw = &a[14..];
        assert!(f.matches(&meta(LinkType(101), raw.len()), raw));
    }

    #[test]
    fn syntax_errors_are_reported() {
        let e = CaptureFilter::new("tcp prt 80", LinkType::ETHERNET).err().unwrap();
        assert!(e.contains("syntax error"), "{e}");
        assert!(CaptureFilter::new("tcp\0", LinkType::ETHERNET).is_err());
    }

    #[test]
    fn short_frames_match_only_when_the_port_was_captured() {
        let mut f = CaptureFilter::new("tcp port 80", LinkType::ETHERNET).unwrap();
        let a = tcp_frame(1, 80);
        for n in 0..a.len() {
            // The destination port ends at byte 38; a load past the captured
            // bytes makes libpcap's interpreter reject the frame.
            assert_eq!(f.matches(&meta(LinkType::ETHERNET, n), &a[..n]), n >= 38, "{n} bytes");
        }
    }
}
