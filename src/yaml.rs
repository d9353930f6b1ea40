//! YAML, parsed with serde_yaml and handed on as plain JSON-like values with located errors.
//! This is the only module that knows serde_yaml.

use crate::diagnostic::LineIndex;
use serde_json::{Map, Number, Value};

/// A YAML syntax error, positioned from 1 within the text that was parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Parses a YAML document into a value (empty text is `null`).
pub fn parse(text: &str) -> Result<Value, YamlError> {
    if let Some(value) = simple(text) {
        return Ok(value);
    }
    match serde_yaml::from_str::<serde_yaml::Value>(text) {
        Ok(value) => Ok(to_json(value)),
        Err(error) => Err(locate(text, &error)),
    }
}

/// Properties as most notes write them, read without the YAML machinery: one `key: value`
/// line each, whose value is a word or words, a date, double-quoted text without escapes, or a
/// flow list of words. YAML reads each of these as text. Anything else (an indented line, a
/// comment, a number, `true`, `null`, a quote with escapes, a repeated key) is left to
/// serde_yaml, which gives what it gives and reports what is wrong.
fn simple(text: &str) -> Option<Value> {
    let mut map = Map::new();
    for line in text.lines() {
        if line.bytes().all(|b| b == b' ') {
            continue;
        }
        let (key, value) = match line.split_once(':') {
            Some((key, "")) => (key, ""),
            Some((key, value)) => (key, value.strip_prefix(' ')?),
            None => return None,
        };
        if !is_word(key) || key.contains(' ') || map.contains_key(key) {
            return None;
        }
        let value = value.trim_matches(' ');
        let value = if value.is_empty() {
            Value::Null
        } else if let Some(list) = value.strip_prefix('[') {
            let list = list.strip_suffix(']')?.trim_matches(' ');
            if list.is_empty() {
                Value::Array(Vec::new())
            } else {
                let items: Option<Vec<Value>> = list
                    .split(',')
                    .map(|item| {
                        let item = item.trim_matches(' ');
                        (is_word(item) || is_date(item)).then(|| Value::String(item.to_owned()))
                    })
                    .collect();
                Value::Array(items?)
            }
        } else if let Some(quoted) = value.strip_prefix('"') {
            let inner = quoted.strip_suffix('"')?;
            if inner
                .chars()
                .any(|c| matches!(c, '"' | '\\') || c.is_control())
            {
                return None;
            }
            Value::String(inner.to_owned())
        } else if is_word(value) || is_date(value) {
            Value::String(value.to_owned())
        } else {
            return None;
        };
        map.insert(key.to_owned(), value);
    }
    (!map.is_empty()).then_some(Value::Object(map))
}

/// Plain text YAML cannot take for anything else: ASCII letters first, then letters, digits,
/// spaces and `_ . / -` only (no `: ` or ` #`), and not a word YAML reads as true, false or
/// null.
fn is_word(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic())
        && !text.ends_with(' ')
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b' ' | b'_' | b'.' | b'/' | b'-'))
        && !matches!(
            text.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n"
        )
}

/// `YYYY-MM-DD`, which YAML (1.2, as serde_yaml reads it) takes as text.
fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

fn locate(text: &str, error: &serde_yaml::Error) -> YamlError {
    let message = error.to_string();
    // serde_yaml appends " at line L column C" to the message; the position is given apart.
    let message = match message.find(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message,
    };
    // A duplicate key is found after parsing, at the mapping's start: find its second occurrence.
    if let Some(key) = duplicate_key(&message) {
        let mut lines = key_lines(text).into_iter().filter(|(k, _)| *k == key);
        if let Some((_, line)) = lines.nth(1) {
            return YamlError {
                line,
                column: 1,
                message: format!("duplicate key `{key}`"),
            };
        }
    }
    if let Some(location) = error.location() {
        // From the byte offset, with lines counted by `\n` alone as every other position the
        // tool reports: libyaml's own line and column also break lines at `\r`, U+0085,
        // U+2028 and U+2029, which would point past the end of the line an editor shows.
        let (line, column) = LineIndex::new(text).position(location.index());
        return YamlError {
            line,
            column,
            message,
        };
    }
    YamlError {
        line: 1,
        column: 1,
        message,
    }
}

fn duplicate_key(message: &str) -> Option<String> {
    let rest = message.strip_prefix("duplicate entry with key ")?;
    Some(rest.trim_matches('"').to_owned())
}

/// The top-level keys of a YAML mapping with their 1-based lines, in order of appearance.
pub fn key_lines(text: &str) -> Vec<(String, usize)> {
    let mut keys = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let Some(first) = line.chars().next() else {
            continue;
        };
        if first.is_whitespace() || matches!(first, '#' | '-' | '[' | '{' | '}' | ']') {
            continue;
        }
        let Some(colon) = line.find(':') else {
            continue;
        };
        let after = &line[colon + 1..];
        if !(after.is_empty() || after.starts_with([' ', '\t'])) {
            continue;
        }
        let key = line[..colon].trim().trim_matches(['"', '\'']);
        keys.push((key.to_owned(), number + 1));
    }
    keys
}

fn to_json(value: serde_yaml::Value) -> Value {
    use serde_yaml::Value as Y;
    match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Number(i.into())
            } else if let Some(u) = n.as_u64() {
                Value::Number(u.into())
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                Number::from_f64(f).map_or_else(|| Value::String(n.to_string()), Value::Number)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(to_json).collect()),
        Y::Mapping(mapping) => {
            let mut map = Map::new();
            for (key, value) in mapping {
                map.insert(scalar_text(key), to_json(value));
            }
            Value::Object(map)
        }
        Y::Tagged(tagged) => to_json(tagged.value),
    }
}

