//! `upward review`: the review packet for a period: wins, every request raised with its
//! lifecycle, the share answered and the median days to an answer per person, decisions and
//! agreements, recaps sent; with git provenance where the vault has history.

use crate::config::Kind;
use crate::date::Date;
use crate::model::{Model, Record, median};
use crate::note::plain_text;
use crate::provenance::Provenance;
use crate::task::Status;
use crate::vault::Vault;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A note committed more than this many days after its meeting is flagged as written late.
pub const LATE_AFTER_DAYS: i64 = 7;

/// A first commit, as pages and packets show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Hash)]
pub struct CommitInfo {
    pub hash: String,
    pub short: String,
    pub date: String,
    /// Committed more than a week after the meeting it records.
    pub late: bool,
    pub days_after: i64,
}

/// The first commit that recorded a request: its block ID's, else its first note's.
pub fn request_commit(
    record: &Record,
    vault: &Vault,
    provenance: &Provenance,
) -> Option<CommitInfo> {
    let (commit, meeting) = request_commit_of(record, vault, provenance)?;
    Some(info(commit, meeting))
}

/// The commit [`request_commit`] tells of, and the meeting it is compared with.
pub fn request_commit_of<'p>(
    record: &Record,
    vault: &Vault,
    provenance: &'p Provenance,
) -> Option<(&'p crate::provenance::Commit, Date)> {
    // Without history there is nothing to find, and the record's first note (one of
    // thousands, asked for each page key) is not even looked at.
    if provenance.is_empty() {
        return None;
    }
    let first = record.events.first()?;
    let note = &vault.notes[first.note];
    let commit = provenance
        .block(&record.id)
        .filter(|_| record.explicit_id)
        .or_else(|| provenance.note(&note.path))?;
    Some((commit, first.meeting))
}

/// The first commit of a meeting note.
pub fn note_commit(path: &str, meeting: Date, provenance: &Provenance) -> Option<CommitInfo> {
    provenance.note(path).map(|c| info(c, meeting))
}

fn info(commit: &crate::provenance::Commit, meeting: Date) -> CommitInfo {
    let days_after = (commit.date - meeting).num_days();
    CommitInfo {
        hash: commit.hash.clone(),
        short: commit.short().to_owned(),
        date: commit.date.to_string(),
        late: days_after > LATE_AFTER_DAYS,
        days_after,
    }
}

/// A request in the packet, with what happened to it.
#[derive(Debug, Clone, Serialize)]
pub struct PacketRequest {
    pub id: String,
    pub title: String,
    pub status: &'static str,
    pub raised: String,
    pub mentions: usize,
    pub resolved: Option<String>,
    pub days_open: i64,
    pub with: Option<String>,
    pub outcome: Option<String>,
    /// One line: raised, raised again, resolved or declined or never answered, days open.
    pub lifecycle: String,
    pub commit: Option<CommitInfo>,
    /// The request's page, when the packet is part of the site.
    pub url: Option<String>,
}

/// Answers per person.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PersonStats {
    pub name: String,
    pub requests: usize,
    pub answered: usize,
    pub answered_percent: usize,
    pub median_days: Option<i64>,
}

/// An item of the packet with its meeting.
#[derive(Debug, Clone, Serialize)]
pub struct PacketItem {
    pub date: String,
    pub meeting: String,
    pub label: String,
    pub text: String,
}

/// The review packet of a period.
#[derive(Debug, Clone, Serialize)]
pub struct Packet {
    pub title: String,
    pub from: String,
    pub to: String,
    pub meetings: usize,
    pub wins: Vec<PacketItem>,
    pub requests: Vec<PacketRequest>,
    pub people: Vec<PersonStats>,
    pub decisions: Vec<PacketItem>,
    pub recaps: Vec<PacketItem>,
    pub late_notes: Vec<PacketItem>,
    pub answered_percent: usize,
    pub median_days: Option<i64>,
}

fn lifecycle(record: &Record, today: Date) -> String {
    let mut line = format!("raised {}", record.raised);
    if record.mentions() > 1 {
        let again = record.mentions() - 1;
        let _ = write!(
            line,
            ", raised again {again} time{}",
            if again == 1 { "" } else { "s" }
        );
    }
    let days = record.days_open(today);
    match (record.status, record.resolved) {
        (Status::Done, Some(day)) => {
            let _ = write!(line, ", resolved {day} after {days} days");
        }
        (Status::Declined, Some(day)) => {
            let _ = write!(line, ", declined {day} after {days} days");
        }
        (Status::InProgress, _) => {
            let _ = write!(line, ", in progress, open {days} days");
        }
        _ => {
            let _ = write!(line, ", never answered, open {days} days");
        }
    }
    line
}

