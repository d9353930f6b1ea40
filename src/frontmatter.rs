//! The properties block at the top of a note, read the way Obsidian reads it: a `---` line on
//! line 1, YAML, and a closing `---` (or `...`) line.

use crate::date::{self, Date};
use crate::diagnostic::Diagnostic;
use crate::yaml;
use serde_json::{Map, Value};

/// A note split into its properties block and body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML between the fences, if the note has a closed properties block.
    pub yaml: Option<&'a str>,
    /// The 1-based file line of the first YAML line.
    pub yaml_line: usize,
    /// Everything after the closing fence.
    pub body: &'a str,
    /// The byte offset of the body in the text.
    pub body_offset: usize,
    /// A `---` on line 1 that is never closed.
    pub unclosed: bool,
}

fn is_fence(line: &str, closers: &[&str]) -> bool {
    let line = line.strip_suffix('\n').unwrap_or(line);
    let line = line.strip_suffix('\r').unwrap_or(line);
    let line = line.trim_end_matches([' ', '\t']);
    closers.contains(&line)
}

/// Splits `text` (without a byte-order mark) into properties and body.
pub fn split(text: &str) -> Split<'_> {
    let no_block = Split {
        yaml: None,
        yaml_line: 1,
        body: text,
        body_offset: 0,
        unclosed: false,
    };
    let mut lines = text.split_inclusive('\n');
    let Some(first) = lines.next() else {
        return no_block;
    };
    if !is_fence(first, &["---"]) || !first.ends_with('\n') {
        return no_block;
    }
    let yaml_start = first.len();
    let mut offset = yaml_start;
    for line in lines {
        if is_fence(line, &["---", "..."]) {
            return Split {
                yaml: Some(&text[yaml_start..offset]),
                yaml_line: 2,
                body: &text[offset + line.len()..],
                body_offset: offset + line.len(),
                unclosed: false,
            };
        }
        offset += line.len();
    }
    Split {
        unclosed: true,
        ..no_block
    }
}

/// A date-valued property: missing, a real date, or text that is not one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DateProperty {
    #[default]
    Missing,
    Valid(Date),
    Invalid(String),
}

impl DateProperty {
    /// The date, when it is a valid one.
    pub fn date(&self) -> Option<Date> {
        match self {
            DateProperty::Valid(date) => Some(*date),
            _ => None,
        }
    }
}

/// Keys of Obsidian Publish that set something of a note's page (its address, description,
/// classes) and are not shown on it as properties, links and all.
pub const PUBLISHING_KEYS: [&str; 4] = ["description", "cssclasses", "cssclass", "permalink"];

/// The typed properties of a note; every key upward does not interpret is kept in `extra`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Properties {
    /// `type`: `one-on-one`, `rubber-duck`, `skip-level`, or anything else.
    pub kind: Option<String>,
    pub date: DateProperty,
    /// `with`: the people of a meeting, wikilinks reduced to the note name.
    pub with: Vec<String>,
    pub template: Option<String>,
    pub recap_sent: Option<Date>,
    /// `tags` (and the older `tag`), without `#`.
    pub tags: Vec<String>,
    pub aliases: Vec<String>,
    /// `publish`, with string booleans read as booleans.
    pub publish: Option<bool>,
    /// `draft: true`, as Quartz users write it.
    pub draft: bool,
    /// Every other key, in file order.
    pub extra: Map<String, Value>,
    /// The 1-based file line of each key.
    pub lines: Vec<(String, usize)>,
    /// The block could not be read (invalid YAML, not a mapping, never closed); the error is
    /// already reported.
    pub unreadable: bool,
}

impl Properties {
    /// The file line of `key`, or the first line of the block.
    pub fn line_of(&self, key: &str) -> Option<usize> {
        self.lines.iter().find(|(k, _)| k == key).map(|(_, l)| *l)
    }
}

