//! Errors that end a command. Problems inside notes are diagnostics, not errors.

use crate::diagnostic::Diagnostic;
use std::path::PathBuf;

/// Why a command could not do its job; each names the file it is about.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} already exists; it was left untouched", path.display())]
    Exists { path: PathBuf },
    #[error("{path}:{line}: error: {message}")]
    Template {
        path: String,
        line: usize,
        message: String,
    },
    #[error("no template named `{name}` (available: {})", available.join(", "))]
    UnknownTemplate {
        name: String,
        available: Vec<String>,
    },
    #[error(
        "no person to meet: the vault has no 1:1 with a `with` property yet; pass --with PERSON"
    )]
    NoPerson,
    #[error(
        "the template {template} gives a note that does not check:\n{}",
        diagnostics.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
    )]
    InvalidNote {
        template: String,
        diagnostics: Vec<Diagnostic>,
    },
    #[error("{0}")]
    Invalid(String),
}

impl Error {
    /// An I/O error about `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// The result of a command.
pub type Result<T, E = Error> = std::result::Result<T, E>;
