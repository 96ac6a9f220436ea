//! Subcommands, one file each; shared options and the exit-code mapping.

mod bench;
mod cards;
mod certify;
mod clinic;
mod common;
mod load;
mod population;
mod reader;
mod report;
mod run;
mod serve;
mod stop;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub(crate) use common::{CliError, Exit};

/// onshi — conformance and load-test harness for オンライン資格確認 (マイナ保険証).
#[derive(Debug, Parser)]
#[command(name = "onshi", version, about, long_about = None)]
pub(crate) struct Cli {
    /// Log filter (tracing `EnvFilter` syntax), e.g. `info` or `onshi=debug`.
    #[arg(long, global = true, default_value = "warn", env = "ONSHI_LOG")]
    pub log: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the main job on the embedded defaults (or the given inputs).
    Run(run::RunArgs),
    /// Certify a reader: run the suite against it and write a signed evidence package
    /// (`certify --reader URL --out DIR`), or check one (`certify verify DIR`).
    Certify(Box<certify::CertifyArgs>),
    /// Virtual My Number Cards: list, show, export certificates, serve through vpcd.
    #[command(subcommand)]
    Cards(cards::CardsCommand),
    /// The test population: export it for provisioning an external backend.
    #[command(subcommand)]
    Population(population::PopulationCommand),
    /// The built-in reader behind the reader-control API (`reader serve`).
    #[command(subcommand)]
    Reader(reader::ReaderCommand),
    /// The reference clinic behind the clinic-control API (`clinic serve`).
    #[command(subcommand)]
    Clinic(clinic::ClinicCommand),
    /// Peak-morning load with Goose: open arrivals, every answer checked for meaning,
    /// SLOs as the exit code.
    Load(Box<load::LoadArgs>),
    /// Run the reference qualification backend (HTTP JSON, XML over HTTP, folder).
    Serve(serve::ServeArgs),
    /// Load reports: merge shards, render again.
    #[command(subcommand)]
    Report(report::ReportCommand),
    /// Measure and print benchmark figures (build with --release).
    #[command(subcommand)]
    Bench(bench::BenchCommand),
}

/// Installs the tracing subscriber (stderr). Only the binary does this.
pub(crate) fn init_tracing(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Runs the chosen subcommand.
pub(crate) fn dispatch(cli: Cli) -> Result<Exit, CliError> {
    // The long-running commands turn SIGINT and SIGTERM into a clean stop (exit 130 /
    // 143, work reported as interrupted); handlers go in first, before any slow setup.
    let certifies = matches!(&cli.command, Command::Certify(a) if a.runs_suite());
    if certifies
        || matches!(
            cli.command,
            Command::Run(_)
                | Command::Load(_)
                | Command::Serve(_)
                | Command::Reader(_)
                | Command::Clinic(_)
                | Command::Cards(cards::CardsCommand::Serve(_))
        )
    {
        stop::install()?;
    }
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Certify(args) => certify::run(*args),
        Command::Cards(cmd) => cards::run(cmd),
        Command::Population(cmd) => population::run(cmd),
        Command::Load(args) => load::run(*args),
        Command::Serve(args) => serve::run(args),
        Command::Reader(cmd) => reader::run(cmd),
        Command::Clinic(cmd) => clinic::run(cmd),
        Command::Report(cmd) => report::run(cmd),
        Command::Bench(cmd) => bench::run(cmd),
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
