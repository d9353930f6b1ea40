//! `upward.yaml`: the vault's settings. Every key is optional.

use crate::diagnostic::Diagnostic;
use crate::yaml;
use serde::Deserialize;
use serde_json::Value;
use std::path::Path;

/// The name of the settings file at the vault root.
pub const FILE_NAME: &str = "upward.yaml";

/// The kinds of item a section heading can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Wins,
    Loves,
    Frustrations,
    Learning,
    Priorities,
    Requests,
    FollowUps,
    TopOfMind,
    Outcomes,
}

impl Kind {
    /// Every kind, in the order the site lists them.
    pub const ALL: [Kind; 9] = [
        Kind::Wins,
        Kind::Loves,
        Kind::Frustrations,
        Kind::Learning,
        Kind::Priorities,
        Kind::Requests,
        Kind::FollowUps,
        Kind::TopOfMind,
        Kind::Outcomes,
    ];

    /// The name used in `upward.yaml` and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Wins => "wins",
            Kind::Loves => "loves",
            Kind::Frustrations => "frustrations",
            Kind::Learning => "learning",
            Kind::Priorities => "priorities",
            Kind::Requests => "requests",
            Kind::FollowUps => "follow-ups",
            Kind::TopOfMind => "top-of-mind",
            Kind::Outcomes => "outcomes",
        }
    }

    /// The kind with this name.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// Requests and follow-ups are tracked across notes as task items.
    pub fn is_tracked(self) -> bool {
        matches!(self, Kind::Requests | Kind::FollowUps)
    }
}

/// The headings each kind is recognised by, beyond any the vault adds. A heading matches when,
/// lower-cased and with punctuation removed, it is one of these or starts with one as a word.
pub const DEFAULT_HEADINGS: &[(Kind, &[&str])] = &[
    (
        Kind::Wins,
        &[
            "wins",
            "recent wins",
            "wins and completions",
            "completions",
            "accomplishments",
            "what i shipped",
            "shipped",
            "what did you get done",
            "what went well",
        ],
    ),
    (
        Kind::Loves,
        &[
            "what did you love",
            "what did i love",
            "loves",
            "what i loved",
            "what energized",
            "what gave you energy",
            "what was the best part",
            "best part",
            "highlights",
        ],
    ),
    (
        Kind::Frustrations,
        &[
            "what was the most frustrating",
            "what frustrated",
            "frustrations",
            "frustrating",
            "what drained",
            "what got in your way",
            "what got in my way",
            "lowlights",
        ],
    ),
    (
        Kind::Learning,
        &[
            "what are you learning",
            "what am i learning",
            "learning",
            "what i learned",
            "what did you learn",
            "what did i learn",
            "growth",
        ],
    ),
    (
        Kind::Priorities,
        &[
            "priorities",
            "upcoming and high priorities",
            "upcoming priorities",
            "high priorities",
            "focus",
            "what is next",
            "whats next",
            "next up",
        ],
    ),
    (
        Kind::Requests,
        &[
            "what do you need from me",
            "what do i need from",
            "what do you need",
            "what do i need",
            "help",
            "requests",
            "asks",
            "needs",
            "support needed",
            "resources",
            "action needed",
            "blockers",
            "how can i help",
            "where could you use help",
            "where could i use help",
        ],
    ),
    (
        Kind::FollowUps,
        &[
            "status of tasks",
            "follow ups",
            "followups",
            "follow up",
            "tasks you asked",
            "action items",
            "from last time",
        ],
    ),
    (
        Kind::TopOfMind,
        &[
            "what else is top of mind",
            "top of mind",
            "what else",
            "anything else",
            "other topics",
            "on my mind",
            "whats on your mind",
        ],
    ),
    (
        Kind::Outcomes,
        &[
            "outcomes",
            "outcome",
            "decisions",
            "decided",
            "agreements",
            "agreed",
            "recap",
            "takeaways",
        ],
    ),
];

/// The vault's settings, with defaults for every key.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The folder whose notes are 1:1s even without `type:` (vault-relative, no trailing `/`).
    pub meetings: String,
    /// The folder `build` writes to (vault-relative).
    pub output: String,
    /// Paths and globs (gitignore style) left out of the vault.
    pub ignore: Vec<String>,
    /// Days after which an open request is called stale.
    pub stale_after_days: u32,
    /// The folder of the vault's own templates (vault-relative); never read as notes.
    pub templates: String,
    /// The template `new` uses by default.
    pub template: String,
    /// The file name pattern of new notes, relative to the vault.
    pub note_name: String,
    /// Section headings by kind: the defaults plus the vault's own.
    pub sections: Vec<(Kind, Vec<String>)>,
    /// The periods of the site's review pages; empty for each half year with meetings.
    pub review_periods: Vec<ReviewPeriod>,
    /// Every heading of `sections`, normalised: computed once, matched often.
    heading_keys: std::collections::HashMap<String, Kind>,
}

