//! ISO 7816-4 status words (SW1 SW2) as a typed enum.
//!
//! Every `u16` maps to exactly one [`Status`] and back: the named variants cover what the
//! virtual card and its clients use, value-carrying variants cover the families
//! (`61xx`, `63Cx`, `6Cxx`), and [`Status::Other`] keeps anything else intact.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A status word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// `90 00` — normal processing.
    Success,
    /// `61 xx` — `xx` more bytes available with GET RESPONSE.
    BytesRemaining(u8),
    /// `62 82` — end of file reached before Le bytes.
    EndOfFileReached,
    /// `63 Cx` — verification failed, `x` tries left (also the answer to an empty VERIFY).
    VerificationFailed {
        /// Remaining tries, 0–15.
        tries_left: u8,
    },
    /// `65 81` — memory failure.
    MemoryFailure,
    /// `67 00` — wrong length (Lc or Le).
    WrongLength,
    /// `68 81` — logical channel not supported.
    LogicalChannelNotSupported,
    /// `68 82` — secure messaging not supported.
    SecureMessagingNotSupported,
    /// `69 81` — command incompatible with file structure.
    IncompatibleWithFileStructure,
    /// `69 82` — security status not satisfied (PIN not verified).
    SecurityStatusNotSatisfied,
    /// `69 83` — authentication method blocked (PIN locked).
    AuthenticationMethodBlocked,
    /// `69 84` — reference data not usable.
    ReferenceDataNotUsable,
    /// `69 85` — conditions of use not satisfied.
    ConditionsOfUseNotSatisfied,
    /// `69 86` — command not allowed (no current EF).
    CommandNotAllowedNoCurrentEf,
    /// `6A 80` — incorrect data field.
    IncorrectData,
    /// `6A 81` — function not supported.
    FunctionNotSupported,
    /// `6A 82` — file or application not found.
    FileNotFound,
    /// `6A 83` — record not found.
    RecordNotFound,
    /// `6A 86` — incorrect P1-P2.
    IncorrectP1P2,
    /// `6A 87` — Lc inconsistent with P1-P2.
    LcInconsistentWithP1P2,
    /// `6A 88` — referenced data not found.
    ReferenceDataNotFound,
    /// `6B 00` — wrong parameters P1-P2 (offset outside the EF).
    WrongP1P2,
    /// `6C xx` — wrong Le; `xx` is the exact length.
    WrongLe(u8),
    /// `6D 00` — instruction not supported.
    InsNotSupported,
    /// `6E 00` — class not supported.
    ClaNotSupported,
    /// `6F 00` — no precise diagnosis (what a destroyed chip answers).
    NoPreciseDiagnosis,
    /// Any other status word, kept as is.
    Other(u16),
}

impl Status {
    /// The two status bytes.
    pub fn to_bytes(self) -> [u8; 2] {
        u16::from(self).to_be_bytes()
    }

    /// SW1 SW2 from the last two bytes of a response, if it has two.
    pub fn from_response(response: &[u8]) -> Option<Self> {
        match response {
            [.., sw1, sw2] => Some(Self::from(u16::from_be_bytes([*sw1, *sw2]))),
            _ => None,
        }
    }

    /// Whether this is `90 00`.
    pub fn is_success(self) -> bool {
        self == Self::Success
    }

    /// A short English name for traces and logs.
    pub fn name(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::BytesRemaining(_) => "bytes remaining",
            Self::EndOfFileReached => "end of file reached",
            Self::VerificationFailed { .. } => "verification failed",
            Self::MemoryFailure => "memory failure",
            Self::WrongLength => "wrong length",
            Self::LogicalChannelNotSupported => "logical channel not supported",
            Self::SecureMessagingNotSupported => "secure messaging not supported",
            Self::IncompatibleWithFileStructure => "incompatible with file structure",
            Self::SecurityStatusNotSatisfied => "security status not satisfied",
            Self::AuthenticationMethodBlocked => "authentication method blocked",
            Self::ReferenceDataNotUsable => "reference data not usable",
            Self::ConditionsOfUseNotSatisfied => "conditions of use not satisfied",
            Self::CommandNotAllowedNoCurrentEf => "command not allowed (no current EF)",
            Self::IncorrectData => "incorrect data",
            Self::FunctionNotSupported => "function not supported",
            Self::FileNotFound => "file not found",
            Self::RecordNotFound => "record not found",
            Self::IncorrectP1P2 => "incorrect P1-P2",
            Self::LcInconsistentWithP1P2 => "Lc inconsistent with P1-P2",
            Self::ReferenceDataNotFound => "reference data not found",
            Self::WrongP1P2 => "wrong P1-P2",
            Self::WrongLe(_) => "wrong Le",
            Self::InsNotSupported => "instruction not supported",
            Self::ClaNotSupported => "class not supported",
            Self::NoPreciseDiagnosis => "no precise diagnosis",
            Self::Other(_) => "other",
        }
    }
}

