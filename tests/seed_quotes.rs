//! Every feature quotes its seeds: for each seed requirement a feature tags (`@FAQ-4-12`,
//! `@KQ-3`, …), the feature's description holds `ID（source）:「quote」` and the quote is
//! the seed's own words — after removing whitespace, a substring of the seed texts in
//! `shared/seeds/` (skipped when they are not beside the project). Post-seed notices
//! (`NOTICE-…`), onshi's domain rules (`DOM-…`) and security requirements (`SEC-…`) have
//! no seed to quote.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::path::PathBuf;

use onshi::rules::catalogue::Origin;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn strip(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The seed texts, whitespace removed, or `None` when `shared/seeds/` is not there.
fn seeds() -> Option<String> {
    let dir = root().join("../shared/seeds");
    let mut text = String::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    for f in files {
        text.push_str(&strip(&std::fs::read_to_string(f).unwrap()));
    }
    (!text.is_empty()).then_some(text)
}

/// The description of a feature: the lines after `機能:` up to the background, the
/// first tag or the first scenario.
fn description(text: &str) -> String {
    text.lines()
        .skip_while(|l| !l.trim_start().starts_with("機能:"))
        .skip(1)
        .take_while(|l| {
            let t = l.trim_start();
            !(t.starts_with("背景:") || t.starts_with('@') || t.starts_with("シナリオ"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The tags of a feature that name a seed requirement.
fn seed_tags(text: &str) -> Vec<String> {
    let mut tags: Vec<String> = text
        .split_whitespace()
        .filter_map(|w| w.strip_prefix('@'))
        .filter(|t| {
            onshi::rules::CATALOGUE
                .iter()
                .any(|r| r.id.code() == *t && r.origin == Origin::Seed)
        })
        .map(str::to_owned)
        .collect();
    tags.sort();
    tags.dedup();
    tags
}

/// The source named for `id` in a whitespace-free description: the text of `ID（…）`.
fn source_for(desc: &str, id: &str) -> Option<String> {
    let open = format!("{id}（");
    let rest = &desc[desc.find(&open)? + open.len()..];
    Some(rest[..rest.find('）')?].to_owned())
}

/// The quote given for `id` in a whitespace-free description: the text of the first
/// 「…」 after `ID（…）:`, nested brackets kept.
fn quote_for(desc: &str, id: &str) -> Option<String> {
    let at = desc.find(&format!("{id}（"))?;
    let rest = &desc[at..];
    let open = rest.find(":「")? + ":「".len();
    let mut depth = 1;
    for (i, c) in rest[open..].char_indices() {
        match c {
            '「' => depth += 1,
            '」' => {
                depth -= 1;
                if depth == 0 {
                    return Some(rest[open..open + i].to_owned());
                }
            }
            _ => {}
        }
    }
    None
}

fn features() -> Vec<(PathBuf, String)> {
    let mut out: Vec<(PathBuf, String)> = std::fs::read_dir(root().join("features"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "feature"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_feature_quotes_the_seeds_it_tags() {
    let Some(seeds) = seeds() else {
        eprintln!("shared/seeds/ is not beside the project: skipped");
        return;
    };
    let mut problems = Vec::new();
    let mut quoted = 0;
    for (path, text) in features() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let desc = strip(&description(&text));
        for id in seed_tags(&text) {
            match quote_for(&desc, &id) {
                None => problems.push(format!("{name}: no 「quote」 for {id}")),
                Some(q) if q.is_empty() || !seeds.contains(&q) => {
                    problems.push(format!("{name}: {id}'s quote is not in the seeds: {q}"));
                }
                Some(_) => quoted += 1,
            }
            // The source is one the catalogue gives for the ID (`000 4-10`, `004 Q2`, …).
            let sources = onshi::rules::CATALOGUE
                .iter()
                .find(|r| r.id.code() == id)
                .map(|r| r.source.split(';').map(strip).collect::<Vec<_>>())
                .unwrap_or_default();
            match source_for(&desc, &id) {
                Some(s) if sources.contains(&s) => {}
                other => problems.push(format!(
                    "{name}: {id} cites {other:?}, the catalogue's sources are {sources:?}"
                )),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(quoted >= 30, "only {quoted} seed quotes");
}

#[test]
fn the_quote_reader_catches_a_missing_or_altered_quote() {
    let feature = "# language: ja\n機能: 例\n  説明。\n  FAQ-4-12（000 4-12）:「生活保護の\n  医療扶助」\n\n  @FAQ-4-12 @KQ-3\n  シナリオ: x\n";
    let desc = strip(&description(feature));
    assert_eq!(
        quote_for(&desc, "FAQ-4-12").as_deref(),
        Some("生活保護の医療扶助")
    );
    assert_eq!(quote_for(&desc, "KQ-3"), None);
    assert_eq!(source_for(&desc, "FAQ-4-12").as_deref(), Some("0004-12"));
    assert_eq!(seed_tags(feature), ["FAQ-4-12", "KQ-3"]);
    let nested = strip("FLY-NOTICE-ALONE（002）:「「資格情報のお知らせ」のみでは」");
    assert_eq!(
        quote_for(&nested, "FLY-NOTICE-ALONE").as_deref(),
        Some("「資格情報のお知らせ」のみでは")
    );
    if let Some(seeds) = seeds() {
        assert!(seeds.contains("生活保護の医療扶助"));
        assert!(!seeds.contains("生活保護の医療扶助は窓口で3割"));
    }
}
