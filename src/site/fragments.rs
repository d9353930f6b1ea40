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
    /// Where the page's way to the site root (`../../`) goes in `html`, as byte offsets, for
    /// a piece rendered once for pages at every depth (see [`Rooted`]); empty for a piece
    /// rendered for one page.
    pub roots: Box<[usize]>,
    pub uses: Vec<String>,
}

impl Fragment {
    /// A piece rendered for one page.
    pub fn new(html: Html, uses: Vec<String>) -> Fragment {
        Fragment {
            html,
            roots: Box::default(),
            uses,
        }
    }

    /// The piece's HTML on a page `root` away from the site root.
    pub fn html_at(&self, root: &str) -> Html {
        if self.roots.is_empty() {
            return self.html.clone();
        }
        let text = self.html.as_str();
        let mut html = String::with_capacity(text.len() + self.roots.len() * root.len());
        let mut last = 0;
        for &at in self.roots.iter() {
            html.push_str(&text[last..at]);
            html.push_str(root);
            last = at;
        }
        html.push_str(&text[last..]);
        Html::exact(html)
    }

    /// The piece's HTML on a page `root` away from the site root, at the end of `page`.
    pub fn write_at(&self, root: &str, page: &mut Vec<u8>) {
        let html = self.html.as_str().as_bytes();
        let mut last = 0;
        for &at in self.roots.iter() {
            page.extend_from_slice(&html[last..at]);
            page.extend_from_slice(root.as_bytes());
            last = at;
        }
        page.extend_from_slice(&html[last..]);
    }
}

/// Renders pieces once for pages at every depth: the root is rendered as a marker, which is
/// then cut out and remembered as a place for the root. A note could hold the marker only by
/// guessing the 64-bit number drawn when the process starts (between control characters).
pub struct Rooted;

impl Rooted {
    /// What a template is given as `root` when it renders a piece for every depth.
    pub fn marker() -> &'static str {
        static MARKER: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        MARKER.get_or_init(|| {
            use std::hash::BuildHasher;
            let drawn = std::collections::hash_map::RandomState::new().hash_one(0u8);
            format!("\u{1}root-{drawn:016x}\u{1}")
        })
    }

    /// The piece rendered with [`Rooted::marker`] as its root, with the markers cut out.
    pub fn cut(mut rendered: String, uses: Vec<String>) -> Fragment {
        // Searched for with a searcher made once: each of the thousands of rows of a build
        // would otherwise make its own.
        static FINDER: std::sync::OnceLock<memchr::memmem::Finder<'static>> =
            std::sync::OnceLock::new();
        let marker = Rooted::marker();
        let finder = FINDER.get_or_init(|| memchr::memmem::Finder::new(marker));
        // Trimmed as [`Html::new`] trims, before the cuts: a marker is not space, so trimming
        // never cuts into one, and the places found stay inside the text.
        rendered.truncate(rendered.trim_end().len());
        let mut found = finder.find_iter(rendered.as_bytes()).peekable();
        if found.peek().is_none() {
            return Fragment::new(Html::exact(rendered), uses);
        }
        let mut html = String::with_capacity(rendered.len());
        let mut roots = Vec::new();
        let mut last = 0;
        for at in found {
            html.push_str(&rendered[last..at]);
            roots.push(html.len());
            last = at + marker.len();
        }
        html.push_str(&rendered[last..]);
        Fragment {
            html: Html::exact(html),
            roots: roots.into_boxed_slice(),
            uses,
        }
    }
}

/// How many builds a piece no build used is kept for.
const KEPT_FOR: u32 = 100;

/// How often pieces are swept.
const SWEPT_EVERY: u32 = 16;

/// The pieces of a list in order, with their keys (`None` once taken).
type Pieces<T> = Vec<Option<(u64, Arc<T>)>>;

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
    /// The pieces of each long list, in the order the last build listed them (see [`Run`]).
    runs: Mutex<HashMap<&'static str, Pieces<T>>>,
}

