//! `upward init`: a new vault (settings, templates, meetings folder, `.gitignore`), or a copy of
//! the sample vault to try. Never replaces a file.

use crate::config::Config;
use crate::error::{Error, Result};
use crate::template;
use crate::write;
use std::path::Path;

include!(concat!(env!("OUT_DIR"), "/sample_vault.rs"));

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Created(String),
    /// It existed and was left as it was.
    Skipped(String),
}

/// The files of a new vault, vault-relative, with their contents.
pub fn vault_files() -> Vec<(String, String)> {
    let config = Config::default();
    let mut files = vec![
        (
            "upward.yaml".to_owned(),
            template::builtin("upward.yaml")
                .unwrap_or_default()
                .to_owned(),
        ),
        (
            ".gitignore".to_owned(),
            format!("# The site upward builds\n/{}/\n", config.output),
        ),
    ];
    for name in template::NOTE_TEMPLATES {
        let file = format!("{name}.md");
        let text = template::builtin(&file).unwrap_or_default();
        files.push((format!("{}/{file}", config.templates), text.to_owned()));
    }
    files.push((
        format!("{}/{}", config.templates, crate::questions::FILE_NAME),
        template::builtin(crate::questions::FILE_NAME)
            .unwrap_or_default()
            .to_owned(),
    ));
    files
}

fn create_all<'a>(
    dir: &Path,
    files: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> Result<Vec<Outcome>> {
    let mut outcomes = Vec::new();
    for (rel, contents) in files {
        match write::create_new(&dir.join(rel), contents) {
            Ok(()) => outcomes.push(Outcome::Created(rel.to_owned())),
            Err(Error::Exists { .. }) => outcomes.push(Outcome::Skipped(rel.to_owned())),
            Err(error) => return Err(error),
        }
    }
    Ok(outcomes)
}

/// Writes a new vault into `dir`.
pub fn init(dir: &Path) -> Result<Vec<Outcome>> {
    let files = vault_files();
    let mut outcomes = create_all(dir, files.iter().map(|(p, t)| (p.as_str(), t.as_bytes())))?;
    let meetings = Config::default().meetings;
    let folder = dir.join(&meetings);
    if folder.is_dir() {
        outcomes.push(Outcome::Skipped(format!("{meetings}/")));
    } else {
        std::fs::create_dir_all(&folder).map_err(|e| Error::io(&folder, e))?;
        outcomes.push(Outcome::Created(format!("{meetings}/")));
    }
    Ok(outcomes)
}

/// Writes a new vault (or, with `example`, the sample vault) into `dir` and says what it did.
pub fn run(dir: &Path, example: bool, out: &mut dyn std::io::Write) -> Result<()> {
    let outcomes = if example {
        self::example(dir)?
    } else {
        init(dir)?
    };
    for outcome in outcomes {
        let line = match outcome {
            Outcome::Created(path) => format!("created {}", dir.join(path).display()),
            Outcome::Skipped(path) => format!(
                "skipped {} (it exists; left as it was)",
                dir.join(path).display()
            ),
        };
        writeln!(out, "{line}").map_err(|e| Error::io("stdout", e))?;
    }
    Ok(())
}

/// Writes a copy of the sample vault into `dir`.
pub fn example(dir: &Path) -> Result<Vec<Outcome>> {
    create_all(dir, SAMPLE_VAULT.iter().copied())
}
