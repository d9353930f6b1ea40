//! YAML, parsed with serde_yaml and handed on as plain JSON-like values with located errors.
//! This is the only module that knows serde_yaml.

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
    match serde_yaml::from_str::<serde_yaml::Value>(text) {
        Ok(value) => Ok(to_json(value)),
        Err(error) => Err(locate(text, &error)),
    }
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
        return YamlError {
            line: location.line(),
            column: location.column(),
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

    #[test]
    fn errors_are_positioned_within_the_text() {
        let error = parse("a: 1\nb: [unclosed\n").unwrap_err();
        assert!(error.line >= 2, "{error:?}");
        let error = parse("a: 1\nb:\tc: d\n  - x\n").unwrap_err();
        assert!(error.line >= 2, "{error:?}");
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
}
