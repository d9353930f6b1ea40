//! The static site: every published note, the request ledger with a page per request, wins,
//! decisions, people, tags, a dashboard with charts, and `data.json`. Built from published
//! notes only, so nothing private can reach any page, index or JSON.

pub mod charts;
pub mod output;

use crate::commands::requests::to_json;
use crate::commands::review;
use crate::config::Kind;
use crate::date::Date;
use crate::error::Result;
use crate::links::{Link, LinkIndex};
use crate::markdown::html::{self, Resolver, Target};
use crate::model::{Model, Record};
use crate::note::{Note, NoteKind, plain_text};
use crate::slug::slugify;
use crate::task::Status;
use crate::template::SiteTemplates;
use crate::vault::Vault;
use output::Output;
use rayon::prelude::*;
use serde::Serialize;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

/// How to build.
#[derive(Debug, Clone)]
pub struct Options {
    /// The output folder.
    pub out: PathBuf,
    /// Build into a folder that holds files upward did not write (they are left alone).
    pub force: bool,
}

/// What a build produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// Files the site has (pages, data, styles, attachments).
    pub files: usize,
    pub output: output::Report,
}

#[derive(Serialize, Clone, Copy)]
struct NavItem {
    key: &'static str,
    label: &'static str,
    url: &'static str,
}

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

/// What every page template gets.
#[derive(Serialize)]
struct Common<'a> {
    root: &'a str,
    title: String,
    section: &'static str,
    nav: &'static [NavItem],
    site: &'a SiteInfo,
}

#[derive(Serialize, Clone)]
struct PersonRef {
    name: String,
    url: String,
}

#[derive(Serialize, Clone)]
struct MeetingRow {
    url: String,
    title: String,
    date: String,
    kind_label: &'static str,
    requests: usize,
    wins: usize,
}

#[derive(Serialize, Clone)]
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
    value: String,
    url: Option<String>,
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

fn kind_label(kind: NoteKind) -> &'static str {
    match kind {
        NoteKind::OneOnOne => "1:1",
        NoteKind::RubberDuck => "Rubber-duck 1:1",
        NoteKind::SkipLevel => "Skip-level",
        NoteKind::Ordinary => "Note",
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
fn unique_slugs(names: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut seen: BTreeSet<String> = BTreeSet::from(["status".to_owned()]);
    names
        .into_iter()
        .map(|name| {
            let base = slugify(&name);
            let mut slug = base.clone();
            let mut n = 2;
            while !seen.insert(slug.clone()) {
                slug = format!("{base}-{n}");
                n += 1;
            }
            slug
        })
        .collect()
}

fn tag_path(tag: &str) -> String {
    tag.split('/')
        .filter(|s| !s.is_empty())
        .map(slugify)
        .collect::<Vec<_>>()
        .join("/")
}

fn median(values: &mut [i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 0 {
        (values[mid - 1] + values[mid]) / 2
    } else {
        values[mid]
    })
}

struct Person {
    name: String,
    slug: String,
    note: Option<usize>,
    meetings: Vec<usize>,
    meeting_set: std::collections::HashSet<usize>,
}

/// Resolves links of one note for a page `root` levels below the site root.
struct PageLinks<'s> {
    site: &'s Site<'s>,
    from: &'s str,
    root: &'s str,
    used: RefCell<BTreeSet<String>>,
}

impl Resolver for PageLinks<'_> {
    fn resolve(&self, target: &str, wikilink: bool) -> Option<Target> {
        match self.site.links.resolve(target, self.from, wikilink)? {
            Link::Note(i, fragment) => {
                let mut url = format!("{}{}", self.root, self.site.note_urls[i]);
                if let Some(fragment) = fragment {
                    url.push('#');
                    url.push_str(&fragment);
                }
                Some(Target::Page(url))
            }
            Link::Here(fragment) => Some(Target::Page(format!("#{fragment}"))),
            Link::Attachment(path) => {
                let url = format!("{}attachments/{}", self.root, encode_path(&path));
                self.used.borrow_mut().insert(path);
                Some(Target::Attachment(url))
            }
        }
    }

    fn tag_url(&self, tag: &str) -> String {
        format!("{}tags/{}/", self.root, tag_path(tag))
    }
}

/// The published vault with everything pages need, indexed once.
struct Site<'a> {
    vault: &'a Vault,
    model: &'a Model,
    info: SiteInfo,
    note_urls: Vec<String>,
    links: LinkIndex,
    record_urls: HashMap<(Kind, String), String>,
    people: Vec<Person>,
    person_by_name: HashMap<String, usize>,
    tags: BTreeMap<String, Vec<usize>>,
    /// For each note, the records it mentions.
    mentions: Vec<Vec<(Kind, usize)>>,
    /// For each note, its position among the meetings.
    positions: Vec<Option<usize>>,
    rows: HashMap<(Kind, &'a str), RequestRow>,
    provenance: crate::provenance::Provenance,
    periods: Vec<review::Period>,
}

