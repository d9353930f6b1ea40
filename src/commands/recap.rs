//! `upward recap`: the follow-up note to the manager after a meeting: its outcomes, decisions
//! and agreements, the requests for help with their age, the follow-ups; as text, Markdown, an
//! `.eml` message or a `mailto:` link. `--mark-sent` records `recap_sent` in the note.

use crate::commands::times;
use crate::config::Kind;
use crate::date::Date;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::note::{Note, NoteKind, plain_text};
use crate::task::Status;
use crate::vault::Vault;
use crate::write;
use std::fmt::Write as _;
use std::path::Path;

/// How the recap is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Text,
    Markdown,
    Eml,
}

/// A request for help as the recap lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecapRequest {
    pub id: String,
    pub text: String,
    pub status: Status,
    /// When it was first raised.
    pub raised: Date,
    /// How many meetings raised it, up to and including this one.
    pub times: usize,
}

/// What a recap says about one meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recap {
    /// Index of the meeting note in the vault.
    pub note: usize,
    pub date: Date,
    pub person: Option<String>,
    /// The person's address, from their note's `email` property.
    pub to: Option<String>,
    /// Outcomes, decisions and agreements, each with the heading it stood under.
    pub outcomes: Vec<(String, String)>,
    pub requests: Vec<RecapRequest>,
    pub follow_ups: Vec<(String, Status)>,
}

impl Recap {
    /// The subject line, with the meeting's date.
    pub fn subject(&self) -> String {
        format!("Recap of our 1:1 on {}", self.date)
    }
}

/// The meeting a recap is about: a path (from the working folder or the vault), a note name,
/// or a date; without one, the latest 1:1.
pub fn find_note(vault: &Vault, model: &Model, which: Option<&str>) -> Result<usize> {
    let meetings = || model.meetings.iter().map(|m| m.note);
    let Some(which) = which else {
        let latest = model
            .meetings
            .iter()
            .rev()
            .find(|m| vault.notes[m.note].kind == NoteKind::OneOnOne)
            .or(model.meetings.last());
        return latest
            .map(|m| m.note)
            .ok_or_else(|| Error::Invalid("the vault has no 1:1 with a date to recap".to_owned()));
    };
    let as_path = Path::new(which);
    let relative = if as_path.is_absolute() || as_path.exists() {
        let absolute = std::fs::canonicalize(as_path).ok();
        let root = std::fs::canonicalize(&vault.root).ok();
        match (absolute, root) {
            (Some(a), Some(r)) => a
                .strip_prefix(&r)
                .ok()
                .map(|p| crate::vault::relative(Path::new(""), p)),
            _ => None,
        }
    } else {
        None
    };
    let wanted = which.trim_end_matches(".md").to_lowercase();
    let found = meetings().find(|&i| {
        let note = &vault.notes[i];
        relative.as_deref() == Some(note.path.as_str())
            || note.path.trim_end_matches(".md").to_lowercase() == wanted
            || note.name.to_lowercase() == wanted
            || note.date.map(|d| d.to_string()).as_deref() == Some(which)
    });
    found.ok_or_else(|| Error::Invalid(format!("no meeting note `{which}` in the vault")))
}

/// The email address of a person: the `email` property of their note.
fn email_of(vault: &Vault, person: &str) -> Option<String> {
    vault
        .notes
        .iter()
        .filter(|n| !n.kind.is_meeting() && n.name.eq_ignore_ascii_case(person))
        .find_map(|n| n.properties.extra.get("email")?.as_str().map(str::to_owned))
        .filter(|e| e.contains('@'))
}

/// Gathers the recap of the meeting note at `index`.
pub fn recap(vault: &Vault, model: &Model, index: usize) -> Recap {
    let note: &Note = &vault.notes[index];
    let date = note.date.unwrap_or(model.today);
    let person = note.person().map(str::to_owned);
    let outcomes = note
        .items
        .iter()
        .filter(|i| i.kind == Kind::Outcomes)
        .map(|i| (i.section.to_string(), i.text.clone()))
        .collect();
    let mut requests = Vec::new();
    let mut follow_ups = Vec::new();
    for item in &note.items {
        match item.kind {
            Kind::Requests => {
                let record = model.requests.iter().find(|r| r.id == item.id);
                let times =
                    record.map_or(1, |r| r.events.iter().filter(|e| e.meeting <= date).count());
                requests.push(RecapRequest {
                    id: item.id.clone(),
                    text: item.text.clone(),
                    status: item.status.unwrap_or(Status::Open),
                    raised: record.map_or(date, |r| r.raised),
                    times,
                });
            }
            Kind::FollowUps => {
                follow_ups.push((item.text.clone(), item.status.unwrap_or(Status::Open)))
            }
            _ => {}
        }
    }
    Recap {
        note: index,
        date,
        to: person.as_deref().and_then(|p| email_of(vault, p)),
        person,
        outcomes,
        requests,
        follow_ups,
    }
}

