//! The static site: every published note, the request ledger with a page per request, wins,
//! decisions, people, tags, a dashboard with charts, and `data.json`. Built from published
//! notes only, so nothing private can reach any page, index or JSON.

pub mod charts;
mod data;
mod fragments;
pub mod output;
mod pages;

use crate::commands::requests::to_json;
use crate::commands::review;
use crate::config::Kind;
use crate::date::Date;
use crate::error::Result;
use crate::links::{Link, LinkIndex};
use crate::markdown::html::{self, Resolver, Target};
use crate::model::{Model, Record, median};
use crate::note::{Note, plain_text};
use crate::slug::slugify;
use crate::task::Status;
use crate::template::{Html, Shared, SiteTemplates};
use crate::vault::Vault;
use fragments::{Fragment, Rooted};
use output::Output;
use rayon::prelude::*;
use serde::Serialize;
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

/// How to build.
#[derive(Debug, Clone)]
pub struct Options {
    /// The output folder.
    pub out: PathBuf,
    /// Build into a folder that holds files upward did not write (they are left alone).
    pub force: bool,
    /// The vault's git provenance when the caller already has it; read from git when `None`.
    pub provenance: Option<std::sync::Arc<crate::provenance::Provenance>>,
}

/// What a build produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// Files the site has (pages, data, styles, attachments).
    pub files: usize,
    /// Pages rendered; the others were rendered from the same inputs by the last build.
    pub rendered: usize,
    pub output: output::Report,
}

#[derive(Serialize, Clone, Copy)]
struct NavItem {
    key: &'static str,
    label: &'static str,
    url: &'static str,
}

/// The navigation, as every page's template gets it.
static SHARED_NAV: std::sync::LazyLock<Shared<[NavItem; 8]>> =
    std::sync::LazyLock::new(|| Shared::new(NAV));

const NAV: [NavItem; 8] = [
    NavItem {
        key: "dashboard",
        label: "Dashboard",
        url: "index.html",
    },
    NavItem {
        key: "meetings",
        label: "Meetings",
        url: "meetings/",
    },
    NavItem {
        key: "requests",
        label: "Requests",
        url: "requests/",
    },
    NavItem {
        key: "wins",
        label: "Wins",
        url: "wins/",
    },
    NavItem {
        key: "decisions",
        label: "Decisions",
        url: "decisions/",
    },
    NavItem {
        key: "people",
        label: "People",
        url: "people/",
    },
    NavItem {
        key: "tags",
        label: "Tags",
        url: "tags/",
    },
    NavItem {
        key: "review",
        label: "Review",
        url: "review/",
    },
];

#[derive(Serialize, Clone)]
struct SiteInfo {
    meetings: usize,
    today: String,
}

/// What every page template gets: the field `common` of each page's context, which
/// [`Spread`](crate::template::Spread) spreads among the page's own.
#[derive(Serialize)]
struct Common<'a> {
    root: &'a str,
    title: String,
    section: &'static str,
    nav: &'static Shared<[NavItem; 8]>,
    /// `nav` as HTML (the template `nav.html`).
    nav_html: Html,
    site: &'a Shared<SiteInfo>,
}

#[derive(Serialize, Clone, Hash)]
struct PersonRef {
    name: String,
    url: String,
}

#[derive(Serialize, Clone, Hash)]
struct MeetingRow {
    url: String,
    title: String,
    date: String,
    kind_label: &'static str,
    requests: usize,
    wins: usize,
}

#[derive(Serialize, Clone, Hash)]
struct RequestRow {
    id: String,
    url: String,
    title: String,
    status: &'static str,
    status_label: &'static str,
    raised: String,
    resolved: Option<String>,
    mentions: usize,
    days_open: i64,
    person: Option<PersonRef>,
    /// The slugs of everyone it was raised with, space-separated, for the ledger filter.
    people: String,
    outcome: Option<String>,
    kind_label: &'static str,
}

#[derive(Serialize)]
struct Property {
    key: String,
    /// The value as HTML: its text, or, where it holds links, the links resolved.
    value: Html,
    url: Option<String>,
}

/// What a note's page shows of its properties: the list under its title, its tags, and the
/// publishing keys of Obsidian Publish that the page takes as settings rather than list.
struct Shown {
    list: Vec<Property>,
    tags: Vec<TagRef>,
    /// `description`: under the title, and the page's `<meta name="description">`.
    description: Option<String>,
    /// `cssclasses` (or the older `cssclass`): classes of the page's article, as Obsidian puts
    /// them on the note's view, for a vault's own stylesheet.
    classes: String,
    /// The site's files the values link to.
    used: BTreeSet<String>,
}

#[derive(Serialize)]
struct TagRef {
    name: String,
    url: String,
    count: usize,
}

fn status_label(status: Status) -> &'static str {
    match status {
        Status::Open => "Open",
        Status::InProgress => "In progress",
        Status::Done => "Done",
        Status::Declined => "Declined",
    }
}

/// A URL path segment: everything but unreserved characters percent-encoded.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Unique slugs in order: the second `a` becomes `a-2`. `status` is taken by the ledger's
/// pages per status.
fn unique_slugs<'n>(names: impl IntoIterator<Item = &'n str>) -> Vec<Cow<'n, str>> {
    let names: Vec<&str> = names.into_iter().collect();
    let slugs: Vec<Cow<str>> = names.par_iter().map(|name| slug_of(name)).collect();
    // Most often they are unique already: then nothing is copied.
    let mut seen: std::collections::HashSet<&str> =
        std::collections::HashSet::with_capacity(slugs.len() + 1);
    seen.insert("status");
    if slugs.iter().all(|slug| seen.insert(slug)) {
        return slugs;
    }
    let mut seen: std::collections::HashSet<String> =
        std::collections::HashSet::with_capacity(slugs.len() + 1);
    seen.insert("status".to_owned());
    slugs
        .into_iter()
        .map(|base| {
            let mut slug = base.to_string();
            let mut n = 2;
            while seen.contains(&slug) {
                slug = format!("{base}-{n}");
                n += 1;
            }
            seen.insert(slug.clone());
            Cow::Owned(slug)
        })
        .collect()
}

/// The slugs of the pages of `notes`, in their order: each note's `permalink` where it has one,
/// else its name, made unique as [`unique_slugs`] makes them. Notes with a permalink come
/// first, so a note that asks for an address gets it, and a note whose name makes the same
/// slug gets `-2`.
fn page_slugs<'n>(notes: &[&'n Note]) -> Vec<Cow<'n, str>> {
    let mut order: Vec<usize> = (0..notes.len()).collect();
    // Stable: in the vault's order within each part.
    order.sort_by_key(|&i| notes[i].permalink().is_none());
    let slugs = unique_slugs(
        order
            .iter()
            .map(|&i| notes[i].permalink().unwrap_or(&notes[i].name)),
    );
    let mut ordered = vec![Cow::Borrowed(""); notes.len()];
    for (i, slug) in order.into_iter().zip(slugs) {
        ordered[i] = slug;
    }
    ordered
}

/// The slug of a name, borrowed when the name is one already (as most IDs are).
fn slug_of(name: &str) -> Cow<'_, str> {
    let plain = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_';
    let bytes = name.as_bytes();
    let is_slug = bytes.first().copied().is_some_and(plain)
        && bytes.last().copied().is_some_and(plain)
        && bytes
            .windows(2)
            .all(|w| plain(w[1]) || (w[1] == b'-' && plain(w[0])));
    if is_slug {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(slugify(name))
    }
}

fn tag_path(tag: &str) -> String {
    tag.split('/')
        .filter(|s| !s.is_empty())
        .map(slugify)
        .collect::<Vec<_>>()
        .join("/")
}

struct Person {
    name: String,
    slug: String,
    note: Option<usize>,
    meetings: Vec<usize>,
}

/// Items shown together on the wins or decisions page: a month's wins, a meeting's outcomes.
struct ItemGroup<'m> {
    /// What the heading says: a month of wins, or a meeting (its kind, person and date).
    heading: Heading<'m>,
    /// The note of the first meeting, whose URL the heading links to.
    first: usize,
    /// The kind of items listed.
    kind: Kind,
    /// The meetings whose items of that kind are listed.
    meetings: &'m [&'m crate::model::Meeting],
}

