//! Why a run could not be made, in the classes of onshi's one exit-code contract:
//! 0 passed, 1 a check failed (or the harness itself failed), 2 bad input, 3 the system
//! under test could not be reached. Every command's library entry point reports its
//! failures as a [`Failure`]; the binary turns it into the exit code.

/// A run that could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    /// Bad input: options that contradict each other, values out of range, files that
    /// do not parse (exit 2).
    #[error("{0}")]
    BadInput(String),
    /// A system under test could not be reached, or is not provisioned (exit 3).
    #[error("{0}")]
    Unreachable(String),
    /// The harness or its environment failed (exit 1).
    #[error("{0}")]
    Failed(String),
}

impl Failure {
    /// The process exit code of this class.
    pub const fn exit_code(&self) -> u8 {
        match self {
            Self::Failed(_) => 1,
            Self::BadInput(_) => 2,
            Self::Unreachable(_) => 3,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_contract() {
        assert_eq!(Failure::Failed(String::new()).exit_code(), 1);
        assert_eq!(Failure::BadInput(String::new()).exit_code(), 2);
        assert_eq!(Failure::Unreachable(String::new()).exit_code(), 3);
    }
}