impl Config {
    /// A hash of the settings that decide how a note reads (which folder holds 1:1s, which
    /// heading is which section): a note's digest includes it, so a change of settings is a
    /// change of every note.
    pub fn reading(&self) -> u64 {
        crate::digest::of(&(&self.meetings, &self.sections))
    }
}

/// Normalises a heading or pattern for matching: lower case, words of letters and digits.
pub fn heading_key(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            crate::slug::push_lowercase(&mut out, c);
        } else if c != '\'' && c != '’' {
            // Apostrophes are dropped inside a word (`What's` is `whats`); anything else
            // separates words.
            space = true;
        }
    }
    out
}

impl Default for Config {
    fn default() -> Self {
        let mut config = Config {
            meetings: "1-1s".into(),
            output: "_site".into(),
            ignore: Vec::new(),
            stale_after_days: 30,
            templates: "templates".into(),
            template: "five-questions".into(),
            note_name: "{{ meetings }}/{{ date }} {{ person }}.md".into(),
            sections: DEFAULT_HEADINGS
                .iter()
                .map(|(kind, headings)| (*kind, headings.iter().map(|h| (*h).to_owned()).collect()))
                .collect(),
            heading_keys: std::collections::HashMap::new(),
            review_periods: Vec::new(),
        };
        config.index_headings();
        config
    }
}

/// A named period for a review page: `{name: 2026 H2, from: 2026-07-01, to: 2026-12-31}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewPeriod {
    pub name: String,
    pub from: String,
    pub to: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    review_periods: Option<Vec<ReviewPeriod>>,
    meetings: Option<String>,
    output: Option<String>,
    ignore: Option<Vec<String>>,
    stale_after_days: Option<u32>,
    templates: Option<String>,
    template: Option<String>,
    note_name: Option<String>,
    sections: Option<std::collections::BTreeMap<String, Vec<String>>>,
}

const KEYS: [&str; 9] = [
    "review_periods",
    "meetings",
    "output",
    "ignore",
    "stale_after_days",
    "templates",
    "template",
    "note_name",
    "sections",
];

fn folder(text: &str) -> String {
    text.trim().trim_matches('/').replace('\\', "/")
}

