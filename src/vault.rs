//! Finding and reading the notes of a vault: every `*.md` below the root, in parallel, each
//! problem a diagnostic.

use crate::config::{self, Config};
use crate::diagnostic::{self, Diagnostic, LineIndex};
use crate::note::{self, Note};
use crate::note_cache::Held;
use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Notes larger than this are reported and skipped: no one writes a 1:1 that long, and it keeps
/// a stray export from taking the memory of a build.
pub const MAX_NOTE_BYTES: u64 = 8 * 1024 * 1024;

/// A loaded vault: its settings, every note that could be read, and every problem found.
#[derive(Debug)]
pub struct Vault {
    pub root: PathBuf,
    pub config: Config,
    /// Notes sorted by path. Shared, so that `watch` keeps them between builds without copies.
    pub notes: Vec<Arc<Note>>,
    pub diagnostics: Vec<Diagnostic>,
    /// Every other file of the vault (images and other attachments), vault-relative, sorted.
    pub attachments: Vec<String>,
}

/// The vault for a working folder: the nearest ancestor holding `upward.yaml`, else the folder.
pub fn find_root(start: &Path) -> PathBuf {
    start
        .ancestors()
        .find(|dir| dir.join(config::FILE_NAME).is_file())
        .unwrap_or(start)
        .to_path_buf()
}

/// Loads every note of the vault at `root`, once: nothing is kept for a later load. Notes are
/// read and parsed on every core while the vault is still being walked.
pub fn load(root: &Path) -> Vault {
    read_vault(root, None).0
}

/// Loads every note of the vault at `root` as [`load`] does, except that a note whose text is
/// what it was when the note cache of whole notes last saw it is taken from there instead of
/// being parsed again (its body is its text's, redacted as parsing does). What changed is
/// written back by [`Remember::save`]. This cache is apart from the one of
/// [`load_for_ledger`], which holds notes without the items the ledger does not read.
pub fn load_whole(root: &Path) -> (Vault, Remember) {
    let (file, cache) = open_cache(root, Held::Whole);
    let (vault, notes) = read_vault(root, Some(&cache));
    (vault, Remember::of(file, cache, notes))
}

/// The note cache file of the vault at `root` holding notes as `held` (when there is a cache
/// folder), and what it holds.
fn open_cache(root: &Path, held: Held) -> (Option<PathBuf>, crate::note_cache::Cache) {
    let file =
        crate::note_cache::folder().map(|folder| crate::note_cache::file_for(&folder, root, held));
    let cache = file
        .as_deref()
        .map(crate::note_cache::Cache::read)
        .unwrap_or_default();
    (file, cache)
}

/// Each note read, with what parsing it found (or the cache held), and whether it was parsed
/// rather than taken from the cache.
type ReadNotes = Vec<(Arc<Note>, Vec<Diagnostic>, bool)>;

/// Reads the vault, taking notes from `cache` where it holds them; with a cache, also says
/// what was read for the cache to be written again.
fn read_vault(root: &Path, cache: Option<&crate::note_cache::Cache>) -> (Vault, ReadNotes) {
    let (config, mut diagnostics) = settings(root);
    let (sender, found) = std::sync::mpsc::channel::<(PathBuf, String)>();
    let (walk, mut read) = rayon::join(
        || {
            // The sender is dropped when the walk ends, which ends the reading.
            let sender = sender;
            discover_with(root, &config, |path, rel| {
                // The receiver lives until every note is read.
                let _ = sender.send((path.to_path_buf(), rel.to_owned()));
            })
        },
        || {
            found
                .into_iter()
                .par_bridge()
                .map(|(path, rel)| {
                    let read = match cache {
                        None => {
                            let (note, found) = read_note(&path, &rel, &config);
                            (note, found, Vec::new(), true)
                        }
                        Some(cache) => {
                            read_note_cached(&path, &rel, &config, cache, Held::Whole, false)
                        }
                    };
                    (rel, read)
                })
                .collect::<Vec<_>>()
        },
    );
    // Read as the folders list them, put in the order of the walk.
    read.sort_unstable_by(|(a, _), (b, _)| walk_order(a, b));
    diagnostics.extend(walk.diagnostics);
    let mut notes = Vec::with_capacity(read.len());
    let mut remembered = Vec::with_capacity(if cache.is_some() { read.len() } else { 0 });
    for (_, (note, found, parsed, anew)) in read {
        diagnostics.extend(found);
        if let Some(note) = note.map(Arc::new) {
            if cache.is_some() {
                remembered.push((Arc::clone(&note), parsed, anew));
            }
            notes.push(note);
        }
    }
    diagnostic::sort(&mut diagnostics);
    let vault = Vault {
        root: root.to_path_buf(),
        config,
        notes,
        diagnostics,
        attachments: walk.attachments,
    };
    (vault, remembered)
}

