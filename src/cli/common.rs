//! Options shared by several subcommands, and exit codes.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDateTime;
use clap::Args;

use onshi::card::face::FaceRenderer;
use onshi::defaults;
use onshi::facefont;
use onshi::persona::{CardFactory, Persona, PersonaSet};
use onshi::pki::{CaKind, KeyCache, LoadAuthRoot, ReaderCa, TestPki};
use onshi::server::TrustAnchors;
use onshi::tomlsrc::{InputError, TomlSource};

/// Process exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// Everything passed / SLOs met.
    Passed = 0,
    /// A check or SLO failed.
    Failed = 1,
    /// Bad input or usage.
    BadInput = 2,
    /// The system under test could not be reached.
    Unreachable = 3,
    /// `onshi load`: the load generator, not the system under test, was the
    /// bottleneck; the SLO verdicts are unreliable (no semantic check failed).
    Unreliable = 4,
    /// Stopped by SIGINT (Ctrl-C): what was done is reported, marked interrupted.
    Interrupted = 130,
    /// Stopped by SIGTERM: what was done is reported, marked interrupted.
    Terminated = 143,
}

/// An error with the exit code it maps to.
#[derive(Debug)]
pub(crate) struct CliError {
    /// Exit code.
    pub code: Exit,
    /// Message for stderr.
    pub message: String,
}

impl CliError {
    /// Bad input (exit 2).
    pub(crate) fn input(message: impl Into<String>) -> Self {
        Self {
            code: Exit::BadInput,
            message: message.into(),
        }
    }

    /// A failure of the harness itself or the environment (exit 1).
    pub(crate) fn failed(message: impl Into<String>) -> Self {
        Self {
            code: Exit::Failed,
            message: message.into(),
        }
    }

    /// Input errors, one per line.
    pub(crate) fn inputs(errors: Vec<InputError>) -> Self {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        Self::input(lines.join("\n"))
    }
}

impl From<onshi::failure::Failure> for CliError {
    fn from(f: onshi::failure::Failure) -> Self {
        use onshi::failure::Failure;
        let code = match f {
            Failure::Failed(_) => Exit::Failed,
            Failure::BadInput(_) => Exit::BadInput,
            Failure::Unreachable(_) => Exit::Unreachable,
        };
        Self {
            code,
            message: f.to_string(),
        }
    }
}

/// The bounds of an HTTP server onshi runs (`serve`, `reader serve`).
#[derive(Debug, Clone, Args)]
pub(super) struct HttpLimitArgs {
    /// Seconds a client has to send a complete request head after connecting or after
    /// its previous answer; idle keep-alive connections close after it too.
    #[arg(long, value_name = "SECONDS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=600))]
    header_timeout: u64,
    /// Connections served at once; further clients wait until one closes.
    #[arg(long, value_name = "N", default_value_t = 4096,
          value_parser = clap::value_parser!(u64).range(1..=100_000))]
    max_connections: u64,
}

impl HttpLimitArgs {
    /// The server limits.
    pub(super) fn limits(&self) -> onshi::server::serving::ServeLimits {
        onshi::server::serving::ServeLimits {
            header_read: std::time::Duration::from_secs(self.header_timeout),
            max_connections: usize::try_from(self.max_connections).unwrap_or(usize::MAX),
            ..Default::default()
        }
    }
}

/// Where personas, keys and dates come from.
#[derive(Debug, Clone, Args)]
pub(super) struct WorldArgs {
    /// Directory of persona files (default: the embedded `virtual-cards/`).
    #[arg(long, value_name = "DIR")]
    pub cards: Option<PathBuf>,
    /// Seed for keys, certificates and populations.
    #[arg(long, default_value_t = defaults::DEFAULT_SEED)]
    pub seed: u64,
    /// As-of time (JST): `YYYY-MM-DD` (09:00) or `YYYY-MM-DDTHH:MM[:SS]`.
    #[arg(long, value_name = "DATE", value_parser = defaults::parse_as_of)]
    pub as_of: Option<NaiveDateTime>,
    /// Directory for cached RSA keys (default `$ONSHI_KEY_CACHE` or `~/.cache/onshi/keys`).
    #[arg(long, value_name = "DIR")]
    pub key_cache: Option<PathBuf>,
    /// Do not cache keys on disk.
    #[arg(long)]
    pub no_key_cache: bool,
    /// Load the test JPKI roots from DIR (`jpki-{auth,sign}-root.der` and `.key.p8`);
    /// when DIR has none, generate them from the seed and save them there.
    #[arg(long, value_name = "DIR")]
    pub pki_dir: Option<PathBuf>,
    /// Font for the card-face name and address images (default `$ONSHI_FACE_FONT` or
    /// IPAGothic, `/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf`).
    #[arg(long, value_name = "FILE")]
    pub face_font: Option<PathBuf>,
}

