//! One note read into typed properties and the items of its sections.

use crate::config::{Config, Kind};
use crate::date::{self, Date};
use crate::diagnostic::{Diagnostic, LineIndex};
use crate::frontmatter::{self, Properties};
use crate::markdown::{self, Element};
use crate::task::{self, Status};

/// What a note is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoteKind {
    OneOnOne,
    RubberDuck,
    SkipLevel,
    /// Any other note: published only with `publish: true`.
    Ordinary,
}

impl NoteKind {
    /// The meeting kind named by a `type` property.
    pub fn from_type(name: &str) -> Option<NoteKind> {
        match name.trim().to_ascii_lowercase().as_str() {
            "one-on-one" | "1:1" | "1-1" | "one-to-one" | "oneonone" => Some(NoteKind::OneOnOne),
            "rubber-duck" | "rubberduck" => Some(NoteKind::RubberDuck),
            "skip-level" | "skiplevel" => Some(NoteKind::SkipLevel),
            _ => None,
        }
    }

    /// The `type` value of this kind.
    pub fn name(self) -> &'static str {
        match self {
            NoteKind::OneOnOne => "one-on-one",
            NoteKind::RubberDuck => "rubber-duck",
            NoteKind::SkipLevel => "skip-level",
            NoteKind::Ordinary => "note",
        }
    }

    /// How pages and packets name this kind.
    pub fn label(self) -> &'static str {
        match self {
            NoteKind::OneOnOne => "1:1",
            NoteKind::RubberDuck => "Rubber-duck 1:1",
            NoteKind::SkipLevel => "Skip-level",
            NoteKind::Ordinary => "Note",
        }
    }

    /// A 1:1, rubber-duck or skip-level meeting.
    pub fn is_meeting(self) -> bool {
        self != NoteKind::Ordinary
    }
}

/// A list item under a recognised section heading of a meeting note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub kind: Kind,
    /// The heading the item stands under.
    pub section: std::sync::Arc<str>,
    pub line: usize,
    pub column: usize,
    /// The byte offset of the item in the body.
    pub offset: usize,
    /// The item's text, without checkbox, fields and block ID (Markdown kept).
    pub text: String,
    /// The checkbox status, for task items.
    pub status: Option<Status>,
    /// The block ID, or the implicit ID made from the text.
    pub id: String,
    /// Whether `id` is a block ID written in the note.
    pub explicit_id: bool,
    pub outcome: Option<String>,
    pub done: Option<Date>,
    pub cancelled: Option<Date>,
    pub created: Option<Date>,
    pub due: Option<Date>,
    /// Nested items that are not inline fields, as text.
    pub details: Vec<String>,
    pub tags: Vec<String>,
    /// Inline fields of the item and its nested items.
    pub fields: Vec<(String, String)>,
}

/// A note read from the vault.
#[derive(Debug, Clone)]
pub struct Note {
    /// The path relative to the vault, with `/` separators.
    pub path: String,
    /// The file name without `.md`.
    pub name: String,
    pub kind: NoteKind,
    pub properties: Properties,
    /// The meeting date: the `date` property, else a date at the start of the file name.
    pub date: Option<Date>,
    /// The text after the properties block, with comments and `[!private]` callouts blanked
    /// out (so nothing private can reach a page), offsets unchanged.
    pub body: String,
    /// The 1-based file line where the body starts.
    pub body_line: usize,
    /// Items of recognised sections (meeting notes only).
    pub items: Vec<Item>,
    /// Every block ID in the note, with its line.
    pub block_ids: Vec<(String, usize)>,
    /// Tags of the properties and the body, lower-cased, without `#`.
    pub tags: Vec<String>,
    /// A hash of the note's text and of the settings it was read with: equal digests, equal
    /// notes.
    pub digest: u64,
    /// A hash of its path: what the site and the ledger compare of it on every rebuild.
    pub path_digest: u64,
    /// A hash of what the ledger reads of the note (its date, person, requests and
    /// follow-ups): an edit that leaves it alone leaves the joined ledger as it was.
    pub ledger: u64,
    /// A hash of what the site's index and lists read of the note (its kind, date, people
    /// and tags): an edit that leaves it alone leaves URLs, people and tags as they were.
    pub listing: u64,
    /// The kinds of its items (see [`Note::kinds`]).
    pub(crate) kinds: Kinds,
    /// Its links and its page's anchors, when `check` has asked for them (see
    /// [`Links::read`]).
    pub links: Option<Box<Links>>,
}