fn status_words(status: Status) -> &'static str {
    match status {
        Status::Open => "open",
        Status::InProgress => "in progress",
        Status::Done => "done",
        Status::Declined => "declined",
    }
}

/// The recap as plain text (`markdown: false`) or Markdown.
pub fn render(recap: &Recap, markdown: bool) -> String {
    let clean = |text: &str| {
        if markdown {
            text.to_owned()
        } else {
            plain_text(text)
        }
    };
    let heading = |out: &mut String, title: &str| {
        if markdown {
            let _ = writeln!(out, "\n## {title}\n");
        } else {
            let _ = writeln!(out, "\n{title}\n{}", "-".repeat(title.chars().count()));
        }
    };
    let mut out = String::new();
    if markdown {
        let _ = writeln!(out, "# {}", recap.subject());
    }
    let greeting = recap
        .person
        .as_deref()
        .and_then(|p| p.split_whitespace().next())
        .map_or_else(|| "Hi,".to_owned(), |first| format!("Hi {first},"));
    let _ = writeln!(
        out,
        "{}{greeting}\n\nThanks for our 1:1 on {}. Here is what I took away.",
        if markdown { "\n" } else { "" },
        recap.date
    );
    if !recap.outcomes.is_empty() {
        let mut current = "";
        for (section, text) in &recap.outcomes {
            let title = if section.eq_ignore_ascii_case("outcomes") {
                "Outcomes"
            } else {
                section.as_str()
            };
            if title != current {
                heading(&mut out, title);
                current = title;
            }
            let _ = writeln!(out, "- {}", clean(text));
        }
    }
    if !recap.requests.is_empty() {
        heading(&mut out, "Requests for help");
        for r in &recap.requests {
            let _ = writeln!(
                out,
                "- {} ({}; first raised {}, raised {})",
                clean(&r.text),
                status_words(r.status),
                r.raised,
                times(r.times)
            );
        }
    }
    if !recap.follow_ups.is_empty() {
        heading(&mut out, "What you asked me to follow up on");
        for (text, status) in &recap.follow_ups {
            let _ = writeln!(out, "- {} ({})", clean(text), status_words(*status));
        }
    }
    out
}

/// The recap as an RFC 5322 message, dated `now` (seconds since 1970).
pub fn eml(recap: &Recap, from: &str, now: i64) -> Result<Vec<u8>> {
    // `Name <address>` or a bare address.
    let sender: mail_builder::headers::address::Address = match from
        .trim()
        .strip_suffix('>')
        .and_then(|f| f.rsplit_once('<'))
    {
        Some((name, address)) if !name.trim().is_empty() => (
            name.trim().trim_matches('"').to_owned(),
            address.trim().to_owned(),
        )
            .into(),
        Some((_, address)) => address.trim().to_owned().into(),
        None => from.trim().to_owned().into(),
    };
    let mut message = mail_builder::MessageBuilder::new()
        .from(sender)
        .subject(recap.subject())
        .date(now)
        .message_id(format!("recap-{}-{now}@upward.invalid", recap.date))
        .text_body(render(recap, false));
    if let Some(to) = &recap.to {
        message = match &recap.person {
            Some(name) => message.to((name.clone(), to.clone())),
            None => message.to(to.clone()),
        };
    }
    message
        .write_to_vec()
        .map_err(|e| Error::Invalid(format!("cannot write the message: {e}")))
}

/// The recap as a `mailto:` link (RFC 6068): the address, then the subject and body
/// percent-encoded, lines ending in `%0D%0A`.
pub fn mailto(recap: &Recap) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    const KEEP: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    let encode = |text: &str| utf8_percent_encode(text, KEEP).to_string();
    let body = render(recap, false).replace('\n', "\r\n");
    let to = recap
        .to
        .as_deref()
        .map(|t| encode(t).replace("%40", "@"))
        .unwrap_or_default();
    format!(
        "mailto:{to}?subject={}&body={}",
        encode(&recap.subject()),
        encode(&body)
    )
}

/// What `upward recap` was asked for.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The meeting: a path, note name or date; the latest 1:1 without one.
    pub note: Option<String>,
    pub format: Format,
    /// A `mailto:` link instead of the recap.
    pub mailto: bool,
    /// Record `recap_sent` in the note afterwards.
    pub mark_sent: bool,
    /// The sender of an `.eml` message.
    pub from: Option<String>,
}

