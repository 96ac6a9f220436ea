//! Certificates a backend must refuse, for the suite's authentication negatives: a
//! user-authentication certificate signed by the card's own key (self-signed, no CA
//! behind it) and an issued certificate with one byte of its signed part altered.
//! A certificate from another root is simply [`super::TestPki`] of another seed.

use std::sync::Arc;

use super::ca::RsaSigner;
use super::cert::{AuthCertRequest, IssueError, auth_params};
use super::der::Der;
use super::inspect::parse_cert;
use super::keys::RsaKey;

/// The certificate `req` describes, signed by the card's own `key` instead of the JPKI
/// root: the same serial, subject and validity an issued one would have, and an issuer
/// nobody trusts.
pub fn self_signed_auth_cert(
    req: &AuthCertRequest<'_>,
    key: Arc<RsaKey>,
) -> Result<Der, IssueError> {
    let cert = auth_params(req)?.self_signed(&RsaSigner(key))?;
    Ok(Der::new(cert.der().to_vec()))
}

/// `der` with one character of its subject changed after issue (a digit moved by one,
/// a letter's case flipped): it still parses with the same serial and issuer, and the
/// root's signature no longer covers it. `None` if the subject ends in neither.
pub fn tamper(der: &[u8]) -> Option<Der> {
    let cert = parse_cert(der).ok()?;
    let subject = cert.subject().as_raw();
    // The subject is a slice of `der`: find where.
    let offset = (subject.as_ptr() as usize).checked_sub(der.as_ptr() as usize)?;
    let last = offset + subject.len().checked_sub(1)?;
    let mut out = der.to_vec();
    let b = out.get_mut(last)?;
    *b = match *b {
        b'0'..=b'8' => *b + 1,
        b'9' => b'8',
        c if c.is_ascii_alphabetic() => c ^ 0x20,
        _ => return None,
    };
    Some(Der::new(out))
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::pki::inspect::VerifyError;
    use crate::pki::{CaKind, KeyCache, TestPki};

    fn request(key: &RsaKey) -> AuthCertRequest<'_> {
        let d = |y| {
            NaiveDate::from_ymd_opt(y, 1, 1)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap()
        };
        AuthCertRequest::for_card(0x1234_5678, d(2025), d(2030), key)
    }

    #[test]
    fn forged_certificates_keep_the_serial_and_fail_the_chain() {
        let keys = KeyCache::memory();
        let pki = TestPki::generate_with_cache(1, &keys).unwrap();
        let key = keys.get(1, "card/forge-test/auth").unwrap();
        let root = pki.root(CaKind::Auth);
        let issued = pki.issue_auth_cert(&request(&key)).unwrap();
        root.check_issued(&parse_cert(issued.as_bytes()).unwrap())
            .unwrap();

        let own = self_signed_auth_cert(&request(&key), Arc::clone(&key)).unwrap();
        let own_cert = parse_cert(own.as_bytes()).unwrap();
        assert_eq!(
            own_cert.raw_serial(),
            parse_cert(issued.as_bytes()).unwrap().raw_serial()
        );
        assert!(matches!(
            root.check_issued(&own_cert),
            Err(VerifyError::NotIssuedByRoot)
        ));

        let altered = tamper(issued.as_bytes()).unwrap();
        assert_ne!(altered.as_bytes(), issued.as_bytes());
        assert_eq!(altered.as_bytes().len(), issued.as_bytes().len());
        let altered_cert = parse_cert(altered.as_bytes()).unwrap();
        assert_eq!(altered_cert.raw_serial(), own_cert.raw_serial());
        assert!(matches!(
            root.check_issued(&altered_cert),
            Err(VerifyError::SignatureInvalid)
        ));
    }
}
