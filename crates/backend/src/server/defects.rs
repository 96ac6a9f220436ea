//! Defect injection: named switches that make the reference backend wrong in one
//! specific, testable way, so the conformance and load suites can prove that their
//! checks fail when they should (`onshi serve --defect NAME`, repeatable).
//!
//! | defect | what it flips | requirement IDs that should catch it |
//! |---|---|---|
//! | `wrong-person` | the 1st valid answer and every [`WRONG_PERSON_EVERY`]-th after it shows another member's record | FAQ-4-17, DOM-OUTAGE-RECOVERY, DOM-VALIDITY-MULTIPLE |
//! | `missing-ratio` | drops `InsuredPartialContributionRatio` and `ElderlyRecipientContributionRatio` | DOM-COPAY-RATIO, FAQ-4-8, TRN-NO10 |
//! | `wrong-ratio` | sets the ratio to 10割 (`100`) and to a shifted wrong ratio, alternately | DOM-COPAY-RATIO, TRN-NO10 |
//! | `ignore-lockout` | accepts a PIN signature whose card session says the PIN was locked | FAQ-4-11 |
//! | `leak-medical-without-consent` | medical information marked available without consent | FAQ-4-1 |
//! | `accept-my-number` | looks a person up by a My Number sent as an identifier | FAQ-4-20 |
//! | `no-reject-revoked` | answers for a revoked certificate (lost card) | FAQ-4-19, TRN-KAKUNIN |
//! | `replay-accepted` | a challenge may be used again while unexpired | (security: replay) |
//! | `picks-one-of-several` | a search without 枝番 that fits several members answers the first one's record instead of 複数該当 | DOM-VALIDITY-MULTIPLE, TRN-NO10 |
//! | `ignores-ticket-registration` | 医療扶助 without a registered 医療券 is answered 有効 with a made-up 医療券 instead of 有効（未登録） | DOM-VALIDITY-UNREGISTERED |

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// `wrong-person` strikes the first valid answer and every N-th after it.
pub const WRONG_PERSON_EVERY: u64 = 3;

/// One defect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Defect {
    /// Occasionally another person's record (FAQ-4-17).
    WrongPerson,
    /// No ratio in the result.
    MissingRatio,
    /// 10割 or a shifted ratio, alternately.
    WrongRatio,
    /// Accept a PIN signature from a locked card's session (FAQ-4-11).
    IgnoreLockout,
    /// Medical information without consent (FAQ-4-1).
    LeakMedicalWithoutConsent,
    /// Look people up by My Number (FAQ-4-20).
    AcceptMyNumber,
    /// Answer for revoked certificates.
    NoRejectRevoked,
    /// Challenges are not single-use.
    ReplayAccepted,
    /// The PIN path's card signature is not verified.
    AcceptAnySignature,
    /// A certificate from any issuer is taken (no chain to the JPKI root).
    AcceptUnknownIssuer,
    /// The root's signature over the certificate is not checked.
    SkipCertificateSignature,
    /// A certificate expired beyond its grace is not refused as expired (the answer
    /// falls through to the later checks).
    AcceptExpiredCertificate,
    /// A reader device certificate from any CA is taken.
    AcceptUnknownReader,
    /// A reader of another facility may attest.
    IgnoreReaderFacility,
    /// An expired reader device certificate is taken.
    AcceptExpiredReader,
    /// The reader attestation's signature is not verified.
    AcceptAnyAttestation,
    /// A challenge issued for one facility is accepted from another.
    ChallengeAnyFacility,
    /// An expired challenge is accepted.
    AcceptExpiredChallenge,
    /// 複数該当 answered with the first member's record.
    PicksOneOfSeveral,
    /// 有効（未登録） answered as 有効 with a 医療券.
    IgnoresTicketRegistration,
}