/// What a group of items is headed by: consecutive meetings with the same heading share it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Heading<'m> {
    Month(i32, u32),
    Meeting(crate::note::NoteKind, Option<&'m str>, Date),
}

/// Resolves links of one note for a page `root` levels below the site root.
struct PageLinks<'s> {
    site: &'s Site<'s>,
    from: &'s str,
    root: &'s str,
    used: RefCell<BTreeSet<String>>,
    /// What the page may still show of embedded notes; `None` where it shows none (in the
    /// text of an item).
    embeds: Option<std::rc::Rc<Embeds>>,
    /// For a note shown embedded in another's page: the URL of its own page, where its
    /// links to its own headings and blocks lead.
    here: Option<String>,
}

impl<'s> PageLinks<'s> {
    /// The links of the note `note`, for a page `root` levels below the site root that shows
    /// the notes it embeds.
    fn of_page(site: &'s Site<'s>, note: usize, root: &'s str) -> Self {
        PageLinks {
            site,
            from: &site.vault.notes[note].path,
            root,
            used: RefCell::new(BTreeSet::new()),
            embeds: Some(std::rc::Rc::new(Embeds {
                open: RefCell::new(vec![note]),
                left: std::cell::Cell::new(MAX_EMBEDDED_BYTES),
            })),
            here: None,
        }
    }

    /// The links of a text shown on a page with no note embedded.
    fn of_text(site: &'s Site<'s>, from: &'s str, root: &'s str) -> Self {
        PageLinks {
            site,
            from,
            root,
            used: RefCell::new(BTreeSet::new()),
            embeds: None,
            here: None,
        }
    }
}

/// How deep a page shows notes embedded in notes it embeds: Obsidian, too, stops somewhere.
const MAX_EMBED_DEPTH: usize = 3;

/// How much Markdown of embedded notes one page shows, at most: past it, embeds are links, and
/// a note that embeds a large one a thousand times makes no page of gigabytes.
const MAX_EMBEDDED_BYTES: usize = 1 << 20;

/// The notes embedded in a page as it is rendered.
struct Embeds {
    /// The notes being shown, the page's own first: none is shown inside itself.
    open: RefCell<Vec<usize>>,
    /// The bytes of Markdown the page may still show of embedded notes.
    left: std::cell::Cell<usize>,
}

impl Resolver for PageLinks<'_> {
    fn resolve(&self, target: &str, wikilink: bool) -> Option<Target> {
        match self
            .site
            .index
            .listing
            .links
            .resolve(target, self.from, wikilink)?
        {
            Link::Note(i, fragment) => {
                let mut url = format!("{}{}", self.root, self.site.index.listing.note_urls[i]);
                if let Some(fragment) = fragment {
                    url.push('#');
                    url.push_str(&fragment);
                }
                Some(Target::Page(url))
            }
            Link::Here(fragment) => Some(Target::Page(match &self.here {
                Some(page) => format!("{page}#{fragment}"),
                None => format!("#{fragment}"),
            })),
            Link::Attachment(path) => {
                let url = format!("{}attachments/{}", self.root, encode_path(&path));
                self.used.borrow_mut().insert(path);
                Some(Target::Attachment(url))
            }
        }
    }

    fn transclude(&self, target: &str, wikilink: bool) -> Option<html::Transclusion> {
        let embeds = self.embeds.as_ref()?;
        let site = self.site;
        let Link::Note(i, fragment) = site
            .index
            .listing
            .links
            .resolve(target, self.from, wikilink)?
        else {
            return None;
        };
        {
            let open = embeds.open.borrow();
            if open.len() > MAX_EMBED_DEPTH || open.contains(&i) {
                return None;
            }
        }
        let note = &site.vault.notes[i];
        let text = match crate::links::fragment(target) {
            Some(part) => crate::markdown::section(&note.body, part)?,
            None => Cow::Borrowed(note.body.as_str()),
        };
        let left = embeds.left.get().checked_sub(text.len())?;
        embeds.left.set(left);
        let page = format!("{}{}", self.root, site.index.listing.note_urls[i]);
        let url = match &fragment {
            Some(fragment) => format!("{page}#{fragment}"),
            None => page.clone(),
        };
        let inner = PageLinks {
            site,
            from: &note.path,
            root: self.root,
            used: RefCell::new(BTreeSet::new()),
            embeds: Some(embeds.clone()),
            here: Some(page),
        };
        embeds.open.borrow_mut().push(i);
        let html = html::render_embedded(&text, &inner).html;
        embeds.open.borrow_mut().pop();
        self.used.borrow_mut().extend(inner.used.into_inner());
        let title = if note.kind.is_meeting() {
            note.meeting_title()
        } else {
            note.name.clone()
        };
        Some(html::Transclusion { url, title, html })
    }

    fn tag_url(&self, tag: &str) -> String {
        format!("{}tags/{}/", self.root, tag_path(tag))
    }
}

/// What pages need of the published notes' paths, kinds, dates, people and tags, indexed once:
/// URLs, links, people, tags, meeting positions and review periods. It is kept by `watch`
/// while those are unchanged, which is what nearly every save leaves alone, even one that
/// changes the ledger.
struct Listing {
    /// What it was made from (see [`Listing::key`]).
    key: u64,
    info: Shared<SiteInfo>,
    note_urls: Vec<String>,
    links: LinkIndex,
    people: Vec<Person>,
    person_by_name: HashMap<String, usize>,
    tags: BTreeMap<String, Vec<usize>>,
    /// For each note, its position among the meetings.
    positions: Vec<Option<usize>>,
    /// For each note, the people of the meeting (indexes of `people`).
    people_of: Vec<Vec<usize>>,
    periods: Vec<review::Period>,
    /// A hash of the URLs, people, attachments and periods: every page depends on them.
    digest: u64,
    /// The hashes of each meeting of the last build, with the digest of its note then.
    meeting_memo: std::sync::Mutex<Vec<(u64, MeetingHashes)>>,
    /// Every page but the records', with its file, in the order of the files.
    pages: std::sync::OnceLock<Vec<(Page, String)>>,
}

/// What pages need of the ledger, indexed once on top of a [`Listing`]: record URLs, which
/// records each note mentions, each person's requests and the ledger rows.
struct Index {
    /// What it was made from (see [`Index::key`]).
    key: u64,
    listing: std::sync::Arc<Listing>,
    /// For each person of the listing, the requests raised in any of their meetings, as
    /// indexes of the model's, in its order.
    person_requests: Vec<Vec<usize>>,
    /// The records each note mentions: those of note `n` are
    /// `mentioned[mention_starts[n]..mention_starts[n + 1]]`.
    mention_starts: Vec<usize>,
    mentioned: Vec<(Kind, usize)>,
    /// The ledger rows of requests and of follow-ups, in the order of the model's records.
    rows: [Vec<Row>; 2],
    /// Every page of the site and its file, made once for the index (they follow from it).
    pages: std::sync::OnceLock<Vec<(Page, String)>>,
}

/// A hash of a record's mentions, from each mention's note digest (which stands for the
/// item's text, details and line) and the model's own fields, one block of bytes each:
/// reaching into the notes for their items would take most of the time of a rebuild.
fn mentions_hash(record: &Record, digests: &[u64]) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for event in &record.events {
        let mut block = [0u8; 33];
        block[..8].copy_from_slice(&digests[event.note].to_le_bytes());
        block[8..16].copy_from_slice(&(event.note as u64).to_le_bytes());
        block[16..24].copy_from_slice(&(event.item as u64).to_le_bytes());
        block[24..28].copy_from_slice(&event.date.to_epoch_days().to_le_bytes());
        block[28..32].copy_from_slice(&event.meeting.to_epoch_days().to_le_bytes());
        block[32] = event.status as u8;
        h.update(&block);
    }
    h.digest()
}

/// A ledger row, with the hash of the mentions it was made from.
struct Row {
    row: std::sync::Arc<RequestRow>,
    hash: u64,
    mentions: u64,
}

