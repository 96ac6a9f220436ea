//! Certificates (and whole virtual cards) of population members.
//!
//! Personas get theirs from the [`CardFactory`]: their own RSA keys and the RSA test
//! JPKI root, exactly as `onshi cards` issues them. Generated persons get an RSA
//! subject key from a [`KeyPool`] and a certificate from the Ed25519
//! [`LoadAuthRoot`]: **a load-test simplification** (shared keys, a non-JPKI chain
//! signature) that makes issuing one certificate cost microseconds instead of an RSA
//! signature; see [`onshi_pki::pki::load`].

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{PersonIndex, Population};
use crate::persona::cards::CardFactoryError;
use crate::persona::cards::card_profile;
use crate::persona::{CardFactory, IssuedCard, ResolvedPersona};
use onshi_pki::pki::{
    AuthCertRequest, Der, IssueError, KeyCache, KeyError, KeyPool, LoadAuthRoot, ReaderError,
    RsaKey, card_validity,
};

/// Default number of distinct RSA keys shared by generated persons.
pub const DEFAULT_POOL_SIZE: usize = 16;

/// Which root signed a member's user-authentication certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RootKind {
    /// The RSA test JPKI user-authentication root (personas).
    JpkiAuth,
    /// The Ed25519 load-test root (generated persons; load-test simplification).
    LoadAuth,
}

impl RootKind {
    /// The name used in exports.
    pub const fn name(self) -> &'static str {
        match self {
            Self::JpkiAuth => "jpki-auth",
            Self::LoadAuth => "load-auth",
        }
    }
}

/// A member's user-authentication certificate and the key that signs with it.
#[derive(Debug, Clone)]
pub struct IssuedAuthCert {
    /// The certificate (DER).
    pub der: Der,
    /// The card's private key (pool key for generated persons).
    pub key: Arc<RsaKey>,
    /// The issuing root.
    pub root: RootKind,
}

/// Why a certificate could not be issued.
#[derive(Debug, thiserror::Error)]
pub enum CertIssueError {
    /// No member at this index.
    #[error("no population member #{0}")]
    NoSuchMember(PersonIndex),
    /// The persona card factory failed.
    #[error(transparent)]
    Factory(#[from] CardFactoryError),
    /// Issuing from the load root failed.
    #[error("load-root certificate: {0}")]
    Issue(#[from] IssueError),
    /// The load root could not be created.
    #[error("load root: {0}")]
    Root(#[from] ReaderError),
    /// The key pool could not be derived.
    #[error("key pool: {0}")]
    Keys(#[from] KeyError),
}

/// Issues certificates and cards for any member of a population.
#[derive(Debug, Clone)]
pub struct CertificateIssuer {
    factory: CardFactory,
    load_root: Arc<LoadAuthRoot>,
    pool: KeyPool,
}

impl CertificateIssuer {
    /// An issuer from its parts.
    pub fn new(factory: CardFactory, load_root: Arc<LoadAuthRoot>, pool: KeyPool) -> Self {
        Self {
            factory,
            load_root,
            pool,
        }
    }

    /// Everything derived from `seed`: the test PKI and persona keys through `keys`,
    /// the load root, and a pool of `pool_size` keys.
    pub fn from_seed(seed: u64, keys: KeyCache, pool_size: usize) -> Result<Self, CertIssueError> {
        let pool = KeyPool::with_cache(seed, pool_size.max(1), &keys)?;
        let factory = CardFactory::new(seed, keys)?;
        let load_root = Arc::new(LoadAuthRoot::generate(seed)?);
        Ok(Self::new(factory, load_root, pool))
    }

    /// Draws card faces with `face` (see [`CardFactory::with_face`]).
    pub fn with_face(mut self, face: Arc<onshi_card::card::face::FaceRenderer>) -> Self {
        self.factory = self.factory.with_face(face);
        self
    }

    /// The persona card factory (its PKI is the JPKI test hierarchy).
    pub fn factory(&self) -> &CardFactory {
        &self.factory
    }

    /// The load root.
    pub fn load_root(&self) -> &Arc<LoadAuthRoot> {
        &self.load_root
    }

    /// The key pool of generated persons.
    pub fn pool(&self) -> &KeyPool {
        &self.pool
    }

    /// The user-authentication certificate of member `index`.
    pub fn auth_certificate(
        &self,
        population: &Population,
        index: PersonIndex,
    ) -> Result<IssuedAuthCert, CertIssueError> {
        let person = population
            .person(index)
            .ok_or(CertIssueError::NoSuchMember(index))?;
        if !population.is_generated(index) {
            let card = self.factory.issue(&person)?;
            let key = self
                .factory
                .keys()
                .get(self.factory.seed(), &format!("card/{}/auth", person.id))
                .map_err(CertIssueError::Keys)?;
            return Ok(IssuedAuthCert {
                der: card.auth_cert,
                key,
                root: RootKind::JpkiAuth,
            });
        }
        let key = Arc::clone(self.pool.key_for(index));
        let der = self.issue_generated(&person, &key)?;
        Ok(IssuedAuthCert {
            der,
            key,
            root: RootKind::LoadAuth,
        })
    }

    fn issue_generated(&self, p: &ResolvedPersona, key: &RsaKey) -> Result<Der, IssueError> {
        let cert = &p.card.certificate;
        let (not_before, not_after) = card_validity(cert.issued_at, cert.expires_on);
        self.load_root.issue_auth_cert(&AuthCertRequest::for_card(
            cert.serial,
            not_before,
            not_after,
            key,
        ))
    }

    /// A whole virtual card for member `index`. Generated persons' cards carry no
    /// signing certificate (a load-test simplification: no onshi flow uses it).
    pub fn card(
        &self,
        population: &Population,
        index: PersonIndex,
    ) -> Result<IssuedCard, CertIssueError> {
        let p = population
            .person(index)
            .ok_or(CertIssueError::NoSuchMember(index))?;
        if !population.is_generated(index) {
            return Ok(self.factory.issue(&p)?);
        }
        let key = Arc::clone(self.pool.key_for(index));
        let auth_cert = self.issue_generated(&p, &key)?;
        let profile = card_profile(
            &p,
            population.seed(),
            auth_cert.as_bytes(),
            self.load_root.cert_der().as_bytes(),
            key,
            None,
            self.factory.face(),
        );
        Ok(IssuedCard {
            profile,
            auth_cert,
            sign_cert: None,
        })
    }
}
