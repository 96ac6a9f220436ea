//! Turning a resolved persona into a virtual card: keys, certificates, card profile.

use std::sync::Arc;

use super::load::Persona;
use super::model::ResolvedPersona;
use onshi_card::card::face::{FaceRenderer, FaceText};
use onshi_card::card::{BasicFourText, CardKey, CardProfile, SigningContent, profile};
use onshi_domain::codes::Sex;
use onshi_pki::pki::{
    self, AuthCertRequest, BasicFour, CaKind, Der, KeyCache, RsaKey, SignCertRequest, TestPki,
};

/// Errors making a card.
#[derive(Debug, thiserror::Error)]
pub enum CardFactoryError {
    /// Key generation or loading failed.
    #[error("key for persona {persona}: {source}")]
    Key {
        /// The persona.
        persona: String,
        /// The cause.
        #[source]
        source: pki::KeyError,
    },
    /// The PKI could not be generated.
    #[error("test PKI: {0}")]
    Pki(#[from] pki::PkiError),
    /// A certificate could not be issued.
    #[error("certificate for persona {persona}: {source}")]
    Issue {
        /// The persona.
        persona: String,
        /// The cause.
        #[source]
        source: pki::IssueError,
    },
}

/// A card made for a persona at an as-of time, with the certificates as DER.
#[derive(Debug, Clone)]
pub struct IssuedCard {
    /// The profile to build [`onshi_card::card::VirtualCard`]s from.
    pub profile: CardProfile,
    /// The user-authentication certificate.
    pub auth_cert: Der,
    /// The signing certificate (absent on a PIN-less card).
    pub sign_cert: Option<Der>,
}

/// The serial of a card's signing certificate, from its user-authentication one.
pub fn sign_serial(auth_serial: u64) -> u64 {
    auth_serial ^ 0x5151_0000_0000
}

/// Makes cards: holds the test PKI, the key cache and the card-face renderer.
#[derive(Debug, Clone)]
pub struct CardFactory {
    seed: u64,
    pki: Arc<TestPki>,
    keys: KeyCache,
    face: Arc<FaceRenderer>,
}

/// The card profile of a persona: its certificates and keys, PINs, printed data,
/// photo, card-face images, counters and tamper state. Shared by persona cards and
/// generated members. The images are drawn here, once per profile.
pub fn card_profile(
    p: &ResolvedPersona,
    seed: u64,
    auth_cert: &[u8],
    auth_ca: &[u8],
    auth_key: Arc<dyn CardKey>,
    signing: Option<SigningContent>,
    face: &FaceRenderer,
) -> CardProfile {
    let match_b = &p.card.match_b;
    let face = face.render(&FaceText {
        name: &p.person.name,
        address: &p.person.address,
        // The security code is what 照合番号B ends with.
        security_code: match_b
            .get(match_b.len().saturating_sub(4)..)
            .unwrap_or_default(),
        my_number: &p.person.my_number,
    });
    CardProfile {
        atr: CardProfile::DEFAULT_ATR.to_vec(),
        auth_cert: Arc::from(auth_cert),
        auth_ca: Arc::from(auth_ca),
        auth_key,
        auth_pin: p.card.auth_pin.clone().map(String::into_bytes),
        signing,
        support_pin: p.card.support_pin.clone().map(String::into_bytes),
        my_number: p.person.my_number.clone(),
        basic_four: BasicFourText {
            name: p.person.name.clone(),
            address: p.person.address.clone(),
            birth_date: p.person.birth_date.format("%Y%m%d").to_string(),
            sex: match p.person.sex {
                Sex::Male => "1",
                Sex::Female => "2",
                Sex::Unset => "9",
            }
            .to_owned(),
        },
        match_b: p.card.match_b.clone(),
        card_expiry: p.card.expires_on.format("%Y%m%d").to_string(),
        face_photo: Arc::from(profile::synthetic_face_photo(&format!("{seed}/{}", p.id))),
        face: Arc::new(face),
        initial_state: p.card.tries.clone(),
        locked_status: p.card.locked_status,
        tamper: p.card.tampered,
    }
}

impl CardFactory {
    /// A factory with the PKI generated from `seed`; keys are derived from the seed and
    /// the persona id and cached in `keys`.
    pub fn new(seed: u64, keys: KeyCache) -> Result<Self, CardFactoryError> {
        let pki = TestPki::generate_with_cache(seed, &keys)?;
        Ok(Self::with_pki(seed, pki, keys))
    }

