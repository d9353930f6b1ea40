//! What commands remember of the notes between runs: each note as it was read, under its path
//! and the digest of its text. Every note's text is still read (a changed note is always seen:
//! the digest is of the bytes, not of the file's times), and only notes whose text changed are
//! parsed again. The cache lives outside the vault (the system's cache folder, or
//! `UPWARD_CACHE_DIR`; empty turns it off), one file per vault for each of two ways of
//! reading (see [`Held`]): what the commands that need only the ledger (`new`, `check`,
//! `requests`) read (properties, requests and follow-ups, and what reading the note found),
//! and whole notes for the others (`build`, `recap`, `review`). Never a body, so never a
//! comment or a private callout.
//!
//! The format is this module's own: a header naming the build of upward that wrote it, then per
//! note its path, digest and encoded form, then a hash of all of it. A file that does not check
//! out is no cache; a note that does not decode is a miss.

use crate::config::Kind;
use crate::date::Date;
use crate::diagnostic::{Diagnostic, Severity};
use crate::frontmatter::{DateProperty, Properties};
use crate::note::{Item, Kinds, Links, Note, NoteKind, NoteLink};
use crate::task::Status;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The first bytes of a cache file: what it is, its format, and the build that wrote it (a
/// different build may read notes differently).
fn header() -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(b"upward note cache 3\n");
    put_str(&mut out, env!("UPWARD_SOURCE_DIGEST"));
    out
}

/// The folder of the cache: `UPWARD_CACHE_DIR` when set (empty: no cache), else the user's
/// cache folder.
pub fn folder() -> Option<PathBuf> {
    match std::env::var_os("UPWARD_CACHE_DIR") {
        Some(dir) if dir.is_empty() => None,
        Some(dir) => Some(PathBuf::from(dir)),
        None => dirs::cache_dir().map(|dir| dir.join("upward")),
    }
}

/// What a cache file holds of each note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// What the ledger reads: properties, requests and follow-ups (for `new`, `check`,
    /// `requests`).
    Ledger,
    /// Every item and property (for `build`, `recap`, `review`).
    Whole,
}

/// The cache file of the vault at `root` holding its notes as `held`, named by a hash of the
/// vault's absolute path.
pub fn file_for(folder: &Path, root: &Path, held: Held) -> PathBuf {
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let hash = xxhash_rust::xxh3::xxh3_64(root.as_os_str().as_encoded_bytes());
    let extension = match held {
        Held::Ledger => "notes",
        Held::Whole => "whole-notes",
    };
    folder.join(format!("{hash:016x}.{extension}"))
}

/// A cache file read into memory: each note's encoded form, found by path.
#[derive(Default)]
pub struct Cache {
    bytes: Vec<u8>,
    /// Per note, in the order of the vault's walk (as they are written).
    entries: Vec<Stored>,
}

/// Where one note is in a cache file.
struct Stored {
    /// Its path.
    path: Range<usize>,
    /// The digest of the text it was read from.
    digest: u64,
    /// Its encoded form.
    encoded: Range<usize>,
}

impl Cache {
    /// Reads the cache at `path`; a missing, foreign or damaged file is an empty cache.
    pub fn read(path: &Path) -> Cache {
        std::fs::read(path).map_or_else(|_| Cache::default(), Cache::from_bytes)
    }

    /// The cache in `bytes` (the contents of a cache file); foreign or damaged bytes are an
    /// empty cache.
    pub fn from_bytes(bytes: Vec<u8>) -> Cache {
        let entries = index(&bytes).unwrap_or_default();
        Cache { bytes, entries }
    }

    /// The path and digest of each note it holds.
    pub fn keys(&self) -> impl Iterator<Item = (&str, u64)> {
        self.entries
            .iter()
            .map(|stored| (self.path_of(stored), stored.digest))
    }

    /// The path of a note it holds (checked to be text as the file was read).
    fn path_of(&self, stored: &Stored) -> &str {
        std::str::from_utf8(&self.bytes[stored.path.clone()]).unwrap_or("")
    }