/// Now, in seconds since 1970: noon of `UPWARD_TODAY` when that is set, for reproducible output.
fn now_seconds() -> i64 {
    if std::env::var("UPWARD_TODAY").is_ok() {
        return crate::date::today()
            .and_hms_opt(12, 0, 0)
            .map_or(0, |t| t.and_utc().timestamp());
    }
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Prints the recap to `out`, then marks the note as sent when asked.
pub fn run(
    vault: &Vault,
    model: &Model,
    options: &Options,
    out: &mut dyn std::io::Write,
) -> Result<()> {
    let index = find_note(vault, model, options.note.as_deref())?;
    let recap = recap(vault, model, index);
    let bytes = if options.mailto {
        format!("{}\n", mailto(&recap)).into_bytes()
    } else {
        match options.format {
            Format::Text => render(&recap, false).into_bytes(),
            Format::Markdown => render(&recap, true).into_bytes(),
            Format::Eml => {
                let from = options
                    .from
                    .clone()
                    .or_else(|| std::env::var("EMAIL").ok())
                    .unwrap_or_else(|| "me@localhost".to_owned());
                eml(&recap, &from, now_seconds())?
            }
        }
    };
    out.write_all(&bytes).map_err(|e| Error::io("stdout", e))?;
    if options.mark_sent {
        let today = crate::date::today();
        mark_sent(vault, index, today)?;
        eprintln!("marked {} as sent on {today}", vault.notes[index].path);
    }
    Ok(())
}

/// Records `recap_sent: DATE` in the note: the one line changed, or added before the end of
/// the properties (a properties block is added when there is none); no other byte changes.
pub fn mark_sent(vault: &Vault, index: usize, day: Date) -> Result<()> {
    let path = vault.root.join(&vault.notes[index].path);
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::Invalid(format!("{}: not UTF-8; not changed", path.display())))?;
    write::replace(&path, with_recap_sent(&text, day).as_bytes())
}

/// The text of a note with `recap_sent` set to `day`.
pub fn with_recap_sent(text: &str, day: Date) -> String {
    let (bom, body) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    };
    let newline = if body.contains("\r\n") { "\r\n" } else { "\n" };
    let split = crate::frontmatter::split(body);
    let Some(yaml) = split.yaml.filter(|_| !split.unclosed) else {
        return format!("{bom}---{newline}recap_sent: {day}{newline}---{newline}{body}");
    };
    let yaml_start = body.find('\n').map_or(0, |i| i + 1);
    let mut out = String::with_capacity(text.len() + 24);
    out.push_str(bom);
    out.push_str(&body[..yaml_start]);
    let mut replaced = false;
    for line in yaml.split_inclusive('\n') {
        let is_key = line.starts_with("recap_sent:") && !replaced;
        if is_key {
            let ending = if line.ends_with("\r\n") {
                "\r\n"
            } else if line.ends_with('\n') {
                "\n"
            } else {
                ""
            };
            out.push_str(&format!("recap_sent: {day}{ending}"));
            replaced = true;
        } else {
            out.push_str(line);
        }
    }
    if !replaced {
        out.push_str(&format!("recap_sent: {day}{newline}"));
    }
    out.push_str(&body[yaml_start + yaml.len()..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> Date {
        crate::date::parse("2026-11-18").unwrap()
    }

    #[test]
    fn mark_sent_changes_one_line_or_adds_one() {
        let text =
            "---\ntype: one-on-one\nrecap_sent: 2026-01-01\ndate: 2026-11-17\n---\nbody ---\n";
        assert_eq!(
            with_recap_sent(text, day()),
            "---\ntype: one-on-one\nrecap_sent: 2026-11-18\ndate: 2026-11-17\n---\nbody ---\n"
        );
        let text = "---\r\ndate: 2026-11-17\r\n---\r\nbody\r\n";
        assert_eq!(
            with_recap_sent(text, day()),
            "---\r\ndate: 2026-11-17\r\nrecap_sent: 2026-11-18\r\n---\r\nbody\r\n"
        );
        assert_eq!(
            with_recap_sent("body\n", day()),
            "---\nrecap_sent: 2026-11-18\n---\nbody\n"
        );
        let bom = "\u{feff}---\ndate: 2026-11-17\n---\n";
        assert_eq!(
            with_recap_sent(bom, day()),
            "\u{feff}---\ndate: 2026-11-17\nrecap_sent: 2026-11-18\n---\n"
        );
    }
}