/// What a note links to, and what on its page can be linked to: what `check` holds every link
/// of the vault against.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Links {
    pub links: Vec<NoteLink>,
    /// The IDs of its page's headings and block anchors, as links name them after `#`,
    /// sorted.
    pub anchors: Vec<String>,
}

/// A link or embed in a note, at its place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteLink {
    pub line: usize,
    pub column: usize,
    /// What it points to: a wikilink's text without its alias, or a Markdown link's URL.
    pub target: String,
    pub wikilink: bool,
    pub embed: bool,
}

impl Links {
    /// The links of `note`, read from its redacted `body` (see [`body_of`]) as the site
    /// renders it: links in code, comments and private callouts are none. The links in its
    /// properties' values come first, placed where they are in its `text`.
    pub fn read(note: &Note, body: &str, text: &str) -> Links {
        let linkage = markdown::html::linkage(body);
        // Columns count the characters of the body as written: a comment blanked out keeps
        // its bytes' offsets and its lines, but not its count of characters (`%% é %%` is
        // seven characters and eight spaces).
        let written = Some(crate::frontmatter::split(text).body)
            .filter(|written| written.len() == body.len())
            .unwrap_or(body);
        // And a link in a line that began with a comment was moved to where the comment was.
        let moves = markdown::strip_comments_moving(written).1;
        let index = LineIndex::new(written);
        // The links come in the order of the text: the column of each is counted on from
        // the last one's on the same line, not from the line's start (a line of thousands of
        // links would cost its length for each).
        let mut last: Option<(usize, (usize, usize))> = None;
        let mut links = property_links(note, text);
        let body_links = linkage.links.into_iter().map(|link| {
            let here = moves.original(link.at);
            let (line, column) = match last {
                Some((at, (line, column))) if at <= here && !written[at..here].contains('\n') => {
                    (line, column + written[at..here].chars().count())
                }
                _ => index.position(here),
            };
            last = Some((here, (line, column)));
            NoteLink {
                line: note.body_line + line - 1,
                column,
                target: link.target,
                wikilink: link.wikilink,
                embed: link.embed,
            }
        });
        links.extend(body_links);
        let mut anchors = linkage.anchors;
        anchors.sort_unstable();
        anchors.dedup();
        Links { links, anchors }
    }
}

/// The links in the values of the properties a note's page lists (`related: "[[Plan]]"`), as
/// the page shows them: not those of `with`, `tags` and the other keys upward reads itself, nor
/// of the publishing keys. Each is placed at the first place after the last one's where its
/// target is written in `text`, or, where it is not written as it is read (a YAML escape), at
/// the start of its key's line.
fn property_links(note: &Note, text: &str) -> Vec<NoteLink> {
    let properties = &note.properties;
    let mut found = Vec::new();
    for (key, value) in &properties.extra {
        if crate::frontmatter::PUBLISHING_KEYS.contains(&key.as_str()) {
            continue;
        }
        let values: Vec<&str> = match value {
            serde_json::Value::String(text) => vec![text.as_str()],
            serde_json::Value::Array(items) => items.iter().filter_map(|v| v.as_str()).collect(),
            _ => Vec::new(),
        };
        if !values.iter().any(|v| v.contains("[[") || v.contains("](")) {
            continue;
        }
        let Some(line) = properties.line_of(key) else {
            continue;
        };
        // The key's lines: its own, and those of its list up to the next key or the body.
        let end = properties
            .lines
            .iter()
            .map(|&(_, l)| l)
            .filter(|&l| l > line)
            .min()
            .unwrap_or(note.body_line.saturating_sub(1))
            .max(line + 1);
        let lines: Vec<&str> = text
            .lines()
            .skip(line.saturating_sub(1))
            .take(end - line)
            .collect();
        let mut from = (0, 0);
        for value in values {
            for link in markdown::html::linkage(value).links {
                let (line, column) = written_at(&lines, &mut from, &link.target)
                    .map_or((line, 1), |(at, column)| (line + at, column));
                found.push(NoteLink {
                    line,
                    column,
                    target: link.target,
                    wikilink: link.wikilink,
                    embed: link.embed,
                });
            }
        }
    }
    found
}

