//! The reader's side of the card protocol: the handful of APDU exchanges a
//! face-recognition reader performs, over any [`CardChannel`].

use crate::card::ids::{self, Aid, FileId};
use crate::card::{Status, surface};
use crate::channel::{CardChannel, ChannelError};

/// A failed card operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardOpError {
    /// The channel failed (mute chip, removed card, transport).
    #[error(transparent)]
    Channel(#[from] ChannelError),
    /// The card answered with an error status.
    #[error("{what}: {status}")]
    Status {
        /// The operation.
        what: &'static str,
        /// The status word.
        status: Status,
    },
    /// The card answered `90 00` with unusable data.
    #[error("{0}")]
    BadData(&'static str),
}

/// APDU operations on one card.
pub struct CardOps<'a> {
    ch: &'a mut dyn CardChannel,
}

impl<'a> CardOps<'a> {
    /// Wraps a channel.
    pub fn new(ch: &'a mut dyn CardChannel) -> Self {
        Self { ch }
    }

    fn check(&mut self, apdu: &[u8], what: &'static str) -> Result<Vec<u8>, CardOpError> {
        let r = self.ch.transmit(apdu)?;
        if r.status.is_success() {
            Ok(r.data)
        } else {
            Err(CardOpError::Status {
                what,
                status: r.status,
            })
        }
    }

    /// SELECT an application by AID (`00 A4 04 0C`).
    pub fn select_app(&mut self, aid: Aid) -> Result<(), CardOpError> {
        let bytes = aid.as_bytes();
        let mut apdu = vec![0x00, 0xA4, 0x04, 0x0C, bytes.len() as u8];
        apdu.extend_from_slice(bytes);
        self.check(&apdu, "SELECT application").map(drop)
    }

    /// SELECT an elementary file (`00 A4 02 0C 02 hi lo`); `Ok(false)` when the card
    /// answers `6A 82` (no such file).
    pub fn select_file(&mut self, id: FileId) -> Result<bool, CardOpError> {
        let [hi, lo] = id.0.to_be_bytes();
        let r = self.ch.transmit(&[0x00, 0xA4, 0x02, 0x0C, 0x02, hi, lo])?;
        match r.status {
            Status::Success => Ok(true),
            Status::FileNotFound => Ok(false),
            status => Err(CardOpError::Status {
                what: "SELECT file",
                status,
            }),
        }
    }

    /// Reads a DER file (`30 82 LL LL …`) the way OpenSC does: 4-byte header, then
    /// 256-byte chunks.
    pub fn read_der_file(&mut self) -> Result<Vec<u8>, CardOpError> {
        let head = self.check(&[0x00, 0xB0, 0x00, 0x00, 0x04], "READ BINARY header")?;
        if head.len() != 4 || head[0] != 0x30 || head[1] != 0x82 {
            return Err(CardOpError::BadData(
                "the file is not DER with a 2-byte length",
            ));
        }
        let size = usize::from(u16::from_be_bytes([head[2], head[3]])) + 4;
        let mut data = Vec::with_capacity(size);
        while data.len() < size {
            let le = (size - data.len()).min(256);
            let apdu = [
                0x00,
                0xB0,
                (data.len() >> 8) as u8,
                data.len() as u8,
                (le % 256) as u8,
            ];
            let chunk = self.check(&apdu, "READ BINARY")?;
            if chunk.is_empty() {
                return Err(CardOpError::BadData("the file ended early"));
            }
            data.extend(chunk);
        }
        data.truncate(size);
        Ok(data)
    }

    /// Reads a whole transparent file with one extended READ BINARY.
    pub fn read_whole(&mut self) -> Result<Vec<u8>, CardOpError> {
        self.check(&[0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00], "READ BINARY")
    }

    /// The retry query (empty VERIFY) on the selected PIN EF: tries left.
    pub fn tries_left(&mut self) -> Result<u8, CardOpError> {
        let r = self.ch.transmit(&[0x00, 0x20, 0x00, 0x80])?;
        match r.status {
            Status::VerificationFailed { tries_left } => Ok(tries_left),
            status => Err(CardOpError::Status {
                what: "VERIFY retry query",
                status,
            }),
        }
    }

    /// VERIFY the selected PIN EF with `pin`; returns the card's status word.
    pub fn verify(&mut self, pin: &[u8]) -> Result<Status, CardOpError> {
        let mut apdu = vec![0x00, 0x20, 0x00, 0x80, pin.len() as u8];
        apdu.extend_from_slice(pin);
        Ok(self.ch.transmit(&apdu)?.status)
    }

    /// SIGN (`80 2A 00 80`) with the selected key EF; the 256-byte signature.
    pub fn sign(&mut self, digest_info: &[u8]) -> Result<Vec<u8>, CardOpError> {
        let mut apdu = vec![0x80, 0x2A, 0x00, 0x80, digest_info.len() as u8];
        apdu.extend_from_slice(digest_info);
        apdu.push(0x00);
        let sig = self.check(&apdu, "SIGN")?;
        if sig.len() != 256 {
            return Err(CardOpError::BadData("the signature is not 256 bytes"));
        }
        Ok(sig)
    }

    /// Reads the user-authentication certificate (JPKI AP, EF 000A).
    pub fn read_auth_certificate(&mut self) -> Result<Vec<u8>, CardOpError> {
        self.select_app(ids::JPKI_AID)?;
        if !self.select_file(ids::jpki::AUTH_CERT)? {
            return Err(CardOpError::Status {
                what: "SELECT auth certificate",
                status: Status::FileNotFound,
            });
        }
        self.read_der_file()
    }

    /// Unlocks the card front with 照合番号B and returns the face photo (券面AP).
    pub fn read_face_photo(&mut self, match_b: &str) -> Result<Vec<u8>, CardOpError> {
        self.select_app(ids::SURFACE_AID)?;
        self.select_file(ids::surface::MATCH_B)?;
        let status = self.verify(match_b.as_bytes())?;
        if !status.is_success() {
            return Err(CardOpError::Status {
                what: "VERIFY 照合番号B",
                status,
            });
        }
        self.select_file(ids::surface::FRONT)?;
        let front = self.read_whole()?;
        surface::face_photo_from_front(&front)
            .map(<[u8]>::to_vec)
            .ok_or(CardOpError::BadData("the card front carries no photo"))
    }
}
