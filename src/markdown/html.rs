//! A note body rendered to HTML as Obsidian shows it: wikilinks resolved, embeds, callouts,
//! highlights, tags, task states and block anchors. Raw HTML in a note is sanitized with
//! ammonia; links with a script scheme are dropped.

use super::options;
use crate::seen::Seen;
use crate::slug::{escape_html, escape_html_to, slugify};
use crate::task;
use pulldown_cmark::{CowStr, Event, LinkType, Parser, Tag, TagEnd};
use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
use std::ops::Range;

/// What a link or embed in a note points to on the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A page (with a `#fragment` when the link names a heading or block).
    Page(String),
    /// A file copied to the site, such as an image.
    Attachment(String),
}

/// Resolves links of one note to URLs of the site.
pub trait Resolver {
    /// A wikilink's inner text (`Note#Heading`, `Folder/Note`, `#^block`) or a relative
    /// Markdown link (`Other%20Note.md`), or `None` when it is not a published page or file.
    fn resolve(&self, target: &str, wikilink: bool) -> Option<Target>;
    /// The URL of a tag's page.
    fn tag_url(&self, tag: &str) -> String;
    /// What an embed of a note shows in its place (`![[Note]]`, `![[Note#Heading]]`,
    /// `![[Note#^block]]`, `![](Note.md)`): the note, or that part of it, rendered for this
    /// page. `None` (the default) when the embed names no published note, or no more may be
    /// shown here: the embed is then a link.
    fn transclude(&self, _target: &str, _wikilink: bool) -> Option<Transclusion> {
        None
    }
}

/// A note, or a part of it, shown inside another note's page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transclusion {
    /// The page (and anchor) it comes from.
    pub url: String,
    /// What the link to it says.
    pub title: String,
    /// Its HTML, rendered without IDs (see [`render_embedded`]).
    pub html: String,
}

/// A note body as HTML.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    pub html: String,
    /// Whether the note held raw HTML (then the result went through the sanitizer).
    pub sanitized: bool,
}

/// A link or embed of a body, as the renderer reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkAt {
    /// The byte offset in the body where it starts.
    pub at: usize,
    /// What it points to, as [`Resolver::resolve`] is given it: a wikilink's inner text
    /// without its alias, or a relative Markdown link's URL, decoded.
    pub target: String,
    pub wikilink: bool,
    /// An embed (`![[…]]`, `![…](…)`) rather than a link.
    pub embed: bool,
}

/// What the page made from a body links to, and what on it can be linked to: the links and
/// embeds it resolves (not those to the web), and the IDs of its headings and block anchors.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Linkage {
    pub links: Vec<LinkAt>,
    pub anchors: Vec<String>,
}

/// The callout types Obsidian knows, with their aliases.
fn callout_type(name: &str) -> &'static str {
    match name.to_ascii_lowercase().as_str() {
        "abstract" | "summary" | "tldr" => "abstract",
        "info" => "info",
        "todo" => "todo",
        "tip" | "hint" | "important" => "tip",
        "success" | "check" | "done" => "success",
        "question" | "help" | "faq" => "question",
        "warning" | "caution" | "attention" => "warning",
        "failure" | "fail" | "missing" => "failure",
        "danger" | "error" => "danger",
        "bug" => "bug",
        "example" => "example",
        "quote" | "cite" => "quote",
        _ => "note",
    }
}

/// Whether a callout folds, as the sign after its `[!type]` says: `-` folded, `+` unfolded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fold {
    No,
    Open,
    Closed,
}

/// The HTML that ends a callout's title and starts its content, and the HTML that ends the
/// callout, for a callout that folds (a `<details>` element, which folds without script) and
/// one that does not.
fn callout_html(fold: Fold) -> (&'static str, &'static str) {
    match fold {
        Fold::No => ("</p><div class=\"callout-content\">", "</div></div>\n"),
        Fold::Open | Fold::Closed => (
            "</summary><div class=\"callout-content\">",
            "</div></details>\n",
        ),
    }
}

/// `[!type]+ Title` at the start of a block quote's first line: its type, whether it folds,
/// and where its title starts in `quote_source`, or, when it has none (the type names it),
/// where the line ends.
fn callout_header(quote_source: &str) -> Option<(&'static str, Fold, Result<usize, usize>)> {
    // The `[!` is looked for before the end of the line: a line of thousands of nested quotes
    // (`>>>>…`) would otherwise cost its length for each of them.
    let in_line = |c: char| c.is_whitespace() && c != '\n';
    let rest = quote_source
        .trim_start_matches(in_line)
        .strip_prefix('>')?
        .trim_start_matches(in_line);
    let rest = rest.strip_prefix("[!")?;
    let line = quote_source.lines().next()?;
    let rest = line.get(quote_source.len() - rest.len()..)?;
    let close = rest.find(']')?;
    let name = &rest[..close];
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    {
        return None;
    }
    let after = &rest[close + 1..];
    let fold = match after.as_bytes().first() {
        Some(b'-') => Fold::Closed,
        Some(b'+') => Fold::Open,
        _ => Fold::No,
    };
    let title = after.trim_start_matches(['+', '-']);
    let title = title.trim_start();
    let start = if title.trim_end().is_empty() {
        Err(line.len())
    } else {
        Ok(line.len() - title.len())
    };
    Some((callout_type(name), fold, start))
}

/// Whether a link destination is safe to keep: a relative URL, a fragment, or a scheme that
/// cannot run script.
pub fn safe_url(url: &str) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    match cleaned.find([':', '/', '?', '#']) {
        Some(i) if cleaned.as_bytes()[i] == b':' => {
            matches!(&cleaned[..i], "http" | "https" | "mailto" | "tel")
        }
        _ => true,
    }
}

pub(super) fn is_relative(url: &str) -> bool {
    !url.starts_with('#') && !url.starts_with('/') && !url.contains(':')
}

pub(super) fn percent_decode(text: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16);
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A task mark's status as a class, as words for a screen reader, and as a symbol.
fn status_mark(mark: char) -> (&'static str, &'static str, &'static str) {
    match task::Status::from_checkbox(mark) {
        task::Status::Open => ("open", "open", "☐"),
        task::Status::InProgress => ("in-progress", "in progress", "◐"),
        task::Status::Done => ("done", "done", "☑"),
        task::Status::Declined => ("declined", "declined", "☒"),
    }
}

fn checkbox_of(item_source: &str) -> Option<char> {
    let t = item_source.trim_start();
    // An item's marker: pulldown-cmark makes items of no other.
    let t = t[super::marker_length(t.as_bytes())?..].trim_start();
    let rest = t.strip_prefix('[')?;
    let mut chars = rest.chars();
    let mark = chars.next()?;
    let after = chars.as_str().strip_prefix(']')?;
    (after.is_empty() || after.starts_with([' ', '\t', '\n', '\r'])).then_some(mark)
}

/// The web addresses of a body that are links without being written as links, as Obsidian
/// (and GitHub) reads them: `https://…`, `http://…` and `www.…` at the start of a line, after
/// white space or after one of `*_~(`, up to white space or `<`, without the punctuation that
/// ends a sentence (`.` `,` `:` `;` `!` `?` `*` `_` `~`), a `)` it does not open, or an entity
/// such as `&amp;` at the end. In order, not overlapping.
fn web_addresses(body: &str) -> Vec<Range<usize>> {
    let bytes = body.as_bytes();
    let mut starts: Vec<usize> = memchr::memmem::find_iter(bytes, b"://")
        .filter_map(|at| {
            [5, 4].into_iter().find_map(|scheme: usize| {
                let start = at.checked_sub(scheme)?;
                bytes[start..at]
                    .eq_ignore_ascii_case(&b"https"[..scheme])
                    .then_some(start)
            })
        })
        .collect();
    starts.extend(memchr::memmem::find_iter(bytes, b"www."));
    starts.sort_unstable();
    let mut found: Vec<Range<usize>> = Vec::new();
    for start in starts {
        if found.last().is_some_and(|last| start < last.end) {
            continue;
        }
        let before = body[..start].chars().next_back();
        if before.is_some_and(|c| !c.is_whitespace() && !"*_~(".contains(c)) {
            continue;
        }
        if let Some(end) = web_address_end(body, start) {
            found.push(start..end);
        }
    }
    found
}

/// Where the web address starting at `start` ends, if one does (see [`web_addresses`]).
fn web_address_end(body: &str, start: usize) -> Option<usize> {
    let bytes = body.as_bytes();
    let www = bytes[start..].starts_with(b"www.");
    let host = if www {
        start
    } else {
        start + body[start..].find("://")? + 3
    };
    let host_len = bytes[host..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        .count();
    let domain = body[host..host + host_len].trim_end_matches('.');
    // A domain has a name; its last two parts have no `_`; after `www.` it has another part.
    if domain.is_empty()
        || domain.rsplit('.').take(2).any(|part| part.contains('_'))
        || (www && domain.len() <= 4)
    {
        return None;
    }
    let mut end = host
        + host_len
        + bytes[host + host_len..]
            .iter()
            .take_while(|&&b| !b.is_ascii_whitespace() && b != b'<' && b != b'`')
            .count();
    loop {
        let address = &body[start..end];
        match address.as_bytes().last() {
            Some(b'?' | b'!' | b'.' | b',' | b':' | b'*' | b'_' | b'~') => end -= 1,
            Some(b')') if address.matches(')').count() > address.matches('(').count() => end -= 1,
            Some(b';') => {
                let entity = address[..address.len() - 1].rfind('&').filter(|&amp| {
                    let name = &address[amp + 1..address.len() - 1];
                    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric())
                });
                match entity {
                    Some(amp) => end = start + amp,
                    None => end -= 1,
                }
            }
            _ => break,
        }
    }
    (end > host + domain.len().min(1)).then_some(end)
}

