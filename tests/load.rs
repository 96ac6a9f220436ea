//! `onshi load` end to end: the smoke scenario against the embedded backend and a
//! separately started `onshi serve`, defects counted, a fault-injected backend, three
//! shards merged exactly, bad input (exit 2), an unreachable backend (exit 3), and a
//! snapshot of `summary.md` with the timings redacted.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

#[path = "load/util.rs"]
mod util;

use std::collections::BTreeMap;
use std::process::Command;

use onshi::load::summary::{LatencyStats, Summary};
use util::{Serve, load, onshi, read_summary};

fn assert_exit(out: &std::process::Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn smoke_against_the_embedded_backend_meets_its_slos() {
    let dir = tempfile::tempdir().unwrap();
    let out = load(dir.path(), &["--run-id", "smoke"]);
    assert_exit(&out, 0);
    let run = dir.path().join("smoke");
    let s = read_summary(&run);
    assert!(s.passed, "{:#?}", s.slo);
    assert_eq!(s.counters.total_failures(), 0, "{:#?}", s.samples);
    assert_eq!(s.counters.with_error, 0);
    assert!(s.counters.scheduled > 100, "{}", s.counters.scheduled);
    assert_eq!(s.counters.completed, s.counters.scheduled);
    for k in ["card-face", "card-pin", "numbers", "bulk"] {
        assert!(
            s.counters.by_kind.get(k).copied().unwrap_or(0) > 0,
            "{k}: {:?}",
            s.counters.by_kind
        );
    }
    for f in [
        "summary.json",
        "summary.md",
        "junit.xml",
        "report.html",
        "hdr/shard-0-of-1.hlog",
        "goose-report.html",
        "goose-report.json",
        "goose-report.md",
    ] {
        assert!(run.join(f).is_file(), "{f} missing");
    }
    let junit = std::fs::read_to_string(run.join("junit.xml")).unwrap();
    // One case per SLO and one saying the generator kept up.
    assert_eq!(junit.matches("<testcase ").count(), s.slo.len() + 1);
    assert!(
        junit.contains("the generator kept up (shard 0/1)"),
        "{junit}"
    );
    let g = s.meta.shards[0]
        .generator
        .as_ref()
        .expect("the generator watched itself");
    assert!(!g.saturated, "{g:?}");
    assert!(
        g.cpu_s > 0.0 && g.busy_intervals > 0 && g.with_backend,
        "{g:?}"
    );
    assert!(
        s.series.iter().any(|p| p.generator_cpu_s > 0.0),
        "CPU per interval recorded"
    );
    assert!(!junit.contains("<failure"));
    let html = std::fs::read_to_string(run.join("report.html")).unwrap();
    assert!(html.matches("<svg").count() >= 5, "five charts");
    assert!(!html.contains("<script"), "self-contained");
    let goose = std::fs::read_to_string(run.join("goose-report.md")).unwrap();
    assert!(
        goose.contains("confirm-card") && goose.contains("APDU"),
        "{goose}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("SLOs met"), "{stdout}");
}

#[test]
fn smoke_against_a_separately_started_serve_meets_its_slos() {
    let serve = Serve::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let out = load(dir.path(), &["--run-id", "ext", "--backend", &serve.url]);
    assert_exit(&out, 0);
    let s = read_summary(&dir.path().join("ext"));
    assert!(
        s.passed && s.counters.total_failures() == 0,
        "{:#?}",
        s.samples
    );
    assert_eq!(s.meta.backend, serve.url);
    // The smoke scenario has a bulk share: the run says at the start which face it needs.
    let said = "are sent as XML";
    assert!(String::from_utf8_lossy(&out.stderr).contains(said));
    assert!(s.notes.iter().any(|n| n.contains(said)), "{:?}", s.notes);
}

/// Every member comes many times, often at two readers at once, and registers on the
/// spot while later visits (and visits earlier on the run's clock, still queued) are
/// under way: a correct backend never fails a check — embedded, and a separately
/// started one twice in a row (its registrations persist between the runs).
#[test]
fn repeated_members_never_fail_a_correct_backend() {
    let scenario = util::path("tests/load/repeat.toml");
    let dir = tempfile::tempdir().unwrap();
    let out = load(
        dir.path(),
        &[
            "--scenario",
            &scenario,
            "--run-id",
            "embedded",
            "--fault",
            "latency=fixed:30",
        ],
    );
    assert_exit(&out, 0);
    let s = read_summary(&dir.path().join("embedded"));
    assert!(
        s.counters.registrations > 0,
        "registrations on the spot happen"
    );
    assert_eq!(s.counters.total_failures(), 0, "{:#?}", s.samples);
    let serve = Serve::start(&["--size", "40", "--fault", "latency=fixed:30"]);
    for run in ["external-1", "external-2"] {
        let out = load(
            dir.path(),
            &[
                "--scenario",
                &scenario,
                "--run-id",
                run,
                "--backend",
                &serve.url,
            ],
        );
        assert_exit(&out, 0);
        let s = read_summary(&dir.path().join(run));
        assert_eq!(s.counters.total_failures(), 0, "{run}: {:#?}", s.samples);
    }
}

#[test]
fn defects_fail_the_run_with_their_failures_counted() {
    for (defect, kind) in [
        ("wrong-person", "wrong-person"),
        ("missing-ratio", "missing-ratio"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = load(dir.path(), &["--run-id", "d", "--defect", defect]);
        assert_exit(&out, 1);
        let s = read_summary(&dir.path().join("d"));
        assert!(!s.passed);
        let n = s.counters.failures.get(kind).copied().unwrap_or(0);
        assert!(n > 0, "{defect}: {:?}", s.counters.failures);
        assert!(
            s.samples.iter().any(|x| x.kind.name() == kind),
            "evidence kept"
        );
        let junit = std::fs::read_to_string(dir.path().join("d/junit.xml")).unwrap();
        assert!(junit.contains("<failure"), "{junit}");
        if defect == "wrong-person" {
            assert!(
                s.slo.iter().any(|r| r.name == "wrong-person" && !r.passed),
                "{:#?}",
                s.slo
            );
        }
    }
}

/// A separately started backend that answers with another person's record is a
/// wrong-person failure (exit 1, counted, evidence kept), not a provisioning problem.
#[test]
fn an_external_backend_answering_for_another_person_fails_the_run() {
    let serve = Serve::start(&["--defect", "wrong-person"]);
    let dir = tempfile::tempdir().unwrap();
    let out = load(dir.path(), &["--run-id", "w", "--backend", &serve.url]);
    assert_exit(&out, 1);
    let s = read_summary(&dir.path().join("w"));
    let n = s
        .counters
        .failures
        .get("wrong-person")
        .copied()
        .unwrap_or(0);
    assert!(n > 0, "{:?}", s.counters.failures);
    assert!(s.samples.iter().any(|x| x.kind.name() == "wrong-person"));
}

#[test]
fn a_fault_injected_backend_completes_and_shows_the_damage() {
    let dir = tempfile::tempdir().unwrap();
    let out = load(
        dir.path(),
        &[
            "--run-id",
            "f",
            "--scenario",
            util::path("tests/load/faults.toml").as_str(),
        ],
    );
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = read_summary(&dir.path().join("f"));
    let c = &s.counters;
    assert_eq!(c.completed, c.scheduled, "every job finished");
    assert!(
        c.request_errors
            .get("unavailable-503")
            .copied()
            .unwrap_or(0)
            > 0,
        "{c:?}"
    );
    assert!(c.retries > 0);
    assert_eq!(c.failures_of(onshi::load::metrics::FailureKind::TenWari), 0);
    let visit = s.latency["response.visit"];
    assert!(
        visit.max_ms > 1000.0,
        "the outage shows in the latency: {visit:?}"
    );
    let md = std::fs::read_to_string(dir.path().join("f/summary.md")).unwrap();
    assert!(md.contains("unavailable-503"), "{md}");
    assert!(s.series.len() >= 8, "a time series");
}

#[test]
fn three_shards_merge_exactly() {
    let serve = Serve::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let children: Vec<_> = (0..3)
        .map(|i| {
            onshi()
                .args([
                    "load",
                    "--scenario",
                    util::path("scenarios/smoke.toml").as_str(),
                    "--backend",
                    &serve.url,
                    "--shard",
                    &format!("{i}/3"),
                    "--run-id",
                    &format!("s{i}"),
                    "--no-goose-report",
                    "--report-dir",
                ])
                .arg(dir.path())
                .output()
                .unwrap()
        })
        .collect();
    for c in &children {
        assert_exit(c, 0);
    }
    let parts: Vec<Summary> = (0..3)
        .map(|i| read_summary(&dir.path().join(format!("s{i}"))))
        .collect();
    let merged_dir = dir.path().join("merged");
    let out = onshi()
        .args(["report", "merge"])
        .args((0..3).map(|i| dir.path().join(format!("s{i}"))))
        .arg("--out")
        .arg(&merged_dir)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let m = read_summary(&merged_dir);
    // Counts add exactly.
    let sum = |f: fn(&Summary) -> u64| parts.iter().map(f).sum::<u64>();
    assert_eq!(m.counters.scheduled, sum(|s| s.counters.scheduled));
    assert_eq!(m.counters.completed, sum(|s| s.counters.completed));
    assert_eq!(m.counters.bulk_units, sum(|s| s.counters.bulk_units));
    for (name, n) in &m.counters.requests {
        let parts_n: u64 = parts
            .iter()
            .map(|s| s.counters.requests.get(name).copied().unwrap_or(0))
            .sum();
        assert_eq!(*n, parts_n, "{name}");
    }
    let mut by_kind = BTreeMap::<String, u64>::new();
    for p in &parts {
        for (k, v) in &p.counters.by_kind {
            *by_kind.entry(k.clone()).or_default() += v;
        }
    }
    assert_eq!(m.counters.by_kind, by_kind);
    assert_eq!(m.meta.shards.len(), 3);
    // Shards are disjoint: their facilities and members.
    let slices: Vec<(u64, u64)> = parts.iter().map(|s| s.meta.shards[0].members).collect();
    assert!(
        slices[0].1 <= slices[1].0 && slices[1].1 <= slices[2].0,
        "{slices:?}"
    );
    // Percentiles come from the merged histograms: the same as adding every shard's
    // interval log directly.
    for tag in ["response.visit", "service.card", "request.confirm-card"] {
        let direct = util::direct_merge(
            &(0..3)
                .map(|i| dir.path().join(format!("s{i}/hdr/shard-{i}-of-3.hlog")))
                .collect::<Vec<_>>(),
            tag,
        );
        let got = m.latency[tag];
        assert_eq!(got.count, direct.len(), "{tag}");
        assert_eq!(
            got.count,
            parts.iter().map(|s| s.latency[tag].count).sum::<u64>()
        );
        assert_eq!(
            got.p99_ms,
            direct.value_at_quantile(0.99) as f64 / 1000.0,
            "{tag}"
        );
        assert_eq!(
            got.p50_ms,
            direct.value_at_quantile(0.50) as f64 / 1000.0,
            "{tag}"
        );
        assert_eq!(got.max_ms, direct.max() as f64 / 1000.0, "{tag}");
    }
    // The merged directory is itself complete and can be rendered again.
    for f in [
        "summary.md",
        "junit.xml",
        "report.html",
        "hdr/shard-2-of-3.hlog",
    ] {
        assert!(merged_dir.join(f).is_file(), "{f}");
    }
    assert_exit(
        &onshi()
            .args(["report", "render"])
            .arg(&merged_dir)
            .output()
            .unwrap(),
        0,
    );
    // The same shard twice, or an output that is one of the inputs, is bad input and
    // changes nothing.
    let before = std::fs::read(dir.path().join("s0/summary.json")).unwrap();
    let merge = |inputs: [&str; 2], out: &str| {
        onshi()
            .args(["report", "merge"])
            .args(inputs.map(|i| dir.path().join(i)))
            .arg("--out")
            .arg(dir.path().join(out))
            .output()
            .unwrap()
    };
    let twice = merge(["s0", "s0"], "twice");
    assert_exit(&twice, 2);
    assert!(String::from_utf8_lossy(&twice.stderr).contains("given twice"));
    let over = merge(["s0", "s1"], "s0");
    assert_exit(&over, 2);
    assert!(String::from_utf8_lossy(&over.stderr).contains("one of the inputs"));
    assert_eq!(
        std::fs::read(dir.path().join("s0/summary.json")).unwrap(),
        before
    );
}

#[test]
fn a_run_directory_is_never_reused() {
    let dir = tempfile::tempdir().unwrap();
    // A chosen id whose directory exists is refused.
    std::fs::create_dir(dir.path().join("taken")).unwrap();
    let out = load(dir.path(), &["--run-id", "taken", "--no-goose-report"]);
    assert_exit(&out, 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("taken: already exists"), "{err}");
    assert_eq!(
        std::fs::read_dir(dir.path().join("taken")).unwrap().count(),
        0
    );
    // A generated id that is taken (a run in the same second, same seed) gets `-2`.
    let now = chrono::Local::now().naive_local();
    for s in 0..120 {
        let t = now + chrono::Duration::seconds(s);
        let id = format!("load-{}-s4242", t.format("%Y%m%d-%H%M%S"));
        std::fs::create_dir_all(dir.path().join(id)).unwrap();
    }
    let out = load(
        dir.path(),
        &[
            "--arrival-seed",
            "4242",
            "--no-goose-report",
            "--scale",
            "0.3",
        ],
    );
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.join("summary.json").is_file())
        .expect("a run directory with a summary");
    let name = run.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("load-") && name.ends_with("-s4242-2"),
        "{name}"
    );
    let s = read_summary(&run);
    assert_eq!(s.meta.run_id, name);
    assert_eq!(s.meta.shards[0].run_id, name);
    assert!(run.join("hdr/shard-0-of-1.hlog").is_file());
    let junit = std::fs::read_to_string(run.join("junit.xml")).unwrap();
    assert!(junit.contains(&format!("value=\"{name}\"")), "{junit}");
}

/// `onshi load --scenario FILE`, which must exit 2; its stderr.
fn refused_scenario(scenario: &std::path::Path) -> String {
    let out = onshi()
        .args(["load", "--scenario"])
        .arg(scenario)
        .output()
        .unwrap();
    assert_exit(&out, 2);
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_bad_scenario_is_exit_2_with_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    let text = std::fs::read_to_string(util::path("scenarios/smoke.toml"))
        .unwrap()
        .replace("card_share = 0.36", "card_share = 3.6");
    std::fs::write(&bad, text).unwrap();
    let err = refused_scenario(&bad);
    assert!(
        err.contains("bad.toml:")
            && err.contains("field `facility[1].card_share`: 3.6 is not a share"),
        "{err}"
    );
    refused_scenario(std::path::Path::new("no-such"));
    // Values a scenario controls are bounded at parse time, with file, line and field.
    let smoke = std::fs::read_to_string(util::path("scenarios/smoke.toml")).unwrap();
    for (from, to, field) in [
        (
            "compression = 240 ",
            "compression = 1e-9 ",
            "window.compression",
        ),
        (
            "count = 1\nreaders = 3",
            "count = 4294967295\nreaders = 3",
            "facility[0].count",
        ),
        ("patients = 50", "patients = 1e12", "facility[0].patients"),
        (
            "drain_s = 20",
            "drain_s = 9223372036854775807",
            "run.drain_s",
        ),
    ] {
        assert!(smoke.contains(from), "{from}");
        std::fs::write(&bad, smoke.replace(from, to)).unwrap();
        let err = refused_scenario(&bad);
        assert!(err.contains(&format!("field `{field}`")), "{field}: {err}");
    }
    // Each value in range, but too many jobs together for one process.
    std::fs::write(
        &bad,
        smoke
            .replace("count = 1\nreaders = 3", "count = 300000\nreaders = 3")
            .replace("patients = 50", "patients = 100000"),
    )
    .unwrap();
    let reports = tempfile::tempdir().unwrap();
    let out = onshi()
        .args(["load", "--no-progress", "--scenario"])
        .arg(&bad)
        .arg("--report-dir")
        .arg(reports.path())
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("jobs in this process"));
    // Options out of range are bad input too, and leave no run directory behind.
    let reports = tempfile::tempdir().unwrap();
    for args in [
        &["--size", "0"][..],
        &["--backend", "http://127.0.0.1:99999"][..],
        &["--scale", "1e9"][..],
    ] {
        let out = load(reports.path(), args);
        assert_exit(&out, 2);
    }
    assert_eq!(std::fs::read_dir(reports.path()).unwrap().count(), 0);
}

