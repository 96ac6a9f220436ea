//! `onshi reader serve`: the built-in reader behind the reader-control API, talking to
//! cards over PC/SC — what a vendor's reader test mode looks like to `onshi run
//! --reader URL`, and how that plug is tested end to end.

use std::net::SocketAddr;

use clap::{Args, Subcommand};

use super::common::{CliError, Exit};

/// Reader subcommands.
#[derive(Debug, Subcommand)]
pub(super) enum ReaderCommand {
    /// Serve the built-in reader's control API (needs a build with `--features pcsc`).
    Serve(ReaderServeArgs),
}

/// `reader serve` options.
#[derive(Debug, Args)]
pub(super) struct ReaderServeArgs {
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1:7070")]
    listen: SocketAddr,
    /// Seconds to wait for the card to appear in the PC/SC reader.
    #[arg(long, default_value_t = 10)]
    card_timeout: u64,
    /// Serve a defective reader (repeatable): `tries-my-number`, `lenient-face`,
    /// `pin-after-lock`, `skips-consent`, `no-registration-offer`, `keeps-photo` — proves
    /// the suite's reader checks, and a certification package, catch a reader that
    /// breaks them (docs/conformance.md).
    #[arg(long = "defect", value_name = "NAME")]
    defects: Vec<onshi::reader::ReaderDefect>,
    /// Patients served at once, each at its own PC/SC reader (reported to onshi as
    /// `slots`; `onshi run --reader` then runs that many scenarios in parallel).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=16))]
    slots: u32,
    #[command(flatten)]
    http: super::common::HttpLimitArgs,
}

pub(super) fn run(cmd: ReaderCommand) -> Result<Exit, CliError> {
    match cmd {
        ReaderCommand::Serve(args) => serve(args),
    }
}

#[cfg(feature = "pcsc")]
fn serve(args: ReaderServeArgs) -> Result<Exit, CliError> {
    use onshi::reader::control::{ReaderServerConfig, app};
    let stop = super::stop::install()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::failed(format!("tokio runtime: {e}")))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| CliError::input(format!("cannot listen on {}: {e}", args.listen)))?;
        let addr = listener
            .local_addr()
            .map_err(|e| CliError::failed(e.to_string()))?;
        eprintln!("reader-control API on http://{addr}");
        let router = app(ReaderServerConfig {
            card_timeout: std::time::Duration::from_secs(args.card_timeout),
            face_threshold: onshi::reader::policy::FACE_THRESHOLD,
            defects: args.defects.clone(),
            slots: args.slots,
        });
        onshi::server::serving::serve(
            listener,
            router,
            args.http.limits(),
            async {
                stop.until_requested().await;
            },
            stop.until_hurried(),
        )
        .await;
        let signal = stop.requested();
        eprintln!(
            "onshi reader serve: stopped{}",
            signal.map(|s| format!(" ({s})")).unwrap_or_default()
        );
        Ok(signal.map_or(Exit::Passed, Exit::from))
    })
}

#[cfg(not(feature = "pcsc"))]
fn serve(_: ReaderServeArgs) -> Result<Exit, CliError> {
    Err(CliError::input(
        "onshi reader serve talks to cards over PC/SC: build with `cargo build --features pcsc` (needs libpcsclite-dev)",
    ))
}
