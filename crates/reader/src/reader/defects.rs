//! Deliberate defects of the built-in reader: each one makes the reader break one
//! requirement, so a run with it proves the suite's check of that requirement can
//! fail (reader certification: a check no reader defect can fail certifies nothing).
//! `onshi reader serve --defect NAME` serves a defective reader on the reader-control
//! API; `onshi run --reader-defect NAME` injects it into the in-process reader.

use serde::{Deserialize, Serialize};

/// A reader defect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReaderDefect {
    /// After reading the certificate, selects the input-support AP's My Number file and
    /// tries to read it without the PIN (the card answers `69 82`): FAQ-4-9 forbids the
    /// attempt, not only a successful read.
    TriesMyNumber,
    /// Accepts a face match from a score of 0.5 instead of the threshold.
    LenientFace,
    /// Sends a VERIFY to the authentication PIN after the card reported it locked
    /// (FAQ-4-11).
    PinAfterLock,
    /// Shows no consent screens.
    SkipsConsent,
    /// Never offers registration on the spot when the backend says the card is not
    /// registered (`ONS-R201`) or not linked (`ONS-R203`).
    NoRegistrationOffer,
    /// Keeps the face photo after the comparison, and says so (FLY-PHOTO).
    KeepsPhoto,
}

impl ReaderDefect {
    /// Every defect.
    pub const ALL: [Self; 6] = [
        Self::TriesMyNumber,
        Self::LenientFace,
        Self::PinAfterLock,
        Self::SkipsConsent,
        Self::NoRegistrationOffer,
        Self::KeepsPhoto,
    ];

    /// The command-line name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::TriesMyNumber => "tries-my-number",
            Self::LenientFace => "lenient-face",
            Self::PinAfterLock => "pin-after-lock",
            Self::SkipsConsent => "skips-consent",
            Self::NoRegistrationOffer => "no-registration-offer",
            Self::KeepsPhoto => "keeps-photo",
        }
    }

    /// What the defective reader does.
    pub const fn description(self) -> &'static str {
        match self {
            Self::TriesMyNumber => {
                "selects the My Number file and tries READ BINARY without the PIN (69 82)"
            }
            Self::LenientFace => "accepts a face match from a score of 0.5",
            Self::PinAfterLock => "sends a VERIFY to a PIN the card reported locked",
            Self::SkipsConsent => "shows no consent screens",
            Self::NoRegistrationOffer => "never offers registration on the spot",
            Self::KeepsPhoto => "keeps the face photo after the comparison",
        }
    }

    /// The face-match threshold a reader with this defect uses in place of `threshold`.
    pub(crate) const LENIENT_THRESHOLD: f64 = 0.5;
}

impl std::fmt::Display for ReaderDefect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for ReaderDefect {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|d| d.name() == s)
            .ok_or_else(|| {
                format!(
                    "unknown reader defect {s:?} (known: {})",
                    Self::ALL.map(Self::name).join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_refused() {
        for d in ReaderDefect::ALL {
            assert_eq!(d.name().parse::<ReaderDefect>().unwrap(), d);
            assert!(!d.description().is_empty());
        }
        let e = "reads-everything".parse::<ReaderDefect>().unwrap_err();
        assert!(e.contains("tries-my-number"), "{e}");
    }
}
