//! Each page of the site: its context, and the template that renders it.

use super::*;
use crate::template::{Html, Spread};

/// Renders a page and writes it. Its context's field `common` is spread among the others:
/// the template sees `root`, `title` and the rest beside the page's own fields.
fn write_page(
    out: &Output,
    templates: &SiteTemplates,
    path: &str,
    template: &str,
    context: &impl Serialize,
) -> Result<()> {
    out.write_assembled(path, |html| {
        html.reserve(out.previous_len(path) + 8192);
        templates.render_into(template, &Spread(context), html)
    })
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

/// A long list of a page (ledger rows, meetings, groups of wins): the template shows a
/// marker in its place, and the rows are written into the file there, not copied into the
/// page first. An empty list has no marker, so `{% if rows %}` in a template still works.
struct List<'r> {
    rows: Vec<Arc<Fragment>>,
    separator: &'static str,
    /// The way from the page to the site root, put into rows rendered for every depth.
    root: &'r str,
}

impl<'r> List<'r> {
    fn new(rows: Vec<Arc<Fragment>>, separator: &'static str, root: &'r str) -> List<'r> {
        List {
            rows,
            separator,
            root,
        }
    }

    /// What the template gets for the `index`th list of its page.
    fn marker(&self, index: usize) -> Html {
        if self.rows.is_empty() {
            Html::new(String::new())
        } else {
            Html::new(format!("{LIST_MARKER}{index}{LIST_MARKER}"))
        }
    }
}

/// Around the number of a list, where its rows go; a control character no page has.
const LIST_MARKER: &str = "\u{1}upward-list-";

/// Renders a page whose context holds the markers of `lists`, and writes it with the rows of
/// each list where its marker is (wherever the template put it, as often as it did).
fn write_page_with_lists(
    out: &Output,
    templates: &SiteTemplates,
    path: &str,
    template: &str,
    context: &impl Serialize,
    lists: &[List],
) -> Result<()> {
    let mut html = Vec::with_capacity(16 * 1024);
    templates.render_into(template, &Spread(context), &mut html)?;
    let marker = LIST_MARKER.as_bytes();
    out.write_assembled(path, |page| {
        // The buffer has room for the largest page the thread put together, most often.
        page.reserve(out.previous_len(path).max(html.len()));
        let mut rest: &[u8] = &html;
        while let Some(at) = memchr::memmem::find(rest, marker) {
            let after = &rest[at + marker.len()..];
            let digits = after.iter().take_while(|b| b.is_ascii_digit()).count();
            let list = std::str::from_utf8(&after[..digits])
                .ok()
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|n| lists.get(n))
                .filter(|_| after[digits..].starts_with(marker));
            let Some(list) = list else {
                // Not one of ours: kept as it is.
                page.extend_from_slice(&rest[..at + marker.len()]);
                rest = after;
                continue;
            };
            page.extend_from_slice(&rest[..at]);
            for (i, row) in list.rows.iter().enumerate() {
                if i > 0 {
                    page.extend_from_slice(list.separator.as_bytes());
                }
                row.write_at(list.root, page);
            }
            rest = &after[digits + marker.len()..];
        }
        page.extend_from_slice(rest);
        Ok(())
    })
}

/// Between two ledger rows, and two meetings of a list: the indentation of the templates.
const ROW_SEPARATOR: &str = "\n    ";
const MEETING_SEPARATOR: &str = "\n  ";

/// A page's path, and a hash of everything it is rendered from.
pub(super) type Key<'p> = (&'p str, u64);

