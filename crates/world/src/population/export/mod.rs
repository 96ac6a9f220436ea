//! `onshi population export`: the population as files an operator loads into their
//! own backend before testing it — persons, qualification records, the link from each
//! user-authentication certificate to its person, the certificates themselves, and the
//! trust roots — as JSON Lines or CSV, plus a README.
//!
//! The output is a pure function of (seed, size, personas, as-of, mix): exporting
//! twice gives byte-identical files.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::Serialize;
use serde_json::Value;

use super::certs::{CertIssueError, CertificateIssuer, RootKind};
use super::{PersonIndex, Population};
use crate::persona::ResolvedPersona;
use crate::persona::model::RegistrationState;
use onshi_pki::pki::{CaKind, Der, ReaderCa};

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// One JSON object per line (`.jsonl`).
    JsonLines,
    /// Comma-separated values with a header line (`.csv`, RFC 4180 quoting).
    Csv,
}

impl ExportFormat {
    /// The file extension.
    pub const fn extension(self) -> &'static str {
        match self {
            Self::JsonLines => "jsonl",
            Self::Csv => "csv",
        }
    }

    /// Parses `jsonl` / `csv`.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "jsonl" | "json-lines" => Ok(Self::JsonLines),
            "csv" => Ok(Self::Csv),
            _ => Err(format!("unknown format {text:?} (use jsonl or csv)")),
        }
    }
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// A certificate could not be issued.
    #[error(transparent)]
    Certificate(#[from] CertIssueError),
    /// The reader CA could not be generated.
    #[error("reader CA: {0}")]
    ReaderCa(String),
    /// The revocation list could not be signed.
    #[error("CRL: {0}")]
    Crl(String),
}

mod rows;
use rows::{CERT_HEADERS, LINK_HEADERS, PERSON_HEADERS, QUALIFICATION_HEADERS, dt};
pub use rows::{
    CertificateLinkRow, CertificateRow, MemberRows, PersonRow, QualificationRow, member_rows,
};

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportSummary {
    /// Members written.
    pub persons: u64,
    /// Qualification records written.
    pub qualifications: u64,
    /// Certificates written.
    pub certificates: u64,
    /// Files written (relative to the output directory).
    pub files: Vec<String>,
}

/// A table being written.
struct TableWriter {
    path: PathBuf,
    tmp: PathBuf,
    out: BufWriter<File>,
    format: ExportFormat,
    headers: &'static [&'static str],
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> ExportError + '_ {
    move |source| ExportError::Io {
        path: path.to_owned(),
        source,
    }
}

impl TableWriter {
    fn create(
        dir: &Path,
        stem: &str,
        format: ExportFormat,
        headers: &'static [&'static str],
    ) -> Result<Self, ExportError> {
        let path = dir.join(format!("{stem}.{}", format.extension()));
        let tmp = dir.join(format!(".{stem}.{}.partial", format.extension()));
        let file = File::create(&tmp).map_err(io_err(&tmp))?;
        let mut w = Self {
            path,
            tmp,
            out: BufWriter::with_capacity(1 << 16, file),
            format,
            headers,
        };
        if format == ExportFormat::Csv {
            let line = headers.join(",");
            writeln!(w.out, "{line}").map_err(io_err(&w.tmp))?;
        }
        Ok(w)
    }

    fn row<T: Serialize>(&mut self, row: &T) -> Result<(), ExportError> {
        let value = serde_json::to_value(row).unwrap_or(Value::Null);
        let result = match self.format {
            ExportFormat::JsonLines => {
                // Columns in header order (serde_json maps are sorted otherwise).
                let mut text = String::from("{");
                for (i, h) in self.headers.iter().enumerate() {
                    if i > 0 {
                        text.push(',');
                    }
                    text.push_str(&serde_json::to_string(h).unwrap_or_default());
                    text.push(':');
                    text.push_str(&value.get(*h).cloned().unwrap_or(Value::Null).to_string());
                }
                text.push('}');
                writeln!(self.out, "{text}")
            }
            ExportFormat::Csv => {
                let cells: Vec<String> = self
                    .headers
                    .iter()
                    .map(|h| csv_cell(value.get(*h).unwrap_or(&Value::Null)))
                    .collect();
                writeln!(self.out, "{}", cells.join(","))
            }
        };
        result.map_err(io_err(&self.tmp))
    }

    fn finish(mut self) -> Result<String, ExportError> {
        self.out.flush().map_err(io_err(&self.tmp))?;
        drop(self.out);
        fs::rename(&self.tmp, &self.path).map_err(io_err(&self.path))?;
        Ok(self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default())
    }
}