/// A meeting's row, and what it adds to the wins, the outcomes and data.json; its wins.
type MeetingHashes = (u64, u64, u64, u64, usize);

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("key", &self.key)
            .field("listing", &self.listing.key)
            .finish_non_exhaustive()
    }
}

impl Listing {
    /// What a listing is made from: the date, every note's path and listing digest (its kind,
    /// date, people and tags), the attachments and the review periods.
    fn key(vault: &Vault, model: &Model, periods: &[review::Period]) -> u64 {
        use std::hash::Hash;
        crate::digest::with(|h| {
            (model.today, model.meetings.len(), &vault.attachments).hash(h);
            for note in &vault.notes {
                (note.path_digest, note.listing).hash(h);
            }
            for period in periods {
                (&period.name, &period.slug, period.from, period.to).hash(h);
            }
        })
    }

    fn build(vault: &Vault, model: &Model, key: u64, periods: Vec<review::Period>) -> Listing {
        // The indexes are independent of each other: built side by side.
        let urls_and_links = || {
            let (meetings, others): (Vec<&Note>, Vec<&Note>) = vault
                .notes
                .iter()
                .map(|n| &**n)
                .partition(|n| n.kind.is_meeting());
            let meeting_slugs = page_slugs(&meetings);
            let note_slugs = page_slugs(&others);
            let (mut meetings, mut others) = (meeting_slugs.into_iter(), note_slugs.into_iter());
            let note_urls: Vec<String> = vault
                .notes
                .iter()
                .map(|n| {
                    if n.kind.is_meeting() {
                        format!("meetings/{}/", meetings.next().unwrap_or_default())
                    } else {
                        format!("notes/{}/", others.next().unwrap_or_default())
                    }
                })
                .collect();
            let links = LinkIndex::new(
                vault.notes.iter().map(|n| n.path.as_str()),
                &vault.attachments,
            );
            (note_urls, links)
        };
        let people_and_tags = || {
            let mut people: Vec<Person> = Vec::new();
            let mut person_by_name: HashMap<String, usize> = HashMap::new();
            for meeting in &model.meetings {
                let note = &vault.notes[meeting.note];
                for name in &note.properties.with {
                    let key = name.to_lowercase();
                    let index = *person_by_name.entry(key).or_insert_with(|| {
                        people.push(Person {
                            name: name.clone(),
                            slug: String::new(),
                            note: None,
                            meetings: Vec::new(),
                        });
                        people.len() - 1
                    });
                    people[index].meetings.push(meeting.note);
                }
            }
            let slugs: Vec<String> = unique_slugs(people.iter().map(|p| p.name.as_str()))
                .into_iter()
                .map(Cow::into_owned)
                .collect();
            for (person, slug) in people.iter_mut().zip(slugs) {
                person.slug = slug;
                person.note = vault.notes.iter().position(|n| {
                    !n.kind.is_meeting() && n.name.eq_ignore_ascii_case(&person.name)
                });
            }
            let mut tags: BTreeMap<String, Vec<usize>> = BTreeMap::new();
            for (i, note) in vault.notes.iter().enumerate() {
                for tag in &note.tags {
                    tags.entry(tag.clone()).or_default().push(i);
                }
            }
            let mut positions = vec![None; vault.notes.len()];
            for (i, meeting) in model.meetings.iter().enumerate() {
                positions[meeting.note] = Some(i);
            }
            let mut people_of: Vec<Vec<usize>> = vec![Vec::new(); vault.notes.len()];
            for (index, person) in people.iter().enumerate() {
                for &note in &person.meetings {
                    people_of[note].push(index);
                }
            }
            (people, person_by_name, tags, positions, people_of)
        };
        let ((note_urls, links), (people, person_by_name, tags, positions, people_of)) =
            rayon::join(urls_and_links, people_and_tags);
        let digest = {
            use std::hash::Hash;
            // Note URLs stand for the set of note paths, which decides how every link
            // resolves.
            crate::digest::with(|h| {
                (model.meetings.len(), model.today, &note_urls).hash(h);
                for person in &people {
                    (&person.name, &person.slug, person.note).hash(h);
                }
                vault.attachments.hash(h);
                for period in &periods {
                    (&period.name, &period.slug, period.from, period.to).hash(h);
                }
            })
        };
        Listing {
            key,
            info: Shared::new(SiteInfo {
                meetings: model.meetings.len(),
                today: model.today.to_string(),
            }),
            note_urls,
            links,
            people,
            person_by_name,
            tags,
            positions,
            people_of,
            periods,
            digest,
            meeting_memo: Default::default(),
            pages: std::sync::OnceLock::new(),
        }
    }

    fn person_ref(&self, name: &str) -> Option<PersonRef> {
        let person = &self.people[*self.person_by_name.get(&name.to_lowercase())?];
        Some(PersonRef {
            name: person.name.clone(),
            url: format!("people/{}/", person.slug),
        })
    }
}

impl Index {
    /// The records note `note` mentions, each once, in the order of the model's.
    fn mentions(&self, note: usize) -> &[(Kind, usize)] {
        &self.mentioned[self.mention_starts[note]..self.mention_starts[note + 1]]
    }

    /// What an index is made from: its listing and the model (which stands for the ledger and
    /// every note's path, kind and date).
    fn key(listing: u64, model: &Model) -> u64 {
        crate::digest::of(&(listing, model.key))
    }

    /// The index of the published vault, or the one in `cache` when it was made from the same.
    /// When only the ledger changed, the listing and every row whose mentions are unchanged
    /// are taken from the cached index.
    ///
    /// Says too whether the index was made now (its rows' hashes of mentions are then those
    /// of the notes as they are).
    fn get(
        vault: &Vault,
        model: &Model,
        digests: &[u64],
        cache: &mut Option<std::sync::Arc<Index>>,
    ) -> (std::sync::Arc<Index>, bool) {
        let periods = periods(vault, model);
        let listing_key = Listing::key(vault, model, &periods);
        let key = Index::key(listing_key, model);
        crate::timing::phase("index: periods, keys");
        if let Some(index) = cache.as_ref().filter(|index| index.key == key) {
            return (std::sync::Arc::clone(index), false);
        }
        let previous = cache
            .take()
            .filter(|index| index.listing.key == listing_key);
        let listing = match &previous {
            Some(index) => std::sync::Arc::clone(&index.listing),
            None => std::sync::Arc::new(Listing::build(vault, model, listing_key, periods)),
        };
        let index = std::sync::Arc::new(Index::build(
            vault,
            model,
            digests,
            key,
            listing,
            previous.as_deref(),
        ));
        *cache = Some(std::sync::Arc::clone(&index));
        // Freeing the rows and pages of the last index takes milliseconds: done beside the
        // build.
        std::thread::spawn(move || drop(previous));
        (index, true)
    }

