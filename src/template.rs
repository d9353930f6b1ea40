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

/// The built-in site templates and files, by name (in `templates/site/`).
pub const SITE: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/site/base.html")),
    ("nav.html", include_str!("../templates/site/nav.html")),
    ("index.html", include_str!("../templates/site/index.html")),
    (
        "meetings.html",
        include_str!("../templates/site/meetings.html"),
    ),
    (
        "meeting-list.html",
        include_str!("../templates/site/meeting-list.html"),
    ),
    (
        "meeting.html",
        include_str!("../templates/site/meeting.html"),
    ),
    (
        "properties.html",
        include_str!("../templates/site/properties.html"),
    ),
    ("note.html", include_str!("../templates/site/note.html")),
    (
        "requests.html",
        include_str!("../templates/site/requests.html"),
    ),
    (
        "request-table.html",
        include_str!("../templates/site/request-table.html"),
    ),
    (
        "request.html",
        include_str!("../templates/site/request.html"),
    ),
    ("items.html", include_str!("../templates/site/items.html")),
    ("item.html", include_str!("../templates/site/item.html")),
    (
        "item-group.html",
        include_str!("../templates/site/item-group.html"),
    ),
    (
        "request-row.html",
        include_str!("../templates/site/request-row.html"),
    ),
    (
        "meeting-row.html",
        include_str!("../templates/site/meeting-row.html"),
    ),
    ("people.html", include_str!("../templates/site/people.html")),
    ("person.html", include_str!("../templates/site/person.html")),
    ("tags.html", include_str!("../templates/site/tags.html")),
    ("tag.html", include_str!("../templates/site/tag.html")),
    ("404.html", include_str!("../templates/site/404.html")),
    ("review.html", include_str!("../templates/site/review.html")),
    (
        "review-packet.html",
        include_str!("../templates/site/review-packet.html"),
    ),
    (
        "review-standalone.html",
        include_str!("../templates/site/review-standalone.html"),
    ),
    ("style.css", include_str!("../templates/site/style.css")),
    ("filter.js", include_str!("../templates/site/filter.js")),
];

/// HTML rendered already (a row, an item), put into a page as it is.
#[derive(Debug, Clone)]
pub struct Html(minijinja::Value);

impl Html {
    /// Shared, not copied: a row in three pages is one string.
    pub fn new(mut html: String) -> Html {
        // A template file ends with a newline; the list around it has its own.
        html.truncate(html.trim_end().len());
        Html::exact(html)
    }

    /// HTML as it is, without the trailing space [`Html::new`] takes off.
    pub fn exact(html: String) -> Html {
        Html(minijinja::Value::from_safe_string(html))
    }

    /// The HTML.
    pub fn as_str(&self) -> &str {
        self.0.as_str().unwrap_or_default()
    }

    /// Pieces one after the other, `separator` between them.
    pub fn join(parts: &[Html], separator: &str) -> Html {
        let len = parts
            .iter()
            .map(|p| p.as_str().len() + separator.len())
            .sum();
        let mut joined = String::with_capacity(len);
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                joined.push_str(separator);
            }
            joined.push_str(part.as_str());
        }
        Html(minijinja::Value::from_safe_string(joined))
    }
}

impl Serialize for Html {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// A page's context as its template sees it: one struct, whose field `common` (what every page
/// has: root, title, navigation) is spread among its own fields. `#[serde(flatten)]` gives the
/// same names, but as a map, whose keys are made and compared as values for every page; a
/// struct's are its fields' static names.
pub struct Spread<'a, T>(pub &'a T);

/// The field of a page's context that [`Spread`] spreads.
const SPREAD_FIELD: &str = "common";

impl<T: Serialize> Serialize for Spread<'_, T> {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut fields = serializer.serialize_struct("Page", 16)?;
        self.0.serialize(Fields(&mut fields))?;
        fields.end()
    }
}

/// Hands the fields of a struct to another struct being serialized.
struct Fields<'s, S>(&'s mut S);

impl<S: serde::ser::SerializeStruct> serde::ser::SerializeStruct for Fields<'_, S> {
    type Ok = ();
    type Error = S::Error;

    fn serialize_field<V: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &V,
    ) -> std::result::Result<(), S::Error> {
        if key == SPREAD_FIELD {
            value.serialize(Fields(&mut *self.0))
        } else {
            self.0.serialize_field(key, value)
        }
    }

    fn end(self) -> std::result::Result<(), S::Error> {
        Ok(())
    }
}