struct Renderer<'a> {
    resolver: &'a dyn Resolver,
    body: &'a str,
    /// The web addresses of the body that are links (see [`web_addresses`]), the next one to
    /// come, and the end of the one being written, if one is.
    web: Vec<Range<usize>>,
    next_web: usize,
    web_open: Option<usize>,
    anchors: &'a [(usize, &'a str)],
    /// Events ready for the HTML writer, taken from the front as it asks for them.
    out: VecDeque<Event<'a>>,
    heading: Option<(u8, Vec<Event<'a>>, String)>,
    /// The IDs given to headings so far.
    heading_ids: Seen<()>,
    /// For each heading ID given more than once, the next number to try after it: every
    /// number below it is taken already.
    suffixes: HashMap<String, usize>,
    /// For each block quote open, the HTML that closes it when it is a callout.
    quotes: Vec<Option<&'static str>>,
    /// In the title of a callout: its text and inline Markdown, up to the end of its line.
    /// Holds the HTML that ends the title and starts the content.
    callout_title: Option<&'static str>,
    links: Vec<bool>,
    /// Inside a wikilink without an alias: its text is shown as Obsidian shows it.
    wikilink_text: bool,
    image: Option<(Option<Target>, String, String)>,
    /// The note the image being read shows in its place, when it is an embed of one.
    transclusion: Option<Transclusion>,
    /// Whether the renderer is in a paragraph (of the parser's), and in how many table cells.
    paragraph: bool,
    table_cells: usize,
    /// Whether a note was embedded: empty paragraphs around embeds are then taken out.
    transcluded: bool,
    /// Whether headings and block anchors get IDs: not in a note embedded in another's page,
    /// whose own IDs they would repeat.
    ids: bool,
    /// The `[c]` of a task item still to be taken off its first text.
    pending_mark: Option<String>,
    code: usize,
    raw_html: bool,
    /// Whether the note's raw HTML is shown as text (see [`render`]).
    raw_as_text: bool,
    anchored: Seen<()>,
    /// Room to put a piece of HTML together (an item's or a heading's start tag, a text with
    /// a field or a highlight), kept for the whole note.
    scratch: String,
    /// The inline elements (emphasis, links…) open where the renderer is, innermost last,
    /// each by its number in the note.
    inline: Vec<usize>,
    /// How many inline elements the note has opened.
    inline_count: usize,
    /// A `==` that may open a highlight: where its event is, and the inline element it is in.
    /// Until a second `==` in the same element and block makes it `<mark>`, or the block ends
    /// and leaves it text, no event after it goes out.
    open_mark: Option<OpenMark>,
    /// Whether the next text starts a line of its block: outside a list item, only there is
    /// `Key:: value` a field.
    line_start: bool,
    /// How many list items hold the renderer.
    items: usize,
    /// The end of what is written already, or not at all: a `[key:: value]` written whole
    /// from the body, a callout's `[!type]` marker. The texts pulldown-cmark cut it into before
    /// there are dropped.
    skip_to: usize,
    /// The links and anchors met, when [`linkage`] asks for them.
    linkage: Option<Linkage>,
    /// The next `]` and line break of the body (see the `[` of [`Renderer::event`]).
    next_close: task::Next,
    next_line_break: task::Next,
}

/// A `==` waiting for its pair (see [`Renderer::open_mark`]).
struct OpenMark {
    /// Its place in the events of the heading being read, or else in the events to go out.
    in_heading: bool,
    at: usize,
    /// The number of the innermost inline element around it, 0 for none.
    element: usize,
}

/// Whether a start or end event is of an inline element (emphasis, a link…).
fn is_inline_event(event: &Event) -> bool {
    match event {
        Event::Start(tag) => is_inline(&tag.to_end()),
        Event::End(tag) => is_inline(tag),
        _ => true,
    }
}

