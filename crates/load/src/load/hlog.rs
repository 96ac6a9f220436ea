//! HdrHistogram interval logs (the Java `HistogramLogWriter` text format, V2 +
//! DEFLATE): one file per shard, merged exactly by adding histograms.

use std::time::{Duration, SystemTime};

use base64::Engine as _;
use hdrhistogram::Histogram;
use hdrhistogram::serialization::interval_log::{
    IntervalLogIterator, IntervalLogWriterBuilder, LogEntry, Tag,
};
use hdrhistogram::serialization::{Deserializer, V2DeflateSerializer};

/// Largest latency recorded: one hour in microseconds (larger values saturate).
pub const MAX_US: u64 = 3_600_000_000;

/// A latency histogram in microseconds, 3 significant digits.
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_US, 3).expect("valid literal bounds")
}

/// One interval of one tag. The histogram stays V2 + DEFLATE serialised until it is
/// needed (a decoded histogram is a full counts array, ~190 KB; a run has thousands
/// of intervals).
#[derive(Debug, Clone)]
pub struct Entry {
    /// Start, relative to the log's base time.
    pub start: Duration,
    /// Length.
    pub duration: Duration,
    /// The tag (`response.card`, `request.challenge`, …).
    pub tag: String,
    /// The histogram, V2 (+ DEFLATE) serialised.
    pub encoded: Vec<u8>,
}

impl Entry {
    /// An entry for `histogram` (serialised now).
    pub fn new(start: Duration, duration: Duration, tag: &str, histogram: &Histogram<u64>) -> Self {
        Self {
            start,
            duration,
            tag: tag.to_owned(),
            encoded: encode(histogram),
        }
    }

    /// The histogram.
    pub fn histogram(&self) -> Result<Histogram<u64>, String> {
        Deserializer::new()
            .deserialize(&mut self.encoded.as_slice())
            .map_err(|e| format!("histogram {}: {e:?}", self.tag))
    }
}

/// V2 + DEFLATE bytes of a histogram.
pub fn encode(h: &Histogram<u64>) -> Vec<u8> {
    let mut out = Vec::new();
    // Serialising into memory cannot fail for a valid histogram.
    let _ = hdrhistogram::serialization::Serializer::serialize(
        &mut V2DeflateSerializer::new(),
        h,
        &mut out,
    );
    out
}

/// Writes an interval log: comments, the base time, then every entry (decoded one at
/// a time).
pub fn write(base: SystemTime, comments: &[String], entries: &[Entry]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut ser = V2DeflateSerializer::new();
    let mut builder = IntervalLogWriterBuilder::new();
    for c in comments {
        builder.add_comment(c);
    }
    builder.with_start_time(base).with_base_time(base);
    let mut w = builder.begin_log_with(&mut out, &mut ser)?;
    for e in entries {
        let tag = Tag::new(&e.tag).ok_or_else(|| {
            std::io::Error::other(format!("tag {:?} has a comma or a space", e.tag))
        })?;
        let h = e.histogram().map_err(std::io::Error::other)?;
        w.write_histogram(&h, e.start, e.duration, Some(tag))
            .map_err(|e| std::io::Error::other(e.to_string()))?;
    }
    drop(w);
    Ok(out)
}

/// Reads every tagged interval of a log (untagged ones get the tag `""`); the
/// histograms are checked but kept serialised.
pub fn read(bytes: &[u8]) -> Result<Vec<Entry>, String> {
    let mut out = Vec::new();
    let mut de = Deserializer::new();
    for entry in IntervalLogIterator::new(bytes) {
        let entry = entry.map_err(|e| format!("interval log: {e:?}"))?;
        if let LogEntry::Interval(ilh) = entry {
            let raw = base64::engine::general_purpose::STANDARD
                .decode(ilh.encoded_histogram())
                .map_err(|e| format!("interval log: base64: {e}"))?;
            let _: Histogram<u64> = de
                .deserialize(&mut raw.as_slice())
                .map_err(|e| format!("interval log: histogram: {e:?}"))?;
            out.push(Entry {
                start: ilh.start_timestamp(),
                duration: ilh.duration(),
                tag: ilh.tag().map(|t| t.as_str().to_owned()).unwrap_or_default(),
                encoded: raw,
            });
        }
    }
    Ok(out)
}

/// Milliseconds at quantile `q` (0..1) of `h`, or 0 for an empty histogram.
pub fn ms_at(h: &Histogram<u64>, q: f64) -> f64 {
    if h.is_empty() {
        0.0
    } else {
        h.value_at_quantile(q) as f64 / 1000.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_round_trip_and_merge_exactly() {
        let mut a = histogram();
        let mut b = histogram();
        for v in 1..=10_000u64 {
            a.record(v * 3).unwrap();
            b.record(v * 7 + 11).unwrap();
        }
        let entries = vec![
            Entry::new(Duration::ZERO, Duration::from_secs(1), "response.visit", &a),
            Entry::new(
                Duration::from_secs(1),
                Duration::from_secs(1),
                "response.visit",
                &b,
            ),
        ];
        let bytes = write(SystemTime::UNIX_EPOCH, &["shard 0/1".into()], &entries).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("Tag=response.visit,1.000,1.000,"), "{text}");
        assert!(text.contains("HISTF"), "V2 + DEFLATE: {text}");
        let back = read(&bytes).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[1].histogram().unwrap(), b);
        let mut merged = histogram();
        for e in &back {
            merged.add(e.histogram().unwrap()).unwrap();
        }
        let mut direct = a;
        direct.add(&b).unwrap();
        assert_eq!(merged.len(), 20_000);
        assert_eq!(
            merged.value_at_quantile(0.99),
            direct.value_at_quantile(0.99)
        );
        assert!(Tag::new("a b").is_none());
    }
}
