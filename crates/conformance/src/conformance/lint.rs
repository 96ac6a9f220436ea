//! Checks for the mistakes that make Japanese Gherkin fail silently or without a line
//! number: a missing `# language: ja`, a full-width colon after a keyword (the whole
//! file then fails to parse), a full-width space after a step keyword (the step then
//! never matches).

const KEYWORDS: &[&str] = &[
    "機能",
    "フィーチャ",
    "背景",
    "シナリオアウトライン",
    "シナリオテンプレート",
    "シナリオテンプレ",
    "テンプレ",
    "シナリオ",
    "例",
    "サンプル",
];
const STEP_KEYWORDS: &[&str] = &["前提", "もし", "ならば", "かつ", "しかし", "但し", "ただし"];

/// One problem: 1-based line and message.
pub type Finding = (usize, String);

/// Lints one feature file's text.
pub fn lint(text: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if first.trim().replace(' ', "") != "#language:ja" {
        out.push((1, "the first line must be `# language: ja`".to_owned()));
    }
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        for k in KEYWORDS {
            if let Some(rest) = t.strip_prefix(k) {
                if rest.starts_with('：') {
                    out.push((i + 1, format!("full-width colon after `{k}`: write `{k}:`")));
                }
                break;
            }
        }
        for k in STEP_KEYWORDS {
            if let Some(rest) = t.strip_prefix(k) {
                if rest.starts_with('\u{3000}') {
                    out.push((
                        i + 1,
                        format!("full-width space after `{k}`: use an ASCII space"),
                    ));
                }
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_silent_mistakes() {
        let bad = "# language: ja\n機能: x\n  シナリオ： y\n    前提\u{3000}照会日時は 2026-11-30 である\n";
        let f = lint(bad);
        assert_eq!(f.iter().map(|x| x.0).collect::<Vec<_>>(), vec![3, 4]);
        assert_eq!(lint("機能: x\n")[0].0, 1);
        for (_, text) in onshi_world::defaults::FEATURES {
            assert!(lint(text).is_empty(), "{:?}", lint(text));
        }
    }
}
