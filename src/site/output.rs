//! The output folder: only files upward wrote are ever replaced or removed, unchanged files
//! are not rewritten, and a folder that holds anything else is refused.

use crate::error::{Error, Result};
use rayon::slice::ParallelSliceMut;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The file, inside the output folder, listing every file upward wrote with its hash.
pub const MANIFEST: &str = ".upward-manifest";

/// What a build did to the output folder.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// Files and what the manifest records of each, sorted by path.
type Files = Vec<(String, Entry)>;

/// Where the file at `rel` is in `files` (`Ok`), or would go (`Err`).
fn position(files: &Files, rel: &str) -> std::result::Result<usize, usize> {
    files.binary_search_by(|(r, _)| r.as_str().cmp(rel))
}

/// Where the file at `rel` is in `files`, if it is there.
fn place(files: &Files, rel: &str) -> Option<usize> {
    position(files, rel).ok()
}

/// An output folder being written.
#[derive(Debug)]
pub struct Output {
    root: PathBuf,
    /// The manifest of the last build.
    previous: Files,
    /// For each file of `previous`: whether this build kept it as it was.
    seen: Vec<AtomicBool>,
    /// Whether `previous` is what this process wrote last (then the files need no checking).
    trusted: bool,
    /// What this build wrote, in no order (sorted once, at the end).
    fresh: Mutex<Files>,
    /// What the pages written by this build were rendered from, by path, in no order (sorted
    /// once, at the end).
    inputs: Mutex<Vec<(String, u64, Vec<String>)>>,
    /// The folders this build made or found, relative to the root.
    folders: Mutex<std::collections::HashSet<Box<str>>>,
    written: AtomicUsize,
    unchanged: AtomicUsize,
}

/// A file's hash and length, written `hash-length` in the manifest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Digest {
    hash: u64,
    len: u64,
}

impl Digest {
    fn parse(text: &str) -> Option<Digest> {
        let (hash, len) = text.split_once('-')?;
        Some(Digest {
            hash: u64::from_str_radix(hash, 16).ok()?,
            len: len.parse().ok()?,
        })
    }
}

fn digest(hash: u64, len: u64) -> Digest {
    Digest { hash, len }
}

fn absolute(path: &Path) -> Result<PathBuf> {
    let path = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| Error::io(path, e))?
            .join(path)
    };
    // Canonicalise the longest part that exists, so `..` and symbolic links are seen through.
    let mut existing = path.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut resolved = existing
        .canonicalize()
        .map_err(|e| Error::io(&existing, e))?;
    for name in rest.into_iter().rev() {
        resolved.push(name);
    }
    Ok(resolved)
}

/// Files added and dropped by a build, beyond which its manifest is made again in one walk
/// rather than changed in place.
const FEW: usize = 64;

/// What the manifest of the last build held, kept in memory between the builds of `watch`.
#[derive(Debug, Default)]
pub struct Memory(Option<Files>);

/// A number in decimal, without the formatting machinery.
fn decimal(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// A number in 16 hex digits, by hand: formatting 40,000 numbers is a good part of the time
/// of writing the manifest.
fn hex(out: &mut Vec<u8>, n: u64) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut digits = [0u8; 16];
    for (i, digit) in digits.iter_mut().enumerate() {
        *digit = DIGITS[((n >> ((15 - i) * 4)) & 15) as usize];
    }
    out.extend_from_slice(&digits);
}

/// Writes the manifest of a build.
fn save(root: &Path, current: &Files) -> Result<()> {
    use rayon::prelude::*;
    // Formatted in pieces side by side: most of the time goes to reading each entry's path.
    let pieces: Vec<Vec<u8>> = current
        .par_chunks(2048)
        .map(|entries| {
            let mut manifest = Vec::with_capacity(entries.len() * 96);
            for (rel, entry) in entries {
                hex(&mut manifest, entry.digest.hash);
                manifest.push(b'-');
                decimal(&mut manifest, entry.digest.len);
                manifest.push(b'\t');
                match entry.inputs {
                    Some(inputs) => hex(&mut manifest, inputs),
                    None => manifest.push(b'-'),
                }
                manifest.push(b'\t');
                manifest.extend_from_slice(rel.as_bytes());
                for used in &entry.uses {
                    manifest.push(b'\t');
                    manifest.extend_from_slice(used.as_bytes());
                }
                manifest.push(b'\n');
            }
            manifest
        })
        .collect();
    // Written whole or not at all: a build stopped halfway leaves the last manifest.
    let path = root.join(MANIFEST);
    let mut temp = crate::write::beside(root)?;
    for piece in &pieces {
        std::io::Write::write_all(&mut temp, piece).map_err(|e| Error::io(&path, e))?;
    }
    crate::write::swap_into_place(temp, &path).map_err(|e| Error::io(&path, e))
}

