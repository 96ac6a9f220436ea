//! The coordinator of a run: waits for t0, rotates the interval histograms, draws
//! the progress line, feeds the dashboard and ends the run.

use std::sync::Arc;
use std::time::{Duration, Instant};

use onshi_support::stop::Stop;

use super::super::generator::{saturated_now, usable_cores};
use super::feed::Feed;
use super::{Shared, process_cpu, until_stopped};

/// Waits for every lane to be up (60 s at the most) and returns t0.
async fn wait_for_t0(shared: &Shared, stop: &Stop) -> Instant {
    let launched = Instant::now();
    let mut t0_rx = shared.t0_tx.subscribe();
    // Every lane should be up within seconds; start the clock anyway after 60 s.
    let t0 = tokio::select! {
        v = t0_rx.wait_for(Option::is_some) => v.ok().and_then(|v| *v),
        () = tokio::time::sleep(Duration::from_secs(60)) => None,
        () = async { until_stopped(shared).await } => None,
        _ = stop.until_requested() => {
            shared.stop();
            None
        }
    };
    match t0 {
        Some(t) => t,
        None => {
            shared.start_clock();
            shared.t0().unwrap_or(launched)
        }
    }
}

/// The progress line over `jobs`.
fn progress_bar(jobs: u64) -> indicatif::ProgressBar {
    let b = indicatif::ProgressBar::new(jobs);
    b.set_style(
        indicatif::ProgressStyle::with_template("{elapsed:>4} [{bar:30}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    b
}

/// The coordinator: waits for t0, rotates intervals, draws progress, publishes the
/// dashboard's frames, ends the run; sends t0 and the process CPU time of the schedule.
pub(super) async fn coordinate(
    shared: Arc<Shared>,
    signal: Stop,
    progress: bool,
    mut feed: Option<Feed>,
    t0_out_tx: tokio::sync::oneshot::Sender<Instant>,
    cpu_tx: tokio::sync::oneshot::Sender<Duration>,
) {
    let t0 = wait_for_t0(&shared, &signal).await;
    let recorder = Arc::clone(&shared.recorder);
    recorder.set_t0(t0);
    let _ = t0_out_tx.send(t0);
    let bar = progress.then(|| progress_bar(shared.jobs));
    tokio::time::sleep_until(t0.into()).await;
    let cpu0 = process_cpu();
    recorder.mark_cpu(cpu0);
    let cores = usable_cores();
    let mut cpu_share = 0.0;
    let (interval, lanes) = (shared.prepared.interval, shared.lanes);
    let deadline = t0 + shared.prepared.window + shared.prepared.drain;
    let mut next = t0 + interval;
    loop {
        let mut stop = shared.stop_tx.subscribe();
        tokio::select! {
            () = tokio::time::sleep_until(Feed::wake(feed.as_ref(), next).into()) => {}
            _ = stop.wait_for(|s| *s) => {}
            _ = signal.until_requested() => shared.stop(),
        }
        let now = Instant::now();
        if now >= deadline {
            shared.stop();
        }
        if now >= next {
            let cpu = process_cpu();
            let last = recorder.rotate_measured(now, Some(cpu));
            if let Some((wall, used)) = last {
                cpu_share = used.as_secs_f64() / (wall.as_secs_f64() * f64::from(cores)).max(1e-9);
            }
            next += interval;
        }
        if let Some(f) = &mut feed {
            f.publish(&recorder, t0, now, cpu_share, signal.requested().is_some());
        }
        if let Some(b) = &bar {
            let l = recorder.live();
            b.set_position(l.completed);
            let behind = saturated_now(cpu_share, l.lateness_p99_ms);
            b.set_message(format!(
                "users {lanes} · {:.0} jobs/s · p99 {:.1} ms · failures {} · errors {} · generator CPU {:.0} %, late p99 {:.0} ms{}",
                l.rate,
                l.p99_ms,
                l.failures,
                l.errors,
                cpu_share * 100.0,
                l.lateness_p99_ms,
                if behind { " · GENERATOR SATURATED" } else { "" }
            ));
        }
        if shared.stopped() {
            break;
        }
    }
    let _ = cpu_tx.send(process_cpu().saturating_sub(cpu0));
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    goose::trigger_killswitch("onshi: schedule done");
}
