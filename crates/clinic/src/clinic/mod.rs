//! The clinic's shell.
//!
//! | file | concept |
//! |---|---|
//! | [`desk`] | [`attend`]: one visit at the reference clinic — the pure desk, its numbers query through any backend, the answer; shared by the suite's in-process clinic and `onshi clinic serve` |
//! | [`control`] | the clinic-control API: [`RemoteClinic`] (onshi's client of a clinic under test) and [`app`] (the reference clinic behind the API) |

pub mod control;
pub mod desk;

pub use onshi_domain::clinic::{
    ClinicAnswer, ClinicDefect, ClinicInfo, ClinicVisitRequest, NotedPatient, ReaderAtClinic,
    RecoveryAnswer, RecoveryRequest, decision_of, wire,
};

pub use control::{ClinicPlugError, ClinicServerConfig, RemoteClinic, app};
pub use desk::{attend, recover};
