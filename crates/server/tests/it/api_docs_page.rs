//! `/api/docs`: the documentation page is served from the binary's own assets, reads the
//! served OpenAPI document and loads nothing from another site.

use crate::common;

/// The `src`/`href` values of an HTML page, in order.
fn linked_urls(html: &str) -> Vec<String> {
    let mut urls = Vec::new();
    for attribute in ["src=\"", "href=\""] {
        for rest in html.split(attribute).skip(1) {
            urls.push(rest[..rest.find('"').unwrap()].to_owned());
        }
    }
    urls
}

#[tokio::test]
async fn the_docs_page_and_every_asset_it_links_are_served_from_the_binary_with_no_external_url() {
    let app = common::TestApp::sqlite().await;

    // `/api/docs` leads to the page (a redirect to the folder form the assets are relative to)
    let response = app.client.get(app.url("/api/docs")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.url().path(), "/api/docs/");
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("text/html"), "the page is HTML, not {content_type}");
    let html = response.text().await.unwrap();
    assert!(!html.contains("://"), "the page names no URL of another site:\n{html}");

    let urls = linked_urls(&html);
    assert!(urls.iter().any(|u| u.ends_with(".js")), "the page loads its scripts: {urls:?}");
    assert!(urls.iter().any(|u| u.ends_with(".css")), "the page loads its styles: {urls:?}");
    for url in &urls {
        assert!(!url.starts_with("//") && !url.contains(':'), "{url} would leave the server");
        let asset =
            app.client.get(app.url(&format!("/api/docs/{}", url.trim_start_matches("./")))).send().await.unwrap();
        assert_eq!(asset.status(), 200, "{url} is linked by the page but not served");
        assert!(!asset.bytes().await.unwrap().is_empty(), "{url} is served empty");
    }

    // the script that starts the page reads this server's document and asks no online validator
    let initializer = app.client.get(app.url("/api/docs/swagger-initializer.js")).send().await.unwrap();
    assert_eq!(initializer.status(), 200);
    let script = initializer.text().await.unwrap();
    assert!(script.contains("\"/api/openapi.json\""), "the page reads the served document:\n{script}");
    assert!(!script.contains("://"), "the start-up script names no other site:\n{script}");

    // and the document it reads is served
    let document = app.client.get(app.url("/api/openapi.json")).send().await.unwrap();
    assert_eq!(document.status(), 200);
}

#[tokio::test]
async fn an_asset_the_docs_page_does_not_have_is_a_404() {
    let app = common::TestApp::sqlite().await;
    let response = app.client.get(app.url("/api/docs/no-such-asset.js")).send().await.unwrap();
    assert_eq!(response.status(), 404);
}
