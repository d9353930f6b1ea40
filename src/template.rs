//! Templates, rendered with minijinja: the built-in ones embedded in the binary, each replaced
//! by a file of the same name in the vault's templates folder. This is the only module that
//! knows minijinja.

use crate::config::Config;
use crate::error::{Error, Result};
use minijinja::{AutoEscape, Environment, UndefinedBehavior, syntax::SyntaxConfig};
use serde::Serialize;
use std::path::Path;

/// The built-in templates, by file name.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "five-questions.md",
        include_str!("../templates/five-questions.md"),
    ),
    (
        "wins-priorities-help.md",
        include_str!("../templates/wins-priorities-help.md"),
    ),
    (
        "rubber-duck.md",
        include_str!("../templates/rubber-duck.md"),
    ),
    (
        "questions.yaml",
        include_str!("../templates/questions.yaml"),
    ),
    ("upward.yaml", include_str!("../templates/upward.yaml")),
];

/// The built-in note templates, by name.
pub const NOTE_TEMPLATES: [&str; 3] = ["five-questions", "wins-priorities-help", "rubber-duck"];

/// The text of a built-in template file.
pub fn builtin(file: &str) -> Option<&'static str> {
    BUILTIN.iter().find(|(f, _)| *f == file).map(|(_, t)| *t)
}

/// A template's text and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub name: String,
    /// Where errors point: the vault-relative file, or the built-in file's name.
    pub path: String,
    pub text: String,
}

/// The note template `name`: the vault's `<templates>/<name>.md`, else the built-in one.
pub fn note_template(root: &Path, config: &Config, name: &str) -> Result<Source> {
    let name = name.trim().trim_end_matches(".md");
    let rel = format!("{}/{name}.md", config.templates);
    let valid = !name.is_empty() && !name.contains(['/', '\\']) && name != "." && name != "..";
    if valid {
        match std::fs::read_to_string(root.join(&rel)) {
            Ok(text) => {
                return Ok(Source {
                    name: name.to_owned(),
                    path: rel,
                    text: text.trim_start_matches('\u{feff}').to_owned(),
                });
            }
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                return Err(Error::io(root.join(&rel), error));
            }
            Err(_) => {}
        }
        if let Some(text) =
            builtin(&format!("{name}.md")).filter(|_| NOTE_TEMPLATES.contains(&name))
        {
            return Ok(Source {
                name: name.to_owned(),
                path: format!("built-in template {name}.md"),
                text: text.to_owned(),
            });
        }
    }
    let mut available: Vec<String> = NOTE_TEMPLATES.iter().map(|s| (*s).to_owned()).collect();
    if let Ok(entries) = std::fs::read_dir(root.join(&config.templates)) {
        for entry in entries.flatten() {
            let file = entry.file_name().to_string_lossy().into_owned();
            if let Some(stem) = file.strip_suffix(".md") {
                if !available.iter().any(|a| a == stem) {
                    available.push(stem.to_owned());
                }
            }
        }
    }
    available.sort();
    Err(Error::UnknownTemplate {
        name: name.to_owned(),
        available,
    })
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    if let Ok(syntax) = SyntaxConfig::builder().keep_trailing_newline(true).build() {
        env.set_syntax(syntax);
    }
    env
}

/// Renders a template with `context`; a syntax error or an undefined variable is an error at
/// the template's path and line.
pub fn render(source: &Source, context: &impl Serialize) -> Result<String> {
    let mut env = environment();
    let located = |error: minijinja::Error| {
        let mut message = error.kind().to_string();
        if let Some(detail) = error.detail() {
            message = format!("{message}: {detail}");
        }
        Error::Template {
            path: source.path.clone(),
            line: error.line().unwrap_or(1),
            message,
        }
    };
    env.add_template_owned(source.name.clone(), source.text.clone())
        .map_err(located)?;
    let template = env.get_template(&source.name).map_err(located)?;
    template
        .render(minijinja::value::Serde(context))
        .map_err(located)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str) -> Source {
        Source {
            name: "t".into(),
            path: "templates/t.md".into(),
            text: text.into(),
        }
    }

    #[test]
    fn undefined_variables_are_errors_not_empty_text() {
        let error = render(&source("a\nb {{ nope }}\n"), &serde_json::json!({})).unwrap_err();
        let message = error.to_string();
        assert!(
            message.starts_with("templates/t.md:2: error: "),
            "{message}"
        );
        assert!(message.contains("undefined"), "{message}");
    }

    #[test]
    fn obsidian_date_syntax_is_a_located_syntax_error() {
        let error = render(
            &source("---\ndate: {{date:YYYY-MM-DD}}\n---\n"),
            &serde_json::json!({"date": "x"}),
        )
        .unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("templates/t.md:2: error: syntax error"),
            "{error}"
        );
    }

    #[test]
    fn text_is_not_html_escaped_and_the_last_newline_is_kept() {
        let text = render(&source("{{ x }}\n"), &serde_json::json!({"x": "<a & b>"})).unwrap();
        assert_eq!(text, "<a & b>\n");
    }
}
