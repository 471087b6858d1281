//! `-x`: hex and ASCII dump of the frame bytes, as tshark prints it.

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Append the dump of `data` followed by an empty line.
pub fn write_hex_dump(out: &mut String, data: &[u8]) {
    for (row, chunk) in data.chunks(16).enumerate() {
        let off = row * 16;
        let w = if data.len() > 0xffff { 8 } else { 4 };
        out.push_str(&format!("{off:0w$x}  "));
        for i in 0..16 {
            match chunk.get(i) {
                Some(b) => {
                    out.push(HEX[(b >> 4) as usize] as char);
                    out.push(HEX[(b & 15) as usize] as char);
                    out.push(' ');
                }
                None => out.push_str("   "),
            }
        }
        out.push_str("  ");
        for b in chunk {
            out.push(if (0x20..0x7f).contains(b) { *b as char } else { '.' });
        }
        out.push('\n');
    }
    out.push('\n');
}
