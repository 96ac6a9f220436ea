//! JUnit XML, once for every run kind: a small neutral model (test suites of test
//! cases) and [`write()`], which writes it to any `io::Write`. The conformance suite
//! builds the model from its scenarios ([`super::suite::junit`]), `onshi load` from its
//! SLO verdicts; both call [`write()`], so escaping and the document's shape live here
//! only.

use std::io::{self, Write};

use quick_xml::escape::escape;

/// A JUnit document: `<testsuites>`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TestSuites {
    /// The document's name (`onshi <run-id>`, `onshi load`).
    pub name: String,
    /// The run's duration in seconds, if the document states one.
    pub time: Option<f64>,
    /// The suites, in order.
    pub suites: Vec<TestSuite>,
}

/// One `<testsuite>`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TestSuite {
    /// The suite's name (a feature, `load: <scenario>`).
    pub name: String,
    /// The suite's duration in seconds, if stated.
    pub time: Option<f64>,
    /// `<properties>` of the suite (none: no element).
    pub properties: Vec<Property>,
    /// The test cases, in order.
    pub cases: Vec<TestCase>,
}

/// One `<property name value>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    /// The name.
    pub name: String,
    /// The value.
    pub value: String,
}

impl Property {
    /// A property.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// How a test case ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Outcome {
    /// Passed: no child element.
    #[default]
    Passed,
    /// Failed: `<failure message="…">text</failure>`.
    Failed {
        /// The one-line message (the `message` attribute).
        message: String,
        /// The details (the element's text).
        text: String,
    },
    /// Skipped: `<skipped/>`, with a `message` attribute if there is one.
    Skipped {
        /// Why, if known.
        message: Option<String>,
    },
}

/// One `<testcase>`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TestCase {
    /// The case's name (a scenario, an SLO).
    pub name: String,
    /// The `classname` attribute (a feature file, `slo`).
    pub classname: String,
    /// The case's duration in seconds, if stated.
    pub time: Option<f64>,
    /// How it ended.
    pub outcome: Outcome,
    /// `<properties>` of the case (none: no element).
    pub properties: Vec<Property>,
    /// `<system-out>`, if any.
    pub system_out: Option<String>,
}

impl TestCase {
    /// Whether the case failed.
    pub fn failed(&self) -> bool {
        matches!(self.outcome, Outcome::Failed { .. })
    }

    /// Whether the case was skipped.
    pub fn skipped(&self) -> bool {
        matches!(self.outcome, Outcome::Skipped { .. })
    }
}

/// Counts of a suite or a document: (tests, failures, skipped).
fn counts<'a>(cases: impl Iterator<Item = &'a TestCase>) -> (usize, usize, usize) {
    cases.fold((0, 0, 0), |(t, f, s), c| {
        (
            t + 1,
            f + usize::from(c.failed()),
            s + usize::from(c.skipped()),
        )
    })
}

/// ` time="…"` (seconds, three decimals), or nothing.
fn time_attr(time: Option<f64>) -> String {
    time.map(|t| format!(" time=\"{t:.3}\""))
        .unwrap_or_default()
}

fn properties(out: &mut dyn Write, indent: &str, props: &[Property]) -> io::Result<()> {
    if props.is_empty() {
        return Ok(());
    }
    writeln!(out, "{indent}<properties>")?;
    for p in props {
        writeln!(
            out,
            "{indent}  <property name=\"{}\" value=\"{}\"/>",
            escape(&p.name),
            escape(&p.value)
        )?;
    }
    writeln!(out, "{indent}</properties>")
}

fn case(out: &mut dyn Write, c: &TestCase) -> io::Result<()> {
    writeln!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\"{}>",
        escape(&c.name),
        escape(&c.classname),
        time_attr(c.time)
    )?;
    properties(out, "      ", &c.properties)?;
    match &c.outcome {
        Outcome::Passed => {}
        Outcome::Failed { message, text } => writeln!(
            out,
            "      <failure message=\"{}\">{}</failure>",
            escape(message),
            escape(text)
        )?,
        Outcome::Skipped { message: None } => writeln!(out, "      <skipped/>")?,
        Outcome::Skipped {
            message: Some(message),
        } => writeln!(out, "      <skipped message=\"{}\"/>", escape(message))?,
    }
    if let Some(text) = &c.system_out {
        writeln!(out, "      <system-out>{}</system-out>", escape(text))?;
    }
    writeln!(out, "    </testcase>")
}

/// Writes the document as JUnit XML. `tests`, `failures` and `skipped` are counted
/// from the cases; every attribute and text is escaped here.
pub fn write(doc: &TestSuites, out: &mut dyn Write) -> io::Result<()> {
    let (tests, failures, skipped) = counts(doc.suites.iter().flat_map(|s| &s.cases));
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" skipped=\"{skipped}\"{}>",
        escape(&doc.name),
        time_attr(doc.time)
    )?;
    for suite in &doc.suites {
        let (tests, failures, skipped) = counts(suite.cases.iter());
        writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" skipped=\"{skipped}\"{}>",
            escape(&suite.name),
            time_attr(suite.time)
        )?;
        properties(out, "    ", &suite.properties)?;
        for c in &suite.cases {
            case(out, c)?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xml(doc: &TestSuites) -> String {
        let mut out = Vec::new();
        write(doc, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn an_empty_document_is_valid() {
        assert_eq!(
            xml(&TestSuites::default()),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"\" tests=\"0\" failures=\"0\" skipped=\"0\">\n</testsuites>\n"
        );
    }

    #[test]
    fn counts_properties_and_escaping() {
        let doc = TestSuites {
            name: "n".into(),
            time: Some(1.0),
            suites: vec![TestSuite {
                name: "s".into(),
                time: None,
                properties: vec![Property::new("k", "a<b")],
                cases: vec![
                    TestCase {
                        name: "ok".into(),
                        classname: "c".into(),
                        properties: vec![Property::new("id", "FAQ-4-11")],
                        ..TestCase::default()
                    },
                    TestCase {
                        name: "bad".into(),
                        classname: "c".into(),
                        time: Some(0.5),
                        outcome: Outcome::Failed {
                            message: "m \"q\"".into(),
                            text: "t & u".into(),
                        },
                        ..TestCase::default()
                    },
                    TestCase {
                        name: "skip".into(),
                        classname: "c".into(),
                        outcome: Outcome::Skipped {
                            message: Some("not now".into()),
                        },
                        system_out: Some("<out>".into()),
                        ..TestCase::default()
                    },
                ],
            }],
        };
        assert_eq!(
            xml(&doc),
            r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="n" tests="3" failures="1" skipped="1" time="1.000">
  <testsuite name="s" tests="3" failures="1" skipped="1">
    <properties>
      <property name="k" value="a&lt;b"/>
    </properties>
    <testcase name="ok" classname="c">
      <properties>
        <property name="id" value="FAQ-4-11"/>
      </properties>
    </testcase>
    <testcase name="bad" classname="c" time="0.500">
      <failure message="m &quot;q&quot;">t &amp; u</failure>
    </testcase>
    <testcase name="skip" classname="c">
      <skipped message="not now"/>
      <system-out>&lt;out&gt;</system-out>
    </testcase>
  </testsuite>
</testsuites>
"#
        );
    }
}
