//! The reader's decisions, as pure functions: which method to try next, when to stop
//! sending PINs, when the camera matches.

use super::script::AuthChoice;

/// The camera-vs-photo score a face match needs (0.0–1.0).
pub const FACE_THRESHOLD: f64 = 0.8;

/// Face attempts before the reader moves on to another method.
pub const MAX_FACE_ATTEMPTS: usize = 3;

/// Why the reader moves on from a method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SwitchReason {
    /// The card reported the PIN locked (`63 C0` / blocked): never send another VERIFY
    /// (FAQ-4-11).
    PinLocked,
    /// The patient typed no further PIN.
    NoMorePins,
    /// Face matching failed the allowed number of times.
    FaceFailed,
    /// A PIN-less card has no PIN path.
    PinlessCard,
}

/// What the reader knows when choosing the next method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MethodState {
    /// The card has no PIN (顔認証マイナンバーカード).
    pub pinless: bool,
    /// The auth PIN is locked.
    pub pin_locked: bool,
    /// Face matching already failed out.
    pub face_failed: bool,
    /// PIN path already tried and given up.
    pub pin_given_up: bool,
    /// Staff can do a 目視確認.
    pub visual_available: bool,
}

/// The next method after `from` failed for `reason`, or `None` when nothing is left.
/// Order: face → PIN → 目視; PIN → face → 目視. A locked or PIN-less card never goes
/// to the PIN path.
pub fn next_method(from: AuthChoice, state: MethodState) -> Option<AuthChoice> {
    let pin_ok = !state.pinless && !state.pin_locked && !state.pin_given_up;
    let face_ok = !state.face_failed;
    let candidates: &[AuthChoice] = match from {
        AuthChoice::Face => &[AuthChoice::Pin, AuthChoice::Visual],
        AuthChoice::Pin => &[AuthChoice::Face, AuthChoice::Visual],
        AuthChoice::Visual => &[],
    };
    candidates.iter().copied().find(|c| match c {
        AuthChoice::Pin => pin_ok,
        AuthChoice::Face => face_ok,
        AuthChoice::Visual => state.visual_available,
    })
}

/// The first method actually usable for a card: a PIN-less or locked card starts with
/// face even when the patient picked PIN.
pub fn first_method(choice: AuthChoice, state: MethodState) -> AuthChoice {
    match choice {
        AuthChoice::Pin if state.pinless || state.pin_locked => AuthChoice::Face,
        other => other,
    }
}

/// Whether a camera score matches the card photo.
pub fn face_matches(score: f64, threshold: f64) -> bool {
    score.is_finite() && score >= threshold
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> MethodState {
        MethodState {
            pinless: false,
            pin_locked: false,
            face_failed: false,
            pin_given_up: false,
            visual_available: true,
        }
    }

    #[test]
    fn locked_cards_never_go_to_pin() {
        let locked = MethodState {
            pin_locked: true,
            ..state()
        };
        assert_eq!(first_method(AuthChoice::Pin, locked), AuthChoice::Face);
        assert_eq!(
            next_method(AuthChoice::Face, locked),
            Some(AuthChoice::Visual)
        );
        let locked_face_failed = MethodState {
            face_failed: true,
            ..locked
        };
        assert_eq!(
            next_method(AuthChoice::Pin, locked_face_failed),
            Some(AuthChoice::Visual)
        );
        let nobody = MethodState {
            visual_available: false,
            ..locked_face_failed
        };
        assert_eq!(next_method(AuthChoice::Face, nobody), None);
    }

    #[test]
    fn pinless_and_ordinary_orders() {
        let pinless = MethodState {
            pinless: true,
            ..state()
        };
        assert_eq!(first_method(AuthChoice::Pin, pinless), AuthChoice::Face);
        assert_eq!(
            next_method(AuthChoice::Face, pinless),
            Some(AuthChoice::Visual)
        );
        assert_eq!(
            next_method(AuthChoice::Face, state()),
            Some(AuthChoice::Pin)
        );
        assert_eq!(
            next_method(AuthChoice::Pin, state()),
            Some(AuthChoice::Face)
        );
        assert_eq!(next_method(AuthChoice::Visual, state()), None);
    }

    #[test]
    fn face_threshold() {
        assert!(face_matches(0.9, 0.8));
        assert!(!face_matches(0.79, 0.8));
        assert!(!face_matches(f64::NAN, 0.8));
    }
}