/// Inline elements: a highlight may hold them, and nothing else.
fn is_inline(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

impl<'a> Renderer<'a> {
    fn push(&mut self, event: Event<'a>) {
        match self.heading.as_mut() {
            Some((_, events, text)) => {
                match &event {
                    Event::Code(t) => text.push_str(t),
                    Event::SoftBreak | Event::HardBreak => text.push(' '),
                    _ => {}
                }
                events.push(event);
            }
            None => self.out.push_back(event),
        }
    }

    fn html(&mut self, html: String) {
        self.push(Event::InlineHtml(CowStr::from(html)));
    }

    /// The buffer to put a piece of HTML together in, emptied; give it back to
    /// [`Renderer::html_assembled`].
    fn take_scratch(&mut self) -> String {
        let mut html = std::mem::take(&mut self.scratch);
        html.clear();
        html
    }

    /// Writes `html`, put together in [`Renderer::take_scratch`]: copied out at its length (which
    /// costs less than giving the buffer's spare room back), and the buffer kept for the next.
    fn html_assembled(&mut self, html: String) {
        self.push(Event::InlineHtml(CowStr::Boxed(html.as_str().into())));
        self.scratch = html;
    }

    /// Text, with the web addresses in it made links (see [`web_addresses`]). An address may
    /// come in several texts (the parser cuts text at `_` and `~`): its link stays open over
    /// them.
    fn text_linking(&mut self, text: CowStr<'a>, range: Range<usize>, at_line_start: bool) {
        let none_here = self.web_open.is_none()
            && self
                .web
                .get(self.next_web)
                .is_none_or(|web| web.start >= range.end);
        if none_here {
            return self.text(text, at_line_start);
        }
        let body = self.body;
        // Only text as it is written, outside links, images and code, holds a link of its own.
        if self.code > 0
            || !self.links.is_empty()
            || self.image.is_some()
            || self.wikilink_text
            || body.get(range.clone()) != Some(&*text)
        {
            self.close_web_address();
            while self
                .web
                .get(self.next_web)
                .is_some_and(|web| web.start < range.end)
            {
                self.next_web += 1;
            }
            return self.text(text, at_line_start);
        }
        let mut at = range.start;
        while at < range.end {
            if let Some(end) = self.web_open {
                let stop = end.min(range.end);
                let shown = &body[at..stop];
                if let Some((_, _, heading)) = self.heading.as_mut() {
                    heading.push_str(shown);
                }
                self.push(Event::Text(CowStr::Borrowed(shown)));
                at = stop;
                if stop == end {
                    self.close_web_address();
                }
                continue;
            }
            match self.web.get(self.next_web).cloned() {
                Some(web) if web.start < range.end => {
                    self.next_web += 1;
                    // One that started before this text could not be opened there.
                    if web.start < at {
                        continue;
                    }
                    if web.start > at {
                        let before = CowStr::Borrowed(&body[at..web.start]);
                        self.text(before, at_line_start && at == range.start);
                    }
                    let address = &body[web.clone()];
                    let mut html = self.take_scratch();
                    html.push_str("<a href=\"");
                    if address.starts_with("www.") {
                        html.push_str("http://");
                    }
                    let _ = escape_html_to(&mut html, address);
                    html.push_str("\">");
                    self.html_assembled(html);
                    self.web_open = Some(web.end);
                    at = web.start;
                }
                _ => {
                    let rest = CowStr::Borrowed(&body[at..range.end]);
                    self.text(rest, at_line_start && at == range.start);
                    at = range.end;
                }
            }
        }
    }

    /// Ends the link of the web address being written, if one is.
    fn close_web_address(&mut self) {
        if self.web_open.take().is_some() {
            self.push(Event::InlineHtml(CowStr::Borrowed("</a>")));
        }
    }

    fn text(&mut self, text: CowStr<'a>, at_line_start: bool) {
        if let Some((_, _, alt)) = self.image.as_mut() {
            alt.push_str(&text);
            return;
        }
        if self.code > 0 {
            self.push(Event::Text(text));
            return;
        }
        if let Some((_, _, heading)) = self.heading.as_mut() {
            heading.push_str(&text);
        }
        // Most text holds no field, block ID, highlight or tag, and no task mark is pending:
        // it goes out as it is, escaped by pulldown-cmark, without a copy. A lone `:` or `=`
        // is plain too, unless the text has quotes: the way below escapes them and
        // pulldown-cmark does not, and a page should not change with the way its text took.
        let bytes = text.as_bytes();
        if self.pending_mark.is_none()
            && memchr::memchr2(b'^', b'#', bytes).is_none()
            && (memchr::memchr2(b':', b'=', bytes).is_none()
                || (memchr::memchr2(b'"', b'\'', bytes).is_none()
                    && split_pair(&text, b':').is_none()
                    && split_pair(&text, b'=').is_none()))
        {
            self.push(Event::Text(text));
            return;
        }
        // The rest is cut from the text as it is read, and copied once, escaped.
        let mut rest: &str = &text;
        // pulldown-cmark knows only `[ ]` and `[x]`: other marks arrive as text, maybe split.
        if let Some(mut pending) = self.pending_mark.take() {
            let mut unmarked = rest;
            while let Some(c) = pending.chars().next() {
                match unmarked.strip_prefix(c) {
                    Some(after) => {
                        unmarked = after;
                        pending.remove(0);
                    }
                    None => break,
                }
            }
            if pending.is_empty() || unmarked.is_empty() {
                rest = unmarked.trim_start();
                if !pending.is_empty() {
                    self.pending_mark = Some(pending);
                }
            }
        }
        let mut html = self.take_scratch();
        let mut anchor = None;
        if let Some((before, id)) = task::block_id(rest) {
            anchor = Some(id);
            rest = before;
        }
        // Dataview fields, read as the ledger reads an item: `[key:: value]` and `(key:: value)`
        // anywhere, then `key:: value` after the last of them, the key and then the value.
        // Outside a list item, an unbracketed field stands at the start of a line; elsewhere in
        // a paragraph it is text, as Obsidian shows it.
        let plain = if at_line_start || self.items > 0 {
            // Looked for only where one can be: most texts are in the middle of a line.
            let mut tail = 0;
            while let Some(field) = task::bracketed_field(&rest[tail..]) {
                tail += field.whole.end;
            }
            task::plain_field(&rest[tail..], at_line_start && tail == 0)
                .map(|(key, marker)| (tail + key, tail + marker))
                .filter(|&(key, marker)| {
                    let value = &rest[marker + 2..];
                    (value.is_empty() || value.starts_with(' '))
                        && (self.items > 0 || rest[..key].trim().is_empty())
                })
        } else {
            None
        };
        if let Some((key, marker)) = plain {
            self.fields_text(&rest[..key], &mut html);
            html.push_str("<span class=\"field-key\">");
            html.push_str(&escape_html(rest[key..marker].trim()));
            html.push_str("</span>");
            rest = &rest[marker + 2..];
        }
        self.fields_text(rest, &mut html);
        if let Some(id) = anchor {
            // An item carrying the ID has its anchor already (IDs are compared as anchors,
            // lower-cased): a second element with the same `id` would be invalid HTML.
            let id = slugify_block(id);
            if self.ids && !self.anchored.contains(&id) {
                html.push_str("<span class=\"block-anchor\" id=\"block-");
                html.push_str(&escape_html(&id));
                html.push_str("\"></span>");
                if let Some(linkage) = self.linkage.as_mut() {
                    linkage.anchors.push(format!("block-{id}"));
                }
            }
        }
        self.html_assembled(html);
    }

    /// Writes text with its `[key:: value]` and `(key:: value)` fields into `html`.
    fn fields_text(&mut self, text: &str, html: &mut String) {
        let mut rest = text;
        while let Some(field) = task::bracketed_field(rest) {
            self.inline_text(&rest[..field.whole.start], html);
            self.field(&rest[field.key], &rest[field.value], field.hides_key, html);
            rest = &rest[field.whole.end..];
        }
        self.inline_text(rest, html);
    }

    /// Writes a bracketed field: its key and value, or (`hides_key`) its value only, as
    /// Dataview shows them.
    fn field(&mut self, key: &str, value: &str, hides_key: bool, html: &mut String) {
        html.push_str("<span class=\"field\">");
        if !hides_key {
            html.push_str("<span class=\"field-key\">");
            html.push_str(&escape_html(key.trim()));
            html.push_str("</span> ");
        }
        // The field is an element of its own: a highlight stays inside or outside it.
        self.inline_count += 1;
        self.inline.push(self.inline_count);
        self.inline_text(value, html);
        self.inline.pop();
        html.push_str("</span>");
    }

    /// Writes plain text with `==highlights==` and `#tags` into `html`. A `==` opens a
    /// highlight only when another closes it in the same block and inline element, around
    /// whole elements (`==**bold**==`), as Obsidian reads them; else it is text.
    fn inline_text(&mut self, text: &str, html: &mut String) {
        if split_pair(text, b'=').is_none() {
            self.tagged(text, html);
            return;
        }
        for (i, part) in text.split("==").enumerate() {
            if i > 0 {
                match self.open_mark.take() {
                    Some(open) if open.element == self.inline.last().copied().unwrap_or(0) => {
                        self.set_mark(&open, "<mark>");
                        html.push_str("</mark>");
                    }
                    _ => {
                        // What came before goes out first, then the `==` as text for now.
                        if !html.is_empty() {
                            self.html_assembled(std::mem::take(html));
                            *html = self.take_scratch();
                        }
                        self.push(Event::InlineHtml(CowStr::Borrowed("==")));
                        let in_heading = self.heading.is_some();
                        let at = match &self.heading {
                            Some((_, events, _)) => events.len() - 1,
                            None => self.out.len() - 1,
                        };
                        self.open_mark = Some(OpenMark {
                            in_heading,
                            at,
                            element: self.inline.last().copied().unwrap_or(0),
                        });
                    }
                }
            }
            self.tagged(part, html);
        }
    }

    /// Puts `html` in place of the `==` of `open`.
    fn set_mark(&mut self, open: &OpenMark, html: &'static str) {
        let event = if open.in_heading {
            self.heading
                .as_mut()
                .and_then(|(_, events, _)| events.get_mut(open.at))
        } else {
            self.out.get_mut(open.at)
        };
        if let Some(event) = event {
            *event = Event::InlineHtml(CowStr::Borrowed(html));
        }
    }

    /// A block starts or ends: a `==` still waiting is text, and the events after it can go.
    fn end_of_block(&mut self) {
        self.open_mark = None;
    }

    /// Writes `text` into `html`, escaped, with each `#tag` a link to its page.
    fn tagged(&self, text: &str, html: &mut String) {
        if !self.links.is_empty() || !text.contains('#') {
            // Writing into a String cannot fail.
            let _ = escape_html_to(html, text);
            return;
        }
        let mut last = 0;
        let mut previous = ' ';
        for (i, c) in text.char_indices() {
            if c == '#' && previous.is_whitespace() && i >= last {
                let tag: String = text[i + 1..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '/'))
                    .collect();
                if !tag.is_empty() && !tag.chars().all(|c| c.is_ascii_digit() || c == '/') {
                    html.push_str(&escape_html(&text[last..i]));
                    let url = self.resolver.tag_url(&tag.to_lowercase());
                    html.push_str(&format!(
                        "<a class=\"tag\" href=\"{}\">#{}</a>",
                        escape_html(&url),
                        escape_html(&tag)
                    ));
                    last = i + 1 + tag.len();
                }
            }
            previous = c;
        }
        html.push_str(&escape_html(&text[last..]));
    }

    /// Notes a link for [`linkage`], when it asks.
    fn note_link(&mut self, at: usize, target: &str, wikilink: bool, embed: bool) {
        if let Some(linkage) = self.linkage.as_mut() {
            linkage.links.push(LinkAt {
                at,
                target: target.to_owned(),
                wikilink,
                embed,
            });
        }
    }

    /// Whether an image starting here may be a block in its place: it stands in a paragraph
    /// or list item, in no heading, table, callout title or other inline element.
    fn may_hold_a_block(&self) -> bool {
        // The image itself is the one inline element open.
        self.inline.len() == 1
            && self.heading.is_none()
            && self.callout_title.is_none()
            && self.table_cells == 0
            && self.code == 0
            && (self.paragraph || self.items > 0)
    }

    /// Writes an embedded note in the place of its embed: out of the paragraph it stands
    /// in, which goes on after it.
    fn transclude(&mut self, transclusion: Transclusion) {
        // A `==` still waiting for its pair does not reach across the note.
        self.end_of_block();
        self.transcluded = true;
        let mut html = String::with_capacity(transclusion.html.len() + 128);
        if self.paragraph {
            html.push_str("</p>\n");
        }
        html.push_str("<div class=\"note-embed\">\n<p class=\"note-embed-title\"><a href=\"");
        html.push_str(&escape_html(&transclusion.url));
        html.push_str("\">");
        html.push_str(&escape_html(&transclusion.title));
        html.push_str("</a></p>\n");
        html.push_str(&transclusion.html);
        html.push_str("</div>\n");
        if self.paragraph {
            html.push_str("<p>");
        }
        self.html(html);
    }

    fn start_heading(&mut self, level: u8) {
        self.heading = Some((level, Vec::new(), String::new()));
    }

    fn end_heading(&mut self) {
        let Some((level, events, text)) = self.heading.take() else {
            return;
        };
        if !self.ids {
            self.push(Event::InlineHtml(CowStr::Borrowed(
                OPEN_HEADING[level as usize],
            )));
            self.out.extend(events);
            self.push(Event::InlineHtml(CowStr::Borrowed(
                CLOSE_HEADING[level as usize],
            )));
            return;
        }
        let mut id = slugify(&text);
        if self.heading_ids.contains(&id) {
            let base = id;
            let mut n = self.suffixes.get(&base).copied().unwrap_or(1);
            loop {
                id = format!("{base}-{n}");
                n += 1;
                if !self.heading_ids.contains(&id) {
                    break;
                }
            }
            self.suffixes.insert(base, n);
        }
        let mut open = self.take_scratch();
        open.push_str("<h");
        open.push(char::from(b'0' + level));
        open.push_str(" id=\"");
        open.push_str(&escape_html(&id));
        open.push_str("\">");
        self.heading_ids.insert(id, ());
        self.html_assembled(open);
        self.out.extend(events);
        self.push(Event::InlineHtml(CowStr::Borrowed(
            CLOSE_HEADING[level as usize],
        )));
    }
}

/// `text` cut around its first `cc` (the byte `c` twice, ASCII).
fn split_pair(text: &str, c: u8) -> Option<(&str, &str)> {
    // A byte search and a look at the next byte: cheaper, on short texts, than setting up a
    // substring searcher.
    let bytes = text.as_bytes();
    let at = memchr::memchr_iter(c, bytes).find(|&at| bytes.get(at + 1) == Some(&c))?;
    Some((&text[..at], &text[at + 2..]))
}

/// The start tags of headings without an ID, by level.
const OPEN_HEADING: [&str; 7] = ["", "<h1>", "<h2>", "<h3>", "<h4>", "<h5>", "<h6>"];

/// The end tags of headings, by level.
const CLOSE_HEADING: [&str; 7] = [
    "", "</h1>\n", "</h2>\n", "</h3>\n", "</h4>\n", "</h5>\n", "</h6>\n",
];

/// Block IDs as anchors: the same characters, lower-cased, so links match case-insensitively.
pub fn slugify_block(id: &str) -> String {
    id.to_lowercase()
}

