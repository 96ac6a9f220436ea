//! How a reader talks to a card: a synchronous bytes-in / bytes-out channel.
//!
//! [`InProcessChannel`] wraps a [`VirtualCard`] directly; `PcscChannel` (cargo feature
//! `pcsc`) goes through pcscd, so the same reader code drives a card behind vpcd — or
//! a real one.

use onshi_card::card::{ApduTrace, Status, VirtualCard};

/// A channel failure (not a status word: those are normal answers).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChannelError {
    /// The card gave no answer at all (a destroyed chip, or a card that went mute).
    #[error("the card did not answer")]
    NoResponse,
    /// No card is present in the reader.
    #[error("no card in the reader")]
    NoCard,
    /// The card was removed during the exchange.
    #[error("the card was removed")]
    Removed,
    /// The transport failed (PC/SC error text).
    #[error("transport error: {0}")]
    Transport(String),
}

/// A response APDU split into data and status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Response data.
    pub data: Vec<u8>,
    /// Status word.
    pub status: Status,
}

impl Response {
    /// Splits raw response bytes; fewer than two bytes is [`ChannelError::NoResponse`].
    pub fn from_bytes(mut bytes: Vec<u8>) -> Result<Self, ChannelError> {
        let status = Status::from_response(&bytes).ok_or(ChannelError::NoResponse)?;
        bytes.truncate(bytes.len() - 2);
        Ok(Self {
            data: bytes,
            status,
        })
    }
}

/// A channel to one card.
pub trait CardChannel: Send {
    /// Sends a command APDU, returns the raw response (data + SW1 SW2).
    fn transmit_raw(&mut self, apdu: &[u8]) -> Result<Vec<u8>, ChannelError>;

    /// Sends a command APDU and splits the response.
    fn transmit(&mut self, apdu: &[u8]) -> Result<Response, ChannelError> {
        Response::from_bytes(self.transmit_raw(apdu)?)
    }

    /// Resets the card (new session: selected application and verified PINs lost).
    fn reset(&mut self) -> Result<(), ChannelError>;

    /// A name for logs and evidence (reader name or "in-process").
    fn name(&self) -> String;
}

/// A virtual card in this process.
#[derive(Debug)]
pub struct InProcessChannel {
    card: VirtualCard,
    started: Option<std::time::Instant>,
}

impl InProcessChannel {
    /// Wraps a card. Trace entries carry no times (deterministic evidence).
    pub fn new(card: VirtualCard) -> Self {
        Self {
            card,
            started: None,
        }
    }

    /// Wraps a card and stamps trace entries with microseconds since now.
    pub fn timed(card: VirtualCard) -> Self {
        Self {
            card,
            started: Some(std::time::Instant::now()),
        }
    }

    /// The card (e.g. to read its state or trace).
    pub fn card(&self) -> &VirtualCard {
        &self.card
    }

    /// Takes the card back.
    pub fn into_card(self) -> VirtualCard {
        self.card
    }

    /// The card's APDU trace.
    pub fn trace(&self) -> ApduTrace {
        self.card.trace()
    }
}

impl CardChannel for InProcessChannel {
    fn transmit_raw(&mut self, apdu: &[u8]) -> Result<Vec<u8>, ChannelError> {
        let mut out = Vec::new();
        let at = self.started.map(|s| s.elapsed().as_micros() as u64);
        self.card.transmit_into(apdu, &mut out, at);
        if out.is_empty() {
            return Err(ChannelError::NoResponse);
        }
        Ok(out)
    }

    fn reset(&mut self) -> Result<(), ChannelError> {
        self.card.reset();
        Ok(())
    }

    fn name(&self) -> String {
        "in-process".to_owned()
    }
}

#[cfg(feature = "pcsc")]
pub use pcsc_channel::{PcscChannel, list_readers, wait_for_card, wait_for_empty};

#[cfg(feature = "pcsc")]
mod pcsc_channel {
    use std::ffi::CString;
    use std::time::{Duration, Instant};

    use super::{CardChannel, ChannelError};

    fn err(e: pcsc::Error) -> ChannelError {
        match e {
            pcsc::Error::NoSmartcard => ChannelError::NoCard,
            pcsc::Error::RemovedCard | pcsc::Error::ResetCard => ChannelError::Removed,
            other => ChannelError::Transport(other.to_string()),
        }
    }

