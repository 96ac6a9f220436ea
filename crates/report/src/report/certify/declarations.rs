//! `declarations.md`: what the requirements ask of a reader that no test can observe —
//! what the device keeps after a visit, who stands at its screen, which hardware the
//! certificate is in. The package lists them as the signer's declarations, each with
//! the requirements it bears on, and never as a pass.

use onshi_domain::rules::RuleId;

/// One thing the signer declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Declaration {
    /// The declaration, in English.
    pub text: &'static str,
    /// Why no test of onshi's can observe it.
    pub unobservable: &'static str,
    /// The catalogue's requirements it bears on (empty when none states it).
    pub requirements: &'static [RuleId],
}

/// Every declaration, in the order the file lists them.
pub const DECLARATIONS: &[Declaration] = &[
    Declaration {
        text: "The reader does not store the face photo read from the card, nor the camera \
               image, once the comparison is done: neither is written to disk, logged, or \
               sent anywhere.",
        unobservable: "onshi sees the card's APDUs and the reader's answers; what the device \
                       keeps in its own storage is out of sight (the suite only holds the \
                       reader to its own report that it kept no photo).",
        requirements: &[RuleId::FlyPhoto, RuleId::Faq4_21],
    },
    Declaration {
        text: "The reader does not keep PINs: a PIN typed on it goes to the card in VERIFY \
               and nowhere else — not to disk, not to a log, not to the backend or the \
               clinic system.",
        unobservable: "the suite sees every APDU the card receives and every request the \
                       backend receives, but not the device's memory, storage or other \
                       connections.",
        requirements: &[RuleId::Faq4_11, RuleId::TrnProxy],
    },
    Declaration {
        text: "Staff do not type the patient's PIN. A PIN is entered by the patient, or by a \
               proxy only where the rules allow it (a parent for a child, a helper for a \
               patient who cannot operate the reader), and the reader's procedures say so.",
        unobservable: "the suite tells the reader who types and checks what the reader does \
                       with it; who actually stands at a clinic's reader is practice, not \
                       protocol.",
        requirements: &[RuleId::TrnProxy, RuleId::Faq4_7, RuleId::TrnAssist],
    },
    Declaration {
        text: "The consent screens (medical information, the limit category) are shown to the \
               patient on the reader's patient-facing screen and answered by the patient; \
               staff neither see them in the patient's place nor answer them.",
        unobservable: "the suite sees which screens the reader reports and the answers it \
                       sends; it cannot see whose eyes are on the screen or whose hand \
                       answers.",
        requirements: &[RuleId::Faq4_1, RuleId::DomConsent],
    },
    Declaration {
        text: "The device tested is the device the reader certificate names: the private key \
               of its device credential (特定機関認証) stays in that device, and the software \
               tested (tested.json: the reader's own `GET /v1/reader`) is the software shipped.",
        unobservable: "the suite hands the reader a test credential for the run and sees only \
                       the attestations it signs; where a production key lives, and whether \
                       the shipped firmware is the one tested, no exchange reveals.",
        requirements: &[RuleId::SecReaderChain, RuleId::SecAttestation],
    },
    Declaration {
        text: "The reader never reads, displays or stores the My Number or 照合番号A, in \
               production as in the test mode.",
        unobservable: "the suite checks every APDU of the test cards, through the test mode; \
                       what other firmware paths would do with a real card is outside it.",
        requirements: &[RuleId::Faq4_9, RuleId::Faq4_20],
    },
];

/// The text of `declarations.md`.
pub fn markdown() -> String {
    let mut out = String::from(
        "# Declarations\n\n\
         These are the signer's declarations, not test results. Each states something the \
         requirements ask of a reader that no test of onshi's can observe; onshi did not \
         check them, and the verdict (VERDICT) does not count them. By signing this package \
         (MANIFEST.sig) the signer declares each of them true of the reader tested.\n\n",
    );
    for (i, d) in DECLARATIONS.iter().enumerate() {
        out.push_str(&format!("## Declaration {}\n\n{}\n\n", i + 1, d.text));
        out.push_str(&format!("Why no test observes it: {}\n\n", d.unobservable));
        if d.requirements.is_empty() {
            out.push_str("Requirements: none in the catalogue states it.\n\n");
        } else {
            out.push_str("Requirements:\n\n");
            for id in d.requirements {
                let e = id.entry();
                out.push_str(&format!("- {id} — {}\n", e.title));
            }
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_declaration_is_said_to_be_a_declaration_with_its_requirements() {
        let md = markdown();
        assert!(md.contains("not test results"), "{md}");
        assert!(!md.to_lowercase().contains("passed"), "{md}");
        for d in DECLARATIONS {
            assert!(md.contains(d.text));
            for id in d.requirements {
                assert!(md.contains(&format!("- {id} — ")), "{id}");
            }
        }
        assert!(md.contains("- FLY-PHOTO — "));
    }
}
