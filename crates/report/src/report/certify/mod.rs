//! The certification package (`onshi certify`): a conformance run of a reader under
//! test, packed with what was tested, the signer's declarations and a signed manifest,
//! so a customer can check that nothing in it changed since it was signed.
//!
//! Pure: the shell (`src/cli/certify.rs`) runs the suite, reads and writes the files and
//! makes keys; everything here is a function of the bytes it is given.
//!
//! - [`layout`]: the package's files, and the evidence file of each scenario.
//! - [`verdict`]: `VERDICT`, whose first line says `CONFORMANT` or `NOT CONFORMANT: …`.
//! - [`tested`]: `tested.json`, what was tested with what.
//! - [`declarations`]: `declarations.md`, what no test can observe.
//! - [`manifest`]: `MANIFEST`, the SHA-256 of every file (`sha256sum` format).
//! - [`signing`]: Ed25519 over `MANIFEST`: keys, signatures, PEM.
//! - [`verify`]: checking a package, each problem naming its file.

pub mod declarations;
pub mod layout;
pub mod manifest;
pub mod signing;
pub mod tested;
pub mod verdict;
pub mod verify;

pub use manifest::{Difference, Manifest, PackagePath, Sha256};
pub use signing::{PublicKey, Signature, SigningKey};
pub use verdict::PackageVerdict;
pub use verify::{Contents, Problem, Verification, verify};
