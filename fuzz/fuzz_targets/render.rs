//! Any text as a note body rendered to HTML: never a panic, and never a script.
#![no_main]

use libfuzzer_sys::fuzz_target;
use upward::markdown::html::{Resolver, Target, render};

struct Nothing;

impl Resolver for Nothing {
    fn resolve(&self, target: &str, _wikilink: bool) -> Option<Target> {
        (target.len() % 2 == 0).then(|| Target::Page(format!("../{target}/")))
    }
    fn tag_url(&self, tag: &str) -> String {
        format!("../tags/{tag}/")
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let html = render(&upward::markdown::redact(&text), &[], &Nothing).html.to_lowercase();
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("javascript:") || !html.contains("href=\"javascript:"), "{html}");
});
