//! Fast text writers for addresses and numbers, shared by dissectors and sinks.

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Append `aa:bb:cc:dd:ee:ff`.
pub fn write_mac(out: &mut String, m: &[u8; 6]) {
    let mut b = [0u8; 17];
    for (i, x) in m.iter().enumerate() {
        b[i * 3] = HEX[(x >> 4) as usize];
        b[i * 3 + 1] = HEX[(x & 15) as usize];
        if i < 5 {
            b[i * 3 + 2] = b':';
        }
    }
    // Only ASCII hex digits and ':' were written above.
    out.extend(b.iter().map(|&c| c as char));
}

/// Append a decimal number without going through `fmt`.
pub fn write_u64(out: &mut String, v: u64) {
    out.push_str(itoa::Buffer::new().format(v));
}

/// Append dotted-quad IPv4.
pub fn write_v4(out: &mut String, a: &[u8; 4]) {
    // Built in place: two per summary line.
    let mut buf = [0u8; 15];
    let mut n = 0;
    for (i, &x) in a.iter().enumerate() {
        if i > 0 {
            buf[n] = b'.';
            n += 1;
        }
        if x >= 100 {
            buf[n] = b'0' + x / 100;
            n += 1;
        }
        if x >= 10 {
            buf[n] = b'0' + x / 10 % 10;
            n += 1;
        }
        buf[n] = b'0' + x % 10;
        n += 1;
    }
    out.push_str(std::str::from_utf8(&buf[..n]).unwrap_or_default());
}

/// Append `0x` and `v` in lower-case hex, zero-padded to `width` digits.
pub fn write_hex(out: &mut String, v: u64, width: usize) {
    out.push_str("0x");
    let digits = (64 - v.leading_zeros() as usize).div_ceil(4).max(1);
    for _ in digits..width {
        out.push('0');
    }
    for i in (0..digits).rev() {
        out.push(HEX[((v >> (i * 4)) & 15) as usize] as char);
    }
}

/// Append bytes as lower-case hex without separators.
pub fn write_hex_bytes(out: &mut String, b: &[u8], sep: Option<char>) {
    for (i, x) in b.iter().enumerate() {
        if i > 0 {
            if let Some(s) = sep {
                out.push(s);
            }
        }
        out.push(HEX[(x >> 4) as usize] as char);
        out.push(HEX[(x & 15) as usize] as char);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_as_std_writes_it() {
        for x in 0..=255u8 {
            for a in [[x, 0, 0, 0], [1, x, 2, 3], [255, 255, x, 9], [10, 99, 100, x]] {
                let mut s = String::new();
                write_v4(&mut s, &a);
                assert_eq!(s, std::net::Ipv4Addr::from(a).to_string());
            }
        }
    }

    #[test]
    fn writers() {
        let mut s = String::new();
        write_mac(&mut s, &[0, 0x1b, 0x21, 0xff, 1, 2]);
        s.push(' ');
        write_v4(&mut s, &[10, 0, 1, 23]);
        s.push(' ');
        write_hex(&mut s, 0x18, 4);
        s.push(' ');
        write_hex(&mut s, 0, 2);
        s.push(' ');
        write_u64(&mut s, 18446744073709551615);
        assert_eq!(s, "00:1b:21:ff:01:02 10.0.1.23 0x0018 0x00 18446744073709551615");
    }
}
