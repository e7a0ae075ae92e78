//! The page around the charts: escaping, the inline style sheet and tables.

use crate::render::Table;

/// Escapes text for HTML element content and quoted attribute values.
pub(crate) use sla_html::escape;

/// Percent-encodes `text` for a URL path segment or query value (RFC 3986 unreserved
/// characters stay as they are).
pub(crate) fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A table in a horizontally scrolling box, numbers right-aligned.
pub(crate) fn table(table: &Table, caption: Option<&str>) -> String {
    let mut html = String::from(r#"<div class="scroll"><table>"#);
    if let Some(caption) = caption {
        html.push_str(&format!("<caption>{}</caption>", escape(caption)));
    }
    html.push_str("<thead><tr>");
    for h in &table.header {
        html.push_str(&format!(r#"<th scope="col">{}</th>"#, escape(h)));
    }
    html.push_str("</tr></thead><tbody>");
    for row in &table.rows {
        html.push_str("<tr>");
        for cell in row {
            let class = match cell {
                crate::render::Cell::Text(_) => "",
                _ => r#" class="num""#,
            };
            html.push_str(&format!("<td{class}>{}</td>", escape(&cell.text())));
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table></div>");
    html
}

/// The inline style sheet: readable on a phone (tables scroll, charts scale) and on A4
/// paper (each section on its own page, charts kept whole).
pub(crate) const CSS: &str = r#"
:root{--ink:#1d2733;--muted:#5b6673;--line:#d5dbe1;--bar:#3b6ea8;--met:#2f855a;--target:#c0392b;--rec:#2f855a;--km:#8e44ad}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1100px;padding:16px;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--ink);background:#fff}
h1{font-size:1.5rem;margin:0 0 4px}h2{font-size:1.2rem;margin:28px 0 8px;border-bottom:2px solid var(--line);padding-bottom:4px}h3{font-size:1rem;margin:18px 0 6px}
p.lead,p.note{color:var(--muted);margin:4px 0 12px}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:8px 0 16px;border:1px solid var(--line);border-radius:4px}
table{border-collapse:collapse;font-size:.85rem;white-space:nowrap;width:100%}
caption{text-align:left;font-weight:600;padding:6px 8px}
th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left}
th{background:#f3f5f7;position:sticky;top:0}td.num{text-align:right;font-variant-numeric:tabular-nums}
tbody tr:nth-child(even){background:#fafbfc}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,460px),1fr));gap:12px}
figure{margin:0;break-inside:avoid;page-break-inside:avoid}
svg.chart{width:100%;height:auto;display:block;font-size:12px}
.wide svg.chart{max-width:760px}
figcaption{font-size:.8rem;color:var(--muted);margin:2px 0 6px}
.chart-title{font-size:14px;font-weight:600;text-anchor:middle;fill:var(--ink)}
.axis{fill:none;stroke:var(--ink);stroke-width:1}.grid{stroke:var(--line);stroke-width:.5}
.axis-label{fill:var(--muted);font-size:12px;text-anchor:middle}
.tick{fill:var(--muted);font-size:11px}.y-tick{text-anchor:end}
.bar{fill:var(--bar)}.line{fill:none;stroke:var(--bar);stroke-width:2}.point{fill:var(--bar)}
.target{stroke:var(--target);stroke-width:2;stroke-dasharray:6 3}.recommended{stroke:var(--rec);stroke-width:2}.km{stroke:var(--km);stroke-width:1.5;stroke-dasharray:2 2}
.goal{stroke:var(--target);stroke-width:1;stroke-dasharray:4 3}
.marker-label{font-size:11px;fill:var(--ink);paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
.target-label{fill:var(--target)}.recommended-label{fill:var(--rec)}.km-label{fill:var(--km)}
.seg0{fill:#d9822b;background:#d9822b}.seg1{fill:#3b6ea8;background:#3b6ea8}.seg2{fill:#8fb8de;background:#8fb8de}.seg3{fill:#b6a4d4;background:#b6a4d4}.seg4{fill:#9ccc9c;background:#9ccc9c}.seg5{fill:#c8c8c8;background:#c8c8c8}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:.8rem;color:var(--muted);margin:4px 0}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
a{color:#1f5fa0}
@media (max-width:600px){body{padding:10px;font-size:14px}h1{font-size:1.25rem}}
@page{size:A4;margin:12mm}
@page wide{size:A4 landscape;margin:12mm}
@media print{body{max-width:none;padding:0;font-size:10pt}#summary{page:wide}section{break-before:page;page-break-before:always}section:first-of-type{break-before:auto;page-break-before:auto}.scroll{overflow:visible;border:none}table{white-space:normal;font-size:7pt}th,td{padding:2px 3px}th{position:static;white-space:normal}.charts{display:block}figure{margin-bottom:8px}a{color:inherit;text-decoration:none}}
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Cell;

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(
            escape(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(escape("emea-tier 2"), "emea-tier 2");
    }

    #[test]
    fn url_values_are_percent_encoded() {
        assert_eq!(percent_encode("A-1_b.c~"), "A-1_b.c~");
        assert_eq!(percent_encode("a/b?c=d&e"), "a%2Fb%3Fc%3Dd%26e");
        assert_eq!(percent_encode("\"><é"), "%22%3E%3C%C3%A9");
    }

    #[test]
    fn tables_escape_user_data_and_align_numbers() {
        let t = Table {
            title: "t".into(),
            header: vec!["GROUP".into(), "MET".into()],
            csv_header: vec!["group".into(), "met".into()],
            rows: vec![vec![Cell::Text("<b>emea</b>".into()), Cell::Number(3)]],
        };
        let html = table(&t, None);
        assert!(html.contains("<td>&lt;b&gt;emea&lt;/b&gt;</td>"));
        assert!(html.contains(r#"<td class="num">3</td>"#));
        assert!(!html.contains("<b>"));
    }
}
