//! onshi — a conformance and load-test harness for Japan's online eligibility
//! verification (オンライン資格確認) with the My Number Card as health-insurance card.

pub mod backend;
pub mod bench;
pub mod card;
pub mod cardcheck;
pub mod cardstate;
pub mod channel;
pub mod codes;
pub mod conformance;
pub mod defaults;
pub mod fsutil;
pub mod hex;
pub mod load;
pub mod message;
pub mod oracle;
pub mod persona;
pub mod pki;
pub mod population;
pub mod protocol;
pub mod reader;
pub mod report;
pub mod rules;
pub mod server;
pub mod tomlsrc;
pub mod vpcd;
pub mod xml;
