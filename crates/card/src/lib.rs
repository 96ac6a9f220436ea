//! The virtual My Number Card: ISO 7816-4, typed status words, the JPKI / input-support / card-surface applications, PIN counters, the APDU trace. Pure.

pub mod card;
