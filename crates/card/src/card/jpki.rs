//! 公的個人認証AP (JPKI AP): certificates, keys, the auth PIN and the signing password.

use super::filesystem::{Access, Applet, Ef, EfKind};
use super::ids::{AppId, PinId, jpki};
use super::profile::CardProfile;

/// Contents of EF 0006: `JPKIAPICCTOKEN2` padded with spaces to 32 bytes.
pub const TOKEN: &[u8; 32] = b"JPKIAPICCTOKEN2                 ";

/// Builds the JPKI AP from a profile. A PIN-less card has the authentication
/// certificate and key but no auth PIN and nothing of the signing half.
pub fn build(profile: &CardProfile) -> Applet {
    let mut files = vec![
        Applet::binary(jpki::TOKEN, "トークン情報", &TOKEN[..], Access::Always),
        Applet::binary(
            jpki::AUTH_CERT,
            "利用者証明用電子証明書",
            profile.auth_cert.clone(),
            Access::Always,
        ),
        Applet::binary(
            jpki::AUTH_CA,
            "利用者証明用CA証明書",
            profile.auth_ca.clone(),
            Access::Always,
        ),
        Ef {
            id: jpki::AUTH_KEY,
            name: "利用者証明用秘密鍵",
            kind: EfKind::Key {
                key: profile.auth_key.clone(),
                use_after: profile.auth_pin.as_ref().map(|_| PinId::AuthPin),
            },
        },
    ];
    if profile.auth_pin.is_some() {
        files.push(Applet::pin(PinId::AuthPin));
    }
    if let Some(signing) = &profile.signing {
        files.push(Applet::binary(
            jpki::SIGN_CERT,
            "署名用電子証明書",
            signing.cert.clone(),
            Access::AfterAnyOf(&[PinId::SignPassword]),
        ));
        files.push(Applet::binary(
            jpki::SIGN_CA,
            "署名用CA証明書",
            signing.ca.clone(),
            Access::Always,
        ));
        files.push(Ef {
            id: jpki::SIGN_KEY,
            name: "署名用秘密鍵",
            kind: EfKind::Key {
                key: signing.key.clone(),
                use_after: Some(PinId::SignPassword),
            },
        });
        files.push(Applet::pin(PinId::SignPassword));
    }
    Applet {
        app: AppId::Jpki,
        files,
    }
}
