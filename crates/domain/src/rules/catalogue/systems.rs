//! Which system under test each requirement is judged on: a requirement counts as
//! covered for a system only when a deliberate defect of that system makes one of its
//! scenarios fail (`tests/conformance.rs` runs every defect and checks this table
//! against the defects' targets, both ways). A behaviour or rule that no system can
//! fail is reported as information — onshi checking its own simulation proves nothing.

use super::super::rule_id::RuleId;
use super::System::{self, Backend, Clinic, Reader};

/// The systems a defect of which fails `id`'s scenarios; empty when none does.
pub(super) const fn judged_by(id: RuleId) -> &'static [System] {
    use RuleId as R;
    match id {
        // A reader that tries to read the My Number (tries-my-number).
        R::Faq4_9 => &[Reader],
        // Another person's record (wrong-person), a replayed challenge (replay-accepted).
        R::Faq4_17 => &[Backend],
        // The photo kept on the device (keeps-photo).
        R::FlyPhoto => &[Reader],
        // A VERIFY after the lock (pin-after-lock); a locked card's PIN session accepted
        // (ignore-lockout).
        R::Faq4_11 => &[Backend, Reader],
        // No registration offered to a face-only visit (no-registration-offer).
        R::OkaFaceOnly | R::Kq1 => &[Reader],
        // Medical information shown without consent (leak-medical-without-consent), the
        // consent screens skipped (skips-consent).
        R::Faq4_1 => &[Backend, Reader],
        // The ratio dropped (missing-ratio) or altered (wrong-ratio); the clinic billing
        // 3割 whatever the answer says (clinic: ignores-ratio).
        R::Faq4_8 => &[Backend, Clinic],
        // 医療扶助 billed nothing at the window (DOM-COPAY-CLASS); a clinic billing 3割
        // whatever the answer says charges the recipient (ignores-ratio); the paper
        // 子ども医療費 受給者証 ignored (ignores-public-expense-certificate) or assumed
        // without it (assumes-child-aid).
        R::Faq4_12 => &[Clinic],
        // The お知らせ alone accepted out of its window (accepts-notice-alone): the
        // backend answers the numbers; accepting the document is the clinic's.
        R::FlyNoticeAlone | R::Notice2025_06_27 => &[Clinic],
        // 資格（無効）/ 資格情報なし charged 10割 at the window (clinic:
        // charges-10wari-on-no-record).
        R::Faq4_14 => &[Clinic],
        // An old 保険証 accepted after it ended (accepts-expired-old-card).
        R::Kq3 | R::Faq4_10 | R::TrnMax1y | R::Notice2025_11_12 => &[Clinic],
        // A revoked certificate accepted (no-reject-revoked).
        R::Faq4_19 => &[Backend],
        // A My Number accepted as an identifier (accept-my-number).
        R::Faq4_20 => &[Backend],
        // The 高額療養費 ceiling counted over this institution's payments of the month
        // only: a clinic capping each visit alone (caps-each-visit-alone) or adding
        // payments of other institutions and months (sums-all-payments).
        R::TrnQ1 => &[Clinic],
        // A new insurer needs no procedure: the card gives the new qualification, and
        // a clinic billing the old one it holds on file fails (uses-old-qualification).
        R::Faq4_4 => &[Clinic],
        // The card front checked for a 「●」, a doubtful PIN user and a 申立書, its back
        // never copied (never-checks-card-front, copies-card-back).
        R::Faq4_6 => &[Clinic],
        // 10割: a wrong ratio from the backend (wrong-ratio); the clinic charging 10割
        // when the online check gives no record (clinic: charges-10wari-on-no-record).
        R::TrnNo10 => &[Backend, Clinic],
        // 複数該当: a backend answering the first of several members' records
        // (picks-one-of-several); a clinic charging 10割 on it
        // (charges-10wari-on-no-record).
        R::DomValidityMultiple => &[Backend, Clinic],
        // 有効（未登録）: a backend answering 有効 with a made-up 医療券
        // (ignores-ticket-registration); a clinic treating it as 無効
        // (treats-unregistered-as-invalid).
        R::DomValidityUnregistered => &[Backend, Clinic],
        // After an outage: a backend whose 緊急時 search answers another person
        // (wrong-person); a clinic that never checks the 申立書 patient by the 基本4情報
        // bills 不詳 (skips-recovery-check).
        R::DomOutageRecovery => &[Backend, Clinic],
        // onshi's security requirements: each has its backend defect.
        R::SecPinSignature
        | R::SecPinLocked
        | R::SecCertIssuer
        | R::SecCertSignature
        | R::SecCertExpired
        | R::SecCertRevoked
        | R::SecChallengeReplay
        | R::SecChallengeFacility
        | R::SecChallengeExpired
        | R::SecReaderChain
        | R::SecReaderFacility
        | R::SecReaderExpired
        | R::SecAttestation => &[Backend],
        // A reader that attests a face below its threshold (lenient-face).
        R::SecFaceThreshold => &[Reader],
        _ => &[],
    }
}
