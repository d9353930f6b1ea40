//! `upward new`: the next 1:1 note, from a template, with open requests and follow-ups carried
//! forward under their IDs.

use crate::commands::times;
use crate::config::Kind;
use crate::date::Date;
use crate::diagnostic::Severity;
use crate::error::{Error, Result};
use crate::model::{Model, Record};
use crate::note::{self, NoteKind};
use crate::questions::Bank;
use crate::task::Status;
use crate::template;
use crate::vault::Vault;
use crate::write;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What `new` was asked for.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub template: Option<String>,
    pub date: Option<Date>,
    pub with: Option<String>,
}

/// A note ready to be written: its vault-relative path and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub path: String,
    pub text: String,
    /// What the user should know, though the note is written: `path:line:col: warning: …`.
    pub warnings: Vec<String>,
}

/// A request or follow-up carried into the new note.
#[derive(Debug, Clone, Serialize)]
pub struct Carried {
    pub id: String,
    pub text: String,
    /// The checkbox character: ` ` open, `/` in progress.
    pub checkbox: String,
    pub status: Status,
    /// The date it was first raised.
    pub raised: String,
    /// How many notes mentioned it before this one.
    pub mentions: usize,
    /// `once`, `twice`, `3 times`…
    pub times: String,
    /// Where it was last mentioned, as a wikilink target.
    pub last_note: String,
    /// Its due date (📅), if one was written.
    pub due: Option<String>,
}

/// The variables every note template gets.
#[derive(Debug, Clone, Serialize)]
pub struct Context {
    /// The meeting date, `YYYY-MM-DD`.
    pub date: String,
    /// The ISO week of the date, `2026-W48`.
    pub week: String,
    /// The person met, as a note name.
    pub person: String,
    /// The template's name.
    pub template: String,
    /// The meetings folder.
    pub meetings: String,
    /// This week's phrasing of each of the five questions (`loves`, `frustrations`,
    /// `learning`, `requests`, `top_of_mind`).
    pub questions: BTreeMap<String, String>,
    /// Open and in-progress requests, oldest first.
    pub requests: Vec<Carried>,
    /// Open and in-progress follow-ups, oldest first.
    pub follow_ups: Vec<Carried>,
    /// The previous meeting with this person, as a wikilink target.
    pub previous: Option<String>,
    /// The new note's name (its file name without `.md`), as Obsidian's `{{title}}`; empty
    /// in `note_name`, which gives it.
    pub title: String,
    /// The time the note is written, `HH:MM`, as Obsidian's `{{time}}`.
    pub time: String,
}

/// File names may not hold characters that Obsidian or the file system refuse.
fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if "/\\:*?\"<>|#^[]".contains(c) || c.is_control() {
                '-'
            } else {
                c
            }
        })
        .collect::<String>()
        .trim()
        .trim_matches('.')
        .to_owned()
}

/// The person of the latest 1:1 that names one.
fn latest_person(vault: &Vault, model: &Model) -> Option<String> {
    model
        .meetings
        .iter()
        .rev()
        .map(|m| &vault.notes[m.note])
        .filter(|n| n.kind == NoteKind::OneOnOne)
        .find_map(|n| n.person().map(str::to_owned))
}

fn met_with(vault: &Vault, note: usize, person: &str) -> bool {
    vault.notes[note]
        .properties
        .with
        .iter()
        .any(|w| w.to_lowercase() == person.to_lowercase())
}

fn carried(record: &Record, vault: &Vault) -> Carried {
    let last = record.events.last().expect("a record has a mention");
    Carried {
        id: record.id.clone(),
        text: record.title.clone(),
        checkbox: if record.status == Status::InProgress {
            "/"
        } else {
            " "
        }
        .to_owned(),
        status: record.status,
        raised: record.raised.to_string(),
        mentions: record.mentions(),
        times: times(record.mentions()),
        last_note: vault.notes[last.note].name.clone(),
        due: record
            .events
            .iter()
            .rev()
            .find_map(|e| vault.notes[e.note].items[e.item].due)
            .map(|d| d.to_string()),
    }
}

fn carry(records: &[Record], vault: &Vault, person: &str, everyone: bool) -> Vec<Carried> {
    records
        .iter()
        .filter(|r| r.status.is_open() && !r.title.is_empty())
        .filter(|r| everyone || r.events.iter().any(|e| met_with(vault, e.note, person)))
        .map(|r| carried(r, vault))
        .collect()
}

