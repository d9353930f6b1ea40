//! The vault joined across notes: meetings in date order, and a ledger that follows each
//! request and follow-up through every note that mentions it.

use crate::config::Kind;
use crate::date::{self, Date};
use crate::diagnostic::{self, Diagnostic};
use crate::note::{self, Note};
use crate::task::Status;
use crate::vault::Vault;
use std::collections::HashMap;

/// One mention of a tracked item in a meeting note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    /// Index of the note in [`Vault::notes`].
    pub note: usize,
    /// Index of the item in that note's items.
    pub item: usize,
    /// When it happened: the ✅/❌ date of a done or declined mention, else the meeting's.
    pub date: Date,
    /// The meeting's date.
    pub meeting: Date,
    pub status: Status,
}

/// A request or follow-up, joined across every note that mentions it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub kind: Kind,
    pub id: String,
    /// The wording of the latest mention.
    pub title: String,
    /// The status of the latest mention.
    pub status: Status,
    /// The date it was first raised (the first meeting, or an earlier ➕ created date).
    pub raised: Date,
    /// When it was done or declined: the ✅/❌ date of the latest mention, else its meeting.
    pub resolved: Option<Date>,
    /// The person of the latest mention's meeting.
    pub with: Option<String>,
    /// The latest outcome written for it.
    pub outcome: Option<String>,
    /// Every mention, oldest first.
    pub events: Vec<Event>,
    /// Whether any mention carries a block ID.
    pub explicit_id: bool,
}

impl Record {
    /// How many notes mention it.
    pub fn mentions(&self) -> usize {
        self.events.len()
    }

    /// Days from raised to resolved, or to `today` while it is open.
    pub fn days_open(&self, today: Date) -> i64 {
        date::days_between(self.raised, self.resolved.unwrap_or(today))
    }
}

/// A meeting note and its date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meeting {
    pub note: usize,
    pub date: Date,
}

/// The joined model of a vault.
#[derive(Debug, Clone)]
pub struct Model {
    /// A hash of what the model was joined from: equal keys, equal models.
    pub key: u64,
    /// Meetings with a date, oldest first.
    pub meetings: Vec<Meeting>,
    /// Requests, in the order they were first raised.
    pub requests: Vec<Record>,
    /// Follow-ups, in the order they were first raised.
    pub follow_ups: Vec<Record>,
    /// The date days are counted to.
    pub today: Date,
    /// Problems seen only across notes.
    pub diagnostics: Vec<Diagnostic>,
}

/// The last model joined, kept by `watch`: it is used again while what the ledger reads of
/// every note is unchanged, which is what most edits of a meeting leave alone; when a few
/// notes changed it, only the records they mention are joined again.
#[derive(Debug, Default)]
pub struct Cache {
    model: Option<std::sync::Arc<Model>>,
    /// What the model was joined from: the date and settings, and per note its path's hash,
    /// its ledger digest and its meeting date.
    joined: Option<Joined>,
}

#[derive(Debug)]
struct Joined {
    settings: u64,
    notes: Vec<(u64, u64, Option<Date>)>,
    /// Per kind, per record in the model's order: the warnings its mentions gave.
    warnings: [Vec<Vec<Diagnostic>>; 2],
}

/// Notes changed in the ledger beyond this many are joined again whole.
const FEW_CHANGES: usize = 64;

impl Model {
    /// Joins the notes of a vault like [`Model::build`], or gives the model of `cache` when
    /// it was joined from the same ledger.
    pub fn build_cached(vault: &Vault, today: Date, cache: &mut Cache) -> std::sync::Arc<Model> {
        let settings = settings(vault, today);
        let notes = joined_from(vault);
        let key = key_of(settings, &notes);
        if let Some(model) = cache.model.as_ref().filter(|m| m.key == key) {
            return std::sync::Arc::clone(model);
        }
        let changed = match (&cache.model, &cache.joined) {
            (Some(_), Some(joined))
                if joined.settings == settings && joined.notes.len() == notes.len() =>
            {
                // The same notes, each a meeting of the same date: only their ledgers changed.
                let same = joined
                    .notes
                    .iter()
                    .zip(&notes)
                    .all(|(old, new)| old.0 == new.0 && old.2 == new.2);
                let changed: Vec<usize> = (0..notes.len())
                    .filter(|&i| joined.notes[i].1 != notes[i].1)
                    .collect();
                (same && changed.len() <= FEW_CHANGES).then_some(changed)
            }
            _ => None,
        };
        let (model, warnings) = match (changed, cache.model.take(), cache.joined.take()) {
            (Some(changed), Some(old), Some(joined)) => {
                // Held nowhere else once the last build is done with it: its records are
                // moved, not copied.
                let old = std::sync::Arc::try_unwrap(old).unwrap_or_else(|old| (*old).clone());
                Model::join_changed(vault, today, key, old, joined.warnings, &changed)
            }
            _ => Model::join_whole(vault, today, key),
        };
        let model = std::sync::Arc::new(model);
        cache.model = Some(std::sync::Arc::clone(&model));
        cache.joined = Some(Joined {
            settings,
            notes,
            warnings,
        });
        model
    }

