//! The mix of a generated population: shares of insurer families, ages and the
//! situations that matter to オンライン資格確認 (unregistered cards, locked PINs,
//! certificate states, job-change lag, …), in permille.
//!
//! The defaults are rough national shapes (domain.md §9: 協会けんぽ ~40 M, 健保組合
//! ~28 M, 共済 ~10 M, 国保 ~24 M, 後期 ~20 M; 87 % of holders registered), tuned up for
//! the rare situations so a load run of a few thousand visits meets each of them.
//! They are an estimate, not a statistic, and every command uses the same defaults.

use serde::{Deserialize, Serialize};

/// Shares in permille (‰) of the generated population. Groups marked *exclusive*
/// are drawn from one number, so their shares must add up to at most 1000.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PopulationMix {
    /// Age bands (weights): 未就学 0–5, 6–19, 20–39, 40–64, 65–69, 70–74, 75+.
    pub age_weights: [u32; 7],
    /// Insurer families under 75 (weights): 協会けんぽ, 健保組合, 共済, 国保.
    /// 75 and over is always 後期高齢者医療.
    pub family_weights: [u32; 4],
    /// 65–74: share of 国保 (the rest split as `family_weights` without 国保).
    pub nhi_share_65_74: u16,

    /// *Card state (exclusive)*: never registered (未登録).
    pub unregistered: u16,
    /// *Card state (exclusive)*: certificate expired beyond the 3-month grace,
    /// registration cancelled (登録解除).
    pub cancelled: u16,
    /// *Card state (exclusive)*: certificate expired, within the grace period.
    pub certificate_in_grace: u16,
    /// *Card state (exclusive)*: certificate expires within 3 months (warning).
    pub certificate_expiring: u16,
    /// *Card state (exclusive)*: certificate renewed less than 24 hours ago.
    pub certificate_renewed: u16,
    /// *Card state (exclusive)*: certificate revoked (lost card).
    pub revoked: u16,

    /// *PIN state (exclusive)*: PIN-less 顔認証マイナンバーカード.
    pub pinless: u16,
    /// *PIN state (exclusive)*: user-authentication PIN locked (0 tries left).
    pub pin_locked: u16,
    /// *PIN state (exclusive)*: one PIN try left.
    pub pin_one_try_left: u16,

    /// *Qualification situation (exclusive)*: job change, new record not yet
    /// registered centrally (FAQ-4-14).
    pub job_change_lag: u16,
    /// *Qualification situation (exclusive)*: job change done, new record visible
    /// (the old one superseded, FAQ-4-4).
    pub job_change_done: u16,
    /// *Qualification situation (exclusive)*: insurer accuracy hold (FAQ-4-16).
    pub accuracy_hold: u16,
    /// *Qualification situation (exclusive)*: 医療扶助 only (FAQ-4-12).
    pub medical_aid: u16,

    /// Non-disclosure registration (DV・虐待, OKA-DV).
    pub non_disclosure: u16,
    /// 国保 members with premium arrears (limit info withheld, OKA-PREMIUM).
    pub premium_arrears: u16,
    /// Persons with a 限度額適用区分.
    pub limit_class: u16,
    /// Persons with a 特定疾病 certificate.
    pub specific_disease: u16,
    /// Names with a character Shift_JIS cannot carry (髙, 﨑, 𠮷; FAQ-4-6).
    pub kyuji_name: u16,
    /// 6–69-year-olds whose record carries `InsuredPartialContributionRatio` 030.
    pub ratio_printed: u16,
    /// Consent to medical-information sharing given at the reader.
    pub consent_medical_info: u16,
    /// Consent to limit information given at the reader (before 2024-10-07).
    pub consent_limit_info: u16,
    /// Carry a 資格情報のお知らせ (besides those who always get one).
    pub carries_notice: u16,
}

impl Default for PopulationMix {
    fn default() -> Self {
        Self {
            age_weights: [45, 120, 210, 330, 60, 65, 170],
            family_weights: [400, 280, 90, 230],
            nhi_share_65_74: 600,
            unregistered: 100,
            cancelled: 10,
            certificate_in_grace: 15,
            certificate_expiring: 40,
            certificate_renewed: 5,
            revoked: 5,
            pinless: 15,
            pin_locked: 20,
            pin_one_try_left: 10,
            job_change_lag: 10,
            job_change_done: 20,
            accuracy_hold: 3,
            medical_aid: 2,
            non_disclosure: 1,
            premium_arrears: 20,
            limit_class: 60,
            specific_disease: 3,
            kyuji_name: 5,
            ratio_printed: 500,
            consent_medical_info: 600,
            consent_limit_info: 800,
            carries_notice: 300,
        }
    }
}

/// A mix whose exclusive groups add up to more than 1000 ‰.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("population mix: the {group} shares add up to {total} ‰, more than 1000")]
pub struct MixError {
    /// The group.
    pub group: &'static str,
    /// Its total.
    pub total: u32,
}

impl PopulationMix {
    /// Checks the exclusive groups.
    pub fn validate(&self) -> Result<(), MixError> {
        let groups: [(&'static str, &[u16]); 3] = [
            (
                "card state",
                &[
                    self.unregistered,
                    self.cancelled,
                    self.certificate_in_grace,
                    self.certificate_expiring,
                    self.certificate_renewed,
                    self.revoked,
                ],
            ),
            (
                "PIN state",
                &[self.pinless, self.pin_locked, self.pin_one_try_left],
            ),
            (
                "qualification situation",
                &[
                    self.job_change_lag,
                    self.job_change_done,
                    self.accuracy_hold,
                    self.medical_aid,
                ],
            ),
        ];
        for (group, shares) in groups {
            let total: u32 = shares.iter().map(|s| u32::from(*s)).sum();
            if total > 1000 {
                return Err(MixError { group, total });
            }
        }
        Ok(())
    }
}

/// Draws one of an exclusive group: the index of the share `draw` (0..1000) falls in,
/// or `None` for the remainder ("ordinary").
pub(crate) fn exclusive(draw: u64, shares: &[u16]) -> Option<usize> {
    let mut acc = 0u64;
    for (i, s) in shares.iter().enumerate() {
        acc += u64::from(*s);
        if draw < acc {
            return Some(i);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_exclusive_draws_work() {
        PopulationMix::default().validate().unwrap();
        let bad = PopulationMix {
            pinless: 600,
            pin_locked: 600,
            ..PopulationMix::default()
        };
        assert_eq!(bad.validate().unwrap_err().group, "PIN state");
        assert_eq!(exclusive(0, &[10, 20]), Some(0));
        assert_eq!(exclusive(10, &[10, 20]), Some(1));
        assert_eq!(exclusive(30, &[10, 20]), None);
    }
}
