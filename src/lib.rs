//! onshi — a conformance and load-test harness for Japan's online eligibility
//! verification (オンライン資格確認) with the My Number Card as health-insurance card.

pub mod card;
pub mod cardstate;
pub mod codes;
pub mod fsutil;
pub mod hex;
pub mod message;
pub mod pki;
pub mod rules;
pub mod xml;
