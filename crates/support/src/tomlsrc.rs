//! TOML input files with errors that name the file, the line and the field.
//!
//! Used for personas (`virtual-cards/*.toml`) and load scenarios (`scenarios/*.toml`):
//! the file is deserialized with serde, and every error — a syntax error, a type error,
//! or a rule broken in validation — is reported as `file:line: field: message`.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

/// One problem in an input file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InputError {
    /// The file.
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// Dotted field path (`card.auth_pin`, `qualification[1].ratio`), when known.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A TOML file kept with its text so errors can be located.
#[derive(Debug)]
pub struct TomlSource {
    path: PathBuf,
    text: String,
    doc: Option<toml_edit::Document<String>>,
}

impl TomlSource {
    /// Reads a file.
    pub fn read(path: &Path) -> Result<Self, InputError> {
        let text = std::fs::read_to_string(path).map_err(|e| InputError {
            file: path.to_owned(),
            line: None,
            field: None,
            message: format!("cannot read: {e}"),
        })?;
        Ok(Self::from_text(path, text))
    }

    /// Wraps text that came from `path` (which need not exist, e.g. embedded defaults).
    pub fn from_text(path: &Path, text: String) -> Self {
        let doc = toml_edit::Document::parse(text.clone()).ok();
        Self {
            path: path.to_owned(),
            text,
            doc,
        }
    }

    /// The file path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Deserializes the whole file; syntax and type errors carry the line.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, InputError> {
        toml::from_str(&self.text).map_err(|e| {
            let line = e.span().map(|s| self.line_at(s.start));
            InputError {
                file: self.path.clone(),
                line,
                field: None,
                message: e.message().trim().to_owned(),
            }
        })
    }

    /// The 1-based line of a byte offset.
    pub fn line_at(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    }

    /// The line where a dotted field path is defined (`card.auth_pin`,
    /// `qualification[1].ratio`); falls back to the nearest enclosing table.
    pub fn line_of(&self, field: &str) -> Option<usize> {
        let doc = self.doc.as_ref()?;
        let mut item: &toml_edit::Item = doc.as_item();
        let mut best: Option<usize> = None;
        for part in field.split('.') {
            let (key, index) = match part.split_once('[') {
                Some((k, rest)) => (k, rest.trim_end_matches(']').parse::<usize>().ok()),
                None => (part, None),
            };
            let (span, next) = match item {
                toml_edit::Item::Table(t) => match t.get_key_value(key) {
                    Some((k, v)) => (k.span(), v),
                    None => break,
                },
                toml_edit::Item::Value(toml_edit::Value::InlineTable(t)) => {
                    match t.get_key_value(key) {
                        Some((k, v)) => (k.span(), v),
                        None => break,
                    }
                }
                _ => break,
            };
            if let Some(s) = span {
                best = Some(self.line_at(s.start));
            }
            item = next;
            if let Some(i) = index {
                match item {
                    toml_edit::Item::ArrayOfTables(a) => match a.get(i) {
                        Some(t) => {
                            if let Some(s) = t.span() {
                                best = Some(self.line_at(s.start));
                            }
                            // Continue inside the i-th table.
                            return self.line_in_table(
                                t,
                                field.split_once(']').map(|x| x.1).unwrap_or(""),
                                best,
                            );
                        }
                        None => break,
                    },
                    _ => break,
                }
            }
        }
        best
    }

    fn line_in_table(
        &self,
        table: &toml_edit::Table,
        rest: &str,
        best: Option<usize>,
    ) -> Option<usize> {
        let rest = rest.trim_start_matches('.');
        if rest.is_empty() {
            return best;
        }
        let key = rest.split(['.', '[']).next().unwrap_or(rest);
        match table.get_key_value(key) {
            Some((k, _)) => k.span().map(|s| self.line_at(s.start)).or(best),
            None => best,
        }
    }

    /// An error about a field, located at its line.
    pub fn error(&self, field: &str, message: impl Into<String>) -> InputError {
        InputError {
            file: self.path.clone(),
            line: self.line_of(field),
            field: Some(field.to_owned()),
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "description = \"x\"\n\n[card]\nauth_pin = \"12a4\"\n\n[[qualification]]\nratio = \"030\"\n\n[[qualification]]\nratio = \"035\"\n";

    #[test]
    fn locates_fields() {
        let src = TomlSource::from_text(Path::new("p.toml"), TEXT.to_owned());
        assert_eq!(src.line_of("card.auth_pin"), Some(4));
        assert_eq!(src.line_of("qualification[1].ratio"), Some(10));
        assert_eq!(src.line_of("qualification[0].ratio"), Some(7));
        assert_eq!(src.line_of("card.missing"), Some(3));
        let e = src.error("card.auth_pin", "must be 4 digits");
        assert_eq!(
            e.to_string(),
            "p.toml:4: field `card.auth_pin`: must be 4 digits"
        );
    }

    #[test]
    fn syntax_and_type_errors_have_lines() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct T {
            a: u8,
        }
        let src = TomlSource::from_text(Path::new("t.toml"), "\n\na = \"x\"\n".to_owned());
        let e = src.parse::<T>().unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        let src = TomlSource::from_text(Path::new("t.toml"), "a = 1\nb = [\n".to_owned());
        assert!(src.parse::<T>().unwrap_err().line.is_some());
    }
}