    /// Indexes the ledger of `model` on `listing`; rows are taken from `previous` (made on the
    /// same listing) when they were made from the same mentions (`digests` are the notes').
    fn build(
        vault: &Vault,
        model: &Model,
        digests: &[u64],
        key: u64,
        listing: std::sync::Arc<Listing>,
        previous: Option<&Index>,
    ) -> Index {
        let slugs = || {
            [&model.requests, &model.follow_ups]
                .map(|records| unique_slugs(records.iter().map(|r| r.id.as_str())))
        };
        // What each note mentions, and each person's requests, from one pass over every
        // mention (and one to count them).
        let mentions = || {
            let records = || {
                [
                    (Kind::Requests, &model.requests),
                    (Kind::FollowUps, &model.follow_ups),
                ]
                .into_iter()
                .flat_map(|(kind, records)| {
                    records.iter().enumerate().map(move |(i, r)| (kind, i, r))
                })
            };
            let mut starts = vec![0usize; vault.notes.len() + 1];
            for (_, _, record) in records() {
                for event in &record.events {
                    starts[event.note + 1] += 1;
                }
            }
            for n in 1..starts.len() {
                starts[n] += starts[n - 1];
            }
            let mut mentioned = vec![(Kind::Requests, 0); starts[vault.notes.len()]];
            let mut filled = starts.clone();
            let mut person_requests: Vec<Vec<usize>> = vec![Vec::new(); listing.people.len()];
            for (kind, i, record) in records() {
                for event in &record.events {
                    let note = event.note;
                    if filled[note] > starts[note] && mentioned[filled[note] - 1] == (kind, i) {
                        continue;
                    }
                    mentioned[filled[note]] = (kind, i);
                    filled[note] += 1;
                    if kind != Kind::Requests {
                        continue;
                    }
                    for &person in &listing.people_of[note] {
                        if person_requests[person].last() != Some(&i) {
                            person_requests[person].push(i);
                        }
                    }
                }
            }
            // A record mentioned twice in a note takes one place: the list is closed up.
            let mut starts_closed = Vec::with_capacity(starts.len());
            let mut closed = Vec::with_capacity(mentioned.len());
            for note in 0..vault.notes.len() {
                starts_closed.push(closed.len());
                closed.extend_from_slice(&mentioned[starts[note]..filled[note]]);
            }
            starts_closed.push(closed.len());
            (starts_closed, closed, person_requests)
        };
        let (slugs, (mention_starts, mentioned, person_requests)) = rayon::join(slugs, mentions);
        crate::timing::phase("index: record urls, mentions");
        // A row is made from its record, the listing (people, the date) and its URL: made
        // again only when the record's mentions or its URL changed.
        let rows = |records: &[Record], slugs: &[Cow<str>], kind: Kind| -> Vec<Row> {
            let folder = if kind == Kind::Requests {
                "requests"
            } else {
                "follow-ups"
            };
            let old: HashMap<&str, &Row> = previous
                .map(|p| &p.rows[usize::from(kind == Kind::FollowUps)])
                .into_iter()
                .flatten()
                .map(|row| (row.row.id.as_str(), row))
                .collect();
            records
                .par_iter()
                .zip(slugs)
                .map(|(record, slug)| {
                    let mentions = mentions_hash(record, digests);
                    // `folder/slug/`, compared without making it.
                    let at = |url: &str| {
                        url.strip_prefix(folder)
                            .and_then(|u| u.strip_prefix('/'))
                            .and_then(|u| u.strip_prefix(&**slug))
                            == Some("/")
                    };
                    let kept = old
                        .get(record.id.as_str())
                        .filter(|row| row.mentions == mentions && at(&row.row.url));
                    match kept {
                        Some(row) => Row {
                            row: std::sync::Arc::clone(&row.row),
                            hash: row.hash,
                            mentions,
                        },
                        None => {
                            let url = format!("{folder}/{slug}/");
                            let row = compute_row(&listing, vault, model, record, &url);
                            Row {
                                hash: crate::digest::of(&row),
                                row: std::sync::Arc::new(row),
                                mentions,
                            }
                        }
                    }
                })
                .collect()
        };
        let [request_slugs, follow_up_slugs] = &slugs;
        let (requests, follow_ups) = rayon::join(
            || rows(&model.requests, request_slugs, Kind::Requests),
            || rows(&model.follow_ups, follow_up_slugs, Kind::FollowUps),
        );
        crate::timing::phase("index: rows");
        Index {
            key,
            listing,
            person_requests,
            mention_starts,
            mentioned,
            rows: [requests, follow_ups],
            pages: std::sync::OnceLock::new(),
        }
    }
}

/// The ledger row of a record, with its page at `url`.
fn compute_row(
    listing: &Listing,
    vault: &Vault,
    model: &Model,
    record: &Record,
    url: &str,
) -> RequestRow {
    let person = record.with.as_deref().and_then(|w| listing.person_ref(w));
    RequestRow {
        id: record.id.clone(),
        url: url.to_owned(),
        title: plain_text(&record.title),
        status: record.status.name(),
        status_label: status_label(record.status),
        raised: record.raised.to_string(),
        resolved: record.resolved.map(|d| d.to_string()),
        mentions: record.mentions(),
        days_open: record.days_open(model.today),
        people: {
            let mut slugs: Vec<String> = record
                .events
                .iter()
                .flat_map(|e| &vault.notes[e.note].properties.with)
                .map(|w| slugify(w))
                .collect();
            slugs.sort();
            slugs.dedup();
            slugs.join(" ")
        },
        person,
        outcome: record.outcome.clone(),
        kind_label: if record.kind == Kind::Requests {
            "Request"
        } else {
            "Follow-up"
        },
    }
}

/// The published vault with everything pages need, indexed once.
struct Site<'a> {
    vault: &'a Vault,
    model: &'a Model,
    templates: &'a SiteTemplates,
    /// Rows and items rendered once for every page that shows them.
    fragments: &'a fragments::Fragments,
    /// Pieces of data.json.
    json: &'a fragments::Fragments<String>,
    /// URLs, people, tags and rows: kept by `watch` while what they are made of is unchanged.
    index: std::sync::Arc<Index>,
    provenance: std::sync::Arc<crate::provenance::Provenance>,
    /// A hash of what every page depends on: templates, the date, URLs, people, tags, periods,
    /// attachments, git history.
    global: u64,
    /// A hash of the git history, for the pages that show much of it (review packets).
    history: u64,
    /// Hashes of the inputs of the summary pages, each over what it shows.
    rows_hash: u64,
    /// Whether the index was made by this build (not kept from an earlier one).
    index_is_new: bool,
    /// Per request and per follow-up: the hash of its row, and of its mentions (a record's
    /// page shows more of each mention than its row: the index may be older than an edit of
    /// those notes).
    record_hashes: [Vec<(u64, u64)>; 2],
    /// Per note: the hash of its meeting row (0 for other notes).
    meeting_hashes: Vec<u64>,
    /// How many wins the meetings hold.
    wins_count: usize,
    /// Per note: what a tag's page shows of it (0 for notes without tags).
    listing_hashes: Vec<u64>,
    meetings_hash: u64,
    wins_hash: u64,
    outcomes_hash: u64,
    data_hash: u64,
    /// Each note's digest and kinds of items, side by side: the long lists read these of
    /// every note.
    digests: Vec<u64>,
    kinds: Vec<crate::note::Kinds>,
    /// The navigation as HTML, by the root and section of a page: rendered once for each.
    navs: std::sync::Mutex<Vec<(String, &'static str, Html)>>,
}