impl Defect {
    /// Every defect.
    pub const ALL: &'static [Defect] = &[
        Self::WrongPerson,
        Self::MissingRatio,
        Self::WrongRatio,
        Self::IgnoreLockout,
        Self::LeakMedicalWithoutConsent,
        Self::AcceptMyNumber,
        Self::NoRejectRevoked,
        Self::ReplayAccepted,
        Self::AcceptAnySignature,
        Self::AcceptUnknownIssuer,
        Self::SkipCertificateSignature,
        Self::AcceptExpiredCertificate,
        Self::AcceptUnknownReader,
        Self::IgnoreReaderFacility,
        Self::AcceptExpiredReader,
        Self::AcceptAnyAttestation,
        Self::ChallengeAnyFacility,
        Self::AcceptExpiredChallenge,
        Self::PicksOneOfSeveral,
        Self::IgnoresTicketRegistration,
    ];

    /// The switch name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::WrongPerson => "wrong-person",
            Self::MissingRatio => "missing-ratio",
            Self::WrongRatio => "wrong-ratio",
            Self::IgnoreLockout => "ignore-lockout",
            Self::LeakMedicalWithoutConsent => "leak-medical-without-consent",
            Self::AcceptMyNumber => "accept-my-number",
            Self::NoRejectRevoked => "no-reject-revoked",
            Self::ReplayAccepted => "replay-accepted",
            Self::AcceptAnySignature => "accept-any-signature",
            Self::AcceptUnknownIssuer => "accept-unknown-issuer",
            Self::SkipCertificateSignature => "skip-certificate-signature",
            Self::AcceptExpiredCertificate => "accept-expired-certificate",
            Self::AcceptUnknownReader => "accept-unknown-reader",
            Self::IgnoreReaderFacility => "ignore-reader-facility",
            Self::AcceptExpiredReader => "accept-expired-reader",
            Self::AcceptAnyAttestation => "accept-any-attestation",
            Self::ChallengeAnyFacility => "challenge-any-facility",
            Self::AcceptExpiredChallenge => "accept-expired-challenge",
            Self::PicksOneOfSeveral => "picks-one-of-several",
            Self::IgnoresTicketRegistration => "ignores-ticket-registration",
        }
    }

    /// What the defect flips.
    pub const fn flips(self) -> &'static str {
        match self {
            Self::WrongPerson => "another member's record in the 1st and every 3rd valid answer",
            Self::MissingRatio => {
                "no InsuredPartialContributionRatio / ElderlyRecipientContributionRatio"
            }
            Self::WrongRatio => "ratio 100 (10割) and a shifted wrong ratio, alternately",
            Self::IgnoreLockout => "a PIN signature from a locked session is accepted",
            Self::LeakMedicalWithoutConsent => "medical information available without consent",
            Self::AcceptMyNumber => "a My Number identifier looks the person up",
            Self::NoRejectRevoked => "a revoked certificate still confirms",
            Self::ReplayAccepted => "a used challenge is accepted again",
            Self::AcceptAnySignature => "the PIN path's card signature is not verified",
            Self::AcceptUnknownIssuer => {
                "a certificate from any issuer is taken as the JPKI root's"
            }
            Self::SkipCertificateSignature => {
                "the root's signature over the certificate is not checked"
            }
            Self::AcceptExpiredCertificate => {
                "a certificate expired beyond its grace is not refused as expired (ONS-R205)"
            }
            Self::AcceptUnknownReader => "a reader device certificate from any CA is taken",
            Self::IgnoreReaderFacility => "a reader of another facility may attest",
            Self::AcceptExpiredReader => "an expired reader device certificate is taken",
            Self::AcceptAnyAttestation => "the reader attestation's signature is not verified",
            Self::ChallengeAnyFacility => {
                "a challenge issued for one facility is accepted from another"
            }
            Self::AcceptExpiredChallenge => "an expired challenge is accepted",
            Self::PicksOneOfSeveral => {
                "a search without 枝番 fitting several members answers the first one's record"
            }
            Self::IgnoresTicketRegistration => {
                "医療扶助 without a registered 医療券 is answered 有効 with a 医療券"
            }
        }
    }

    /// The requirement IDs whose checks should catch it.
    pub const fn caught_by(self) -> &'static [&'static str] {
        match self {
            Self::WrongPerson => &["FAQ-4-17", "DOM-OUTAGE-RECOVERY", "DOM-VALIDITY-MULTIPLE"],
            Self::MissingRatio => &["DOM-COPAY-RATIO", "FAQ-4-8", "TRN-NO10"],
            Self::WrongRatio => &["DOM-COPAY-RATIO", "TRN-NO10"],
            Self::IgnoreLockout => &["FAQ-4-11", "SEC-PIN-LOCKED"],
            Self::LeakMedicalWithoutConsent => &["FAQ-4-1"],
            Self::AcceptMyNumber => &["FAQ-4-20"],
            Self::NoRejectRevoked => &["FAQ-4-19", "TRN-KAKUNIN", "SEC-CERT-REVOKED"],
            Self::ReplayAccepted => &["SEC-CHALLENGE-REPLAY"],
            Self::AcceptAnySignature => &["SEC-PIN-SIGNATURE"],
            Self::AcceptUnknownIssuer => &["SEC-CERT-ISSUER"],
            Self::SkipCertificateSignature => &["SEC-CERT-SIGNATURE"],
            Self::AcceptExpiredCertificate => &["SEC-CERT-EXPIRED"],
            Self::AcceptUnknownReader => &["SEC-READER-CHAIN"],
            Self::IgnoreReaderFacility => &["SEC-READER-FACILITY"],
            Self::AcceptExpiredReader => &["SEC-READER-EXPIRED"],
            Self::AcceptAnyAttestation => &["SEC-ATTESTATION"],
            Self::ChallengeAnyFacility => &["SEC-CHALLENGE-FACILITY"],
            Self::AcceptExpiredChallenge => &["SEC-CHALLENGE-EXPIRED"],
            Self::PicksOneOfSeveral => &["DOM-VALIDITY-MULTIPLE", "TRN-NO10"],
            Self::IgnoresTicketRegistration => &["DOM-VALIDITY-UNREGISTERED"],
        }
    }
}

