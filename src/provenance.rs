//! Git provenance: when each note and each block ID was first committed, read from the
//! history in one `git log` call. A record of when a request was made that the writer cannot
//! quietly backdate. Without git, or outside a repository, there is simply none.

use crate::date::{self, Date};
use crate::task;
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

/// A commit: its hash and commit date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub hash: String,
    /// The commit date, `YYYY-MM-DD`.
    pub date: Date,
}

impl Commit {
    /// The abbreviated hash shown on pages.
    pub fn short(&self) -> &str {
        &self.hash[..self.hash.len().min(10)]
    }
}

/// First commits of the notes (by vault-relative path) and block IDs of a vault.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Provenance {
    pub notes: HashMap<String, Commit>,
    pub blocks: HashMap<String, Commit>,
}

impl Provenance {
    /// Reads the history of the repository holding `vault`; empty when there is none.
    pub fn read(vault: &Path) -> Provenance {
        // One call for the whole history, oldest first, with only the lines each commit added.
        let output = Command::new("git")
            .arg("-C")
            .arg(vault)
            .args([
                "-c",
                "core.quotePath=false",
                "log",
                "--reverse",
                "--no-color",
                "--no-renames",
                "--no-ext-diff",
                "--relative",
                "--unified=0",
                "--format=%x01%H %cI",
                "-p",
                "--",
                ".",
            ])
            .env("GIT_OPTIONAL_LOCKS", "0")
            .output();
        match output {
            Ok(output) if output.status.success() => {
                parse(&String::from_utf8_lossy(&output.stdout))
            }
            _ => Provenance::default(),
        }
    }

    /// The first commit of a note.
    pub fn note(&self, path: &str) -> Option<&Commit> {
        self.notes.get(path)
    }

    /// The first commit that wrote a block ID (`^id`) into any note.
    pub fn block(&self, id: &str) -> Option<&Commit> {
        self.blocks.get(id)
    }

    /// Whether there is any history at all.
    pub fn is_empty(&self) -> bool {
        self.notes.is_empty()
    }
}

/// Provenance kept between builds (by `watch`), read again only when the repository's
/// `HEAD` moves: a save does not change the history, a commit does.
#[derive(Debug, Default)]
pub struct Cached {
    head: Option<String>,
    provenance: Option<std::sync::Arc<Provenance>>,
}

/// The commit the vault's history is at, if it is a git repository with one.
pub fn head(vault: &Path) -> Option<String> {
    Command::new("git")
        .arg("-C")
        .arg(vault)
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
}

impl Cached {
    /// The provenance of the vault's history at `head` (see [`head`]): read again only when
    /// the history moved.
    pub fn at(&mut self, vault: &Path, head: Option<String>) -> std::sync::Arc<Provenance> {
        match &self.provenance {
            Some(known) if head == self.head => std::sync::Arc::clone(known),
            _ => {
                let read = std::sync::Arc::new(Provenance::read(vault));
                self.head = head;
                self.provenance = Some(std::sync::Arc::clone(&read));
                read
            }
        }
    }
}

/// A path of a diff header: `b/path`, maybe quoted with C escapes, maybe followed by a tab.
fn header_path(text: &str) -> String {
    let text = text.trim_end_matches(['\t', '\r']);
    let unquoted = match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) => {
            let mut out = Vec::new();
            let mut bytes = inner.bytes().peekable();
            while let Some(b) = bytes.next() {
                if b != b'\\' {
                    out.push(b);
                    continue;
                }
                match bytes.next() {
                    Some(b'n') => out.push(b'\n'),
                    Some(b't') => out.push(b'\t'),
                    Some(d @ b'0'..=b'7') => {
                        let mut value = u32::from(d - b'0');
                        for _ in 0..2 {
                            if let Some(&n @ b'0'..=b'7') = bytes.peek() {
                                value = value * 8 + u32::from(n - b'0');
                                bytes.next();
                            }
                        }
                        out.push(value as u8);
                    }
                    Some(other) => out.push(other),
                    None => {}
                }
            }
            String::from_utf8_lossy(&out).into_owned()
        }
        None => text.to_owned(),
    };
    unquoted.strip_prefix("b/").unwrap_or(&unquoted).to_owned()
}

/// Reads `git log --reverse -p --format=%x01%H %cI` output.
pub fn parse(log: &str) -> Provenance {
    let mut provenance = Provenance::default();
    let mut commit: Option<Commit> = None;
    let mut file: Option<String> = None;
    let mut added_file = false;
    for line in log.lines() {
        if let Some(header) = line.strip_prefix('\u{1}') {
            let (hash, when) = header.split_once(' ').unwrap_or((header, ""));
            commit = date::parse(when).map(|date| Commit {
                hash: hash.to_owned(),
                date,
            });
            file = None;
            continue;
        }
        let Some(current) = commit.as_ref() else {
            continue;
        };
        if line.starts_with("diff --git ") {
            file = None;
            added_file = false;
        } else if line == "--- /dev/null" {
            added_file = true;
        } else if let Some(path) = line.strip_prefix("+++ ") {
            let path = header_path(path);
            let is_note = path.to_ascii_lowercase().ends_with(".md");
            if is_note && added_file {
                provenance
                    .notes
                    .entry(path.clone())
                    .or_insert_with(|| current.clone());
            }
            file = is_note.then_some(path);
        } else if let Some(added) = line.strip_prefix('+') {
            if file.is_some() {
                if let Some((_, id)) = task::block_id(added.trim()) {
                    provenance
                        .blocks
                        .entry(id.to_owned())
                        .or_insert_with(|| current.clone());
                }
            }
        }
    }
    provenance
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_commits_of_notes_and_blocks_come_from_one_log() {
        let log = "\u{1}aaaa 2026-11-01T10:00:00+01:00\n\ndiff --git a/1-1s/a b.md b/1-1s/a b.md\nnew file mode 100644\n--- /dev/null\n+++ b/1-1s/a b.md\t\n@@ -0,0 +1,2 @@\n+## Help\n+- [ ] Budget ^budget\n\
\u{1}bbbb 2026-11-08T10:00:00+00:00\n\ndiff --git a/1-1s/a b.md b/1-1s/a b.md\n--- a/1-1s/a b.md\t\n+++ b/1-1s/a b.md\t\n@@ -2,0 +3 @@\n+- [ ] Laptop ^laptop\n\
diff --git a/\"1-1s/caf\\303\\251.md\" b/\"1-1s/caf\\303\\251.md\"\nnew file mode 100644\n--- /dev/null\n+++ \"b/1-1s/caf\\303\\251.md\"\n@@ -0,0 +1 @@\n+- [ ] Budget again ^budget\n";
        let p = parse(log);
        assert_eq!(p.note("1-1s/a b.md").unwrap().hash, "aaaa");
        assert_eq!(p.note("1-1s/café.md").unwrap().hash, "bbbb");
        assert_eq!(p.block("budget").unwrap().hash, "aaaa");
        assert_eq!(
            p.block("laptop").unwrap().date,
            date::parse("2026-11-08").unwrap()
        );
    }

    #[test]
    fn outside_a_repository_there_is_none() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Provenance::read(dir.path()).is_empty());
    }
}
