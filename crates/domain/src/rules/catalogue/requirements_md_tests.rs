//! The catalogue against its sources: `shared/docs/requirements.md` (IDs, kinds, order,
//! sections, sources and texts of its rows) and the seed texts in `shared/seeds/`
//! (questions verbatim). Each check is skipped when the file is not there.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use super::*;

/// `shared/` beside the crate, as in the project layout.
fn shared_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

/// One table row of `requirements.md`.
struct Row {
    /// The `##` heading the row sits under.
    section: String,
    id: String,
    kind: String,
    summary: String,
    source: String,
}

/// The table rows of `requirements.md`, or `None` if the file is not there.
fn requirements_md_rows() -> Option<Vec<Row>> {
    let text = std::fs::read_to_string(shared_dir().join("docs/requirements.md")).ok()?;
    let mut section = String::new();
    let mut rows = Vec::new();
    for line in text.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            section = heading.trim().to_owned();
            continue;
        }
        if !line.trim_start().starts_with('|') {
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (Some(id), Some(kind), Some(summary), Some(source)) =
            (cells.get(1), cells.get(2), cells.get(3), cells.get(4))
        else {
            continue;
        };
        if *id == "ID" || id.starts_with('-') {
            continue;
        }
        rows.push(Row {
            section: section.clone(),
            id: (*id).to_owned(),
            kind: (*kind).to_owned(),
            summary: (*summary).to_owned(),
            source: (*source).to_owned(),
        });
    }
    Some(rows)
}

/// Whether a `requirements.md` section is the one of the later notices.
fn is_notice_section(section: &str) -> bool {
    section.starts_with("Later notices")
}

/// Drops whitespace (PDF line breaks, full-width spaces) and Markdown emphasis.
fn normalise(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '*')
        .collect()
}

#[test]
fn every_rule_id_has_one_entry_and_every_requirements_md_row_a_rule_id() {
    for id in RuleId::ALL {
        let entries = CATALOGUE.iter().filter(|r| r.id == *id).count();
        assert_eq!(entries, 1, "{id} has {entries} entries");
    }
    let Some(rows) = requirements_md_rows() else {
        return;
    };
    let mut seen = HashSet::new();
    for row in &rows {
        assert!(
            seen.insert(row.id.as_str()),
            "requirements.md repeats {}",
            row.id
        );
        let id = RuleId::parse(&row.id)
            .unwrap_or_else(|| panic!("requirements.md row {} has no RuleId", row.id));
        assert!(
            id.entry().origin.in_requirements_md(),
            "{}: a row of requirements.md, catalogued as {:?}",
            row.id,
            id.entry().origin
        );
    }
}

#[test]
fn ids_and_kinds_match_requirements_md_when_present() {
    let Some(rows) = requirements_md_rows() else {
        return;
    };
    let documented_md: BTreeMap<&str, &str> = rows
        .iter()
        .map(|r| (r.id.as_str(), r.kind.as_str()))
        .collect();
    assert_eq!(
        documented_md.len(),
        rows.len(),
        "requirements.md repeats an ID"
    );
    let catalogued: BTreeMap<&str, &str> = documented()
        .map(|r| (r.id.code(), r.kind.as_str()))
        .collect();
    let missing: Vec<&str> = documented_md
        .keys()
        .filter(|id| !catalogued.contains_key(*id))
        .copied()
        .collect();
    let extra: Vec<&str> = catalogued
        .keys()
        .filter(|id| !documented_md.contains_key(*id))
        .copied()
        .collect();
    let kinds_differ: Vec<(&str, &str, &str)> = catalogued
        .iter()
        .filter_map(|(id, kind)| {
            let doc = documented_md.get(id)?;
            (doc != kind).then_some((*id, *kind, *doc))
        })
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty() && kinds_differ.is_empty(),
        "missing from the catalogue: {missing:?}; not in requirements.md: {extra:?}; \
         kinds differ (catalogue, requirements.md): {kinds_differ:?}"
    );
}

#[test]
fn order_and_sources_match_requirements_md_when_present() {
    let Some(rows) = requirements_md_rows() else {
        return;
    };
    let documented_md: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r.id.as_str(), r.source.as_str()))
        .collect();
    let catalogued: Vec<(&str, &str)> = documented().map(|r| (r.id.code(), r.source)).collect();
    let first_difference = catalogued
        .iter()
        .zip(&documented_md)
        .position(|(ours, doc)| ours != doc);
    if let Some(i) = first_difference {
        panic!(
            "row {i}: catalogue has {:?}, requirements.md has {:?}",
            catalogued[i], documented_md[i]
        );
    }
    assert_eq!(catalogued.len(), documented_md.len(), "row counts differ");
}

#[test]
fn origins_and_areas_follow_the_sections_of_requirements_md_when_present() {
    let Some(rows) = requirements_md_rows() else {
        return;
    };
    let mut sections: Vec<&str> = rows.iter().map(|r| r.section.as_str()).collect();
    sections.dedup();
    assert_eq!(
        sections.len(),
        AREAS.len(),
        "one area per section: {sections:?}"
    );
    for row in &rows {
        let Some(id) = RuleId::parse(&row.id) else {
            continue;
        };
        let entry = id.entry();
        let expected = if is_notice_section(&row.section) {
            Origin::Notice
        } else {
            Origin::Seed
        };
        assert_eq!(entry.origin, expected, "{}", row.id);
        let section = sections.iter().position(|s| *s == row.section);
        let area = entry.area.and_then(|a| AREAS.iter().position(|x| *x == a));
        assert_eq!(area, section, "{}: area {:?}", row.id, entry.area);
    }
}

#[test]
fn summaries_are_those_of_requirements_md_when_present() {
    let Some(rows) = requirements_md_rows() else {
        return;
    };
    for row in &rows {
        let Some(id) = RuleId::parse(&row.id) else {
            continue;
        };
        assert_eq!(id.entry().summary, row.summary, "{}", row.id);
    }
}

#[test]
fn questions_are_verbatim_in_their_seed_when_present() {
    let seeds = shared_dir().join("seeds");
    let Ok(entries) = std::fs::read_dir(&seeds) else {
        return;
    };
    let texts: BTreeMap<String, String> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let number = name.get(..3)?.to_string();
            let text = std::fs::read_to_string(entry.path()).ok()?;
            Some((number, normalise(&text)))
        })
        .collect();
    for r in CATALOGUE {
        let Some(question) = r.question else {
            continue;
        };
        let Some(seed) = r.source.get(..3).and_then(|n| texts.get(n)) else {
            continue;
        };
        for part in question.split('…').map(normalise) {
            assert!(
                part.is_empty() || seed.contains(&part),
                "{}: not verbatim in seed {}: {part}",
                r.id,
                &r.source[..3]
            );
        }
    }
}