/// Reads one note, from `cache` when it holds the note's text as it is, kept as `held` says
/// (whole, its body taken from its text; or only what the ledger reads, with its links when
/// `links`): the note, every problem found (in reading the file, and in parsing it or as the
/// cache held them), what parsing found alone (for the cache), and whether the note was read
/// anew rather than taken whole from the cache.
fn read_note_cached(
    path: &Path,
    rel: &str,
    config: &Config,
    cache: &crate::note_cache::Cache,
    held: Held,
    links: bool,
) -> (Option<Note>, Vec<Diagnostic>, Vec<Diagnostic>, bool) {
    let mut found = Vec::new();
    let Some(text) = read_text(path, rel, &mut found) else {
        return (None, found, Vec::new(), true);
    };
    let (note, parsed, anew) = match cache.get(rel, note::digest_of(&text, config), links) {
        Some((mut note, parsed)) => {
            if held == Held::Whole {
                note.body = note::body_of(&text).into_owned();
            }
            // The cache may hold the note without its links, as `new` wrote it.
            let anew = links && note.links.is_none();
            if anew {
                note.links = Some(Box::new(note::Links::read(
                    &note,
                    &note::body_of(&text),
                    &text,
                )));
            }
            (note, parsed, anew)
        }
        None => {
            let mut parsed = Vec::new();
            let mut note = note::parse(rel, &text, config, &mut parsed);
            if links {
                note.links = Some(Box::new(note::Links::read(&note, &note.body, &text)));
            }
            if held == Held::Ledger {
                note.keep_ledger_only();
            }
            (note, parsed, true)
        }
    };
    found.extend(parsed.iter().cloned());
    (Some(note), found, parsed, anew)
}

/// Loads the vault for what needs only the ledger (`new`, `check`, `requests`): every note is
/// read, but a note whose text is what it was when the note cache last saw it is taken from the
/// cache instead of being parsed again. **The notes come without their bodies, and with no
/// items but requests and follow-ups** (see [`Note::keep_ledger_only`]). With `links` (for
/// `check`), each note comes with its [`note::Links`] too, read from its text where the cache
/// does not hold them. What changed is written back to the cache by [`Remember::save`].
pub fn load_for_ledger(root: &Path, links: bool) -> (Vault, Remember) {
    let (config, mut diagnostics) = settings(root);
    let (file, cache) = open_cache(root, Held::Ledger);
    crate::timing::phase("read the note cache");
    let walk = discover(root, &config);
    crate::timing::phase("walk the vault");
    let mut read: Vec<_> = walk
        .notes
        .par_iter()
        .map(|(path, rel)| read_note_cached(path, rel, &config, &cache, Held::Ledger, links))
        .collect();
    diagnostics.extend(walk.diagnostics);
    let mut notes = Vec::with_capacity(read.len());
    let mut remembered = Vec::with_capacity(read.len());
    for (note, found, parsed, anew) in read.drain(..) {
        diagnostics.extend(found);
        if let Some(note) = note.map(Arc::new) {
            remembered.push((Arc::clone(&note), parsed, anew));
            notes.push(note);
        }
    }
    diagnostic::sort(&mut diagnostics);
    let remember = Remember::of(file, cache, remembered);
    let vault = Vault {
        root: root.to_path_buf(),
        config,
        notes,
        diagnostics,
        attachments: walk.attachments,
    };
    (vault, remember)
}

/// What [`load_for_ledger`] or [`load_whole`] read, to be saved in the note cache once the
/// command is done.
pub struct Remember {
    /// The cache file, when it needs writing.
    file: Option<PathBuf>,
    cache: crate::note_cache::Cache,
    /// Each note, with what reading it found, and whether it was read anew (not as the cache
    /// holds it).
    notes: ReadNotes,
}

