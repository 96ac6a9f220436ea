use super::*;

fn parse(text: &str) -> Result<Scenario, Vec<InputError>> {
    Scenario::from_source(&TomlSource::from_text(Path::new("s.toml"), text.to_owned()))
}

const GOOD: &str = r#"
[window]
start = "08:00"
end = "12:00"
open = "08:30"
queue_at_open = 0.1
compression = 60
curve = [{ at = "08:00", rate = 0.2 }, { at = "08:30", rate = 3 }, { at = "12:00", rate = 0.5 }]

[[facility]]
kind = "hospital"
count = 2
readers = 3
patients = 100
card_share = 0.57
bulk_share = 0.3

[slo]
error_rate = 0.01
[[slo.latency]]
transaction = "card"
percentile = 99
max_ms = 500
"#;

#[test]
fn a_good_file_parses_with_defaults() {
    let s = parse(GOOD).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(s.name, "s");
    assert_eq!(s.window.curve.len(), 3);
    assert_eq!(s.window.curve[1].at_s, 1800.0);
    assert_eq!(s.window.monday_factor, 1.0);
    assert_eq!(s.window.bulk_at, s.window.start);
    assert_eq!(s.lanes(), 6);
    assert_eq!(s.patients.auth.face, 0.8);
    assert_eq!(s.retry.max_attempts, 3);
    assert_eq!(s.slo.latency[0].measure, Measure::Response);
    assert!(s.faults.is_none());
    let mut scaled = s.clone();
    scaled.scale(2.5);
    assert_eq!(scaled.facilities[0].count, 5);
}

fn errors(text: &str) -> Vec<String> {
    parse(text)
        .expect_err("the file is invalid")
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn errors_name_file_line_and_field() {
    let bad = GOOD
        .replace("readers = 3", "readers = 4")
        .replace("card_share = 0.57", "card_share = 1.5")
        .replace("transaction = \"card\"", "transaction = \"cards\"");
    let e = errors(&bad);
    assert_eq!(e.len(), 3, "{e:#?}");
    assert!(
        e[0].starts_with("s.toml:13: field `facility[0].readers`: a hospital has 1 to 3"),
        "{e:#?}"
    );
    assert!(
        e[1].starts_with("s.toml:15: field `facility[0].card_share`: 1.5 is not a share"),
        "{e:#?}"
    );
    assert!(
        e[2].starts_with(
            "s.toml:21: field `slo.latency[0].transaction`: unknown transaction \"cards\""
        ),
        "{e:#?}"
    );
}

#[test]
fn window_and_curve_are_checked() {
    let e = errors(&GOOD.replace("end = \"12:00\"", "end = \"07:00\""));
    assert!(
        e.iter().any(|m| m.contains("`window.end`: must be after")),
        "{e:#?}"
    );
    let e = errors(&GOOD.replace(
        "{ at = \"08:30\", rate = 3 }",
        "{ at = \"13:30\", rate = 3 }",
    ));
    assert!(
        e.iter()
            .any(|m| m.starts_with("s.toml:8: field `window.curve[1]`: 13:30 is outside")),
        "{e:#?}"
    );
    let e = errors(&GOOD.replace("start = \"08:00\"", "start = \"8 o'clock\""));
    assert!(
        e[0].contains("`window.start`: \"8 o'clock\" is not a time of day"),
        "{e:#?}"
    );
}

#[test]
fn syntax_type_and_unknown_fields_have_lines() {
    let e = errors(&GOOD.replace("count = 2", "count = \"two\""));
    assert!(e[0].starts_with("s.toml:12"), "{e:#?}");
    let e = errors(&GOOD.replace("[slo]", "[slo]\nten_war = 0"));
    assert!(e[0].contains("ten_war"), "{e:#?}");
    let e = errors(&GOOD.replace(
        "[[facility]]\nkind = \"hospital\"",
        "[[facility]]\nkind = \"spa\"",
    ));
    assert!(
        e[0].contains("spa") && e[0].starts_with("s.toml:11"),
        "{e:#?}"
    );
}

#[test]
fn patients_faults_and_slos_are_checked() {
    let text = format!(
        "{GOOD}\n[patients]\nauth = {{ face = 0.5, pin = 0.2 }}\nstates = {{ standard = 1, sleepy = 2 }}\n\n[faults]\nlatency = \"gauss:3\"\noutage = \"30s..20s\"\n"
    );
    let e = errors(&text);
    assert!(
        e.iter()
            .any(|m| m.contains("`patients.auth`: shares add up to 0.7")),
        "{e:#?}"
    );
    assert!(
        e.iter()
            .any(|m| m.contains("`patients.states.sleepy`: unknown state")),
        "{e:#?}"
    );
    assert!(e.iter().any(|m| m.contains("`faults.latency`")), "{e:#?}");
    assert!(
        e.iter()
            .any(|m| m.contains("`faults.outage`: \"30s..20s\": TO must be after FROM")),
        "{e:#?}"
    );
}

#[test]
fn every_shipped_scenario_is_valid() {
    assert!(onshi_world::defaults::SCENARIOS.len() >= 4);
    for (path, _) in onshi_world::defaults::SCENARIOS {
        let s = Scenario::embedded(path)
            .expect("embedded")
            .unwrap_or_else(|e| panic!("{path}: {e:#?}"));
        assert!(!s.slo.latency.is_empty(), "{path}");
        assert!(s.slo.ten_wari == 0 && s.slo.wrong_person == 0, "{path}");
    }
    assert!(Scenario::embedded("smoke").is_some());
    assert!(Scenario::embedded("scenarios/monday-morning.toml").is_some());
    assert!(Scenario::embedded("nope").is_none());
}
