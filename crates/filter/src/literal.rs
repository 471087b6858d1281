//! Unquoted and quoted literals, read the way the field they meet expects.

use wirecrab_core::FieldType;

/// A literal after type-directed reading.
#[derive(Debug, Clone)]
pub enum Lit {
    /// Any integer (also booleans and frame numbers).
    Int(i128),
    /// A float (relative times in seconds, doubles).
    Float(f64),
    /// Bytes (byte strings, MACs, quoted strings for byte fields).
    Bytes(Vec<u8>),
    /// An IPv4 network: address and prefix length.
    V4(u32, u8),
    /// An IPv6 network.
    V6(u128, u8),
}

/// Parse an integer as Wireshark does: decimal, `0x` hex, leading-0 octal,
/// `0b` binary, optional sign.
pub fn int(s: &str) -> Option<i128> {
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let v = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        i128::from_str_radix(h, 16).ok()?
    } else if let Some(b) = s.strip_prefix("0b").or_else(|| s.strip_prefix("0B")) {
        i128::from_str_radix(b, 2).ok()?
    } else if s.len() > 1 && s.starts_with('0') {
        i128::from_str_radix(&s[1..], 8).ok()?
    } else {
        s.parse::<i128>().ok()?
    };
    Some(if neg { -v } else { v })
}

/// `aa:bb:cc`, `aa-bb-cc`, `aabb.ccdd`, `aabbcc`, or a single `aa`.
pub fn bytes(s: &str) -> Option<Vec<u8>> {
    let seps: &[char] = if s.contains(':') {
        &[':']
    } else if s.contains('-') {
        &['-']
    } else if s.contains('.') {
        &['.']
    } else {
        &[]
    };
    let groups: Vec<&str> = if seps.is_empty() { vec![s] } else { s.split(seps[0]).collect() };
    let mut out = Vec::new();
    for g in groups {
        if g.is_empty() || g.len() % 2 != 0 && !(seps == [':'] || seps == ['-']) || !g.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        if g.len() == 1 {
            out.push(u8::from_str_radix(g, 16).ok()?);
            continue;
        }
        if g.len() % 2 != 0 {
            return None;
        }
        for i in (0..g.len()).step_by(2) {
            out.push(u8::from_str_radix(&g[i..i + 2], 16).ok()?);
        }
    }
    Some(out)
}

fn v4(s: &str) -> Option<(u32, u8)> {
    let (a, p) = match s.split_once('/') {
        Some((a, p)) => (a, p.parse::<u8>().ok().filter(|p| *p <= 32)?),
        None => (s, 32),
    };
    let ip: std::net::Ipv4Addr = a.parse().ok()?;
    Some((u32::from(ip), p))
}

fn v6(s: &str) -> Option<(u128, u8)> {
    let (a, p) = match s.split_once('/') {
        Some((a, p)) => (a, p.parse::<u8>().ok().filter(|p| *p <= 128)?),
        None => (s, 128),
    };
    let ip: std::net::Ipv6Addr = a.parse().ok()?;
    Some((u128::from(ip), p))
}

/// What the field type wants, for error messages.
pub fn expected(ty: FieldType) -> &'static str {
    match ty {
        FieldType::Bool => "a boolean (1, 0, True or False)",
        t if t.is_integer() => "an integer",
        FieldType::Double | FieldType::RelTime => "a number",
        FieldType::Ether => "a MAC address such as 00:1b:21:aa:bb:cc",
        FieldType::Ipv4 => "an IPv4 address such as 10.0.1.23 or 10.0.0.0/8",
        FieldType::Ipv6 => "an IPv6 address such as fe80::1 or 2001:db8::/32",
        FieldType::String => "a quoted string",
        FieldType::AbsTime => "a quoted time such as \"2026-11-21 10:00:00\"",
        _ => "a byte string such as aa:bb:cc or a quoted string",
    }
}