    /// A factory issuing from given roots (e.g. loaded from files with
    /// [`TestPki::load`]); card keys are still derived from `seed`.
    pub fn with_pki(seed: u64, pki: TestPki, keys: KeyCache) -> Self {
        Self {
            seed,
            pki: Arc::new(pki),
            keys,
            face: Arc::new(FaceRenderer::builtin()),
        }
    }

    /// Draws card faces with `face` (by default onshi's own glyphs only: digits and 外字,
    /// other characters as ⊠ — the shell hands in a renderer with a font).
    pub fn with_face(mut self, face: Arc<FaceRenderer>) -> Self {
        self.face = face;
        self
    }

    /// The card-face renderer.
    pub fn face(&self) -> &Arc<FaceRenderer> {
        &self.face
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The test PKI.
    pub fn pki(&self) -> &Arc<TestPki> {
        &self.pki
    }

    /// The key cache.
    pub fn keys(&self) -> &KeyCache {
        &self.keys
    }

    fn key_labels(persona: &Persona) -> Vec<String> {
        let owner = persona.template_id();
        let mut labels = vec![format!("card/{owner}/auth")];
        if persona.file.card.kind == super::schema::CardKindSpec::Standard {
            labels.push(format!("card/{owner}/sign"));
        }
        labels
    }

    /// Generates (in parallel) or loads the keys of these personas ahead of use.
    pub fn prepare<'a>(
        &self,
        personas: impl IntoIterator<Item = &'a Persona>,
    ) -> Result<(), CardFactoryError> {
        let requests: Vec<(u64, String)> = personas
            .into_iter()
            .flat_map(Self::key_labels)
            .map(|l| (self.seed, l))
            .collect();
        self.keys
            .get_many(&requests)
            .map(|_| ())
            .map_err(|source| CardFactoryError::Key {
                persona: "(several)".into(),
                source,
            })
    }

    fn key(&self, persona: &str, which: &str) -> Result<Arc<RsaKey>, CardFactoryError> {
        self.keys
            .get(self.seed, &format!("card/{persona}/{which}"))
            .map_err(|source| CardFactoryError::Key {
                persona: persona.to_owned(),
                source,
            })
    }

    /// The RSA key of a resolved persona's user-authentication certificate (its
    /// template's, for an instance).
    pub fn auth_key(&self, p: &ResolvedPersona) -> Result<Arc<RsaKey>, CardFactoryError> {
        self.key(p.template.as_deref().unwrap_or(&p.id), "auth")
    }

    /// Issues the card of a resolved persona.
    pub fn issue(&self, p: &ResolvedPersona) -> Result<IssuedCard, CardFactoryError> {
        let issue_err = |source| CardFactoryError::Issue {
            persona: p.id.clone(),
            source,
        };
        let cert = &p.card.certificate;
        // Instances share their template's key pair (see super::cast).
        let owner = p.template.as_deref().unwrap_or(&p.id);
        let auth_key = self.auth_key(p)?;
        let (not_before, not_after) = pki::card_validity(cert.issued_at, cert.expires_on);
        let auth_cert = self
            .pki
            .issue_auth_cert(&AuthCertRequest::for_card(
                cert.serial,
                not_before,
                not_after,
                &auth_key,
            ))
            .map_err(issue_err)?;
        let (signing, sign_cert) = if p.card.pinless {
            (None, None)
        } else {
            let sign_key = self.key(owner, "sign")?;
            let sign_cert = self
                .pki
                .issue_sign_cert(&SignCertRequest {
                    serial: sign_serial(cert.serial),
                    not_before,
                    not_after,
                    key: &sign_key,
                    basic4: BasicFour {
                        name: p.person.name.clone(),
                        name_kana: None,
                        address: p.person.address.clone(),
                        birth_date: p.person.birth_date,
                        sex: match p.person.sex {
                            Sex::Male => pki::Sex::Male,
                            Sex::Female => pki::Sex::Female,
                            Sex::Unset => pki::Sex::NotApplicable,
                        },
                    },
                })
                .map_err(issue_err)?;
            let content = SigningContent {
                cert: Arc::from(sign_cert.as_bytes()),
                ca: Arc::from(self.pki.root(CaKind::Sign).cert_der().as_bytes()),
                key: sign_key,
                password: p
                    .card
                    .sign_password
                    .clone()
                    .unwrap_or_default()
                    .into_bytes(),
            };
            (Some(content), Some(sign_cert))
        };
        let auth_ca = self.pki.root(CaKind::Auth).cert_der().as_bytes();
        let profile = card_profile(
            p, self.seed, &auth_cert, auth_ca, auth_key, signing, &self.face,
        );
        Ok(IssuedCard {
            profile,
            auth_cert,
            sign_cert,
        })
    }
}