#[test]
fn an_unreachable_backend_is_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let out = load(dir.path(), &["--backend", "http://127.0.0.1:9"]);
    assert_exit(&out, 3);
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not answer"));
}

#[test]
fn an_unprovisioned_backend_is_exit_3_with_how_to_provision() {
    let serve = Serve::start(&["--seed", "5"]);
    let dir = tempfile::tempdir().unwrap();
    let out = load(dir.path(), &["--backend", &serve.url]);
    assert_exit(&out, 3);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("onshi population export"), "{err}");
}

#[test]
fn summary_markdown_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let out = load(dir.path(), &["--run-id", "snap", "--no-goose-report"]);
    assert_exit(&out, 0);
    let mut s = read_summary(&dir.path().join("snap"));
    // Redact what depends on the machine: times, durations, latencies, the series.
    s.meta.run_id = "[run-id]".into();
    s.meta.started_at = "[started]".into();
    s.meta.duration_s = 0.0;
    s.meta.scenario.source = "[scenario]".into();
    s.meta.shards[0].run_id = "[run-id]".into();
    if let Some(g) = s.meta.shards[0].generator.as_mut() {
        assert!(!g.saturated, "{g:?}");
        (g.cores, g.cpu_s, g.cpu_per_visit_us) = (2, 1.0, 500.0);
        (g.busy_cpu, g.peak_cpu, g.lateness_p99_ms) = (0.25, 0.5, 2.0);
    }
    for l in s.latency.values_mut() {
        *l = LatencyStats {
            count: l.count,
            ..LatencyStats::of(&onshi::load::hlog::histogram())
        };
    }
    for r in &mut s.slo {
        if r.name.starts_with("latency.") {
            r.actual = "[latency]".into();
        }
    }
    s.series.clear();
    let mut md = Vec::new();
    onshi::load::render::markdown(&s, &mut md).unwrap();
    insta::assert_snapshot!("smoke_summary_md", String::from_utf8(md).unwrap());
}

