//! Hashes that stand for what something was made from, to tell whether it changed: XXH3,
//! the same on every run and machine.

use std::hash::{Hash, Hasher};
pub use xxhash_rust::xxh3::Xxh3;

/// The hash of a value.
pub fn of<T: Hash + ?Sized>(value: &T) -> u64 {
    with(|h| value.hash(h))
}

/// The hash of what `fill` feeds a hasher.
pub fn with(fill: impl FnOnce(&mut Buffered)) -> u64 {
    let mut h = Buffered::default();
    fill(&mut h);
    h.digest()
}

/// The hash of some numbers under `seed` (itself a hash of what they have in common): for the
/// keys of the many pieces of a long list, which differ only in a few numbers.
pub fn words(seed: u64, words: [u64; 3]) -> u64 {
    let mut bytes = [0u8; 24];
    for (chunk, word) in bytes.chunks_exact_mut(8).zip(words) {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    xxhash_rust::xxh3::xxh3_64_with_seed(&bytes, seed)
}

/// XXH3 of the bytes fed to it, gathered first: most keys are a few numbers, and hashing them
/// in one call is several times faster than feeding a streaming hasher eight bytes at a time.
/// The result is the same as the streaming hasher's.
pub struct Buffered {
    bytes: [u8; 128],
    len: usize,
    /// Where the bytes go once they do not fit.
    stream: Option<Xxh3>,
}

impl Default for Buffered {
    fn default() -> Self {
        Buffered {
            bytes: [0; 128],
            len: 0,
            stream: None,
        }
    }
}

impl Buffered {
    /// The hash of everything fed.
    pub fn digest(mut self) -> u64 {
        match self.stream.take() {
            None => xxhash_rust::xxh3::xxh3_64(&self.bytes[..self.len]),
            Some(mut stream) => {
                stream.update(&self.bytes[..self.len]);
                stream.digest()
            }
        }
    }
}

impl Hasher for Buffered {
    fn write(&mut self, bytes: &[u8]) {
        if self.len + bytes.len() > self.bytes.len() {
            let stream = self.stream.get_or_insert_with(Xxh3::new);
            stream.update(&self.bytes[..self.len]);
            self.len = 0;
            if bytes.len() > self.bytes.len() {
                stream.update(bytes);
                return;
            }
        }
        self.bytes[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    fn finish(&self) -> u64 {
        match &self.stream {
            None => xxhash_rust::xxh3::xxh3_64(&self.bytes[..self.len]),
            Some(stream) => {
                let mut stream = stream.clone();
                stream.update(&self.bytes[..self.len]);
                stream.digest()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_as_streaming_xxh3_whatever_the_length() {
        for len in [0, 1, 7, 8, 127, 128, 129, 200, 256, 300, 1000, 5000] {
            let data: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            // Fed in pieces of several sizes, as `Hash` feeds a hasher.
            for piece in [1, 3, 8, 64, 129] {
                let mut buffered = Buffered::default();
                let mut stream = Xxh3::new();
                for chunk in data.chunks(piece) {
                    buffered.write(chunk);
                    stream.update(chunk);
                }
                assert_eq!(buffered.finish(), stream.digest(), "{len} bytes by {piece}");
                assert_eq!(buffered.digest(), stream.digest(), "{len} bytes by {piece}");
            }
        }
    }

    #[test]
    fn keys_of_words_tell_every_word_and_seed_apart() {
        let key = words(7, [1, 2, 3]);
        assert_eq!(key, words(7, [1, 2, 3]));
        for other in [
            words(8, [1, 2, 3]),
            words(7, [0, 2, 3]),
            words(7, [1, 3, 3]),
            words(7, [1, 2, 4]),
            words(7, [2, 1, 3]),
        ] {
            assert_ne!(key, other);
        }
    }
}