    /// How many notes it holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds no note.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The note at `path` read from text with this `digest`, with the diagnostics its reading
    /// gave, if the cache holds it, as it was written there; with its links only if `links`
    /// (and the cache holds them), since only `check` reads them.
    pub fn get(&self, path: &str, digest: u64, links: bool) -> Option<(Note, Vec<Diagnostic>)> {
        let mut reader = Reader(self.encoded(path, digest)?);
        let decoded = decode(&mut reader, path, links)?;
        reader.0.is_empty().then_some(decoded)
    }

    /// The encoded note at `path` with this `digest`.
    fn encoded(&self, path: &str, digest: u64) -> Option<&[u8]> {
        let at = self
            .entries
            .binary_search_by(|stored| crate::vault::walk_order(self.path_of(stored), path))
            .ok()?;
        let stored = &self.entries[at];
        (stored.digest == digest).then(|| &self.bytes[stored.encoded.clone()])
    }
}

/// `body` made a cache file of this build: the header before it, the hash after. For the fuzz
/// target, which would otherwise seldom get past the hash.
#[doc(hidden)]
pub fn sealed(body: &[u8]) -> Vec<u8> {
    let mut file = header();
    file.extend_from_slice(body);
    let check = xxhash_rust::xxh3::xxh3_64(&file);
    file.extend_from_slice(&check.to_le_bytes());
    file
}

/// The entries of a cache file, or None if it is not one this build wrote whole and unchanged
/// since (its last eight bytes are a hash of the others).
fn index(bytes: &[u8]) -> Option<Vec<Stored>> {
    let (bytes, check) = bytes.split_at_checked(bytes.len().checked_sub(8)?)?;
    if xxhash_rust::xxh3::xxh3_64(bytes).to_le_bytes() != check {
        return None;
    }
    let rest = bytes.strip_prefix(header().as_slice())?;
    let start = bytes.len() - rest.len();
    let mut reader = Reader(rest);
    let at = |reader: &Reader<'_>| start + (rest.len() - reader.0.len());
    let count = reader.usize()?;
    let mut entries = Vec::with_capacity(count.min(rest.len()));
    while !reader.0.is_empty() {
        let path = reader.str()?.len();
        let path = at(&reader) - path..at(&reader);
        let digest = reader.u64()?;
        let len = reader.usize()?;
        let start = at(&reader);
        // Taken first: a length past the end (any number a damaged file holds) stops here.
        reader.take(len)?;
        let encoded = start..start + len;
        entries.push(Stored {
            path,
            digest,
            encoded,
        });
    }
    (entries.len() == count).then_some(entries)
}

/// One note to write: its path, digest, the note and the diagnostics of reading it.
#[derive(Clone, Copy)]
pub struct Entry<'a> {
    pub path: &'a str,
    pub digest: u64,
    pub note: &'a Note,
    pub diagnostics: &'a [Diagnostic],
    /// Whether the note was read anew rather than taken from the cache: the cache may hold it,
    /// with the same digest, without what was read this time (its links).
    pub anew: bool,
}

/// Writes the cache at `path` with `entries` (a note not read anew that `old` holds with the
/// same digest is copied as it was encoded), replacing the last one whole: a reader sees the
/// old file or the new one.
pub fn write(path: &Path, old: &Cache, entries: &[Entry<'_>]) -> std::io::Result<()> {
    use std::io::Write;
    let folder = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder)?;
    // Not `write::beside`, which gives a new file the usual mode: this one is its owner's only.
    let mut temp = tempfile::Builder::new()
        .prefix(".upward-")
        .suffix(".tmp")
        .tempfile_in(folder)?;
    // Put together a piece at a time and hashed as it goes: the whole file is never in memory
    // twice (memory touched for the first time is slow to come by).
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut spill = |piece: &mut Vec<u8>| -> std::io::Result<()> {
        hasher.update(piece);
        temp.write_all(piece)?;
        piece.clear();
        Ok(())
    };
    let mut piece = header();
    put_usize(&mut piece, entries.len());
    let mut encoded = Vec::new();
    for entry in entries {
        put_str(&mut piece, entry.path);
        put_u64(&mut piece, entry.digest);
        let bytes = match old
            .encoded(entry.path, entry.digest)
            .filter(|_| !entry.anew)
        {
            Some(bytes) => bytes,
            None => {
                encoded.clear();
                encode(&mut encoded, entry.note, entry.diagnostics);
                &encoded
            }
        };
        put_usize(&mut piece, bytes.len());
        piece.extend_from_slice(bytes);
        if piece.len() >= 1 << 16 {
            spill(&mut piece)?;
        }
    }
    spill(&mut piece)?;
    let check = hasher.digest();
    temp.write_all(&check.to_le_bytes())?;
    crate::write::swap_into_place(temp, path)
}