/// Renders and writes a page, given its path and the hash of its inputs ([`page_key`]).
pub(super) fn render_page(
    site: &Site<'_>,
    templates: &SiteTemplates,
    out: &Output,
    page: &Page,
    (path, inputs): Key,
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
                .enumerate()
                .filter(|(_, r)| r.status.is_open())
                .map(|(i, _)| site.request_row(Kind::Requests, i))
                .collect();
            open.sort_by(|a, b| b.days_open.cmp(&a.days_open).then(a.id.cmp(&b.id)));
            let mut resolved_days: Vec<i64> = model
                .requests
                .iter()
                .filter(|r| r.resolved.is_some())
                .map(|r| r.days_open(model.today))
                .collect();
            use chrono::Datelike;
            let month = |d: Date| (d.year(), d.month());
            let mut months: BTreeMap<(i32, u32), (usize, usize)> = BTreeMap::new();
            for r in &model.requests {
                months.entry(month(r.raised)).or_default().0 += 1;
                if let Some(day) = r.resolved {
                    months.entry(month(day)).or_default().1 += 1;
                }
            }
            // Up to this month, so a quiet stretch at the end shows too.
            months.entry(month(model.today)).or_default();
            let months = fill_months(months);
            let recent = model
                .meetings
                .iter()
                .rev()
                .take(8)
                .map(|m| Ok(site.meeting_html(m.note, root)?.html_at(root)))
                .collect::<Result<Vec<Html>>>()?;
            let recent = Html::join(&recent, MEETING_SEPARATOR);
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
                common: Common<'a>,
                stats: Stats,
                open: Vec<&'a RequestRow>,
                charts: Charts,
                meetings: Html,
            }
            let stats = Stats {
                meetings: model.meetings.len(),
                requests: model.requests.len(),
                open: open.len(),
                answered: resolved_days.len(),
                median_days: median(&mut resolved_days),
                wins: site.wins_count,
            };
            write_page(
                out,
                templates,
                path,
                "index.html",
                &Context {
                    common: site.common(root, "Dashboard".into(), "dashboard")?,
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
                common: Common<'a>,
                meetings: Html,
            }
            let root = "../";
            let seed = site.fragment_key(("meeting", root));
            let meetings = site.list_html(
                "meetings",
                model.meetings.iter().rev(),
                |m| crate::digest::words(seed, [site.meeting_hashes[m.note], 0, 0]),
                |m| site.meeting_html(m.note, root),
            )?;
            let lists = [List::new(meetings, MEETING_SEPARATOR, root)];
            write_page_with_lists(
                out,
                templates,
                path,
                "meetings.html",
                &Context {
                    common: site.common("../", "Meetings".into(), "meetings")?,
                    meetings: lists[0].marker(0),
                },
                &lists,
            )?;
        }
        Page::Note(index) => {
            let note = &vault.notes[*index];
            let root = "../../";
            let links = PageLinks::of_page(site, *index, root);
            let mut anchors: Vec<(usize, &str)> = note
                .items
                .iter()
                .map(|i| (i.offset, i.id.as_str()))
                .collect();
            // In document order already; `render` needs it.
            anchors.sort_unstable_by_key(|&(offset, _)| offset);
            let body = Html::exact(html::render(&note.body, &anchors, &links).html);
            used.extend(links.used.into_inner());
            let shown = site.properties(note, root);
            used.extend(shown.used);
            let (properties, tags) = (shown.list, shown.tags);
            let (description, cssclasses) = (shown.description, shown.classes);
            if note.kind.is_meeting() {
                let position = site.index.listing.positions[*index];
                let neighbour = |p: Option<usize>| {
                    p.and_then(|p| model.meetings.get(p))
                        .map(|m| site.meeting_row(m.note))
                };
                let previous = neighbour(position.and_then(|p| p.checked_sub(1)));
                let next = neighbour(position.map(|p| p + 1));
                let mentioned: Vec<&RequestRow> = site
                    .index
                    .mentions(*index)
                    .iter()
                    .map(|&(kind, i)| site.request_row(kind, i))
                    .collect();
                #[derive(Serialize)]
                struct Context<'a> {
                    common: Common<'a>,
                    meeting: MeetingRow,
                    properties: Vec<Property>,
                    tags: Vec<TagRef>,
                    description: Option<String>,
                    cssclasses: String,
                    body: Html,
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
                    path,
                    "meeting.html",
                    &Context {
                        common: site.common(root, meeting.title.clone(), "meetings")?,
                        meeting,
                        properties,
                        tags,
                        description,
                        cssclasses,
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
                    common: Common<'a>,
                    properties: Vec<Property>,
                    tags: Vec<TagRef>,
                    description: Option<String>,
                    cssclasses: String,
                    body: Html,
                }
                write_page(
                    out,
                    templates,
                    path,
                    "note.html",
                    &Context {
                        common: site.common(root, note.name.clone(), "notes")?,
                        properties,
                        tags,
                        description,
                        cssclasses,
                        body,
                    },
                )?;
            }
        }
        Page::Requests(filter) => {
            let (root, heading) = match filter {
                None => ("../".to_owned(), "Requests".to_owned()),
                Some(status) => (
                    "../../../".to_owned(),
                    format!("Requests: {}", status_label(*status).to_lowercase()),
                ),
            };
            let rows = |kind: Kind, records: &[Record]| {
                // Each list keeps its rows between builds under its own name.
                let name = match (kind, filter) {
                    (Kind::Requests, None) => "requests",
                    (Kind::Requests, Some(Status::Open)) => "requests/open",
                    (Kind::Requests, Some(Status::InProgress)) => "requests/in-progress",
                    (Kind::Requests, Some(Status::Done)) => "requests/done",
                    (Kind::Requests, Some(Status::Declined)) => "requests/declined",
                    (_, None) => "follow-ups",
                    (_, Some(Status::Open)) => "follow-ups/open",
                    (_, Some(Status::InProgress)) => "follow-ups/in-progress",
                    (_, Some(Status::Done)) => "follow-ups/done",
                    (_, Some(Status::Declined)) => "follow-ups/declined",
                };
                let shown = records
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| filter.is_none_or(|s| r.status == s))
                    .map(|(i, _)| i);
                site.rows_html(name, kind, shown, &root)
                    .map(|rows| List::new(rows, ROW_SEPARATOR, &root))
            };
            let lists = [
                rows(Kind::Requests, &model.requests)?,
                rows(Kind::FollowUps, &model.follow_ups)?,
            ];
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
                .index
                .listing
                .people
                .iter()
                .map(|p| PersonOption {
                    name: p.name.clone(),
                    slug: slugify(&p.name),
                })
                .collect::<Vec<_>>();
            #[derive(Serialize)]
            struct Context<'a> {
                common: Common<'a>,
                heading: String,
                statuses: Vec<StatusLink>,
                people: Vec<PersonOption>,
                requests: Html,
                follow_ups: Html,
            }
            write_page_with_lists(
                out,
                templates,
                path,
                "requests.html",
                &Context {
                    common: site.common(&root, heading.clone(), "requests")?,
                    heading,
                    statuses,
                    people,
                    requests: lists[0].marker(0),
                    follow_ups: lists[1].marker(1),
                },
                &lists,
            )?;
        }
        Page::Record(kind, index) => {
            let record = if *kind == Kind::Requests {
                &model.requests[*index]
            } else {
                &model.follow_ups[*index]
            };
            let root = "../../";
            let row = site.request_row(*kind, *index);
            #[derive(Serialize)]
            struct EventRow {
                date: String,
                url: String,
                meeting: String,
                status: &'static str,
                label: &'static str,
                html: Html,
                outcome: Option<String>,
                details: Vec<Html>,
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
                    details.push(Html::exact(html));
                }
                events.push(EventRow {
                    date: event.date.to_string(),
                    url: format!(
                        "{}#block-{}",
                        site.index.listing.note_urls[event.note],
                        html::slugify_block(&item.id)
                    ),
                    meeting: note.meeting_title(),
                    status: event.status.name(),
                    label: status_label(event.status),
                    html: Html::exact(text),
                    outcome: item.outcome.clone(),
                    details,
                });
            }
            #[derive(Serialize)]
            struct Context<'a> {
                common: Common<'a>,
                request: &'a RequestRow,
                events: Vec<EventRow>,
                commit: Option<review::CommitInfo>,
            }
            write_page(
                out,
                templates,
                path,
                "request.html",
                &Context {
                    common: site.common(root, row.title.clone(), "requests")?,
                    request: row,
                    events,
                    commit: review::request_commit(record, vault, &site.provenance),
                },
            )?;
        }
        Page::Wins | Page::Decisions => {
            let root = "../";
            let (kind, heading, lede, section) = if matches!(page, Page::Wins) {
                (
                    Kind::Wins,
                    "Wins",
                    "Everything delivered, as it was written down each week, newest first.",
                    "wins",
                )
            } else {
                (
                    Kind::Outcomes,
                    "Decisions and agreements",
                    "Outcomes, decisions and agreements of each meeting, newest first.",
                    "decisions",
                )
            };
            // Wins are grouped by month, outcomes by meeting: the meetings with such items,
            // newest first, consecutive ones with the same heading in one group.
            let members: Vec<&crate::model::Meeting> = model
                .meetings
                .iter()
                .rev()
                .filter(|m| site.kinds[m.note].has(kind))
                .collect();
            let heading_of = |meeting: &crate::model::Meeting| {
                if kind == Kind::Wins {
                    Heading::Month(
                        chrono::Datelike::year(&meeting.date),
                        chrono::Datelike::month(&meeting.date),
                    )
                } else {
                    let note = &vault.notes[meeting.note];
                    Heading::Meeting(note.kind, note.person(), meeting.date)
                }
            };
            let mut groups: Vec<ItemGroup> = Vec::new();
            let mut rest: &[&crate::model::Meeting] = &members;
            while let Some(first) = rest.first() {
                let shared = heading_of(first);
                let len = 1 + rest[1..]
                    .iter()
                    .take_while(|m| heading_of(m) == shared)
                    .count();
                groups.push(ItemGroup {
                    heading: shared,
                    first: first.note,
                    kind,
                    meetings: &rest[..len],
                });
                rest = &rest[len..];
            }
            let mut run = site.fragments.run(section);
            let groups = groups
                .iter()
                .map(|group| {
                    let fragment = site.group_fragment(&mut run, group, root)?;
                    used.extend(fragment.uses.iter().cloned());
                    Ok(fragment)
                })
                .collect::<Result<Vec<Arc<Fragment>>>>()?;
            let lists = [List::new(groups, "\n", root)];
            #[derive(Serialize)]
            struct Context<'a> {
                common: Common<'a>,
                heading: &'static str,
                lede: &'static str,
                groups: Html,
            }
            write_page_with_lists(
                out,
                templates,
                path,
                "items.html",
                &Context {
                    common: site.common(root, heading.into(), section)?,
                    heading,
                    lede,
                    groups: lists[0].marker(0),
                },
                &lists,
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
            let row = |index: usize| {
                let person = &site.index.listing.people[index];
                let records: Vec<(usize, &Record)> = site.index.person_requests[index]
                    .iter()
                    .map(|&r| (r, &model.requests[r]))
                    .collect();
                let mut days: Vec<i64> = records
                    .iter()
                    .filter(|(_, r)| r.resolved.is_some())
                    .map(|(_, r)| r.days_open(model.today))
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
                let person = &site.index.listing.people[*index];
                let (info, records) = row(*index);
                let root = "../../";
                let (body, note_url) = match person.note {
                    Some(n) => {
                        let links = PageLinks::of_page(site, n, root);
                        let body =
                            Html::exact(html::render(&vault.notes[n].body, &[], &links).html);
                        used.extend(links.used.into_inner());
                        (Some(body), Some(site.index.listing.note_urls[n].clone()))
                    }
                    None => (None, None),
                };
                #[derive(Serialize)]
                struct Context<'a> {
                    common: Common<'a>,
                    person: PersonRow,
                    body: Option<Html>,
                    note_url: Option<String>,
                    requests: Html,
                    meetings: Html,
                }
                let requests = records
                    .iter()
                    .map(|&(i, _)| site.row_html(Kind::Requests, i, root))
                    .collect::<Result<Vec<Arc<Fragment>>>>()?;
                let meetings = person
                    .meetings
                    .iter()
                    .rev()
                    .map(|&n| site.meeting_html(n, root))
                    .collect::<Result<Vec<Arc<Fragment>>>>()?;
                let lists = [
                    List::new(requests, ROW_SEPARATOR, root),
                    List::new(meetings, MEETING_SEPARATOR, root),
                ];
                write_page_with_lists(
                    out,
                    templates,
                    path,
                    "person.html",
                    &Context {
                        common: site.common(root, info.name.clone(), "people")?,
                        requests: lists[0].marker(0),
                        meetings: lists[1].marker(1),
                        person: info,
                        body,
                        note_url,
                    },
                    &lists,
                )?;
            } else {
                #[derive(Serialize)]
                struct Context<'a> {
                    common: Common<'a>,
                    people: Vec<PersonRow>,
                }
                write_page(
                    out,
                    templates,
                    path,
                    "people.html",
                    &Context {
                        common: site.common("../", "People".into(), "people")?,
                        people: (0..site.index.listing.people.len())
                            .map(|i| row(i).0)
                            .collect(),
                    },
                )?;
            }
        }
        Page::Tags => {
            #[derive(Serialize)]
            struct Context<'a> {
                common: Common<'a>,
                tags: Vec<TagRef>,
            }
            let tags = site
                .index
                .listing
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
                path,
                "tags.html",
                &Context {
                    common: site.common("../", "Tags".into(), "tags")?,
                    tags,
                },
            )?;
        }
        Page::Tag(tag) => {
            let depth = tag_path(tag).split('/').count() + 1;
            let root = "../".repeat(depth);
            #[derive(Serialize)]
            struct NoteRow {
                url: String,
                title: String,
                date: Option<String>,
            }
            let mut notes: Vec<NoteRow> = site.index.listing.tags[tag]
                .iter()
                .map(|&n| {
                    let note = &vault.notes[n];
                    NoteRow {
                        url: site.index.listing.note_urls[n].clone(),
                        title: if note.kind.is_meeting() {
                            note.meeting_title()
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
                common: Common<'a>,
                tag: &'a str,
                notes: Vec<NoteRow>,
            }
            write_page(
                out,
                templates,
                path,
                "tag.html",
                &Context {
                    common: site.common(&root, format!("#{tag}"), "tags")?,
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
                .index
                .listing
                .periods
                .iter()
                .enumerate()
                .map(|(i, p)| PeriodLink {
                    name: &p.name,
                    slug: &p.slug,
                    current: *which == Some(i),
                })
                .collect();
            let (root, period) = match which {
                Some(i) => ("../../", Some(&site.index.listing.periods[*i])),
                None => ("../", site.index.listing.periods.last()),
            };
            let (from, to) = period.map_or((model.today, model.today), |p| (p.from, p.to));
            let mut packet = review::Packet::build(vault, model, &site.provenance, from, to);
            // The packet's requests are those raised in the period.
            let raised: HashMap<&str, usize> = model
                .requests
                .iter()
                .enumerate()
                .filter(|(_, r)| r.raised >= from && r.raised <= to)
                .map(|(i, r)| (r.id.as_str(), i))
                .collect();
            for request in &mut packet.requests {
                request.url = raised
                    .get(request.id.as_str())
                    .map(|&i| site.request_row(Kind::Requests, i).url.clone());
            }
            if let Some(p) = period {
                packet.title = format!("Review packet: {} ({} to {})", p.name, p.from, p.to);
            }
            #[derive(Serialize)]
            struct Context<'a> {
                common: Common<'a>,
                periods: Vec<PeriodLink<'a>>,
                packet: review::Packet,
            }
            write_page(
                out,
                templates,
                path,
                "review.html",
                &Context {
                    common: site.common(root, packet.title.clone(), "review")?,
                    periods: links,
                    packet,
                },
            )?;
        }
        Page::NotFound => {
            #[derive(Serialize)]
            struct Context<'a> {
                common: Common<'a>,
            }
            write_page(
                out,
                templates,
                path,
                "404.html",
                &Context {
                    common: site.common("/", "Not found".into(), "")?,
                },
            )?;
        }
    }
    out.remember_inputs(path, inputs, &used);
    Ok(used)
}

/// A hash of everything a page is rendered from: when it is the one of the last build, the
/// page would come out the same and is not rendered again.
pub(super) fn page_key(site: &Site<'_>, page: &Page) -> u64 {
    use std::hash::{Hash, Hasher};
    let model = site.model;
    let mut h = crate::digest::Buffered::default();
    match page {
        Page::Note(index) => {
            let note = &site.vault.notes[*index];
            (site.global, note.digest).hash(&mut h);
            for embedded in site.embedded(*index) {
                site.vault.notes[embedded].digest.hash(&mut h);
            }
            // The commit, not what a page shows of it (which follows from it and the date).
            note.date
                .and_then(|_| site.provenance.note(&note.path))
                .map(|c| (&c.hash, c.date))
                .hash(&mut h);
            for &(kind, i) in site.index.mentions(*index) {
                site.row_hash(kind, i).hash(&mut h);
            }
            if let Some(position) = site.index.listing.positions[*index] {
                for neighbour in [position.checked_sub(1), Some(position + 1)]
                    .into_iter()
                    .flatten()
                {
                    if let Some(meeting) = model.meetings.get(neighbour) {
                        site.meeting_hashes[meeting.note].hash(&mut h);
                    }
                }
            }
        }
        Page::Record(kind, index) => {
            let record = if *kind == Kind::Requests {
                &model.requests[*index]
            } else {
                &model.follow_ups[*index]
            };
            let (row_hash, events) =
                site.record_hashes[usize::from(*kind == Kind::FollowUps)][*index];
            (site.global, row_hash, events).hash(&mut h);
            review::request_commit_of(record, site.vault, &site.provenance)
                .map(|(c, meeting)| (&c.hash, c.date, meeting))
                .hash(&mut h);
        }
        Page::NotFound => {
            site.global.hash(&mut h);
        }
        Page::Dashboard => {
            (site.global, site.rows_hash, site.wins_count).hash(&mut h);
            for meeting in model.meetings.iter().rev().take(8) {
                site.meeting_hashes[meeting.note].hash(&mut h);
            }
        }
        Page::Meetings => {
            site.meetings_hash.hash(&mut h);
        }
        Page::Requests(status) => {
            (site.rows_hash, status).hash(&mut h);
        }
        Page::Wins => {
            site.wins_hash.hash(&mut h);
        }
        Page::Decisions => {
            site.outcomes_hash.hash(&mut h);
        }
        Page::People => {
            (site.rows_hash, site.meetings_hash).hash(&mut h);
        }
        Page::Person(i) => {
            let person = &site.index.listing.people[*i];
            let note = person.note.map(|n| site.vault.notes[n].digest);
            (site.global, note).hash(&mut h);
            for embedded in person.note.map(|n| site.embedded(n)).unwrap_or_default() {
                site.vault.notes[embedded].digest.hash(&mut h);
            }
            // The rows of the person's requests, not the whole ledger: a request raised with
            // one person leaves every other person's page as it was.
            for &request in &site.index.person_requests[*i] {
                site.row_hash(Kind::Requests, request).hash(&mut h);
            }
            for &meeting in &person.meetings {
                site.meeting_hashes[meeting].hash(&mut h);
            }
        }
        Page::Tags => {
            site.global.hash(&mut h);
            for (tag, notes) in &site.index.listing.tags {
                (tag, notes.len()).hash(&mut h);
            }
        }
        Page::Tag(tag) => {
            site.global.hash(&mut h);
            for &n in &site.index.listing.tags[tag] {
                site.listing_hashes[n].hash(&mut h);
            }
        }
        Page::Review(which) => {
            // A packet shows the meetings and requests of its period, and the period list.
            let period = match which {
                Some(i) => site.index.listing.periods.get(*i),
                None => site.index.listing.periods.last(),
            };
            (site.global, site.history, period.map(|p| (p.from, p.to))).hash(&mut h);
            if let Some(period) = period {
                for meeting in model
                    .meetings
                    .iter()
                    .filter(|m| m.date >= period.from && m.date <= period.to)
                {
                    let note = &site.vault.notes[meeting.note];
                    (meeting.date, note.digest).hash(&mut h);
                }
                for (i, _) in model
                    .requests
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.raised >= period.from && r.raised <= period.to)
                {
                    site.row_hash(Kind::Requests, i).hash(&mut h);
                }
            }
        }
    }
    h.finish()
}