    /// Joins the notes of a vault, counting open days to `today`.
    pub fn build(vault: &Vault, today: Date) -> Model {
        Model::join_whole(vault, today, key(vault, today)).0
    }

    /// Joins the notes of a vault; `key` is [`key`] of the vault and `today`. Gives the
    /// warnings of each record's mentions beside it.
    fn join_whole(vault: &Vault, today: Date, key: u64) -> (Model, [Vec<Vec<Diagnostic>>; 2]) {
        let mut meetings: Vec<Meeting> = vault
            .notes
            .iter()
            .enumerate()
            .filter_map(|(i, n)| meeting_date(n).map(|date| Meeting { note: i, date }))
            .collect();
        meetings.sort_by(|a, b| {
            (a.date, &vault.notes[a.note].path).cmp(&(b.date, &vault.notes[b.note].path))
        });
        let ((requests, request_warnings), (follow_ups, follow_up_warnings)) = rayon::join(
            || ledger(vault, &meetings, Kind::Requests, None),
            || ledger(vault, &meetings, Kind::FollowUps, None),
        );
        let model = Model::settled(vault, today, key, meetings, requests, follow_ups, {
            request_warnings.iter().chain(&follow_up_warnings).flatten()
        });
        (model, [request_warnings, follow_up_warnings])
    }

    /// Joins the notes of a vault again from `old`, joined from the same notes but for the
    /// ledgers of the notes `changed`: the records those notes mention, before or now, are
    /// joined again from every note that mentions them; the others are kept.
    fn join_changed(
        vault: &Vault,
        today: Date,
        key: u64,
        old: Model,
        warnings: [Vec<Vec<Diagnostic>>; 2],
        changed: &[usize],
    ) -> (Model, [Vec<Vec<Diagnostic>>; 2]) {
        let Model {
            meetings,
            requests,
            follow_ups,
            ..
        } = old;
        let mut positions = vec![usize::MAX; vault.notes.len()];
        for (i, meeting) in meetings.iter().enumerate() {
            positions[meeting.note] = i;
        }
        let [request_warnings, follow_up_warnings] = warnings;
        let update = |records: Vec<Record>, warnings: Vec<Vec<Diagnostic>>, kind: Kind| {
            let (joined, affected) = {
                // The IDs the changed notes mention, before and now, and every note that
                // mentions them.
                let mut ids: std::collections::HashSet<&str> = std::collections::HashSet::new();
                for record in &records {
                    if record
                        .events
                        .iter()
                        .any(|e| changed.binary_search(&e.note).is_ok())
                    {
                        ids.insert(&record.id);
                    }
                }
                let meetings_changed = changed.iter().filter(|&&n| positions[n] != usize::MAX);
                for &n in meetings_changed.clone() {
                    for item in &vault.notes[n].items {
                        if item.kind == kind && !item.id.is_empty() {
                            ids.insert(&item.id);
                        }
                    }
                }
                let mut notes: Vec<usize> = meetings_changed.copied().collect();
                let affected: Vec<bool> = records
                    .iter()
                    .map(|record| {
                        let affected = ids.contains(record.id.as_str());
                        if affected {
                            notes.extend(record.events.iter().map(|e| e.note));
                        }
                        affected
                    })
                    .collect();
                notes.sort_by_key(|&n| positions[n]);
                notes.dedup();
                let rejoin: Vec<Meeting> = notes.iter().map(|&n| meetings[positions[n]]).collect();
                // Those IDs' records from those notes alone, which is all of their mentions.
                (ledger(vault, &rejoin, kind, Some(&ids)), affected)
            };
            // Both lists are in the order of a whole join (by the first mention met, going
            // through the meetings in order and each note's items in order): merged.
            let first = |record: &Record| {
                record
                    .events
                    .iter()
                    .map(|e| (positions[e.note], e.item))
                    .min()
            };
            let mut kept = records
                .into_iter()
                .zip(warnings)
                .zip(affected)
                .filter(|(_, affected)| !affected)
                .map(|(record, _)| record)
                .peekable();
            let mut joined = joined.0.into_iter().zip(joined.1).peekable();
            let count = kept.size_hint().1.unwrap_or(0) + joined.len();
            let (mut records, mut warnings) =
                (Vec::with_capacity(count), Vec::with_capacity(count));
            loop {
                let next = match (kept.peek(), joined.peek()) {
                    (Some(k), Some(j)) if first(&k.0) < first(&j.0) => kept.next(),
                    (Some(_), None) => kept.next(),
                    _ => joined.next(),
                };
                let Some((record, record_warnings)) = next else {
                    break;
                };
                records.push(record);
                warnings.push(record_warnings);
            }
            (records, warnings)
        };
        let ((requests, request_warnings), (follow_ups, follow_up_warnings)) = rayon::join(
            || update(requests, request_warnings, Kind::Requests),
            || update(follow_ups, follow_up_warnings, Kind::FollowUps),
        );
        let model = Model::settled(vault, today, key, meetings, requests, follow_ups, {
            request_warnings.iter().chain(&follow_up_warnings).flatten()
        });
        (model, [request_warnings, follow_up_warnings])
    }