fn encode(out: &mut Vec<u8>, note: &Note, diagnostics: &[Diagnostic]) {
    put_str(out, &note.name);
    out.push(note_kind_code(note.kind));
    put_properties(out, &note.properties);
    put_date(out, note.date);
    put_usize(out, note.body_line);
    put_usize(out, note.items.len());
    for item in &note.items {
        put_item(out, item);
    }
    put_usize(out, note.block_ids.len());
    for (id, line) in &note.block_ids {
        put_str(out, id);
        put_usize(out, *line);
    }
    put_strings(out, &note.tags);
    for n in [note.digest, note.path_digest, note.ledger, note.listing] {
        put_u64(out, n);
    }
    // Behind their length: a command that does not read them steps over them at once.
    match &note.links {
        None => out.push(0),
        Some(links) => {
            out.push(1);
            let mut block = Vec::new();
            put_usize(&mut block, links.links.len());
            for link in &links.links {
                put_usize(&mut block, link.line);
                put_usize(&mut block, link.column);
                put_str(&mut block, &link.target);
                block.push(u8::from(link.wikilink) | u8::from(link.embed) << 1);
            }
            put_strings(&mut block, &links.anchors);
            put_usize(out, block.len());
            out.extend_from_slice(&block);
        }
    }
    put_usize(out, diagnostics.len());
    for d in diagnostics {
        put_usize(out, d.line);
        put_usize(out, d.column);
        out.push(match d.severity {
            Severity::Error => 0,
            Severity::Warning => 1,
            Severity::Info => 2,
        });
        put_str(out, &d.message);
    }
}

fn decode(r: &mut Reader<'_>, path: &str, links: bool) -> Option<(Note, Vec<Diagnostic>)> {
    let name = r.string()?;
    let kind = note_kind(r.u8()?)?;
    let properties = properties(r)?;
    let date = r.date()?;
    let body_line = r.usize()?;
    let items = r.list(item)?;
    let block_ids = r.list(|r| Some((r.string()?, r.usize()?)))?;
    let tags = r.strings()?;
    let (digest, path_digest, ledger, listing) = (r.u64()?, r.u64()?, r.u64()?, r.u64()?);
    let links = match r.u8()? {
        0 => None,
        1 => {
            let len = r.usize()?;
            let block = r.take(len)?;
            if links {
                let mut r = Reader(block);
                let links = note_links(&mut r)?;
                r.0.is_empty().then_some(Box::new(links))
            } else {
                None
            }
        }
        _ => return None,
    };
    let diagnostics = r.list(|r| {
        let (line, column) = (r.usize()?, r.usize()?);
        let severity = match r.u8()? {
            0 => Severity::Error,
            1 => Severity::Warning,
            2 => Severity::Info,
            _ => return None,
        };
        Some(Diagnostic::new(path, line, column, severity, r.string()?))
    })?;
    let kinds = Kinds::of(&items);
    let note = Note {
        path: path.to_owned(),
        name,
        kind,
        properties,
        date,
        body: String::new(),
        body_line,
        items,
        block_ids,
        tags,
        digest,
        path_digest,
        ledger,
        listing,
        kinds,
        links,
    };
    Some((note, diagnostics))
}

fn note_links(r: &mut Reader<'_>) -> Option<Links> {
    Some(Links {
        links: r.list(|r| {
            let (line, column, target) = (r.usize()?, r.usize()?, r.string()?);
            let flags = r.u8()?;
            (flags < 4).then_some(NoteLink {
                line,
                column,
                target,
                wikilink: flags & 1 != 0,
                embed: flags & 2 != 0,
            })
        })?,
        anchors: r.strings()?,
    })
}

