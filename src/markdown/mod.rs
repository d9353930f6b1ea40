//! Markdown structure, read with pulldown-cmark, and rendered to HTML ([`html`]). This is the
//! only module that knows pulldown-cmark.

pub mod html;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::borrow::Cow;
use std::ops::Range;

/// The extensions Obsidian users write, without YAML metadata blocks: the properties block is
/// removed before a body is parsed, and a `---` pair further down is body text.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_WIKILINKS
}

/// The lines of `text` with their line breaks, as `text.split_inclusive('\n')` gives them,
/// each break found with SIMD: parsing a note goes through its lines several times.
pub fn lines_inclusive(text: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    memchr::memchr_iter(b'\n', text.as_bytes())
        .map(|at| at + 1)
        .chain(std::iter::once(text.len()))
        .filter_map(move |end| {
            let line = &text[start..end];
            start = end;
            (!line.is_empty()).then_some(line)
        })
}

/// Blanks out Obsidian comments (`%% … %%`, inline or over several lines), keeping every byte
/// offset and line break so positions in the result are positions in the file. `%%` inside
/// fenced code or an inline code span is text, not a comment.
pub fn strip_comments(text: &str) -> Cow<'_, str> {
    if !text.contains("%%") {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let mut in_comment = false;
    let mut fence: Option<(u8, usize)> = None;
    let mut line_start = 0;
    while line_start < bytes.len() {
        let line_end =
            memchr::memchr(b'\n', &bytes[line_start..]).map_or(bytes.len(), |i| line_start + i + 1);
        let line = &text[line_start..line_end];
        if !in_comment {
            if let Some((ch, len)) = fence {
                if fence_of(line).is_some_and(|(c, l)| c == ch && l >= len) {
                    fence = None;
                }
                line_start = line_end;
                continue;
            }
            if let Some(open) = fence_of(line) {
                fence = Some(open);
                line_start = line_end;
                continue;
            }
        }
        let mut i = line_start;
        let mut code_ticks = 0usize;
        while i < line_end {
            if !in_comment {
                // Outside a comment only a backtick or `%` can change anything: skip to it.
                let next = if code_ticks == 0 {
                    memchr::memchr2(b'`', b'%', &bytes[i..line_end])
                } else {
                    memchr::memchr(b'`', &bytes[i..line_end])
                };
                match next {
                    Some(skip) => i += skip,
                    None => break,
                }
            }
            if !in_comment && bytes[i] == b'`' {
                let run = bytes[i..line_end]
                    .iter()
                    .take_while(|&&b| b == b'`')
                    .count();
                code_ticks = if code_ticks == run {
                    0
                } else if code_ticks == 0 {
                    run
                } else {
                    code_ticks
                };
                i += run;
                continue;
            }
            if code_ticks == 0 && bytes[i] == b'%' && bytes.get(i + 1) == Some(&b'%') {
                out[i] = b' ';
                out[i + 1] = b' ';
                in_comment = !in_comment;
                i += 2;
                continue;
            }
            if in_comment && bytes[i] != b'\n' && bytes[i] != b'\r' {
                out[i] = b' ';
            }
            i += 1;
        }
        line_start = line_end;
    }
    // Only whole characters were replaced by ASCII spaces, so the bytes are still UTF-8.
    Cow::Owned(
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
    )
}

/// Removes what never leaves the vault: comments and `> [!private]` callouts, blanked in place
/// so every offset and line stays where it was in the file.
pub fn redact(text: &str) -> Cow<'_, str> {
    match strip_comments(text) {
        Cow::Borrowed(text) => strip_private_callouts(text),
        Cow::Owned(text) => Cow::Owned(strip_private_callouts(&text).into_owned()),
    }
}