impl<'a> Site<'a> {
    fn new(vault: &'a Vault, model: &'a Model) -> Site<'a> {
        let meeting_slugs = unique_slugs(
            vault
                .notes
                .iter()
                .filter(|n| n.kind.is_meeting())
                .map(|n| n.name.clone()),
        );
        let note_slugs = unique_slugs(
            vault
                .notes
                .iter()
                .filter(|n| !n.kind.is_meeting())
                .map(|n| n.name.clone()),
        );
        let (mut meetings, mut others) = (meeting_slugs.into_iter(), note_slugs.into_iter());
        let note_urls = vault
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
        let mut record_urls = HashMap::new();
        for (kind, records, folder) in [
            (Kind::Requests, &model.requests, "requests"),
            (Kind::FollowUps, &model.follow_ups, "follow-ups"),
        ] {
            let slugs = unique_slugs(records.iter().map(|r| r.id.clone()));
            for (record, slug) in records.iter().zip(slugs) {
                record_urls.insert((kind, record.id.clone()), format!("{folder}/{slug}/"));
            }
        }
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
                        meeting_set: Default::default(),
                    });
                    people.len() - 1
                });
                people[index].meetings.push(meeting.note);
                people[index].meeting_set.insert(meeting.note);
            }
        }
        let slugs = unique_slugs(people.iter().map(|p| p.name.clone()));
        for (person, slug) in people.iter_mut().zip(slugs) {
            person.slug = slug;
            person.note = vault
                .notes
                .iter()
                .position(|n| !n.kind.is_meeting() && n.name.eq_ignore_ascii_case(&person.name));
        }
        let mut tags: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, note) in vault.notes.iter().enumerate() {
            for tag in &note.tags {
                tags.entry(tag.clone()).or_default().push(i);
            }
        }
        let mut mentions = vec![Vec::new(); vault.notes.len()];
        for (kind, records) in [
            (Kind::Requests, &model.requests),
            (Kind::FollowUps, &model.follow_ups),
        ] {
            for (i, record) in records.iter().enumerate() {
                for event in &record.events {
                    if mentions[event.note].last() != Some(&(kind, i)) {
                        mentions[event.note].push((kind, i));
                    }
                }
            }
        }
        let mut positions = vec![None; vault.notes.len()];
        for (i, meeting) in model.meetings.iter().enumerate() {
            positions[meeting.note] = Some(i);
        }
        let mut site = Site {
            vault,
            model,
            mentions,
            positions,
            rows: HashMap::new(),
            provenance: crate::provenance::Provenance::read(&vault.root),
            periods: periods(vault, model),
            info: SiteInfo {
                meetings: model.meetings.len(),
                today: model.today.to_string(),
            },
            note_urls,
            links,
            record_urls,
            people,
            person_by_name,
            tags,
        };
        let rows: HashMap<(Kind, &'a str), RequestRow> = model
            .requests
            .iter()
            .chain(&model.follow_ups)
            .map(|r| ((r.kind, r.id.as_str()), site.compute_row(r)))
            .collect();
        site.rows = rows;
        site
    }

    fn common<'s>(&'s self, root: &'s str, title: String, section: &'static str) -> Common<'s> {
        Common {
            root,
            title,
            section,
            nav: &NAV,
            site: &self.info,
        }
    }

    fn person_ref(&self, name: &str) -> Option<PersonRef> {
        let person = &self.people[*self.person_by_name.get(&name.to_lowercase())?];
        Some(PersonRef {
            name: person.name.clone(),
            url: format!("people/{}/", person.slug),
        })
    }

    fn meeting_title(note: &Note) -> String {
        match note.person() {
            Some(person) => format!("{} with {person}", kind_label(note.kind)),
            None => kind_label(note.kind).to_owned(),
        }
    }

    fn meeting_row(&self, index: usize) -> MeetingRow {
        let note = &self.vault.notes[index];
        MeetingRow {
            url: self.note_urls[index].clone(),
            title: Self::meeting_title(note),
            date: note.date.map(|d| d.to_string()).unwrap_or_default(),
            kind_label: kind_label(note.kind),
            requests: note
                .items
                .iter()
                .filter(|i| i.kind == Kind::Requests)
                .count(),
            wins: note.items.iter().filter(|i| i.kind == Kind::Wins).count(),
        }
    }

    /// The ledger row of a record, computed once.
    fn request_row(&self, record: &'a Record) -> &RequestRow {
        &self.rows[&(record.kind, record.id.as_str())]
    }

    fn compute_row(&self, record: &Record) -> RequestRow {
        let person = record.with.as_deref().and_then(|w| self.person_ref(w));
        RequestRow {
            id: record.id.clone(),
            url: self.record_urls[&(record.kind, record.id.clone())].clone(),
            title: plain_text(&record.title),
            status: record.status.name(),
            status_label: status_label(record.status),
            raised: record.raised.to_string(),
            resolved: record.resolved.map(|d| d.to_string()),
            mentions: record.mentions(),
            days_open: record.days_open(self.model.today),
            people: {
                let mut slugs: Vec<String> = record
                    .events
                    .iter()
                    .flat_map(|e| &self.vault.notes[e.note].properties.with)
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

    /// Inline Markdown of an item, for a page `root` away from the site root.
    fn inline(&self, text: &str, from: &str, root: &str) -> (String, BTreeSet<String>) {
        let links = PageLinks {
            site: self,
            from,
            root,
            used: RefCell::new(BTreeSet::new()),
        };
        let rendered = html::render(text, &[], &links).html;
        let trimmed = rendered.trim_end();
        let inner = trimmed
            .strip_prefix("<p>")
            .and_then(|t| t.strip_suffix("</p>"))
            .unwrap_or(trimmed)
            .to_owned();
        (inner, links.used.into_inner())
    }

    fn properties(&self, note: &Note) -> (Vec<Property>, Vec<TagRef>) {
        let p = &note.properties;
        let mut list = Vec::new();
        if note.kind.is_meeting() {
            list.push(Property {
                key: "type".into(),
                value: note.kind.name().into(),
                url: None,
            });
            if let Some(date) = note.date {
                list.push(Property {
                    key: "date".into(),
                    value: date.to_string(),
                    url: None,
                });
            }
            for name in &p.with {
                let person = self.person_ref(name);
                list.push(Property {
                    key: "with".into(),
                    value: name.clone(),
                    url: person.map(|p| p.url),
                });
            }
        }
        if let Some(template) = &p.template {
            list.push(Property {
                key: "template".into(),
                value: template.clone(),
                url: None,
            });
        }
        if let Some(sent) = p.recap_sent {
            list.push(Property {
                key: "recap_sent".into(),
                value: sent.to_string(),
                url: None,
            });
        }
        if !p.aliases.is_empty() {
            list.push(Property {
                key: "aliases".into(),
                value: p.aliases.join(", "),
                url: None,
            });
        }
        for (key, value) in &p.extra {
            let value = match value {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join(", "),
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            };
            list.push(Property {
                key: key.clone(),
                value,
                url: None,
            });
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
        (list, tags)
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

/// The review periods of the site: the configured ones, else each half year with meetings.
fn periods(vault: &Vault, model: &Model) -> Vec<review::Period> {
    if vault.config.review_periods.is_empty() {
        return review::half_years(model);
    }
    let slugs = unique_slugs(vault.config.review_periods.iter().map(|p| p.name.clone()));
    vault
        .config
        .review_periods
        .iter()
        .zip(slugs)
        .filter_map(|(p, slug)| {
            Some(review::Period {
                name: p.name.clone(),
                slug,
                from: crate::date::parse(&p.from)?,
                to: crate::date::parse(&p.to)?,
            })
        })
        .collect()
}

/// Builds the site of `vault` into `options.out`. Unpublished notes are dropped first.
pub fn build(mut vault: Vault, today: Date, options: &Options) -> Result<Report> {
    let out = Output::open(&options.out, &vault.root, options.force)?;
    let templates = SiteTemplates::load(&vault.root, &vault.config)?;
    vault.notes.retain(Note::published);
    let model = Model::build(&vault, today);
    let site = Site::new(&vault, &model);
    // The largest pages first, so the two threads finish together.
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
    pages.extend((0..vault.notes.len()).map(Page::Note));
    pages.extend((0..model.requests.len()).map(|i| Page::Record(Kind::Requests, i)));
    pages.extend((0..model.follow_ups.len()).map(|i| Page::Record(Kind::FollowUps, i)));
    pages.extend((0..site.people.len()).map(Page::Person));
    pages.extend(site.tags.keys().cloned().map(Page::Tag));
    pages.push(Page::Review(None));
    pages.extend((0..site.periods.len()).map(|i| Page::Review(Some(i))));
    let used: Vec<BTreeSet<String>> = pages
        .par_iter()
        .map(|page| render_page(&site, &templates, &out, page))
        .collect::<Result<_>>()?;
    let attachments: BTreeSet<String> = used.into_iter().flatten().collect();
    for path in &attachments {
        let source = vault.root.join(path);
        let bytes = std::fs::read(&source).map_err(|e| crate::error::Error::io(&source, e))?;
        out.write(&format!("attachments/{path}"), &bytes)?;
    }
    for (name, text) in templates.files() {
        out.write(name, text.as_bytes())?;
    }
    out.write_stream("data.json", |w| data_json(&site, w))?;
    let files = pages.len() + attachments.len() + templates.files().len() + 1;
    Ok(Report {
        files,
        output: out.finish()?,
    })
}

fn write_page(
    out: &Output,
    templates: &SiteTemplates,
    path: &str,
    template: &str,
    context: &impl Serialize,
) -> Result<()> {
    let html = templates.render(template, context)?;
    out.write(path, html.as_bytes())
}

#[derive(Serialize)]
struct Stats {
    meetings: usize,
    requests: usize,
    open: usize,
    answered: usize,
    median_days: Option<i64>,
    wins: usize,
}

fn render_page(
    site: &Site<'_>,
    templates: &SiteTemplates,
    out: &Output,
    page: &Page,
) -> Result<BTreeSet<String>> {
    let vault = site.vault;
    let model = site.model;
    let mut used = BTreeSet::new();
    match page {
        Page::Dashboard => {
            let root = "";
            let mut open: Vec<&RequestRow> = model
                .requests
                .iter()
                .filter(|r| r.status.is_open())
                .map(|r| site.request_row(r))
                .collect();
            open.sort_by(|a, b| b.days_open.cmp(&a.days_open).then(a.id.cmp(&b.id)));
            let mut resolved_days: Vec<i64> = model
                .requests
                .iter()
                .filter(|r| r.resolved.is_some())
                .map(|r| r.days_open(model.today))
                .collect();
            let mut months: BTreeMap<String, (usize, usize)> = BTreeMap::new();
            for r in &model.requests {
                months
                    .entry(r.raised.format("%Y-%m").to_string())
                    .or_default()
                    .0 += 1;
                if let Some(day) = r.resolved {
                    months.entry(day.format("%Y-%m").to_string()).or_default().1 += 1;
                }
            }
            // Up to this month, so a quiet stretch at the end shows too.
            months
                .entry(model.today.format("%Y-%m").to_string())
                .or_default();
            let months = fill_months(months);
            let recent: Vec<MeetingRow> = model
                .meetings
                .iter()
                .rev()
                .take(8)
                .map(|m| site.meeting_row(m.note))
                .collect();
            #[derive(Serialize)]
            struct Charts {
                open_by_age: String,
                per_month: String,
                resolution: String,
            }
            let charts = Charts {
                open_by_age: charts::open_by_age(
                    &open
                        .iter()
                        .take(15)
                        .map(|r| (r.title.clone(), r.days_open))
                        .collect::<Vec<_>>(),
                ),
                per_month: charts::per_month(&months),
                resolution: charts::resolution(&resolved_days),
            };
            #[derive(Serialize)]
            struct Context<'a> {
                #[serde(flatten)]
                common: Common<'a>,
                stats: Stats,
                open: Vec<&'a RequestRow>,
                charts: Charts,
                meetings: Vec<MeetingRow>,
            }
            let stats = Stats {
                meetings: model.meetings.len(),
                requests: model.requests.len(),
                open: open.len(),
                answered: resolved_days.len(),
                median_days: median(&mut resolved_days),
                wins: model.items(vault, Kind::Wins).len(),
            };
            write_page(
                out,
                templates,
                "index.html",
                "index.html",
                &Context {
                    common: site.common(root, "Dashboard".into(), "dashboard"),
                    stats,
                    open,
                    charts,
                    meetings: recent,
                },
            )?;
        }
        Page::Meetings => {
            #[derive(Serialize)]
            struct Context<'a> {
                #[serde(flatten)]
                common: Common<'a>,
                meetings: Vec<MeetingRow>,
            }
            let meetings = model
                .meetings
                .iter()
                .rev()
                .map(|m| site.meeting_row(m.note))
                .collect();
            write_page(
                out,
                templates,
                "meetings/index.html",
                "meetings.html",
                &Context {
                    common: site.common("../", "Meetings".into(), "meetings"),
                    meetings,
                },
            )?;
        }
        Page::Note(index) => {
            let note = &vault.notes[*index];
            let root = "../../";
            let links = PageLinks {
                site,
                from: &note.path,
                root,
                used: RefCell::new(BTreeSet::new()),
            };
            let anchors: Vec<(usize, String)> = note
                .items
                .iter()
                .map(|i| (i.offset, i.id.clone()))
                .collect();
            let body = html::render(&note.body, &anchors, &links).html;
            used.extend(links.used.into_inner());
            let (properties, tags) = site.properties(note);
            let path = format!("{}index.html", site.note_urls[*index]);
            if note.kind.is_meeting() {
                let position = site.positions[*index];
                let neighbour = |p: Option<usize>| {
                    p.and_then(|p| model.meetings.get(p))
                        .map(|m| site.meeting_row(m.note))
                };
                let previous = neighbour(position.and_then(|p| p.checked_sub(1)));
                let next = neighbour(position.map(|p| p + 1));
                let mentioned: Vec<&RequestRow> = site.mentions[*index]
                    .iter()
                    .map(|&(kind, i)| {
                        let records = if kind == Kind::Requests {
                            &model.requests
                        } else {
                            &model.follow_ups
                        };
                        site.request_row(&records[i])
                    })
                    .collect();
                #[derive(Serialize)]
                struct Context<'a> {
                    #[serde(flatten)]
                    common: Common<'a>,
                    meeting: MeetingRow,
                    properties: Vec<Property>,
                    tags: Vec<TagRef>,
                    body: String,
                    mentioned: Vec<&'a RequestRow>,
                    previous: Option<MeetingRow>,
                    next: Option<MeetingRow>,
                    commit: Option<review::CommitInfo>,
                }
                let commit = note
                    .date
                    .and_then(|d| review::note_commit(&note.path, d, &site.provenance));
                let mut meeting = site.meeting_row(*index);
                if !meeting.date.is_empty() {
                    meeting.title = format!("{}, {}", meeting.title, meeting.date);
                }
                write_page(
                    out,
                    templates,
                    &path,
                    "meeting.html",
                    &Context {
                        common: site.common(root, meeting.title.clone(), "meetings"),
                        meeting,
                        properties,
                        tags,
                        body,
                        mentioned,
                        previous,
                        next,
                        commit,
                    },
                )?;
            } else {
                #[derive(Serialize)]
                struct Context<'a> {
                    #[serde(flatten)]
                    common: Common<'a>,
                    properties: Vec<Property>,
                    tags: Vec<TagRef>,
                    body: String,
                }
                write_page(
                    out,
                    templates,
                    &path,
                    "note.html",
                    &Context {
                        common: site.common(root, note.name.clone(), "notes"),
                        properties,
                        tags,
                        body,
                    },
                )?;
            }
        }
        Page::Requests(filter) => {
            let (root, path, heading) = match filter {
                None => (
                    "../".to_owned(),
                    "requests/index.html".to_owned(),
                    "Requests".to_owned(),
                ),
                Some(status) => (
                    "../../../".to_owned(),
                    format!("requests/status/{}/index.html", status.name()),
                    format!("Requests: {}", status_label(*status).to_lowercase()),
                ),
            };
            let keep = |r: &&Record| filter.is_none_or(|s| r.status == s);
            let requests: Vec<&RequestRow> = model
                .requests
                .iter()
                .filter(keep)
                .map(|r| site.request_row(r))
                .collect();
            let follow_ups: Vec<&RequestRow> = model
                .follow_ups
                .iter()
                .filter(keep)
                .map(|r| site.request_row(r))
                .collect();
            #[derive(Serialize)]
            struct StatusLink {
                label: String,
                url: String,
                count: usize,
                current: bool,
            }
            let mut statuses = vec![StatusLink {
                label: "All".into(),
                url: "requests/".into(),
                count: model.requests.len(),
                current: filter.is_none(),
            }];
            for status in [
                Status::Open,
                Status::InProgress,
                Status::Done,
                Status::Declined,
            ] {
                statuses.push(StatusLink {
                    label: status_label(status).into(),
                    url: format!("requests/status/{}/", status.name()),
                    count: model.requests.iter().filter(|r| r.status == status).count(),
                    current: *filter == Some(status),
                });
            }
            #[derive(Serialize)]
            struct PersonOption {
                name: String,
                slug: String,
            }
            let people = site
                .people
                .iter()
                .map(|p| PersonOption {
                    name: p.name.clone(),
                    slug: slugify(&p.name),
                })
                .collect::<Vec<_>>();
            #[derive(Serialize)]
            struct Context<'a> {
                #[serde(flatten)]
                common: Common<'a>,
                heading: String,
                statuses: Vec<StatusLink>,
                people: Vec<PersonOption>,
                requests: Vec<&'a RequestRow>,
                follow_ups: Vec<&'a RequestRow>,
            }
            write_page(
                out,
                templates,
                &path,
                "requests.html",
                &Context {
                    common: site.common(&root, heading.clone(), "requests"),
                    heading,
                    statuses,
                    people,
                    requests,
                    follow_ups,
                },
            )?;
        }
        Page::Record(kind, index) => {
            let record = if *kind == Kind::Requests {
                &model.requests[*index]
            } else {
                &model.follow_ups[*index]
            };
            let root = "../../";
            let row = site.request_row(record);
            #[derive(Serialize)]
            struct EventRow {
                date: String,
                url: String,
                meeting: String,
                status: &'static str,
                label: &'static str,
                html: String,
                outcome: Option<String>,
                details: Vec<String>,
            }
            let mut events = Vec::new();
            for event in &record.events {
                let note = &vault.notes[event.note];
                let item = &note.items[event.item];
                let (text, links) = site.inline(&item.text, &note.path, root);
                used.extend(links);
                let mut details = Vec::new();
                for detail in &item.details {
                    let (html, links) = site.inline(detail, &note.path, root);
                    used.extend(links);
                    details.push(html);
                }
                events.push(EventRow {
                    date: event.date.to_string(),
                    url: format!(
                        "{}#block-{}",
                        site.note_urls[event.note],
                        html::slugify_block(&item.id)
                    ),
                    meeting: Site::meeting_title(note),
                    status: event.status.name(),
                    label: status_label(event.status),
                    html: text,
                    outcome: item.outcome.clone(),
                    details,
                });
            }
            #[derive(Serialize)]
            struct Context<'a> {
                #[serde(flatten)]
                common: Common<'a>,
                request: &'a RequestRow,
                events: Vec<EventRow>,
                commit: Option<review::CommitInfo>,
            }
            let path = format!("{}index.html", row.url);
            write_page(
                out,
                templates,
                &path,
                "request.html",
                &Context {
                    common: site.common(root, row.title.clone(), "requests"),
                    request: row,
                    events,
                    commit: review::request_commit(record, vault, &site.provenance),
                },
            )?;
        }
        Page::Wins | Page::Decisions => {
            let root = "../";
            let (kind, heading, lede, path, section) = if matches!(page, Page::Wins) {
                (
                    Kind::Wins,
                    "Wins",
                    "Everything delivered, as it was written down each week, newest first.",
                    "wins/index.html",
                    "wins",
                )
            } else {
                (
                    Kind::Outcomes,
                    "Decisions and agreements",
                    "Outcomes, decisions and agreements of each meeting, newest first.",
                    "decisions/index.html",
                    "decisions",
                )
            };
            #[derive(Serialize)]
            struct ItemRow {
                html: String,
                url: String,
                date: String,
                label: Option<String>,
            }
            #[derive(Serialize)]
            struct Group {
                title: String,
                url: Option<String>,
                items: Vec<ItemRow>,
            }
            let mut groups: Vec<Group> = Vec::new();
            for meeting in model.meetings.iter().rev() {
                let note = &vault.notes[meeting.note];
                let mut items = Vec::new();
                for item in note.items.iter().filter(|i| i.kind == kind) {
                    let (html, links) = site.inline(&item.text, &note.path, root);
                    used.extend(links);
                    let label = (kind == Kind::Outcomes
                        && !item.section.eq_ignore_ascii_case("outcomes"))
                    .then(|| item.section.to_string());
                    items.push(ItemRow {
                        html,
                        url: format!(
                            "{}#block-{}",
                            site.note_urls[meeting.note],
                            html::slugify_block(&item.id)
                        ),
                        date: meeting.date.to_string(),
                        label,
                    });
                }
                if items.is_empty() {
                    continue;
                }
                let title = if kind == Kind::Wins {
                    meeting.date.format("%B %Y").to_string()
                } else {
                    format!("{}, {}", Site::meeting_title(note), meeting.date)
                };
                let url = (kind != Kind::Wins).then(|| site.note_urls[meeting.note].clone());
                match groups.last_mut() {
                    Some(last) if last.title == title => last.items.extend(items),
                    _ => groups.push(Group { title, url, items }),
                }
            }
            #[derive(Serialize)]
            struct Context<'a> {
                #[serde(flatten)]
                common: Common<'a>,
                heading: &'static str,
                lede: &'static str,
                groups: Vec<Group>,
            }
            write_page(
                out,
                templates,
                path,
                "items.html",
                &Context {
                    common: site.common(root, heading.into(), section),
                    heading,
                    lede,
                    groups,
                },
            )?;
        }
        Page::People | Page::Person(_) => {
            #[derive(Serialize)]
            struct PersonRow {
                name: String,
                url: String,
                meetings: usize,
                requests: usize,
                answered_percent: usize,
                median_days: Option<i64>,
            }
            let row = |person: &Person| {
                let records: Vec<&Record> = model
                    .requests
                    .iter()
                    .filter(|r| {
                        r.events
                            .iter()
                            .any(|e| person.meeting_set.contains(&e.note))
                    })
                    .collect();
                let mut days: Vec<i64> = records
                    .iter()
                    .filter(|r| r.resolved.is_some())
                    .map(|r| r.days_open(model.today))
                    .collect();
                let answered_percent = if records.is_empty() {
                    0
                } else {
                    days.len() * 100 / records.len()
                };
                (
                    PersonRow {
                        name: person.name.clone(),
                        url: format!("people/{}/", person.slug),
                        meetings: person.meetings.len(),
                        requests: records.len(),
                        answered_percent,
                        median_days: median(&mut days),
                    },
                    records,
                )
            };
            if let Page::Person(index) = page {
                let person = &site.people[*index];
                let (info, records) = row(person);
                let root = "../../";
                let (body, note_url) = match person.note {
                    Some(n) => {
                        let links = PageLinks {
                            site,
                            from: &vault.notes[n].path,
                            root,
                            used: RefCell::new(BTreeSet::new()),
                        };
                        let body = html::render(&vault.notes[n].body, &[], &links).html;
                        used.extend(links.used.into_inner());
                        (Some(body), Some(site.note_urls[n].clone()))
                    }
                    None => (None, None),
                };
                #[derive(Serialize)]
                struct Context<'a> {
                    #[serde(flatten)]
                    common: Common<'a>,
                    person: PersonRow,
                    body: Option<String>,
                    note_url: Option<String>,
                    requests: Vec<&'a RequestRow>,
                    meetings: Vec<MeetingRow>,
                }
                let path = format!("{}index.html", info.url);
                write_page(
                    out,
                    templates,
                    &path,
                    "person.html",
                    &Context {
                        common: site.common(root, info.name.clone(), "people"),
                        requests: records.iter().map(|r| site.request_row(r)).collect(),
                        meetings: person
                            .meetings
                            .iter()
                            .rev()
                            .map(|&n| site.meeting_row(n))
                            .collect(),
                        person: info,
                        body,
                        note_url,
                    },
                )?;
            } else {
                #[derive(Serialize)]
                struct Context<'a> {
                    #[serde(flatten)]
                    common: Common<'a>,
                    people: Vec<PersonRow>,
                }
                write_page(
                    out,
                    templates,
                    "people/index.html",
                    "people.html",
                    &Context {
                        common: site.common("../", "People".into(), "people"),
                        people: site.people.iter().map(|p| row(p).0).collect(),
                    },
                )?;
            }
        }
        Page::Tags => {
            #[derive(Serialize)]
            struct Context<'a> {
                #[serde(flatten)]
                common: Common<'a>,
                tags: Vec<TagRef>,
            }
            let tags = site
                .tags
                .iter()
                .map(|(t, notes)| TagRef {
                    name: t.clone(),
                    url: format!("tags/{}/", tag_path(t)),
                    count: notes.len(),
                })
                .collect();
            write_page(
                out,
                templates,
                "tags/index.html",
                "tags.html",
                &Context {
                    common: site.common("../", "Tags".into(), "tags"),
                    tags,
                },
            )?;
        }
        Page::Tag(tag) => {
            let path = tag_path(tag);
            let depth = path.split('/').count() + 1;
            let root = "../".repeat(depth);
            #[derive(Serialize)]
            struct NoteRow {
                url: String,
                title: String,
                date: Option<String>,
            }
            let mut notes: Vec<NoteRow> = site.tags[tag]
                .iter()
                .map(|&n| {
                    let note = &vault.notes[n];
                    NoteRow {
                        url: site.note_urls[n].clone(),
                        title: if note.kind.is_meeting() {
                            Site::meeting_title(note)
                        } else {
                            note.name.clone()
                        },
                        date: note.date.map(|d| d.to_string()),
                    }
                })
                .collect();
            notes.sort_by(|a, b| b.date.cmp(&a.date).then(a.title.cmp(&b.title)));
            #[derive(Serialize)]
            struct Context<'a> {
                #[serde(flatten)]
                common: Common<'a>,
                tag: &'a str,
                notes: Vec<NoteRow>,
            }
            write_page(
                out,
                templates,
                &format!("tags/{path}/index.html"),
                "tag.html",
                &Context {
                    common: site.common(&root, format!("#{tag}"), "tags"),
                    tag,
                    notes,
                },
            )?;
        }
        Page::Review(which) => {
            #[derive(Serialize)]
            struct PeriodLink<'a> {
                name: &'a str,
                slug: &'a str,
                current: bool,
            }
            let links: Vec<PeriodLink> = site
                .periods
                .iter()
                .enumerate()
                .map(|(i, p)| PeriodLink {
                    name: &p.name,
                    slug: &p.slug,
                    current: *which == Some(i),
                })
                .collect();
            let (root, path, period) = match which {
                Some(i) => {
                    let period = &site.periods[*i];
                    (
                        "../../",
                        format!("review/{}/index.html", period.slug),
                        Some(period),
                    )
                }
                None => ("../", "review/index.html".to_owned(), site.periods.last()),
            };
            let mut packet = match period {
                Some(p) => review::Packet::build(vault, model, &site.provenance, p.from, p.to),
                None => {
                    review::Packet::build(vault, model, &site.provenance, model.today, model.today)
                }
            };
            for request in &mut packet.requests {
                request.url = site
                    .record_urls
                    .get(&(Kind::Requests, request.id.clone()))
                    .cloned();
            }
            if let Some(p) = period {
                packet.title = format!("Review packet: {} ({} to {})", p.name, p.from, p.to);
            }
            #[derive(Serialize)]
            struct Context<'a> {
                #[serde(flatten)]
                common: Common<'a>,
                periods: Vec<PeriodLink<'a>>,
                packet: review::Packet,
            }
            write_page(
                out,
                templates,
                &path,
                "review.html",
                &Context {
                    common: site.common(root, packet.title.clone(), "review"),
                    periods: links,
                    packet,
                },
            )?;
        }
        Page::NotFound => {
            #[derive(Serialize)]
            struct Context<'a> {
                #[serde(flatten)]
                common: Common<'a>,
            }
            write_page(
                out,
                templates,
                "404.html",
                "404.html",
                &Context {
                    common: site.common("/", "Not found".into(), ""),
                },
            )?;
        }
    }
    Ok(used)
}

