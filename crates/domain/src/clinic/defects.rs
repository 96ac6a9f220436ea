//! Deliberate defects of the reference clinic (`onshi clinic serve --defect NAME`,
//! `onshi run --clinic-defect NAME`): each makes the suite fail the requirements it
//! breaks, which proves the clinic checks can fail.

/// A defect of the reference clinic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClinicDefect {
    /// Charges 10割 whenever an online check was made and gave no usable record (資格
    /// 無効, 資格情報なし, no answer) — TRN-NO10, 保発0710第1号.
    Charges10WariOnNoRecord,
    /// Bills 3割 whatever the answer's ratio (DOM-COPAY-RATIO, FAQ-4-8, DOM-COPAY-AGE).
    IgnoresRatio,
    /// Accepts a 資格情報のお知らせ without the card outside the temporary measure
    /// (FLY-NOTICE-ALONE).
    AcceptsNoticeAlone,
    /// Accepts an old 保険証 past its validity and after the temporary measure (FAQ-4-10,
    /// TRN-MAX1Y, KQ-3, NOTICE-2025-11-12).
    AcceptsExpiredOldCard,
    /// Does not apply a municipal 公費 受給者証 shown on paper when the card was used
    /// (FAQ-4-12: 子ども医療費 is not on the card; the paper still counts).
    IgnoresPublicExpenseCertificate,
    /// Applies 子ども医療費 to every school-age child without the 受給者証 (FAQ-4-12,
    /// 003: the certificate must still be shown).
    AssumesChildAid,
    /// Caps each visit at the 高額療養費 ceiling alone, ignoring what was paid here
    /// earlier in the month (TRN-Q1).
    CapsEachVisitAlone,
    /// Counts every payment on record toward the ceiling, whatever the institution or
    /// the month (TRN-Q1: 「同一月・同一医療機関の支払に限ります」).
    SumsAllPayments,
    /// Bills the qualification it holds on file for a repeat patient instead of the
    /// one the online answer gives (FAQ-4-4: a new insurer needs no procedure at the
    /// clinic — the card gives the new qualification).
    UsesOldQualification,
    /// Never has staff check the card front (FAQ-4-6): not for a 「●」, not for a
    /// doubtful PIN user, not for a 申立書.
    NeverChecksCardFront,
    /// Stores an image of the card's back, with its My Number, beside the front
    /// (FAQ-4-6: 「裏面のコピーを取ったりすることはできません」).
    CopiesCardBack,
    /// Reads 有効（未登録） (資格有効性 6) as not valid: a 医療扶助 recipient whose 医療券
    /// is not registered yet is sent to the 申立書 and charged (DOM-VALIDITY-UNREGISTERED).
    TreatsUnregisteredAsInvalid,
    /// Never checks a 申立書 patient of an outage after the system recovers: the visit
    /// stays billed as 不詳 (DOM-OUTAGE-RECOVERY).
    SkipsRecoveryCheck,
    /// Takes a 申立書 without asking the patient to fill one in (`asked` left empty):
    /// the 申立書 is the patient's own statement (FAQ-4-6).
    NeverAsksDeclaration,
}

impl ClinicDefect {
    /// Every defect.
    pub const ALL: [Self; 14] = [
        Self::Charges10WariOnNoRecord,
        Self::IgnoresRatio,
        Self::AcceptsNoticeAlone,
        Self::AcceptsExpiredOldCard,
        Self::IgnoresPublicExpenseCertificate,
        Self::AssumesChildAid,
        Self::CapsEachVisitAlone,
        Self::SumsAllPayments,
        Self::UsesOldQualification,
        Self::NeverChecksCardFront,
        Self::CopiesCardBack,
        Self::TreatsUnregisteredAsInvalid,
        Self::SkipsRecoveryCheck,
        Self::NeverAsksDeclaration,
    ];

    /// The name used on the command line.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Charges10WariOnNoRecord => "charges-10wari-on-no-record",
            Self::IgnoresRatio => "ignores-ratio",
            Self::AcceptsNoticeAlone => "accepts-notice-alone",
            Self::AcceptsExpiredOldCard => "accepts-expired-old-card",
            Self::IgnoresPublicExpenseCertificate => "ignores-public-expense-certificate",
            Self::AssumesChildAid => "assumes-child-aid",
            Self::CapsEachVisitAlone => "caps-each-visit-alone",
            Self::SumsAllPayments => "sums-all-payments",
            Self::UsesOldQualification => "uses-old-qualification",
            Self::NeverChecksCardFront => "never-checks-card-front",
            Self::CopiesCardBack => "copies-card-back",
            Self::TreatsUnregisteredAsInvalid => "treats-unregistered-as-invalid",
            Self::SkipsRecoveryCheck => "skips-recovery-check",
            Self::NeverAsksDeclaration => "never-asks-declaration",
        }
    }

    /// What the clinic does wrong.
    pub const fn description(self) -> &'static str {
        match self {
            Self::Charges10WariOnNoRecord => {
                "charges 10割 when the online check gives no usable record"
            }
            Self::IgnoresRatio => "bills 3割 whatever the answer's ratio",
            Self::AcceptsNoticeAlone => "accepts the お知らせ alone outside the temporary measure",
            Self::AcceptsExpiredOldCard => {
                "accepts an old 保険証 after its validity and the temporary measure"
            }
            Self::IgnoresPublicExpenseCertificate => {
                "does not apply a 公費 受給者証 shown on paper when the card was used"
            }
            Self::AssumesChildAid => {
                "applies 子ども医療費 to school-age children without the 受給者証"
            }
            Self::CapsEachVisitAlone => {
                "caps each visit alone, ignoring this month's earlier payments here"
            }
            Self::SumsAllPayments => {
                "counts payments of other institutions and other months toward the ceiling"
            }
            Self::UsesOldQualification => {
                "bills the qualification on file instead of the one the online answer gives"
            }
            Self::NeverChecksCardFront => "never has staff check the card front",
            Self::CopiesCardBack => "stores an image of the card's back beside the front",
            Self::TreatsUnregisteredAsInvalid => {
                "reads 有効（未登録） as not valid and sends the recipient to the 申立書"
            }
            Self::SkipsRecoveryCheck => {
                "never checks an outage's 申立書 patient after recovery: billed as 不詳"
            }
            Self::NeverAsksDeclaration => {
                "takes a 申立書 without asking the patient to fill one in"
            }
        }
    }
}

impl std::fmt::Display for ClinicDefect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for ClinicDefect {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|d| d.name() == s)
            .ok_or_else(|| {
                format!(
                    "unknown clinic defect {s:?} (known: {})",
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
        for d in ClinicDefect::ALL {
            assert_eq!(d.name().parse::<ClinicDefect>().unwrap(), d);
            assert!(!d.description().is_empty());
        }
        let e = "bills-twice".parse::<ClinicDefect>().unwrap_err();
        assert!(e.contains("ignores-ratio"), "{e}");
    }
}