/// Where `target` is next written in `lines` from `from` (a line and a byte offset, moved on
/// past it): the line's index and the 1-based column of the link's start: its `[[` or `![[`,
/// or the `[` (or `![`) of a Markdown link's text.
fn written_at(lines: &[&str], from: &mut (usize, usize), target: &str) -> Option<(usize, usize)> {
    for (at, line) in lines.iter().enumerate().skip(from.0) {
        let start = if at == from.0 { from.1 } else { 0 };
        let Some(found) = line.get(start..).and_then(|rest| rest.find(target)) else {
            continue;
        };
        let offset = start + found;
        *from = (at, offset + target.len().max(1));
        let before = &line[..offset];
        let start = if let Some(text) = before.strip_suffix("](") {
            let open = text.rfind('[').unwrap_or(text.len());
            open - usize::from(text[..open].ends_with('!'))
        } else {
            let opening = ["![[", "[["]
                .into_iter()
                .find(|o| before.ends_with(o))
                .map_or(0, str::len);
            before.len() - opening
        };
        return Some((at, before[..start].chars().count() + 1));
    }
    None
}

/// The body of a note's `text` as it is kept: after the properties block, with comments and
/// private callouts blanked out.
pub fn body_of(text: &str) -> std::borrow::Cow<'_, str> {
    markdown::redact(frontmatter::split(text).body)
}

/// Kinds of items, one bit each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Kinds(u16);

impl Kinds {
    /// The kinds of `items`.
    pub(crate) fn of(items: &[Item]) -> Kinds {
        Kinds(
            items
                .iter()
                .fold(0, |kinds, item| kinds | kind_bit(item.kind)),
        )
    }

    /// Whether `kind` is one of them.
    pub fn has(self, kind: Kind) -> bool {
        self.0 & kind_bit(kind) != 0
    }
}

impl Note {
    /// Whether the note belongs on the site: meetings unless `publish: false`, other notes only
    /// with `publish: true`; `draft: true` keeps any note off.
    pub fn published(&self) -> bool {
        if self.properties.draft {
            return false;
        }
        match self.properties.publish {
            Some(publish) => publish,
            None => self.kind.is_meeting(),
        }
    }

    /// Its `permalink` (a key of Obsidian Publish): the name its page's address takes instead
    /// of the note's, when it is set and not blank.
    pub fn permalink(&self) -> Option<&str> {
        let permalink = self.properties.extra.get("permalink")?.as_str()?;
        Some(permalink.trim().trim_matches('/')).filter(|p| !p.is_empty())
    }

    /// The meeting as pages and packets name it: `1:1 with Dana Whitaker`.
    pub fn meeting_title(&self) -> String {
        let label = self.kind.label();
        match self.person() {
            Some(person) => {
                // Not format!: the site asks this of every meeting of every list.
                let mut title = String::with_capacity(label.len() + 6 + person.len());
                title.push_str(label);
                title.push_str(" with ");
                title.push_str(person);
                title
            }
            None => label.to_owned(),
        }
    }

    /// Keeps only what the ledger reads: the body goes, and every item but requests and
    /// follow-ups.
    pub fn keep_ledger_only(&mut self) {
        self.body = String::new();
        self.items
            .retain(|item| matches!(item.kind, Kind::Requests | Kind::FollowUps));
        self.kinds = Kinds::of(&self.items);
    }

    /// The kinds of its items: the site's lists ask this of every note, without reading
    /// every item.
    pub fn kinds(&self) -> Kinds {
        self.kinds
    }

    /// The person the meeting was with: the first `with`.
    pub fn person(&self) -> Option<&str> {
        self.properties.with.first().map(String::as_str)
    }
}

/// The digest a note read from `text` with `config` has (see [`Note::digest`]).
pub fn digest_of(text: &str, config: &Config) -> u64 {
    xxhash_rust::xxh3::xxh3_64_with_seed(text.as_bytes(), config.reading())
}

