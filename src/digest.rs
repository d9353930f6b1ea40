//! Hashes that stand for what something was made from, to tell whether it changed: XXH3,
//! the same on every run and machine.

use std::hash::{Hash, Hasher};
pub use xxhash_rust::xxh3::Xxh3;

/// The hash of a value.
pub fn of<T: Hash + ?Sized>(value: &T) -> u64 {
    with(|h| value.hash(h))
}

/// The hash of what `fill` feeds a hasher.
pub fn with(fill: impl FnOnce(&mut Xxh3)) -> u64 {
    let mut h = Xxh3::new();
    fill(&mut h);
    h.finish()
}