/// A generator that cannot keep up — pinned to one CPU with the embedded backend
/// beside it, 4,000 arrivals a second — says so: the progress of its own CPU and
/// lateness is in the report, the SLO verdicts are marked unreliable, JUnit fails "the
/// generator kept up", and the exit code is 4, not a verdict on the backend.
#[test]
fn a_saturated_generator_marks_the_run_unreliable() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = util::path("tests/load/overload.toml");
    let mut c = Command::new("taskset");
    c.args(["--cpu-list", "0", env!("CARGO_BIN_EXE_onshi")])
        .env_remove("ONSHI_SHARD")
        .env("ONSHI_LOG", "warn")
        .args([
            "load",
            "--no-progress",
            "--no-goose-report",
            "--run-id",
            "over",
        ])
        .args(["--scenario", &scenario, "--report-dir"])
        .arg(dir.path());
    let out = c.output().expect("taskset runs onshi");
    assert_exit(&out, 4);
    let s = read_summary(&dir.path().join("over"));
    assert_eq!(s.counters.total_failures(), 0, "{:#?}", s.samples);
    let g = s.meta.shards[0].generator.as_ref().unwrap();
    assert!(g.saturated && !g.reasons.is_empty(), "{g:?}");
    assert_eq!(g.cores, 1, "pinned to one CPU");
    assert!(!s.measured());
    assert_eq!(s.outcome(), onshi::load::summary::Outcome::Unreliable);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("UNRELIABLE"), "{stdout}");
    let junit = std::fs::read_to_string(dir.path().join("over/junit.xml")).unwrap();
    assert!(
        junit.contains("the generator kept up (shard 0/1)") && junit.contains("bottleneck"),
        "{junit}"
    );
    let html = std::fs::read_to_string(dir.path().join("over/report.html")).unwrap();
    assert!(html.contains("Unreliable"), "the page warns first");
    assert!(html.contains("Generator CPU per interval"));
    // Read back, the report keeps its verdict.
    let out = util::onshi()
        .args(["report", "render"])
        .arg(dir.path().join("over"))
        .output()
        .unwrap();
    assert_exit(&out, 4);
}