/// Does `v` fit a field of type `ty`? (Wireshark refuses `tcp.port == 65536`.)
pub fn fits(ty: FieldType, v: i128) -> bool {
    let (lo, hi): (i128, i128) = match ty {
        FieldType::U8 => (0, u8::MAX as i128),
        FieldType::U16 => (0, u16::MAX as i128),
        FieldType::U24 => (0, 0xff_ffff),
        FieldType::U32 | FieldType::FrameNum => (0, u32::MAX as i128),
        FieldType::U64 => (0, u64::MAX as i128),
        FieldType::I32 => (i32::MIN as i128, i32::MAX as i128),
        FieldType::I64 => (i64::MIN as i128, i64::MAX as i128),
        _ => return true,
    };
    (lo..=hi).contains(&v)
}

/// A relative time or double: digits with an optional point and sign
/// (Wireshark 4.0 reads no exponent in a relative time).
fn seconds(w: &str, exponent: bool) -> Option<f64> {
    let plain = w.trim_start_matches('-').bytes().all(|c| c.is_ascii_digit() || c == b'.');
    if !plain && !exponent {
        return None;
    }
    w.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// Seconds written as decimal digits (`5`, `-0.25`, `1491516384.112304`),
/// exactly, in nanoseconds: relative times compare as integers so that no
/// microsecond is lost to floating point.
pub fn seconds_ns(w: &str) -> Option<i128> {
    let (neg, w) = match w.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, w),
    };
    let (int, frac) = w.split_once('.').unwrap_or((w, ""));
    if (int.is_empty() && frac.is_empty()) || !int.bytes().all(|c| c.is_ascii_digit()) || !frac.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: i128 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let nanos: i128 = if frac.is_empty() { 0 } else { format!("{:0<9}", &frac[..frac.len().min(9)]).parse().ok()? };
    let v = whole.checked_mul(1_000_000_000)?.checked_add(nanos)?;
    Some(if neg { -v } else { v })
}

/// Read an unquoted word as a literal for a field of type `ty`.
pub fn word(ty: FieldType, w: &str, names: &wirecrab_core::ValueNames) -> Option<Lit> {
    match ty {
        FieldType::Bool => match w {
            "1" | "True" | "true" | "TRUE" => Some(Lit::Int(1)),
            "0" | "False" | "false" | "FALSE" => Some(Lit::Int(0)),
            // Wireshark shows flag bits without names of their own as Set / Not set.
            _ if w.eq_ignore_ascii_case("set") => Some(Lit::Int(1)),
            _ if w.eq_ignore_ascii_case("not set") => Some(Lit::Int(0)),
            _ => int(w).filter(|v| *v >= 0).map(|v| Lit::Int((v != 0) as i128)).or_else(|| tf_name(names, w)),
        },
        t if t.is_integer() => int(w).or_else(|| value_name(names, w)).filter(|v| fits(t, *v)).map(Lit::Int),
        FieldType::RelTime => seconds_ns(w).map(Lit::Int),
        FieldType::Double => seconds(w, true).map(Lit::Float),
        FieldType::Ether => bytes(w).filter(|b| b.len() == 6).map(Lit::Bytes),
        FieldType::Ipv4 => v4(w).map(|(a, p)| Lit::V4(a, p)),
        FieldType::Ipv6 => v6(w).map(|(a, p)| Lit::V6(a, p)),
        FieldType::String | FieldType::AbsTime => None,
        _ => bytes(w).or_else(|| hex_number_bytes(w)).map(Lit::Bytes),
    }
}

/// `0x51` or `0x0800` against bytes: the bytes the hex digits spell.
fn hex_number_bytes(w: &str) -> Option<Vec<u8>> {
    let h = w.strip_prefix("0x").or_else(|| w.strip_prefix("0X"))?;
    if h.is_empty() || h.len() % 2 != 0 {
        return None;
    }
    bytes(h)
}

fn value_name(names: &wirecrab_core::ValueNames, w: &str) -> Option<i128> {
    match names {
        wirecrab_core::ValueNames::Table(t) => t.iter().find(|(_, n)| n.eq_ignore_ascii_case(w)).map(|(v, _)| *v as i128),
        _ => None,
    }
}