/// What the manifest records of one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Entry {
    /// The hash and length of its bytes.
    digest: Digest,
    /// For a page: a hash of everything it was rendered from, so an unchanged page need not be
    /// rendered again.
    inputs: Option<u64>,
    /// The attachments the page embeds.
    uses: Vec<String>,
}

/// Reads `digest \t inputs \t path [\t attachment…]` lines (`-` for no inputs).
fn read_manifest(root: &Path) -> Files {
    let mut files: Files = std::fs::read_to_string(root.join(MANIFEST))
        .unwrap_or_default()
        .lines()
        .filter_map(|line| {
            let mut fields = line.split('\t');
            let digest = Digest::parse(fields.next()?)?;
            let inputs = u64::from_str_radix(fields.next()?, 16).ok();
            let path = fields.next()?.to_owned();
            let uses = fields.map(str::to_owned).collect();
            Some((
                path,
                Entry {
                    digest,
                    inputs,
                    uses,
                },
            ))
        })
        .collect();
    // Written sorted; a manifest edited by hand is taken as it is.
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files.dedup_by(|a, b| a.0 == b.0);
    files
}

impl Output {
    /// Opens `out` for a build of the vault at `vault`. Refuses the vault itself, a folder that
    /// contains the vault, and, unless `force`, a folder holding files upward did not write.
    pub fn open(out: &Path, vault: &Path, force: bool) -> Result<Output> {
        Output::open_remembering(out, vault, force, &mut Memory::default())
    }

    /// Opens `out` like [`Output::open`], with the manifest this process wrote last, if any:
    /// then the files it lists are taken to be as it wrote them, without reading the folder.
    pub fn open_remembering(
        out: &Path,
        vault: &Path,
        force: bool,
        memory: &mut Memory,
    ) -> Result<Output> {
        let out_abs = absolute(out)?;
        let vault_abs = absolute(vault)?;
        if out_abs == vault_abs {
            return Err(Error::Invalid(format!(
                "{}: the output folder cannot be the vault itself",
                out.display()
            )));
        }
        if vault_abs.starts_with(&out_abs) {
            return Err(Error::Invalid(format!(
                "{}: the output folder contains the vault; building there could delete notes",
                out.display()
            )));
        }
        if out_abs.exists() && !out_abs.is_dir() {
            return Err(Error::Invalid(format!(
                "{}: the output path is a file, not a folder",
                out.display()
            )));
        }
        // What this process wrote last is trusted while its manifest is there: a folder
        // deleted meanwhile is written again whole.
        let remembered = memory.0.take().filter(|_| out_abs.join(MANIFEST).is_file());
        let trusted = remembered.is_some();
        let previous = remembered.unwrap_or_else(|| read_manifest(&out_abs));
        // A folder with a manifest is one upward built: files added to it since are left
        // alone (only what the manifest lists is ever removed), so only a folder without one
        // needs looking through.
        let ours = out_abs.join(MANIFEST).is_file();
        if !force && !ours && out_abs.is_dir() {
            let foreign = foreign_files(&out_abs, &previous);
            if !foreign.is_empty() {
                let shown: Vec<_> = foreign.iter().take(5).map(String::as_str).collect();
                return Err(Error::Invalid(format!(
                    "{}: the output folder holds {} file{} upward did not write ({}{}); \
                     choose another folder, or pass --force to build beside them \
                     (they are never deleted)",
                    out.display(),
                    foreign.len(),
                    if foreign.len() == 1 { "" } else { "s" },
                    shown.join(", "),
                    if foreign.len() > shown.len() {
                        ", …"
                    } else {
                        ""
                    }
                )));
            }
        }
        std::fs::create_dir_all(&out_abs).map_err(|e| Error::io(&out_abs, e))?;
        Ok(Output {
            root: out_abs,
            seen: previous.iter().map(|_| AtomicBool::new(false)).collect(),
            previous,
            trusted,
            fresh: Mutex::new(Vec::new()),
            inputs: Mutex::new(Vec::new()),
            folders: Mutex::new(std::collections::HashSet::new()),
            written: AtomicUsize::new(0),
            unchanged: AtomicUsize::new(0),
        })
    }