/// Renders `body` (redacted: no comments, no private callouts). `anchors` are the byte offsets
/// of list items that carry an ID, with that ID, sorted by offset, so each item can be linked
/// to.
pub fn render(body: &str, anchors: &[(usize, &str)], resolver: &dyn Resolver) -> Rendered {
    render_with(body, anchors, resolver, true)
}

/// Renders `body` (redacted) to be shown inside another note's page: as [`render`] does, but
/// its headings and block anchors get no IDs, which would repeat those of its own page.
pub fn render_embedded(body: &str, resolver: &dyn Resolver) -> Rendered {
    render_with(body, &[], resolver, false)
}

fn render_with(
    body: &str,
    anchors: &[(usize, &str)],
    resolver: &dyn Resolver,
    ids: bool,
) -> Rendered {
    let mut events = Events::new(body, anchors, resolver);
    events.renderer.ids = ids;
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, &mut events);
    let mut sanitized = events.renderer.raw_html;
    let mut transcluded = events.renderer.transcluded;
    if sanitized && nesting_depth(&html) > MAX_SANITIZED_DEPTH {
        // The sanitizer's HTML parser takes time for each element in proportion to how deep
        // it is: 30,000 nested `<div>` took a second, and a note can hold millions. So deep,
        // the note's raw HTML is shown as text, and nothing is left to sanitize.
        let mut events = Events::new(body, anchors, resolver);
        events.renderer.ids = ids;
        events.renderer.raw_as_text = true;
        html.clear();
        pulldown_cmark::html::push_html(&mut html, &mut events);
        sanitized = false;
        transcluded = events.renderer.transcluded;
    }
    if transcluded {
        // An embed ends the paragraph it stands in, and starts it again after itself: one
        // that stood alone leaves two empty ones.
        html = html.replace("<p></p>\n", "");
    }
    if sanitized {
        html = sanitize(&html);
    }
    Rendered { html, sanitized }
}

/// How deep a page's elements may nest for its raw HTML to be sanitized (and kept) rather than
/// shown as text: far deeper than any note nests, far shallower than what makes the
/// sanitizer slow.
const MAX_SANITIZED_DEPTH: usize = 1000;

/// The elements that hold nothing, or whose end the HTML parser may supply.
const HOLD_NOTHING_OR_CLOSE_THEMSELVES: [&[u8]; 21] = [
    b"area", b"base", b"br", b"col", b"embed", b"hr", b"img", b"input", b"link", b"meta",
    b"source", b"track", b"wbr", b"p", b"li", b"dt", b"dd", b"option", b"tr", b"td", b"th",
];

/// How deep the elements of `html` nest, counted loosely: every start tag but those of
/// elements without content, or whose end the parser may supply (`<p>`, `<li>`, …), opens one
/// level, and every end tag closes one. Every `<` of the page starts a tag or comment: text
/// has them escaped.
fn nesting_depth(html: &str) -> usize {
    let bytes = html.as_bytes();
    let (mut depth, mut deepest) = (0usize, 0usize);
    for at in memchr::memchr_iter(b'<', bytes) {
        let rest = &bytes[at + 1..];
        if rest.first() == Some(&b'/') {
            depth = depth.saturating_sub(1);
            continue;
        }
        let name_len = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        let name = &rest[..name_len];
        let self_closing = rest[name_len..]
            .iter()
            .position(|&b| b == b'>')
            .is_some_and(|end| end > 0 && rest[name_len + end - 1] == b'/');
        let opens = name_len > 0
            && !self_closing
            && !HOLD_NOTHING_OR_CLOSE_THEMSELVES
                .iter()
                .any(|tag| tag.eq_ignore_ascii_case(name));
        if opens {
            depth += 1;
            deepest = deepest.max(depth);
        }
    }
    deepest
}

/// The links of `body` (redacted) and the anchors its page has, read as [`render`] reads them
/// but with no HTML written: what `check` holds links against.
pub fn linkage(body: &str) -> Linkage {
    struct Nowhere;
    impl Resolver for Nowhere {
        fn resolve(&self, _target: &str, _wikilink: bool) -> Option<Target> {
            None
        }
        fn tag_url(&self, _tag: &str) -> String {
            String::new()
        }
    }
    let mut events = Events::new(body, &[], &Nowhere);
    events.renderer.linkage = Some(Linkage::default());
    for _ in &mut events {}
    let mut linkage = events.renderer.linkage.take().unwrap_or_default();
    let headings = std::mem::take(&mut events.renderer.heading_ids);
    linkage.anchors.extend(headings.into_names());
    linkage
}

/// The events of a body as the site shows them, made as the HTML writer asks for them: no
/// list of every event of the note is kept.
struct Events<'a> {
    parser: pulldown_cmark::OffsetIter<'a, pulldown_cmark::DefaultBrokenLinkCallback>,
    ended: bool,
    renderer: Renderer<'a>,
}

impl<'a> Events<'a> {
    fn new(body: &'a str, anchors: &'a [(usize, &'a str)], resolver: &'a dyn Resolver) -> Self {
        Events {
            parser: Parser::new_ext(body, options()).into_offset_iter(),
            ended: false,
            renderer: Renderer {
                resolver,
                body,
                web: web_addresses(body),
                next_web: 0,
                web_open: None,
                anchors,
                out: VecDeque::new(),
                heading: None,
                heading_ids: Seen::default(),
                suffixes: HashMap::new(),
                quotes: Vec::new(),
                callout_title: None,
                links: Vec::new(),
                image: None,
                transclusion: None,
                paragraph: false,
                table_cells: 0,
                transcluded: false,
                ids: true,
                pending_mark: None,
                code: 0,
                raw_html: false,
                raw_as_text: false,
                anchored: Seen::default(),
                scratch: String::new(),
                inline: Vec::new(),
                inline_count: 0,
                open_mark: None,
                line_start: false,
                items: 0,
                skip_to: 0,
                wikilink_text: false,
                linkage: None,
                next_close: task::Next::NOT_YET,
                next_line_break: task::Next::NOT_YET,
            },
        }
    }
}

impl<'a> Iterator for Events<'a> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            // Held while a `==` waits for its pair: it may become `<mark>` yet.
            let held = self
                .renderer
                .open_mark
                .as_ref()
                .is_some_and(|m| !m.in_heading);
            if !held {
                if let Some(event) = self.renderer.out.pop_front() {
                    return Some(event);
                }
            }
            if self.ended {
                return None;
            }
            match self.parser.next() {
                Some((event, range)) => self.renderer.event(event, range),
                None => {
                    self.ended = true;
                    self.renderer.end_of_block();
                    if self.renderer.heading.is_some() {
                        self.renderer.end_heading();
                    }
                }
            }
        }
    }
}

