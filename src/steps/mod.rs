//! Step definitions of the Japanese Gherkin suite (`features/*.feature`), one file per
//! concept; each holds that concept's 前提, もし and ならば together. They live in the
//! binary so cucumber's `inventory` collects them.
//!
//! - `world`: the patient, the facility's equipment, the oracle's verdict, shared helpers.
//! - `reader`: placing the card, face / PIN / 目視, lockout, proxy and assist, consent screens.
//! - `registration`: 保険証利用登録 on the spot or from マイナポータル, and its refusals.
//! - `documents`: お知らせ, portal screen, 資格確認書, old 保険証, school copies, number checks.
//! - `copay`: the desk's decision, 負担割合, never 10割, 限度額, 特定疾病, 医療扶助.
//! - `privacy`: My Number never read or used, the right person, medical info only with consent.
//! - `calendar`: the visit date, care settings, transitional measures, data windows.
//! - `protocol`: line faults, forged and replayed requests, validity, codes, result files.
//! - `security`: forged signatures, certificates and reader attestations (`SEC-…`).

mod bulk;
mod calendar;
mod copay;
mod documents;
mod privacy;
mod protocol;
mod reader;
mod registration;
mod security;
mod world;

/// Referenced by `onshi run` so the linker keeps this module (and its steps).
pub(crate) fn link() {}