    /// The output folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Writes one file (path relative to the output, `/` separators) unless it already holds
    /// these bytes.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        // XXH3: the same bytes give the same hash on every run and machine, at memory speed.
        let len = bytes.len();
        let digest = digest(xxhash_rust::xxh3::xxh3_64(bytes), len as u64);
        let path = self.root.join(rel);
        let previous = self.previous(rel);
        let same = previous.is_some_and(|(_, e)| e.digest == digest)
            && (self.trusted || std::fs::metadata(&path).is_ok_and(|m| m.len() == len as u64));
        if same {
            self.unchanged.fetch_add(1, Ordering::Relaxed);
        } else {
            if let Some((folder, _)) = rel.rsplit_once('/') {
                let known = self.lock_folders().contains(folder);
                if !known {
                    let parent = self.root.join(folder);
                    std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
                    self.lock_folders().insert(folder.into());
                }
            }
            // A file of the last build is written over its old bytes and cut to length, not
            // truncated first: the system keeps the file's pages instead of freeing and
            // allocating them again, which is most of the time of writing a large page that
            // changed. Any other file is created, or emptied, as it is opened.
            let again = previous.is_some();
            let write = || -> std::io::Result<()> {
                let mut file = std::fs::OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(!again)
                    .open(&path)?;
                std::io::Write::write_all(&mut file, bytes)?;
                if again {
                    file.set_len(len as u64)?;
                }
                Ok(())
            };
            write().map_err(|e| Error::io(&path, e))?;
            self.written.fetch_add(1, Ordering::Relaxed);
        }
        self.record(rel, digest);
        Ok(())
    }

    /// Writes one file that `fill` puts together, like [`Output::write`]. It is put together in
    /// a buffer each thread keeps, which has grown to the largest file the thread made: the
    /// system writes one block of bytes much faster than thousands of small ones, and memory
    /// it has touched before costs no allocation and no page faults.
    pub fn write_assembled(
        &self,
        rel: &str,
        fill: impl FnOnce(&mut Vec<u8>) -> Result<()>,
    ) -> Result<()> {
        thread_local! {
            static ASSEMBLED: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        let assemble = |buffer: &mut Vec<u8>| -> Result<()> {
            buffer.clear();
            fill(buffer)?;
            self.write(rel, buffer)
        };
        ASSEMBLED.with(|buffer| match buffer.try_borrow_mut() {
            Ok(mut buffer) => assemble(&mut buffer),
            // Only if a file were put together while this thread puts together another.
            Err(_) => assemble(&mut Vec::new()),
        })
    }

    /// Writes one file from a writer, without holding all of it in memory: it streams into a
    /// file beside the target while hashed, and replaces the target only if it changed.
    pub fn write_stream(
        &self,
        rel: &str,
        fill: impl FnOnce(&mut dyn std::io::Write) -> Result<()>,
    ) -> Result<()> {
        struct Hashing<W> {
            inner: W,
            hasher: xxhash_rust::xxh3::Xxh3,
            len: u64,
        }
        impl<W: std::io::Write> std::io::Write for Hashing<W> {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                let n = self.inner.write(buf)?;
                self.hasher.update(&buf[..n]);
                self.len += n as u64;
                Ok(n)
            }
            fn flush(&mut self) -> std::io::Result<()> {
                self.inner.flush()
            }
        }
        let path = self.root.join(rel);
        let parent = path.parent().unwrap_or(&self.root).to_path_buf();
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        let temp = crate::write::beside(&parent)?;
        let mut writer = Hashing {
            inner: std::io::BufWriter::with_capacity(1 << 16, temp.as_file()),
            hasher: xxhash_rust::xxh3::Xxh3::new(),
            len: 0,
        };
        fill(&mut writer)?;
        std::io::Write::flush(&mut writer).map_err(|e| Error::io(&path, e))?;
        let digest = digest(writer.hasher.digest(), writer.len);
        drop(writer);
        let same = self.previous(rel).is_some_and(|(_, e)| e.digest == digest)
            && std::fs::metadata(&path)
                .is_ok_and(|m| m.len() == temp.as_file().metadata().map_or(u64::MAX, |t| t.len()));
        if same {
            self.unchanged.fetch_add(1, Ordering::Relaxed);
        } else {
            temp.persist(&path).map_err(|e| Error::io(&path, e.error))?;
            self.written.fetch_add(1, Ordering::Relaxed);
        }
        self.record(rel, digest);
        Ok(())
    }

    /// The file at `rel` in the last build's manifest: its place there, and its entry.
    fn previous(&self, rel: &str) -> Option<(usize, &Entry)> {
        let i = place(&self.previous, rel)?;
        Some((i, &self.previous[i].1))
    }

    /// The length the file at `rel` had in the last build (0 if none).
    pub fn previous_len(&self, rel: &str) -> usize {
        self.previous(rel).map_or(0, |(_, e)| e.digest.len as usize)
    }

    /// Whether the page at `rel` was rendered from these same inputs by the last build and is
    /// still there: then it is kept as it is, with the attachments it uses, and not rendered.
    pub fn unchanged_page(&self, rel: &str, inputs: u64) -> Option<&[String]> {
        self.unchanged_pages(&[(rel, inputs)]).pop().flatten()
    }

    /// [`Output::unchanged_page`] for many pages at once, given in the order of their paths
    /// (as the site lists them): they are matched with the manifest (sorted too) in one walk.
    pub fn unchanged_pages<P: AsRef<str> + Sync>(
        &self,
        pages: &[(P, u64)],
    ) -> Vec<Option<&[String]>> {
        use rayon::prelude::*;
        debug_assert!(
            pages.windows(2).all(|w| w[0].0.as_ref() < w[1].0.as_ref()),
            "pages are given in the order of their paths"
        );
        let mut at = 0;
        let places: Vec<Option<usize>> = pages
            .iter()
            .map(|(rel, _)| {
                let rel = rel.as_ref();
                while at < self.previous.len() && self.previous[at].0.as_str() < rel {
                    at += 1;
                }
                (at < self.previous.len() && self.previous[at].0 == rel).then_some(at)
            })
            .collect();
        let kept: Vec<Option<&[String]>> = pages
            .par_iter()
            .zip(places)
            .map(|((rel, inputs), place)| {
                let i = place?;
                let entry = &self.previous[i].1;
                let there = || {
                    std::fs::metadata(self.root.join(rel.as_ref()))
                        .is_ok_and(|m| m.len() == entry.digest.len)
                };
                if entry.inputs == Some(*inputs) && (self.trusted || there()) {
                    self.seen[i].store(true, Ordering::Relaxed);
                    Some(entry.uses.as_slice())
                } else {
                    None
                }
            })
            .collect();
        let count = kept.iter().filter(|k| k.is_some()).count();
        self.unchanged.fetch_add(count, Ordering::Relaxed);
        kept
    }

    /// Records what the page at `rel`, just written, was rendered from.
    pub fn remember_inputs(&self, rel: &str, inputs: u64, uses: &BTreeSet<String>) {
        self.inputs.lock().unwrap_or_else(|e| e.into_inner()).push((
            rel.to_owned(),
            inputs,
            uses.iter().cloned().collect(),
        ));
    }

    /// Lists a file in this build's manifest.
    fn record(&self, rel: &str, digest: Digest) {
        let entry = Entry {
            digest,
            inputs: None,
            uses: Vec::new(),
        };
        self.fresh
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((rel.to_owned(), entry));
    }

    fn lock_folders(&self) -> std::sync::MutexGuard<'_, std::collections::HashSet<Box<str>>> {
        self.folders.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Removes what an earlier build wrote and this one did not, then records what this build
    /// wrote.
    pub fn finish(self) -> Result<Report> {
        self.finish_remembering(&mut Memory::default())
    }

    /// Finishes like [`Output::finish`], keeping the manifest in `memory` for the next build.
    pub fn finish_remembering(self, memory: &mut Memory) -> Result<Report> {
        let mut fresh = self.fresh.into_inner().unwrap_or_else(|e| e.into_inner());
        fresh.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
        fresh.dedup_by(|a, b| a.0 == b.0);
        // Sorted as `fresh` is, and matched to it in one walk. The sort is stable: a page
        // remembered twice keeps what it was last rendered from.
        let mut inputs = self.inputs.into_inner().unwrap_or_else(|e| e.into_inner());
        inputs.par_sort_by(|a, b| a.0.cmp(&b.0));
        let mut next = 0;
        for (rel, hash, uses) in inputs {
            while fresh.get(next).is_some_and(|(r, _)| *r < rel) {
                next += 1;
            }
            if let Some((_, entry)) = fresh.get_mut(next).filter(|(r, _)| *r == rel) {
                entry.inputs = Some(hash);
                entry.uses = uses;
            }
        }
        let seen: Vec<bool> = self.seen.into_iter().map(AtomicBool::into_inner).collect();
        let (files, stale, mut changed) = merge(self.previous, &seen, fresh);
        let mut removed = 0;
        for rel in &stale {
            let path = self.root.join(rel);
            match std::fs::remove_file(&path) {
                Ok(()) => removed += 1,
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(error) => return Err(Error::io(&path, error)),
            }
            // Remove folders left empty, up to the output root; a folder holding anything
            // else stays.
            let mut folder = path.parent();
            while let Some(dir) = folder.filter(|d| *d != self.root && d.starts_with(&self.root)) {
                if std::fs::remove_dir(dir).is_err() {
                    break;
                }
                folder = dir.parent();
            }
        }
        changed |= !stale.is_empty();
        // Written before the build is reported: a watch stopped right after still leaves the
        // manifest of what is on disk.
        if changed || !self.root.join(MANIFEST).is_file() {
            save(&self.root, &files)?;
        }
        memory.0 = Some(files);
        Ok(Report {
            written: self.written.into_inner(),
            unchanged: self.unchanged.into_inner(),
            removed,
        })
    }
}

