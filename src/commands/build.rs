//! `upward build`: the site, with the vault's problems on stderr and a one-line summary.

use crate::commands::check;
use crate::date;
use crate::diagnostic::{self, Severity};
use crate::error::Result;
use crate::model::Model;
use crate::site;
use crate::vault::Vault;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

/// Builds the site into `out` (default: the vault's output folder); prints the problems and a
/// summary to `err`, with the time since `started` (when the vault began to be read); returns
/// whether any note had an error.
pub fn run(
    vault: Vault,
    model: Model,
    out: Option<PathBuf>,
    force: bool,
    started: Instant,
    err: &mut dyn Write,
) -> Result<bool> {
    let diagnostics = check::diagnostics(&vault, &model);
    // Buffered: standard error writes each piece of a line as it comes, and a vault of
    // thousands of problems would spend a second on that alone.
    let mut problems = std::io::BufWriter::new(&mut *err);
    for d in diagnostics.iter().filter(|d| d.severity != Severity::Info) {
        let _ = writeln!(problems, "{d}");
    }
    let _ = problems.flush();
    drop(problems);
    let errors = diagnostic::error_count(&diagnostics);
    crate::timing::phase("diagnostics");
    let out = out.unwrap_or_else(|| vault.root.join(&vault.config.output));
    let report = site::build_with(
        vault,
        Some(model),
        date::today(),
        &site::Options {
            out: out.clone(),
            force,
            provenance: None,
        },
    )?;
    crate::timing::phase("free the site");
    let _ = writeln!(
        err,
        "built {} files into {} in {} ms: {} pages rendered, {} written, {} unchanged, {} removed{}",
        report.files,
        out.display(),
        started.elapsed().as_millis(),
        report.rendered,
        report.output.written,
        report.output.unchanged,
        report.output.removed,
        match errors {
            0 => String::new(),
            1 => "; 1 error".to_owned(),
            n => format!("; {n} errors"),
        }
    );
    Ok(errors > 0)
}
