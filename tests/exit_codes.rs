//! One exit-code contract for every command: 0 passed, 1 a check failed, 2 bad input,
//! 3 the system under test unreachable, 130 / 143 stopped by SIGINT / SIGTERM. This
//! table runs each command into each code it can give that is cheap to reach here;
//! the slow ones live beside their subject: `load` 0 and 1 in `tests/load.rs`, the
//! signal codes of every long-running command in `tests/signals.rs`.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::process::Command;

struct Case {
    args: Vec<String>,
    code: i32,
    /// What stderr must say (empty: anything).
    says: &'static str,
}

fn case(args: &[&str], code: i32, says: &'static str) -> Case {
    Case {
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        code,
        says,
    }
}

#[test]
fn every_command_keeps_the_exit_code_contract() {
    let tmp = tempfile::tempdir().unwrap();
    let reports = tmp.path().join("reports");
    let r = reports.to_str().unwrap();
    let export = tmp.path().join("population");
    let e = export.to_str().unwrap();
    let cert = tmp.path().join("auth.der");
    let c = cert.to_str().unwrap();
    let t = tmp.path().to_str().unwrap();
    let key = tmp.path().join("signer.pk8");
    let k = key.to_str().unwrap();
    let pkg = |n: u8| {
        tmp.path()
            .join(format!("pkg{n}"))
            .to_str()
            .unwrap()
            .to_owned()
    };
    let (p0, p1, p2, p3) = (pkg(0), pkg(1), pkg(2), pkg(3));
    let cases = vec![
        // run
        case(&["run", "--tags", "@FAQ-4-20", "--report-dir", r], 0, ""),
        case(
            &[
                "run",
                "--tags",
                "@FAQ-4-20",
                "--defect",
                "accept-my-number",
                "--report-dir",
                r,
            ],
            1,
            "",
        ),
        case(
            &["run", "--tags", "@nonexistent", "--report-dir", r],
            2,
            "no scenario matches",
        ),
        case(&["run", "--as-of", "2026-02-30", "--report-dir", r], 2, ""),
        case(
            &["run", "--backend", "http://127.0.0.1:1", "--report-dir", r],
            3,
            "",
        ),
        // certify
        case(
            &[
                "certify",
                "--tags",
                "@FAQ-4-20",
                "--signing-key",
                k,
                "--out",
                &p0,
            ],
            0,
            "",
        ),
        case(
            &[
                "certify",
                "--tags",
                "@FAQ-4-20",
                "--defect",
                "accept-my-number",
                "--signing-key",
                k,
                "--out",
                &p1,
            ],
            1,
            "",
        ),
        case(
            &[
                "certify",
                "--tags",
                "@FAQ-4-20",
                "--signing-key",
                k,
                "--out",
                &p0,
            ],
            2,
            "not empty",
        ),
        case(
            &[
                "certify",
                "--tags",
                "@nonexistent",
                "--signing-key",
                k,
                "--out",
                &p2,
            ],
            2,
            "no scenario matches",
        ),
        case(
            &["certify", "--signing-key", "/etc/hostname", "--out", &p2],
            2,
            "--signing-key",
        ),
        case(
            &[
                "certify",
                "--reader",
                "http://127.0.0.1:1",
                "--signing-key",
                k,
                "--out",
                &p3,
            ],
            3,
            "",
        ),
        case(&["certify", "verify", &p0], 0, ""),
        case(&["certify", "verify", t], 2, "not a certification package"),
        // load
        case(
            &[
                "load",
                "--scenario",
                "smoke",
                "--size",
                "0",
                "--report-dir",
                r,
            ],
            2,
            "population size",
        ),
        case(&["load", "--scenario", "nope", "--report-dir", r], 2, ""),
        case(
            &[
                "load",
                "--scenario",
                "smoke",
                "--report-dir",
                "/proc/onshi-cannot-write-here",
            ],
            2,
            "",
        ),
        case(
            &[
                "load",
                "--scenario",
                "smoke",
                "--backend",
                "http://127.0.0.1:1",
                "--report-dir",
                r,
            ],
            3,
            "",
        ),
        // serve
        case(&["serve", "--listen", "127.0.0.1:99999"], 2, ""),
        case(&["serve", "--fault", "error-rate=5"], 2, "--fault"),
        case(&["serve", "--header-timeout", "0"], 2, ""),
        case(&["serve", "--max-connections", "0"], 2, ""),
        // cards
        case(&["cards", "list"], 0, ""),
        case(&["cards", "show", "accuracy-hold"], 0, ""),
        case(&["cards", "show", "nobody"], 2, "no persona"),
        case(
            &[
                "cards",
                "export",
                "accuracy-hold",
                "--what",
                "auth-cert",
                "--out",
                c,
            ],
            0,
            "",
        ),
        case(
            &[
                "cards",
                "export",
                "nobody",
                "--what",
                "auth-cert",
                "--out",
                c,
            ],
            2,
            "",
        ),
        case(&["cards", "check", "accuracy-hold"], 0, ""),
        case(&["cards", "check", "nobody"], 2, ""),
        case(&["cards", "serve", "nobody"], 2, ""),
        // population
        case(
            &[
                "population",
                "export",
                "--format",
                "jsonl",
                "--out",
                e,
                "--size",
                "20",
            ],
            0,
            "",
        ),
        case(
            &["population", "export", "--format", "xml", "--out", e],
            2,
            "",
        ),
        // report
        case(&["report", "merge", "--out", e, r], 2, ""),
        case(&["report", "render", "/nonexistent/run"], 2, ""),
    ];
    let mut wrong = Vec::new();
    for Case { args, code, says } in cases {
        let o = Command::new(env!("CARGO_BIN_EXE_onshi"))
            .args(&args)
            .env("ONSHI_LOG", "error")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        if o.status.code() != Some(code) || !stderr.contains(says) {
            wrong.push(format!(
                "onshi {}: exit {:?}, expected {code} saying {says:?}: {}",
                args.join(" "),
                o.status.code(),
                stderr.lines().next().unwrap_or("")
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(
        !reports.exists()
            || std::fs::read_dir(&reports).unwrap().all(|d| {
                let d = d.unwrap().path();
                !d.is_dir() || d.join("summary.json").exists()
            }),
        "no report directory is left behind without a summary"
    );
}