/// The manifest of a build: the files of the last one it kept as they were (`seen`), and
/// those it wrote (`fresh`, sorted); with the files it no longer writes, and whether anything
/// changed.
fn merge(previous: Files, seen: &[bool], fresh: Files) -> (Files, Vec<String>, bool) {
    // Most often (a rebuild of `watch`) nearly every file is one of the last build's: those
    // written again take their new entries in place, and the few added or dropped are inserted
    // or removed.
    let (places, covered) = cover(&previous, seen, &fresh);
    let added = places.iter().filter(|p| p.is_err()).count();
    let dropped = covered.iter().filter(|&&c| !c).count();
    if added + dropped <= FEW {
        merge_in_place(previous, &covered, fresh, &places)
    } else {
        merge_walk(previous, seen, fresh)
    }
}

/// Where each file `fresh` holds is (or would go) among the last build's files, and which of
/// those this build kept (`seen`) or wrote again.
fn cover(
    previous: &Files,
    seen: &[bool],
    fresh: &Files,
) -> (Vec<std::result::Result<usize, usize>>, Vec<bool>) {
    let places: Vec<std::result::Result<usize, usize>> = fresh
        .iter()
        .map(|(rel, _)| position(previous, rel))
        .collect();
    let mut covered = seen.to_vec();
    for &i in places.iter().flatten() {
        covered[i] = true;
    }
    (places, covered)
}

