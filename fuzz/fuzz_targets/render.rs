//! Any text as a note body rendered to HTML: never a panic, and never a script. What `check`
//! reads of the same body (its links and anchors) is found where the page has it. A body that
//! embeds notes is rendered with each embed showing the part of the body itself it names.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::borrow::Cow;
use std::cell::Cell;
use upward::markdown::html::{Resolver, Target, Transclusion, linkage, render, render_embedded};

struct Nothing;

impl Resolver for Nothing {
    fn resolve(&self, target: &str, _wikilink: bool) -> Option<Target> {
        (target.len() % 2 == 0).then(|| Target::Page(format!("../{target}/")))
    }
    fn tag_url(&self, tag: &str) -> String {
        format!("../tags/{tag}/")
    }
}

/// Resolves as [`Nothing`] does, and embeds the part of `body` an embed names, three deep and
/// up to a MiB of it, as the site does.
struct Embedding<'a> {
    body: &'a str,
    depth: Cell<usize>,
    left: Cell<usize>,
}

impl Resolver for Embedding<'_> {
    fn resolve(&self, target: &str, wikilink: bool) -> Option<Target> {
        Nothing.resolve(target, wikilink)
    }
    fn tag_url(&self, tag: &str) -> String {
        Nothing.tag_url(tag)
    }
    fn transclude(&self, target: &str, _wikilink: bool) -> Option<Transclusion> {
        if self.depth.get() >= 3 {
            return None;
        }
        let part = match upward::links::fragment(target) {
            Some(fragment) => upward::markdown::section(self.body, fragment)?,
            None => Cow::Borrowed(self.body),
        };
        self.left.set(self.left.get().checked_sub(part.len())?);
        self.depth.set(self.depth.get() + 1);
        let html = render_embedded(&part, self).html;
        self.depth.set(self.depth.get() - 1);
        Some(Transclusion {
            url: format!("../{target}/"),
            title: target.to_owned(),
            html,
        })
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
    // Every embed the renderer finds is among those a page's key reads from the text.
    if let Some(targets) = upward::markdown::embed_targets(&body) {
        let named = |target: &str| target.split('|').next().unwrap_or("").trim().to_owned();
        for link in linkage.links.iter().filter(|l| l.embed) {
            assert!(
                targets
                    .iter()
                    .any(|(t, w)| *w == link.wikilink && named(t) == named(&link.target)),
                "{link:?} not among {targets:?}"
            );
        }
    }
    let embedding = Embedding {
        body: &body,
        depth: Cell::new(0),
        left: Cell::new(1 << 20),
    };
    let embedded = render(&body, &[], &embedding).html;
    for html in [rendered.html.to_lowercase(), embedded.to_lowercase()] {
        no_script(&html);
    }
});

fn no_script(html: &str) {
    // Text escapes `<`, so every `<…>` of the output is a real tag: none may run script.
    let mut rest = html;
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
}