/// Reads one note. `text` has no byte-order mark; every problem becomes a diagnostic.
pub fn parse(path: &str, text: &str, config: &Config, diagnostics: &mut Vec<Diagnostic>) -> Note {
    let split = frontmatter::split(text);
    let properties = frontmatter::parse(path, &split, diagnostics);
    let name = path
        .rsplit('/')
        .next()
        .unwrap_or(path)
        .trim_end_matches(".md")
        .to_owned();
    let in_meetings = !config.meetings.is_empty()
        && path.starts_with(&config.meetings)
        && path[config.meetings.len()..].starts_with('/');
    let kind = match properties.kind.as_deref() {
        Some(name) => NoteKind::from_type(name).unwrap_or(NoteKind::Ordinary),
        None if in_meetings => NoteKind::OneOnOne,
        None => NoteKind::Ordinary,
    };
    let date = meeting_date(path, &name, kind, &properties, diagnostics);
    let index = LineIndex::new(text);
    let body_line = index.position(split.body_offset).0;
    let (stripped, moves) = markdown::redact_moving(split.body);
    let mut note = Note {
        path: path.to_owned(),
        name,
        kind,
        date,
        body: String::new(),
        body_line,
        items: Vec::new(),
        block_ids: Vec::new(),
        tags: Vec::new(),
        digest: digest_of(text, config),
        path_digest: crate::digest::of(path),
        ledger: 0,
        listing: 0,
        kinds: Kinds::default(),
        links: None,
        properties,
    };
    // Positions in the file: text that taking a comment out moved is placed where it is
    // written.
    let position = |offset: usize| index.position(split.body_offset + moves.original(offset));
    note.block_ids = block_ids(&stripped, &position, path, diagnostics);
    if kind.is_meeting() {
        note.items = items(&stripped, config, &position);
        check_request_ids(&note, diagnostics);
    }
    let mut tags: Vec<String> = note
        .properties
        .tags
        .iter()
        .map(|t| t.to_lowercase())
        .collect();
    tags.extend(body_tags(&stripped));
    tags.sort();
    tags.dedup();
    note.tags = tags;
    note.body = stripped.into_owned();
    note.kinds = Kinds::of(&note.items);
    note.ledger = ledger_digest(&note);
    note.listing = crate::digest::of(&(
        note.kind,
        note.date,
        &note.properties.with,
        &note.tags,
        note.permalink(),
    ));
    note
}

fn kind_bit(kind: Kind) -> u16 {
    1 << kind as u16
}

/// What [`crate::model`] reads of a note, hashed.
fn ledger_digest(note: &Note) -> u64 {
    use std::hash::Hash;
    crate::digest::with(|h| {
        (note.kind, note.date, note.person()).hash(h);
        // With its index: a mention is the note's item at that index.
        for (index, item) in note
            .items
            .iter()
            .enumerate()
            .filter(|(_, i)| matches!(i.kind, Kind::Requests | Kind::FollowUps))
        {
            (
                index,
                item.kind,
                &item.text,
                item.status,
                &item.id,
                item.explicit_id,
                &item.outcome,
                (item.done, item.cancelled, item.created),
                (item.line, item.column),
            )
                .hash(h);
        }
    })
}

