//! The reference backend's faces: HTTP handlers without a socket (`oneshot`), one run
//! over a real loopback socket, the req/res folder with real files, and the
//! `QualificationBackend` adapters.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

#[path = "backend_http/adapters.rs"]
mod adapters;
#[path = "backend_http/common.rs"]
mod common;
#[path = "backend_http/folder.rs"]
mod folder;
#[path = "backend_http/handlers.rs"]
mod handlers;
#[path = "backend_http/openapi.rs"]
mod openapi;
