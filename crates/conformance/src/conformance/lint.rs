//! Checks for the mistakes that make Japanese Gherkin fail silently or without a line
//! number: a missing `# language: ja`, a full-width colon after a keyword (the whole
//! file then fails to parse), a full-width space after a step keyword (the step then
//! never matches), a misspelt step keyword (the line silently becomes description
//! text), a line after a scenario's steps that is no step, a scenario without steps
//! (it would pass having checked nothing), and a date that does not exist
//! (`2026-02-30`) in a step or an example row.

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
    let mut body = Body::default();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        body.line(i + 1, t, &mut out);
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
    body.end(&mut out);
    out.sort();
    out
}

/// Where the lint is inside a scenario or background: what a body line may be.
#[derive(Debug, Default)]
struct Body {
    /// The line of the scenario (or background) being read, and whether it is a
    /// background (which may be empty).
    open: Option<(usize, bool)>,
    /// Steps seen in it.
    steps: usize,
    /// Inside a doc string (`"""` or ```).
    doc: bool,
}

impl Body {
    fn line(&mut self, n: usize, t: &str, out: &mut Vec<Finding>) {
        if t.starts_with("\"\"\"") || t.starts_with("```") {
            self.doc = !self.doc;
            return;
        }
        if self.doc || t.is_empty() || t.starts_with('#') || t.starts_with('@') {
            return;
        }
        if t.starts_with('|') {
            dates(n, t, out);
            return;
        }
        if let Some(k) = KEYWORDS.iter().find(|k| t.starts_with(**k)) {
            self.end(out);
            let scenario = !matches!(*k, "機能" | "フィーチャ" | "例" | "サンプル");
            self.open = scenario.then_some((n, *k == "背景"));
            return;
        }
        let Some(_) = self.open else {
            return;
        };
        let step = t.starts_with("* ") || STEP_KEYWORDS.iter().any(|k| t.starts_with(k));
        if step {
            self.steps += 1;
            dates(n, t, out);
        } else if let Some(k) = misspelt_keyword(t) {
            out.push((n, format!("`{t}` is no step: did you mean `{k}`?")));
        } else if self.steps > 0 {
            out.push((
                n,
                format!("`{t}` after the steps is no step (a misspelt keyword?)"),
            ));
        }
    }

    /// Closes the scenario being read: one without steps is an error.
    fn end(&mut self, out: &mut Vec<Finding>) {
        if let Some((n, background)) = self.open.take()
            && self.steps == 0
            && !background
        {
            out.push((
                n,
                "this scenario has no steps: it would check nothing".to_owned(),
            ));
        }
        self.steps = 0;
    }
}

/// The step keyword `t` starts with one character off (`前堤 …` for `前提 …`).
fn misspelt_keyword(t: &str) -> Option<&'static str> {
    let word = t.split([' ', '\u{3000}']).next()?;
    STEP_KEYWORDS.iter().copied().find(|k| {
        let (a, b): (Vec<char>, Vec<char>) = (word.chars().collect(), k.chars().collect());
        a.len() == b.len() && a.len() >= 2 && a.iter().zip(&b).filter(|(x, y)| x != y).count() == 1
    })
}

/// Every `YYYY-MM-DD` in the line must be a date of the calendar.
fn dates(n: usize, t: &str, out: &mut Vec<Finding>) {
    let b = t.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let mut i = 0;
    while i + 10 <= b.len() {
        let shape = (0..10).all(|j| {
            if j == 4 || j == 7 {
                b[i + j] == b'-'
            } else {
                digit(i + j)
            }
        });
        let bounded = (i == 0 || !digit(i - 1)) && !digit(i + 10);
        if shape && bounded {
            let text = &t[i..i + 10];
            if chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_err() {
                out.push((n, format!("{text} is not a date")));
            }
            i += 10;
        } else {
            i += 1;
        }
    }
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

    #[test]
    fn finds_misspelt_keywords_stepless_scenarios_and_impossible_dates() {
        let text = "# language: ja\n機能: x\n\n  シナリオ: a\n    前堤 照会日時は 2026-01-05 である\n\n  シナリオ: b\n    前提 照会日時は 2026-02-30 09:00 である\n    ならば 何か\n    なにか 続き\n\n  シナリオアウトライン: c\n    前提 日は <d> である\n\n    例:\n      | d |\n      | 2025-13-01 |\n";
        let f = lint(text);
        let lines: Vec<usize> = f.iter().map(|x| x.0).collect();
        assert_eq!(lines, vec![4, 5, 8, 10, 17], "{f:?}");
        assert!(f[1].1.contains("前提"), "{f:?}");
        assert!(f[2].1.contains("2026-02-30"), "{f:?}");
    }
}