/// What is not a struct has no fields to hand on.
fn not_a_struct<E: serde::ser::Error>() -> E {
    E::custom("a page's context must be a struct")
}

/// The methods of [`Fields`] for what is not a struct.
macro_rules! not_a_struct {
    ($($method:ident($($arg:ty),*) -> $ok:ty;)*) => {
        $(fn $method(self, $(_: $arg),*) -> std::result::Result<$ok, S::Error> {
            Err(not_a_struct())
        })*
    };
}

impl<'s, S: serde::ser::SerializeStruct> serde::Serializer for Fields<'s, S> {
    type Ok = ();
    type Error = S::Error;
    type SerializeSeq = serde::ser::Impossible<(), S::Error>;
    type SerializeTuple = serde::ser::Impossible<(), S::Error>;
    type SerializeTupleStruct = serde::ser::Impossible<(), S::Error>;
    type SerializeTupleVariant = serde::ser::Impossible<(), S::Error>;
    type SerializeMap = serde::ser::Impossible<(), S::Error>;
    type SerializeStruct = Self;
    type SerializeStructVariant = serde::ser::Impossible<(), S::Error>;

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> std::result::Result<Self, S::Error> {
        Ok(self)
    }

    fn serialize_some<V: Serialize + ?Sized>(self, _: &V) -> std::result::Result<(), S::Error> {
        Err(not_a_struct())
    }

    fn serialize_newtype_struct<V: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: &V,
    ) -> std::result::Result<(), S::Error> {
        Err(not_a_struct())
    }

    fn serialize_newtype_variant<V: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &V,
    ) -> std::result::Result<(), S::Error> {
        Err(not_a_struct())
    }

    not_a_struct! {
        serialize_bool(bool) -> ();
        serialize_i8(i8) -> ();
        serialize_i16(i16) -> ();
        serialize_i32(i32) -> ();
        serialize_i64(i64) -> ();
        serialize_u8(u8) -> ();
        serialize_u16(u16) -> ();
        serialize_u32(u32) -> ();
        serialize_u64(u64) -> ();
        serialize_f32(f32) -> ();
        serialize_f64(f64) -> ();
        serialize_char(char) -> ();
        serialize_str(&str) -> ();
        serialize_bytes(&[u8]) -> ();
        serialize_none() -> ();
        serialize_unit() -> ();
        serialize_unit_struct(&'static str) -> ();
        serialize_unit_variant(&'static str, u32, &'static str) -> ();
        serialize_seq(Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_map(Option<usize>) -> Self::SerializeMap;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }
}

/// Whether a template's text uses `root` only in `{{ root }}` (with any spaces, and `-` to
/// trim): not in a condition, a filter, an assignment or a loop, and not through another
/// template it includes, imports or extends (those are not looked at, so they count as uses).
pub fn prints_root_only(text: &str) -> bool {
    let mut rest = text;
    let mut others = String::with_capacity(text.len());
    while let Some(open) = rest.find("{{") {
        others.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            others.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let inner = after[..close]
            .trim_start_matches('-')
            .trim_end_matches('-')
            .trim();
        if inner != "root" {
            others.push_str(&rest[open..open + 2 + close + 2]);
        }
        rest = &after[close + 2..];
    }
    others.push_str(rest);
    !["root", "include", "import", "extends"]
        .iter()
        .any(|word| others.contains(word))
}

/// A value every page shows (the navigation, the site's facts): turned into the template
/// engine's form the first time a template gets it, and shared by every page after that.
/// Anything else (data.json) serializes the value itself.
pub struct Shared<T> {
    value: T,
    converted: std::sync::OnceLock<minijinja::Value>,
}

impl<T> Shared<T> {
    pub fn new(value: T) -> Shared<T> {
        Shared {
            value,
            converted: std::sync::OnceLock::new(),
        }
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: Serialize> Serialize for Shared<T> {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        if minijinja::value::serializing_for_value() {
            self.converted
                .get_or_init(|| minijinja::Value::from(minijinja::value::Serde(&self.value)))
                .serialize(serializer)
        } else {
            self.value.serialize(serializer)
        }
    }
}

/// The site's templates: the built-in ones, each replaced by the vault's
/// `<templates>/site/<name>` when there is one.
pub struct SiteTemplates {
    env: Environment<'static>,
    /// The templates that use `root` only to print it (see [`prints_root_only`]).
    root_printed_only: Vec<&'static str>,
    /// A hash of every template's text: pages rendered with other templates are stale.
    pub digest: u64,
    paths: Vec<(String, String)>,
    files: Vec<(String, String)>,
}

impl std::fmt::Debug for SiteTemplates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SiteTemplates")
            .field("digest", &self.digest)
            .finish_non_exhaustive()
    }
}

