//! The reader side: the built-in reader engine and its drivers, the reader-control API, how readers reach cards (in process, PC/SC), the vpcd card server and its state directory, the card-face font read from disk.

pub mod bench;
pub mod cardcheck;
pub mod cardstate;
pub mod channel;
pub mod facefont;
pub mod fuzzing;
pub mod reader;
pub mod vpcd;