impl Remember {
    /// What to save of `notes`, read through `cache` from `file`: the file is written again
    /// when a note was read anew, or one the cache holds is gone.
    fn of(file: Option<PathBuf>, cache: crate::note_cache::Cache, notes: ReadNotes) -> Remember {
        let stale = notes.iter().any(|(_, _, anew)| *anew) || cache.len() != notes.len();
        Remember {
            file: file.filter(|_| stale),
            cache,
            notes,
        }
    }

    /// Writes the note cache, if anything changed. A cache that cannot be written is only a
    /// slower next run: the error is returned for the caller to mention, not to fail on.
    pub fn save(self) -> std::io::Result<()> {
        let Some(file) = self.file else {
            return Ok(());
        };
        let entries: Vec<crate::note_cache::Entry<'_>> = self
            .notes
            .iter()
            .map(|(note, diagnostics, anew)| crate::note_cache::Entry {
                path: &note.path,
                digest: note.digest,
                note,
                diagnostics,
                anew: *anew,
            })
            .collect();
        crate::note_cache::write(&file, &self.cache, &entries)
    }
}

/// The vault's settings, with every phrasing of the question bank as a section heading.
fn settings(root: &Path) -> (Config, Vec<Diagnostic>) {
    let (mut config, mut diagnostics) = Config::load(root);
    diagnostics.extend(crate::questions::register_headings(root, &mut config));
    (config, diagnostics)
}

/// The vault-relative form of a path, with `/` separators.
pub fn relative(root: &Path, path: &Path) -> String {
    // The walk's paths are the root's text, a separator and plain names: cut as text, which is
    // what the general way below gives for them, without taking both paths apart.
    if std::path::MAIN_SEPARATOR == '/' {
        if let (Some(root), Some(path)) = (root.to_str().filter(|r| !r.is_empty()), path.to_str()) {
            let rest = match path.strip_prefix(root) {
                Some(rest) if root.ends_with('/') => Some(rest),
                Some(rest) => rest.strip_prefix('/'),
                None => None,
            };
            if let Some(rest) = rest {
                if rest.split('/').all(|c| !c.is_empty() && c != ".") {
                    return rest.to_owned();
                }
            }
        }
    }
    relative_by_components(root, path)
}

