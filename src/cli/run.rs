//! `onshi run`: the main job on the embedded defaults.
//!
//! Lists the personas and runs a full in-process card session for each, checking that
//! every card behaves as its persona says (PIN locked → no VERIFY sent, PIN-less → no
//! signature, tampered → nothing readable).

use clap::Args;

use onshi::card::VirtualCard;
use onshi::cardcheck::{self, StepOutcome};
use onshi::channel::InProcessChannel;

use super::common::{CliError, Exit, WorldArgs};

/// `onshi run` options.
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    world: WorldArgs,
}

pub fn run(args: RunArgs) -> Result<Exit, CliError> {
    let set = args.world.personas()?;
    let factory = args.world.factory()?;
    factory
        .prepare(set.iter())
        .map_err(|e| CliError::failed(e.to_string()))?;
    let as_of = args.world.as_of();
    println!(
        "onshi: {} personas, as of {as_of}, seed {}",
        set.len(),
        args.world.seed
    );
    let mut failures = 0;
    for p in set.iter() {
        let r = p.resolve(as_of, args.world.seed);
        let issued = factory
            .issue(&r)
            .map_err(|e| CliError::failed(e.to_string()))?;
        let mut ch = InProcessChannel::new(VirtualCard::new(&issued.profile));
        let report = cardcheck::run(&r.id, &mut ch, r.card.auth_pin.as_deref(), &r.card.match_b);
        let trace = ch.trace();
        let expected_ok = r.card.tampered.is_none();
        let sig_ok = matches!(report.signature, StepOutcome::Ok(_));
        let expect_sig = expected_ok && !r.card.pinless && !r.card.auth_pin_locked();
        let verdict = if !expected_ok {
            report.error.is_some() && report.auth_cert_len.is_none()
        } else {
            report.error.is_none()
                && sig_ok == expect_sig
                && matches!(report.face_photo, StepOutcome::Ok(_))
        } && !trace.my_number_read()
            && !trace.match_a_used()
            && trace.verifies_after_lock(onshi::card::PinId::AuthPin, r.card.locked_status) == 0;
        if !verdict {
            failures += 1;
        }
        let sig = match &report.signature {
            StepOutcome::Ok(_) => "signed".to_owned(),
            StepOutcome::Refused(s) | StepOutcome::Skipped(s) => s.clone(),
        };
        println!(
            "{} {:<32} {:>4} APDUs  cert {:>5}  {}{}",
            if verdict { "PASS" } else { "FAIL" },
            r.id,
            trace.entries.len(),
            report.auth_cert_len.map_or("-".into(), |n| n.to_string()),
            sig,
            report.error.map(|e| format!("  ({e})")).unwrap_or_default()
        );
    }
    println!(
        "{} of {} card sessions as expected",
        set.len() - failures,
        set.len()
    );
    Ok(if failures == 0 {
        Exit::Passed
    } else {
        Exit::Failed
    })
}