impl<'a> Site<'a> {
    /// Computes `global` and the hashes of the summary pages' inputs.
    fn fingerprint(&mut self, templates: u64) {
        use std::hash::{Hash, Hasher};
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        (env!("UPWARD_SOURCE_DIGEST"), templates).hash(&mut h);
        self.index.listing.digest.hash(&mut h);
        self.global = h.finish();
        // Record URLs, tags and commits are not global: each page hashes the ones it shows,
        // so a new request or tag re-renders only the pages that show it.
        let mut history = xxhash_rust::xxh3::Xxh3::new();
        // The history's maps have no order: their entries are summed.
        let entries = |map: &HashMap<String, crate::provenance::Commit>| {
            map.iter().fold(0u64, |sum, (key, commit)| {
                sum.wrapping_add(crate::digest::of(&(key, &commit.hash, commit.date)))
            })
        };
        entries(&self.provenance.notes).hash(&mut history);
        entries(&self.provenance.blocks).hash(&mut history);
        self.history = history.finish();

        // Each record's mentions and each meeting is hashed once, in parallel; pages and
        // summaries combine these and the index's hashes of rows.
        self.kinds = self.vault.notes.iter().map(|n| n.kinds()).collect();
        let digests = &self.digests;
        let fresh = self.index_is_new;
        let records = |list: &'a [Record], rows: &[Row]| -> Vec<(u64, u64)> {
            list.par_iter()
                .zip(rows)
                .map(|(record, row)| {
                    let mentions = if fresh {
                        row.mentions
                    } else {
                        mentions_hash(record, digests)
                    };
                    (row.hash, mentions)
                })
                .collect()
        };
        self.record_hashes = [
            records(&self.model.requests, &self.index.rows[0]),
            records(&self.model.follow_ups, &self.index.rows[1]),
        ];
        // Per meeting: its row, and what it adds to the wins, the outcomes and data.json.
        // A meeting's hashes stay while its note does (the listing holds the URLs they use).
        let mut memo = std::mem::take(
            &mut *self
                .index
                .listing
                .meeting_memo
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
        );
        memo.resize(self.vault.notes.len(), (0, (0, 0, 0, 0, 0)));
        let meetings: Vec<MeetingHashes> = self
            .model
            .meetings
            .par_iter()
            .map(|meeting| {
                let note = &self.vault.notes[meeting.note];
                let (digest, hashes) = memo[meeting.note];
                if digest == note.digest && digest != 0 {
                    return hashes;
                }
                let row = crate::digest::of(&self.meeting_row(meeting.note));
                let title = note.meeting_title();
                let mut wins = xxhash_rust::xxh3::Xxh3::new();
                let mut outcomes = xxhash_rust::xxh3::Xxh3::new();
                let mut data = xxhash_rust::xxh3::Xxh3::new();
                let p = &note.properties;
                (&note.path, &p.with, &p.template, p.recap_sent, &note.tags).hash(&mut data);
                let mut count = 0;
                for item in &note.items {
                    // The wins and decisions pages do not show an item's line, which a line
                    // added above it moves: only data.json does.
                    let fields = (meeting.date, &title, &item.text, &*item.section, &item.id);
                    match item.kind {
                        Kind::Wins => {
                            count += 1;
                            fields.hash(&mut wins);
                            item.line.hash(&mut data);
                        }
                        Kind::Outcomes => {
                            fields.hash(&mut outcomes);
                            item.line.hash(&mut data);
                        }
                        Kind::Priorities => (fields, item.line).hash(&mut data),
                        _ => {}
                    }
                }
                (row, wins.finish(), outcomes.finish(), data.finish(), count)
            })
            .collect();
        for (meeting, &hashes) in self.model.meetings.iter().zip(&meetings) {
            memo[meeting.note] = (self.vault.notes[meeting.note].digest, hashes);
        }
        *self
            .index
            .listing
            .meeting_memo
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = memo;
        self.meeting_hashes = vec![0; self.vault.notes.len()];
        for (meeting, hashes) in self.model.meetings.iter().zip(&meetings) {
            self.meeting_hashes[meeting.note] = hashes.0;
        }
        self.wins_count = meetings.iter().map(|m| m.4).sum();
        // What a tag's page shows of each note.
        self.listing_hashes = self
            .vault
            .notes
            .par_iter()
            .enumerate()
            .map(|(n, note)| {
                if note.tags.is_empty() {
                    return 0;
                }
                // The listing digest stands for its date, person and kind; the name is the
                // path's, which the index holds.
                crate::digest::of(&(n, note.listing))
            })
            .collect();

