//! `upward check`: every problem in the vault, as `path:line:col: severity: message` lines or
//! JSON.

use crate::diagnostic::{self, Diagnostic, Severity};
use crate::model::Model;
use crate::vault::Vault;
use std::io::{self, Write};

/// How `check` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Text,
    Json,
}

/// Every diagnostic of the vault and its model, sorted by file and position.
pub fn diagnostics(vault: &Vault, model: &Model) -> Vec<Diagnostic> {
    let mut all: Vec<Diagnostic> = vault
        .diagnostics
        .iter()
        .chain(&model.diagnostics)
        .cloned()
        .collect();
    diagnostic::sort(&mut all);
    all
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
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &all)?;
            writeln!(out)?;
        }
        Format::Text => {
            let mut sources: std::collections::HashMap<&str, Option<String>> = Default::default();
            for d in &all {
                writeln!(out, "{d}")?;
                if let Some(styled) = snippets {
                    let source = sources
                        .entry(d.path.as_str())
                        .or_insert_with(|| std::fs::read_to_string(vault.root.join(&d.path)).ok());
                    if let Some(text) = source
                        .as_deref()
                        .and_then(|s| diagnostic::snippet(d, s, styled))
                    {
                        writeln!(out, "{}", text.trim_end())?;
                    }
                }
            }
        }
    }
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