impl SiteTemplates {
    /// What the vault's own site templates look like on disk: which of them exist, their
    /// lengths and times. Equal stamps, the same templates (`watch` compiles them once).
    pub fn stamp(root: &Path, config: &Config) -> u64 {
        use std::hash::Hash;
        crate::digest::with(|h| {
            config.templates.hash(h);
            for (name, _) in SITE {
                let path = root.join(format!("{}/site/{name}", config.templates));
                std::fs::metadata(path)
                    .ok()
                    .map(|m| (m.len(), m.modified().ok()))
                    .hash(h);
            }
        })
    }

    /// Loads and compiles every site template; a syntax error is located in its file.
    pub fn load(root: &Path, config: &Config) -> Result<SiteTemplates> {
        let mut env = environment();
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        // Escape what HTML needs escaped and no more (`/` stays `/`, so URLs stay readable).
        env.set_formatter(|out, state, value| {
            if matches!(state.auto_escape(), AutoEscape::Html) && !value.is_safe() {
                if let Some(text) = value.as_str() {
                    return crate::slug::escape_html_to(out, text).map_err(minijinja::Error::from);
                }
            }
            minijinja::escape_formatter(out, state, value)
        });
        let mut paths = Vec::new();
        let mut files = Vec::new();
        let mut root_printed_only = Vec::new();
        let mut digest = xxhash_rust::xxh3::Xxh3::new();
        for (name, builtin) in SITE {
            let rel = format!("{}/site/{name}", config.templates);
            let (text, path) = match std::fs::read_to_string(root.join(&rel)) {
                Ok(text) => (text, rel),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => (
                    (*builtin).to_owned(),
                    format!("built-in template site/{name}"),
                ),
                Err(error) => return Err(Error::io(root.join(&rel), error)),
            };
            digest.update(name.as_bytes());
            digest.update(text.as_bytes());
            if name.ends_with(".html") {
                if prints_root_only(&text) {
                    root_printed_only.push(*name);
                }
                env.add_template_owned((*name).to_owned(), text)
                    .map_err(|e| located(&path, &e))?;
            } else {
                files.push(((*name).to_owned(), text));
            }
            paths.push(((*name).to_owned(), path));
        }
        Ok(SiteTemplates {
            env,
            root_printed_only,
            digest: digest.digest(),
            paths,
            files,
        })
    }

    /// Whether the template `name` uses `root` only to print it: what it renders for a page at
    /// one depth is then what it renders at any other, with another root printed.
    pub fn prints_root_only(&self, name: &str) -> bool {
        self.root_printed_only.contains(&name)
    }

    /// The compiled template `name`.
    fn template(&self, name: &str) -> Result<minijinja::Template<'_, '_>> {
        self.env
            .get_template(name)
            .map_err(|e| self.error(name, &e))
    }

    /// Renders the page template `name` with `context`.
    pub fn render(&self, name: &str, context: &impl Serialize) -> Result<String> {
        self.template(name)?
            .render(minijinja::value::Serde(context))
            .map_err(|e| self.error(name, &e))
    }

    /// Renders the page template `name` with `context` at the end of `out`: a page of several
    /// megabytes goes into a buffer of the right size rather than one grown by doubling.
    pub fn render_into(
        &self,
        name: &str,
        context: &impl Serialize,
        out: &mut Vec<u8>,
    ) -> Result<()> {
        self.template(name)?
            .render_captured_to(minijinja::value::Serde(context), out)
            .map(drop)
            .map_err(|e| self.error(name, &e))
    }

    /// The text of a static file (`style.css`), as loaded.
    pub fn file(&self, name: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.as_str())
    }

    /// The static files (stylesheet, script) with their text.
    pub fn files(&self) -> &[(String, String)] {
        &self.files
    }

    fn error(&self, name: &str, error: &minijinja::Error) -> Error {
        // An error inside an included or parent template names that template.
        let failing = error.name().unwrap_or(name);
        let path = self
            .paths
            .iter()
            .find(|(n, _)| n == failing)
            .map_or_else(|| failing.to_owned(), |(_, p)| p.clone());
        located(&path, error)
    }
}

fn located(path: &str, error: &minijinja::Error) -> Error {
    let mut message = error.kind().to_string();
    if let Some(detail) = error.detail() {
        message = format!("{message}: {detail}");
    }
    Error::Template {
        path: path.to_owned(),
        line: error.line().unwrap_or(1),
        message,
    }
}