/// [`relative`], the general way: by the paths' components.
fn relative_by_components(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn ignore_set(config: &Config, diagnostics: &mut Vec<Diagnostic>) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for pattern in &config.ignore {
        let trimmed = pattern.trim().trim_start_matches("./");
        let anchored = trimmed.starts_with('/') || trimmed.trim_end_matches('/').contains('/');
        let base = trimmed.trim_matches('/');
        if base.is_empty() {
            continue;
        }
        let prefix = if anchored { "" } else { "**/" };
        for glob in [format!("{prefix}{base}"), format!("{prefix}{base}/**")] {
            match Glob::new(&glob) {
                Ok(glob) => {
                    builder.add(glob);
                }
                Err(error) => {
                    diagnostics.push(Diagnostic::warning(
                        config::FILE_NAME,
                        1,
                        1,
                        format!("ignore pattern `{pattern}` is not valid: {error}"),
                    ));
                    break;
                }
            }
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

/// What a walk of the vault found.
#[derive(Debug, Default)]
pub struct Discovered {
    /// Markdown files: absolute path and vault-relative path, sorted.
    pub notes: Vec<(PathBuf, String)>,
    /// Other files, vault-relative, sorted.
    pub attachments: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
}

/// The files of the vault, sorted, with their vault-relative paths. Hidden entries,
/// the output folder, the templates folder and ignored paths are skipped; symbolic links are followed, and a link
/// that loops back is reported instead of followed.
pub fn discover(root: &Path, config: &Config) -> Discovered {
    let mut files = Vec::new();
    let mut walk = discover_with(root, config, |path, rel| {
        files.push((path.to_path_buf(), rel.to_owned()))
    });
    files.sort_unstable_by(|(_, a), (_, b)| walk_order(a, b));
    walk.notes = files;
    walk
}

/// Walks the vault as [`discover`] does, handing each note to `note` as it is found (its path
/// and vault-relative path); the result lists no notes.
fn discover_with(root: &Path, config: &Config, mut note: impl FnMut(&Path, &str)) -> Discovered {
    let mut attachments = Vec::new();
    let mut diagnostics = Vec::new();
    let ignore = ignore_set(config, &mut diagnostics);
    let output = config.output.trim_matches('/').to_owned();
    let templates = config.templates.trim_matches('/').to_owned();
    // Not sorted as it goes: walkdir's sorting takes each path apart for every comparison,
    // most of the time of a walk. The notes are put in order once they are read.
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .into_iter()
        .filter_entry(|entry| {
            if entry.depth() == 0 {
                return true;
            }
            let name = entry.file_name().to_string_lossy();
            if name.starts_with('.') {
                return false;
            }
            let rel = relative(root, entry.path());
            rel != output && rel != templates && !ignore.is_match(&rel)
        });
    for entry in walker {
        match entry {
            Ok(entry) => {
                let is_md = entry
                    .path()
                    .extension()
                    .is_some_and(|ext| ext.eq_ignore_ascii_case("md"));
                if entry.file_type().is_dir() {
                    continue;
                }
                if !is_md {
                    if entry.file_type().is_file() {
                        attachments.push(relative(root, entry.path()));
                    }
                    continue;
                }
                let rel = relative(root, entry.path());
                if !entry.file_type().is_file() {
                    diagnostics.push(Diagnostic::warning(
                        &rel,
                        1,
                        1,
                        "not a regular file; skipped",
                    ));
                    continue;
                }
                note(entry.path(), &rel);
            }
            Err(error) => {
                let rel = error
                    .path()
                    .map_or_else(|| ".".to_owned(), |p| relative(root, p));
                let message = match error.loop_ancestor() {
                    Some(ancestor) => format!(
                        "symbolic link loop: this points back to `{}`; skipped",
                        relative(root, ancestor)
                    ),
                    None => match error.io_error() {
                        Some(io) => format!("cannot read: {io}; skipped"),
                        None => format!("cannot read: {error}; skipped"),
                    },
                };
                diagnostics.push(Diagnostic::warning(&rel, 1, 1, message));
            }
        }
    }
    attachments.sort_unstable_by(|a, b| walk_order(a, b));
    Discovered {
        notes: Vec::new(),
        attachments,
        diagnostics,
    }
}

/// Reads and parses one note; a note that cannot be read at all gives only diagnostics.
pub fn read_note(path: &Path, rel: &str, config: &Config) -> (Option<Note>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let text = match read_text(path, rel, &mut diagnostics) {
        Some(text) => text,
        None => return (None, diagnostics),
    };
    let note = note::parse(rel, &text, config, &mut diagnostics);
    (Some(note), diagnostics)
}

/// The text of a note: size-limited, binary files refused, a byte-order mark removed, and
/// bytes that are not UTF-8 reported and replaced.
pub fn read_text(path: &Path, rel: &str, diagnostics: &mut Vec<Diagnostic>) -> Option<String> {
    let read = std::fs::File::open(path).and_then(|file| {
        // Room for the whole file up front: one read, not a dozen growing ones.
        let size = file
            .metadata()
            .map_or(0, |m| m.len())
            .min(MAX_NOTE_BYTES + 1);
        let mut bytes = Vec::with_capacity(size as usize + 1);
        file.take(MAX_NOTE_BYTES + 1).read_to_end(&mut bytes)?;
        Ok(bytes)
    });
    let mut bytes = match read {
        Ok(bytes) => bytes,
        Err(error) => {
            diagnostics.push(Diagnostic::error(
                rel,
                1,
                1,
                format!("cannot read: {error}"),
            ));
            return None;
        }
    };
    if bytes.len() as u64 > MAX_NOTE_BYTES {
        diagnostics.push(Diagnostic::error(
            rel,
            1,
            1,
            format!(
                "larger than {} MiB, too large for a note; skipped",
                MAX_NOTE_BYTES / 1024 / 1024
            ),
        ));
        return None;
    }
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    if let Some(nul) = memchr::memchr(0, &bytes[..bytes.len().min(8192)]) {
        let text = String::from_utf8_lossy(&bytes[..nul]);
        let (line, column) = LineIndex::new(&text).position(text.len());
        diagnostics.push(Diagnostic::warning(
            rel,
            line,
            column,
            "a binary file, not Markdown text (it holds a NUL byte); skipped",
        ));
        return None;
    }
    match String::from_utf8(bytes) {
        Ok(text) => {
            if text.trim().is_empty() {
                diagnostics.push(Diagnostic::info(rel, 1, 1, "empty note"));
            }
            Some(text)
        }
        Err(error) => {
            let valid = error.utf8_error().valid_up_to();
            let bytes = error.into_bytes();
            let before = std::str::from_utf8(&bytes[..valid]).unwrap_or_default();
            let (line, column) = LineIndex::new(before).position(valid);
            diagnostics.push(Diagnostic::error(
                rel,
                line,
                column,
                format!(
                    "not valid UTF-8 (byte 0x{:02X}); save the note as UTF-8. \
                     It is read with the invalid bytes replaced",
                    bytes[valid]
                ),
            ));
            Some(String::from_utf8_lossy(&bytes).into_owned())
        }
    }
}

/// What a file looked like when it was last read: its length and modification time.
type Stamp = (u64, Option<std::time::SystemTime>);

#[derive(Debug, Clone)]
struct Cached {
    stamp: Stamp,
    note: Option<Arc<Note>>,
    diagnostics: Vec<Diagnostic>,
    /// The last version of the note that had no error, kept while a note is broken mid-edit.
    last_good: Option<Arc<Note>>,
}

/// Parsed notes kept between loads, so that a load after one note changed reads that note only.
#[derive(Debug, Default)]
pub struct Cache {
    config: Option<Config>,
    entries: std::collections::HashMap<String, Cached>,
    /// The files of the last load, kept up to date from the changes `watch` reports.
    walk: Option<Discovered>,
}

impl Cache {
    /// An empty cache: the next load reads every note.
    pub fn new() -> Cache {
        Cache::default()
    }
}

fn stamp(path: &Path) -> Stamp {
    std::fs::metadata(path).map_or((0, None), |m| (m.len(), m.modified().ok()))
}

/// Loads the vault, reading and parsing only the notes that changed since the last load with
/// this cache. A note that now has errors but had a good version before is represented by that
/// good version (its errors are still reported), so a note broken mid-edit keeps its pages.
pub fn load_cached(root: &Path, cache: &mut Cache) -> Vault {
    load_changed(root, cache, None)
}

/// Loads the vault like [`load_cached`]; when `changed` lists the paths that changed since the
/// last load (from file-system events) and each is a note or attachment, the vault is not
/// walked again and only those notes are looked at. Anything else (a folder, the settings, a
/// path that is gone and was not a known file) walks the vault as [`load_cached`] does.
pub fn load_changed(root: &Path, cache: &mut Cache, changed: Option<&[PathBuf]>) -> Vault {
    let (config, mut diagnostics) = settings(root);
    if cache.config.as_ref() != Some(&config) {
        cache.entries.clear();
        cache.walk = None;
        cache.config = Some(config.clone());
    }
    let quick = match (changed, cache.walk.take()) {
        (Some(paths), Some(mut walk)) => {
            let mut touched = Vec::new();
            apply_changes(root, &config, &mut walk, paths, &mut touched).then_some((walk, touched))
        }
        _ => None,
    };
    let (walk, touched) = match quick {
        Some((walk, mut touched)) => {
            touched.sort();
            touched.dedup();
            (walk, Some(touched))
        }
        None => (discover(root, &config), None),
    };
    diagnostics.extend(walk.diagnostics.iter().cloned());
    let files = &walk.notes;
    let attachments = walk.attachments.clone();
    // The notes to look at: after a walk, every one; after events, those they named (notes no
    // event named are not looked at).
    let candidates: Vec<usize> = match &touched {
        Some(touched) => touched
            .iter()
            .filter_map(|rel| files.binary_search_by(|(_, r)| walk_order(r, rel)).ok())
            .collect(),
        None => (0..files.len()).collect(),
    };
    let stamps: Vec<(usize, Stamp)> = candidates
        .par_iter()
        .map(|&i| (i, stamp(&files[i].0)))
        .collect();
    let changed: Vec<(usize, Stamp)> = stamps
        .into_iter()
        .filter(|&(i, stamp)| {
            cache
                .entries
                .get(&files[i].1)
                .is_none_or(|c| c.stamp != stamp || stamp.1.is_none())
        })
        .collect();
    let fresh: Vec<(usize, Stamp, Option<Note>, Vec<Diagnostic>)> = changed
        .par_iter()
        .map(|&(i, stamp)| {
            let (note, found) = read_note(&files[i].0, &files[i].1, &config);
            (i, stamp, note, found)
        })
        .collect();
    for (i, stamp, note, found) in fresh {
        let rel = files[i].1.clone();
        let broken = diagnostic::error_count(&found) > 0;
        let note = note.map(Arc::new);
        let previous_good = cache.entries.get(&rel).and_then(|c| c.last_good.clone());
        let last_good = if broken { previous_good } else { note.clone() };
        cache.entries.insert(
            rel,
            Cached {
                stamp,
                note,
                diagnostics: found,
                last_good,
            },
        );
    }
    match &touched {
        Some(touched) => {
            for rel in touched {
                if files.binary_search_by(|(_, r)| walk_order(r, rel)).is_err() {
                    cache.entries.remove(rel);
                }
            }
        }
        None => {
            let live: std::collections::HashSet<&str> =
                files.iter().map(|(_, rel)| rel.as_str()).collect();
            cache.entries.retain(|rel, _| live.contains(rel.as_str()));
        }
    }
    let mut notes = Vec::with_capacity(files.len());
    for (_, rel) in files {
        let Some(cached) = cache.entries.get(rel) else {
            continue;
        };
        diagnostics.extend(cached.diagnostics.iter().cloned());
        let broken = diagnostic::error_count(&cached.diagnostics) > 0;
        let note = if broken {
            cached.last_good.as_ref().or(cached.note.as_ref())
        } else {
            cached.note.as_ref()
        };
        notes.extend(note.cloned());
    }
    cache.walk = Some(walk);
    diagnostic::sort(&mut diagnostics);
    Vault {
        root: root.to_path_buf(),
        config,
        notes,
        diagnostics,
        attachments,
    }
}

/// Whether a vault-relative path is left out of the vault: hidden, in the output or templates
/// folder, or ignored; as [`discover`] decides for the folders on its way.
fn left_out(rel: &str, config: &Config, ignore: &GlobSet) -> bool {
    let inside = |folder: &str| {
        let folder = folder.trim_matches('/');
        !folder.is_empty()
            && (rel == folder || rel.starts_with(folder) && rel[folder.len()..].starts_with('/'))
    };
    rel.split('/').any(|part| part.starts_with('.'))
        || inside(&config.output)
        || inside(&config.templates)
        || ignore.is_match(rel)
}

/// The order of a walk: folder by folder, each sorted by name. That is the order of the
/// paths' bytes with the separator below every other byte (names hold no NUL), which is
/// how it is compared: [`Path`]'s own comparison takes both paths apart first.
pub(crate) fn walk_order(a: &str, b: &str) -> std::cmp::Ordering {
    let key = |c: u8| if c == b'/' { 0 } else { c };
    let (a, b) = (a.as_bytes(), b.as_bytes());
    // The common start decides nothing: skipped at memory speed.
    let same = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    a[same..]
        .iter()
        .map(|&c| key(c))
        .cmp(b[same..].iter().map(|&c| key(c)))
}

/// Applies changed paths to the files of the last walk: a note or attachment added, changed or
/// removed. Returns false (the vault must be walked) for anything else. `touched` gets the
/// notes to look at again.
fn apply_changes(
    root: &Path,
    config: &Config,
    walk: &mut Discovered,
    paths: &[PathBuf],
    touched: &mut Vec<String>,
) -> bool {
    let ignore = ignore_set(config, &mut Vec::new());
    for path in paths {
        let Ok(inside) = path.strip_prefix(root) else {
            return false;
        };
        let rel = relative(root, path);
        if inside.as_os_str().is_empty() || rel == config::FILE_NAME {
            return false;
        }
        if left_out(&rel, config, &ignore) {
            continue;
        }
        let metadata = std::fs::metadata(path);
        if metadata.as_ref().is_ok_and(|m| !m.is_file()) {
            return false;
        }
        let exists = metadata.is_ok();
        let is_md = path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("md"));
        if is_md {
            let at = walk.notes.binary_search_by(|(_, r)| walk_order(r, &rel));
            match (at, exists) {
                (Ok(_), true) => {}
                (Ok(i), false) => {
                    walk.notes.remove(i);
                }
                (Err(i), true) => walk.notes.insert(i, (path.clone(), rel.clone())),
                (Err(_), false) => {}
            }
            touched.push(rel);
        } else {
            let at = walk.attachments.binary_search_by(|r| walk_order(r, &rel));
            match (at, exists) {
                (Ok(_), true) => {}
                (Ok(i), false) => {
                    walk.attachments.remove(i);
                }
                (Err(i), true) => walk.attachments.insert(i, rel),
                // Gone, and not a known file: a folder moved away, with its notes.
                (Err(_), false) => return false,
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Paths made of the pieces that matter to both: separators (doubled too), `.` and `..`,
    /// spaces and dashes (which sort below and above nothing special), and non-ASCII names.
    fn path_text() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop::sample::select(vec![
                "a", "b", "a b", "a-b", "ab", "é", ".", "..", "/", "//",
            ]),
            0..7,
        )
        .prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #[test]
        fn walk_order_is_the_order_of_path_components(
            a in prop::collection::vec(prop::sample::select(vec!["a", "b", "a b", "a-b", "ab", "é", "b.md", "a0"]), 1..4),
            b in prop::collection::vec(prop::sample::select(vec!["a", "b", "a b", "a-b", "ab", "é", "b.md", "a0"]), 1..4),
        ) {
            let (a, b) = (a.join("/"), b.join("/"));
            prop_assert_eq!(walk_order(&a, &b), Path::new(&a).cmp(Path::new(&b)), "{} against {}", a, b);
        }

        #[test]
        fn relative_cuts_as_the_components_do(root in path_text(), rest in path_text()) {
            let path = format!("{root}/{rest}");
            let (root, path) = (Path::new(&root), Path::new(&path));
            prop_assert_eq!(relative(root, path), relative_by_components(root, path));
        }
    }

    #[test]
    fn notes_and_attachments_come_in_the_order_of_the_walk() {
        let dir = tempfile::tempdir().unwrap();
        // Names whose order as text differs from their order as paths (`a b` sorts below
        // `a/…` as text, above it as a path), created out of order.
        let notes = [
            "a/z.md", "ab.md", "B.md", "a b.md", "a/b/c.md", "a-b.md", "é.md", "a.md",
        ];
        let others = ["a/z.png", "a b.png", "a/b/c.png", "ab.png"];
        for rel in notes.iter().chain(&others) {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "# x\n").unwrap();
        }
        let by_path = |list: &[&str]| {
            let mut list: Vec<String> = list.iter().map(|s| s.to_string()).collect();
            list.sort_by(|a, b| Path::new(a).cmp(Path::new(b)));
            list
        };
        let vault = load(dir.path());
        let loaded: Vec<&str> = vault.notes.iter().map(|n| n.path.as_str()).collect();
        assert_eq!(loaded, by_path(&notes));
        assert_eq!(vault.attachments, by_path(&others));
        let (config, _) = settings(dir.path());
        let walked: Vec<String> = discover(dir.path(), &config)
            .notes
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        assert_eq!(walked, by_path(&notes));
    }

    #[test]
    fn relative_of_the_walks_paths() {
        for (root, path, rel) in [
            (
                "vault",
                "vault/1-1s/2026-01-05 Sam.md",
                "1-1s/2026-01-05 Sam.md",
            ),
            ("vault/", "vault/notes/a.md", "notes/a.md"),
            ("./vault", "./vault/a.md", "a.md"),
            ("/tmp/v", "/tmp/v/x/y/z.png", "x/y/z.png"),
            ("/", "/a/b.md", "a/b.md"),
        ] {
            assert_eq!(relative(Path::new(root), Path::new(path)), rel, "{path}");
        }
    }
}
