//! The bank of alternate phrasings of the five weekly questions, rotated by ISO week.

use crate::config::{Config, Kind};
use crate::date::Date;
use crate::diagnostic::Diagnostic;
use crate::template;
use crate::yaml;
use std::collections::BTreeMap;
use std::path::Path;

/// The kinds the five questions ask about, in the order the method asks them.
pub const QUESTIONS: [Kind; 5] = [
    Kind::Loves,
    Kind::Frustrations,
    Kind::Learning,
    Kind::Requests,
    Kind::TopOfMind,
];

/// Phrasings by kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bank {
    pub phrasings: Vec<(Kind, Vec<String>)>,
}

/// The file name of the bank among the templates.
pub const FILE_NAME: &str = "questions.yaml";

impl Bank {
    /// Reads a bank from YAML text; `path` is for diagnostics.
    pub fn parse(path: &str, text: &str) -> (Bank, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let mut phrasings = Vec::new();
        let lines = yaml::key_lines(text);
        let line_of = |key: &str| lines.iter().find(|(k, _)| k == key).map_or(1, |(_, l)| *l);
        match yaml::parse(text) {
            Ok(serde_json::Value::Object(map)) => {
                for (key, value) in map {
                    let Some(kind) = Kind::from_name(&key).filter(|k| QUESTIONS.contains(k)) else {
                        diagnostics.push(Diagnostic::warning(
                            path,
                            line_of(&key),
                            1,
                            format!(
                                "`{key}` is not one of the five questions (loves, frustrations, \
                                 learning, requests, top-of-mind)"
                            ),
                        ));
                        continue;
                    };
                    let list: Vec<String> = value
                        .as_array()
                        .map(|items| {
                            items
                                .iter()
                                .filter_map(|i| i.as_str())
                                .map(|s| s.trim().to_owned())
                                .filter(|s| !s.is_empty())
                                .collect()
                        })
                        .unwrap_or_default();
                    if list.is_empty() {
                        diagnostics.push(Diagnostic::error(
                            path,
                            line_of(&key),
                            1,
                            format!("`{key}` needs a list of phrasings"),
                        ));
                        continue;
                    }
                    phrasings.push((kind, list));
                }
            }
            Ok(_) => diagnostics.push(Diagnostic::error(
                path,
                1,
                1,
                "the question bank must be a mapping of question to phrasings",
            )),
            Err(error) => diagnostics.push(Diagnostic::error(
                path,
                error.line,
                error.column,
                format!("invalid YAML: {}", error.message),
            )),
        }
        (Bank { phrasings }, diagnostics)
    }

    /// The built-in bank.
    pub fn builtin() -> Bank {
        // Read once: every rebuild of `watch` asks for it.
        static BUILTIN: std::sync::OnceLock<Bank> = std::sync::OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                Bank::parse(FILE_NAME, template::builtin(FILE_NAME).unwrap_or_default()).0
            })
            .clone()
    }

    /// The vault's bank if it has one, question by question over the built-in one.
    pub fn load(root: &Path, config: &Config) -> (Bank, Vec<Diagnostic>) {
        let mut bank = Bank::builtin();
        let rel = format!("{}/{FILE_NAME}", config.templates);
        let Ok(text) = std::fs::read_to_string(root.join(&rel)) else {
            return (bank, Vec::new());
        };
        let (own, diagnostics) = Bank::parse(&rel, &text);
        for (kind, list) in own.phrasings {
            match bank.phrasings.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, existing)) => *existing = list,
                None => bank.phrasings.push((kind, list)),
            }
        }
        (bank, diagnostics)
    }

    /// This week's phrasing of each question, keyed by kind with `_` for `-`
    /// (`top_of_mind`), falling back to the method's wording.
    pub fn for_week(&self, day: Date) -> BTreeMap<String, String> {
        let week = week_number(day);
        let builtin = Bank::builtin();
        QUESTIONS
            .iter()
            .map(|kind| {
                let list = self
                    .phrasings
                    .iter()
                    .chain(&builtin.phrasings)
                    .find(|(k, _)| k == kind)
                    .map(|(_, list)| list.as_slice())
                    .unwrap_or_default();
                let phrasing = if list.is_empty() {
                    kind.name().to_owned()
                } else {
                    list[week.rem_euclid(list.len() as i64) as usize].clone()
                };
                (kind.name().replace('-', "_"), phrasing)
            })
            .collect()
    }
}

/// Weeks since the ISO week of 1970-01-05 (a Monday): every day of one ISO week gives the same
/// number, and the next week the next number, across year boundaries too.
pub fn week_number(day: Date) -> i64 {
    let monday = Date::from_ymd_opt(1970, 1, 5).expect("a valid date");
    (day - monday).num_days().div_euclid(7)
}

/// Adds every phrasing of the built-in bank and of the vault's own to the section headings, so
/// a note written in any week is read the same way.
pub fn register_headings(root: &Path, config: &mut Config) -> Vec<Diagnostic> {
    let (bank, diagnostics) = Bank::load(root, config);
    for (kind, list) in Bank::builtin().phrasings.into_iter().chain(bank.phrasings) {
        config.add_headings(kind, list);
    }
    diagnostics
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note;

    fn day(text: &str) -> Date {
        crate::date::parse(text).unwrap()
    }

    #[test]
    fn the_builtin_bank_has_four_alternates_per_question() {
        let bank = Bank::builtin();
        for kind in QUESTIONS {
            let list = &bank.phrasings.iter().find(|(k, _)| *k == kind).unwrap().1;
            assert!(list.len() >= 5, "{kind:?} has {} phrasings", list.len());
        }
    }

    #[test]
    fn every_phrasing_opens_a_section_of_its_kind() {
        let mut config = Config::default();
        register_headings(Path::new("/nonexistent"), &mut config);
        for (kind, list) in Bank::builtin().phrasings {
            for phrasing in list {
                assert_eq!(
                    note::section_kind(&phrasing, &config),
                    Some(kind),
                    "{phrasing}"
                );
            }
        }
    }

    #[test]
    fn the_same_week_gets_the_same_wording_and_the_next_week_another() {
        let bank = Bank::builtin();
        // Monday to Sunday of ISO week 2026-W48.
        let monday = bank.for_week(day("2026-11-23"));
        assert_eq!(monday, bank.for_week(day("2026-11-29")));
        let mut previous = bank.for_week(day("2025-12-01"));
        // Across a year boundary, including a 53-week ISO year (2026 has 53 weeks).
        let mut monday = day("2025-12-08");
        for _ in 0..60 {
            let this = bank.for_week(monday);
            for key in this.keys() {
                assert_ne!(this[key], previous[key], "{key} in the week of {monday}");
            }
            previous = this;
            monday += chrono::Duration::days(7);
        }
    }
}