/// The block-quote depth of a line (`> > x` is 2) and whether it is blank after the markers.
fn quote_depth(line: &str) -> (usize, &str) {
    let mut depth = 0;
    let mut rest = line;
    loop {
        let trimmed = rest.trim_start_matches([' ', '\t']);
        if rest.len() - trimmed.len() > 3 && depth == 0 {
            return (0, rest);
        }
        match trimmed.strip_prefix('>') {
            Some(after) => {
                depth += 1;
                rest = after;
            }
            None => return (depth, trimmed),
        }
    }
}

fn is_private_callout(after_markers: &str) -> bool {
    let lower = after_markers.trim_start().to_ascii_lowercase();
    lower.starts_with("[!private]")
}

/// A line that cannot continue a paragraph lazily: it starts a block of its own.
fn starts_block(content: &str) -> bool {
    let t = content.trim_start();
    t.starts_with('#')
        || t.starts_with("```")
        || t.starts_with("~~~")
        || t.starts_with("- ")
        || t.starts_with("* ")
        || t.starts_with("+ ")
        || t == "---"
        || t == "***"
}

/// Blanks every `> [!private]` callout with all its lines, nested callouts included, and the
/// lazy continuation lines of its paragraphs.
pub fn strip_private_callouts(text: &str) -> Cow<'_, str> {
    // `[!private]` in any case, looked for without a lower-case copy of the note.
    let private = text.match_indices("[!").any(|(at, _)| {
        text.as_bytes()[at + 2..]
            .get(..8)
            .is_some_and(|word| word.eq_ignore_ascii_case(b"private]"))
    });
    if !private {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut private_depth: Option<usize> = None;
    for line in lines_inclusive(text) {
        let (depth, content) = quote_depth(line);
        if let Some(d) = private_depth {
            let blank = content.trim().is_empty() && depth == 0;
            let ends = blank || (depth > 0 && depth < d) || (depth == 0 && starts_block(content));
            if ends {
                private_depth = None;
            }
        }
        if private_depth.is_none() && depth > 0 && is_private_callout(content) {
            private_depth = Some(depth);
        }
        if private_depth.is_some() {
            for c in line.chars() {
                match c {
                    '\n' | '\r' => out.push(c),
                    // One space per byte keeps every offset after it in place.
                    _ => out.extend(std::iter::repeat_n(' ', c.len_utf8())),
                }
            }
        } else {
            out.push_str(line);
        }
    }
    Cow::Owned(out)
}

fn fence_of(line: &str) -> Option<(u8, usize)> {
    let trimmed = line.trim_start_matches(' ');
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    let ch = *trimmed.as_bytes().first()?;
    if ch != b'`' && ch != b'~' {
        return None;
    }
    let len = trimmed.bytes().take_while(|&b| b == ch).count();
    (len >= 3).then_some((ch, len))
}

/// A heading or list item of a body, with byte ranges into the text that was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Element {
    Heading {
        level: u8,
        text: String,
        range: Range<usize>,
    },
    ListItem {
        /// 1 for an item of a top-level list, 2 for an item nested in one, and so on.
        depth: usize,
        /// The item's own lines, before any nested list.
        own: Range<usize>,
        /// Inside a block quote or callout.
        quoted: bool,
    },
}

/// The headings and list items of `text`, in document order.
pub fn outline(text: &str) -> Vec<Element> {
    let mut elements = Vec::new();
    let mut open_items: Vec<usize> = Vec::new();
    let mut heading: Option<(u8, String, Range<usize>)> = None;
    let mut quotes = 0usize;
    for (event, range) in Parser::new_ext(text, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((level_number(level), String::new(), range));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text, range)) = heading.take() {
                    elements.push(Element::Heading {
                        level,
                        text: text.trim().to_owned(),
                        range,
                    });
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, text, _)) = heading.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some((_, text, _)) = heading.as_mut() {
                    text.push(' ');
                }
            }
            Event::Start(Tag::BlockQuote(_)) => quotes += 1,
            Event::End(TagEnd::BlockQuote(_)) => quotes = quotes.saturating_sub(1),
            Event::Start(Tag::List(_)) => {
                if let Some(&index) = open_items.last() {
                    if let Element::ListItem { own, .. } = &mut elements[index] {
                        if own.end > range.start {
                            own.end = range.start;
                        }
                    }
                }
            }
            Event::Start(Tag::Item) => {
                open_items.push(elements.len());
                elements.push(Element::ListItem {
                    depth: open_items.len(),
                    own: range,
                    quoted: quotes > 0,
                });
            }
            Event::End(TagEnd::Item) => {
                open_items.pop();
            }
            _ => {}
        }
    }
    elements
}