impl<'a> Renderer<'a> {
    /// Takes one event of the parser, with the range of the body it covers.
    fn event(&mut self, event: Event<'a>, range: std::ops::Range<usize>) {
        let body = self.body;
        let anchors = self.anchors;
        // A web address ends where anything but its text comes.
        if !matches!(event, Event::Text(_)) {
            self.close_web_address();
        }
        match &event {
            Event::Start(tag) if is_inline(&tag.to_end()) => {
                self.inline_count += 1;
                self.inline.push(self.inline_count);
            }
            Event::End(tag) if is_inline(tag) => {
                self.inline.pop();
            }
            Event::Start(_) | Event::End(_) | Event::Rule => self.end_of_block(),
            _ => {}
        }
        match &event {
            Event::Start(Tag::Item) => self.items += 1,
            Event::End(TagEnd::Item) => self.items = self.items.saturating_sub(1),
            Event::Start(Tag::Paragraph) => self.paragraph = true,
            Event::End(TagEnd::Paragraph) => self.paragraph = false,
            Event::Start(Tag::TableCell) => self.table_cells += 1,
            Event::End(TagEnd::TableCell) => {
                self.table_cells = self.table_cells.saturating_sub(1);
            }
            _ => {}
        }
        let mut event = event;
        if range.start < self.skip_to {
            if let Event::Text(text) = &event {
                if range.end <= self.skip_to {
                    return;
                }
                // A text running on past the end (taken from the body as it is): its rest.
                let cut = self.skip_to - range.start;
                if text.len() == range.len() && text.is_char_boundary(cut) {
                    event = Event::Text(CowStr::Borrowed(&body[self.skip_to..range.end]));
                }
            }
        }
        let at_line_start = self.line_start;
        self.line_start = match &event {
            Event::Start(Tag::Paragraph | Tag::Item) | Event::SoftBreak | Event::HardBreak => true,
            Event::TaskListMarker(_) => at_line_start,
            _ => false,
        };
        if let Some(content) = self.callout_title {
            // The title's line ends: the callout's content starts.
            match event {
                Event::Start(Tag::Paragraph) => return,
                // An element still open (`~~a` then `b~~` on the next line) keeps the next line
                // in the title, so that it closes there.
                Event::SoftBreak | Event::HardBreak if self.inline.is_empty() => {
                    // The title is a block of its own: a highlight does not run on out of it.
                    self.end_of_block();
                    self.callout_title = None;
                    self.push(Event::InlineHtml(CowStr::Borrowed(content)));
                    self.push(Event::Start(Tag::Paragraph));
                    return;
                }
                Event::End(TagEnd::Paragraph) => {
                    self.callout_title = None;
                    self.push(Event::InlineHtml(CowStr::Borrowed(content)));
                    return;
                }
                Event::Start(_) | Event::End(_) if !is_inline_event(&event) => {
                    self.callout_title = None;
                    self.push(Event::InlineHtml(CowStr::Borrowed(content)));
                }
                _ => {}
            }
        }
        match event {
            Event::Start(Tag::Heading { level, .. }) => self.start_heading(level as u8),
            Event::End(TagEnd::Heading(_)) => self.end_heading(),
            Event::Start(Tag::BlockQuote(kind)) => match callout_header(&body[range.clone()]) {
                Some((kind, fold, title)) => {
                    let (content, end) = callout_html(fold);
                    self.quotes.push(Some(end));
                    let open = match fold {
                        Fold::No => format!(
                            "<div class=\"callout callout-{kind}\" data-callout=\"{kind}\">\
                             <p class=\"callout-title\">"
                        ),
                        Fold::Open | Fold::Closed => format!(
                            "<details class=\"callout callout-{kind}\" data-callout=\"{kind}\"{}>\
                             <summary class=\"callout-title\">",
                            if fold == Fold::Open { " open" } else { "" }
                        ),
                    };
                    // The title is the rest of the line, Markdown and all; without one, the
                    // type names the callout.
                    self.callout_title = Some(content);
                    match title {
                        Ok(start) => {
                            self.skip_to = range.start + start;
                            self.html(open);
                        }
                        Err(end) => {
                            let mut name = kind.to_owned();
                            name[..1].make_ascii_uppercase();
                            self.skip_to = range.start + end;
                            self.html(format!("{open}{name}"));
                        }
                    }
                }
                None => {
                    self.quotes.push(None);
                    self.push(Event::Start(Tag::BlockQuote(kind)));
                }
            },
            Event::End(TagEnd::BlockQuote(kind)) => {
                if let Some(Some(end)) = self.quotes.pop() {
                    self.html(end.to_owned());
                } else {
                    self.push(Event::End(TagEnd::BlockQuote(kind)));
                }
            }
            Event::Start(Tag::Item) => {
                let mark = checkbox_of(&body[range.clone()]);
                // Sorted by offset: found by halves, however many items the note has.
                let at = anchors.partition_point(|(offset, _)| *offset < range.start);
                let anchor = anchors.get(at).filter(|(offset, _)| *offset == range.start);
                let mut li = self.take_scratch();
                li.push_str("<li");
                if let Some((_, id)) = anchor {
                    let id = slugify_block(id);
                    li.push_str(" id=\"block-");
                    li.push_str(&escape_html(&id));
                    li.push('"');
                    if let Some(linkage) = self.linkage.as_mut() {
                        linkage.anchors.push(format!("block-{id}"));
                    }
                    self.anchored.insert(id, ());
                }
                match mark {
                    Some(mark) => {
                        let (status, label, symbol) = status_mark(mark);
                        for part in [
                            " class=\"task\" data-status=\"",
                            status,
                            "\"><span class=\"checkbox\" role=\"img\" aria-label=\"",
                            label,
                            "\">",
                            symbol,
                            "</span> ",
                        ] {
                            li.push_str(part);
                        }
                        self.pending_mark = Some(format!("[{mark}]"));
                    }
                    None => {
                        li.push('>');
                        self.pending_mark = None;
                    }
                }
                self.html_assembled(li);
            }
            Event::End(TagEnd::Item) => self.push(Event::InlineHtml(CowStr::Borrowed("</li>\n"))),
            Event::TaskListMarker(_) => {
                self.pending_mark = None;
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                self.code += 1;
                self.push(Event::Start(Tag::CodeBlock(kind)));
            }
            Event::End(TagEnd::CodeBlock) => {
                self.code = self.code.saturating_sub(1);
                self.push(Event::End(TagEnd::CodeBlock));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let wikilink = matches!(link_type, LinkType::WikiLink { .. });
                self.wikilink_text = link_type == LinkType::WikiLink { has_pothole: false };
                let url = if wikilink {
                    let target = dest_url.trim_end_matches('\\');
                    self.note_link(range.start, target, true, false);
                    match self.resolver.resolve(target, true) {
                        Some(Target::Page(url) | Target::Attachment(url)) => Some(url),
                        None => None,
                    }
                } else if !safe_url(&dest_url) {
                    None
                } else if is_relative(&dest_url) {
                    let target = percent_decode(&dest_url);
                    self.note_link(range.start, &target, false, false);
                    match self.resolver.resolve(&target, false) {
                        Some(Target::Page(url) | Target::Attachment(url)) => Some(url),
                        None => Some(dest_url.to_string()),
                    }
                } else {
                    Some(dest_url.to_string())
                };
                match url {
                    Some(url) => {
                        self.links.push(true);
                        self.push(Event::Start(Tag::Link {
                            link_type,
                            dest_url: CowStr::from(url),
                            title,
                            id,
                        }));
                    }
                    None => self.links.push(false),
                }
            }
            Event::End(TagEnd::Link) => {
                self.wikilink_text = false;
                if self.links.pop() == Some(true) {
                    self.push(Event::End(TagEnd::Link));
                }
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                ..
            }) => {
                let wikilink = matches!(link_type, LinkType::WikiLink { .. });
                if !wikilink && !safe_url(&dest_url) {
                    self.image = Some((None, String::new(), String::new()));
                    return;
                }
                // What the embed names in the vault, as the resolver is given it; `None` for
                // an image of the web.
                let named: Option<Cow<str>> = if wikilink {
                    Some(Cow::Borrowed(dest_url.trim_end_matches('\\')))
                } else if is_relative(&dest_url) {
                    Some(Cow::Owned(percent_decode(&dest_url)))
                } else {
                    None
                };
                let Some(named) = named else {
                    let target = Some(Target::Attachment(dest_url.to_string()));
                    self.image = Some((target, dest_url.to_string(), String::new()));
                    return;
                };
                self.note_link(range.start, &named, wikilink, true);
                // A note embedded where a block may stand is shown in its place.
                if self.may_hold_a_block() {
                    if let Some(transclusion) = self.resolver.transclude(&named, wikilink) {
                        self.transclusion = Some(transclusion);
                        self.image = Some((None, String::new(), String::new()));
                        return;
                    }
                }
                let target = self.resolver.resolve(&named, wikilink);
                self.image = Some((target, dest_url.to_string(), String::new()));
            }
            Event::End(TagEnd::Image) => {
                if let Some(transclusion) = self.transclusion.take() {
                    self.image = None;
                    self.transclude(transclusion);
                    return;
                }
                if let Some((target, dest, alt)) = self.image.take() {
                    let name = dest
                        .trim_end_matches('\\')
                        .rsplit('/')
                        .next()
                        .unwrap_or(&dest)
                        .to_owned();
                    let html = match target {
                        Some(Target::Attachment(url)) => {
                            let size = alt.split(['x', 'X']).next().unwrap_or("");
                            let width =
                                if !size.is_empty() && size.chars().all(|c| c.is_ascii_digit()) {
                                    format!(" width=\"{size}\"")
                                } else {
                                    String::new()
                                };
                            let alt = if width.is_empty() { alt } else { name.clone() };
                            format!(
                                "<img src=\"{}\" alt=\"{}\"{width} loading=\"lazy\">",
                                escape_html(&url),
                                escape_html(&alt)
                            )
                        }
                        Some(Target::Page(url)) => format!(
                            "<a class=\"embed\" href=\"{}\">{}</a>",
                            escape_html(&url),
                            escape_html(&name)
                        ),
                        None if dest.is_empty() => escape_html(&alt).into_owned(),
                        None => format!(
                            "<span class=\"missing-embed\">{}</span>",
                            escape_html(&name)
                        ),
                    };
                    self.html(html);
                }
            }
            Event::Text(text) if &*text == "[" && self.code == 0 && self.image.is_none() => {
                // `[key:: value]` comes cut at its brackets: of plain words, it is written whole
                // from the body; else its pieces are text. The next `]` and line break are
                // looked for once for every `[` before them: a line of thousands of `[` costs
                // its length.
                let bytes = body.as_bytes();
                let start = range.start;
                let close = self.next_close.find(start + 1, |from| {
                    memchr::memchr(b']', &bytes[from..]).map(|at| from + at)
                });
                let line_end = self
                    .next_line_break
                    .find(start, |from| {
                        memchr::memchr(b'\n', &bytes[from..]).map(|at| from + at)
                    })
                    .unwrap_or(body.len());
                let plain = close.filter(|&close| {
                    close < line_end
                        && !body[start + 1..close].contains(|c: char| {
                            matches!(
                                c,
                                '\\' | '`'
                                    | '*'
                                    | '_'
                                    | '['
                                    | ']'
                                    | '<'
                                    | '>'
                                    | '&'
                                    | '!'
                                    | '~'
                                    | '^'
                                    | '='
                                    | '$'
                                    | '|'
                                    | '#'
                                    | '%'
                            )
                        })
                });
                let line = &body[start..plain.map_or(start, |close| close + 1)];
                let field = task::bracketed_field(line)
                    .filter(|field| field.whole.start == 0 && !field.hides_key);
                match field {
                    Some(field) => {
                        if let Some((_, _, heading)) = self.heading.as_mut() {
                            heading.push_str(&line[..field.whole.end]);
                        }
                        let mut html = self.take_scratch();
                        self.field(&line[field.key], &line[field.value], false, &mut html);
                        self.html_assembled(html);
                        self.skip_to = range.start + field.whole.end;
                    }
                    None => self.text(text, at_line_start),
                }
            }
            // `[[Note#Heading#Sub]]` reads `Note > Heading > Sub`, `[[#Heading]]` `Heading`.
            // Written as it is: a link's target holds no tag, field or block ID.
            Event::Text(text) if self.wikilink_text && text.contains('#') => {
                let shown = text
                    .split('#')
                    .filter(|p| !p.is_empty())
                    .collect::<Vec<_>>()
                    .join(" > ");
                if let Some((_, _, heading)) = self.heading.as_mut() {
                    heading.push_str(&text);
                }
                let mut html = self.take_scratch();
                html.push_str(&escape_html(&shown));
                self.html_assembled(html);
            }
            Event::Text(text) => self.text_linking(text, range, at_line_start),
            Event::Html(html) | Event::InlineHtml(html) if self.raw_as_text => {
                self.push(Event::Text(html));
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                self.raw_html = true;
                self.push(Event::InlineHtml(html));
            }
            other => {
                if self.image.is_none() {
                    self.push(other);
                }
            }
        }
    }
}

