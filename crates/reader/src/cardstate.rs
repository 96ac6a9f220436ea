//! A state directory that keeps each card's PIN retry counters across restarts.
//!
//! One JSON file per card (`<card-id>.json`). Writes go to a temporary file in the same
//! directory, are flushed to disk, then renamed over the old file, so a kill at any
//! moment leaves either the old or the new state, never a torn file.

use std::fs;
use std::path::{Path, PathBuf};

use onshi_card::card::CardState;

/// Errors reading or writing card state.
#[derive(Debug, thiserror::Error)]
pub enum StateDirError {
    /// The directory could not be created or a file could not be written.
    #[error("cannot write card state {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A state file could not be read.
    #[error("cannot read card state {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A state file is not valid JSON of the expected shape.
    #[error("card state {path} is corrupt: {source}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// The card id cannot be used as a file name.
    #[error("card id {0:?} cannot name a state file")]
    BadId(String),
}

/// A directory of card states.
#[derive(Debug, Clone)]
pub struct StateDir {
    root: PathBuf,
}

impl StateDir {
    /// Opens (creating if needed) a state directory, removing the temporary files an
    /// interrupted save left behind (`.NAME.PID.N.tmp`; the state file itself is
    /// whole: saves are written aside, synced and renamed).
    pub fn open(root: impl Into<PathBuf>) -> Result<Self, StateDirError> {
        let root = root.into();
        fs::create_dir_all(&root).map_err(|source| StateDirError::Write {
            path: root.clone(),
            source,
        })?;
        if let Ok(entries) = fs::read_dir(&root) {
            for entry in entries.flatten() {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if name.starts_with('.') && name.ends_with(".tmp") {
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
        Ok(Self { root })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.root
    }

    fn file(&self, card_id: &str) -> Result<PathBuf, StateDirError> {
        let ok = !card_id.is_empty()
            && card_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && !card_id.starts_with('.');
        if !ok {
            return Err(StateDirError::BadId(card_id.to_owned()));
        }
        Ok(self.root.join(format!("{card_id}.json")))
    }

    /// The saved state of a card, or `None` when none was saved yet.
    pub fn load(&self, card_id: &str) -> Result<Option<CardState>, StateDirError> {
        let path = self.file(card_id)?;
        let text = match fs::read(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(StateDirError::Read { path, source }),
        };
        serde_json::from_slice(&text)
            .map(Some)
            .map_err(|source| StateDirError::Corrupt { path, source })
    }

    /// Saves a card's state atomically.
    pub fn save(&self, card_id: &str, state: &CardState) -> Result<(), StateDirError> {
        let path = self.file(card_id)?;
        let bytes = serde_json::to_vec_pretty(state).map_err(|source| StateDirError::Corrupt {
            path: path.clone(),
            source,
        })?;
        onshi_support::fsutil::write_atomic(&path, &bytes)
            .map_err(|source| StateDirError::Write { path, source })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use onshi_card::card::PinId;

    #[test]
    fn save_load_and_errors() {
        let dir = tempfile::tempdir().unwrap();
        let states = StateDir::open(dir.path().join("state")).unwrap();
        assert_eq!(states.load("alice").unwrap(), None);
        let mut s = CardState::default();
        s.tries_left.insert(PinId::AuthPin, 0);
        states.save("alice", &s).unwrap();
        assert_eq!(states.load("alice").unwrap(), Some(s));
        assert!(matches!(states.load("../x"), Err(StateDirError::BadId(_))));
        std::fs::write(states.path().join("bob.json"), b"{not json").unwrap();
        assert!(matches!(
            states.load("bob"),
            Err(StateDirError::Corrupt { .. })
        ));
        // No temporary files are left behind.
        let names: Vec<_> = std::fs::read_dir(states.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(names.iter().all(|n| n.ends_with(".json")), "{names:?}");
        // Leftovers of an interrupted save are removed when the directory is opened.
        std::fs::write(states.path().join(".alice.json.123.4.tmp"), b"{").unwrap();
        let states = StateDir::open(states.path()).unwrap();
        assert!(!states.path().join(".alice.json.123.4.tmp").exists());
        assert!(states.path().join("alice.json").exists());
    }
}
