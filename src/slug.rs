//! URL-safe names for pages and anchors.

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
            slug.extend(c.to_lowercase());
        } else {
            dash = true;
        }
    }
    if slug.is_empty() {
        slug.push_str("page");
    }
    slug
}

/// Escapes text for HTML content and attribute values.
pub fn escape_html(text: &str) -> String {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
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
    }
}
