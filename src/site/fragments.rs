//! Pieces of pages: a ledger row, a meeting in a list, an item of the wins or decisions.
//! `watch` keeps them between builds, so after an edit only the pieces whose inputs changed
//! are rendered again, and the ledger of 10,000 rows is put together rather than rendered.

use crate::error::Result;
use crate::template::Html;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex};

/// Keys are hashes already: they are used as they are.
#[derive(Debug, Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }

    fn write_usize(&mut self, n: usize) {
        self.0 = n as u64;
    }
}

/// A map keyed by hashes (or indexes).
type ByHash<V> = HashMap<u64, V, BuildHasherDefault<Prehashed>>;

/// A rendered piece and the attachments it embeds.
#[derive(Debug)]
pub struct Fragment {
    pub html: Html,
    pub uses: Vec<String>,
}

/// Rendered pieces by a hash of everything they are rendered from.
#[derive(Debug)]
pub struct Fragments<T = Fragment> {
    /// Whether pieces are kept: only across the builds of `watch`. Within one build a piece is
    /// shown once (each page is a different distance from the site root), so a single build
    /// keeps none and saves the memory.
    keep: bool,
    /// The pieces kept, each with the number of the last build that used it: one map updated
    /// in place, since a rebuild uses nearly all of them again.
    pieces: Mutex<ByHash<(Arc<T>, u32)>>,
    /// The number of this build.
    build: u32,
}

impl<T> Default for Fragments<T> {
    fn default() -> Self {
        Fragments {
            keep: false,
            pieces: Mutex::new(ByHash::default()),
            build: 0,
        }
    }
}

impl<T> Fragments<T> {
    /// Whether pieces are kept from one build to the next.
    pub fn is_kept(&self) -> bool {
        self.keep
    }

    /// Pieces kept from one build to the next.
    pub fn kept() -> Fragments<T> {
        Fragments {
            keep: true,
            ..Fragments::default()
        }
    }

    /// The piece with these inputs: the one already rendered, else rendered now.
    pub fn get(&self, key: u64, render: impl FnOnce() -> Result<T>) -> Result<Arc<T>> {
        if !self.keep {
            return Ok(Arc::new(render()?));
        }
        let lock = || self.pieces.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((found, used)) = lock().get_mut(&key) {
            *used = self.build;
            return Ok(Arc::clone(found));
        }
        let fragment = Arc::new(render()?);
        lock().insert(key, (Arc::clone(&fragment), self.build));
        Ok(fragment)
    }

    /// Ends a build: what it used is kept for the next one, the rest is dropped.
    pub fn finish(&mut self) {
        let build = self.build;
        self.pieces
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, (_, used)| *used == build);
        self.build = build.wrapping_add(1);
    }
}
