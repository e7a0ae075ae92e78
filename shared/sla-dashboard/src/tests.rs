use super::*;

/// Every `href="..."` and `src="..."` value of `html`.
fn references(html: &str) -> Vec<&str> {
    let mut found = Vec::new();
    for attribute in ["href=\"", "src=\""] {
        for (at, _) in html.match_indices(attribute) {
            let rest = &html[at + attribute.len()..];
            if let Some(end) = rest.find('"') {
                found.push(&rest[..end]);
            }
        }
    }
    found
}

/// True when `html` has an ` on<letters>=` attribute.
fn has_event_handler(html: &str) -> bool {
    html.match_indices(" on").any(|(at, _)| {
        let rest = &html[at + 3..];
        let name_len = rest.chars().take_while(char::is_ascii_alphabetic).count();
        name_len > 0 && rest[name_len..].starts_with('=')
    })
}

fn text(asset: Asset) -> &'static str {
    std::str::from_utf8(asset.body).expect("assets are UTF-8")
}

#[test]
fn the_page_loads_its_script_style_and_icon_from_assets() {
    let html = page("acme");
    assert!(html.contains(r#"<script src="assets/app.js" defer></script>"#));
    assert!(html.contains(r#"<link rel="stylesheet" href="assets/app.css">"#));
    assert!(html.contains(r#"href="assets/icon.svg""#));
    assert!(html.contains(r#"<body data-tenant="acme">"#));
    assert!(html.contains("<title>SLA dashboard · acme</title>"));
}

#[test]
fn every_asset_the_page_references_exists() {
    let html = page("acme");
    let assets: Vec<&str> = references(&html)
        .into_iter()
        .filter_map(|r| r.strip_prefix("assets/"))
        .collect();
    assert_eq!(assets.len(), 3, "{assets:?}");
    for name in assets {
        let asset =
            asset(name).unwrap_or_else(|| panic!("assets/{name} is referenced but missing"));
        assert!(!asset.body.is_empty(), "{name} is empty");
    }
}

#[test]
fn the_page_references_nothing_but_its_own_server() {
    let html = page("acme");
    for reference in references(&html) {
        let local = reference.starts_with("assets/") || reference.starts_with('#');
        assert!(local, "the page references {reference}");
    }
    for name in ["app.js", "app.css", "icon.svg"] {
        let body = text(asset(name).expect("asset"));
        // The SVG namespace is a name, not a request.
        let urls = body
            .replace("http://www.w3.org/2000/svg", "")
            .matches("://")
            .count();
        assert_eq!(urls, 0, "{name} names an absolute URL");
        assert!(!body.contains("@import"), "{name} imports");
    }
}

#[test]
fn the_page_needs_no_inline_script_or_style() {
    let html = page("acme");
    let scripts = html.matches("<script").count();
    let external = html.matches("<script src=\"assets/").count();
    assert_eq!(scripts, external, "every script is an asset");
    assert!(!html.contains("<style"), "no style element");
    assert!(!html.contains(" style="), "no style attribute");
    assert!(!has_event_handler(&html), "no inline event handler");
    assert!(!html.contains("javascript:"));
}

#[test]
fn the_tenant_is_escaped() {
    let hostile = r#"<img src=x onerror="alert(1)">'&"#;
    let html = page(hostile);
    assert!(!html.contains("<img"), "{html}");
    assert!(
        has_event_handler(r#"<a onclick="x">"#),
        "the check finds handlers"
    );
    assert!(html.contains("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;"));
    assert!(
        html.contains(r#"data-tenant="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;""#)
    );
    assert!(!html.contains("{{tenant}}"), "every placeholder is filled");
}

#[test]
fn assets_have_their_content_types_and_unknown_names_none() {
    assert_eq!(
        asset("app.js").map(|a| a.content_type),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(
        asset("app.css").map(|a| a.content_type),
        Some("text/css; charset=utf-8")
    );
    assert_eq!(
        asset("icon.svg").map(|a| a.content_type),
        Some("image/svg+xml")
    );
    for unknown in ["", "page.html", "../Cargo.toml", "app.js/", "APP.JS"] {
        assert_eq!(asset(unknown), None, "{unknown}");
    }
}

#[test]
fn the_script_sends_the_token_as_a_header_and_keeps_it_in_the_session() {
    let script = text(asset("app.js").expect("app.js"));
    assert!(script.contains("headers.Authorization = `Bearer ${state.token}`"));
    assert!(script.contains("sessionStorage.setItem(tokenKey, token)"));
    assert!(
        !script.contains("localStorage"),
        "the token outlives no tab"
    );
    assert!(!script.contains("eval("), "no eval under the CSP");
}

#[test]
fn the_policy_allows_nothing_but_the_server_itself() {
    assert!(CONTENT_SECURITY_POLICY.starts_with("default-src 'self'"));
    assert!(!CONTENT_SECURITY_POLICY.contains("unsafe"));
    assert!(CONTENT_SECURITY_POLICY.contains("frame-ancestors 'none'"));
}

#[test]
fn every_element_the_script_looks_up_is_in_the_page() {
    let html = page("acme");
    let script = text(asset("app.js").expect("app.js"));
    let mut ids: Vec<&str> = script
        .split("$(\"")
        .skip(1)
        .filter_map(|rest| rest.split_once("\")").map(|(id, _)| id))
        .collect();
    for (at, _) in script.match_indices("querySelector(\"#") {
        let rest = &script[at + "querySelector(\"#".len()..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(rest.len());
        ids.push(&rest[..end]);
    }
    assert!(ids.len() > 10, "{ids:?}");
    for id in ids {
        assert!(
            html.contains(&format!("id=\"{id}\"")),
            "the script needs #{id}"
        );
    }
}