/// Every month from the first to the last, so quiet months show as gaps.
fn fill_months(counts: BTreeMap<String, (usize, usize)>) -> Vec<(String, usize, usize)> {
    let parse = |m: &str| -> Option<(i32, u32)> {
        Some((m.get(..4)?.parse().ok()?, m.get(5..7)?.parse().ok()?))
    };
    let (Some(first), Some(last)) = (
        counts.keys().next().and_then(|m| parse(m)),
        counts.keys().last().and_then(|m| parse(m)),
    ) else {
        return Vec::new();
    };
    let mut months = Vec::new();
    let (mut year, mut month) = first;
    while (year, month) <= last {
        let key = format!("{year:04}-{month:02}");
        let (raised, resolved) = counts.get(&key).copied().unwrap_or_default();
        months.push((key, raised, resolved));
        month += 1;
        if month > 12 {
            month = 1;
            year += 1;
        }
    }
    months
}

/// The records of a ledger as JSON, one at a time rather than all in memory at once.
struct RecordsJson<'a> {
    records: &'a [Record],
    vault: &'a Vault,
    today: Date,
}

impl Serialize for RecordsJson<'_> {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_seq(
            self.records
                .iter()
                .map(|r| to_json(r, self.vault, self.today)),
        )
    }
}

fn data_json(site: &Site<'_>, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let vault = site.vault;
    let model = site.model;
    #[derive(Serialize)]
    struct MeetingJson<'a> {
        date: String,
        #[serde(rename = "type")]
        kind: &'static str,
        with: &'a [String],
        note: &'a str,
        url: &'a str,
        template: Option<&'a str>,
        recap_sent: Option<String>,
        tags: &'a [String],
    }
    #[derive(Serialize)]
    struct ItemJson<'a> {
        text: &'a str,
        section: &'a str,
        date: String,
        note: &'a str,
        line: usize,
    }
    #[derive(Serialize)]
    struct Data<'a> {
        generated: String,
        meetings: Vec<MeetingJson<'a>>,
        requests: RecordsJson<'a>,
        follow_ups: RecordsJson<'a>,
        wins: Vec<ItemJson<'a>>,
        priorities: Vec<ItemJson<'a>>,
        outcomes: Vec<ItemJson<'a>>,
        tags: BTreeMap<&'a str, usize>,
    }
    let items = |kind: Kind| {
        model
            .items(vault, kind)
            .into_iter()
            .map(|(note, item)| ItemJson {
                text: &item.text,
                section: &item.section,
                date: note.date.map(|d| d.to_string()).unwrap_or_default(),
                note: &note.path,
                line: item.line,
            })
            .collect()
    };
    let data = Data {
        generated: model.today.to_string(),
        meetings: model
            .meetings
            .iter()
            .map(|m| {
                let note = &vault.notes[m.note];
                MeetingJson {
                    date: m.date.to_string(),
                    kind: note.kind.name(),
                    with: &note.properties.with,
                    note: &note.path,
                    url: &site.note_urls[m.note],
                    template: note.properties.template.as_deref(),
                    recap_sent: note.properties.recap_sent.map(|d| d.to_string()),
                    tags: &note.tags,
                }
            })
            .collect(),
        requests: RecordsJson {
            records: &model.requests,
            vault,
            today: model.today,
        },
        follow_ups: RecordsJson {
            records: &model.follow_ups,
            vault,
            today: model.today,
        },
        wins: items(Kind::Wins),
        priorities: items(Kind::Priorities),
        outcomes: items(Kind::Outcomes),
        tags: site
            .tags
            .iter()
            .map(|(t, n)| (t.as_str(), n.len()))
            .collect(),
    };
    serde_json::to_writer(&mut *out, &data)?;
    out.write_all(b"\n")
}
