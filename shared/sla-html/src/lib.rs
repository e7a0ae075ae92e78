//! HTML escaping, one copy for every page and HTML body the tracker writes: the HTML
//! report (`sla-report`), the dashboard page (`sla-dashboard`) and the notes the autopilot
//! posts to helpdesks whose note bodies are HTML (`sla-actions-http`).
//!
//! ```
//! assert_eq!(sla_html::escape(r#"<a href="x">'&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
//! assert_eq!(sla_html::text_with_breaks("a < b\nc"), "a &lt; b<br>c");
//! ```

#![warn(missing_docs)]

/// `text` safe inside HTML element content and double- or single-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_escaped(&mut out, c);
    }
    out
}

/// Plain text as an HTML fragment: escaped, each line break a `<br>`.
pub fn text_with_breaks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push_str("<br>"),
            c => push_escaped(&mut out, c),
        }
    }
    out
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        c => out.push(c),
    }
}