/// [`merge`] of a few files added or dropped, with what [`cover`] says of them.
fn merge_in_place(
    mut previous: Files,
    covered: &[bool],
    fresh: Files,
    places: &[std::result::Result<usize, usize>],
) -> (Files, Vec<String>, bool) {
    let mut changed = false;
    let mut additions = Vec::new();
    for (file, &place) in fresh.into_iter().zip(places) {
        match place {
            Ok(i) if previous[i].1 != file.1 => {
                changed = true;
                previous[i].1 = file.1;
            }
            Ok(_) => {}
            Err(_) => additions.push(file),
        }
    }
    let mut stale = Vec::new();
    if covered.contains(&false) {
        let mut kept = covered.iter();
        previous.retain_mut(|(rel, _)| {
            let keep = kept.next().is_some_and(|&c| c);
            if !keep {
                stale.push(std::mem::take(rel));
            }
            keep
        });
    }
    changed |= !additions.is_empty() || !stale.is_empty();
    for file in additions {
        let at = position(&previous, &file.0).unwrap_or_else(|at| at);
        previous.insert(at, file);
    }
    (previous, stale, changed)
}

/// [`merge`] of many files added or dropped.
fn merge_walk(previous: Files, seen: &[bool], fresh: Files) -> (Files, Vec<String>, bool) {
    // Both lists are sorted: one walk makes the new manifest from what this build kept and
    // wrote, and finds what it no longer writes.
    let mut files: Files = Vec::with_capacity(previous.len().max(fresh.len()));
    let mut stale = Vec::new();
    let mut changed = false;
    let mut fresh = fresh.into_iter().peekable();
    for ((rel, entry), &seen) in previous.into_iter().zip(seen) {
        while let Some(added) = fresh.next_if(|(f, _)| *f < rel) {
            changed = true;
            files.push(added);
        }
        if let Some(again) = fresh.next_if(|(f, _)| *f == rel) {
            changed |= again.1 != entry;
            files.push(again);
        } else if seen {
            files.push((rel, entry));
        } else {
            stale.push(rel);
        }
    }
    for added in fresh {
        changed = true;
        files.push(added);
    }
    (files, stale, changed)
}

