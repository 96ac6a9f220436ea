//! The reference qualification backend: the default system under test and the
//! yardstick every conformance check is proven against.
//!
//! | file | concept |
//! |---|---|
//! | [`engine`] | the pure, synchronous decision engine ([`Engine`]) |
//! | [`auth`] | certificate chain, card signature, reader attestation ([`TrustAnchors`]) |
//! | [`answer`] | visible records, validity, consent-gated result blocks |
//! | [`documents`] | 資格確認書 / old 保険証 / お知らせ rules of the numbers path |
//! | [`challenge`] | single-use, short-lived nonces |
//! | [`defects`] | defect injection ([`Defect`], [`DefectSet`]) |
//! | [`audit`] | the JSONL audit log |
//! | [`kana`] | half-width katakana for `NameKana` |
//! | [`http`] | the axum router: JSON API and XML over HTTP ([`http::app`]) |
//! | [`xmlface`] | XML bytes in → bytes out (HTTP and folder) |
//! | [`folder`] | the req/res shared-folder exchange |
//! | [`faults`] | fault injection (latency, errors, 503 bursts, resets, outage) |
//! | [`listener`] | the TCP listener that injects connection resets |
//! | [`serving`] | HTTP/1.1 with bounds: header-read timeout, connection limit, bounded shutdown |

pub mod answer;
pub mod audit;
pub mod auth;
pub mod challenge;
pub mod defects;
pub mod engine;
pub mod faults;
pub mod folder;
pub mod http;
pub mod kana;
pub mod listener;
pub mod reference;
pub mod serving;
pub mod xmlface;

pub use audit::{AuditLog, AuditRecord};
pub use auth::TrustAnchors;
pub use defects::{Defect, DefectSet};
pub use engine::{Engine, EngineConfig, EngineError, Outcome};
pub use faults::{FaultConfig, FaultInjector};
pub use http::{AppState, app};

#[cfg(test)]
mod tests;