/// A boolean's own words (`Set`, `Not set`, `Message is a response`).
fn tf_name(names: &wirecrab_core::ValueNames, w: &str) -> Option<Lit> {
    match names {
        wirecrab_core::ValueNames::TrueFalse(t, _) if t.eq_ignore_ascii_case(w) => Some(Lit::Int(1)),
        wirecrab_core::ValueNames::TrueFalse(_, f) if f.eq_ignore_ascii_case(w) => Some(Lit::Int(0)),
        _ => None,
    }
}

/// Read a quoted string as a literal for a field of type `ty`: text for
/// strings and bytes, times, addresses, and the names of values.
pub fn quoted(ty: FieldType, s: &[u8], names: &wirecrab_core::ValueNames) -> Option<Lit> {
    match ty {
        FieldType::Ipv4 | FieldType::Ipv6 | FieldType::Ether | FieldType::Bool => word(ty, std::str::from_utf8(s).ok()?, names),
        t if t.is_integer() => value_name(names, std::str::from_utf8(s).ok()?).filter(|v| fits(t, *v)).map(Lit::Int),
        FieldType::Double | FieldType::RelTime => None,
        _ => Some(Lit::Bytes(s.to_vec())),
    }
}

/// A date and time as written in a filter, before a time zone is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrittenTime {
    /// Year, month (1-12), day (1-31).
    pub date: (i64, u32, u32),
    /// Hour, minute, second.
    pub time: (i64, i64, i64),
    /// Fraction of the second in nanoseconds.
    pub nanos: i128,
    /// Offset east of UTC in seconds when the text names a zone (`Z`,
    /// ` UTC`, `+09:00`); `None` for local time.
    pub offset: Option<i64>,
}

impl WrittenTime {
    /// Seconds since the epoch if the wall clock read `offset` seconds east of UTC.
    pub fn epoch_secs(&self, offset: i64) -> i64 {
        let ((y, m, d), (h, mi, s)) = (self.date, self.time);
        days_from_civil(y, m, d) * 86_400 + h * 3600 + mi * 60 + s - offset
    }
}

/// Read an absolute time as Wireshark does: `2026-11-21 10:00:00[.fff]`,
/// `2026-11-21T10:00:00`, or `Nov 21, 2026 10:00:00[.fff]`, optionally
/// ending in `Z`, ` UTC` or an offset such as `+09:00`.
pub fn written_time(s: &str) -> Option<WrittenTime> {
    let s = s.trim();
    let (s, offset) = split_zone(s);
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let (date, time) = match s.split_once(' ').or_else(|| s.split_once('T')) {
        Some((a, b)) => (a.to_string(), b.trim().to_string()),
        None => (s.to_string(), String::new()),
    };
    let (y, m, d, time) = if let Some(mi) = MONTHS.iter().position(|m| date.eq_ignore_ascii_case(m)) {
        // "Nov 21, 2026 10:00:00"
        let mut it = time.split_whitespace();
        let day = it.next()?.trim_end_matches(',').parse::<u32>().ok()?;
        let year = it.next()?.parse::<i64>().ok()?;
        let t = it.next().unwrap_or("00:00:00").to_string();
        (year, mi as u32 + 1, day, t)
    } else {
        let mut p = date.split('-');
        let ymd = (p.next()?.parse().ok()?, p.next()?.parse().ok()?, p.next()?.parse().ok()?);
        if p.next().is_some() {
            return None;
        }
        (ymd.0, ymd.1, ymd.2, if time.is_empty() { "00:00:00".to_string() } else { time })
    };
    let (hms, frac) = time.split_once('.').unwrap_or((&time, ""));
    let mut hp = hms.split(':');
    let (h, mi, sec): (i64, i64, i64) = (hp.next()?.parse().ok()?, hp.next().unwrap_or("0").parse().ok()?, hp.next().unwrap_or("0").parse().ok()?);
    if !frac.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let nanos: i128 = if frac.is_empty() { 0 } else { format!("{:0<9}", &frac[..frac.len().min(9)]).parse().ok()? };
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || !(0..24).contains(&h) || !(0..60).contains(&mi) || !(0..=60).contains(&sec) {
        return None;
    }
    if !(-100_000..=100_000).contains(&y) {
        return None;
    }
    Some(WrittenTime { date: (y, m, d), time: (h, mi, sec), nanos, offset })
}

