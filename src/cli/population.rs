//! `onshi population export`: the population as files for provisioning an external
//! backend.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use clap::{Args, Subcommand};

use onshi::population::export::{ExportFormat, export};
use onshi::population::{CertificateIssuer, Population, certs::DEFAULT_POOL_SIZE};
use onshi::protocol::ServerClock;
use onshi::server::{DefectSet, Engine};

use super::common::{CliError, Exit, WorldArgs};

/// `onshi population …`.
#[derive(Debug, Subcommand)]
pub(super) enum PopulationCommand {
    /// Write persons, qualification records, certificate links, certificates and trust
    /// roots as JSON Lines or CSV.
    Export(ExportArgs),
}

/// Options every command that builds a population shares.
#[derive(Debug, Clone, Args)]
pub(super) struct PopulationArgs {
    #[command(flatten)]
    pub world: WorldArgs,
    /// Generated persons after the personas.
    #[arg(long, value_name = "N", default_value_t = onshi::population::DEFAULT_SIZE)]
    pub size: u64,
    /// The features whose scenarios' own persons are included (default: the embedded
    /// `features/`): the population a conformance run against this backend needs.
    #[arg(long = "features", value_name = "DIR")]
    pub features: Option<PathBuf>,
    #[command(flatten)]
    pub cast: CastArgs,
}

/// How many persons a scenario that registers someone gets.
#[derive(Debug, Clone, Args)]
pub(super) struct CastArgs {
    /// Instances of an unregistered persona per scenario: the number of conformance
    /// runs a backend can keep on-the-spot registrations across before it must be
    /// provisioned again. `onshi run` and the backend's population must agree.
    #[arg(long, value_name = "N", default_value_t = onshi::persona::cast::DEFAULT_GENERATIONS)]
    pub generations: u32,
}

impl PopulationArgs {
    /// The personas with every scenario's own instances.
    pub(super) fn personas(&self) -> Result<onshi::persona::PersonaSet, CliError> {
        let features = match &self.features {
            Some(d) => onshi::conformance::run::FeatureSource::Dir(d.clone()),
            None => onshi::conformance::run::FeatureSource::Embedded,
        };
        let cast = onshi::conformance::cast::of_source(&features, self.cast.generations)?;
        self.world
            .personas()?
            .with_cast(&cast)
            .map_err(|e| CliError::input(e.to_string()))
    }

    /// Builds the population.
    pub(super) fn build(&self) -> Result<Population, CliError> {
        let personas = self.personas()?;
        Population::new(self.world.seed, self.size, &personas, self.world.as_of())
            .map_err(|e| CliError::input(e.to_string()))
    }
}

/// `onshi population export` options.
#[derive(Debug, Args)]
pub(super) struct ExportArgs {
    #[command(flatten)]
    population: PopulationArgs,
    /// `jsonl` or `csv`.
    #[arg(long, value_parser = ExportFormat::parse)]
    format: ExportFormat,
    /// Output directory (created if needed).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Distinct RSA keys shared by generated persons (load-test simplification).
    #[arg(long, default_value_t = DEFAULT_POOL_SIZE)]
    key_pool: usize,
}

pub(super) fn run(cmd: PopulationCommand) -> Result<Exit, CliError> {
    match cmd {
        PopulationCommand::Export(args) => run_export(args),
    }
}

fn run_export(args: ExportArgs) -> Result<Exit, CliError> {
    let started = Instant::now();
    let population = args.population.build()?;
    let issuer = CertificateIssuer::from_seed(
        args.population.world.seed,
        args.population.world.key_cache(),
        args.key_pool,
    )
    .map_err(|e| CliError::failed(e.to_string()))?;
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let summary = export(&population, &issuer, args.format, &args.out, threads)
        .map_err(|e| CliError::failed(e.to_string()))?;
    println!(
        "onshi: exported {} persons, {} qualification records, {} certificates to {} in {:.1} s",
        summary.persons,
        summary.qualifications,
        summary.certificates,
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    for f in &summary.files {
        println!("  {f}");
    }
    Ok(Exit::Passed)
}

/// The reference backend's engine and its clock, as `serve`, and the benchmarks,
/// build it from the population options.
pub(super) struct Backend {
    /// The engine.
    pub engine: Arc<Engine>,
    /// The clock.
    pub clock: ServerClock,
}

/// Builds the reference engine over the population these options describe.
pub(super) fn build_engine(
    population: &PopulationArgs,
    defects: DefectSet,
    trust_load_root: bool,
    challenge_ttl_ms: u64,
) -> Result<Backend, CliError> {
    let pop = Arc::new(population.build()?);
    let mut trust = population.world.trust()?;
    if !trust_load_root {
        trust.load = None;
    }
    let engine =
        onshi::server::reference::engine(Arc::clone(&pop), trust, defects, challenge_ttl_ms)
            .map_err(|e| CliError::failed(e.to_string()))?;
    let clock = ServerClock::start(pop.as_of());
    Ok(Backend { engine, clock })
}
