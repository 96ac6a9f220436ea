//! The domain of online eligibility verification: code tables, the OQS messages and their XML codec, the rules calendar and the desk, the requirement catalogue, and the protocol vocabulary. Pure.

pub mod clinic;
pub mod codes;
pub mod fuzzing;
pub mod message;
pub mod protocol;
pub mod rules;
pub mod xml;