fn put_properties(out: &mut Vec<u8>, p: &Properties) {
    put_option_str(out, p.kind.as_deref());
    match &p.date {
        DateProperty::Missing => out.push(0),
        DateProperty::Valid(date) => {
            out.push(1);
            put_date(out, Some(*date));
        }
        DateProperty::Invalid(text) => {
            out.push(2);
            put_str(out, text);
        }
    }
    put_strings(out, &p.with);
    put_option_str(out, p.template.as_deref());
    put_date(out, p.recap_sent);
    put_strings(out, &p.tags);
    put_strings(out, &p.aliases);
    out.push(match p.publish {
        None => 0,
        Some(false) => 1,
        Some(true) => 2,
    });
    out.push(u8::from(p.draft));
    // Any YAML value: kept as JSON text.
    put_str(out, &serde_json::Value::Object(p.extra.clone()).to_string());
    put_usize(out, p.lines.len());
    for (key, line) in &p.lines {
        put_str(out, key);
        put_usize(out, *line);
    }
    out.push(u8::from(p.unreadable));
}

fn properties(r: &mut Reader<'_>) -> Option<Properties> {
    let kind = r.option_string()?;
    let date = match r.u8()? {
        0 => DateProperty::Missing,
        1 => DateProperty::Valid(r.date()??),
        2 => DateProperty::Invalid(r.string()?),
        _ => return None,
    };
    let with = r.strings()?;
    let template = r.option_string()?;
    let recap_sent = r.date()?;
    let tags = r.strings()?;
    let aliases = r.strings()?;
    let publish = match r.u8()? {
        0 => None,
        1 => Some(false),
        2 => Some(true),
        _ => return None,
    };
    let draft = r.bool()?;
    let extra = match serde_json::from_str(r.str()?).ok()? {
        serde_json::Value::Object(map) => map,
        _ => return None,
    };
    let lines = r.list(|r| Some((r.string()?, r.usize()?)))?;
    let unreadable = r.bool()?;
    Some(Properties {
        kind,
        date,
        with,
        template,
        recap_sent,
        tags,
        aliases,
        publish,
        draft,
        extra,
        lines,
        unreadable,
    })
}

fn put_item(out: &mut Vec<u8>, item: &Item) {
    out.push(Kind::ALL.iter().position(|k| *k == item.kind).unwrap_or(0) as u8);
    put_str(out, &item.section);
    put_usize(out, item.line);
    put_usize(out, item.column);
    put_usize(out, item.offset);
    put_str(out, &item.text);
    out.push(match item.status {
        None => 0,
        Some(Status::Open) => 1,
        Some(Status::InProgress) => 2,
        Some(Status::Done) => 3,
        Some(Status::Declined) => 4,
    });
    put_str(out, &item.id);
    out.push(u8::from(item.explicit_id));
    put_option_str(out, item.outcome.as_deref());
    for date in [item.done, item.cancelled, item.created, item.due] {
        put_date(out, date);
    }
    put_strings(out, &item.details);
    put_strings(out, &item.tags);
    put_usize(out, item.fields.len());
    for (key, value) in &item.fields {
        put_str(out, key);
        put_str(out, value);
    }
}

fn item(r: &mut Reader<'_>) -> Option<Item> {
    Some(Item {
        kind: *Kind::ALL.get(usize::from(r.u8()?))?,
        section: r.str()?.into(),
        line: r.usize()?,
        column: r.usize()?,
        offset: r.usize()?,
        text: r.string()?,
        status: match r.u8()? {
            0 => None,
            1 => Some(Status::Open),
            2 => Some(Status::InProgress),
            3 => Some(Status::Done),
            4 => Some(Status::Declined),
            _ => return None,
        },
        id: r.string()?,
        explicit_id: r.bool()?,
        outcome: r.option_string()?,
        done: r.date()?,
        cancelled: r.date()?,
        created: r.date()?,
        due: r.date()?,
        details: r.strings()?,
        tags: r.strings()?,
        fields: r.list(|r| Some((r.string()?, r.string()?)))?,
    })
}