fn scalar_text(key: serde_yaml::Value) -> String {
    match to_json(key) {
        Value::String(s) => s,
        Value::Null => "null".to_owned(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The way without serde_yaml gives what serde_yaml gives, whenever it is taken.
    #[test]
    fn simple_properties_read_as_serde_yaml_reads_them() {
        let keys = [
            "type", "date", "with", "tags", "True", "null", "a-b", "x y", "k1", "_k",
        ];
        let values = [
            "",
            "one-on-one",
            "2010-05-28",
            "2010-5-28",
            "20100-05-28",
            "\"[[Manager 09]]\"",
            "\"a \\\" b\"",
            "\"x\\ny\"",
            "\"a\" # c",
            "[one-on-one, team-1]",
            "[a,b]",
            "[a, 1]",
            "[]",
            "[ ]",
            "[a, [b]]",
            "[a,]",
            "true",
            "True",
            "FALSE",
            "null",
            "Null",
            "~",
            "yes",
            "No",
            "on",
            "y",
            "1:1",
            "12",
            "-3",
            "0x1f",
            "1e5",
            ".inf",
            "inf",
            "nan",
            "NaN",
            "Infinity",
            "e5",
            "a # comment",
            "a: b",
            "a:b",
            "five questions",
            "five questions  ",
            "a.b/c_d-e",
            "'single'",
            "&anchor x",
            "*alias",
            "!tag x",
            "|",
            ">",
            "%x",
            "@x",
            "`x`",
            "x,y",
            "ünïcode",
            "\"ünïcode #: ,\"",
            "\"\"",
            "\"\t\"",
        ];
        let mut taken = 0;
        let mut texts = Vec::new();
        for key in keys {
            for value in values {
                for separator in [": ", ":  ", ":", ":\t"] {
                    texts.push(format!("{key}{separator}{value}\n"));
                    texts.push(format!(
                        "type: one-on-one\n{key}{separator}{value}\ntags: [x]\n"
                    ));
                }
            }
        }
        texts.extend(
            [
                "",
                "\n",
                "a: b\n\nc: d\n",
                "a: b\r\nc: d\r\n",
                "a: b\na: c\n",
                "  a: b\n",
                "a: b\n  - c\n",
                "tags:\n  - a\n",
                "# c\na: b\n",
                "---\na: b\n",
                "a: b\n...\n",
                "\u{feff}a: b\n",
                "a: b\n   \n",
                "a: \"b\nc: d\n",
            ]
            .map(str::to_owned),
        );
        for text in &texts {
            let Some(fast) = simple(text) else { continue };
            taken += 1;
            let slow = serde_yaml::from_str::<serde_yaml::Value>(text)
                .map(to_json)
                .unwrap_or_else(|e| {
                    panic!("{text:?}: serde_yaml fails ({e}) where the simple way reads {fast}")
                });
            assert_eq!(fast, slow, "{text:?}");
        }
        // The common shapes are taken the simple way.
        assert!(taken > 300, "{taken}");
        assert!(
            simple("type: one-on-one\ndate: 2010-05-28\nwith: \"[[M]]\"\ntags: [a, b-1]\n")
                .is_some()
        );
    }

    #[test]
    fn errors_are_positioned_within_the_text() {
        let error = parse("a: 1\nb: [unclosed\n").unwrap_err();
        assert!(error.line >= 2, "{error:?}");
        let error = parse("a: 1\nb:\tc: d\n  - x\n").unwrap_err();
        assert!(error.line >= 2, "{error:?}");
    }

    #[test]
    fn errors_count_lines_by_line_feeds_only() {
        // libyaml breaks lines at U+2028 too; an editor (and every other message) does not.
        let error = parse("\u{2028}a\ntype: x\n").unwrap_err();
        assert_eq!((error.line, error.column), (2, 5), "{error:?}");
        let error = parse("a: \u{85}\u{2029}[\n").unwrap_err();
        assert_eq!(error.line, 2, "{error:?}");
    }

    #[test]
    fn a_duplicate_key_is_an_error_at_its_second_line() {
        let error = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(
            (error.line, error.message.as_str()),
            (3, "duplicate key `a`")
        );
    }

    #[test]
    fn finds_top_level_keys_and_their_lines() {
        let keys = key_lines("type: x\n# c\ntags:\n  - a\n\"with\": y\nurl: http://x\n");
        let names: Vec<_> = keys.iter().map(|(k, l)| (k.as_str(), *l)).collect();
        assert_eq!(names, [("type", 1), ("tags", 3), ("with", 5), ("url", 6)]);
    }

    #[test]
    fn dates_stay_strings() {
        assert_eq!(parse("date: 2026-11-20").unwrap()["date"], "2026-11-20");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// Whatever the text, an error points at one of its lines (split at line feeds only)
        /// or the one after a final line feed, and at a column within that line or just past
        /// its end.
        #[test]
        fn every_error_is_positioned_inside_the_text(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "a", "key", ":", ": ", " ", "  ", "-", "- ", "[", "]", "{", "}", "\"", "'", "#",
                "&x", "*x", "!t", "|", ">", "?", "\t", "\n", "\r\n", "\r", "\u{85}",
                "\u{2028}", "\u{2029}", "é", "🙂", "---", "...", "%YAML 1.2",
            ]), 0..40)
        ) {
            let text: String = parts.concat();
            if let Err(error) = parse(&text) {
                let lines: Vec<&str> = text.split('\n').collect();
                proptest::prop_assert!(error.line >= 1 && error.line <= lines.len(), "{:?} in {:?}", error, text);
                let width = lines[error.line - 1].chars().count();
                proptest::prop_assert!(
                    error.column >= 1 && error.column <= width + 1,
                    "{:?} in {:?}",
                    error,
                    text
                );
            }
        }
    }
}
