//! `upward requests`: the request ledger as an aligned table or JSON.

use crate::date::Date;
use crate::model::{Model, Record};
use crate::task::Status;
use crate::vault::Vault;
use anstyle::{AnsiColor, Style};
use serde::Serialize;
use std::io::{self, Write};
use unicode_width::UnicodeWidthStr;

/// Which requests to show.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only open and in-progress requests.
    pub open: bool,
    /// Only requests raised with this person (case-insensitive).
    pub with: Option<String>,
}

/// One request as `requests --json` and the site's `data.json` give it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RequestJson {
    pub id: String,
    pub title: String,
    pub status: Status,
    pub raised: String,
    pub resolved: Option<String>,
    pub mentions: usize,
    pub days_open: i64,
    pub with: Option<String>,
    pub outcome: Option<String>,
    /// Vault-relative paths of the notes that mention it, oldest first.
    pub notes: Vec<String>,
    /// Each mention: its meeting date, note, line and status.
    pub history: Vec<MentionJson>,
}

/// One mention of a request.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MentionJson {
    pub date: String,
    pub note: String,
    pub line: usize,
    pub status: Status,
}

/// The JSON form of a record.
pub fn to_json(record: &Record, vault: &Vault, today: Date) -> RequestJson {
    let mut notes: Vec<String> = Vec::new();
    for event in &record.events {
        let path = &vault.notes[event.note].path;
        if !notes.contains(path) {
            notes.push(path.clone());
        }
    }
    RequestJson {
        id: record.id.clone(),
        title: record.title.clone(),
        status: record.status,
        raised: record.raised.to_string(),
        resolved: record.resolved.map(|d| d.to_string()),
        mentions: record.mentions(),
        days_open: record.days_open(today),
        with: record.with.clone(),
        outcome: record.outcome.clone(),
        notes,
        history: record
            .events
            .iter()
            .map(|e| MentionJson {
                date: e.date.to_string(),
                note: vault.notes[e.note].path.clone(),
                line: vault.notes[e.note].items[e.item].line,
                status: e.status,
            })
            .collect(),
    }
}

/// The requests that pass the filter, in the order they were raised.
pub fn select<'m>(model: &'m Model, vault: &Vault, filter: &Filter) -> Vec<&'m Record> {
    let person = filter.with.as_deref().map(str::to_lowercase);
    model
        .requests
        .iter()
        .filter(|r| !filter.open || r.status.is_open())
        .filter(|r| match &person {
            None => true,
            Some(person) => r.events.iter().any(|e| {
                vault.notes[e.note]
                    .properties
                    .with
                    .iter()
                    .any(|w| w.to_lowercase() == *person)
            }),
        })
        .collect()
}

/// Prints the selected requests as JSON.
pub fn write_json(
    vault: &Vault,
    model: &Model,
    filter: &Filter,
    out: &mut dyn Write,
) -> io::Result<()> {
    let records: Vec<RequestJson> = select(model, vault, filter)
        .into_iter()
        .map(|r| to_json(r, vault, model.today))
        .collect();
    serde_json::to_writer_pretty(&mut *out, &records)?;
    writeln!(out)
}

fn status_style(status: Status) -> Style {
    let color = match status {
        Status::Open => AnsiColor::Yellow,
        Status::InProgress => AnsiColor::Cyan,
        Status::Done => AnsiColor::Green,
        Status::Declined => AnsiColor::Red,
    };
    Style::new().fg_color(Some(color.into()))
}

/// Prints the selected requests as an aligned table; `out` decides whether colour is kept.
pub fn write_table(
    vault: &Vault,
    model: &Model,
    filter: &Filter,
    out: &mut dyn Write,
) -> io::Result<()> {
    let records = select(model, vault, filter);
    if records.is_empty() {
        return writeln!(out, "no requests");
    }
    let header = ["ID", "STATUS", "RAISED", "TIMES", "DAYS", "WITH", "REQUEST"];
    let rows: Vec<[String; 7]> = records
        .iter()
        .map(|r| {
            [
                r.id.clone(),
                r.status.name().to_owned(),
                r.raised.to_string(),
                r.mentions().to_string(),
                r.days_open(model.today).to_string(),
                r.with.clone().unwrap_or_default(),
                r.title.clone(),
            ]
        })
        .collect();
    let mut widths = header.map(UnicodeWidthStr::width);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.width());
        }
    }
    let bold = Style::new().bold();
    write_row(out, &header.map(str::to_owned), &widths, |_| bold)?;
    for (row, record) in rows.iter().zip(&records) {
        let style = status_style(record.status);
        write_row(out, row, &widths, |column| {
            if column == 1 { style } else { Style::new() }
        })?;
    }
    Ok(())
}

fn write_row(
    out: &mut dyn Write,
    cells: &[String; 7],
    widths: &[usize; 7],
    style: impl Fn(usize) -> Style,
) -> io::Result<()> {
    let numeric = [3, 4];
    let mut line = String::new();
    for (column, cell) in cells.iter().enumerate() {
        let pad = " ".repeat(widths[column].saturating_sub(cell.width()));
        let s = style(column);
        if column > 0 {
            line.push_str("  ");
        }
        if numeric.contains(&column) {
            line.push_str(&pad);
        }
        line.push_str(&format!("{s}{cell}{s:#}"));
        if !numeric.contains(&column) && column + 1 < cells.len() {
            line.push_str(&pad);
        }
    }
    writeln!(out, "{}", line.trim_end())
}