        let start = || {
            let mut h = crate::digest::Buffered::default();
            self.global.hash(&mut h);
            h
        };
        let mut rows = start();
        for (row, _) in self.record_hashes.iter().flatten() {
            row.hash(&mut rows);
        }
        self.rows_hash = rows.finish();
        let mut meetings_hash = start();
        let mut wins = start();
        let mut outcomes = start();
        let mut data = start();
        // data.json shows of each record what the model holds (the model's key stands for
        // it), not the details under its mentions: a note edited elsewhere leaves it alone.
        (self.rows_hash, self.model.key).hash(&mut data);
        for (row, w, o, d, _) in &meetings {
            row.hash(&mut meetings_hash);
            w.hash(&mut wins);
            o.hash(&mut outcomes);
            d.hash(&mut data);
        }
        self.meetings_hash = meetings_hash.finish();
        self.wins_hash = wins.finish();
        self.outcomes_hash = outcomes.finish();
        (self.meetings_hash, self.wins_hash, self.outcomes_hash).hash(&mut data);
        for (tag, notes) in &self.index.listing.tags {
            (tag, notes.len()).hash(&mut data);
        }
        self.data_hash = data.finish();
    }

    /// The key of a fragment: its inputs, with what every page depends on.
    fn fragment_key(&self, inputs: impl std::hash::Hash) -> u64 {
        crate::digest::of(&(self.global, inputs))
    }

    /// A piece several pages show (a ledger row, a meeting in a list) for a page `root` away
    /// from the site root. In a single build, when its template only prints the root, it is
    /// rendered once for pages at every depth and kept for the rest of the build, the root put
    /// in as each page is written. Otherwise it is rendered for each depth; `watch` keeps
    /// those between builds, so there the root is not put in afterwards, which would cost
    /// every rebuild of a ledger more than rendering its changed rows does.
    fn shared_piece(
        &self,
        template: &str,
        inputs: impl std::hash::Hash,
        root: &str,
        render: impl FnOnce(&str) -> Result<String>,
    ) -> Result<Arc<Fragment>> {
        if !self.fragments.is_kept() && self.templates.prints_root_only(template) {
            let key = self.fragment_key((inputs, "every depth"));
            self.fragments.get_shared(key, || {
                Ok(Rooted::cut(render(Rooted::marker())?, Vec::new()))
            })
        } else {
            let key = self.fragment_key((inputs, root));
            self.fragments.get(key, || {
                Ok(Fragment::new(Html::new(render(root)?), Vec::new()))
            })
        }
    }

    /// The ledger row of a request or follow-up, for a page `root` away from the site root.
    fn row_html(&self, kind: Kind, index: usize, root: &str) -> Result<Arc<Fragment>> {
        self.shared_piece(
            "request-row.html",
            ("row", self.row_hash(kind, index)),
            root,
            |root| self.render_row(kind, index, root),
        )
    }

    /// The ledger rows of some requests or follow-ups for a page `root` away from the site
    /// root, kept as the list `name` between builds.
    fn rows_html(
        &self,
        name: &'static str,
        kind: Kind,
        rows: impl Iterator<Item = usize>,
        root: &str,
    ) -> Result<Vec<Arc<Fragment>>> {
        let seed = self.fragment_key(("row", root));
        self.list_html(
            name,
            rows,
            |&index| crate::digest::words(seed, [self.row_hash(kind, index), 0, 0]),
            |&index| self.row_html(kind, index, root),
        )
    }

    /// Pieces of a long list, kept as the list `name` between builds: a piece is found in its
    /// place in the last build's list (or shifted, after pieces added or dropped), not looked
    /// up among every piece kept.
    fn list_html<I>(
        &self,
        name: &'static str,
        pieces: impl Iterator<Item = I>,
        key: impl Fn(&I) -> u64,
        render: impl Fn(&I) -> Result<Arc<Fragment>>,
    ) -> Result<Vec<Arc<Fragment>>> {
        let mut run = self.fragments.run(name);
        pieces
            .map(|piece| run.next_shared(key(&piece), || render(&piece)))
            .collect()
    }

    fn render_row(&self, kind: Kind, index: usize, root: &str) -> Result<String> {
        #[derive(Serialize)]
        struct Context<'c> {
            root: &'c str,
            r: &'c RequestRow,
        }
        let r = self.request_row(kind, index);
        self.templates
            .render("request-row.html", &Context { root, r })
    }

    /// A meeting in a list of meetings.
    fn meeting_html(&self, note: usize, root: &str) -> Result<Arc<Fragment>> {
        self.shared_piece(
            "meeting-row.html",
            ("meeting", self.meeting_hashes[note]),
            root,
            |root| self.render_meeting(note, root),
        )
    }

    fn render_meeting(&self, note: usize, root: &str) -> Result<String> {
        #[derive(Serialize)]
        struct Context<'c> {
            root: &'c str,
            m: MeetingRow,
        }
        let m = self.meeting_row(note);
        self.templates
            .render("meeting-row.html", &Context { root, m })
    }

    /// A group of items (the wins of a month, the outcomes of a meeting), as the wins and
    /// decisions pages show it.
    fn group_fragment(
        &self,
        run: &mut fragments::Run<'_, Fragment>,
        group: &ItemGroup,
        root: &str,
    ) -> Result<Arc<Fragment>> {
        // A note's digest stands for its items: the group is keyed by its meetings alone.
        let key = crate::digest::with(|h| {
            use std::hash::Hash;
            (
                self.global,
                "group",
                root,
                group.heading,
                group.first,
                group.kind,
            )
                .hash(h);
            for m in group.meetings {
                (m.note, m.date, self.digests[m.note]).hash(h);
            }
        });
        run.next_shared(key, || {
            let mut uses = Vec::new();
            let mut items = Vec::new();
            for &meeting in group.meetings {
                let note = &self.vault.notes[meeting.note];
                for (index, _) in note
                    .items
                    .iter()
                    .enumerate()
                    .filter(|(_, item)| item.kind == group.kind)
                {
                    let fragment = self.item_fragment(meeting, index, root)?;
                    uses.extend(fragment.uses.iter().cloned());
                    items.push(fragment.html.clone());
                }
            }
            let (title, id, url) = match group.heading {
                Heading::Month(..) => {
                    let date = group.meetings[0].date;
                    (
                        date.format("%B %Y").to_string(),
                        date.format("%Y-%m").to_string(),
                        None,
                    )
                }
                Heading::Meeting(_, _, date) => {
                    let url = &self.index.listing.note_urls[group.first];
                    (
                        format!("{}, {date}", self.vault.notes[group.first].meeting_title()),
                        url.trim_start_matches("meetings/")
                            .trim_end_matches('/')
                            .to_owned(),
                        Some(url.clone()),
                    )
                }
            };
            #[derive(Serialize)]
            struct Shown<'c> {
                title: &'c str,
                id: &'c str,
                url: &'c Option<String>,
                items: Html,
            }
            #[derive(Serialize)]
            struct Context<'c> {
                root: &'c str,
                group: Shown<'c>,
            }
            let group = Shown {
                title: &title,
                id: &id,
                url: &url,
                items: Html::join(&items, "\n  "),
            };
            uses.sort();
            uses.dedup();
            Ok(Arc::new(Fragment::new(
                Html::new(
                    self.templates
                        .render("item-group.html", &Context { root, group })?,
                ),
                uses,
            )))
        })
    }

    fn item_key(&self, meeting: &crate::model::Meeting, index: usize, root: &str) -> u64 {
        let note = &self.vault.notes[meeting.note];
        self.fragment_key(("item", note.digest, meeting.note, meeting.date, index, root))
    }

    /// An item of a meeting (a win, a decision) as the wins and decisions pages list it.
    fn item_fragment(
        &self,
        meeting: &crate::model::Meeting,
        index: usize,
        root: &str,
    ) -> Result<std::sync::Arc<Fragment>> {
        let note = &self.vault.notes[meeting.note];
        let key = self.item_key(meeting, index, root);
        self.fragments.get(key, || {
            let item = &note.items[index];
            let (html, uses) = self.inline(&item.text, &note.path, root);
            #[derive(Serialize)]
            struct ItemRow {
                html: Html,
                url: String,
                date: String,
                label: Option<String>,
            }
            let label = (item.kind == Kind::Outcomes
                && !item.section.eq_ignore_ascii_case("outcomes"))
            .then(|| item.section.to_string());
            let item = ItemRow {
                html: Html::exact(html),
                url: format!(
                    "{}#block-{}",
                    self.index.listing.note_urls[meeting.note],
                    html::slugify_block(&item.id)
                ),
                date: meeting.date.to_string(),
                label,
            };
            #[derive(Serialize)]
            struct Context<'c> {
                root: &'c str,
                item: ItemRow,
            }
            Ok(Fragment::new(
                Html::new(
                    self.templates
                        .render("item.html", &Context { root, item })?,
                ),
                uses.into_iter().collect(),
            ))
        })
    }

    /// The hash of a record's ledger row.
    fn row_hash(&self, kind: Kind, index: usize) -> u64 {
        self.record_hashes[usize::from(kind == Kind::FollowUps)][index].0
    }

    fn new(
        vault: &'a Vault,
        model: &'a Model,
        templates: &'a SiteTemplates,
        memory: &'a Memory,
        index: std::sync::Arc<Index>,
        provenance: Option<std::sync::Arc<crate::provenance::Provenance>>,
    ) -> Site<'a> {
        Site {
            vault,
            model,
            templates,
            fragments: &memory.fragments,
            json: &memory.json,
            index,
            global: 0,
            history: 0,
            rows_hash: 0,
            index_is_new: false,
            record_hashes: Default::default(),
            meeting_hashes: Vec::new(),
            wins_count: 0,
            listing_hashes: Vec::new(),
            meetings_hash: 0,
            wins_hash: 0,
            outcomes_hash: 0,
            data_hash: 0,
            digests: Vec::new(),
            kinds: Vec::new(),
            navs: std::sync::Mutex::new(Vec::new()),
            provenance: provenance.unwrap_or_else(|| {
                std::sync::Arc::new(crate::provenance::Provenance::read(&vault.root))
            }),
        }
    }

    fn common<'s>(
        &'s self,
        root: &'s str,
        title: String,
        section: &'static str,
    ) -> Result<Common<'s>> {
        Ok(Common {
            root,
            title,
            section,
            nav: &SHARED_NAV,
            nav_html: self.nav_html(root, section)?,
            site: &self.index.listing.info,
        })
    }

    /// The navigation of a page `root` away from the site root, in `section`: the same for
    /// thousands of pages, so rendered once.
    fn nav_html(&self, root: &str, section: &'static str) -> Result<Html> {
        let lock = || self.navs.lock().unwrap_or_else(|e| e.into_inner());
        let known = |navs: &[(String, &'static str, Html)]| {
            navs.iter()
                .find(|(r, s, _)| r == root && *s == section)
                .map(|(_, _, html)| html.clone())
        };
        if let Some(html) = known(&lock()) {
            return Ok(html);
        }
        #[derive(Serialize)]
        struct Context<'a> {
            root: &'a str,
            section: &'static str,
            nav: &'static Shared<[NavItem; 8]>,
        }
        let html = Html::new(self.templates.render(
            "nav.html",
            &Context {
                root,
                section,
                nav: &SHARED_NAV,
            },
        )?);
        let mut navs = lock();
        if known(&navs).is_none() {
            navs.push((root.to_owned(), section, html.clone()));
        }
        Ok(html)
    }

    fn person_ref(&self, name: &str) -> Option<PersonRef> {
        self.index.listing.person_ref(name)
    }

    fn meeting_row(&self, index: usize) -> MeetingRow {
        let note = &self.vault.notes[index];
        MeetingRow {
            url: self.index.listing.note_urls[index].clone(),
            title: note.meeting_title(),
            date: note.date.map(|d| d.to_string()).unwrap_or_default(),
            kind_label: note.kind.label(),
            requests: note
                .items
                .iter()
                .filter(|i| i.kind == Kind::Requests)
                .count(),
            wins: note.items.iter().filter(|i| i.kind == Kind::Wins).count(),
        }
    }

    /// The ledger row of a record, computed once.
    fn request_row(&self, kind: Kind, index: usize) -> &RequestRow {
        &self.index.rows[usize::from(kind == Kind::FollowUps)][index].row
    }

    /// The notes the page of `note` may show embedded in it, nested ones included, in the
    /// order they are met: what the page is made from besides the note itself (see
    /// [`PageLinks::transclude`]).
    fn embedded(&self, note: usize) -> Vec<usize> {
        let mut found = Vec::new();
        let mut seen = std::collections::HashSet::from([note]);
        // Breadth first: a note is met first where it is least deep, and its own embeds are
        // read from there.
        let mut next = std::collections::VecDeque::from([(note, 0)]);
        while let Some((n, depth)) = next.pop_front() {
            let from = &self.vault.notes[n];
            if depth >= MAX_EMBED_DEPTH {
                continue;
            }
            // Read from the text where it can be (as it is on every rebuild, for every page),
            // parsed only where it must.
            let targets = crate::markdown::embed_targets(&from.body).unwrap_or_else(|| {
                html::linkage(&from.body)
                    .links
                    .into_iter()
                    .filter(|link| link.embed)
                    .map(|link| (Cow::Owned(link.target), link.wikilink))
                    .collect()
            });
            for (target, wikilink) in targets {
                let resolved = self
                    .index
                    .listing
                    .links
                    .resolve(&target, &from.path, wikilink);
                if let Some(Link::Note(i, _)) = resolved {
                    if seen.insert(i) {
                        found.push(i);
                        next.push_back((i, depth + 1));
                    }
                }
            }
        }
        found
    }

    /// Inline Markdown of an item, for a page `root` away from the site root.
    fn inline(&self, text: &str, from: &str, root: &str) -> (String, BTreeSet<String>) {
        // Most items are plain words: nothing for Markdown to do but escape them.
        if html::is_plain(text) {
            return (crate::slug::escape_html(text).into_owned(), BTreeSet::new());
        }
        let links = PageLinks::of_text(self, from, root);
        let rendered = html::render(text, &[], &links).html;
        let trimmed = rendered.trim_end();
        let inner = trimmed
            .strip_prefix("<p>")
            .and_then(|t| t.strip_suffix("</p>"))
            .unwrap_or(trimmed)
            .to_owned();
        (inner, links.used.into_inner())
    }

    /// What the page of `note`, `root` away from the site root, shows of its properties.
    fn properties(&self, note: &Note, root: &str) -> Shown {
        let p = &note.properties;
        let mut list = Vec::new();
        let mut used = BTreeSet::new();
        let text = |value: &str| Html::exact(crate::slug::escape_html(value).into_owned());
        // A value with a link in it (`"[[Plan]]"`, `[spec](docs/spec.pdf)`) shows the link as
        // the note's text would: resolved, or plain text where it leads to nothing published.
        let mut value = |value: &str| {
            if value.contains("[[") || value.contains("](") {
                let (html, uses) = self.inline(value, &note.path, root);
                used.extend(uses);
                Html::exact(html)
            } else {
                text(value)
            }
        };
        if note.kind.is_meeting() {
            list.push(Property {
                key: "type".into(),
                value: text(note.kind.name()),
                url: None,
            });
            if let Some(date) = note.date {
                list.push(Property {
                    key: "date".into(),
                    value: text(&date.to_string()),
                    url: None,
                });
            }
            for name in &p.with {
                let person = self.person_ref(name);
                list.push(Property {
                    key: "with".into(),
                    value: text(name),
                    url: person.map(|p| p.url),
                });
            }
        }
        if let Some(template) = &p.template {
            list.push(Property {
                key: "template".into(),
                value: text(template),
                url: None,
            });
        }
        if let Some(sent) = p.recap_sent {
            list.push(Property {
                key: "recap_sent".into(),
                value: text(&sent.to_string()),
                url: None,
            });
        }
        if !p.aliases.is_empty() {
            list.push(Property {
                key: "aliases".into(),
                value: text(&p.aliases.join(", ")),
                url: None,
            });
        }
        let words = |value: &serde_json::Value| -> Vec<String> {
            let word =
                |v: &serde_json::Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
            match value {
                serde_json::Value::Array(items) => items.iter().map(word).collect(),
                serde_json::Value::Null => Vec::new(),
                other => vec![word(other)],
            }
        };
        let mut description = None;
        let mut classes = Vec::new();
        for (key, v) in &p.extra {
            match key.as_str() {
                "description" => {
                    description = Some(words(v).join(" ")).filter(|d| !d.trim().is_empty());
                }
                "cssclasses" | "cssclass" => {
                    // Obsidian takes a list, or names split at spaces or commas; a class is
                    // letters, digits, `-` and `_`, so no name can break out of the attribute.
                    for name in words(v).iter().flat_map(|w| w.split([' ', ','])) {
                        if !name.is_empty()
                            && name
                                .chars()
                                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
                            && !classes.contains(&name.to_owned())
                        {
                            classes.push(name.to_owned());
                        }
                    }
                }
                key if crate::frontmatter::PUBLISHING_KEYS.contains(&key) => {}
                _ => {
                    let parts: Vec<Html> = words(v).iter().map(|w| value(w)).collect();
                    list.push(Property {
                        key: key.clone(),
                        value: Html::join(&parts, ", "),
                        url: None,
                    });
                }
            }
        }
        let tags = note
            .tags
            .iter()
            .map(|t| TagRef {
                name: t.clone(),
                url: format!("tags/{}/", tag_path(t)),
                count: 0,
            })
            .collect();
        Shown {
            list,
            tags,
            description,
            classes: classes.join(" "),
            used,
        }
    }
}