/// Plans the note `new` writes: renders the template and checks the result.
pub fn plan(vault: &Vault, model: &Model, options: &Options, today: Date) -> Result<Planned> {
    let config = &vault.config;
    let template_name = options
        .template
        .clone()
        .unwrap_or_else(|| config.template.clone());
    let source = template::note_template(&vault.root, config, &template_name)?;
    let date = options.date.unwrap_or(today);
    let person = match &options.with {
        Some(with) => crate::frontmatter::link_name(with),
        None => latest_person(vault, model).ok_or(Error::NoPerson)?,
    };
    if person.is_empty() {
        return Err(Error::NoPerson);
    }
    let previous = model
        .meetings
        .iter()
        .rev()
        .filter(|m| m.date <= date && met_with(vault, m.note, &person))
        .map(|m| vault.notes[m.note].name.clone())
        .next();
    let everyone = source.name == "rubber-duck";
    let (bank, _) = Bank::load(&vault.root, config);
    let context = Context {
        date: date.to_string(),
        week: date.format("%G-W%V").to_string(),
        person: person.clone(),
        template: source.name.clone(),
        meetings: config.meetings.clone(),
        questions: bank.for_week(date),
        requests: carry(&model.requests, vault, &person, everyone),
        follow_ups: carry(&model.follow_ups, vault, &person, everyone),
        previous,
        title: String::new(),
        time: chrono::Local::now().format("%H:%M").to_string(),
    };
    let path = note_path(vault, &context)?;
    let stem = path.rsplit('/').next().unwrap_or(&path);
    let context = Context {
        title: stem.strip_suffix(".md").unwrap_or(stem).to_owned(),
        ..context
    };
    let text = template::render(&source, &context)?;
    let mut diagnostics = Vec::new();
    let parsed = note::parse(&path, &text, config, &mut diagnostics);
    diagnostics.retain(|d| d.severity == Severity::Error);
    if !parsed.kind.is_meeting() {
        diagnostics.push(crate::diagnostic::Diagnostic::error(
            &path,
            1,
            1,
            "the note is not a 1:1: give it `type: one-on-one` (or rubber-duck, skip-level)",
        ));
    }
    let ids = |kind: Kind| -> Vec<&str> {
        parsed
            .items
            .iter()
            .filter(|i| i.kind == kind)
            .map(|i| i.id.as_str())
            .collect()
    };
    for (kind, list) in [
        (Kind::Requests, &context.requests),
        (Kind::FollowUps, &context.follow_ups),
    ] {
        let found = ids(kind);
        for item in list.iter().filter(|c| !found.contains(&c.id.as_str())) {
            diagnostics.push(crate::diagnostic::Diagnostic::error(
                &path,
                1,
                1,
                format!(
                    "open {} ^{} is not in the note: the template must list `{}` under a \
                     section of that kind",
                    kind.name().trim_end_matches('s'),
                    item.id,
                    if kind == Kind::Requests {
                        "requests"
                    } else {
                        "follow_ups"
                    }
                ),
            ));
        }
    }
    if !diagnostics.is_empty() {
        return Err(Error::InvalidNote {
            template: source.path,
            diagnostics,
        });
    }
    // Templater's `<% … %>` is not a template language upward runs: say so, where it is.
    let mut warnings = Vec::new();
    for (number, line) in source.text.lines().enumerate() {
        if let Some(at) = line.find("<%").filter(|&at| line[at..].contains("%>")) {
            warnings.push(format!(
                "{}:{}:{}: warning: Templater's `<% … %>` is not run by upward: it stays in \
                 the note as written",
                source.path,
                number + 1,
                line[..at].chars().count() + 1
            ));
        }
    }
    Ok(Planned {
        path,
        text,
        warnings,
    })
}

fn note_path(vault: &Vault, context: &Context) -> Result<String> {
    let name_source = template::Source {
        name: "note_name".into(),
        path: "upward.yaml: note_name".into(),
        text: vault.config.note_name.clone(),
    };
    let safe = Context {
        person: file_safe(&context.person),
        ..context.clone()
    };
    let rendered = template::render(&name_source, &safe)?;
    let mut path = rendered.trim().replace('\\', "/");
    while path.contains("//") {
        path = path.replace("//", "/");
    }
    let path = path
        .trim_start_matches("./")
        .trim_start_matches('/')
        .to_owned();
    if path.is_empty() || path.split('/').any(|part| part == ".." || part.is_empty()) {
        return Err(Error::Invalid(format!(
            "upward.yaml: note_name gives `{rendered}`, which is not a path inside the vault"
        )));
    }
    Ok(if path.ends_with(".md") {
        path
    } else {
        format!("{path}.md")
    })
}

/// Writes a planned note, never over an existing file; returns its path.
pub fn write(vault: &Vault, planned: &Planned) -> Result<PathBuf> {
    let path = vault.root.join(&planned.path);
    write::create_new(&path, planned.text.as_bytes())?;
    Ok(path)
}
