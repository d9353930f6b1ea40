//! Link resolution as Obsidian does it: a unique file name wins, else the path from the vault
//! root; case-insensitive; `#Heading`, `#H1#H2` and `#^block` fragments.

use crate::markdown::html::slugify_block;
use crate::slug::slugify;
use std::collections::HashMap;

/// Where a link points: a page or a file, with the fragment to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// A note, by its index, with an optional `#fragment` (without `#`).
    Note(usize, Option<String>),
    /// The current note's own heading or block.
    Here(String),
    /// An attachment, by its vault-relative path.
    Attachment(String),
}

/// Every link target of the published part of a vault.
#[derive(Debug, Default)]
pub struct LinkIndex {
    by_name: HashMap<String, Vec<usize>>,
    by_path: HashMap<String, usize>,
    note_paths: Vec<String>,
    attachments_by_name: HashMap<String, Vec<String>>,
    attachments_by_path: HashMap<String, String>,
}

fn key(text: &str) -> String {
    text.trim()
        .trim_start_matches("./")
        .trim_start_matches('/')
        .to_lowercase()
}

fn without_md(text: &str) -> &str {
    if text.len() > 3 && text[text.len() - 3..].eq_ignore_ascii_case(".md") {
        &text[..text.len() - 3]
    } else {
        text
    }
}

