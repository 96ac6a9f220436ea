//! What the patient (or whoever helps them) does at the reader — the scenario's input.

use serde::{Deserialize, Serialize};

use onshi_backend::backend::{CareSettingWire, ConsentAnswers};

/// The authentication the patient chooses first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthChoice {
    /// 顔認証: the camera against the card photo.
    Face,
    /// 暗証番号: the 4-digit user-authentication PIN.
    Pin,
    /// 目視確認 by staff (administrator mode).
    Visual,
}

/// Who does something at the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Operator {
    /// The patient.
    #[default]
    Patient,
    /// A family member (FAQ-4-7, TRN-PROXY).
    Family,
    /// Clinic staff (TRN-ASSIST, 目視確認).
    Staff,
    /// A helper or carer (TRN-ASSIST).
    Helper,
}

/// The patient's script for one visit at the reader.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatientScript {
    /// First choice of authentication.
    pub choice: AuthChoice,
    /// Camera-vs-photo match scores, one per face attempt (0.0–1.0).
    pub face_scores: Vec<f64>,
    /// PINs typed, in order (wrong ones first, then perhaps the right one).
    pub pins: Vec<String>,
    /// Who places the card on the reader (TRN-ASSIST).
    pub placed_by: Operator,
    /// Who types the PIN (FAQ-4-7, TRN-PROXY).
    pub pin_entered_by: Operator,
    /// Whether staff are available to do a 目視確認 when face and PIN fail.
    pub staff_visual_check_available: bool,
    /// Answers on the consent screens.
    pub consents: ConsentAnswers,
    /// Whether the patient accepts on-the-spot registration (保険証利用登録) when the
    /// reader offers it.
    pub accept_registration: bool,
    /// Where care happens.
    pub care_setting: CareSettingWire,
}

impl PatientScript {
    /// Face authentication that matches, consents given, registration accepted.
    pub fn face() -> Self {
        Self {
            choice: AuthChoice::Face,
            face_scores: vec![0.97],
            pins: Vec::new(),
            placed_by: Operator::Patient,
            pin_entered_by: Operator::Patient,
            staff_visual_check_available: true,
            consents: ConsentAnswers {
                medical_info: true,
                limit_info: true,
            },
            accept_registration: true,
            care_setting: CareSettingWire::Outpatient,
        }
    }

    /// PIN authentication with `pin`.
    pub fn pin(pin: &str) -> Self {
        Self {
            choice: AuthChoice::Pin,
            pins: vec![pin.to_owned()],
            ..Self::face()
        }
    }

    /// 目視確認 by staff.
    pub fn visual() -> Self {
        Self {
            choice: AuthChoice::Visual,
            placed_by: Operator::Staff,
            ..Self::face()
        }
    }
}