    /// The model of joined records, with the diagnostics seen across notes: the warnings of
    /// mentions, and requests open too long.
    fn settled<'d>(
        vault: &Vault,
        today: Date,
        key: u64,
        meetings: Vec<Meeting>,
        requests: Vec<Record>,
        follow_ups: Vec<Record>,
        warnings: impl Iterator<Item = &'d Diagnostic>,
    ) -> Model {
        let mut diagnostics: Vec<Diagnostic> = warnings.cloned().collect();
        let stale = i64::from(vault.config.stale_after_days);
        for record in requests.iter().filter(|r| r.status.is_open()) {
            let days = record.days_open(today);
            if days > stale {
                let last = record.events.last().expect("a record has a mention");
                let item = &vault.notes[last.note].items[last.item];
                diagnostics.push(Diagnostic::info(
                    &vault.notes[last.note].path,
                    item.line,
                    item.column,
                    format!(
                        "request ^{} has been {} for {days} days, since {}, raised {} times",
                        record.id,
                        if record.status == Status::Open {
                            "open"
                        } else {
                            "in progress"
                        },
                        record.raised,
                        record.mentions()
                    ),
                ));
            }
        }
        diagnostic::sort(&mut diagnostics);
        Model {
            key,
            meetings,
            requests,
            follow_ups,
            today,
            diagnostics,
        }
    }

    /// The request or follow-up with this ID.
    pub fn record(&self, id: &str) -> Option<&Record> {
        self.requests
            .iter()
            .chain(&self.follow_ups)
            .find(|r| r.id == id)
    }
}

/// What a model is joined from: the date, the settings it reads, and what the ledger reads of
/// each note (see [`joined_from`]).
fn key(vault: &Vault, today: Date) -> u64 {
    key_of(settings(vault, today), &joined_from(vault))
}

fn key_of(settings: u64, notes: &[(u64, u64, Option<Date>)]) -> u64 {
    use std::hash::Hash;
    crate::digest::with(|h| (settings, notes).hash(h))
}

/// What a model is joined from besides the notes.
fn settings(vault: &Vault, today: Date) -> u64 {
    crate::digest::of(&(today, vault.config.stale_after_days))
}

/// What a model is joined from of each note: a hash of its path, its ledger digest and its
/// meeting date.
fn joined_from(vault: &Vault) -> Vec<(u64, u64, Option<Date>)> {
    use rayon::prelude::*;
    vault
        .notes
        .par_iter()
        .map(|n| (n.path_digest, n.ledger, meeting_date(n)))
        .collect()
}

/// The date of a note that is a meeting with a date.
fn meeting_date(note: &Note) -> Option<Date> {
    note.date.filter(|_| note.kind.is_meeting())
}