fn note_kind_code(kind: NoteKind) -> u8 {
    match kind {
        NoteKind::OneOnOne => 0,
        NoteKind::RubberDuck => 1,
        NoteKind::SkipLevel => 2,
        NoteKind::Ordinary => 3,
    }
}

fn note_kind(code: u8) -> Option<NoteKind> {
    Some(match code {
        0 => NoteKind::OneOnOne,
        1 => NoteKind::RubberDuck,
        2 => NoteKind::SkipLevel,
        3 => NoteKind::Ordinary,
        _ => return None,
    })
}

/// A number in as few bytes as it needs: seven bits a byte, low bits first, the high bit set
/// on every byte but the last (LEB128). Most numbers here (lengths, lines) take one byte.
fn put_u64(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn put_usize(out: &mut Vec<u8>, n: usize) {
    put_u64(out, n as u64);
}

fn put_str(out: &mut Vec<u8>, text: &str) {
    put_usize(out, text.len());
    out.extend_from_slice(text.as_bytes());
}

fn put_option_str(out: &mut Vec<u8>, text: Option<&str>) {
    match text {
        None => out.push(0),
        Some(text) => {
            out.push(1);
            put_str(out, text);
        }
    }
}

fn put_strings(out: &mut Vec<u8>, list: &[String]) {
    put_usize(out, list.len());
    for text in list {
        put_str(out, text);
    }
}

/// A date as its day number from the common era (year 0 and before are below 1).
fn put_date(out: &mut Vec<u8>, date: Option<Date>) {
    use chrono::Datelike;
    match date {
        None => out.push(0),
        Some(date) => {
            out.push(1);
            put_u64(out, i64::from(date.num_days_from_ce()) as u64);
        }
    }
}

/// Reads what the `put_` functions wrote; every read is checked, and a short or strange input
/// gives None, never a panic.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.0.len() {
            return None;
        }
        let (taken, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(taken)
    }

    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn bool(&mut self) -> Option<bool> {
        match self.u8()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    fn u64(&mut self) -> Option<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.u8()?;
            // The tenth byte may hold only the one bit left of 64.
            if shift == 63 && byte > 1 {
                return None;
            }
            n |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return Some(n);
            }
        }
        None
    }

    fn usize(&mut self) -> Option<usize> {
        usize::try_from(self.u64()?).ok()
    }

    fn str(&mut self) -> Option<&'a str> {
        let len = self.usize()?;
        std::str::from_utf8(self.take(len)?).ok()
    }

    fn string(&mut self) -> Option<String> {
        self.str().map(str::to_owned)
    }

    fn option_string(&mut self) -> Option<Option<String>> {
        match self.u8()? {
            0 => Some(None),
            1 => Some(Some(self.string()?)),
            _ => None,
        }
    }

    fn strings(&mut self) -> Option<Vec<String>> {
        self.list(Reader::string)
    }

    /// A count, then that many of `one`. The count is not trusted for room: a damaged file
    /// cannot make it reserve more than its own length.
    fn list<T>(&mut self, mut one: impl FnMut(&mut Reader<'a>) -> Option<T>) -> Option<Vec<T>> {
        let count = self.usize()?;
        let mut list = Vec::with_capacity(count.min(self.0.len()));
        for _ in 0..count {
            list.push(one(self)?);
        }
        Some(list)
    }

    /// A date written by `put_date`: Some(None) for none.
    fn date(&mut self) -> Option<Option<Date>> {
        match self.u8()? {
            0 => Some(None),
            1 => {
                let days = i32::try_from(self.u64()? as i64).ok()?;
                Some(Some(Date::from_num_days_from_ce_opt(days)?))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every note of the sample vault (with its links, but for one), and one with every
    /// property and item field set.
    fn notes() -> &'static [(Note, Vec<Diagnostic>)] {
        static NOTES: std::sync::OnceLock<Vec<(Note, Vec<Diagnostic>)>> =
            std::sync::OnceLock::new();
        NOTES.get_or_init(read_notes)
    }

    fn read_notes() -> Vec<(Note, Vec<Diagnostic>)> {
        let vault = crate::vault::load(Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/sample-vault"
        )));
        let mut notes: Vec<_> = vault
            .notes
            .iter()
            .map(|n| {
                let mut note = (**n).clone();
                note.links = Some(Box::new(Links::read(&note, &note.body, "")));
                (note, Vec::new())
            })
            .collect();
        notes[0].0.links = None;
        let full = "---\ntype: skip-level\ndate: 0000-12-31\nwith: [\"[[A]]\", \"[[B]]\"]\n\
            template: t\nrecap_sent: 2026-01-02\ntags: [x, y]\naliases: [z]\npublish: false\n\
            draft: true\nodd: {a: [1, 2.5, null, true]}\n---\n\
            ## What do you need from me to ensure your success?\n\
            - [/] Ask é #tag ➕ 2026-01-01 📅 2026-02-01 ✅ 2026-03-01 ❌ 2026-04-01 outcome:: yes ^ask\n\
            \x20 - detail\n\x20 - k:: v\n- [ ] Ask again\n\
            ## Outcomes\n- Decided ^dec\n- Bad ^dec\n\
            See [[Other#Goals|the goals]], ![[chart.png]] and [a file](docs/a%20b.pdf). ^para\n";
        let config = crate::config::Config::default();
        let mut diagnostics = Vec::new();
        let mut note = crate::note::parse("1-1s/full.md", full, &config, &mut diagnostics);
        note.links = Some(Box::new(Links::read(&note, &note.body, full)));
        assert_eq!(note.links.as_ref().unwrap().links.len(), 3);
        assert!(!diagnostics.is_empty(), "the duplicate ID is reported");
        let ask = &note.items[0];
        assert!(ask.done.is_some() && ask.cancelled.is_some() && ask.created.is_some());
        assert!(ask.due.is_some() && ask.outcome.is_some() && ask.explicit_id);
        assert!(!ask.details.is_empty() && !ask.fields.is_empty() && !ask.tags.is_empty());
        assert!(!note.properties.extra.is_empty() && note.properties.publish == Some(false));
        assert_eq!(
            note.properties.date,
            DateProperty::Valid(Date::from_ymd_opt(0, 12, 31).unwrap())
        );
        notes.push((note, diagnostics));
        let unreadable = crate::note::parse("x.md", "---\n: [\n---\n", &config, &mut Vec::new());
        notes.push((unreadable, Vec::new()));
        notes
    }

    fn encoded(note: &Note, diagnostics: &[Diagnostic]) -> Vec<u8> {
        let mut out = Vec::new();
        encode(&mut out, note, diagnostics);
        out
    }

    #[test]
    fn a_note_comes_back_as_it_was_read_without_its_body() {
        for (note, diagnostics) in notes() {
            let bytes = encoded(note, diagnostics);
            let (back, back_diagnostics) = decode(&mut Reader(&bytes), &note.path, true).unwrap();
            let mut expected = note.clone();
            expected.body = String::new();
            assert_eq!(
                format!("{back:?}"),
                format!("{expected:?}"),
                "{}",
                note.path
            );
            assert_eq!(&back_diagnostics, diagnostics, "{}", note.path);
        }
    }

    #[test]
    fn a_cache_file_gives_back_each_note_by_path_and_digest() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("v.notes");
        let mut notes = notes().to_vec();
        notes.sort_by(|a, b| crate::vault::walk_order(&a.0.path, &b.0.path));
        let entries: Vec<Entry<'_>> = notes
            .iter()
            .map(|(note, diagnostics)| Entry {
                path: &note.path,
                digest: note.digest,
                note,
                diagnostics,
                anew: true,
            })
            .collect();
        write(&file, &Cache::default(), &entries).unwrap();
        let cache = Cache::read(&file);
        assert_eq!(cache.len(), notes.len());
        for (note, _) in &notes {
            let (back, _) = cache.get(&note.path, note.digest, true).expect("held");
            assert_eq!(back.links, note.links);
            let (without, _) = cache.get(&note.path, note.digest, false).unwrap();
            assert_eq!(without.links, None, "read only when asked for");
            assert_eq!(back.items, note.items);
            assert!(
                cache.get(&note.path, note.digest ^ 1, true).is_none(),
                "another text"
            );
        }
        assert!(cache.get("not/there.md", 0, true).is_none());
        // Written again from the old cache, a note is copied as it was.
        let copied: Vec<Entry<'_>> = entries
            .iter()
            .map(|entry| Entry {
                anew: false,
                ..*entry
            })
            .collect();
        write(&file, &cache, &copied).unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), cache.bytes);
    }

    #[test]
    fn a_note_read_anew_replaces_what_the_cache_held_for_the_same_text() {
        // `new` keeps notes without their links; `check` reads them and the cache must then
        // hold them, though the text (and so the digest) is the same.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("v.notes");
        let (full, diagnostics) = notes()
            .iter()
            .find(|(note, _)| note.path == "1-1s/full.md")
            .unwrap();
        let mut without = full.clone();
        without.links = None;
        let entry = |note, anew| Entry {
            path: &full.path,
            digest: full.digest,
            note,
            diagnostics,
            anew,
        };
        write(&file, &Cache::default(), &[entry(&without, true)]).unwrap();
        let held = Cache::read(&file);
        assert_eq!(
            held.get(&full.path, full.digest, true).unwrap().0.links,
            None
        );
        // Copied as it was, unless read anew.
        write(&file, &held, &[entry(full, false)]).unwrap();
        assert_eq!(
            Cache::read(&file)
                .get(&full.path, full.digest, true)
                .unwrap()
                .0
                .links,
            None
        );
        write(&file, &held, &[entry(full, true)]).unwrap();
        assert_eq!(
            Cache::read(&file)
                .get(&full.path, full.digest, true)
                .unwrap()
                .0
                .links,
            full.links
        );
    }

    #[test]
    fn a_length_past_the_end_of_the_file_is_no_cache() {
        // Found by the fuzz target: one entry whose length is the largest number there is.
        let mut body = Vec::new();
        put_usize(&mut body, 1);
        put_str(&mut body, "a.md");
        put_u64(&mut body, 7);
        put_u64(&mut body, u64::MAX);
        body.extend_from_slice(b"short");
        let cache = Cache::from_bytes(sealed(&body));
        assert!(cache.is_empty());
    }

    #[test]
    fn a_note_cut_short_anywhere_does_not_decode() {
        for (note, diagnostics) in notes() {
            let bytes = encoded(note, diagnostics);
            for cut in 0..bytes.len() {
                assert!(
                    decode(&mut Reader(&bytes[..cut]), "x.md", true).is_none(),
                    "{cut}"
                );
            }
        }
    }

    proptest! {
        #[test]
        fn a_real_note_with_bytes_changed_never_panics(
            which in any::<prop::sample::Index>(),
            edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..3, any::<u8>()), 1..8),
        ) {
            // The bytes of a real note, changed the way a damaged disk or a fuzzer would:
            // a byte replaced, inserted or removed, where the lengths and tags are.
            let notes = notes();
            let (note, diagnostics) = &notes[which.index(notes.len())];
            let mut bytes = encoded(note, diagnostics);
            for (at, how, byte) in edits {
                let at = at.index(bytes.len() + 1);
                match how {
                    0 if at < bytes.len() => bytes[at] = byte,
                    1 => bytes.insert(at, byte),
                    _ if at < bytes.len() => {
                        bytes.remove(at);
                    }
                    _ => {}
                }
            }
            let _ = decode(&mut Reader(&bytes), &note.path, true);
        }

        #[test]
        fn any_bytes_read_as_a_cache_or_a_note_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
            let _ = index(&bytes);
            let _ = decode(&mut Reader(&bytes), "x.md", true);
            // And behind a valid header and checksum.
            let cache = Cache::from_bytes(sealed(&bytes));
            for (path, digest) in cache.keys() {
                let _ = cache.get(path, digest, true);
            }
        }
    }
}