/// Files in the output folder that no earlier build wrote (hidden files at its top, such as
/// `.git` or `.nojekyll`, are the user's and allowed).
fn foreign_files(root: &Path, manifest: &Files) -> Vec<String> {
    walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() != 1 || !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(|e| e.ok())
        .filter(|e| !e.file_type().is_dir())
        .map(|e| crate::vault::relative(root, e.path()))
        .filter(|rel| rel != MANIFEST && place(manifest, rel).is_none())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unchanged_files_are_not_rewritten_and_stale_ones_removed() {
        let vault = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let first = Output::open(&out, vault.path(), false).unwrap();
        first.write("a/index.html", b"a").unwrap();
        first.write("b/index.html", b"b").unwrap();
        assert_eq!(
            first.finish().unwrap(),
            Report {
                written: 2,
                unchanged: 0,
                removed: 0
            }
        );
        let second = Output::open(&out, vault.path(), false).unwrap();
        second.write("a/index.html", b"a").unwrap();
        assert_eq!(
            second.finish().unwrap(),
            Report {
                written: 0,
                unchanged: 1,
                removed: 1
            }
        );
        assert!(!out.join("b").exists(), "an emptied folder goes too");
    }

    #[test]
    fn pages_kept_unchanged_stay_listed_and_pages_no_longer_made_go() {
        let vault = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let mut memory = Memory::default();
        let first = Output::open_remembering(&out, vault.path(), false, &mut memory).unwrap();
        for (page, inputs) in [("a/index.html", 1), ("b/index.html", 2)] {
            first.write(page, page.as_bytes()).unwrap();
            first.remember_inputs(page, inputs, &BTreeSet::from(["pic.png".to_owned()]));
        }
        first.finish_remembering(&mut memory).unwrap();
        let manifest = std::fs::read_to_string(out.join(MANIFEST)).unwrap();

        // The same inputs: both kept, with what they embed, and nothing written or saved.
        let second = Output::open_remembering(&out, vault.path(), false, &mut memory).unwrap();
        let kept = second.unchanged_pages(&[("a/index.html", 1), ("b/index.html", 2)]);
        assert_eq!(kept, [Some(&["pic.png".to_owned()][..]); 2]);
        let report = second.finish_remembering(&mut memory).unwrap();
        assert_eq!(
            (report.written, report.unchanged, report.removed),
            (0, 2, 0)
        );
        assert_eq!(
            std::fs::read_to_string(out.join(MANIFEST)).unwrap(),
            manifest
        );

        // One page's inputs changed and it is written again; the other is no longer made.
        let third = Output::open_remembering(&out, vault.path(), false, &mut memory).unwrap();
        assert_eq!(third.unchanged_pages(&[("a/index.html", 3)]), [None]);
        third.write("a/index.html", b"a again").unwrap();
        third.remember_inputs("a/index.html", 3, &BTreeSet::new());
        let report = third.finish_remembering(&mut memory).unwrap();
        assert_eq!(
            (report.written, report.unchanged, report.removed),
            (1, 0, 1)
        );
        assert!(!out.join("b").exists());
        let manifest = read_manifest(&out);
        assert_eq!(manifest.len(), 1);
        assert_eq!(manifest[0].0, "a/index.html");
        assert_eq!(manifest[0].1.inputs, Some(3));
        assert!(manifest[0].1.uses.is_empty());

        // A new process reads the same manifest from disk, and keeps the page.
        let fresh = Output::open(&out, vault.path(), false).unwrap();
        assert_eq!(
            fresh.unchanged_pages(&[("a/index.html", 3)]),
            [Some(&[][..])]
        );
    }

    #[test]
    fn a_manifest_merges_kept_written_added_and_dropped_files() {
        let entry = |hash| Entry {
            digest: digest(hash, 1),
            inputs: None,
            uses: Vec::new(),
        };
        let files = |list: &[(&str, u64)]| -> Files {
            list.iter()
                .map(|&(rel, hash)| (rel.to_owned(), entry(hash)))
                .collect()
        };
        let last = files(&[("a", 1), ("b", 2), ("c", 3)]);
        // Everything kept or written again the same: nothing changed.
        let (merged, stale, changed) =
            merge(last.clone(), &[true, false, true], files(&[("b", 2)]));
        assert_eq!((merged, stale, changed), (last.clone(), vec![], false));
        // One written with new bytes: changed in place.
        let (merged, stale, changed) =
            merge(last.clone(), &[true, true, false], files(&[("c", 9)]));
        let expected = files(&[("a", 1), ("b", 2), ("c", 9)]);
        assert_eq!((merged, stale, changed), (expected, vec![], true));
        // One added, one no longer made.
        let (merged, stale, changed) =
            merge(last.clone(), &[true, false, true], files(&[("bb", 5)]));
        let expected = files(&[("a", 1), ("bb", 5), ("c", 3)]);
        assert_eq!(
            (merged, stale, changed),
            (expected, vec!["b".to_owned()], true)
        );
    }

    proptest::proptest! {
        /// A manifest changed in place says what one made again in a walk says.
        #[test]
        fn merging_in_place_is_merging_in_a_walk(
            last in proptest::collection::btree_map("[a-e]{1,2}", 0u64..3, 0..12),
            seen in proptest::collection::vec(proptest::bool::ANY, 12),
            fresh in proptest::collection::btree_map("[a-e]{1,2}", 0u64..3, 0..12),
        ) {
            let files = |map: &std::collections::BTreeMap<String, u64>| -> Files {
                map.iter()
                    .map(|(rel, &hash)| {
                        let entry = Entry { digest: digest(hash, 1), inputs: None, uses: Vec::new() };
                        (rel.clone(), entry)
                    })
                    .collect()
            };
            let (last, fresh) = (files(&last), files(&fresh));
            let seen = &seen[..last.len()];
            let (places, covered) = cover(&last, seen, &fresh);
            let (files, stale, changed) =
                merge_in_place(last.clone(), &covered, fresh.clone(), &places);
            let (walked, walked_stale, walked_changed) = merge_walk(last, seen, fresh);
            proptest::prop_assert_eq!(&files, &walked);
            proptest::prop_assert_eq!(&stale, &walked_stale);
            proptest::prop_assert_eq!(changed || !stale.is_empty(), walked_changed || !walked_stale.is_empty());
        }
    }

    #[test]
    fn the_vault_and_its_parents_are_refused() {
        let vault = tempfile::tempdir().unwrap();
        assert!(Output::open(vault.path(), vault.path(), true).is_err());
        assert!(Output::open(vault.path().parent().unwrap(), vault.path(), true).is_err());
        let inside = vault.path().join("_site");
        assert!(Output::open(&inside, vault.path(), false).is_ok());
    }

    #[test]
    fn a_folder_with_other_files_is_refused_unless_forced_and_they_survive() {
        let vault = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        std::fs::write(out.path().join("mine.txt"), "keep").unwrap();
        let error = Output::open(out.path(), vault.path(), false).unwrap_err();
        assert!(error.to_string().contains("mine.txt"), "{error}");
        let forced = Output::open(out.path(), vault.path(), true).unwrap();
        forced.write("index.html", b"x").unwrap();
        forced.finish().unwrap();
        let again = Output::open(out.path(), vault.path(), true).unwrap();
        again.finish().unwrap();
        assert_eq!(
            std::fs::read_to_string(out.path().join("mine.txt")).unwrap(),
            "keep"
        );
        assert!(!out.path().join("index.html").exists());
    }
}
