//! `/data.json`: the published model as JSON, its `requests` in the shape of
//! `upward requests --json`. Each meeting, record and meeting's items is a piece of JSON of
//! its own, which `watch` keeps between builds: after an edit only the changed pieces are
//! serialized again, and the file is put together from the rest.

use super::*;
use std::io::Write;

/// One piece of JSON.
fn json(value: &impl Serialize) -> Result<String> {
    serde_json::to_string(value).map_err(|e| crate::error::Error::Invalid(e.to_string()))
}

/// `"name":[a,b,…]` being written, the pieces in order, empty ones skipped.
struct Array<'o> {
    out: &'o mut dyn Write,
    first: bool,
}

fn io(error: std::io::Error) -> crate::error::Error {
    crate::error::Error::io("data.json", error)
}

impl<'o> Array<'o> {
    fn open(out: &'o mut dyn Write, name: &str) -> Result<Array<'o>> {
        write!(out, "\"{name}\":[").map_err(io)?;
        Ok(Array { out, first: true })
    }

    fn piece(&mut self, piece: &str) -> Result<()> {
        if piece.is_empty() {
            return Ok(());
        }
        if !self.first {
            self.out.write_all(b",").map_err(io)?;
        }
        self.first = false;
        self.out.write_all(piece.as_bytes()).map_err(io)
    }

    /// Ends the array and the member: `],`.
    fn close(self) -> Result<()> {
        self.out.write_all(b"],").map_err(io)
    }
}

pub(super) fn data_json(site: &Site<'_>, out: &mut dyn Write) -> Result<()> {
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
    // A note's digest stands for its properties and items.
    let digest = |m: &crate::model::Meeting| site.digests[m.note];
    write!(out, "{{\"generated\":{},", json(&model.today.to_string())?).map_err(io)?;
    let mut array = Array::open(out, "meetings")?;
    let mut run = site.json.run("meetings.json");
    // Each piece's key: what the pieces of its array have in common, and its own numbers.
    let day = |d: Date| d.to_epoch_days() as u64;
    let meeting_seed = site.fragment_key("meeting.json");
    for m in &model.meetings {
        let key = crate::digest::words(meeting_seed, [digest(m), m.note as u64, day(m.date)]);
        array.piece(run.next(key, || {
            let note = &vault.notes[m.note];
            json(&MeetingJson {
                date: m.date.to_string(),
                kind: note.kind.name(),
                with: &note.properties.with,
                note: &note.path,
                url: &site.index.listing.note_urls[m.note],
                template: note.properties.template.as_deref(),
                recap_sent: note.properties.recap_sent.map(|d| d.to_string()),
                tags: &note.tags,
            })
        })?)?;
    }
    array.close()?;
    for (name, run, kind, records) in [
        ("requests", "requests.json", Kind::Requests, &model.requests),
        (
            "follow_ups",
            "follow-ups.json",
            Kind::FollowUps,
            &model.follow_ups,
        ),
    ] {
        let mut array = Array::open(out, name)?;
        let mut run = site.json.run(run);
        let seed = site.fragment_key(("record.json", model.today));
        for (index, record) in records.iter().enumerate() {
            let (row, mentions) = site.record_hashes[usize::from(kind == Kind::FollowUps)][index];
            let key = crate::digest::words(seed, [row, mentions, 0]);
            array.piece(run.next(key, || json(&to_json(record, vault, model.today)))?)?;
        }
        array.close()?;
    }
    // The items of one kind in a meeting, comma-separated.
    for (name, run, kind) in [
        ("wins", "wins.json", Kind::Wins),
        ("priorities", "priorities.json", Kind::Priorities),
        ("outcomes", "outcomes.json", Kind::Outcomes),
    ] {
        let mut array = Array::open(out, name)?;
        let mut run = site.json.run(run);
        let seed = site.fragment_key(("items.json", kind));
        for m in &model.meetings {
            if !site.kinds[m.note].has(kind) {
                continue;
            }
            let key = crate::digest::words(seed, [digest(m), m.note as u64, day(m.date)]);
            array.piece(run.next(key, || {
                let note = &vault.notes[m.note];
                let date = m.date.to_string();
                let pieces = note
                    .items
                    .iter()
                    .filter(|item| item.kind == kind)
                    .map(|item| {
                        json(&ItemJson {
                            text: &item.text,
                            section: &item.section,
                            date: date.clone(),
                            note: &note.path,
                            line: item.line,
                        })
                    })
                    .collect::<Result<Vec<String>>>()?;
                Ok(pieces.join(","))
            })?)?;
        }
        array.close()?;
    }
    let tags: BTreeMap<&str, usize> = site
        .index
        .listing
        .tags
        .iter()
        .map(|(t, n)| (t.as_str(), n.len()))
        .collect();
    writeln!(out, "\"tags\":{}}}", json(&tags)?).map_err(io)
}
