//! `onshi bench …`: commands that measure and print figures (see docs/benchmarks.md).

use clap::Args;

use onshi::bench::{self, Figure};
use onshi::card::PinId;

use super::super::common::{CliError, Exit, WorldArgs};

/// `bench card` options.
#[derive(Debug, Args)]
pub(crate) struct CardBenchArgs {
    /// Rounds per figure (the median is reported).
    #[arg(long, default_value_t = 9)]
    rounds: usize,
    /// Signatures to time.
    #[arg(long, default_value_t = 300)]
    signatures: usize,
    /// Also measure the round trip through pcscd + vpcd (needs pcscd with vpcd and the
    /// `pcsc` feature).
    #[arg(long)]
    pcsc: bool,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    world: WorldArgs,
}

fn print(figures: &[Figure], json: bool) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(figures).unwrap_or_default()
        );
        return;
    }
    for f in figures {
        println!("{}", f.line(80));
    }
}

pub(super) fn run_card(args: CardBenchArgs) -> Result<Exit, CliError> {
    if cfg!(debug_assertions) {
        eprintln!("note: this is a debug build; measure with `cargo run --release -- bench card`");
    }
    let set = args.world.personas()?;
    let persona = args.world.persona(&set, "standard-adult")?;
    let resolved = persona.resolve(args.world.as_of(), args.world.seed);
    let factory = args.world.factory()?;
    let issued = factory
        .issue(&resolved)
        .map_err(|e| CliError::failed(e.to_string()))?;
    let key = factory
        .keys()
        .get(args.world.seed, "card/standard-adult/auth")
        .map_err(|e| CliError::failed(e.to_string()))?;
    let pin = issued.profile.pin_value(PinId::AuthPin).unwrap_or_default();
    #[cfg_attr(not(feature = "pcsc"), allow(unused_mut))]
    let mut figures = vec![
        bench::apdu_throughput(&issued.profile, args.rounds, 200_000),
        bench::sign_vs_plain(&issued.profile, &key, &pin, args.signatures),
    ];
    if args.pcsc {
        #[cfg(feature = "pcsc")]
        figures.push(
            bench::round_trip_vs_trivial(
                &issued.profile,
                onshi::vpcd::DEFAULT_VPCD.parse().expect("literal"),
                args.rounds,
                1000,
            )
            .map_err(|e| CliError {
                code: Exit::Unreachable,
                message: format!("PC/SC round trip: {e}"),
            })?,
        );
        #[cfg(not(feature = "pcsc"))]
        return Err(CliError::input(
            "--pcsc needs a build with `--features pcsc`",
        ));
    }
    print(&figures, args.json);
    Ok(if figures.iter().all(|f| f.met) {
        Exit::Passed
    } else {
        Exit::Failed
    })
}
