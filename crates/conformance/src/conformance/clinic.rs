//! The clinic at the window: the reference clinic in process (the same
//! [`onshi_clinic::clinic::attend`] that `onshi clinic serve` runs) or a clinic under
//! test through the clinic-control API. Either way onshi hands it a
//! [`ClinicVisitRequest`] and judges the [`ClinicAnswer`] it gives back.

use onshi_backend::backend::AnyBackend;
use onshi_clinic::clinic::{ClinicAnswer, ClinicDefect, ClinicVisitRequest, RemoteClinic, attend};

use super::env::Env;
use super::faulty::FaultyBackend;

/// `--clinic builtin|http://HOST:PORT`: the clinic at the window.
#[derive(Debug, Clone)]
pub enum ClinicTarget {
    /// The reference clinic in process, with deliberate defects (none by default).
    Builtin {
        /// Its defects (`--clinic-defect`).
        defects: Vec<ClinicDefect>,
    },
    /// A clinic under test.
    Remote(RemoteClinic),
}

impl Default for ClinicTarget {
    fn default() -> Self {
        Self::Builtin {
            defects: Vec::new(),
        }
    }
}

/// Why the clinic gave nothing to judge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeskError {
    /// onshi could not set the visit up for the clinic (a backend it cannot call).
    #[error("{0}")]
    Setup(String),
    /// The clinic did not answer as the clinic-control API says.
    #[error("{0}")]
    Clinic(String),
}

/// Hands `req` to the run's clinic. The in-process reference clinic queries `backend`
/// itself (line faults included); a clinic under test gets a loopback URL of it.
pub async fn at_desk(
    env: &Env,
    backend: &FaultyBackend<AnyBackend>,
    fault: Option<super::faulty::LineFault>,
    mut req: ClinicVisitRequest,
) -> Result<ClinicAnswer, DeskError> {
    match &env.clinic {
        ClinicTarget::Builtin { defects } => {
            req.backend_url = onshi_backend::backend::QualificationBackend::name(backend.inner());
            attend(&env.calendar, &req, backend, defects)
                .await
                .map_err(|e| {
                    DeskError::Clinic(format!("the reference clinic refused the visit: {e}"))
                })
        }
        ClinicTarget::Remote(client) => {
            let served = super::remote::backend_url(backend.inner(), fault)
                .await
                .map_err(DeskError::Setup)?;
            req.backend_url = served.url.clone();
            let answer = client
                .visit(&req)
                .await
                .map_err(|e| DeskError::Clinic(e.to_string()));
            drop(served);
            answer
        }
    }
}
