//! The OpenAPI file describes every route of the router.

use axum::body::Body;
use axum::http::Request;
use onshi::server::app;
use onshi::server::http::ROUTES;
use tower::ServiceExt;

use crate::common::state;

#[test]
fn every_route_is_in_the_openapi_file() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/openapi/onshi-v1.yaml"
    ))
    .expect("openapi/onshi-v1.yaml");
    assert!(text.starts_with("openapi: 3."));
    for (method, path) in ROUTES {
        let key = format!("\n  {path}:\n");
        let start = text.find(&key).unwrap_or_else(|| panic!("{path} missing"));
        let section = &text[start + key.len()..];
        let end = section.find("\n  /").unwrap_or(section.len());
        let method_key = format!("    {}:", method.to_ascii_lowercase());
        assert!(
            section[..end].contains(&method_key),
            "{method} {path} missing"
        );
    }
}

#[tokio::test]
async fn every_listed_route_is_routed() {
    let (state, _) = state(&[]);
    for (method, path) in ROUTES {
        let req = Request::builder()
            .method(*method)
            .uri(*path)
            .body(Body::empty())
            .unwrap();
        let status = app(state.clone()).oneshot(req).await.unwrap().status();
        assert_ne!(status.as_u16(), 404, "{method} {path}");
        assert_ne!(status.as_u16(), 405, "{method} {path}");
    }
}
