//! Any bytes as a note cache file, as they are and behind a valid header and hash: reading it
//! and taking every note out of it never panic, and a note comes out under the path asked for.
//! Run with `cargo +nightly fuzz run note_cache`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use upward::note_cache::{Cache, sealed};

fuzz_target!(|data: &[u8]| {
    for bytes in [data.to_vec(), sealed(data)] {
        let cache = Cache::from_bytes(bytes);
        for (path, digest) in cache.keys() {
            let _ = cache.get(path, digest, false);
            if let Some((note, diagnostics)) = cache.get(path, digest, true) {
                assert_eq!(note.path, path);
                assert!(note.body.is_empty());
                assert!(diagnostics.iter().all(|d| d.path == path && d.line >= 1 && d.column >= 1));
            }
        }
    }
});
