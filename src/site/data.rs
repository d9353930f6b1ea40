//! `/data.json`: the published model as JSON, its `requests` in the shape of
//! `upward requests --json`.

use super::*;

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

pub(super) fn data_json(site: &Site<'_>, out: &mut dyn std::io::Write) -> std::io::Result<()> {
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
