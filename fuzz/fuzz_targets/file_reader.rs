//! Any bytes as a capture file: the reader must return frames or an error,
//! never panic, and never allocate more than the record-size caps allow.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wirecrab_capture::FileReader;

fuzz_target!(|data: &[u8]| {
    let Ok(mut r) = FileReader::new(Box::new(std::io::Cursor::new(data.to_vec()))) else { return };
    for _ in 0..100_000 {
        match r.next_frame() {
            Ok(Some(f)) => {
                assert!(f.data.len() <= 16 << 20);
            }
            _ => break,
        }
    }
});