/// Joins a relative path to a folder, resolving `.` and `..`.
fn join(folder: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = folder.split('/').filter(|p| !p.is_empty()).collect();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// What a link names after its last `#`, as written: `Note#Goals#Q1` names `Q1`, and
/// `Note#^budget` names `^budget`; `None` when it names no heading or block.
pub fn fragment(target: &str) -> Option<&str> {
    let target = target.split('|').next().unwrap_or(target);
    let (_, fragment) = target.split_once('#')?;
    Some(
        fragment
            .rsplit('#')
            .find(|part| !part.trim().is_empty())?
            .trim(),
    )
}

impl LinkIndex {
    /// Indexes notes (vault-relative paths, by index) and attachments.
    pub fn new<'a>(notes: impl IntoIterator<Item = &'a str>, attachments: &[String]) -> Self {
        let mut index = LinkIndex::default();
        for (i, path) in notes.into_iter().enumerate() {
            let stem = without_md(path);
            let name = stem.rsplit('/').next().unwrap_or(stem);
            index.by_name.entry(key(name)).or_default().push(i);
            index.by_path.insert(key(stem), i);
            index.note_paths.push(path.to_owned());
        }
        for path in attachments {
            let name = path.rsplit('/').next().unwrap_or(path);
            index
                .attachments_by_name
                .entry(key(name))
                .or_default()
                .push(path.clone());
            index.attachments_by_path.insert(key(path), path.clone());
        }
        index
    }

    /// Resolves a link written in the note at `from` (vault-relative path). `wikilink` links
    /// match by name first; Markdown links are relative to the note's folder first.
    pub fn resolve(&self, target: &str, from: &str, wikilink: bool) -> Option<Link> {
        let target = target.split('|').next().unwrap_or(target).trim();
        let path = target
            .split_once('#')
            .map_or(target, |(path, _)| path.trim());
        let fragment = fragment(target).map(|last| match last.strip_prefix('^') {
            Some(block) => format!("block-{}", slugify_block(block)),
            None => slugify(last),
        });
        if path.is_empty() {
            return fragment.map(Link::Here);
        }
        let folder = from.rsplit_once('/').map_or("", |(folder, _)| folder);
        if let Some(note) = self.note(path, folder, wikilink) {
            return Some(Link::Note(note, fragment));
        }
        self.attachment(path, folder).map(Link::Attachment)
    }

    fn note(&self, path: &str, folder: &str, wikilink: bool) -> Option<usize> {
        let stem = without_md(path);
        let relative = key(&join(folder, stem));
        let from_root = key(stem);
        if !wikilink {
            if let Some(&i) = self.by_path.get(&relative) {
                return Some(i);
            }
        }
        if !stem.contains('/') {
            if let Some(candidates) = self.by_name.get(&from_root) {
                return self.closest(candidates, folder);
            }
        }
        self.by_path
            .get(&from_root)
            .or_else(|| self.by_path.get(&relative))
            .copied()
    }

    /// Of several notes of one name: the one in the linking note's folder, else the shortest
    /// path, else the first in path order.
    fn closest(&self, candidates: &[usize], folder: &str) -> Option<usize> {
        candidates.iter().copied().min_by_key(|&i| {
            let path = &self.note_paths[i];
            let here = path.rsplit_once('/').map_or("", |(f, _)| f) == folder;
            (!here, path.len(), path.clone())
        })
    }

    fn attachment(&self, path: &str, folder: &str) -> Option<String> {
        if let Some(found) = self.attachments_by_path.get(&key(&join(folder, path))) {
            return Some(found.clone());
        }
        if let Some(found) = self.attachments_by_path.get(&key(path)) {
            return Some(found.clone());
        }
        let name = path.rsplit('/').next().unwrap_or(path);
        self.attachments_by_name
            .get(&key(name))
            .and_then(|list| list.iter().min_by_key(|p| (p.len(), (*p).clone())))
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> LinkIndex {
        LinkIndex::new(
            [
                "1-1s/2026-11-20 Dana.md",
                "people/Dana Whitaker.md",
                "notes/Plan.md",
                "archive/Plan.md",
                "archive/old/Plan.md",
            ],
            &["assets/Photo.PNG".to_owned()],
        )
    }

    #[test]
    fn names_match_case_insensitively() {
        let i = index();
        assert_eq!(
            i.resolve("dana whitaker", "x.md", true),
            Some(Link::Note(1, None))
        );
        assert_eq!(
            i.resolve("Dana Whitaker.md", "x.md", true),
            Some(Link::Note(1, None))
        );
        assert_eq!(
            i.resolve("PEOPLE/dana whitaker", "x.md", true),
            Some(Link::Note(1, None))
        );
    }

    #[test]
    fn fragments_name_headings_and_blocks() {
        let i = index();
        assert_eq!(
            i.resolve("Dana Whitaker#Working style#How she decides", "x.md", true),
            Some(Link::Note(1, Some("how-she-decides".into())))
        );
        assert_eq!(
            i.resolve("2026-11-20 Dana#^Budget", "x.md", true),
            Some(Link::Note(0, Some("block-budget".into())))
        );
        assert_eq!(
            i.resolve("#Wins", "x.md", true),
            Some(Link::Here("wins".into()))
        );
    }

    #[test]
    fn an_ambiguous_name_prefers_the_same_folder_then_the_shortest_path() {
        let i = index();
        assert_eq!(
            i.resolve("Plan", "archive/x.md", true),
            Some(Link::Note(3, None))
        );
        assert_eq!(
            i.resolve("Plan", "1-1s/x.md", true),
            Some(Link::Note(2, None))
        );
        assert_eq!(
            i.resolve("archive/old/Plan", "1-1s/x.md", true),
            Some(Link::Note(4, None))
        );
    }

    #[test]
    fn markdown_links_are_relative_to_the_note() {
        let i = index();
        assert_eq!(
            i.resolve(
                "../people/Dana%20Whitaker.md".replace("%20", " ").as_str(),
                "1-1s/a.md",
                false
            ),
            Some(Link::Note(1, None))
        );
        assert_eq!(
            i.resolve("old/Plan.md", "archive/a.md", false),
            Some(Link::Note(4, None))
        );
    }

    #[test]
    fn attachments_resolve_by_name_or_path() {
        let i = index();
        assert_eq!(
            i.resolve("photo.png", "x.md", true),
            Some(Link::Attachment("assets/Photo.PNG".into()))
        );
        assert_eq!(i.resolve("nothing", "x.md", true), None);
    }
}
