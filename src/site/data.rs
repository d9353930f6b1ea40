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

/// Writes `"name":[a,b,…]`, the pieces in order, skipping empty ones.
fn array(
    out: &mut dyn Write,
    name: &str,
    pieces: impl Iterator<Item = Result<std::sync::Arc<String>>>,
) -> Result<()> {
    let io = |e| crate::error::Error::io("data.json", e);
    write!(out, "\"{name}\":[").map_err(io)?;
    let mut first = true;
    for piece in pieces {
        let piece = piece?;
        if piece.is_empty() {
            continue;
        }
        if !first {
            out.write_all(b",").map_err(io)?;
        }
        first = false;
        out.write_all(piece.as_bytes()).map_err(io)?;
    }
    out.write_all(b"]").map_err(io)
}

pub(super) fn data_json(site: &Site<'_>, out: &mut dyn Write) -> Result<()> {
    let vault = site.vault;
    let model = site.model;
    let io = |e| crate::error::Error::io("data.json", e);
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
    let meeting = |m: &crate::model::Meeting| {
        let note = &vault.notes[m.note];
        let key = site.fragment_key(("meeting.json", note.digest, m.note, m.date));
        site.json.get(key, || {
            json(&MeetingJson {
                date: m.date.to_string(),
                kind: note.kind.name(),
                with: &note.properties.with,
                note: &note.path,
                url: &site.index.note_urls[m.note],
                template: note.properties.template.as_deref(),
                recap_sent: note.properties.recap_sent.map(|d| d.to_string()),
                tags: &note.tags,
            })
        })
    };
    let record = |kind: Kind, index: usize, record: &Record| {
        let hashes = site.record_hashes[usize::from(kind == Kind::FollowUps)][index];
        let key = site.fragment_key(("record.json", hashes, model.today));
        site.json
            .get(key, || json(&to_json(record, vault, model.today)))
    };
    // The items of one kind in a meeting, comma-separated.
    let items = |kind: Kind| {
        model.meetings.iter().map(move |m| {
            let note = &vault.notes[m.note];
            if !note.has(kind) {
                return Ok(std::sync::Arc::default());
            }
            let key = site.fragment_key(("items.json", kind, note.digest, m.note, m.date));
            site.json.get(key, || {
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
            })
        })
    };
    write!(out, "{{\"generated\":{},", json(&model.today.to_string())?).map_err(io)?;
    array(out, "meetings", model.meetings.iter().map(meeting))?;
    out.write_all(b",").map_err(io)?;
    for (name, kind, records) in [
        ("requests", Kind::Requests, &model.requests),
        ("follow_ups", Kind::FollowUps, &model.follow_ups),
    ] {
        let pieces = records.iter().enumerate().map(|(i, r)| record(kind, i, r));
        array(out, name, pieces)?;
        out.write_all(b",").map_err(io)?;
    }
    for (name, kind) in [
        ("wins", Kind::Wins),
        ("priorities", Kind::Priorities),
        ("outcomes", Kind::Outcomes),
    ] {
        array(out, name, items(kind))?;
        out.write_all(b",").map_err(io)?;
    }
    let tags: BTreeMap<&str, usize> = site
        .index
        .tags
        .iter()
        .map(|(t, n)| (t.as_str(), n.len()))
        .collect();
    writeln!(out, "\"tags\":{}}}", json(&tags)?).map_err(io)
}
