//! Personas: `virtual-cards/*.toml` → validated files → resolved ground truth → cards.
//!
//! - [`schema`]: the file format.
//! - [`datespec`]: absolute and as-of-relative dates.
//! - [`load`]: discovery, validation with file/line/field errors, resolution.
//! - [`model`]: the resolved persona (the ground truth later checks compare against).
//! - [`my_number`]: synthetic 個人番号 with check digit.
//! - [`cast`]: a person per scenario — instances of personas with their own identity.
//! - [`cards`]: building a [`onshi_card::card::CardProfile`] from a persona and the test PKI.

pub mod cards;
pub mod cast;
pub mod datespec;
pub mod load;
pub mod model;
pub mod my_number;
pub mod schema;

pub use cards::{CardFactory, IssuedCard};
pub use cast::{Cast, CastError, SceneKey};
pub use load::{Persona, PersonaSet};
pub use model::ResolvedPersona;
