//! Reading the cast from the features: which persona templates each scenario names
//! (`前提 患者は "…" である`, in the scenario or its 背景) and, when the feature's 背景
//! fixes `照会日時`, the date its scenarios are about; keyed as cucumber keys the
//! running scenario — file name and line, an outline's example row at its own line —
//! so the world finds its instances by the same key.

use cucumber::feature::Ext as _;
use cucumber::gherkin::{Feature, GherkinEnv, Scenario, Step};

use onshi_world::persona::{Cast, SceneKey};

/// The step that names the patient, as the steps define it (`前提 患者は "…" である`).
const PATIENT_PREFIX: &str = "患者は \"";
const PATIENT_SUFFIX: &str = "\" である";

/// The persona a step names, if it is the patient step.
pub fn patient_of(step_text: &str) -> Option<&str> {
    let id = step_text
        .strip_prefix(PATIENT_PREFIX)?
        .strip_suffix(PATIENT_SUFFIX)?;
    (!id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'))
    .then_some(id)
}

/// Adds the scenarios of one feature text (`name` is the file name) to `cast`.
/// A text that does not parse adds nothing: the run reports it as a parse error.
pub fn add_feature(cast: &mut Cast, name: &str, text: &str) {
    let Ok(feature) = Feature::parse(text, GherkinEnv::default()) else {
        return;
    };
    let Ok(feature) = feature.expand_examples() else {
        return;
    };
    let background: Vec<&Step> = feature
        .background
        .iter()
        .flat_map(|b| b.steps.iter())
        .collect();
    let plain = feature.scenarios.iter().map(|s| (s, Vec::new()));
    let ruled = feature.rules.iter().flat_map(|r| {
        let rule_bg: Vec<&Step> = r.background.iter().flat_map(|b| b.steps.iter()).collect();
        r.scenarios.iter().map(move |s| (s, rule_bg.clone()))
    });
    let anchor = background.iter().find_map(|s| visit_time_of(&s.value));
    for (scenario, rule_bg) in plain.chain(ruled) {
        if let Some(at) = anchor {
            cast.anchor(SceneKey::new(name, scenario.position.line), at);
        }
        let steps = background.iter().chain(&rule_bg).copied();
        add_scenario(cast, name, scenario, steps);
    }
}

/// The time a `照会日時は … である` step fixes (the calendar step's own parser).
fn visit_time_of(step_text: &str) -> Option<chrono::NaiveDateTime> {
    let text = step_text
        .strip_prefix("照会日時は ")?
        .strip_suffix(" である")?;
    onshi_world::defaults::parse_as_of(text).ok()
}

fn add_scenario<'a>(
    cast: &mut Cast,
    name: &str,
    scenario: &'a Scenario,
    background: impl Iterator<Item = &'a Step>,
) {
    let key = SceneKey::new(name, scenario.position.line);
    for step in background.chain(&scenario.steps) {
        if let Some(id) = patient_of(&step.value) {
            cast.add(key.clone(), id);
        }
    }
}

/// The cast of the features of `source`.
pub fn of_source(
    source: &super::run::FeatureSource,
    generations: u32,
) -> Result<Cast, onshi_support::failure::Failure> {
    use onshi_support::failure::Failure;
    let texts = super::run::feature_texts(source).map_err(|e| Failure::BadInput(e.to_string()))?;
    of_features(
        texts.iter().map(|(n, t)| (n.as_str(), t.as_str())),
        generations,
    )
    .map_err(|e| Failure::BadInput(e.to_string()))
}

/// The cast of the features `(file name, text)`.
pub fn of_features<'a>(
    features: impl IntoIterator<Item = (&'a str, &'a str)>,
    generations: u32,
) -> Result<Cast, onshi_world::persona::CastError> {
    let mut cast = Cast::with_generations(generations)?;
    for (name, text) in features {
        add_feature(&mut cast, name, text);
    }
    Ok(cast)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_patient_step_is_recognised_exactly() {
        assert_eq!(patient_of("患者は \"pinless\" である"), Some("pinless"));
        assert_eq!(patient_of("患者は \"<患者>\" である"), None);
        assert_eq!(patient_of("患者は \"\" である"), None);
        assert_eq!(patient_of("患者は \"pinless\" であった"), None);
    }

    #[test]
    fn scenarios_backgrounds_and_outline_rows_are_cast_at_cucumbers_lines() {
        let text = "# language: ja\n機能: x\n  背景:\n    前提 患者は \"standard-adult\" である\n\n  シナリオ: a\n    前提 患者は \"pinless\" である\n\n  シナリオアウトライン: b\n    前提 患者は \"<患者>\" である\n    例:\n      | 患者 |\n      | unregistered |\n      | pin-locked |\n";
        let cast = of_features([("f.feature", text)], 2).unwrap();
        let scenes: Vec<(u32, Vec<String>)> =
            cast.scenes().map(|(k, v)| (k.line, v.to_vec())).collect();
        assert_eq!(
            scenes,
            vec![
                (6, vec!["standard-adult".to_owned(), "pinless".to_owned()]),
                (
                    13,
                    vec!["standard-adult".to_owned(), "unregistered".to_owned()]
                ),
                (
                    14,
                    vec!["standard-adult".to_owned(), "pin-locked".to_owned()]
                ),
            ]
        );
    }

    #[test]
    fn a_dated_background_anchors_every_scenario() {
        let text = "# language: ja\n機能: x\n  背景:\n    前提 照会日時は 2026-11-30T09:00 である\n\n  シナリオ: a\n    前提 照会日時は 2026-12-01T09:00 である\n    かつ 患者は \"pinless\" である\n";
        let cast = of_features([("f.feature", text)], 1).unwrap();
        let at = cast.anchor_of(&SceneKey::new("f.feature", 6)).unwrap();
        assert_eq!(at.to_string(), "2026-11-30 09:00:00");
        let undated = "# language: ja\n機能: y\n  シナリオ: b\n    前提 照会日時は 2026-12-01T09:00 である\n    かつ 患者は \"pinless\" である\n";
        let cast = of_features([("g.feature", undated)], 1).unwrap();
        assert_eq!(cast.anchor_of(&SceneKey::new("g.feature", 3)), None);
    }

    #[test]
    fn every_embedded_patient_step_is_cast() {
        let features = onshi_world::defaults::FEATURES;
        let cast = of_features(features.iter().map(|(p, t)| (*p, *t)), 1).unwrap();
        let named: usize = cast.scenes().map(|(_, v)| v.len()).sum();
        // Each scenario names at least one patient or none; outlines expand per row.
        assert!(named >= 70, "{named}");
        let personas = onshi_world::defaults::personas(None).unwrap();
        personas.with_cast(&cast).unwrap();
    }
}