impl Packet {
    /// The packet of the meetings from `from` to `to`, both included.
    pub fn build(
        vault: &Vault,
        model: &Model,
        provenance: &Provenance,
        from: Date,
        to: Date,
    ) -> Packet {
        let in_period = |d: Date| d >= from && d <= to;
        let meeting_title = |i: usize| vault.notes[i].meeting_title();
        let meetings: Vec<_> = model
            .meetings
            .iter()
            .filter(|m| in_period(m.date))
            .collect();
        let items = |kind: Kind| -> Vec<PacketItem> {
            let mut items = Vec::new();
            for m in meetings
                .iter()
                .filter(|m| vault.notes[m.note].kinds().has(kind))
            {
                // The date and title once per meeting, not once per item.
                let (date, meeting) = (m.date.to_string(), meeting_title(m.note));
                for i in vault.notes[m.note].items.iter().filter(|i| i.kind == kind) {
                    items.push(PacketItem {
                        date: date.clone(),
                        meeting: meeting.clone(),
                        label: if i.section.eq_ignore_ascii_case("outcomes") {
                            String::new()
                        } else {
                            i.section.to_string()
                        },
                        text: plain_text(&i.text),
                    });
                }
            }
            items
        };
        let records: Vec<&Record> = model
            .requests
            .iter()
            .filter(|r| in_period(r.raised))
            .collect();
        let requests = records
            .iter()
            .map(|r| PacketRequest {
                id: r.id.clone(),
                title: plain_text(&r.title),
                status: r.status.name(),
                raised: r.raised.to_string(),
                mentions: r.mentions(),
                resolved: r.resolved.map(|d| d.to_string()),
                days_open: r.days_open(model.today),
                with: r.with.clone(),
                outcome: r.outcome.clone(),
                lifecycle: lifecycle(r, model.today),
                commit: request_commit(r, vault, provenance),
                url: None,
            })
            .collect();
        // Per person: the person each request was first raised with.
        let mut by_person: BTreeMap<String, Vec<&Record>> = BTreeMap::new();
        for record in &records {
            let first = &vault.notes[record.events[0].note];
            let name = first.person().unwrap_or("(no one)").to_owned();
            by_person.entry(name).or_default().push(record);
        }
        let stats = |list: &[&Record]| {
            let mut days: Vec<i64> = list
                .iter()
                .filter(|r| r.resolved.is_some())
                .map(|r| r.days_open(model.today))
                .collect();
            let answered = days.len();
            let percent = if list.is_empty() {
                0
            } else {
                answered * 100 / list.len()
            };
            (answered, percent, median(&mut days))
        };
        let people = by_person
            .iter()
            .map(|(name, list)| {
                let (answered, answered_percent, median_days) = stats(list);
                PersonStats {
                    name: name.clone(),
                    requests: list.len(),
                    answered,
                    answered_percent,
                    median_days,
                }
            })
            .collect();
        let (_, answered_percent, median_days) = stats(&records);
        let recaps = meetings
            .iter()
            .filter_map(|m| {
                let sent = vault.notes[m.note].properties.recap_sent?;
                Some(PacketItem {
                    date: m.date.to_string(),
                    meeting: meeting_title(m.note),
                    label: String::new(),
                    text: format!("recap sent {sent}"),
                })
            })
            .collect();
        let late_notes = meetings
            .iter()
            .filter_map(|m| {
                let commit = note_commit(&vault.notes[m.note].path, m.date, provenance)?;
                commit.late.then(|| PacketItem {
                    date: m.date.to_string(),
                    meeting: meeting_title(m.note),
                    label: String::new(),
                    text: format!(
                        "first committed {} ({} days later), {}",
                        commit.date, commit.days_after, commit.short
                    ),
                })
            })
            .collect();
        Packet {
            title: format!("Review packet, {from} to {to}"),
            from: from.to_string(),
            to: to.to_string(),
            meetings: meetings.len(),
            wins: items(Kind::Wins),
            requests,
            people,
            decisions: items(Kind::Outcomes),
            recaps,
            late_notes,
            answered_percent,
            median_days,
        }
    }

