//! Any text as a note body rendered to HTML: never a panic, and never a script. What `check`
//! reads of the same body (its links and anchors) is found where the page has it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use upward::markdown::html::{Resolver, Target, linkage, render};

struct Nothing;

impl Resolver for Nothing {
    fn resolve(&self, target: &str, _wikilink: bool) -> Option<Target> {
        (target.len() % 2 == 0).then(|| Target::Page(format!("../{target}/")))
    }
    fn tag_url(&self, tag: &str) -> String {
        format!("../tags/{tag}/")
    }
}

/// The attributes of a tag's inside: (name, value), quotes respected.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut chars = tag.chars().peekable();
    // Skip the tag name.
    while chars.peek().is_some_and(|c| !c.is_whitespace()) {
        chars.next();
    }
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() || c == '=' {
                break;
            }
            name.push(c);
            chars.next();
        }
        if name.is_empty() && chars.peek().is_none() {
            return found;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'=') {
            chars.next();
            match chars.peek().copied() {
                Some(q @ ('"' | '\'')) => {
                    chars.next();
                    for c in chars.by_ref() {
                        if c == q {
                            break;
                        }
                        value.push(c);
                    }
                }
                _ => {
                    while let Some(&c) = chars.peek() {
                        if c.is_whitespace() {
                            break;
                        }
                        value.push(c);
                        chars.next();
                    }
                }
            }
        }
        if name.is_empty() {
            chars.next();
        }
        found.push((name, value));
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let body = upward::markdown::redact(&text);
    let rendered = render(&body, &[], &Nothing);
    let linkage = linkage(&body);
    for link in &linkage.links {
        assert!(link.at < body.len() && body.is_char_boundary(link.at), "{link:?}");
    }
    if !rendered.sanitized {
        for anchor in &linkage.anchors {
            if !anchor.contains(['&', '<', '>', '"', '\'']) {
                let id = format!("id=\"{anchor}\"");
                assert!(rendered.html.contains(&id), "{id} in {}", rendered.html);
            }
        }
    }
    let html = rendered.html.to_lowercase();
    // Text escapes `<`, so every `<…>` of the output is a real tag: none may run script.
    let mut rest = html.as_str();
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').map_or(rest.len(), |e| start + e);
        let tag = &rest[start + 1..end];
        assert!(!tag.starts_with("script"), "{html}");
        for (name, value) in attributes(tag) {
            assert!(!name.starts_with("on"), "{tag} in {html}");
            let url: String = value.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
            let is_url = matches!(name.as_str(), "href" | "src" | "action" | "formaction" | "srcset");
            assert!(!(is_url && url.starts_with("javascript:")), "{tag} in {html}");
        }
        rest = &rest[end..];
    }
});