/// Strip a zone designator: `Z`, ` UTC`, `+hh:mm`, `-hhmm`. Returns the
/// offset east of UTC in seconds, `None` for local time.
fn split_zone(s: &str) -> (&str, Option<i64>) {
    if let Some(r) = s.strip_suffix(" UTC").or_else(|| s.strip_suffix('Z')) {
        return (r.trim_end(), Some(0));
    }
    // An offset follows the time: look for a sign after the last ':' of hh:mm:ss.
    let b = s.as_bytes();
    if b.len() > 6 {
        for len in [6usize, 5] {
            let at = b.len() - len;
            // Byte offsets: text that is not ASCII cannot be an offset.
            let Some(tail) = s.get(at..) else { continue };
            let sign = match tail.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => continue,
            };
            let digits: String = tail[1..].chars().filter(|c| *c != ':').collect();
            if digits.len() == 4 && digits.bytes().all(|c| c.is_ascii_digit()) && s[..at].contains(':') {
                let (hh, mm): (i64, i64) = (digits[..2].parse().unwrap_or(0), digits[2..].parse().unwrap_or(0));
                return (&s[..at], Some(sign * (hh * 3600 + mm * 60)));
            }
        }
    }
    (s, None)
}

/// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Nanoseconds since the epoch of `s`, a time without a zone read as UTC.
    fn utc_time(s: &str) -> Option<i128> {
        let t = written_time(s)?;
        Some(t.epoch_secs(t.offset.unwrap_or(0)) as i128 * 1_000_000_000 + t.nanos)
    }

    #[test]
    fn readings() {
        assert_eq!(int("0x1f"), Some(31));
        assert_eq!(int("017"), Some(15));
        assert_eq!(int("-5"), Some(-5));
        assert_eq!(bytes("00:1b:21"), Some(vec![0, 0x1b, 0x21]));
        assert_eq!(bytes("aabb.cc"), Some(vec![0xaa, 0xbb, 0xcc]));
        assert_eq!(bytes("aa-bb-cc"), Some(vec![0xaa, 0xbb, 0xcc]));
        assert_eq!(bytes("aabbcc"), Some(vec![0xaa, 0xbb, 0xcc]));
        assert!(bytes("xyz").is_none());
        assert!(v4("300.1.1.1").is_none());
        assert_eq!(v4("10.0.0.0/8"), Some((0x0a00_0000, 8)));
        assert_eq!(utc_time("1970-01-02 00:00:01.5"), Some(86_401_500_000_000));
        assert_eq!(utc_time("Jan  2, 1970 00:00:01 UTC"), Some(86_401_000_000_000));
        assert_eq!(utc_time("1970-01-02T09:00:01+09:00"), Some(86_401_000_000_000));
        assert_eq!(utc_time("1970-01-01T19:00:01-0500"), Some(86_401_000_000_000));
        assert_eq!(written_time("2026-11-21 10:00:00").and_then(|t| t.offset), None, "no zone: local time");
        assert!(utc_time("1970-01-02 25:00:00Z").is_none());
        // Found by fuzzing: multi-byte characters where an offset could be.
        assert!(utc_time("Apr 66\u{662} :24").is_none());
        assert_eq!(seconds_ns("1491516384.112304"), Some(1_491_516_384_112_304_000));
        assert_eq!(seconds_ns("-0.5"), Some(-500_000_000));
        assert!(seconds_ns("1e1").is_none() && seconds_ns(".").is_none());
        assert!(fits(FieldType::U16, 65535) && !fits(FieldType::U16, 65536) && !fits(FieldType::U8, -1));
    }
}
