//! Entry point of the fuzz target `scenario` (`fuzz/`), also run over the committed
//! corpus by `tests/fuzz_corpus.rs`. It takes arbitrary bytes and panics only when it
//! finds a bug.

use std::path::Path;

use crate::load::arrivals::{Curve, arrival_times, facility_rng};
use crate::load::scenario::{MAX_JOBS, Scenario};
use crate::load::setup::window_start;
use onshi_backend::server::FaultInjector;
use onshi_support::tomlsrc::TomlSource;
use onshi_world::defaults::default_as_of;

/// `scenario`: `data` is a load scenario file (`scenarios/*.toml`, read lossily as
/// UTF-8). A file that validates gives a window whose real length, arrival curve and
/// arrival times are what a run uses: finite, inside the window, sorted; and its
/// faults decide without panicking.
pub fn scenario(data: &[u8]) {
    let text = String::from_utf8_lossy(data).into_owned();
    let src = TomlSource::from_text(Path::new("scenarios/fuzz.toml"), text);
    let mut s = match Scenario::from_source(&src) {
        Ok(s) => s,
        Err(errors) => {
            assert!(!errors.is_empty(), "a refused file without an error");
            for e in errors {
                std::hint::black_box(e.to_string());
            }
            return;
        }
    };
    let w = &s.window;
    let len = w.sim_seconds();
    assert!(len > 0.0, "an empty window: {w:?}");
    std::hint::black_box(w.real_duration());
    std::hint::black_box(window_start(&s, default_as_of()));
    let curve = Curve::new(w);
    for i in 0..=8 {
        let u = f64::from(i) / 8.0;
        let x = curve.inverse(u);
        assert!(
            x.is_finite() && (0.0..=len).contains(&x),
            "inverse({u}) = {x} outside the window of {len} s"
        );
        let c = curve.cdf(x);
        assert!((0.0..=1.0).contains(&c), "cdf({x}) = {c}");
        let d = curve.density(x);
        assert!(d.is_finite() && d >= 0.0, "density({x}) = {d}");
    }
    for (id, f) in s.facilities.iter().enumerate() {
        // The mean is the file's; the draw is capped to keep one input fast.
        let mean = (f.patients * w.monday_factor).min(64.0);
        let mut rng = facility_rng(1, id as u64, 0);
        let times = arrival_times(w, &curve, mean, &mut rng);
        assert!(
            times.is_sorted_by(|a, b| a <= b),
            "arrival times out of order"
        );
        for t in &times {
            assert!(
                t.is_finite() && (0.0..=len).contains(t),
                "an arrival at {t} outside the window of {len} s"
            );
        }
    }
    std::hint::black_box(s.lanes());
    let jobs = s.expected_jobs();
    assert!(jobs.is_finite() && jobs >= 0.0, "expected jobs {jobs}");
    if let Some(faults) = &s.faults {
        let injector = FaultInjector::new(faults.backend.clone());
        for _ in 0..4 {
            std::hint::black_box(injector.decide(default_as_of()));
            std::hint::black_box(injector.reset_connection());
        }
        std::hint::black_box(injector.folder_delay());
    }
    // `--scale` up to its largest value keeps at least one facility per group and
    // never overflows; the job bound is checked where it is used.
    s.scale(1_000.0);
    assert!(s.facilities.iter().all(|f| f.count >= 1));
    std::hint::black_box(s.expected_jobs() <= MAX_JOBS);
    if let Err(e) = serde_json::to_string(&s) {
        panic!("the scenario cannot be written as JSON: {e}");
    }
}