/// A page of the site, rendered on its own (pages render in parallel).
#[derive(Debug, Clone)]
enum Page {
    Dashboard,
    Meetings,
    Note(usize),
    Requests(Option<Status>),
    Record(Kind, usize),
    Wins,
    Decisions,
    People,
    Person(usize),
    Tags,
    Tag(String),
    NotFound,
    /// The review packet of a period, or (`None`) the list of periods.
    Review(Option<usize>),
}

impl Page {
    /// Whether the page lists many things (a ledger, the wins, a person's meetings), rather
    /// than showing one meeting, note or record.
    fn is_list(&self) -> bool {
        !matches!(self, Page::Note(_) | Page::Record(..))
    }
}

/// Every page of the site, with its file, in the order of the files (the manifest's).
fn page_list(site: &Site<'_>) -> Vec<(Page, String)> {
    let with_paths = |pages: Vec<Page>| -> Vec<(Page, String)> {
        let mut pages: Vec<(Page, String)> = pages
            .into_par_iter()
            .map(|page| {
                let path = pages::page_path(site, &page);
                (page, path)
            })
            .collect();
        pages.par_sort_unstable_by(|a, b| a.1.cmp(&b.1));
        pages
    };
    // Every page but the records' follows from the listing: made once for it.
    let listed = site.index.listing.pages.get_or_init(|| {
        let mut pages = vec![
            Page::Requests(None),
            Page::Decisions,
            Page::Wins,
            Page::Dashboard,
            Page::Meetings,
            Page::People,
            Page::Tags,
            Page::NotFound,
        ];
        pages.extend(
            [
                Status::Open,
                Status::InProgress,
                Status::Done,
                Status::Declined,
            ]
            .map(|s| Page::Requests(Some(s))),
        );
        pages.extend((0..site.vault.notes.len()).map(Page::Note));
        pages.extend((0..site.index.listing.people.len()).map(Page::Person));
        pages.extend(site.index.listing.tags.keys().cloned().map(Page::Tag));
        pages.push(Page::Review(None));
        pages.extend((0..site.index.listing.periods.len()).map(|i| Page::Review(Some(i))));
        with_paths(pages)
    });
    let mut records: Vec<Page> = (0..site.model.requests.len())
        .map(|i| Page::Record(Kind::Requests, i))
        .collect();
    records.extend((0..site.model.follow_ups.len()).map(|i| Page::Record(Kind::FollowUps, i)));
    let records = with_paths(records);
    // Both in the order of their files: merged.
    let mut pages = Vec::with_capacity(listed.len() + records.len());
    let mut listed = listed.iter().peekable();
    for record in records {
        while let Some(page) = listed.next_if(|page| page.1 < record.1) {
            pages.push(page.clone());
        }
        pages.push(record);
    }
    pages.extend(listed.cloned());
    pages
}

/// The review periods of the site: the configured ones, else each half year with meetings.
fn periods(vault: &Vault, model: &Model) -> Vec<review::Period> {
    if vault.config.review_periods.is_empty() {
        return review::half_years(model);
    }
    let slugs = unique_slugs(vault.config.review_periods.iter().map(|p| p.name.as_str()));
    vault
        .config
        .review_periods
        .iter()
        .zip(slugs)
        .filter_map(|(p, slug)| {
            Some(review::Period {
                name: p.name.clone(),
                slug: slug.into_owned(),
                from: crate::date::parse(&p.from)?,
                to: crate::date::parse(&p.to)?,
            })
        })
        .collect()
}

/// Builds the site of `vault` into `options.out`. Unpublished notes are dropped first.
pub fn build(vault: Vault, today: Date, options: &Options) -> Result<Report> {
    build_with(vault, None, today, options)
}

/// Builds the site with the model the caller already joined from the same vault: it is used
/// as it is when every note is published (else the published notes are joined again).
pub fn build_with(
    vault: Vault,
    model: Option<Model>,
    today: Date,
    options: &Options,
) -> Result<Report> {
    let mut memory = Memory::default();
    let report = build_remembering(
        vault,
        model.map(std::sync::Arc::new),
        today,
        options,
        &mut memory,
    );
    // Freed beside what comes next (the end of the process does not wait for it), as the
    // vault is.
    std::thread::spawn(move || drop(memory));
    report
}

