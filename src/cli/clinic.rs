//! `onshi clinic serve`: the reference clinic (onshi's desk, with its own numbers
//! query) behind the clinic-control API — what a vendor's clinic test mode looks like
//! to `onshi run --clinic URL`, and how that plug is tested end to end.

use std::net::SocketAddr;

use clap::{Args, Subcommand};

use super::common::{CliError, Exit};

/// Clinic subcommands.
#[derive(Debug, Subcommand)]
pub(super) enum ClinicCommand {
    /// Serve the reference clinic's control API.
    Serve(ClinicServeArgs),
}

/// `clinic serve` options.
#[derive(Debug, Args)]
pub(super) struct ClinicServeArgs {
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1:7080")]
    listen: SocketAddr,
    /// Serve a defective clinic (repeatable): `charges-10wari-on-no-record`,
    /// `ignores-ratio`, `accepts-notice-alone`, `accepts-expired-old-card`,
    /// `ignores-public-expense-certificate`, `assumes-child-aid`, `caps-each-visit-alone`,
    /// `sums-all-payments`, `uses-old-qualification`,
    /// `never-checks-card-front`, `copies-card-back`, `treats-unregistered-as-invalid`,
    /// `skips-recovery-check`, `never-asks-declaration` — proves the suite's clinic checks catch a
    /// clinic that breaks them (docs/implementing-a-clinic.md).
    #[arg(long = "defect", value_name = "NAME")]
    defects: Vec<onshi::clinic::ClinicDefect>,
    #[command(flatten)]
    http: super::common::HttpLimitArgs,
}

pub(super) fn run(cmd: ClinicCommand) -> Result<Exit, CliError> {
    match cmd {
        ClinicCommand::Serve(args) => serve(args),
    }
}

fn serve(args: ClinicServeArgs) -> Result<Exit, CliError> {
    use onshi::clinic::{ClinicServerConfig, app};
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
        eprintln!("clinic-control API on http://{addr}");
        let router = app(ClinicServerConfig {
            calendar: onshi::rules::RulesCalendar::reference(),
            defects: args.defects.clone(),
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
            "onshi clinic serve: stopped{}",
            signal.map(|s| format!(" ({s})")).unwrap_or_default()
        );
        Ok(signal.map_or(Exit::Passed, Exit::from))
    })
}