/// One CSV cell: strings as they are, null empty, others as JSON; quoted when needed.
fn csv_cell(v: &Value) -> String {
    let raw = match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if raw.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", raw.replace('"', "\"\""))
    } else {
        raw
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    let b64 = BASE64.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Writes the whole population to `dir` (created if needed). Certificates are issued
/// on `threads` threads; rows are written in index order.
pub fn export(
    population: &Population,
    issuer: &CertificateIssuer,
    format: ExportFormat,
    dir: &Path,
    threads: usize,
) -> Result<ExportSummary, ExportError> {
    fs::create_dir_all(dir.join("roots")).map_err(io_err(dir))?;
    let job = Job {
        population,
        issuer,
        format,
        dir,
    };
    let mut summary = write_tables(&job, threads.max(1))?;
    write_roots(&job, &mut summary)?;
    let meta = serde_json::json!({
        "seed": population.seed(),
        "as_of": dt(population.as_of()),
        "personas": population.persona_count(),
        "generated": population.generated_count(),
        "mix": population.mix(),
        "key_pool_size": issuer.pool().len(),
        "format": format.extension(),
        "onshi_version": env!("CARGO_PKG_VERSION"),
    });
    let text = serde_json::to_string_pretty(&meta).unwrap_or_default() + "\n";
    write_file(dir, "population.json", &text, &mut summary)?;
    let readme = readme(population, issuer, format);
    write_file(dir, "README.md", &readme, &mut summary)?;
    Ok(summary)
}

/// What one export writes, and where.
struct Job<'a> {
    population: &'a Population,
    issuer: &'a CertificateIssuer,
    format: ExportFormat,
    dir: &'a Path,
}

/// Writes the four tables, member by member in index order.
fn write_tables(job: &Job<'_>, threads: usize) -> Result<ExportSummary, ExportError> {
    let (population, issuer, format, dir) = (job.population, job.issuer, job.format, job.dir);
    let mut persons = TableWriter::create(dir, "persons", format, PERSON_HEADERS)?;
    let mut quals = TableWriter::create(dir, "qualifications", format, QUALIFICATION_HEADERS)?;
    let mut links = TableWriter::create(dir, "certificate_links", format, LINK_HEADERS)?;
    let mut certs = TableWriter::create(dir, "certificates", format, CERT_HEADERS)?;
    let total = population.len();
    let mut summary = ExportSummary {
        persons: 0,
        qualifications: 0,
        certificates: 0,
        files: Vec::new(),
    };
    const CHUNK: u64 = 2048;
    let mut start = 0;
    while start < total {
        let end = (start + CHUNK).min(total);
        for part in chunk_rows(population, issuer, start, end, threads) {
            for m in part? {
                persons.row(&m.person)?;
                for q in &m.qualifications {
                    quals.row(q)?;
                }
                links.row(&m.link)?;
                certs.row(&m.certificate)?;
                summary.persons += 1;
                summary.qualifications += m.qualifications.len() as u64;
                summary.certificates += 1;
            }
        }
        start = end;
    }
    for w in [persons, quals, links, certs] {
        summary.files.push(w.finish()?);
    }
    Ok(summary)
}