/// The records of one kind (of the IDs `only`, when given) in the order their first mention is
/// met, each with the warnings of its mentions: IDs that seem to name two different things.
fn ledger(
    vault: &Vault,
    meetings: &[Meeting],
    kind: Kind,
    only: Option<&std::collections::HashSet<&str>>,
) -> (Vec<Record>, Vec<Vec<Diagnostic>>) {
    let mut diagnostics: Vec<Vec<Diagnostic>> = Vec::new();
    let mut records: Vec<Record> = Vec::new();
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    for meeting in meetings {
        let note = &vault.notes[meeting.note];
        for (index, item) in note.items.iter().enumerate() {
            if item.kind != kind || item.id.is_empty() {
                continue;
            }
            if only.is_some_and(|only| !only.contains(item.id.as_str())) {
                continue;
            }
            let status = item.status.unwrap_or(Status::Open);
            let date = match status {
                Status::Done => item.done,
                Status::Declined => item.cancelled.or(item.done),
                Status::Open | Status::InProgress => None,
            };
            let event = Event {
                note: meeting.note,
                item: index,
                date: date.unwrap_or(meeting.date),
                meeting: meeting.date,
                status,
            };
            match by_id.get(item.id.as_str()) {
                Some(&r) => {
                    let record = &mut records[r];
                    // Wording drifts as a request is carried forward: compare with the mention
                    // before, not the first.
                    let previous = *record.events.last().expect("a record has a mention");
                    let first_item = &vault.notes[previous.note].items[previous.item];
                    if item.explicit_id && different_wording(&first_item.text, &item.text) {
                        diagnostics[r].push(Diagnostic::warning(
                            &note.path,
                            item.line,
                            item.column,
                            format!(
                                "^{} names a different {} in {}:{} (\"{}\"); \
                                 give this one its own ID",
                                item.id,
                                if kind == Kind::Requests {
                                    "request"
                                } else {
                                    "follow-up"
                                },
                                vault.notes[previous.note].path,
                                first_item.line,
                                first_item.text
                            ),
                        ));
                    }
                    record.events.push(event);
                }
                None => {
                    by_id.insert(&item.id, records.len());
                    diagnostics.push(Vec::new());
                    records.push(Record {
                        kind,
                        id: item.id.clone(),
                        title: String::new(),
                        status,
                        raised: meeting.date,
                        resolved: None,
                        with: None,
                        outcome: None,
                        events: vec![event],
                        explicit_id: false,
                    });
                }
            }
        }
    }
    for record in &mut records {
        settle(record, vault);
    }
    (records, diagnostics)
}

/// Fills in what a record's events say: the latest status, wording, person and outcome.
fn settle(record: &mut Record, vault: &Vault) {
    let first_meeting = record
        .events
        .iter()
        .map(|e| e.meeting)
        .min()
        .expect("a record has a mention");
    let created = record
        .events
        .iter()
        .filter_map(|e| vault.notes[e.note].items[e.item].created)
        .min();
    record.raised = created.map_or(first_meeting, |c| c.min(first_meeting));
    // Nothing happens to a request before it was raised; a mention ticked off later (✅ after
    // a newer meeting) is the latest event, and events of one date stay in meeting order.
    for event in &mut record.events {
        event.date = event.date.max(record.raised);
    }
    record.events.sort_by_key(|e| e.date);
    let last = *record.events.last().expect("a record has a mention");
    let note = &vault.notes[last.note];
    let item = &note.items[last.item];
    record.title = item.text.clone();
    record.status = last.status;
    record.with = note.person().map(str::to_owned);
    record.explicit_id = record
        .events
        .iter()
        .any(|e| vault.notes[e.note].items[e.item].explicit_id);
    record.outcome = record
        .events
        .iter()
        .rev()
        .find_map(|e| vault.notes[e.note].items[e.item].outcome.clone());
    record.resolved = match last.status {
        Status::Done | Status::Declined => Some(last.date),
        Status::Open | Status::InProgress => None,
    };
}

/// The published part of a vault and its model: `model`, already joined from the whole vault,
/// is kept when every note is published; otherwise the published notes are joined again.
pub fn published(vault: Vault, model: Option<Model>, today: Date) -> (Vault, Model) {
    let (vault, model) = published_cached(
        vault,
        model.map(std::sync::Arc::new),
        today,
        &mut Cache::default(),
    );
    // Held nowhere else.
    let model = std::sync::Arc::try_unwrap(model).unwrap_or_else(|shared| (*shared).clone());
    (vault, model)
}

/// The published part like [`published`], joining it with `cache` when it must be joined.
pub fn published_cached(
    mut vault: Vault,
    model: Option<std::sync::Arc<Model>>,
    today: Date,
    cache: &mut Cache,
) -> (Vault, std::sync::Arc<Model>) {
    let before = vault.notes.len();
    vault.notes.retain(|note| note.published());
    let model = match model {
        Some(model) if vault.notes.len() == before && model.today == today => model,
        _ => Model::build_cached(&vault, today, cache),
    };
    (vault, model)
}