    /// A card behind pcscd.
    pub struct PcscChannel {
        _ctx: pcsc::Context,
        card: pcsc::Card,
        reader: String,
    }

    impl std::fmt::Debug for PcscChannel {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("PcscChannel")
                .field("reader", &self.reader)
                .finish()
        }
    }

    /// The names of the PC/SC readers.
    pub fn list_readers() -> Result<Vec<String>, ChannelError> {
        let ctx = pcsc::Context::establish(pcsc::Scope::User).map_err(err)?;
        let readers = ctx.list_readers_owned().map_err(err)?;
        Ok(readers
            .into_iter()
            .map(|r| r.to_string_lossy().into_owned())
            .collect())
    }

    /// Waits until the named reader reports a card present.
    pub fn wait_for_card(reader: &str, timeout: Duration) -> Result<(), ChannelError> {
        wait_for_state(reader, timeout, pcsc::State::PRESENT)
    }

    /// Waits until the named reader reports no card (e.g. after a card server stopped,
    /// so the next card does not queue behind the old vpcd connection).
    pub fn wait_for_empty(reader: &str, timeout: Duration) -> Result<(), ChannelError> {
        wait_for_state(reader, timeout, pcsc::State::EMPTY)
    }

    fn wait_for_state(
        reader: &str,
        timeout: Duration,
        wanted: pcsc::State,
    ) -> Result<(), ChannelError> {
        let ctx = pcsc::Context::establish(pcsc::Scope::User).map_err(err)?;
        let name = CString::new(reader)
            .map_err(|_| ChannelError::Transport("reader name has NUL".into()))?;
        let deadline = Instant::now() + timeout;
        let mut states = [pcsc::ReaderState::new(
            name.as_c_str(),
            pcsc::State::UNAWARE,
        )];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(ChannelError::Transport(format!(
                    "timed out waiting for {wanted:?} in {reader}"
                )));
            }
            match ctx.get_status_change(left.min(Duration::from_millis(500)), &mut states) {
                Ok(()) | Err(pcsc::Error::Timeout) => {}
                Err(e) => return Err(err(e)),
            }
            if states[0].event_state().contains(wanted) {
                return Ok(());
            }
            states[0].sync_current_state();
        }
    }

    impl PcscChannel {
        /// Connects (shared mode, any protocol) to the card in the named reader.
        pub fn connect(reader: &str) -> Result<Self, ChannelError> {
            let ctx = pcsc::Context::establish(pcsc::Scope::User).map_err(err)?;
            let name = CString::new(reader)
                .map_err(|_| ChannelError::Transport("reader name has NUL".into()))?;
            let card = ctx
                .connect(
                    name.as_c_str(),
                    pcsc::ShareMode::Shared,
                    pcsc::Protocols::ANY,
                )
                .map_err(err)?;
            Ok(Self {
                _ctx: ctx,
                card,
                reader: reader.to_owned(),
            })
        }

        /// The reader name.
        pub fn reader(&self) -> &str {
            &self.reader
        }
    }

    impl CardChannel for PcscChannel {
        fn transmit_raw(&mut self, apdu: &[u8]) -> Result<Vec<u8>, ChannelError> {
            let mut buf = vec![0u8; pcsc::MAX_BUFFER_SIZE_EXTENDED];
            let r = self.card.transmit(apdu, &mut buf).map_err(err)?;
            if r.is_empty() {
                return Err(ChannelError::NoResponse);
            }
            Ok(r.to_vec())
        }

        fn reset(&mut self) -> Result<(), ChannelError> {
            self.card
                .reconnect(
                    pcsc::ShareMode::Shared,
                    pcsc::Protocols::ANY,
                    pcsc::Disposition::ResetCard,
                )
                .map_err(err)
        }

        fn name(&self) -> String {
            format!("pcsc:{}", self.reader)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_responses() {
        let r = Response::from_bytes(vec![1, 2, 0x90, 0x00]).unwrap();
        assert_eq!((r.data, r.status), (vec![1, 2], Status::Success));
        assert_eq!(
            Response::from_bytes(vec![0x90]),
            Err(ChannelError::NoResponse)
        );
    }
}