impl Config {
    /// Reads `upward.yaml` from the vault root; a missing file gives the defaults, and each
    /// problem in it a diagnostic (the default is then used for that key).
    pub fn load(root: &Path) -> (Config, Vec<Diagnostic>) {
        match std::fs::read_to_string(root.join(FILE_NAME)) {
            Ok(text) => Config::parse(&text),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                (Config::default(), Vec::new())
            }
            Err(error) => (
                Config::default(),
                vec![Diagnostic::error(
                    FILE_NAME,
                    1,
                    1,
                    format!("cannot read the settings: {error}"),
                )],
            ),
        }
    }

    /// Reads settings from the text of `upward.yaml`.
    pub fn parse(text: &str) -> (Config, Vec<Diagnostic>) {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut diagnostics = Vec::new();
        let mut config = Config::default();
        let value = match yaml::parse(text) {
            Ok(Value::Null) => return (config, diagnostics),
            Ok(Value::Object(map)) => map,
            Ok(_) => {
                diagnostics.push(Diagnostic::error(
                    FILE_NAME,
                    1,
                    1,
                    "the settings must be a mapping of `key: value` lines",
                ));
                return (config, diagnostics);
            }
            Err(error) => {
                diagnostics.push(Diagnostic::error(
                    FILE_NAME,
                    error.line,
                    error.column,
                    format!("invalid YAML: {}", error.message),
                ));
                return (config, diagnostics);
            }
        };
        let lines = yaml::key_lines(text);
        let line_of = |key: &str| {
            lines
                .iter()
                .find(|(k, _)| k == key)
                .map_or(1, |(_, line)| *line)
        };
        for (key, value) in value {
            if !KEYS.contains(&key.as_str()) {
                diagnostics.push(Diagnostic::warning(
                    FILE_NAME,
                    line_of(&key),
                    1,
                    format!("unknown setting `{key}` (known: {})", KEYS.join(", ")),
                ));
                continue;
            }
            let mut one = serde_json::Map::new();
            one.insert(key.clone(), value);
            let raw: Raw = match serde_json::from_value(Value::Object(one)) {
                Ok(raw) => raw,
                Err(error) => {
                    diagnostics.push(Diagnostic::error(
                        FILE_NAME,
                        line_of(&key),
                        1,
                        format!("`{key}`: {error}; the default is used"),
                    ));
                    continue;
                }
            };
            config.apply(raw, line_of(&key), &mut diagnostics);
        }
        (config, diagnostics)
    }

    /// Adds headings that open sections of a kind.
    pub fn add_headings(&mut self, kind: Kind, headings: impl IntoIterator<Item = String>) {
        if let Some((_, list)) = self.sections.iter_mut().find(|(k, _)| *k == kind) {
            for heading in headings {
                if !list.contains(&heading) {
                    list.push(heading);
                }
            }
        }
        self.index_headings();
    }

    /// The kind of the longest table heading that `key` (normalised) is, or starts with as
    /// whole words.
    pub fn section_of_key(&self, key: &str) -> Option<Kind> {
        let mut prefix = key;
        loop {
            if let Some(kind) = self.heading_keys.get(prefix) {
                return Some(*kind);
            }
            prefix = &prefix[..prefix.rfind(' ')?];
        }
    }

    fn index_headings(&mut self) {
        // The first kind to list a heading keeps it.
        let mut keys = std::collections::HashMap::new();
        for (kind, list) in &self.sections {
            for heading in list {
                let key = heading_key(heading);
                if !key.is_empty() {
                    keys.entry(key).or_insert(*kind);
                }
            }
        }
        self.heading_keys = keys;
    }

    fn apply(&mut self, raw: Raw, line: usize, diagnostics: &mut Vec<Diagnostic>) {
        if let Some(meetings) = raw.meetings {
            self.meetings = folder(&meetings);
        }
        if let Some(output) = raw.output {
            let output = folder(&output);
            if output.is_empty() || output == "." {
                diagnostics.push(Diagnostic::error(
                    FILE_NAME,
                    line,
                    1,
                    "`output` cannot be the vault itself; the default `_site` is used",
                ));
            } else {
                self.output = output;
            }
        }
        if let Some(ignore) = raw.ignore {
            self.ignore = ignore;
        }
        if let Some(days) = raw.stale_after_days {
            self.stale_after_days = days;
        }
        if let Some(periods) = raw.review_periods {
            for period in &periods {
                for day in [&period.from, &period.to] {
                    if crate::date::parse(day).is_none() {
                        diagnostics.push(Diagnostic::error(
                            FILE_NAME,
                            line,
                            1,
                            format!(
                                "review period `{}`: `{day}` is not a date (YYYY-MM-DD)",
                                period.name
                            ),
                        ));
                    }
                }
            }
            self.review_periods = periods
                .into_iter()
                .filter(|p| {
                    crate::date::parse(&p.from).is_some() && crate::date::parse(&p.to).is_some()
                })
                .collect();
        }
        if let Some(templates) = raw.templates {
            self.templates = folder(&templates);
        }
        if let Some(template) = raw.template {
            self.template = template;
        }
        if let Some(note_name) = raw.note_name {
            self.note_name = note_name;
        }
        for (name, headings) in raw.sections.unwrap_or_default() {
            match Kind::from_name(&name) {
                Some(kind) => self.add_headings(kind, headings),
                None => diagnostics.push(Diagnostic::warning(
                    FILE_NAME,
                    line,
                    1,
                    format!(
                        "unknown section kind `{name}` (known: {})",
                        Kind::ALL.map(Kind::name).join(", ")
                    ),
                )),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_keys_are_lower_case_words_without_apostrophes() {
        let cases = [
            ("What's top of mind?", "whats top of mind"),
            (
                "Help / Resources / Action Needed",
                "help resources action needed",
            ),
            ("  ’Quoted’ words -- ' -- here ", "quoted words here"),
            ("Über ÄRGER: 2 Punkte", "über ärger 2 punkte"),
            ("İstanbul", "i\u{307}stanbul"),
            ("", ""),
            ("?!", ""),
        ];
        for (heading, key) in cases {
            assert_eq!(heading_key(heading), key, "{heading}");
        }
    }

    #[test]
    fn every_key_is_optional() {
        assert_eq!(Config::parse(""), (Config::default(), Vec::new()));
        assert_eq!(Config::parse("# nothing\n").0, Config::default());
    }

    #[test]
    fn keys_override_the_defaults() {
        let (config, diagnostics) = Config::parse(
            "meetings: meetings/\noutput: public\nignore: [private/]\nstale_after_days: 14\n\
             sections:\n  requests: [Blocked on]\n",
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(config.meetings, "meetings");
        assert_eq!(config.output, "public");
        assert_eq!(config.ignore, ["private/"]);
        assert_eq!(config.stale_after_days, 14);
        let requests = &config
            .sections
            .iter()
            .find(|(k, _)| *k == Kind::Requests)
            .unwrap()
            .1;
        assert!(requests.contains(&"Blocked on".to_owned()));
        assert!(requests.contains(&"help".to_owned()));
    }

    #[test]
    fn the_commented_settings_of_init_are_the_defaults() {
        let (config, diagnostics) = Config::parse(include_str!("../templates/upward.yaml"));
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(config, Config::default());
    }

    #[test]
    fn bad_keys_are_located_and_the_rest_still_applies() {
        let (config, diagnostics) =
            Config::parse("meetings: m\nstale_after_days: soon\ncolour: blue\n");
        assert_eq!(config.meetings, "m");
        assert_eq!(config.stale_after_days, 30);
        let lines: Vec<_> = diagnostics.iter().map(|d| (d.line, d.severity)).collect();
        assert_eq!(
            lines,
            [
                (2, crate::diagnostic::Severity::Error),
                (3, crate::diagnostic::Severity::Warning)
            ]
        );
    }
}
