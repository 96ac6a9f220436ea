//! Qualification backends: the protocol and the clients that speak it.

pub mod protocol;
