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
}

impl ClinicDefect {
    /// Every defect.
    pub const ALL: [Self; 4] = [
        Self::Charges10WariOnNoRecord,
        Self::IgnoresRatio,
        Self::AcceptsNoticeAlone,
        Self::AcceptsExpiredOldCard,
    ];

    /// The name used on the command line.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Charges10WariOnNoRecord => "charges-10wari-on-no-record",
            Self::IgnoresRatio => "ignores-ratio",
            Self::AcceptsNoticeAlone => "accepts-notice-alone",
            Self::AcceptsExpiredOldCard => "accepts-expired-old-card",
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
