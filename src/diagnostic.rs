//! Problems found in a user's files, collected as data so one bad note never stops the rest.

use serde::Serialize;
use std::fmt;

/// How much a diagnostic matters: errors make `check` and `build` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    /// The lower-case word printed in `path:line:col: severity: message`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One located problem: `path` is relative to the vault, with `/` separators; line and column
/// count from 1, the column in characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub severity: Severity,
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic at `path:line:column`.
    pub fn new(
        path: &str,
        line: usize,
        column: usize,
        severity: Severity,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            path: path.to_owned(),
            line: line.max(1),
            column: column.max(1),
            severity,
            message: message.into(),
        }
    }

    /// An error at `path:line:column`.
    pub fn error(path: &str, line: usize, column: usize, message: impl Into<String>) -> Self {
        Self::new(path, line, column, Severity::Error, message)
    }

    /// A warning at `path:line:column`.
    pub fn warning(path: &str, line: usize, column: usize, message: impl Into<String>) -> Self {
        Self::new(path, line, column, Severity::Warning, message)
    }

    /// Information at `path:line:column`.
    pub fn info(path: &str, line: usize, column: usize, message: impl Into<String>) -> Self {
        Self::new(path, line, column, Severity::Info, message)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.path, self.line, self.column, self.severity, self.message
        )
    }
}

/// Sorts diagnostics by file and position, so output is the same on every run.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (&a.path, a.line, a.column, a.severity, &a.message)
            .cmp(&(&b.path, b.line, b.column, b.severity, &b.message))
    });
}

/// Counts errors in a list of diagnostics.
pub fn error_count(diagnostics: &[Diagnostic]) -> usize {
    diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count()
}

/// The longest line shown under a diagnostic, in bytes: a longer one would be a screenful of
/// text for a single caret (and, for thousands of problems on it, that many screenfuls).
pub const MAX_SNIPPET_LINE: usize = 1000;

/// The source line a diagnostic points at (`line`, its line of the file, as
/// [`LineIndex::line`] gives it), with a caret under its column, rendered with
/// annotate-snippets (the `path:line:col` line itself is printed apart). `None` when the line
/// is too long to show.
pub fn snippet(diagnostic: &Diagnostic, line: &str, styled: bool) -> Option<String> {
    use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
    if line.len() > MAX_SNIPPET_LINE {
        return None;
    }
    let start = line
        .char_indices()
        .nth(diagnostic.column - 1)
        .map_or(line.len(), |(i, _)| i);
    let end = line[start..]
        .char_indices()
        .nth(1)
        .map_or(line.len(), |(i, _)| start + i);
    let level = match diagnostic.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    };
    let report = &[level.primary_title(diagnostic.message.as_str()).element(
        Snippet::source(line)
            .line_start(diagnostic.line)
            .path(diagnostic.path.as_str())
            .annotation(AnnotationKind::Primary.span(start..end)),
    )];
    let renderer = if styled {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let rendered = renderer.render(report);
    // The first line repeats the message of the `path:line:col` line above it.
    Some(
        rendered
            .split_once('\n')
            .map_or(rendered.clone(), |(_, rest)| rest.to_owned()),
    )
}

/// Maps byte offsets of a text to 1-based lines and character columns.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes the line starts of `text`.
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { text, starts }
    }

    /// Line `number` (1-based), without its line break, if the text has it.
    pub fn line(&self, number: usize) -> Option<&'a str> {
        let start = *self.starts.get(number.checked_sub(1)?)?;
        let end = self
            .starts
            .get(number)
            .map_or(self.text.len(), |next| next - 1);
        let line = self.text.get(start..end)?;
        Some(line.strip_suffix('\r').unwrap_or(line))
    }

    /// The 1-based line and character column of byte `offset` (of the character it falls in,
    /// if it falls inside one).
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let column = self.text[start..offset].chars().count();
        (line + 1, column + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters_from_one() {
        let index = LineIndex::new("ab\né x\n");
        assert_eq!(index.position(0), (1, 1));
        assert_eq!(index.position(3), (2, 1));
        // "é" is two bytes but one column.
        assert_eq!(index.position(6), (2, 3));
        assert_eq!(index.position(100), (3, 1));
        // An offset inside "é" is the position of "é".
        assert_eq!(index.position(4), (2, 1));
    }

    #[test]
    fn a_snippet_shows_the_line_with_a_caret_under_the_column() {
        let d = Diagnostic::error("n.md", 2, 7, "bad date");
        let source = LineIndex::new("---\ndate: 2026-13-01\n---\n");
        let text = snippet(&d, source.line(2).unwrap(), false).unwrap();
        assert!(text.contains("n.md:2:7"), "{text}");
        assert!(text.contains("2 | date: 2026-13-01"), "{text}");
        let caret = text.lines().find(|l| l.contains('^')).unwrap();
        assert_eq!(
            caret.find('^'),
            text.lines()
                .find(|l| l.contains("date:"))
                .unwrap()
                .find("2026")
        );
        assert!(LineIndex::new("one line").line(2).is_none());
        // A line too long to show gets none: the `path:line:col` line says where.
        assert!(snippet(&d, &"x".repeat(MAX_SNIPPET_LINE + 1), false).is_none());
    }

    #[test]
    fn displays_as_path_line_column() {
        let d = Diagnostic::error("1-1s/a.md", 3, 7, "bad date");
        assert_eq!(d.to_string(), "1-1s/a.md:3:7: error: bad date");
    }
}
