//! `tested.json`: what a package's run tested, with what — enough to run it again and
//! to tell two packages' runs apart.

use serde::{Deserialize, Serialize};

use super::manifest::Sha256;

/// The onshi that ran the suite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Build {
    /// `CARGO_PKG_VERSION`.
    pub version: String,
    /// The git commit the binary was built from (`unknown` when the build had no git).
    pub revision: String,
}

/// One feature file and the SHA-256 of its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureFile {
    /// The file name.
    pub name: String,
    /// SHA-256 of its text (UTF-8), lower-case hex.
    pub sha256: String,
}

impl FeatureFile {
    /// A feature file from its name and text.
    pub fn of(name: &str, text: &str) -> Self {
        Self {
            name: name.to_owned(),
            sha256: Sha256::of(text.as_bytes()).hex(),
        }
    }
}

/// The features run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Features {
    /// `embedded` or the directory given with `--features`.
    pub source: String,
    /// Every feature file, sorted by name.
    pub files: Vec<FeatureFile>,
    /// The tag expression that selected the scenarios, if any.
    pub tags: Option<String>,
}

/// The reader under test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reader {
    /// `builtin`, or the reader-control URL.
    pub spec: String,
    /// How the report names it.
    pub described: String,
    /// The reader's own answer to `GET /v1/reader` (absent for the built-in reader).
    pub says: Option<serde_json::Value>,
}

/// The backend the reader called.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backend {
    /// `embedded`, or the URL / folder given with `--backend`.
    pub spec: String,
    /// How the report names it.
    pub described: String,
    /// Defects injected into the embedded reference backend.
    pub defects: Vec<String>,
}

/// What was tested.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tested {
    /// onshi.
    pub onshi: Build,
    /// The run id (the report's).
    pub run_id: String,
    /// The features.
    pub features: Features,
    /// The seed of keys, certificates and persons.
    pub seed: u64,
    /// The as-of time of the population (JST).
    pub as_of: String,
    /// The seed of the scenario order, if shuffled.
    pub shuffle: Option<u64>,
    /// `embedded` or the `--cards` directory.
    pub personas_source: String,
    /// The personas (templates; every scenario has its own instances).
    pub personas: Vec<String>,
    /// The reader under test.
    pub reader: Reader,
    /// The backend.
    pub backend: Backend,
    /// When the run started (local time, `YYYY-MM-DDTHH:MM:SS`).
    pub started: String,
    /// When the run ended (local time).
    pub ended: String,
    /// Whether the run finished (false when a signal stopped it).
    pub complete: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_hashes_are_of_the_text() {
        let f = FeatureFile::of("01.feature", "abc");
        assert_eq!(
            f.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