/// What `watch` keeps from one build to the next: the output's manifest and the rendered
/// fragments of pages.
#[derive(Debug, Default)]
pub struct Memory {
    output: output::Memory,
    /// The site's templates, compiled, with the stamp of the vault's copies.
    templates: Option<(u64, std::sync::Arc<SiteTemplates>)>,
    /// The index of the last build.
    index: Option<std::sync::Arc<Index>>,
    /// The published notes joined, when some notes are not published.
    published: crate::model::Cache,
    fragments: fragments::Fragments,
    json: fragments::Fragments<String>,
    /// The bytes of data.json, put together again in the same memory by each build: a fresh
    /// buffer of its size costs more in page faults than putting it together.
    data: std::sync::Mutex<Vec<u8>>,
}

impl Memory {
    /// The memory of a process that builds again and again.
    pub fn kept() -> Memory {
        Memory {
            fragments: fragments::Fragments::kept(),
            json: fragments::Fragments::kept(),
            ..Memory::default()
        }
    }
}

/// Builds the site like [`build_with`], with what the last build of this process left in
/// `memory` (`watch` keeps it between builds), and leaves there what this one wrote.
pub fn build_remembering(
    vault: Vault,
    model: Option<std::sync::Arc<Model>>,
    today: Date,
    options: &Options,
    memory: &mut Memory,
) -> Result<Report> {
    let out =
        Output::open_remembering(&options.out, &vault.root, options.force, &mut memory.output)?;
    crate::timing::phase("open the output");
    let stamp = SiteTemplates::stamp(&vault.root, &vault.config);
    let templates = match &memory.templates {
        Some((known, templates)) if *known == stamp => std::sync::Arc::clone(templates),
        _ => {
            let templates = std::sync::Arc::new(SiteTemplates::load(&vault.root, &vault.config)?);
            if memory.fragments.is_kept() {
                memory.templates = Some((stamp, std::sync::Arc::clone(&templates)));
            }
            templates
        }
    };
    crate::timing::phase("load templates");
    let (vault, model) = crate::model::published_cached(vault, model, today, &mut memory.published);
    crate::timing::phase("published notes");
    let digests: Vec<u64> = vault.notes.iter().map(|n| n.digest).collect();
    let (index, index_is_new) = Index::get(&vault, &model, &digests, &mut memory.index);
    crate::timing::phase("index the site");
    let data_buffer = &memory.data;
    let mut site = Site::new(
        &vault,
        &model,
        &templates,
        memory,
        index,
        options.provenance.clone(),
    );
    site.index_is_new = index_is_new;
    site.digests = digests;
    crate::timing::phase("read the git history");
    site.fingerprint(templates.digest);
    crate::timing::phase("fingerprint");
    let index = std::sync::Arc::clone(&site.index);
    // The pages to render: those not rendered from the same inputs by the last build, which
    // are kept as they are (with the attachments they use).
    let plan = || {
        let pages = index.pages.get_or_init(|| page_list(&site));
        crate::timing::phase("page list");
        let keys: Vec<pages::Key> = pages
            .par_iter()
            .map(|(page, path)| (path.as_str(), pages::page_key(&site, page)))
            .collect();
        crate::timing::phase("page keys");
        let kept = out.unchanged_pages(&keys);
        crate::timing::phase("pages kept");
        let mut attachments: BTreeSet<String> = BTreeSet::new();
        let mut changed = Vec::new();
        for (((page, _), key), kept) in pages.iter().zip(keys).zip(kept) {
            match kept {
                Some(uses) => attachments.extend(uses.iter().cloned()),
                None => changed.push((page, key)),
            }
        }
        (attachments, changed)
    };
    let data = || -> Result<()> {
        let started = std::time::Instant::now();
        if out.unchanged_page("data.json", site.data_hash).is_none() {
            if site.json.is_kept() {
                // Put together in memory from pieces kept, and written like a page.
                let mut bytes = data_buffer.lock().unwrap_or_else(|e| e.into_inner());
                bytes.clear();
                bytes.reserve(out.previous_len("data.json") + 4096);
                data::data_json(&site, &mut *bytes)?;
                out.write("data.json", &bytes)?;
            } else {
                // Streamed: a single build does not hold the largest file in memory.
                out.write_stream("data.json", |w| data::data_json(&site, w))?;
            }
            out.remember_inputs("data.json", site.data_hash, &BTreeSet::new());
            crate::timing::slow("data.json", started);
        }
        Ok(())
    };
    let render = |(page, key): (&Page, pages::Key)| {
        let started = std::time::Instant::now();
        let used = pages::render_page(&site, &templates, &out, page, key);
        crate::timing::slow(key.0, started);
        used
    };
    let (mut attachments, rendered, used) = if site.fragments.is_kept() {
        // `watch`: data.json, the largest file, is made on one thread from the moment the
        // fingerprint is known, while the other lists the pages that changed and starts on
        // them; the lists are the largest pages, so they start first.
        let (data, (attachments, rendered, used)) = rayon::join(data, || {
            let (attachments, mut changed) = plan();
            let rendered = changed.len();
            changed.sort_by_key(|(page, _)| !page.is_list());
            let used: Result<Vec<BTreeSet<String>>> = changed.into_par_iter().map(render).collect();
            (attachments, rendered, used)
        });
        (attachments, rendered, data.and(used))
    } else {
        // The lists (ledgers, wins, decisions, people, tags, reviews) and data.json are the
        // largest files: they are made one after another on one thread while the other renders
        // the pages of meetings and requests, so no two of them are in memory at once.
        let (attachments, changed) = plan();
        let rendered = changed.len();
        let (lists, each): (Vec<_>, Vec<_>) =
            changed.into_iter().partition(|(page, _)| page.is_list());
        let (lists, each) = rayon::join(
            || -> Result<Vec<BTreeSet<String>>> {
                data()?;
                lists.into_iter().map(render).collect()
            },
            || each.into_par_iter().map(render).collect::<Result<Vec<_>>>(),
        );
        let used = lists.and_then(|mut lists| {
            lists.extend(each?);
            Ok(lists)
        });
        (attachments, rendered, used)
    };
    crate::timing::phase("render and write pages, data.json");
    attachments.extend(used?.into_iter().flatten());
    for path in &attachments {
        let source = vault.root.join(path);
        let bytes = std::fs::read(&source).map_err(|e| crate::error::Error::io(&source, e))?;
        out.write(&format!("attachments/{path}"), &bytes)?;
    }
    for (name, text) in templates.files() {
        out.write(name, text.as_bytes())?;
    }
    crate::timing::phase("attachments, assets");
    let pages = index.pages.get().map_or(0, Vec::len);
    let files = pages + attachments.len() + templates.files().len() + 1;
    drop(site);
    memory.fragments.finish();
    memory.json.finish();
    crate::timing::phase("sweep the pieces kept");
    let output = out.finish_remembering(&mut memory.output)?;
    crate::timing::phase("manifest");
    // Freeing ten thousand notes takes a while: it is done beside whatever comes next (the
    // next rebuild's wait, or the end of the process, which does not wait for it).
    let garbage = (vault, model);
    std::thread::spawn(move || drop(garbage));
    Ok(Report {
        files,
        rendered,
        output,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_made_unique_in_order() {
        assert_eq!(
            unique_slugs(["Dana", "Sam Lee", "b"]),
            ["dana", "sam-lee", "b"]
        );
        // A second `a` becomes `a-2`, and a name that was `a-2` already becomes `a-2-2`;
        // `status` is the ledger's.
        assert_eq!(
            unique_slugs(["a", "A", "a-2", "Status", "b"]),
            ["a", "a-2", "a-2-2", "status-2", "b"]
        );
    }

    proptest::proptest! {
        /// A name taken as its own slug is one `slugify` leaves as it is.
        #[test]
        fn a_name_is_its_own_slug_only_when_slugify_agrees(name in "[a-zA-Z0-9_ -]{0,8}|\\PC{0,6}") {
            proptest::prop_assert_eq!(slug_of(&name), slugify(&name));
        }
    }
}