impl WorldArgs {
    /// The as-of time.
    pub(super) fn as_of(&self) -> NaiveDateTime {
        self.as_of.unwrap_or_else(defaults::default_as_of)
    }

    /// The personas.
    pub(super) fn personas(&self) -> Result<PersonaSet, CliError> {
        defaults::personas(self.cards.as_deref()).map_err(CliError::inputs)
    }

    /// One persona: an id from the set, or a path to a `.toml` file.
    pub(super) fn persona(&self, set: &PersonaSet, card: &str) -> Result<Persona, CliError> {
        if card.ends_with(".toml") {
            let src = TomlSource::read(std::path::Path::new(card))
                .map_err(|e| CliError::inputs(vec![e]))?;
            return Persona::from_source(&src).map_err(CliError::inputs);
        }
        set.get(card).cloned().ok_or_else(|| {
            let ids: Vec<&str> = set.iter().map(|p| p.id.as_str()).collect();
            CliError::input(format!("no persona {card:?}; known: {}", ids.join(", ")))
        })
    }

    /// The key cache.
    pub(super) fn key_cache(&self) -> KeyCache {
        if self.no_key_cache {
            return KeyCache::memory();
        }
        match self.key_cache.clone().or_else(defaults::key_cache_dir) {
            Some(dir) => KeyCache::with_dir(dir),
            None => KeyCache::memory(),
        }
    }

    /// The test JPKI: loaded from `--pki-dir`, or generated from the seed (and saved to
    /// `--pki-dir` when it holds no roots yet).
    pub(super) fn pki(&self) -> Result<TestPki, CliError> {
        let keys = self.key_cache();
        match &self.pki_dir {
            Some(dir) if TestPki::cert_path(dir, CaKind::Auth).exists() => TestPki::load(dir)
                .map_err(|e| CliError::input(format!("--pki-dir {}: {e}", dir.display()))),
            Some(dir) => {
                let pki = TestPki::generate_with_cache(self.seed, &keys)
                    .map_err(|e| CliError::failed(e.to_string()))?;
                std::fs::create_dir_all(dir)
                    .map_err(|e| CliError::input(format!("--pki-dir {}: {e}", dir.display())))?;
                pki.save(dir)
                    .map_err(|e| CliError::input(format!("--pki-dir {}: {e}", dir.display())))?;
                Ok(pki)
            }
            None => TestPki::generate_with_cache(self.seed, &keys)
                .map_err(|e| CliError::failed(e.to_string())),
        }
    }

    /// Trust anchors matching [`Self::pki`] (plus the seed's load root and reader CA).
    pub(super) fn trust(&self) -> Result<TrustAnchors, CliError> {
        let failed = |e: &dyn std::fmt::Display| CliError::failed(e.to_string());
        Ok(TrustAnchors {
            jpki: std::sync::Arc::new(self.pki()?),
            load: Some(std::sync::Arc::new(
                LoadAuthRoot::generate(self.seed).map_err(|e| failed(&e))?,
            )),
            readers: std::sync::Arc::new(ReaderCa::generate(self.seed).map_err(|e| failed(&e))?),
        })
    }

    /// The card-face renderer. Without its font, `strict` refuses (exit 2, naming the
    /// path); otherwise a warning names the path and names and addresses are drawn with
    /// ⊠ for every character onshi has no glyph of (digits and 外字 are onshi's own).
    pub(super) fn face(&self, strict: bool) -> Result<Arc<FaceRenderer>, CliError> {
        let path = facefont::font_path(self.face_font.as_deref());
        match facefont::load(&path) {
            Ok(r) => Ok(Arc::new(r)),
            Err(e) if strict || self.face_font.is_some() => Err(CliError::input(e.to_string())),
            Err(e) => {
                tracing::warn!("{e}; card-face names and addresses are drawn as ⊠");
                Ok(Arc::new(FaceRenderer::builtin()))
            }
        }
    }

    /// A card factory.
    pub(super) fn factory(&self) -> Result<CardFactory, CliError> {
        Ok(
            CardFactory::with_pki(self.seed, self.pki()?, self.key_cache())
                .with_face(self.face(false)?),
        )
    }
}