    /// The packet as Markdown.
    pub fn markdown(&self) -> String {
        let mut out = format!("# {}\n\n{} meetings.\n", self.title, self.meetings);
        let _ = writeln!(out, "\n## Wins\n");
        for w in &self.wins {
            let _ = writeln!(out, "- {} ({})", w.text, w.date);
        }
        let _ = writeln!(
            out,
            "\n## Requests for help\n\n{} raised; {}% answered{}.\n",
            self.requests.len(),
            self.answered_percent,
            self.median_days
                .map(|d| format!(", in {d} days (median)"))
                .unwrap_or_default()
        );
        for r in &self.requests {
            let _ = write!(out, "- **{}** (`^{}`): {}", r.title, r.id, r.lifecycle);
            if let Some(outcome) = &r.outcome {
                let _ = write!(out, "; outcome: {outcome}");
            }
            if let Some(c) = &r.commit {
                let _ = write!(out, "; first committed {} ({})", c.date, c.short);
            }
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "\n## Answers per person\n\n| person | requests | answered | median days |\n| --- | ---: | ---: | ---: |"
        );
        for p in &self.people {
            let _ = writeln!(
                out,
                "| {} | {} | {}% | {} |",
                p.name,
                p.requests,
                p.answered_percent,
                p.median_days
                    .map_or_else(|| "–".to_owned(), |d| d.to_string())
            );
        }
        let _ = writeln!(out, "\n## Decisions and agreements\n");
        for d in &self.decisions {
            let label = if d.label.is_empty() {
                String::new()
            } else {
                format!("{}: ", d.label)
            };
            let _ = writeln!(out, "- {label}{} ({})", d.text, d.date);
        }
        let _ = writeln!(out, "\n## Recaps sent\n");
        for r in &self.recaps {
            let _ = writeln!(out, "- {} {}: {}", r.date, r.meeting, r.text);
        }
        if !self.late_notes.is_empty() {
            let _ = writeln!(out, "\n## Notes committed late\n");
            for n in &self.late_notes {
                let _ = writeln!(out, "- {} {}: {}", n.date, n.meeting, n.text);
            }
        }
        out
    }
}

/// How `upward review` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Html,
    Markdown,
}

/// What `upward review` was asked for.
#[derive(Debug, Clone)]
pub struct Options {
    /// The first and last day of the period.
    pub from: Date,
    pub to: Date,
    pub format: Format,
    /// The file to write; `None` prints the packet.
    pub out: Option<std::path::PathBuf>,
    /// Replace `out` if it exists.
    pub force: bool,
}

/// The packet of the period as one self-contained HTML file or as Markdown, made from the
/// published notes only (`model` is the whole vault's, reused when every note is published);
/// written to `out` (never over a file unless `force`) or to `stdout`.
pub fn run(
    vault: Vault,
    model: Model,
    options: &Options,
    stdout: &mut dyn std::io::Write,
) -> crate::error::Result<()> {
    use crate::error::Error;
    let Options {
        from,
        to,
        format,
        ref out,
        force,
    } = *options;
    if to < from {
        return Err(Error::Invalid(format!("--to {to} is before --from {from}")));
    }
    let provenance = Provenance::read(&vault.root);
    let (vault, model) = crate::model::published(vault, Some(model), crate::date::today());
    let packet = Packet::build(&vault, &model, &provenance, from, to);
    let text = match format {
        Format::Markdown => packet.markdown(),
        Format::Html => {
            let templates = crate::template::SiteTemplates::load(&vault.root, &vault.config)?;
            #[derive(Serialize)]
            struct Context<'a> {
                packet: &'a Packet,
                css: &'a str,
                today: String,
                root: &'static str,
            }
            templates.render(
                "review-standalone.html",
                &Context {
                    packet: &packet,
                    css: templates.file("style.css").unwrap_or_default(),
                    today: model.today.to_string(),
                    root: "",
                },
            )?
        }
    };
    match out.as_deref() {
        None => stdout
            .write_all(text.as_bytes())
            .map_err(|e| Error::io("stdout", e)),
        Some(path) => {
            if force && path.exists() {
                crate::write::replace(path, text.as_bytes())?;
            } else {
                crate::write::create_new(path, text.as_bytes())?;
            }
            eprintln!("wrote {}", path.display());
            Ok(())
        }
    }
}

/// A named period of the review pages of the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub name: String,
    pub slug: String,
    pub from: Date,
    pub to: Date,
}

/// Each half year that has meetings, oldest first (`2026 H1`: January to June).
pub fn half_years(model: &Model) -> Vec<Period> {
    let mut halves: Vec<(i32, u32)> = model
        .meetings
        .iter()
        .map(|m| {
            use chrono::Datelike;
            (m.date.year(), if m.date.month() <= 6 { 1 } else { 2 })
        })
        .collect();
    halves.dedup();
    halves
        .into_iter()
        .filter_map(|(year, half)| {
            let (from, to) = if half == 1 {
                ((1, 1), (6, 30))
            } else {
                ((7, 1), (12, 31))
            };
            Some(Period {
                name: format!("{year} H{half}"),
                slug: format!("{year}-h{half}"),
                from: Date::from_ymd_opt(year, from.0, from.1)?,
                to: Date::from_ymd_opt(year, to.0, to.1)?,
            })
        })
        .collect()
}