impl fmt::Display for Defect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown defect name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown defect {0:?}; known: {known}", known = Defect::ALL.iter().map(|d| d.name()).collect::<Vec<_>>().join(", "))]
pub struct UnknownDefect(pub String);

impl FromStr for Defect {
    type Err = UnknownDefect;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|d| d.name() == s.trim())
            .ok_or_else(|| UnknownDefect(s.to_owned()))
    }
}

/// The defects switched on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct DefectSet(u32);

impl DefectSet {
    /// No defects: the reference behaviour.
    pub const NONE: Self = Self(0);

    fn bit(d: Defect) -> u32 {
        1 << (Defect::ALL.iter().position(|x| *x == d).unwrap_or(31) as u32)
    }

    /// The set with `d` added.
    pub fn with(self, d: Defect) -> Self {
        Self(self.0 | Self::bit(d))
    }

    /// Whether `d` is on.
    pub fn has(self, d: Defect) -> bool {
        self.0 & Self::bit(d) != 0
    }

    /// The defects on, in table order.
    pub fn iter(self) -> impl Iterator<Item = Defect> {
        Defect::ALL.iter().copied().filter(move |d| self.has(*d))
    }

    /// Whether none is on.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl FromIterator<Defect> for DefectSet {
    fn from_iter<I: IntoIterator<Item = Defect>>(iter: I) -> Self {
        iter.into_iter().fold(Self::NONE, Self::with)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_sets_work() {
        for d in Defect::ALL {
            assert_eq!(d.name().parse::<Defect>().unwrap(), *d);
            assert!(!d.flips().is_empty());
        }
        assert!("wrong-persons".parse::<Defect>().is_err());
        let set: DefectSet = [Defect::WrongRatio, Defect::ReplayAccepted]
            .into_iter()
            .collect();
        assert!(set.has(Defect::WrongRatio) && !set.has(Defect::WrongPerson));
        assert_eq!(set.iter().count(), 2);
        assert!(DefectSet::NONE.is_empty());
    }
}
