//! Which characters no installed font can draw. Chromium on Linux draws a character
//! with the first font of the page's `font-family` that has it, else with any font
//! fontconfig offers that has it, else as an empty box: a character is drawable when
//! some scalable font fontconfig knows covers it. One `fc-list` call reads every
//! font's charset (`20-7e a0-17f …`, hex ranges).

use std::collections::BTreeSet;
use std::process::Command;

/// The union of every scalable installed font's charset, as sorted ranges.
#[derive(Debug, Clone)]
pub(crate) struct Coverage {
    ranges: Vec<(u32, u32)>,
    /// How many fonts it is the union of.
    pub(crate) fonts: usize,
}

impl Coverage {
    /// Reads it with `fc-list`.
    pub(crate) fn installed() -> Result<Self, String> {
        let out = Command::new("fc-list")
            .args([":scalable=true", "--format", "%{charset}\n"])
            .output()
            .map_err(|e| format!("fc-list: {e} (fontconfig is needed to check fonts)"))?;
        if !out.status.success() {
            return Err(format!("fc-list: {}", String::from_utf8_lossy(&out.stderr)));
        }
        Self::parse(&String::from_utf8_lossy(&out.stdout))
    }

    /// Parses `fc-list --format '%{charset}\n'` output: one font a line.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let mut ranges = Vec::new();
        let mut fonts = 0;
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            fonts += 1;
            for r in line.split_whitespace() {
                let hex = |s: &str| u32::from_str_radix(s, 16).map_err(|e| format!("{r:?}: {e}"));
                let (lo, hi) = match r.split_once('-') {
                    Some((a, b)) => (hex(a)?, hex(b)?),
                    None => (hex(r)?, hex(r)?),
                };
                ranges.push((lo, hi));
            }
        }
        ranges.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::new();
        for (lo, hi) in ranges {
            match merged.last_mut() {
                Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
                _ => merged.push((lo, hi)),
            }
        }
        Ok(Self {
            ranges: merged,
            fonts,
        })
    }

    /// Whether some font has `c`.
    pub(crate) fn covers(&self, c: char) -> bool {
        let c = u32::from(c);
        let i = self.ranges.partition_point(|r| r.1 < c);
        self.ranges.get(i).is_some_and(|r| r.0 <= c)
    }

    /// The distinct characters of `text` no font has (white space, controls and
    /// invisible format characters need no glyph).
    pub(crate) fn undrawable(&self, text: &str) -> BTreeSet<char> {
        text.chars()
            .filter(|c| !c.is_whitespace() && !c.is_control() && !is_format(*c))
            .filter(|c| !self.covers(*c))
            .collect()
    }
}

/// Zero-width and direction marks: drawn as nothing, by design.
fn is_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}')
}

/// Whether any installed font has `c` (`fc-list ':charset=<hex>'`), asked of
/// fontconfig directly: the independent check the test compares against.
pub(crate) fn fc_has(c: char) -> bool {
    Command::new("fc-list")
        .arg(format!(":scalable=true:charset={:x}", u32::from(c)))
        .output()
        .is_ok_and(|o| !o.stdout.is_empty())
}