fn level_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_cut_as_split_inclusive_cuts_them() {
        for text in [
            "",
            "\n",
            "\n\n",
            "a",
            "a\n",
            "a\nb",
            "a\r\nb\r\n",
            "\nx",
            "é\n\n ü\n",
        ] {
            let ours: Vec<&str> = lines_inclusive(text).collect();
            let std: Vec<&str> = text.split_inclusive('\n').collect();
            assert_eq!(ours, std, "{text:?}");
        }
    }

    #[test]
    fn comments_are_blanked_in_place() {
        let text = "a %%secret%% b\n%%\nhidden\n%%\nc";
        let stripped = strip_comments(text);
        assert_eq!(stripped.len(), text.len());
        assert_eq!(stripped, "a            b\n  \n      \n  \nc");
    }

    #[test]
    fn percent_signs_in_code_are_not_comments() {
        let text = "```\n%% kept %%\n```\n`%%` and %%gone%%";
        let stripped = strip_comments(text);
        assert!(stripped.contains("%% kept %%"));
        assert!(stripped.contains("`%%`"));
        assert!(!stripped.contains("gone"));
    }

    #[test]
    fn multibyte_text_inside_a_comment_stays_utf8() {
        let stripped = strip_comments("x %%é ✅%% y");
        assert_eq!(stripped.len(), "x %%é ✅%% y".len());
        assert!(stripped.starts_with("x ") && stripped.ends_with(" y"));
    }

    #[test]
    fn private_callouts_are_blanked_with_their_nested_lines() {
        let text = "a\n> [!private] Title\n> secret one\n> > [!note]\n> > secret two\nlazy secret\n\nafter\n> [!tip]\n> kept\n";
        let redacted = redact(text);
        assert_eq!(redacted.len(), text.len());
        assert_eq!(redacted.lines().count(), text.lines().count());
        for secret in ["secret", "Title", "private"] {
            assert!(!redacted.contains(secret), "{secret} in {redacted:?}");
        }
        assert!(
            redacted.contains("after") && redacted.contains("kept") && redacted.starts_with("a\n")
        );
    }

    #[test]
    fn a_private_callout_nested_in_another_keeps_its_parent() {
        let text = "> [!note] Outer\n> shown\n> > [!PRIVATE]\n> > hidden é\n> shown again\n";
        let redacted = redact(text);
        assert_eq!(redacted.len(), text.len());
        assert!(redacted.contains("Outer") && redacted.contains("shown again"));
        assert!(!redacted.contains("hidden"));
    }

    #[test]
    fn list_items_know_their_depth_and_own_lines() {
        let text = "## Help\n- [ ] one ^a\n    - outcome:: yes\n- two\n> - quoted\n";
        let elements = outline(text);
        let items: Vec<_> = elements
            .iter()
            .filter_map(|e| match e {
                Element::ListItem { depth, own, quoted } => {
                    Some((*depth, text[own.clone()].trim(), *quoted))
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            items,
            [
                (1, "- [ ] one ^a", false),
                (2, "- outcome:: yes", false),
                (1, "- two", false),
                (1, "- quoted", true)
            ]
        );
        assert!(matches!(&elements[0], Element::Heading { level: 2, text, .. } if text == "Help"));
    }
}