/// What to write instead, when a template line holds Obsidian's own template syntax, which
/// minijinja reads as an error.
fn obsidian_syntax(line: &str) -> Option<&'static str> {
    let mut rest = line;
    while let Some(at) = rest.find("{{") {
        rest = &rest[at + 2..];
        let inner = rest.trim_start();
        let word = inner
            .find(|c: char| !c.is_ascii_alphabetic())
            .map_or(inner, |end| &inner[..end]);
        if matches!(word, "date" | "time") && inner[word.len()..].starts_with(':') {
            return Some(
                "Obsidian's `{{date:FORMAT}}` is not minijinja: write `{{ date }}` \
                 (YYYY-MM-DD), or `{{ week }}`",
            );
        }
    }
    None
}

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
        let mut located = located(&source.path, &error);
        if let Error::Template { line, message, .. } = &mut located {
            let text = source
                .text
                .lines()
                .nth(line.saturating_sub(1))
                .unwrap_or("");
            if let Some(hint) = obsidian_syntax(text) {
                message.push_str("; ");
                message.push_str(hint);
            }
        }
        located
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

    #[test]
    fn a_template_prints_its_root_only_when_root_is_nothing_but_printed() {
        for text in [
            "<a href=\"{{ root }}{{ r.url }}\">{{ r.title }}</a>",
            "<a href=\"{{root}}x\">{{- root -}}</a>",
            "<li>{{ m.title }}</li>",
        ] {
            assert!(prints_root_only(text), "{text}");
        }
        for text in [
            "{% if root %}<a href=\"{{ root }}x\">{% endif %}",
            "{{ root | length }}",
            "{% set base = root %}{{ base }}",
            "{% for root in rows %}{{ root }}{% endfor %}",
            "{% include \"row-link.html\" %}",
            "{% import \"macros.html\" as m %}{{ m.link(r) }}",
            "{{ root ~ r.url }}",
            "{{ root }",
        ] {
            assert!(!prints_root_only(text), "{text}");
        }
    }

    #[test]
    fn a_shared_value_reads_the_same_in_every_page_and_in_json() {
        #[derive(Serialize)]
        struct Item {
            label: &'static str,
            url: String,
        }
        let shared = Shared::new(vec![
            Item {
                label: "A <b>",
                url: "a.html".into(),
            },
            Item {
                label: "B",
                url: "b.html".into(),
            },
        ]);
        let mut env = Environment::new();
        env.add_template(
            "t.html",
            "{% for i in nav %}<a href=\"{{ i.url }}\">{{ i.label }}</a>{% endfor %}",
        )
        .unwrap();
        let template = env.get_template("t.html").unwrap();
        #[derive(Serialize)]
        struct Context<'a> {
            nav: &'a Shared<Vec<Item>>,
        }
        // Twice: the second page gets the value converted for the first.
        for _ in 0..2 {
            let page = template
                .render(minijinja::value::Serde(&Context { nav: &shared }))
                .unwrap();
            assert_eq!(
                page,
                "<a href=\"a.html\">A &lt;b&gt;</a><a href=\"b.html\">B</a>"
            );
        }
        assert_eq!(
            serde_json::to_string(&shared).unwrap(),
            serde_json::to_string(&*shared).unwrap()
        );
    }

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

    #[test]
    fn a_spread_context_shows_its_common_fields_beside_its_own() {
        #[derive(Serialize)]
        struct Common<'a> {
            root: &'a str,
            title: String,
        }
        #[derive(Serialize)]
        struct Row {
            id: &'static str,
        }
        #[derive(Serialize)]
        struct Context<'a> {
            common: Common<'a>,
            rows: Vec<Row>,
            maybe: Option<u8>,
        }
        let context = Context {
            common: Common {
                root: "../",
                title: "Requests".into(),
            },
            rows: vec![Row { id: "a" }, Row { id: "b" }],
            maybe: None,
        };
        let template = source(
            "{{ root }}|{{ title }}|{% for r in rows %}{{ r.id }}{% endfor %}|{{ maybe is none }}\
             |{{ common is defined }}",
        );
        let text = render(&template, &Spread(&context)).unwrap();
        assert_eq!(text, "../|Requests|ab|True|False");
        // Only a struct has fields to spread.
        let error = render(&template, &Spread(&vec![1, 2])).unwrap_err();
        assert!(error.to_string().contains("must be a struct"), "{error}");
    }
}
