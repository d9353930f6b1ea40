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
    let Some(first) = text.bytes().position(|b| escaped(b).is_some()) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str(&text[..first]);
    // Writing into a String cannot fail.
    let _ = escape_html_to(&mut out, &text[first..]);
    Cow::Owned(out)
}

/// Writes `text` escaped for HTML into `out`, a run of plain text at a time.
pub fn escape_html_to(out: &mut impl std::fmt::Write, text: &str) -> std::fmt::Result {
    let mut last = 0;
    // The five characters escaped are ASCII, so a byte that is one of them is that
    // character, and every cut falls between two characters.
    for (i, byte) in text.bytes().enumerate() {
        if let Some(entity) = escaped(byte) {
            out.write_str(&text[last..i])?;
            out.write_str(entity)?;
            last = i + 1;
        }
    }
    out.write_str(&text[last..])
}

/// The entity that stands for `byte` in HTML, if it must be escaped.
fn escaped(byte: u8) -> Option<&'static str> {
    match byte {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&#39;"),
        _ => None,
    }
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
}
