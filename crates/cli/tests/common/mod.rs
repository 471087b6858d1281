//! Helpers shared by the CLI tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// The captures corpus beside the project (`../shared/captures`), or
/// `$WIRECRAB_CAPTURES`. Tests that need it fail loudly when it is missing:
/// CI always has it.
pub fn captures() -> PathBuf {
    if let Ok(p) = std::env::var("WIRECRAB_CAPTURES") {
        return PathBuf::from(p);
    }
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/captures");
    assert!(p.is_dir(), "captures corpus not found at {} (set WIRECRAB_CAPTURES)", p.display());
    p
}

/// Run wirecrab with `args`, in the captures directory, TZ=UTC.
pub fn wirecrab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wirecrab"))
        .args(args)
        .current_dir(captures())
        .env("TZ", "UTC")
        .output()
        .expect("wirecrab runs")
}

/// Stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
