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
    for (i, x) in a.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        write_u64(out, *x as u64);
    }
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