/// The rows of members `start..end`, built on `threads` threads, one part per thread
/// in index order.
fn chunk_rows(
    population: &Population,
    issuer: &CertificateIssuer,
    start: u64,
    end: u64,
    threads: usize,
) -> Vec<Result<Vec<MemberRows>, ExportError>> {
    let per = (end - start).div_ceil(threads as u64);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads as u64)
            .map(|t| {
                let lo = start + t * per;
                let hi = (lo + per).min(end);
                s.spawn(move || {
                    (lo..hi)
                        .map(|i| member_rows(population, issuer, i))
                        .collect::<Result<Vec<_>, _>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(ExportError::ReaderCa("worker panicked".into())))
            })
            .collect()
    })
}

/// Writes the trust anchors as PEM: both test JPKI roots (user authentication, and
/// signing — a backend must refuse its certificates as the wrong kind), the load-test
/// root, the reader CA, and the user-authentication root's CRL at the as-of.
fn write_roots(job: &Job<'_>, summary: &mut ExportSummary) -> Result<(), ExportError> {
    let (population, issuer, dir) = (job.population, job.issuer, job.dir);
    let reader_ca =
        ReaderCa::generate(population.seed()).map_err(|e| ExportError::ReaderCa(e.to_string()))?;
    let pki = issuer.factory().pki();
    let roots = [
        (
            "roots/jpki-auth-root.pem",
            pki.root(CaKind::Auth).cert_der().to_vec(),
        ),
        (
            "roots/jpki-sign-root.pem",
            pki.root(CaKind::Sign).cert_der().to_vec(),
        ),
        (
            "roots/load-auth-root.pem",
            issuer.load_root().cert_der().to_vec(),
        ),
        ("roots/reader-ca.pem", reader_ca.cert_der().to_vec()),
    ];
    for (name, der) in roots {
        write_file(dir, name, &pem("CERTIFICATE", &der), summary)?;
    }
    // Personas' certificates come from the JPKI root; those revoked by the as-of are
    // on its CRL (generated members' revocations are in the persons table).
    let as_of = population.as_of();
    let revoked: Vec<(u64, chrono::NaiveDateTime)> = population
        .personas()
        .iter()
        .filter_map(|p| {
            let c = &p.card.certificate;
            c.revoked_at
                .filter(|at| *at <= as_of)
                .map(|at| (c.serial, at))
        })
        .collect();
    let next = as_of + chrono::Duration::days(1);
    let crl = pki
        .crl(CaKind::Auth, &revoked, as_of, next)
        .map_err(|e| ExportError::Crl(e.to_string()))?;
    write_file(
        dir,
        "roots/jpki-auth.crl.pem",
        &pem("X509 CRL", crl.as_bytes()),
        summary,
    )?;
    // A lost card loses both certificates: the signing root revokes the same cards'.
    let signing: Vec<(u64, chrono::NaiveDateTime)> = population
        .personas()
        .iter()
        .filter(|p| !p.card.pinless)
        .filter_map(|p| {
            let c = &p.card.certificate;
            c.revoked_at
                .filter(|at| *at <= as_of)
                .map(|at| (crate::persona::cards::sign_serial(c.serial), at))
        })
        .collect();
    let crl = pki
        .crl(CaKind::Sign, &signing, as_of, next)
        .map_err(|e| ExportError::Crl(e.to_string()))?;
    write_file(
        dir,
        "roots/jpki-sign.crl.pem",
        &pem("X509 CRL", crl.as_bytes()),
        summary,
    )
}

/// Writes `text` atomically to `dir/name` and lists `name` among the files written.
fn write_file(
    dir: &Path,
    name: &str,
    text: &str,
    summary: &mut ExportSummary,
) -> Result<(), ExportError> {
    let path = dir.join(name);
    onshi_support::fsutil::write_atomic(&path, text.as_bytes()).map_err(io_err(&path))?;
    summary.files.push(name.to_owned());
    Ok(())
}

