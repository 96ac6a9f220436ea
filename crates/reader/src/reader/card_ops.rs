//! The reader's side of the card protocol: the handful of APDU exchanges a
//! face-recognition reader performs, over any [`Transceive`] — a [`CardChannel`]
//! answered on the spot, or the reader engine's port, answered by its driver.

use std::future::Future;

use crate::channel::{CardChannel, ChannelError, Response};
use onshi_card::card::ids::{self, Aid, FileId};
use onshi_card::card::{Status, surface};

/// Something that carries one command APDU to a card and brings its answer back.
pub trait Transceive: Send {
    /// Sends `apdu`, returns the split response.
    fn transceive(
        &mut self,
        apdu: Vec<u8>,
    ) -> impl Future<Output = Result<Response, ChannelError>> + Send;
}

impl Transceive for &mut dyn CardChannel {
    fn transceive(
        &mut self,
        apdu: Vec<u8>,
    ) -> impl Future<Output = Result<Response, ChannelError>> + Send {
        std::future::ready(self.transmit(&apdu))
    }
}

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
pub struct CardOps<T> {
    ch: T,
}

impl<T: Transceive> CardOps<T> {
    /// Wraps a transport.
    pub fn new(ch: T) -> Self {
        Self { ch }
    }

    async fn check(&mut self, apdu: Vec<u8>, what: &'static str) -> Result<Vec<u8>, CardOpError> {
        let r = self.ch.transceive(apdu).await?;
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
    pub async fn select_app(&mut self, aid: Aid) -> Result<(), CardOpError> {
        let bytes = aid.as_bytes();
        let mut apdu = vec![0x00, 0xA4, 0x04, 0x0C, bytes.len() as u8];
        apdu.extend_from_slice(bytes);
        self.check(apdu, "SELECT application").await.map(drop)
    }

    /// SELECT an elementary file (`00 A4 02 0C 02 hi lo`); `Ok(false)` when the card
    /// answers `6A 82` (no such file).
    pub async fn select_file(&mut self, id: FileId) -> Result<bool, CardOpError> {
        let [hi, lo] = id.0.to_be_bytes();
        let r = self
            .ch
            .transceive(vec![0x00, 0xA4, 0x02, 0x0C, 0x02, hi, lo])
            .await?;
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
    pub async fn read_der_file(&mut self) -> Result<Vec<u8>, CardOpError> {
        let head = self
            .check(vec![0x00, 0xB0, 0x00, 0x00, 0x04], "READ BINARY header")
            .await?;
        if head.len() != 4 || head[0] != 0x30 || head[1] != 0x82 {
            return Err(CardOpError::BadData(
                "the file is not DER with a 2-byte length",
            ));
        }
        let size = usize::from(u16::from_be_bytes([head[2], head[3]])) + 4;
        let mut data = Vec::with_capacity(size);
        while data.len() < size {
            let le = (size - data.len()).min(256);
            let apdu = vec![
                0x00,
                0xB0,
                (data.len() >> 8) as u8,
                data.len() as u8,
                (le % 256) as u8,
            ];
            let chunk = self.check(apdu, "READ BINARY").await?;
            if chunk.is_empty() {
                return Err(CardOpError::BadData("the file ended early"));
            }
            data.extend(chunk);
        }
        data.truncate(size);
        Ok(data)
    }

    /// Reads a whole transparent file with one extended READ BINARY.
    pub async fn read_whole(&mut self) -> Result<Vec<u8>, CardOpError> {
        self.check(
            vec![0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00],
            "READ BINARY",
        )
        .await
    }

    /// The retry query (empty VERIFY) on the selected PIN EF: tries left.
    pub async fn tries_left(&mut self) -> Result<u8, CardOpError> {
        let r = self.ch.transceive(vec![0x00, 0x20, 0x00, 0x80]).await?;
        match r.status {
            Status::VerificationFailed { tries_left } => Ok(tries_left),
            status => Err(CardOpError::Status {
                what: "VERIFY retry query",
                status,
            }),
        }
    }

    /// VERIFY the selected PIN EF with `pin`; returns the card's status word.
    pub async fn verify(&mut self, pin: &[u8]) -> Result<Status, CardOpError> {
        let mut apdu = vec![0x00, 0x20, 0x00, 0x80, pin.len() as u8];
        apdu.extend_from_slice(pin);
        Ok(self.ch.transceive(apdu).await?.status)
    }

    /// SIGN (`80 2A 00 80`) with the selected key EF; the 256-byte signature.
    pub async fn sign(&mut self, digest_info: &[u8]) -> Result<Vec<u8>, CardOpError> {
        let mut apdu = vec![0x80, 0x2A, 0x00, 0x80, digest_info.len() as u8];
        apdu.extend_from_slice(digest_info);
        apdu.push(0x00);
        let sig = self.check(apdu, "SIGN").await?;
        if sig.len() != 256 {
            return Err(CardOpError::BadData("the signature is not 256 bytes"));
        }
        Ok(sig)
    }

    /// Reads the user-authentication certificate (JPKI AP, EF 000A).
    pub async fn read_auth_certificate(&mut self) -> Result<Vec<u8>, CardOpError> {
        self.select_app(ids::JPKI_AID).await?;
        if !self.select_file(ids::jpki::AUTH_CERT).await? {
            return Err(CardOpError::Status {
                what: "SELECT auth certificate",
                status: Status::FileNotFound,
            });
        }
        self.read_der_file().await
    }

    /// Unlocks the card front with 照合番号B and returns the face photo (券面AP).
    pub async fn read_face_photo(&mut self, match_b: &str) -> Result<Vec<u8>, CardOpError> {
        self.select_app(ids::SURFACE_AID).await?;
        self.select_file(ids::surface::MATCH_B).await?;
        let status = self.verify(match_b.as_bytes()).await?;
        if !status.is_success() {
            return Err(CardOpError::Status {
                what: "VERIFY 照合番号B",
                status,
            });
        }
        self.select_file(ids::surface::FRONT).await?;
        let front = self.read_whole().await?;
        surface::face_photo_from_front(&front)
            .map(<[u8]>::to_vec)
            .ok_or(CardOpError::BadData("the card front carries no photo"))
    }
}
