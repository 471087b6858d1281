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

/// Read an unquoted word as a literal for a field of type `ty`.
pub fn word(ty: FieldType, w: &str, names: &wirecrab_core::ValueNames) -> Option<Lit> {
    match ty {
        FieldType::Bool => match w {
            "1" | "True" | "true" | "TRUE" => Some(Lit::Int(1)),
            "0" | "False" | "false" | "FALSE" => Some(Lit::Int(0)),
            _ => int(w).map(|v| Lit::Int((v != 0) as i128)),
        },
        t if t.is_integer() => int(w).map(Lit::Int).or_else(|| value_name(names, w).map(Lit::Int)),
        FieldType::Double | FieldType::RelTime => w.parse::<f64>().ok().map(Lit::Float),
        FieldType::Ether => bytes(w).filter(|b| b.len() == 6).map(Lit::Bytes),
        FieldType::Ipv4 => v4(w).map(|(a, p)| Lit::V4(a, p)),
        FieldType::Ipv6 => v6(w).map(|(a, p)| Lit::V6(a, p)),
        FieldType::String | FieldType::AbsTime => None,
        _ => bytes(w).map(Lit::Bytes),
    }
}

fn value_name(names: &wirecrab_core::ValueNames, w: &str) -> Option<i128> {
    match names {
        wirecrab_core::ValueNames::Table(t) => t.iter().find(|(_, n)| n.eq_ignore_ascii_case(w)).map(|(v, _)| *v as i128),
        _ => None,
    }
}

/// Read a quoted string as a literal for a field of type `ty`.
pub fn quoted(ty: FieldType, s: &[u8]) -> Option<Lit> {
    match ty {
        FieldType::AbsTime => abs_time(std::str::from_utf8(s).ok()?).map(Lit::Int),
        FieldType::Ipv4 | FieldType::Ipv6 | FieldType::Ether | FieldType::Bool => {
            word(ty, std::str::from_utf8(s).ok()?, &wirecrab_core::ValueNames::None)
        }
        t if t.is_integer() || matches!(t, FieldType::Double | FieldType::RelTime) => None,
        _ => Some(Lit::Bytes(s.to_vec())),
    }
}

/// `2026-11-21 10:00:00[.fff]` (UTC) or `Nov 21, 2026 10:00:00[.fff]`, as
/// nanoseconds since the epoch.
pub fn abs_time(s: &str) -> Option<i128> {
    let s = s.trim().trim_end_matches(" UTC");
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let (date, time) = s.split_once(' ').map(|(a, b)| (a.to_string(), b.trim().to_string()))?;
    let (y, m, d, time) = if let Some(mi) = MONTHS.iter().position(|m| date.eq_ignore_ascii_case(m)) {
        // "Nov 21, 2026 10:00:00"
        let mut it = time.split_whitespace();
        let day = it.next()?.trim_end_matches(',').parse::<u32>().ok()?;
        let year = it.next()?.parse::<i64>().ok()?;
        let t = it.next().unwrap_or("00:00:00").to_string();
        (year, mi as u32 + 1, day, t)
    } else {
        let mut p = date.split('-');
        (p.next()?.parse().ok()?, p.next()?.parse().ok()?, p.next()?.parse().ok()?, time)
    };
    let (hms, frac) = time.split_once('.').unwrap_or((&time, ""));
    let mut hp = hms.split(':');
    let (h, mi, sec): (i64, i64, i64) = (hp.next()?.parse().ok()?, hp.next().unwrap_or("0").parse().ok()?, hp.next().unwrap_or("0").parse().ok()?);
    let nanos: i128 = if frac.is_empty() { 0 } else { format!("{:0<9}", &frac[..frac.len().min(9)]).parse().ok()? };
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let days = days_from_civil(y, m, d);
    Some((days as i128 * 86_400 + (h * 3600 + mi * 60 + sec) as i128) * 1_000_000_000 + nanos)
}

/// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
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
        assert_eq!(abs_time("1970-01-02 00:00:01.5"), Some(86_401_500_000_000));
        assert_eq!(abs_time("Jan  2, 1970 00:00:01"), Some(86_401_000_000_000));
    }
}
