//! A deterministic test JPKI (roots, per-card certificates, CRLs, key cache), the Ed25519 reader CA and the load root.

pub mod pki;