/// Reads the properties of a note at `path` from its YAML, adding a diagnostic for each
/// problem. Invalid YAML gives a note without properties, as Obsidian shows it.
pub fn parse(path: &str, split: &Split<'_>, diagnostics: &mut Vec<Diagnostic>) -> Properties {
    let unreadable = Properties {
        unreadable: true,
        ..Properties::default()
    };
    if split.unclosed {
        diagnostics.push(Diagnostic::error(
            path,
            1,
            1,
            "the properties block opened on this line is never closed by a `---` line; \
             the note is read without properties",
        ));
        return unreadable;
    }
    let Some(text) = split.yaml else {
        return Properties::default();
    };
    let offset = split.yaml_line - 1;
    let value = match yaml::parse(text) {
        Ok(value) => value,
        Err(error) => {
            diagnostics.push(Diagnostic::error(
                path,
                error.line + offset,
                error.column,
                format!("invalid YAML in properties: {}", error.message),
            ));
            return unreadable;
        }
    };
    let lines: Vec<(String, usize)> = yaml::key_lines(text)
        .into_iter()
        .map(|(key, line)| (key, line + offset))
        .collect();
    let map = match value {
        Value::Object(map) => map,
        Value::Null => Map::new(),
        other => {
            diagnostics.push(Diagnostic::error(
                path,
                split.yaml_line,
                1,
                format!(
                    "properties must be a mapping of `key: value` lines, not {}",
                    describe(&other)
                ),
            ));
            return unreadable;
        }
    };
    let mut reader = Reader {
        path,
        lines: &lines,
        first_line: split.yaml_line,
        yaml: text,
        diagnostics,
    };
    let mut properties = Properties::default();
    for (key, value) in map {
        reader.warn_unquoted_link(&key, &value);
        match key.as_str() {
            "type" => properties.kind = reader.text(&key, &value),
            "date" => properties.date = reader.date(&value),
            "with" => properties.with = reader.links(&key, &value),
            "template" => properties.template = reader.text(&key, &value),
            "recap_sent" => {
                properties.recap_sent = match reader.date(&value) {
                    DateProperty::Valid(date) => Some(date),
                    DateProperty::Invalid(text) => {
                        reader.warn(
                            &key,
                            format!("`recap_sent: {text}` is not a date (YYYY-MM-DD)"),
                        );
                        None
                    }
                    DateProperty::Missing => None,
                }
            }
            "tags" | "tag" => properties.tags.extend(reader.tags(&key, &value)),
            "aliases" | "alias" => properties.aliases.extend(reader.list(&key, &value)),
            "publish" => properties.publish = reader.boolean(&key, &value),
            "draft" => properties.draft = reader.boolean(&key, &value).unwrap_or(false),
            _ => {
                properties.extra.insert(key, value);
            }
        }
    }
    properties.lines = lines;
    properties
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a single text value",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// `[[Note]]` written without quotes: YAML reads it as a list holding a list.
fn unquoted_link(value: &Value) -> Option<String> {
    let Value::Array(outer) = value else {
        return None;
    };
    let [Value::Array(inner)] = outer.as_slice() else {
        return None;
    };
    let [Value::String(name)] = inner.as_slice() else {
        return None;
    };
    Some(name.clone())
}

/// The note name a wikilink or plain name stands for: `[[people/Dana|D]]` gives `Dana`.
pub fn link_name(text: &str) -> String {
    let text = text.trim();
    let inner = text
        .strip_prefix("[[")
        .and_then(|t| t.strip_suffix("]]"))
        .unwrap_or(text);
    let target = inner.split('|').next().unwrap_or(inner);
    let target = target.split('#').next().unwrap_or(target);
    let name = target.rsplit('/').next().unwrap_or(target);
    name.strip_suffix(".md").unwrap_or(name).trim().to_owned()
}

struct Reader<'a> {
    path: &'a str,
    lines: &'a [(String, usize)],
    first_line: usize,
    yaml: &'a str,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl Reader<'_> {
    fn line(&self, key: &str) -> usize {
        self.lines
            .iter()
            .find(|(k, _)| k == key)
            .map_or(self.first_line, |(_, l)| *l)
    }

    fn warn(&mut self, key: &str, message: String) {
        let line = self.line(key);
        self.diagnostics
            .push(Diagnostic::warning(self.path, line, 1, message));
    }

    fn warn_unquoted_link(&mut self, key: &str, value: &Value) {
        let links: Vec<String> = match value {
            Value::Array(items) => unquoted_link(value)
                .into_iter()
                .chain(items.iter().filter_map(unquoted_link))
                .collect(),
            _ => Vec::new(),
        };
        if let Some(name) = links.first() {
            self.warn(
                key,
                format!(
                    "unquoted wikilink in `{key}`: YAML reads [[{name}]] as a nested list; \
                     write `{key}: \"[[{name}]]\"`"
                ),
            );
        }
    }

    fn text(&mut self, key: &str, value: &Value) -> Option<String> {
        match value {
            Value::String(s) => Some(s.trim().to_owned()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null => None,
            other => {
                self.warn(
                    key,
                    format!(
                        "`{key}` should be a single text value, not {}",
                        describe(other)
                    ),
                );
                None
            }
        }
    }

    fn date(&self, value: &Value) -> DateProperty {
        match value {
            Value::Null => DateProperty::Missing,
            Value::String(s) => match date::parse(s) {
                Some(d) => DateProperty::Valid(d),
                None => DateProperty::Invalid(s.clone()),
            },
            Value::Number(n) => DateProperty::Invalid(n.to_string()),
            other => DateProperty::Invalid(describe(other).to_owned()),
        }
    }

    fn list(&mut self, key: &str, value: &Value) -> Vec<String> {
        if let Some(name) = unquoted_link(value) {
            return vec![format!("[[{name}]]")];
        }
        match value {
            Value::Null => Vec::new(),
            Value::Array(items) => items
                .iter()
                .filter_map(|item| match item {
                    Value::String(s) => Some(s.trim().to_owned()),
                    Value::Number(n) => Some(n.to_string()),
                    Value::Bool(b) => Some(b.to_string()),
                    Value::Array(_) => unquoted_link(item).map(|name| format!("[[{name}]]")),
                    _ => None,
                })
                .filter(|s| !s.is_empty())
                .collect(),
            Value::String(s) => vec![s.trim().to_owned()],
            Value::Number(n) => vec![n.to_string()],
            other => {
                self.warn(
                    key,
                    format!("`{key}` should be a list, not {}", describe(other)),
                );
                Vec::new()
            }
        }
    }

    fn links(&mut self, key: &str, value: &Value) -> Vec<String> {
        if let Some(name) = unquoted_link(value) {
            return vec![link_name(&name)];
        }
        self.list(key, value)
            .iter()
            .map(|item| link_name(item))
            .filter(|name| !name.is_empty())
            .collect()
    }

    fn tags(&mut self, key: &str, value: &Value) -> Vec<String> {
        if value.is_null() {
            let line = self.line(key);
            let raw = self
                .yaml
                .lines()
                .nth(line - self.first_line)
                .unwrap_or_default();
            if raw.contains('#') {
                self.warn(
                    key,
                    format!(
                        "`{key}` is empty: YAML reads `#` as the start of a comment; \
                         write the tags without `#`, as a list: `{key}: [one-on-one]`"
                    ),
                );
            }
            return Vec::new();
        }
        let items = match value {
            Value::String(s) => s.split([',', ' ']).map(str::to_owned).collect::<Vec<_>>(),
            _ => self.list(key, value),
        };
        items
            .into_iter()
            .map(|t| t.trim().trim_start_matches('#').to_owned())
            .filter(|t| !t.is_empty())
            .collect()
    }

    fn boolean(&mut self, key: &str, value: &Value) -> Option<bool> {
        let parsed = match value {
            Value::Bool(b) => Some(*b),
            Value::Null => return None,
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" => Some(true),
                "false" | "no" | "off" => Some(false),
                _ => None,
            },
            _ => None,
        };
        if parsed.is_none() {
            self.warn(
                key,
                format!("`{key}` should be true or false; it is read as false"),
            );
            return Some(false);
        }
        parsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Properties, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let split = split(text);
        let properties = parse("n.md", &split, &mut diagnostics);
        (properties, diagnostics)
    }

    #[test]
    fn the_block_must_start_on_line_one() {
        let text = "\n---\ntype: x\n---\nbody";
        assert_eq!(split(text).yaml, None);
        let text = "---  \ntype: x\n---   \nbody\n";
        let s = split(text);
        assert_eq!(s.yaml, Some("type: x\n"));
        assert_eq!(s.body, "body\n");
    }

    #[test]
    fn crlf_and_dots_close_the_block() {
        let s = split("---\r\na: 1\r\n...\r\nbody");
        assert_eq!(s.yaml, Some("a: 1\r\n"));
        assert_eq!(s.body, "body");
        assert_eq!(&"---\r\na: 1\r\n...\r\nbody"[s.body_offset..], "body");
    }

    #[test]
    fn an_unclosed_block_keeps_the_whole_body_and_is_an_error() {
        let text = "---\ntype: x\nfirst line\n";
        let s = split(text);
        assert!(s.unclosed);
        assert_eq!(s.body, text);
        let (_, diagnostics) = read(text);
        assert_eq!(diagnostics.len(), 1);
        assert!(diagnostics[0].message.contains("never closed"));
    }

    #[test]
    fn yaml_errors_are_reported_at_the_file_line() {
        let (properties, diagnostics) = read("---\ntype: one-on-one\ndate: [2026\n---\nbody\n");
        assert!(properties.unreadable);
        assert_eq!(properties.kind, None);
        assert_eq!(diagnostics.len(), 1);
        assert!(diagnostics[0].line >= 3, "{diagnostics:?}");
        assert!(diagnostics[0].message.starts_with("invalid YAML"));
    }

    #[test]
    fn quoted_and_unquoted_links_give_the_person() {
        let (p, d) = read("---\nwith: \"[[people/Dana Whitaker|Dana]]\"\n---\n");
        assert_eq!(p.with, ["Dana Whitaker"]);
        assert!(d.is_empty());
        let (p, d) = read("---\nwith: [[Dana Whitaker]]\n---\n");
        assert_eq!(p.with, ["Dana Whitaker"]);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].line, 2);
        assert!(d[0].message.contains("unquoted wikilink"), "{d:?}");
    }

    #[test]
    fn a_hash_tag_in_yaml_is_a_comment_and_a_warning() {
        let (p, d) = read("---\ntags: #one-on-one\n---\n");
        assert!(p.tags.is_empty());
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("comment"));
    }

    #[test]
    fn string_booleans_are_booleans() {
        let (p, d) = read("---\npublish: \"false\"\n---\n");
        assert_eq!(p.publish, Some(false));
        assert!(d.is_empty());
        let (p, d) = read("---\npublish: maybe\n---\n");
        assert_eq!(p.publish, Some(false));
        assert_eq!(d.len(), 1);
    }

    #[test]
    fn unknown_keys_are_kept_in_order() {
        let (p, d) = read("---\nzeta: 1\nmood: good\nalpha: [a, b]\n---\n");
        assert!(d.is_empty());
        let keys: Vec<_> = p.extra.keys().map(String::as_str).collect();
        assert_eq!(keys, ["zeta", "mood", "alpha"]);
    }

    #[test]
    fn dates_and_date_times_are_read() {
        let (p, _) = read("---\ndate: 2026-11-20T09:30:00\nrecap_sent: 2026-11-21\n---\n");
        assert_eq!(p.date.date(), date::parse("2026-11-20"));
        assert_eq!(p.recap_sent, date::parse("2026-11-21"));
        let (p, _) = read("---\ndate: 2026-02-30\n---\n");
        assert_eq!(p.date, DateProperty::Invalid("2026-02-30".into()));
    }

    #[test]
    fn a_list_is_not_a_mapping() {
        let (_, d) = read("---\n- a\n- b\n---\n");
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("not a list"), "{d:?}");
    }

    #[test]
    fn tags_accept_lists_and_strings() {
        let (p, _) = read("---\ntags: [one-on-one, \"#growth\"]\ntag: solo\n---\n");
        assert_eq!(p.tags, ["one-on-one", "growth", "solo"]);
        let (p, _) = read("---\ntags: a, b\n---\n");
        assert_eq!(p.tags, ["a", "b"]);
    }
}
