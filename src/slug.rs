//! URL-safe names for pages and anchors.

use std::borrow::Cow;

/// Lower-case letters and digits joined by `-`: `2026-05-26 Dana Whitaker` gives
/// `2026-05-26-dana-whitaker`. Letters of any script are kept; an empty result is `page`.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() || c == '_' {
            if dash && !slug.is_empty() {
                slug.push('-');
            }
            dash = false;
            push_lowercase(&mut slug, c);
        } else {
            dash = true;
        }
    }
    if slug.is_empty() {
        slug.push_str("page");
    }
    slug
}

/// Pushes `c` lower-cased: ASCII in place, other letters through Unicode's tables (which can
/// give more than one character).
pub fn push_lowercase(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else {
        out.extend(c.to_lowercase());
    }
}

/// Escapes text for HTML content and attribute values. Text with nothing to escape (most
/// of it) is returned as it is, without a copy.
pub fn escape_html(text: &str) -> Cow<'_, str> {
    let Some(first) = first_escaped(text.as_bytes()) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str(&text[..first]);
    // Writing into a String cannot fail.
    let _ = escape_html_to(&mut out, &text[first..]);
    Cow::Owned(out)
}

/// Writes `text` escaped for HTML into `out`, a run of plain text at a time. The runs are
/// found sixteen bytes at a time (pulldown-cmark's escaper, which escapes the same five
/// characters to the same entities as [`escape_html`]).
pub fn escape_html_to(out: &mut impl std::fmt::Write, text: &str) -> std::fmt::Result {
    pulldown_cmark_escape::escape_html(pulldown_cmark_escape::FmtWriter(out), text)
}

/// Where the first of the five characters HTML needs escaped is (all ASCII, so a byte that is
/// one of them is that character): two vector searches, the second only up to what the first
/// found.
fn first_escaped(bytes: &[u8]) -> Option<usize> {
    let markup = memchr::memchr3(b'&', b'<', b'>', bytes);
    let quote = memchr::memchr2(b'"', b'\'', &bytes[..markup.unwrap_or(bytes.len())]);
    quote.or(markup)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lower_case_words() {
        assert_eq!(
            slugify("2026-05-26 Dana Whitaker"),
            "2026-05-26-dana-whitaker"
        );
        assert_eq!(slugify("  Ünïcode — Notes! "), "ünïcode-notes");
        assert_eq!(slugify("???"), "page");
        assert_eq!(slugify("a/b"), "a-b");
    }

    #[test]
    fn escaping_covers_attributes() {
        assert_eq!(
            escape_html("<a href=\"x\">'&'"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;"
        );
        // Letters of any script around the escapes stay whole.
        assert_eq!(escape_html("é<ü>ß&"), "é&lt;ü&gt;ß&amp;");
        assert!(matches!(escape_html("plain — text"), Cow::Borrowed(_)));
        let mut streamed = String::new();
        escape_html_to(&mut streamed, "a<b & \"c\" 'd'").unwrap();
        assert_eq!(streamed, escape_html("a<b & \"c\" 'd'"));
        assert_eq!(streamed, "a&lt;b &amp; &quot;c&quot; &#39;d&#39;");
    }

    #[test]
    fn escaping_is_the_same_across_the_sixteen_byte_blocks() {
        // The escaper looks at sixteen bytes at a time: 3,200 texts of every length up to 80
        // pieces (several blocks), the special characters and letters of several bytes at
        // random places, each compared with escaping one piece at a time.
        let parts = ["a", "<", ">", "&", "\"", "'", "é", "—", "🙂", " ", "\n"];
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for length in 0..80 {
            for _ in 0..40 {
                let mut text = String::new();
                let mut expected = String::new();
                for _ in 0..length {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    let part = parts[(state % parts.len() as u64) as usize];
                    text.push_str(part);
                    expected.push_str(match part {
                        "<" => "&lt;",
                        ">" => "&gt;",
                        "&" => "&amp;",
                        "\"" => "&quot;",
                        "'" => "&#39;",
                        other => other,
                    });
                }
                let mut streamed = String::new();
                escape_html_to(&mut streamed, &text).unwrap();
                assert_eq!(streamed, expected, "{text:?}");
                assert_eq!(escape_html(&text), expected, "{text:?}");
            }
        }
    }
}