impl<T> Default for Fragments<T> {
    fn default() -> Self {
        Fragments {
            keep: false,
            pieces: Mutex::new(ByHash::default()),
            build: 0,
            runs: Mutex::new(HashMap::new()),
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
        self.get_shared(key, render)
    }

    /// A piece several pages of one build show (a ledger row is on the ledger, a status page
    /// and a person's page): like [`Fragments::get`], but kept for the rest of a single build
    /// too, so that it is rendered once.
    pub fn get_shared(&self, key: u64, render: impl FnOnce() -> Result<T>) -> Result<Arc<T>> {
        let lock = || self.pieces.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((found, used)) = lock().get_mut(&key) {
            *used = self.build;
            return Ok(Arc::clone(found));
        }
        let fragment = Arc::new(render()?);
        lock().insert(key, (Arc::clone(&fragment), self.build));
        Ok(fragment)
    }

    /// The pieces of the long list `name` (a page's groups, an array of data.json), to be
    /// asked for in order: see [`Run`].
    pub fn run(&self, name: &'static str) -> Run<'_, T> {
        let last = if self.keep {
            self.runs
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(name)
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        Run {
            fragments: self,
            name,
            next: Vec::with_capacity(last.len()),
            last,
            by_key: None,
            missed: false,
            shift: 0,
        }
    }

    /// Ends a build. A piece is kept while one of the last [`KEPT_FOR`] builds used it: most
    /// rebuilds render a few pages, and the rows of a ledger not shown again for a while are
    /// still there when it is. Pieces are swept every [`SWEPT_EVERY`] builds (going through
    /// all of them takes about a millisecond), so an unused one may stay that much longer.
    pub fn finish(&mut self) {
        let build = self.build;
        if build % SWEPT_EVERY == 0 {
            self.pieces
                .get_mut()
                .unwrap_or_else(|e| e.into_inner())
                .retain(|_, (_, used)| build.wrapping_sub(*used) < KEPT_FOR);
        }
        self.build = build.wrapping_add(1);
    }
}

/// The pieces of one long list, asked for in order. After an edit nearly every piece is the
/// one the last build had at the same place, with the same key: it is taken from there,
/// without a lookup in a large map or a shared count to update. A piece that moved is found by
/// its key; a new one is rendered. Each list keeps only the pieces its last build used.
pub struct Run<'f, T> {
    fragments: &'f Fragments<T>,
    name: &'static str,
    /// The last build's pieces of this list, taken as they are used.
    last: Pieces<T>,
    /// This build's pieces (in a single build, only the latest).
    next: Pieces<T>,
    /// Where each key of `last` is, made when pieces are not found in their place.
    by_key: Option<ByHash<usize>>,
    /// Whether the last piece asked for was not in its place.
    missed: bool,
    /// How far the last piece found was from its place: pieces after one added or dropped
    /// are all that far from theirs.
    shift: isize,
}

impl<T> Run<'_, T> {
    /// The next piece of the list, with these inputs: the last build's, else rendered now.
    pub fn next(&mut self, key: u64, render: impl FnOnce() -> Result<T>) -> Result<&T> {
        self.place(key, || Ok(Arc::new(render()?)))
            .map(|piece| &**piece)
    }

    /// [`Run::next`] for a piece others hold too (one [`Fragments::get_shared`] gives).
    pub fn next_shared(
        &mut self,
        key: u64,
        render: impl FnOnce() -> Result<Arc<T>>,
    ) -> Result<Arc<T>> {
        self.place(key, render).map(Arc::clone)
    }

    fn place(&mut self, key: u64, render: impl FnOnce() -> Result<Arc<T>>) -> Result<&Arc<T>> {
        if !self.fragments.keep {
            self.next.clear();
            self.next.push(Some((key, render()?)));
        } else {
            let at = self.next.len();
            let guess = at.wrapping_add_signed(self.shift);
            let place = match self.last.get(guess) {
                Some(Some((k, _))) if *k == key => {
                    self.missed = false;
                    Some(guess)
                }
                // One piece not in its place is most often one that changed: the others are
                // looked up by key only from the second in a row (pieces that moved).
                _ if !self.missed && self.by_key.is_none() => {
                    self.missed = true;
                    None
                }
                _ => {
                    let last = &self.last;
                    let by_key = self.by_key.get_or_insert_with(|| {
                        last.iter()
                            .enumerate()
                            .filter_map(|(i, piece)| piece.as_ref().map(|(k, _)| (*k, i)))
                            .collect()
                    });
                    let found = by_key.get(&key).copied();
                    if let Some(i) = found {
                        self.shift = i as isize - at as isize;
                    }
                    found
                }
            };
            let piece = match place.and_then(|i| self.last[i].take()) {
                Some((_, piece)) => piece,
                None => render()?,
            };
            self.next.push(Some((key, piece)));
        }
        match self.next.last() {
            Some(Some((_, piece))) => Ok(piece),
            _ => unreachable!("a piece was just added"),
        }
    }
}

impl<T> Drop for Run<'_, T> {
    /// Keeps this build's pieces for the next one (in `watch`).
    fn drop(&mut self) {
        if self.fragments.keep {
            let next = std::mem::take(&mut self.next);
            self.fragments
                .runs
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(self.name, next);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_uses_the_last_builds_pieces_in_place_or_moved_and_renders_the_rest() {
        let mut fragments: Fragments<String> = Fragments::kept();
        let rendered = std::cell::Cell::new(0);
        let list = |keys: &[u64]| -> Vec<String> {
            let mut run = fragments.run("list");
            keys.iter()
                .map(|&k| {
                    run.next(k, || {
                        rendered.set(rendered.get() + 1);
                        Ok(format!("piece {k}"))
                    })
                    .unwrap()
                    .clone()
                })
                .collect()
        };
        assert_eq!(list(&[1, 2, 3]), ["piece 1", "piece 2", "piece 3"]);
        assert_eq!(rendered.get(), 3);
        // The same list: nothing rendered.
        assert_eq!(list(&[1, 2, 3]), ["piece 1", "piece 2", "piece 3"]);
        assert_eq!(rendered.get(), 3);
        // One piece new at the front: the others are found where they moved.
        assert_eq!(
            list(&[0, 1, 2, 3]),
            ["piece 0", "piece 1", "piece 2", "piece 3"]
        );
        assert_eq!(rendered.get(), 4);
        // One changed in place: only it is rendered.
        assert_eq!(
            list(&[0, 1, 7, 3]),
            ["piece 0", "piece 1", "piece 7", "piece 3"]
        );
        assert_eq!(rendered.get(), 5);
        // One dropped and one changed: the changed one, and the one just after the gap (taken
        // for a changed one, as a single piece out of place most often is), are rendered.
        assert_eq!(list(&[0, 7, 9]), ["piece 0", "piece 7", "piece 9"]);
        assert_eq!(rendered.get(), 7);
        // A key seen two builds ago but not in the last is rendered again.
        assert_eq!(list(&[3]), ["piece 3"]);
        assert_eq!(rendered.get(), 8);
        // A long list, then one piece added in its middle and later two dropped: the pieces
        // after them are found shifted, and only the new one is rendered.
        let long: Vec<u64> = (10..40).collect();
        list(&long);
        assert_eq!(rendered.get(), 38);
        let pieces =
            |keys: &[u64]| -> Vec<String> { keys.iter().map(|k| format!("piece {k}")).collect() };
        let mut added = long.clone();
        added.insert(15, 99);
        assert_eq!(list(&added), pieces(&added));
        assert_eq!(rendered.get(), 39);
        let mut dropped = added.clone();
        dropped.drain(5..7);
        assert_eq!(list(&dropped), pieces(&dropped));
        // The first piece after the gap is taken for a changed one.
        assert_eq!(rendered.get(), 40);
        fragments.finish();
    }

    #[test]
    fn a_single_build_keeps_no_pieces() {
        let fragments: Fragments<String> = Fragments::default();
        for _ in 0..2 {
            let mut run = fragments.run("list");
            assert_eq!(run.next(1, || Ok("one".into())).unwrap(), "one");
        }
        assert!(fragments.runs.lock().unwrap().is_empty());
    }

    #[test]
    fn a_shared_piece_is_rendered_once_in_a_single_build() {
        let fragments: Fragments<String> = Fragments::default();
        let rendered = std::cell::Cell::new(0);
        for _ in 0..3 {
            let piece = fragments.get_shared(7, || {
                rendered.set(rendered.get() + 1);
                Ok("row".into())
            });
            assert_eq!(piece.unwrap().as_str(), "row");
        }
        assert_eq!(rendered.get(), 1);
    }

    #[test]
    fn a_piece_rendered_for_every_depth_gets_each_pages_root() {
        let marker = Rooted::marker();
        let piece = Rooted::cut(
            format!("<a href=\"{marker}requests/é/\">é</a> <img src=\"{marker}a.png\">\n\n"),
            Vec::new(),
        );
        assert!(!piece.html.as_str().contains('\u{1}'));
        for root in ["", "../", "../../../"] {
            let expected = format!("<a href=\"{root}requests/é/\">é</a> <img src=\"{root}a.png\">");
            assert_eq!(piece.html_at(root).as_str(), expected);
            let mut page = b"<tr>".to_vec();
            piece.write_at(root, &mut page);
            assert_eq!(page, [b"<tr>", expected.as_bytes()].concat());
        }
        // Without a marker: as it was rendered.
        let plain = Rooted::cut("<td>x</td>\n".into(), Vec::new());
        assert!(plain.roots.is_empty());
        assert_eq!(plain.html_at("../").as_str(), "<td>x</td>");
    }
}