/// The benchmark's split mode and shards curve run end to end, small: the generator's
/// and raw Goose's CPU per visit are measured with the backend in its own process, and
/// every shards merge adds up to its parts (the benchmark exits 1 on a difference).
#[test]
fn bench_load_split_and_shards_measure_and_merge_exactly() {
    let small = [
        "--visits", "300", "--lanes", "6", "--size", "2000", "--json",
    ];
    let out = onshi()
        .args(["bench", "load", "--split", "--rounds", "1", "--rate", "0"])
        .args(small)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let figures = v["figures"].as_array().unwrap();
    let cost = figures
        .iter()
        .find(|f| {
            f["name"]
                .as_str()
                .unwrap()
                .starts_with("split: generator CPU per full visit")
        })
        .expect("the split figure");
    assert!(cost["value"].as_f64().unwrap() > 0.0, "{cost}");
    assert!(cost["baseline"].as_f64().unwrap() > 0.0, "{cost}");
    let backend = figures
        .iter()
        .find(|f| {
            f["name"]
                .as_str()
                .unwrap()
                .starts_with("split: backend process CPU")
        })
        .expect("the backend's own cost");
    assert!(backend["value"].as_f64().unwrap() > 0.0, "{backend}");

    let out = onshi()
        .args(["bench", "load", "--shards", "1,2"])
        .args(small)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let merges: Vec<_> = v["figures"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["unit"] == "differences")
        .collect();
    assert_eq!(merges.len(), 2, "{v}");
    assert!(
        merges.iter().all(|f| f["value"] == 0.0 && f["met"] == true),
        "{v}"
    );
    let out = onshi()
        .args(["bench", "load", "--shards", "0"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
}
