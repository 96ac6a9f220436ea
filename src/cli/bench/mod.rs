//! `onshi bench …`: commands that measure and print figures (see docs/benchmarks.md).

mod backend;
mod card;
mod load;
mod load_raw;
mod reader;
mod suite;

use clap::Subcommand;

use onshi::server::AppState;

use super::common::{CliError, Exit};

/// Benchmarks (build with `--release`).
#[derive(Debug, Subcommand)]
pub(super) enum BenchCommand {
    /// The virtual card: in-process APDU/s, signature cost, PC/SC round trip.
    Card(card::CardBenchArgs),
    /// Confirmations per second of the reference backend, in process and over HTTP.
    Backend(backend::BackendBenchArgs),
    /// Wall time of the whole conformance suite on the embedded defaults.
    Suite(suite::SuiteBenchArgs),
    /// Full-semantics load: visits/s, open-model p99, cost per visit vs raw Goose.
    Load(Box<load::LoadBenchArgs>),
    /// The suite through the reader-control API with 1 and 4 … card slots: wall time,
    /// speed-up and the same verdicts (needs PC/SC with that many vpcd slots).
    Reader(reader::ReaderBenchArgs),
}

pub(super) fn run(cmd: BenchCommand) -> Result<Exit, CliError> {
    match cmd {
        BenchCommand::Card(args) => card::run_card(args),
        BenchCommand::Backend(args) => backend::run_backend(args),
        BenchCommand::Suite(args) => suite::run_suite(args),
        BenchCommand::Load(args) => load::run_load(*args),
        BenchCommand::Reader(args) => reader::run_reader(args),
    }
}

/// Serves the reference backend's router for `state` on 127.0.0.1 (an ephemeral
/// port); its address and the server task.
async fn serve_loopback(
    state: AppState,
) -> Result<(std::net::SocketAddr, tokio::task::JoinHandle<()>), CliError> {
    let l = onshi::server::reference::serve_loopback(state, None)
        .await
        .map_err(|e| CliError::failed(e.to_string()))?;
    Ok((l.addr, l.server))
}

/// The median of benchmark rounds (the upper one of an even count; 0 when empty).
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}
