//! Any bytes as a note: reading and parsing never panic, and every diagnostic and every link
//! is located inside the text. Run with `cargo +nightly fuzz run note` (or
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run note` on a stable toolchain).
#![no_main]

use libfuzzer_sys::fuzz_target;
use upward::config::Config;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut diagnostics = Vec::new();
    let note = upward::note::parse("1-1s/2026-11-20 Dana.md", text, &Config::default(), &mut diagnostics);
    let lines = text.lines().count() + 1;
    let widths: Vec<usize> = text.split('\n').map(|l| l.chars().count()).collect();
    for d in &diagnostics {
        assert!(d.line >= 1 && d.line <= lines + 1, "{d}");
        // The column is within the line an editor shows, or just past its end.
        let width = widths.get(d.line - 1).copied().unwrap_or(0);
        assert!(d.column >= 1 && d.column <= width + 1, "{d}");
    }
    for item in &note.items {
        assert!(item.line <= lines + 1);
    }
    // The links `check` holds against the vault, in the properties too, are inside the text.
    let links = upward::note::Links::read(&note, &note.body, text);
    for link in &links.links {
        assert!(link.line >= 1 && link.line <= lines + 1, "{link:?}");
        let width = widths.get(link.line - 1).copied().unwrap_or(0);
        assert!(link.column >= 1 && link.column <= width + 1, "{link:?}");
    }
});