/// The file a page is written to.
pub(super) fn page_path(site: &Site<'_>, page: &Page) -> String {
    match page {
        Page::Note(index) => format!("{}index.html", site.index.listing.note_urls[*index]),
        Page::Record(kind, index) => {
            format!("{}index.html", site.request_row(*kind, *index).url)
        }
        Page::NotFound => "404.html".to_owned(),
        Page::Dashboard => "index.html".to_owned(),
        Page::Meetings => "meetings/index.html".to_owned(),
        Page::Requests(None) => "requests/index.html".to_owned(),
        Page::Requests(Some(status)) => {
            format!("requests/status/{}/index.html", status.name())
        }
        Page::Wins => "wins/index.html".to_owned(),
        Page::Decisions => "decisions/index.html".to_owned(),
        Page::People => "people/index.html".to_owned(),
        Page::Person(i) => format!("people/{}/index.html", site.index.listing.people[*i].slug),
        Page::Tags => "tags/index.html".to_owned(),
        Page::Tag(tag) => format!("tags/{}/index.html", tag_path(tag)),
        Page::Review(None) => "review/index.html".to_owned(),
        Page::Review(Some(i)) => {
            format!("review/{}/index.html", site.index.listing.periods[*i].slug)
        }
    }
}

/// Every month from the first to the last, so quiet months show as gaps.
fn fill_months(counts: BTreeMap<(i32, u32), (usize, usize)>) -> Vec<(String, usize, usize)> {
    let (Some(&first), Some(&last)) = (counts.keys().next(), counts.keys().last()) else {
        return Vec::new();
    };
    let mut months = Vec::new();
    let (mut year, mut month) = first;
    while (year, month) <= last {
        let (raised, resolved) = counts.get(&(year, month)).copied().unwrap_or_default();
        months.push((format!("{year:04}-{month:02}"), raised, resolved));
        month += 1;
        if month > 12 {
            month = 1;
            year += 1;
        }
    }
    months
}