impl From<u16> for Status {
    fn from(sw: u16) -> Self {
        let [sw1, sw2] = sw.to_be_bytes();
        match (sw1, sw2) {
            (0x90, 0x00) => Self::Success,
            (0x61, n) => Self::BytesRemaining(n),
            (0x62, 0x82) => Self::EndOfFileReached,
            (0x63, n) if n & 0xF0 == 0xC0 => Self::VerificationFailed {
                tries_left: n & 0x0F,
            },
            (0x65, 0x81) => Self::MemoryFailure,
            (0x67, 0x00) => Self::WrongLength,
            (0x68, 0x81) => Self::LogicalChannelNotSupported,
            (0x68, 0x82) => Self::SecureMessagingNotSupported,
            (0x69, 0x81) => Self::IncompatibleWithFileStructure,
            (0x69, 0x82) => Self::SecurityStatusNotSatisfied,
            (0x69, 0x83) => Self::AuthenticationMethodBlocked,
            (0x69, 0x84) => Self::ReferenceDataNotUsable,
            (0x69, 0x85) => Self::ConditionsOfUseNotSatisfied,
            (0x69, 0x86) => Self::CommandNotAllowedNoCurrentEf,
            (0x6A, 0x80) => Self::IncorrectData,
            (0x6A, 0x81) => Self::FunctionNotSupported,
            (0x6A, 0x82) => Self::FileNotFound,
            (0x6A, 0x83) => Self::RecordNotFound,
            (0x6A, 0x86) => Self::IncorrectP1P2,
            (0x6A, 0x87) => Self::LcInconsistentWithP1P2,
            (0x6A, 0x88) => Self::ReferenceDataNotFound,
            (0x6B, 0x00) => Self::WrongP1P2,
            (0x6C, n) => Self::WrongLe(n),
            (0x6D, 0x00) => Self::InsNotSupported,
            (0x6E, 0x00) => Self::ClaNotSupported,
            (0x6F, 0x00) => Self::NoPreciseDiagnosis,
            _ => Self::Other(sw),
        }
    }
}

impl From<Status> for u16 {
    fn from(status: Status) -> u16 {
        match status {
            Status::Success => 0x9000,
            Status::BytesRemaining(n) => 0x6100 | u16::from(n),
            Status::EndOfFileReached => 0x6282,
            Status::VerificationFailed { tries_left } => 0x63C0 | u16::from(tries_left & 0x0F),
            Status::MemoryFailure => 0x6581,
            Status::WrongLength => 0x6700,
            Status::LogicalChannelNotSupported => 0x6881,
            Status::SecureMessagingNotSupported => 0x6882,
            Status::IncompatibleWithFileStructure => 0x6981,
            Status::SecurityStatusNotSatisfied => 0x6982,
            Status::AuthenticationMethodBlocked => 0x6983,
            Status::ReferenceDataNotUsable => 0x6984,
            Status::ConditionsOfUseNotSatisfied => 0x6985,
            Status::CommandNotAllowedNoCurrentEf => 0x6986,
            Status::IncorrectData => 0x6A80,
            Status::FunctionNotSupported => 0x6A81,
            Status::FileNotFound => 0x6A82,
            Status::RecordNotFound => 0x6A83,
            Status::IncorrectP1P2 => 0x6A86,
            Status::LcInconsistentWithP1P2 => 0x6A87,
            Status::ReferenceDataNotFound => 0x6A88,
            Status::WrongP1P2 => 0x6B00,
            Status::WrongLe(n) => 0x6C00 | u16::from(n),
            Status::InsNotSupported => 0x6D00,
            Status::ClaNotSupported => 0x6E00,
            Status::NoPreciseDiagnosis => 0x6F00,
            Status::Other(sw) => sw,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::VerificationFailed { tries_left } => {
                write!(
                    f,
                    "{:04X} verification failed, {tries_left} tries left",
                    u16::from(*self)
                )
            }
            other => write!(f, "{:04X} {}", u16::from(*other), other.name()),
        }
    }
}

impl Serialize for Status {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{:04X}", u16::from(*self)))
    }
}

impl<'de> Deserialize<'de> for Status {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        u16::from_str_radix(&s, 16)
            .map(Status::from)
            .map_err(|_| serde::de::Error::custom(format!("status word {s:?} is not 4 hex digits")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_word_round_trips() {
        for sw in 0..=u16::MAX {
            let status = Status::from(sw);
            assert_eq!(u16::from(status), sw, "{sw:04X} -> {status:?}");
        }
    }

    #[test]
    fn families_carry_their_value() {
        assert_eq!(
            Status::from(0x63C2),
            Status::VerificationFailed { tries_left: 2 }
        );
        assert_eq!(Status::from(0x6110), Status::BytesRemaining(0x10));
        assert_eq!(Status::from(0x6C05), Status::WrongLe(5));
        assert_eq!(Status::from(0x6300), Status::Other(0x6300));
        assert_eq!(
            Status::from_response(&[1, 2, 0x90, 0x00]),
            Some(Status::Success)
        );
        assert_eq!(Status::from_response(&[0x90]), None);
    }

    #[test]
    fn serializes_as_hex() {
        let json = serde_json::to_string(&Status::AuthenticationMethodBlocked).unwrap();
        assert_eq!(json, "\"6983\"");
        let back: Status = serde_json::from_str(&json).unwrap();
        assert_eq!(back, Status::AuthenticationMethodBlocked);
        assert!(serde_json::from_str::<Status>("\"zz\"").is_err());
    }
}