/// Whether a line of text renders as itself, escaped ([`escape_html`]; quotes may be written
/// as entities or not, which reads the same), with nothing for Markdown or our extensions to
/// do: no markup character, no `::` field or `==` highlight, no list marker to start with and
/// no space at either end. A colon or an equals sign alone is plain.
pub fn is_plain(text: &str) -> bool {
    const MARKUP: [bool; 256] = {
        let mut table = [false; 256];
        let markup = b"[]*_`~#<>&!\\^%|\n\r";
        let mut i = 0;
        while i < markup.len() {
            table[markup[i] as usize] = true;
            i += 1;
        }
        table
    };
    let bytes = text.as_bytes();
    !bytes.iter().any(|&b| MARKUP[b as usize])
        // `//` and `w.`: a web address may be in it (`https://…`, `www.…`).
        && !bytes.windows(2).any(|w| matches!(w, b"::" | b"==" | b"//" | b"w."))
        && !text.starts_with(|c: char| c.is_ascii_digit() || c.is_whitespace() || "-+".contains(c))
        && !text.ends_with(char::is_whitespace)
}

/// Cleans HTML that a note wrote by hand: no script, no event handlers, no style, no script
/// URLs; what upward itself emits (classes, anchors, task states) is kept.
pub fn sanitize(html: &str) -> String {
    let mut builder = ammonia::Builder::default();
    builder
        .add_tags([
            "mark", "span", "div", "input", "details", "summary", "kbd", "sup", "sub",
        ])
        .add_generic_attributes([
            "id",
            "class",
            "data-status",
            "data-callout",
            "role",
            "aria-label",
        ])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes("img", ["loading", "width", "height"])
        .add_tag_attributes("ol", ["start"]);
    builder.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Links;

    impl Resolver for Links {
        fn resolve(&self, target: &str, _wikilink: bool) -> Option<Target> {
            match target.to_lowercase().as_str() {
                "dana" => Some(Target::Page("../dana/".into())),
                "dana#^budget" => Some(Target::Page("../dana/#block-budget".into())),
                "dana#goals#q1" => Some(Target::Page("../dana/#q1".into())),
                "#goals" => Some(Target::Page("#goals".into())),
                "photo.png" => Some(Target::Attachment("../../attachments/photo.png".into())),
                _ => None,
            }
        }
        fn tag_url(&self, tag: &str) -> String {
            format!("../../tags/{tag}/")
        }
    }

    fn html(body: &str) -> String {
        render(body, &[], &Links).html
    }

    /// Embeds `Plan` (a heading, a paragraph with a block ID and a link to its own heading)
    /// wherever it may; links as [`Links`] does.
    struct Embeds;

    impl Resolver for Embeds {
        fn resolve(&self, target: &str, wikilink: bool) -> Option<Target> {
            Links.resolve(target, wikilink)
        }
        fn tag_url(&self, tag: &str) -> String {
            Links.tag_url(tag)
        }
        fn transclude(&self, target: &str, _wikilink: bool) -> Option<Transclusion> {
            (target.eq_ignore_ascii_case("plan") || target == "Plan.md").then(|| Transclusion {
                url: "../plan/".into(),
                title: "Plan <&>".into(),
                html: render_embedded("## Goals\n\nShip it ^ship\n", &Links).html,
            })
        }
    }

    fn embedding(body: &str) -> String {
        render(body, &[], &Embeds).html
    }

    #[test]
    fn an_embedded_note_stands_in_place_of_its_paragraph() {
        let shown = "<div class=\"note-embed\">\n<p class=\"note-embed-title\"><a href=\"../plan/\">\
                     Plan &lt;&amp;&gt;</a></p>\n<h2>Goals</h2>\n<p>Ship it</p>\n</div>\n";
        assert_eq!(embedding("![[Plan]]\n"), shown);
        assert_eq!(embedding("![](Plan.md)\n"), shown);
        // Text around it stays in paragraphs of its own.
        assert_eq!(
            embedding("Before ![[Plan]] after\n"),
            format!("<p>Before </p>\n{shown}<p> after</p>\n")
        );
        // In a list item, it is a block of the item.
        assert_eq!(
            embedding("- ![[Plan|alias]]\n"),
            format!("<ul>\n<li>{shown}</li>\n</ul>\n")
        );
        // In a callout, after its title.
        assert!(
            embedding("> [!note] Title\n> ![[Plan]]\n").contains(&format!(
                "<p class=\"callout-title\">Title</p><div class=\"callout-content\">\n{shown}</div></div>"
            )),
            "{}",
            embedding("> [!note] Title\n> ![[Plan]]\n")
        );
    }

    #[test]
    fn where_no_block_may_stand_an_embedded_note_is_a_link() {
        for (body, link) in [
            ("## See ![[Plan]]\n", "<h2 id=\"see\">See "),
            ("*see ![[Plan]]*\n", "<em>see "),
            ("**![[Plan]]** too\n", "<strong>"),
            ("| a |\n| - |\n| ![[Plan]] |\n", "<td>"),
            ("> [!note] ![[Plan]]\n> text\n", "callout-title"),
            ("`![[Plan]]`\n", "<code>![[Plan]]</code>"),
        ] {
            let out = embedding(body);
            assert!(!out.contains("note-embed"), "{body}: {out}");
            assert!(out.contains(link), "{body}: {out}");
        }
    }

    #[test]
    fn an_embedded_note_gives_no_ids_its_own_page_has() {
        let out = embedding("## Goals\n\n![[Plan]]\n\npara ^ship\n");
        // The page's own heading and block keep theirs; the embedded ones get none.
        assert_eq!(out.matches("id=\"goals\"").count(), 1, "{out}");
        assert_eq!(out.matches("id=\"block-ship\"").count(), 1, "{out}");
        assert!(out.contains("<h2>Goals</h2>"), "{out}");
        let alone = render_embedded("# Top\n\n- item ^a\n\ntext ^b\n", &Links).html;
        assert!(!alone.contains("id="), "{alone}");
    }

    #[test]
    fn a_highlight_does_not_reach_across_an_embedded_note() {
        let out = embedding("==a ![[Plan]] b==\n");
        assert!(!out.contains("<mark>"), "{out}");
        assert!(out.contains("note-embed"), "{out}");
    }

    #[test]
    fn wikilinks_resolve_or_become_plain_text() {
        assert_eq!(
            html("[[Dana]] and [[Secret note]]"),
            "<p><a href=\"../dana/\">Dana</a> and Secret note</p>\n"
        );
        assert!(
            html("[[Dana#^budget|the budget]]")
                .contains("<a href=\"../dana/#block-budget\">the budget</a>")
        );
        // Without an alias, the link reads as Obsidian shows it.
        assert_eq!(
            html("[[Dana#Goals#Q1]], [[Dana#^budget]], [[#Goals]] and [[Secret#Plans]]"),
            "<p><a href=\"../dana/#q1\">Dana &gt; Goals &gt; Q1</a>, <a href=\"../dana/#block-budget\">\
             Dana &gt; ^budget</a>, <a href=\"#goals\">Goals</a> and Secret &gt; Plans</p>\n"
        );
    }

    #[test]
    fn embedded_images_take_a_width_from_the_alias() {
        assert_eq!(
            html("![[photo.png|100]]"),
            "<p><img src=\"../../attachments/photo.png\" alt=\"photo.png\" width=\"100\" loading=\"lazy\"></p>\n"
        );
        assert!(
            html("![[missing.png]]").contains("<span class=\"missing-embed\">missing.png</span>")
        );
    }

    #[test]
    fn web_addresses_are_links_as_obsidian_makes_them() {
        let link = |url: &str, shown: &str| format!("<a href=\"{url}\">{shown}</a>");
        // Cut by the parser at `_` and `~`, held together; punctuation after it stays text;
        // a `)` it opened is its own, one it did not is not.
        assert_eq!(
            html("See https://a.com/x_y~z?q=1&r=2, (https://w.org/Foo_(bar)). www.b.com/p!"),
            format!(
                "<p>See {}, ({}). {}!</p>\n",
                link(
                    "https://a.com/x_y~z?q=1&amp;r=2",
                    "https://a.com/x_y~z?q=1&amp;r=2"
                ),
                link("https://w.org/Foo_(bar)", "https://w.org/Foo_(bar)"),
                link("http://www.b.com/p", "www.b.com/p")
            )
        );
        // In a task, with its block ID; an entity at its end is not its own.
        assert_eq!(
            html("- [ ] Read https://c.com/doc&amp; ^read\n"),
            format!(
                "<ul>\n<li class=\"task\" data-status=\"open\"><span class=\"checkbox\" \
                 role=\"img\" aria-label=\"open\">☐</span> Read {}&amp;<span class=\"block-anchor\" \
                 id=\"block-read\"></span></li>\n</ul>\n",
                link("https://c.com/doc", "https://c.com/doc")
            )
        );
        // Not in code, links or other words; nor without a name after the scheme.
        for body in [
            "`https://c.com`",
            "```\nhttps://c.com\n```",
            "[https://a.com](https://b.com)",
            "xhttps://c.com",
            "https:// and www. and https://_a_.com",
        ] {
            let out = html(body);
            assert!(
                !out.contains("href=\"https://c.com") && !out.contains("href=\"http://www"),
                "{body}: {out}"
            );
            assert!(!out.contains("_a_.com\""), "{body}: {out}");
        }
        assert!(
            html("[https://a.com](https://b.com)")
                .contains(&link("https://b.com", "https://a.com"))
        );
        // Emphasis inside an address ends its link there: no link is left open.
        let out = html("https://a.com/x*y*z and more");
        assert_eq!(
            out.matches("<a ").count(),
            out.matches("</a>").count(),
            "{out}"
        );
        assert!(
            out.starts_with("<p><a href=\"https://a.com/x*y*z\">https://a.com/x</a><em>"),
            "{out}"
        );
        // In a heading: its ID has the address's words.
        assert!(
            html("## See https://a.com")
                .contains("<h2 id=\"see-https-a-com\">See <a href=\"https://a.com\">")
        );
    }

    #[test]
    fn a_callout_with_a_fold_sign_folds_without_script() {
        // `-`: folded until opened, as Obsidian shows it; the title is the summary.
        assert_eq!(
            html("> [!FAQ]- Why **now**?\n> Calibration.\n"),
            "<details class=\"callout callout-question\" data-callout=\"question\">\
             <summary class=\"callout-title\">Why <strong>now</strong>?</summary>\
             <div class=\"callout-content\">\n<p>Calibration.</p>\n</div></details>\n"
        );
        // `+`: unfolded, and it folds when its title is clicked. Without a title the type
        // names it; a callout nested in it closes its own way.
        assert_eq!(
            html("> [!tip]+\n> Ask.\n> > [!note] Inner\n> > x\n"),
            "<details class=\"callout callout-tip\" data-callout=\"tip\" open>\
             <summary class=\"callout-title\">Tip</summary><div class=\"callout-content\">\n\
             <p>Ask.</p>\n<div class=\"callout callout-note\" data-callout=\"note\">\
             <p class=\"callout-title\">Inner</p><div class=\"callout-content\">\n<p>x</p>\n\
             </div></div>\n</div></details>\n"
        );
        // A title that runs on to the next line ends the summary there all the same.
        let out = html("> [!note]- ~~a\n> b~~ c\n> d\n");
        assert!(out.starts_with("<details "), "{out}");
        assert_eq!(out.matches("<summary").count(), 1, "{out}");
        assert_eq!(out.matches("</summary>").count(), 1, "{out}");
        assert!(out.ends_with("</div></details>\n"), "{out}");
    }

    #[test]
    fn callouts_get_their_type_and_title() {
        let out = html("> [!TIP] Remember\n> Ask early.\n");
        assert!(out.contains("<div class=\"callout callout-tip\" data-callout=\"tip\"><p class=\"callout-title\">Remember</p>"), "{out}");
        assert!(out.contains("<p>Ask early.</p>"), "{out}");
        assert!(!out.contains("[!"), "{out}");
        let unknown = html("> [!weird]\n> body\n");
        assert!(
            unknown.contains("callout-note") && unknown.contains(">Note</p>"),
            "{unknown}"
        );
        assert!(html("> just a quote\n").contains("<blockquote>"));
        // A title is Markdown, as Obsidian shows it.
        assert_eq!(
            html("> [!tip] Use `cargo` **now**, see [[Dana]]\n> Body.\n"),
            "<div class=\"callout callout-tip\" data-callout=\"tip\"><p class=\"callout-title\">Use \
             <code>cargo</code> <strong>now</strong>, see <a href=\"../dana/\">Dana</a></p>\
             <div class=\"callout-content\">\n<p>Body.</p>\n</div></div>\n"
        );
        assert_eq!(
            html("> [!note] Only a title\n"),
            "<div class=\"callout callout-note\" data-callout=\"note\"><p class=\"callout-title\">Only a \
             title</p><div class=\"callout-content\"></div></div>\n"
        );
    }

    #[test]
    fn highlights_tags_and_block_ids() {
        let out = html("An ==important== point #growth ^para-1\n");
        assert!(out.contains("<mark>important</mark>"), "{out}");
        assert!(
            out.contains("<a class=\"tag\" href=\"../../tags/growth/\">#growth</a>"),
            "{out}"
        );
        assert!(out.contains("id=\"block-para-1\""), "{out}");
        assert!(!out.contains("^para-1"), "{out}");
        assert!(html("a == b").contains("a == b"));
    }

    #[test]
    fn task_states_are_shown_and_items_anchored() {
        let body = "- [/] Access ^access\n- [-] Launch\n- [x] Done\n";
        let out = render(body, &[(0, "access")], &Links).html;
        assert!(
            out.contains("<li id=\"block-access\" class=\"task\" data-status=\"in-progress\">"),
            "{out}"
        );
        assert!(out.contains("data-status=\"declined\""), "{out}");
        assert!(out.contains("data-status=\"done\""), "{out}");
        assert!(
            !out.contains("[/]") && !out.contains("[-]") && !out.contains("^access"),
            "{out}"
        );
    }

    #[test]
    fn an_item_anchor_is_written_once_whatever_the_case_of_its_id() {
        let body = "- [ ] Budget for a course ^Req-One\n";
        let out = render(body, &[(0, "Req-One")], &Links).html;
        assert_eq!(out.matches("id=\"block-req-one\"").count(), 1, "{out}");
        // A paragraph's ID has no item to carry it: the text gets the anchor.
        let out = html("A paragraph ^Para-Two");
        assert_eq!(out.matches("id=\"block-para-two\"").count(), 1, "{out}");
    }

    #[test]
    fn plain_text_renders_as_itself_escaped() {
        let pieces = [
            "word",
            " ",
            ":",
            "=",
            "\"",
            "'",
            "é",
            "1",
            "2.",
            "-",
            "+",
            "%",
            "=",
            ":",
            "a:b",
            "x=y",
            "Decision:",
            "Agreed:",
            "😀",
            "/",
            "(",
            ")",
            "?",
            ",",
            ".",
            ";",
        ];
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        let mut checked = 0;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..1 + seed % 9 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            if !is_plain(&text) {
                continue;
            }
            checked += 1;
            let rendered = html(&text);
            let inner = rendered
                .trim_end()
                .strip_prefix("<p>")
                .and_then(|t| t.strip_suffix("</p>"));
            // Quotes in text may be written as entities or not: the same text either way.
            let quotes = |html: &str| html.replace("&quot;", "\"").replace("&#39;", "'");
            assert_eq!(
                inner.map(quotes),
                Some(quotes(&escape_html(&text))),
                "{text:?}"
            );
        }
        assert!(checked > 5_000, "{checked}");
        for text in [
            "a == b",
            "key:: value",
            "1. first",
            " x",
            "a #tag",
            "![[x]]",
        ] {
            assert!(!is_plain(text), "{text:?}");
        }
    }

    #[test]
    fn script_never_survives() {
        for body in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[x](javascript:alert(1))",
            "[x](JaVa\tScRiPt:alert(1))",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<div style=\"background:url(javascript:alert(1))\">x</div>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "![x](javascript:alert(1))",
            "<svg><script>alert(1)</script></svg>",
        ] {
            let out = html(body).to_lowercase();
            for bad in ["<script", "onerror", "javascript:", "<iframe", "style="] {
                assert!(!out.contains(bad), "{body:?} gave {out}");
            }
        }
    }

    #[test]
    fn dataview_fields_show_their_key() {
        let out = html("- outcome:: approved, Q1\n");
        assert!(
            out.contains("<li><span class=\"field-key\">outcome</span> approved, Q1</li>"),
            "{out}"
        );
        assert!(html("a::b").contains("a::b"));
    }

    #[test]
    fn a_lone_colon_or_equals_sign_is_plain_text_and_quotes_read_the_same() {
        assert_eq!(
            html("Decision: a = b, 1 < 2 & 3\n"),
            "<p>Decision: a = b, 1 &lt; 2 &amp; 3</p>\n"
        );
        // Quotes are escaped beside a colon, as they always were, and not elsewhere.
        assert_eq!(
            html("Agreed: \"ship\" it's\n"),
            "<p>Agreed: &quot;ship&quot; it&#39;s</p>\n"
        );
        assert_eq!(html("\"ship\" it's\n"), "<p>\"ship\" it's</p>\n");
        assert!(html("a == b == c").contains("a <mark> b </mark> c"));
        assert!(html("a: b ^anchor-1").contains("id=\"block-anchor-1\""));
    }

    #[test]
    fn a_highlight_holds_bold_and_italic_text_and_stays_in_its_block() {
        assert_eq!(
            html("==**bold**== and ==a *b* c==\n"),
            "<p><mark><strong>bold</strong></mark> and <mark>a <em>b</em> c</mark></p>\n"
        );
        assert_eq!(
            html("## ==Big== *news* ==**now**==\n"),
            "<h2 id=\"big-news-now\"><mark>Big</mark> <em>news</em> <mark><strong>now</strong></mark></h2>\n"
        );
        // Pairs that would cross an element, a paragraph or a list item stay text.
        assert_eq!(html("**==a**==\n"), "<p><strong>==a</strong>==</p>\n");
        assert_eq!(html("a ==b\n\nc== d\n"), "<p>a ==b</p>\n<p>c== d</p>\n");
        assert_eq!(
            html("- a ==x\n  - nested== y\n"),
            "<ul>\n<li>a ==x\n<ul>\n<li>nested== y</li>\n</ul>\n</li>\n</ul>\n"
        );
        assert_eq!(html("a == *b*\n"), "<p>a == <em>b</em></p>\n");
        // Across a line break of the same paragraph, as Obsidian shows it.
        assert_eq!(html("==a\nb==\n"), "<p><mark>a\nb</mark></p>\n");
    }

    #[test]
    fn a_field_is_a_key_and_value_only_at_the_start_of_a_line() {
        assert_eq!(
            html("Status:: green\n"),
            "<p><span class=\"field-key\">Status</span> green</p>\n"
        );
        assert_eq!(
            html("First line\nOwner:: Dana\n"),
            "<p>First line\n<span class=\"field-key\">Owner</span> Dana</p>\n"
        );
        assert!(
            html("- [x] Done\n    - outcome:: approved\n")
                .contains("<li><span class=\"field-key\">outcome</span> approved</li>")
        );
        // Inside a line of a paragraph: text, with nothing lost.
        assert_eq!(
            html("Inline text and plain Key:: value.\n"),
            "<p>Inline text and plain Key:: value.</p>\n"
        );
        // In a list item, as the ledger reads the item: the text, then its outcome.
        assert_eq!(
            html("- [ ] Talk to [[Dana]] about the budget outcome:: approved\n"),
            "<ul>\n<li class=\"task\" data-status=\"open\"><span class=\"checkbox\" role=\"img\" \
             aria-label=\"open\">☐</span> Talk to <a href=\"../dana/\">Dana</a> about the \
             budget <span class=\"field-key\">outcome</span> approved</li>\n</ul>\n"
        );
        assert_eq!(
            html("We agreed:: ship it\n"),
            "<p><span class=\"field-key\">We agreed</span> ship it</p>\n"
        );
    }

    #[test]
    fn bracketed_fields_show_as_dataview_shows_them() {
        // `[key:: value]`: the key and the value, without the brackets.
        assert_eq!(
            html("- [x] Headcount [done:: 2026-12-01] ^hc\n"),
            "<ul>\n<li class=\"task\" data-status=\"done\"><span class=\"checkbox\" role=\"img\" \
             aria-label=\"done\">☑</span> Headcount <span class=\"field\"><span class=\"field-key\">\
             done</span> 2026-12-01</span><span class=\"block-anchor\" id=\"block-hc\"></span></li>\n</ul>\n"
        );
        // `(key:: value)`: the value only.
        assert_eq!(
            html("Due soon (due:: 2026-12-05), and [owner:: Dana] too.\n"),
            "<p>Due soon <span class=\"field\">2026-12-05</span>, and <span class=\"field\">\
             <span class=\"field-key\">owner</span> Dana</span> too.</p>\n"
        );
        // Not fields: text as it was written.
        for text in ["[not a field]", "[a:b]", "(:: y)", "\\[k:: v]", "[k:: *v*]"] {
            let out = html(text);
            assert!(!out.contains("class=\"field\""), "{text}: {out}");
        }
        assert_eq!(html("[k:: *v*]\n"), "<p>[k:: <em>v</em>]</p>\n");
        // A value's text is escaped.
        assert_eq!(
            html("(k:: \"q\" > 0)\n"),
            "<p><span class=\"field\">&quot;q&quot; &gt; 0</span></p>\n"
        );
        // One that pulldown-cmark cuts into pieces (at `<` or `&`) stays text.
        assert_eq!(html("(k:: 1 < 2)\n"), "<p>(k:: 1 &lt; 2)</p>\n");
    }

    #[test]
    fn a_heading_with_a_heading_link_keeps_the_id_it_had() {
        // The ID comes from the link as written (`Dana#Goals`), not as it reads.
        assert!(html("## See [[Dana#Goals]] now\n").starts_with("<h2 id=\"see-dana-goals-now\">"));
    }

    #[test]
    fn a_heading_with_a_field_keeps_the_id_it_had() {
        assert_eq!(
            html("## Plan [due:: 2026-12-01]\n"),
            "<h2 id=\"plan-due-2026-12-01\">Plan <span class=\"field\"><span class=\"field-key\">due\
             </span> 2026-12-01</span></h2>\n"
        );
    }

    /// The elements a highlight can meet, and whether each closes in the order it opened.
    fn nests_properly(html: &str) -> bool {
        let mut open: Vec<&str> = Vec::new();
        for tag in html.split('<').skip(1) {
            let name = tag.split(['>', ' ']).next().unwrap_or_default();
            let (closing, name) = match name.strip_prefix('/') {
                Some(name) => (true, name),
                None => (false, name),
            };
            if !matches!(
                name,
                "mark"
                    | "strong"
                    | "em"
                    | "del"
                    | "p"
                    | "li"
                    | "ul"
                    | "ol"
                    | "h2"
                    | "code"
                    | "a"
                    | "span"
                    | "div"
                    | "blockquote"
            ) {
                continue;
            }
            if closing {
                if open.pop() != Some(name) {
                    return false;
                }
            } else {
                open.push(name);
            }
        }
        open.is_empty()
    }

    proptest::proptest! {
        /// Whatever the `==`, emphasis, lists and paragraphs around it, a highlight never
        /// crosses another element, and every text of the note is still there.
        #[test]
        fn highlights_nest_inside_what_holds_them(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "==", "**", "*", "~~", "`", "a", "b c", " ", "\n", "\n\n", "- ", "## ",
                    "[[Note]]", "#tag ", "key:: ", "> ", "[", "]", "(", ")", "k:: v",
                    "> [!note] ", "> [!tip]- T ", "> > ",
                ]),
                0..24,
            )
        ) {
            let body: String = parts.concat();
            let out = html(&body);
            proptest::prop_assert!(nests_properly(&out), "{body:?} gave {out:?}");
            let marks = out.matches("<mark>").count();
            proptest::prop_assert_eq!(marks, out.matches("</mark>").count(), "{:?}", out);
        }
    }

    #[test]
    fn linkage_has_every_link_the_page_resolves_and_every_anchor_it_has() {
        let body = "# Plan\n\nSee [[Note#Goals|goals]] and ![[chart.png|300]].\n\n\
            ## Plan\n\n- [ ] ask [docs](Other%20Note.md#top) [web](https://example.com) ^ask\n\n\
            `[[code]]` and ![alt](img/a.png) text ^Para\n";
        let linkage = linkage(body);
        let links: Vec<(&str, bool, bool, &str)> = linkage
            .links
            .iter()
            .map(|l| (&body[l.at..], l.wikilink, l.embed, l.target.as_str()))
            .map(|(from, w, e, t)| (from.split_whitespace().next().unwrap(), w, e, t))
            .collect();
        assert_eq!(
            links,
            [
                ("[[Note#Goals|goals]]", true, false, "Note#Goals"),
                ("![[chart.png|300]].", true, true, "chart.png"),
                (
                    "[docs](Other%20Note.md#top)",
                    false,
                    false,
                    "Other Note.md#top"
                ),
                ("![alt](img/a.png)", false, true, "img/a.png"),
            ]
        );
        assert_eq!(
            linkage.anchors,
            ["block-ask", "block-para", "plan", "plan-1"]
        );
        // What the site writes: the same IDs.
        let page = html(body);
        for anchor in &linkage.anchors {
            assert!(
                page.contains(&format!("id=\"{anchor}\"")),
                "{anchor}: {page}"
            );
        }
    }

    #[test]
    fn nesting_is_counted_by_the_elements_that_hold_others() {
        assert_eq!(nesting_depth("<p>a<br>b<img src=x><hr/></p>"), 0);
        assert_eq!(
            nesting_depth("<div><div></div><span><b>x</b></span></div>"),
            3
        );
        assert_eq!(
            nesting_depth("<ul><li><ul><li>x</li></ul></li></ul><!-- c -->"),
            2
        );
        assert_eq!(nesting_depth(&"<div>".repeat(5)), 5);
    }

    #[test]
    fn raw_html_nested_too_deep_to_sanitize_quickly_is_shown_as_text() {
        // 30,000 nested `<div>` took the sanitizer a second; a note may hold millions.
        let body = format!("{}<script>alert(1)</script>\n", "<div>".repeat(20_000));
        let out = html(&body);
        assert!(
            !out.contains("<div>") && !out.contains("<script"),
            "{}",
            &out[..200]
        );
        assert!(out.contains("&lt;div&gt;&lt;div&gt;") && out.contains("&lt;script&gt;"));
        // So do the tags of a note whose own quotes nest that deep.
        let out = html(&format!("{} <b>x</b>\n", ">".repeat(2000)));
        assert!(out.contains("&lt;b&gt;x&lt;/b&gt;") && !out.contains("<b>"));
        // Raw HTML as notes hold it is kept, sanitized.
        let out = html("<details><summary>More</summary><div><b>x</b></div></details>\n");
        assert!(
            out.contains("<details><summary>More</summary><div><b>x</b></div></details>"),
            "{out}"
        );
    }

    #[test]
    fn a_callout_inside_thousands_of_quotes_on_one_line_is_found() {
        // Each quote looked for the end of the line before its `[!`: 200,000 took 2.7 s.
        let out = html(&format!("{} [!note] Deep\n", ">".repeat(20_000)));
        assert_eq!(
            out.matches("callout-note").count(),
            1,
            "{}",
            &out[out.len() - 300..]
        );
        assert_eq!(out.matches("<blockquote>").count(), 19_999);
    }

    #[test]
    fn headings_get_unique_ids() {
        let out = html("## Wins\n## Wins\n");
        assert!(
            out.contains("<h2 id=\"wins\">Wins</h2>") && out.contains("<h2 id=\"wins-1\">"),
            "{out}"
        );
    }

    #[test]
    fn thousands_of_headings_of_one_name_each_get_the_next_free_id() {
        // Each ID was looked for among all before it, for every number tried: a note of
        // 3,000 headings "h" took eight seconds, and one of 100,000 did not finish.
        let mut body = String::from("# h-5\n\n");
        body.push_str(&"# h\n\n".repeat(3000));
        let linkage = linkage(&body);
        let mut expected = vec!["h-5".to_owned(), "h".to_owned()];
        // `h-5` is taken by the first heading: the sixth "h" is `h-6`, and so on.
        expected.extend((1..3000).map(|n| format!("h-{}", if n < 5 { n } else { n + 1 })));
        assert_eq!(linkage.anchors, expected);
        let page = html(&body);
        assert!(
            page.contains("<h1 id=\"h-3000\">h</h1>"),
            "{}",
            &page[page.len() - 100..]
        );
        assert_eq!(page.matches("id=\"h-5\"").count(), 1);
    }
}
