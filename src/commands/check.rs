//! `upward check`: every problem in the vault, as `path:line:col: severity: message` lines or
//! JSON.

use crate::diagnostic::{self, Diagnostic, Severity};
use crate::links::{Link, LinkIndex};
use crate::model::Model;
use crate::note::{Note, NoteLink};
use crate::vault::Vault;
use rayon::prelude::*;
use std::io::{self, Write};

/// How `check` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Text,
    Json,
}

/// Every diagnostic of the vault and its model, and of the links of the notes read with
/// theirs (see [`links`]), sorted by file and position.
pub fn diagnostics(vault: &Vault, model: &Model) -> Vec<Diagnostic> {
    let mut all: Vec<Diagnostic> = vault
        .diagnostics
        .iter()
        .chain(&model.diagnostics)
        .cloned()
        .collect();
    all.extend(links(vault));
    all.extend(permalinks(vault));
    diagnostic::sort(&mut all);
    all
}

/// Published notes of one section (meetings, or other notes) whose `permalink`s make one
/// address: the first in the vault keeps it, and each other one's page gets the next free
/// one (`-2`), as the site gives them. A warning at each other one's `permalink`.
fn permalinks(vault: &Vault) -> Vec<Diagnostic> {
    let mut taken: std::collections::HashMap<(bool, String), &str> =
        std::collections::HashMap::new();
    let mut found = Vec::new();
    for note in vault.notes.iter().filter(|note| note.published()) {
        let Some(permalink) = note.permalink() else {
            continue;
        };
        let address = crate::slug::slugify(permalink);
        match taken.entry((note.kind.is_meeting(), address)) {
            std::collections::hash_map::Entry::Occupied(first) => {
                let line = note.properties.line_of("permalink").unwrap_or(1);
                found.push(Diagnostic::new(
                    &note.path,
                    line,
                    1,
                    Severity::Warning,
                    format!(
                        "the permalink `{permalink}` makes the address of `{}` too, which keeps it; \
                         this page gets `{}-2` or the next free one",
                        first.get(),
                        first.key().1
                    ),
                ));
            }
            std::collections::hash_map::Entry::Vacant(free) => {
                free.insert(&note.path);
            }
        }
    }
    found
}

/// The links that lead nowhere, of every note read with its links (`check` reads them), each
/// resolved as Obsidian and the site resolve it:
/// - an embed, or a Markdown link, of a file the vault does not hold: a warning (the page
///   shows a hole, or a link that leads nowhere);
/// - a link to a heading or block the note it names does not have: a warning (it lands at
///   the top of the page, on the site as in Obsidian);
/// - a wikilink to a note that does not exist: information only, since that is how Obsidian
///   users mark a note still to write (the site shows the link as plain text).
pub fn links(vault: &Vault) -> Vec<Diagnostic> {
    let notes = &vault.notes;
    if notes.iter().all(|note| note.links.is_none()) {
        return Vec::new();
    }
    let index = LinkIndex::new(
        notes.iter().map(|note| note.path.as_str()),
        &vault.attachments,
    );
    notes
        .par_iter()
        .flat_map_iter(|note| {
            let links = note
                .links
                .as_deref()
                .map_or(&[][..], |links| &links.links[..]);
            links.iter().filter_map(|link| {
                let problem = match index.resolve(&link.target, &note.path, link.wikilink) {
                    Some(Link::Note(i, Some(anchor))) => missing_anchor(&notes[i], &anchor, link),
                    Some(Link::Here(anchor)) => missing_anchor(note, &anchor, link),
                    Some(Link::Note(_, None) | Link::Attachment(_)) => None,
                    None => Some(missing_target(link)),
                };
                problem.map(|(severity, message)| {
                    Diagnostic::new(&note.path, link.line, link.column, severity, message)
                })
            })
        })
        .collect()
}

/// The problem of a link to `anchor` on the page of `note`, if the page has no such anchor.
fn missing_anchor(note: &Note, anchor: &str, link: &NoteLink) -> Option<(Severity, String)> {
    let anchors = &note.links.as_ref()?.anchors;
    if anchors.binary_search_by(|a| a.as_str().cmp(anchor)).is_ok() {
        return None;
    }
    let fragment = crate::links::fragment(&link.target).unwrap_or(anchor);
    let what = match fragment.strip_prefix('^') {
        Some(block) => format!("no block `^{block}`"),
        None => format!("no heading `{fragment}`"),
    };
    Some((
        Severity::Warning,
        format!(
            "the link to `{}` leads to the top of `{}`, which has {what}",
            link.target, note.path
        ),
    ))
}

/// The problem of a link that resolves to no note or file.
fn missing_target(link: &NoteLink) -> (Severity, String) {
    let target = &link.target;
    if target.trim().is_empty() {
        (Severity::Warning, "this link has no target".to_owned())
    } else if link.embed {
        (
            Severity::Warning,
            format!("the embed of `{target}` shows nothing: the vault has no such file"),
        )
    } else if !link.wikilink {
        (
            Severity::Warning,
            format!("the link to `{target}` leads nowhere: the vault has no such note or file"),
        )
    } else {
        (
            Severity::Info,
            format!(
                "the link to `{target}` is unresolved: the vault has no such note yet (the site shows it as text)"
            ),
        )
    }
}

/// Prints the diagnostics to `out` (each with its source line when `snippets` is set, styled
/// when it is `Some(true)`) and a summary to `err`; returns whether there were errors.
pub fn run(
    vault: &Vault,
    model: &Model,
    format: Format,
    snippets: Option<bool>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<bool> {
    let all = diagnostics(vault, model);
    // Written a block at a time, not a line (or a JSON token) at a time.
    let mut out = io::BufWriter::new(out);
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &all)?;
            writeln!(out)?;
        }
        Format::Text => {
            // Each file read once, and indexed by line: a file of thousands of problems is
            // not read through again for each.
            let mut texts: std::collections::HashMap<&str, Option<String>> = Default::default();
            if snippets.is_some() {
                for d in &all {
                    texts
                        .entry(d.path.as_str())
                        .or_insert_with(|| std::fs::read_to_string(vault.root.join(&d.path)).ok());
                }
            }
            let lines: std::collections::HashMap<&str, diagnostic::LineIndex<'_>> = texts
                .iter()
                .filter_map(|(path, text)| {
                    Some((*path, diagnostic::LineIndex::new(text.as_ref()?)))
                })
                .collect();
            for d in &all {
                writeln!(out, "{d}")?;
                if let Some(styled) = snippets {
                    let line = lines
                        .get(d.path.as_str())
                        .and_then(|index| index.line(d.line));
                    if let Some(text) = line.and_then(|line| diagnostic::snippet(d, line, styled)) {
                        writeln!(out, "{}", text.trim_end())?;
                    }
                }
            }
        }
    }
    // Before the summary, which follows them on a terminal.
    out.flush()?;
    drop(out);
    let count = |severity| all.iter().filter(|d| d.severity == severity).count();
    let errors = count(Severity::Error);
    writeln!(
        err,
        "checked {} {}: {} {}, {} {}, {} info",
        vault.notes.len(),
        plural(vault.notes.len(), "note", "notes"),
        errors,
        plural(errors, "error", "errors"),
        count(Severity::Warning),
        plural(count(Severity::Warning), "warning", "warnings"),
        count(Severity::Info),
    )?;
    Ok(errors > 0)
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}