/// The median of some numbers of days (the mean of the middle two for an even count).
pub fn median(values: &mut [i64]) -> Option<i64> {
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

/// Whether two wordings share less than half of their words: then one ID is likely used for
/// two different requests, not for the same request reworded.
fn different_wording(a: &str, b: &str) -> bool {
    if a == b {
        return false;
    }
    // The distinct words of three letters or more, lower-cased and sorted.
    let words = |text: &str| -> Vec<String> {
        let mut words: Vec<String> = note::plain_text(text)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.len() > 2 && w.chars().nth(2).is_some())
            .map(str::to_lowercase)
            .collect();
        words.sort_unstable();
        words.dedup();
        words
    };
    let (a, b) = (words(a), words(b));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let shared = a.iter().filter(|w| b.binary_search(w).is_ok()).count();
    shared * 2 < a.len().min(b.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::Arc;

    /// A meeting note of day `day` with `person`, its requests and follow-ups: (ID, wording,
    /// status) each.
    fn meeting(
        day: u8,
        person: &str,
        requests: &[(u8, u8, u8)],
        follow_ups: &[(u8, u8, u8)],
    ) -> String {
        let words = [
            "Budget for the offsite",
            "Budget for the team offsite",
            "Access to the billing dashboard",
        ];
        let line = |&(id, text, status): &(u8, u8, u8)| {
            let (mark, date) = match status % 4 {
                0 => (" ", String::new()),
                1 => ("/", String::new()),
                2 => ("x", format!(" ✅ 2026-10-{:02}", (day + status) % 28 + 1)),
                _ => ("-", format!(" ❌ 2026-10-{:02}", day % 28 + 1)),
            };
            format!(
                "- [{mark}] {}{date} ^id-{}\n",
                words[usize::from(text) % words.len()],
                id % 5
            )
        };
        let mut text = format!(
            "---\ntype: one-on-one\ndate: 2026-10-{:02}\nwith: \"[[{person}]]\"\n---\n## Help\n",
            day % 28 + 1
        );
        text.extend(requests.iter().map(line));
        text.push_str("## Follow-ups\n");
        text.extend(follow_ups.iter().map(line));
        text
    }

    fn vault(notes: &[String]) -> Vault {
        let config = crate::config::Config::default();
        let notes = notes
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let path = format!("1-1s/note {i:02}.md");
                Arc::new(note::parse(&path, text, &config, &mut Vec::new()))
            })
            .collect();
        Vault {
            root: std::path::PathBuf::new(),
            config,
            notes,
            diagnostics: Vec::new(),
            attachments: Vec::new(),
        }
    }

    /// A note's day, person, requests and follow-ups.
    type Params = (u8, usize, Vec<(u8, u8, u8)>, Vec<(u8, u8, u8)>);

    fn params() -> impl Strategy<Value = Params> {
        let items = || proptest::collection::vec((0u8..5, 0u8..3, 0u8..4), 0..4);
        (0u8..8, 0usize..3, items(), items())
    }

    fn text((day, person, requests, follow_ups): &Params) -> String {
        meeting(*day, ["Dana", "Sam", "Ada"][*person], requests, follow_ups)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// A model joined again after a few notes changed is the model a whole join gives.
        #[test]
        fn joining_only_what_changed_is_joining_everything(
            first in proptest::collection::vec(params(), 1..7),
            edits in proptest::collection::vec((0usize..7, proptest::bool::weighted(0.2), params()), 1..6),
        ) {
            let today = crate::date::parse("2026-11-24").unwrap();
            let mut notes = first;
            let mut cache = Cache::default();
            let texts = |notes: &[Params]| notes.iter().map(text).collect::<Vec<_>>();
            Model::build_cached(&vault(&texts(&notes)), today, &mut cache);
            for (at, move_day, mut edit) in edits {
                let at = at % notes.len();
                // Most edits leave the meeting's date: those are joined again in part.
                if !move_day {
                    edit.0 = notes[at].0;
                }
                notes[at] = edit;
                let vault = vault(&texts(&notes));
                let again = Model::build_cached(&vault, today, &mut cache);
                let whole = Model::build(&vault, today);
                prop_assert_eq!(format!("{:?}", again), format!("{:?}", whole));
            }
        }
    }

    #[test]
    fn rewording_is_not_a_different_request() {
        assert!(!different_wording(
            "Approval for the RustConf travel budget",
            "RustConf travel budget approval (finance asked for a quote)"
        ));
        assert!(different_wording(
            "Approval for the RustConf travel budget",
            "Access to the billing dashboard"
        ));
    }
}