fn readme(population: &Population, issuer: &CertificateIssuer, format: ExportFormat) -> String {
    let ext = format.extension();
    format!(
        "# onshi population export\n\
         \n\
         Synthetic test persons for provisioning a qualification backend before onshi tests\n\
         it. Nothing here is real: names, numbers, My Numbers and certificates are made up.\n\
         \n\
         - seed: {seed}\n\
         - as-of: {as_of} (JST; every date below was resolved at this time)\n\
         - members: {total} = {personas} personas + {generated} generated\n\
         - format: {ext}\n\
         \n\
         `onshi serve`, `onshi run` and `onshi load` build the identical population from the same\n\
         seed, size, cards directory and as-of time (see `population.json`).\n\
         \n\
         ## Files\n\
         \n\
         | file | one row per |\n\
         |---|---|\n\
         | `persons.{ext}` | member: identity, card kind, 保険証利用登録, consents, non-disclosure, documents |\n\
         | `qualifications.{ext}` | qualification record: 保険者番号, 記号, 番号, 枝番, dates, ratios, 適用区分, the day the insurer registered it centrally (`registered_on`) and any accuracy hold |\n\
         | `certificate_links.{ext}` | member: the link from the user-authentication certificate (serial) to the person |\n\
         | `certificates.{ext}` | member: the certificate itself, DER in base64 |\n\
         | `roots/*.pem` | trust anchors: the test JPKI user-authentication and signing roots, the load-test root, the reader CA, and `jpki-auth.crl.pem` / `jpki-sign.crl.pem` (each root's CRL at the as-of) |\n\
         \n\
         A record is visible to online confirmation from `registered_on` (and after\n\
         `accuracy_hold_until`); before that the backend must answer as if it did not exist\n\
         (資格情報なし, FAQ-4-14 / FAQ-4-16).\n\
         \n\
         ## ⚠ Load-test simplification\n\
         \n\
         Personas' certificates are signed by the RSA test JPKI root. Generated members'\n\
         certificates are signed by an **Ed25519 load-test root** (`roots/load-auth-root.pem`,\n\
         `OU=onshi LOAD-TEST CA`) and their RSA keys come from a pool of {pool} keys shared\n\
         round-robin. Real cards never share keys and are always RSA-signed by J-LIS; trust\n\
         the load root only in load tests.\n\
         \n\
         `my_number_synthetic` exists only to check that the backend refuses a My Number as an\n\
         identifier (FAQ-4-20). Never use it to link records.\n",
        seed = population.seed(),
        as_of = dt(population.as_of()),
        total = population.len(),
        personas = population.persona_count(),
        generated = population.generated_count(),
        pool = issuer.pool().len(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_the_rows() {
        fn keys<T: Serialize>(row: &T) -> Vec<String> {
            let mut k: Vec<String> = serde_json::to_value(row)
                .unwrap()
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect();
            k.sort();
            k
        }
        fn sorted(h: &[&str]) -> Vec<String> {
            let mut v: Vec<String> = h.iter().map(|s| (*s).to_owned()).collect();
            v.sort();
            v
        }
        let link = CertificateLinkRow {
            person_id: String::new(),
            serial: String::new(),
            serial_hex: String::new(),
            root: "",
            issued_at: String::new(),
            expires_on: String::new(),
            renewed: false,
            revoked_at: None,
            sha256: String::new(),
        };
        assert_eq!(keys(&link), sorted(LINK_HEADERS));
        let cert = CertificateRow {
            serial_hex: String::new(),
            person_id: String::new(),
            root: "",
            der_base64: String::new(),
        };
        assert_eq!(keys(&cert), sorted(CERT_HEADERS));
        // A 医療扶助 record whose 医療券 is not registered says so.
        let set = crate::defaults::personas(None).unwrap();
        let p = set
            .get("medical-aid-ticket-pending")
            .unwrap()
            .resolve(crate::defaults::default_as_of(), 1);
        let q = rows::qualification_row(&p.id, 0, &p.qualifications[0]);
        assert_eq!(keys(&q), sorted(QUALIFICATION_HEADERS));
        assert_eq!(q.medical_aid_ticket_registered, Some(false));
        assert_eq!(q.medical_aid_payer_number.as_deref(), Some("12420014"));
        assert_eq!(
            csv_cell(&Value::String("a,\"b\"".into())),
            "\"a,\"\"b\"\"\""
        );
        assert_eq!(csv_cell(&Value::Null), "");
        assert_eq!(csv_cell(&Value::Bool(true)), "true");
    }
}