fn meeting_date(
    path: &str,
    name: &str,
    kind: NoteKind,
    properties: &Properties,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Date> {
    use frontmatter::DateProperty;
    let from_name = name.get(..10).and_then(date::parse);
    match &properties.date {
        DateProperty::Valid(day) => Some(*day),
        _ if !kind.is_meeting() => from_name,
        DateProperty::Invalid(text) => {
            let line = properties.line_of("date").unwrap_or(1);
            diagnostics.push(Diagnostic::error(
                path,
                line,
                1,
                format!("`date: {text}` is not a valid date; write it as YYYY-MM-DD"),
            ));
            from_name
        }
        // Unreadable properties are reported once, not again as a missing date.
        DateProperty::Missing if properties.unreadable => from_name,
        DateProperty::Missing => {
            diagnostics.push(Diagnostic::error(
                path,
                properties.line_of("date").unwrap_or(1),
                1,
                "this 1:1 note has no `date` property; add `date: YYYY-MM-DD` to its properties",
            ));
            from_name
        }
    }
}

pub use crate::config::heading_key;

/// The kind of section a heading opens, from the configured table: the longest heading of the
/// table that the heading is, or starts with as whole words.
pub fn section_kind(heading: &str, config: &Config) -> Option<Kind> {
    config.section_of_key(&heading_key(heading))
}

/// An open section: its kind and heading, shared by its items.
type Section = (Kind, std::sync::Arc<str>);

fn items(body: &str, config: &Config, position: &dyn Fn(usize) -> (usize, usize)) -> Vec<Item> {
    let outline = markdown::outline(body);
    // Room for every top-level item: an item is large, and growing the list copies it.
    let top_level = outline
        .iter()
        .filter(|e| {
            matches!(
                e,
                Element::ListItem {
                    depth: 1,
                    quoted: false,
                    ..
                }
            )
        })
        .count();
    let mut items: Vec<Item> = Vec::with_capacity(top_level);
    // Headings open sections; a heading the table does not know, below a known one, stays in
    // it (`### Infra` under `## Help`), and one at the same level or above ends it.
    let mut sections: Vec<(u8, Option<Section>)> = Vec::new();
    for element in outline {
        match element {
            Element::Heading { level, text, .. } => {
                while sections.last().is_some_and(|(l, _)| *l >= level) {
                    sections.pop();
                }
                // The heading text is shared by every item under it.
                let section = match section_kind(&text, config) {
                    Some(kind) => Some((kind, std::sync::Arc::from(text))),
                    None => sections
                        .last()
                        .and_then(|(_, s)| s.as_ref())
                        .map(|(kind, _)| (*kind, std::sync::Arc::from(text))),
                };
                sections.push((level, section));
            }
            Element::ListItem { depth, own, quoted } => {
                if quoted {
                    continue;
                }
                let Some((kind, heading)) = sections.last().and_then(|(_, s)| s.clone()) else {
                    continue;
                };
                let parsed = task::parse(&body[own.clone()]);
                if depth == 1 {
                    let (line, column) = position(own.start);
                    let mut item = new_item(kind, heading, line, column, parsed);
                    item.offset = own.start;
                    items.push(item);
                } else if let Some(parent) = items.last_mut() {
                    add_detail(parent, parsed);
                }
            }
        }
    }
    items.retain(|item| !item.text.is_empty() || item.explicit_id);
    items.shrink_to_fit();
    items
}

fn new_item(
    kind: Kind,
    section: std::sync::Arc<str>,
    line: usize,
    column: usize,
    parsed: task::ItemText,
) -> Item {
    let status = if kind.is_tracked() {
        Some(parsed.checkbox.map_or(Status::Open, Status::from_checkbox))
    } else {
        parsed.checkbox.map(Status::from_checkbox)
    };
    let (id, explicit_id) = match &parsed.block_id {
        Some(id) => (id.clone(), true),
        None => (task::implicit_id(&plain(&parsed.text)), false),
    };
    Item {
        kind,
        section,
        line,
        column,
        offset: 0,
        outcome: parsed.field("outcome").map(str::to_owned),
        status,
        id,
        explicit_id,
        done: parsed.done,
        cancelled: parsed.cancelled,
        created: parsed.created,
        due: parsed.due,
        details: Vec::new(),
        tags: parsed.tags,
        fields: parsed.fields,
        text: parsed.text,
    }
}

fn add_detail(parent: &mut Item, parsed: task::ItemText) {
    if let Some(outcome) = parsed.field("outcome") {
        parent.outcome = Some(outcome.to_owned());
    }
    parent.done = parent.done.or(parsed.done);
    parent.cancelled = parent.cancelled.or(parsed.cancelled);
    parent.fields.extend(parsed.fields);
    if !parsed.text.is_empty() {
        parent.details.push(parsed.text);
    }
}

/// The words of a Markdown text without link and emphasis markup: `[[a|b]]` gives `b`.
pub fn plain_text(text: &str) -> String {
    plain(text).into_owned()
}

/// [`plain_text`], borrowing a text without markup.
fn plain(text: &str) -> std::borrow::Cow<'_, str> {
    if !text
        .bytes()
        .any(|b| matches!(b, b'[' | b'*' | b'_' | b'`' | b'=' | b'~'))
    {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("[[") {
        out.push_str(&rest[..start]);
        let inner = &rest[start + 2..];
        match inner.find("]]") {
            Some(end) => {
                let link = &inner[..end];
                let shown = link.rsplit('|').next().unwrap_or(link);
                out.push_str(shown.rsplit('/').next().unwrap_or(shown));
                rest = &inner[end + 2..];
            }
            None => {
                out.push_str("[[");
                rest = inner;
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out.replace(['*', '_', '`', '=', '~'], ""))
}

fn block_ids(
    body: &str,
    position: &dyn Fn(usize) -> (usize, usize),
    path: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<(String, usize)> {
    let mut found: Vec<(String, usize)> = Vec::new();
    // The line of each ID's first use.
    let mut first_lines: crate::seen::Seen<usize> = Default::default();
    for (caret, id) in markdown::block_id_lines(body) {
        let id = id.to_owned();
        let (line_number, column) = position(caret);
        if let Some(first) = first_lines.get(&id) {
            diagnostics.push(Diagnostic::error(
                path,
                line_number,
                column,
                format!(
                    "block ID ^{id} is already used on line {first}; Obsidian links only to the first"
                ),
            ));
        }
        first_lines.insert(id.clone(), line_number);
        found.push((id, line_number));
    }
    found
}

fn check_request_ids(note: &Note, diagnostics: &mut Vec<Diagnostic>) {
    for item in note
        .items
        .iter()
        .filter(|i| i.kind.is_tracked() && !i.explicit_id)
    {
        let what = if item.kind == Kind::Requests {
            "request"
        } else {
            "follow-up"
        };
        diagnostics.push(Diagnostic::warning(
            &note.path,
            item.line,
            item.column,
            format!(
                "{what} has no block ID, so it is joined to other notes by its wording only; \
                 end the line with ` ^{}` to follow it as the wording changes",
                item.id
            ),
        ));
    }
}

fn body_tags(body: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut fence = false;
    // With their line breaks, which no tag takes in.
    for line in markdown::lines_inclusive(body) {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = !fence;
            continue;
        }
        if fence || trimmed.starts_with("#") && trimmed.trim_start_matches('#').starts_with(' ') {
            // Headings are not tags.
            if !fence {
                found.extend(task::tags(trimmed.trim_start_matches('#')));
            }
            continue;
        }
        found.extend(task::tags(line));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &str, text: &str) -> (Note, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let note = parse(path, text, &Config::default(), &mut diagnostics);
        (note, diagnostics)
    }

    #[test]
    fn headings_of_both_agendas_are_recognised() {
        let config = Config::default();
        let cases = [
            ("Help / Resources / Action Needed", Some(Kind::Requests)),
            (
                "What do you need from me to ensure your success?",
                Some(Kind::Requests),
            ),
            ("Recent wins and completions", Some(Kind::Wins)),
            ("Upcoming and high priorities", Some(Kind::Priorities)),
            ("What did you love at work this week?", Some(Kind::Loves)),
            (
                "What was the most frustrating thing?",
                Some(Kind::Frustrations),
            ),
            ("What are you learning?", Some(Kind::Learning)),
            ("What else is top of mind?", Some(Kind::TopOfMind)),
            (
                "Status of tasks you asked me to follow up on",
                Some(Kind::FollowUps),
            ),
            ("Outcomes, decisions, agreements", Some(Kind::Outcomes)),
            ("OUTCOMES", Some(Kind::Outcomes)),
            ("Helpful links", None),
            ("Notes", None),
        ];
        for (heading, kind) in cases {
            assert_eq!(section_kind(heading, &config), kind, "{heading}");
        }
    }

    #[test]
    fn items_take_the_kind_of_their_section() {
        let text = "---\ntype: one-on-one\ndate: 2026-11-20\nwith: \"[[Dana]]\"\n---\n\
# 1:1\n## Wins\n- Shipped it ^win-1\n## Help\n- [ ] Budget ^budget\n    - Dana: asking finance\n\
### Infra\n- [/] Access ^access\n## Notes\n- not an item\n## Outcomes\n### Decisions\n- We ship\n";
        let (note, diagnostics) = read("1-1s/a.md", text);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let kinds: Vec<_> = note
            .items
            .iter()
            .map(|i| (i.kind, i.id.as_str(), i.line))
            .collect();
        assert_eq!(
            kinds,
            [
                (Kind::Wins, "win-1", 8),
                (Kind::Requests, "budget", 10),
                (Kind::Requests, "access", 13),
                (Kind::Outcomes, "we-ship", 18)
            ]
        );
        assert_eq!(note.items[1].details, ["Dana: asking finance"]);
        assert_eq!(note.items[2].status, Some(Status::InProgress));
        assert_eq!(&*note.items[3].section, "Decisions");
        assert_eq!(note.person(), Some("Dana"));
    }

    #[test]
    fn an_outcome_on_a_nested_item_belongs_to_its_parent() {
        let text = "---\ndate: 2026-11-20\n---\n## Help\n- [x] Headcount ✅ 2026-12-01 ^hc\n    - outcome:: approved\n";
        let (note, _) = read("1-1s/a.md", text);
        assert_eq!(note.items[0].outcome.as_deref(), Some("approved"));
        assert_eq!(note.items[0].done, date::parse("2026-12-01"));
        assert_eq!(note.items[0].status, Some(Status::Done));
    }

    #[test]
    fn commented_and_quoted_items_are_not_items() {
        let text = "---\ndate: 2026-11-20\n---\n## Help\n%% - [ ] secret ^s %%\n> [!private]\n> - [ ] private ^p\n- [ ] public ^pub\n";
        let (note, _) = read("1-1s/a.md", text);
        let ids: Vec<_> = note.items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["pub"]);
    }

    #[test]
    fn a_meeting_without_a_date_is_an_error_with_the_file_name_as_fallback() {
        let (note, diagnostics) = read("1-1s/2026-11-20 Dana.md", "---\nwith: Dana\n---\n");
        assert_eq!(note.date, date::parse("2026-11-20"));
        assert_eq!(diagnostics.len(), 1);
        assert!(diagnostics[0].message.contains("no `date`"));
        let (_, diagnostics) = read("1-1s/x.md", "---\ndate: 2026-02-30\n---\n");
        assert_eq!((diagnostics[0].line, diagnostics[0].column), (2, 1));
    }

    #[test]
    fn a_block_id_used_twice_is_an_error_at_the_second() {
        let text = "---\ndate: 2026-11-20\n---\n## Help\n- [ ] a ^x\n- [ ] b ^x\n";
        let (_, diagnostics) = read("1-1s/a.md", text);
        assert_eq!(diagnostics.len(), 1);
        assert_eq!((diagnostics[0].line, diagnostics[0].column), (6, 9));
        assert!(diagnostics[0].message.contains("already used on line 5"));
    }

    #[test]
    fn block_ids_used_again_are_found_in_a_note_of_thousands() {
        // Each ID was looked for among all the IDs before it: a note of 100,000 took minutes.
        // Before and after the count where the search changes, every repeat is found, at the
        // line of the first use.
        let mut text = String::from("# Notes\n");
        for i in 0..3000 {
            text.push_str(&format!("Paragraph {i}. ^p{i}\n\n"));
        }
        for i in [0, 14, 15, 16, 2999] {
            text.push_str(&format!("Again. ^p{i}\n\n"));
        }
        let (note, diagnostics) = read("notes/a.md", &text);
        assert_eq!(note.block_ids.len(), 3005);
        let firsts: Vec<&str> = diagnostics
            .iter()
            .map(|d| d.message.split("on line ").nth(1).unwrap())
            .collect();
        assert_eq!(
            firsts,
            [
                "2; Obsidian links only to the first",
                "30; Obsidian links only to the first",
                "32; Obsidian links only to the first",
                "34; Obsidian links only to the first",
                "6000; Obsidian links only to the first"
            ]
        );
    }

    #[test]
    fn ordinary_notes_are_private_unless_published() {
        let (n, _) = read("notes/a.md", "# hi\n");
        assert_eq!(n.kind, NoteKind::Ordinary);
        assert!(!n.published());
        let (n, _) = read("notes/a.md", "---\npublish: true\n---\n");
        assert!(n.published());
        let (n, _) = read("1-1s/a.md", "---\ndate: 2026-01-01\npublish: false\n---\n");
        assert!(!n.published());
        let (n, _) = read(
            "elsewhere/a.md",
            "---\ntype: skip-level\ndate: 2026-01-01\n---\n",
        );
        assert_eq!(n.kind, NoteKind::SkipLevel);
        assert!(n.published());
    }

    #[test]
    fn requests_without_a_block_id_are_pointed_out() {
        let text = "---\ndate: 2026-11-20\n---\n## Help\n- [ ] Budget for RustConf\n";
        let (note, diagnostics) = read("1-1s/a.md", text);
        assert_eq!(note.items[0].id, "budget-for-rustconf");
        assert!(!note.items[0].explicit_id);
        assert_eq!(diagnostics.len(), 1);
        assert!(diagnostics[0].message.contains("no block ID"));
    }

    #[test]
    fn crlf_notes_read_like_lf_notes() {
        let lf = "---\ndate: 2026-11-20\n---\n## Help\n- [ ] Budget ^b\n    - outcome:: ok\n";
        let crlf = lf.replace('\n', "\r\n");
        let (mut a, _) = read("1-1s/a.md", lf);
        let (mut b, _) = read("1-1s/a.md", &crlf);
        // Byte offsets differ by the carriage returns; everything else is the same.
        a.items[0].offset = 0;
        b.items[0].offset = 0;
        assert_eq!(a.items, b.items);
    }
}
