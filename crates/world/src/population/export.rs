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
}

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

/// One person.
#[derive(Debug, Serialize)]
pub struct PersonRow {
    /// Persona id or `gen-NNNNNNNN`.
    pub person_id: String,
    /// Population index.
    pub index: u64,
    /// `persona` or `generated`.
    pub kind: &'static str,
    /// 氏名.
    pub name: String,
    /// 氏名カナ (full-width).
    pub name_kana: String,
    /// 生年月日.
    pub birth_date: String,
    /// Sex code (OQSCD007).
    pub sex: &'static str,
    /// 住所.
    pub address: String,
    /// 郵便番号.
    pub postal_code: Option<String>,
    /// Synthetic 個人番号 — for FAQ-4-20 tests only; never an identifier.
    pub my_number_synthetic: String,
    /// `standard` or `pinless`.
    pub card_kind: &'static str,
    /// Whether the user-authentication PIN is locked.
    pub auth_pin_locked: bool,
    /// 保険証利用登録: `registered`, `unregistered`, `cancelled`.
    pub registration: &'static str,
    /// When registered (JST).
    pub registered_at: Option<String>,
    /// 不開示.
    pub non_disclosure: bool,
    /// Consent to medical information at the reader.
    pub consent_medical_info: bool,
    /// Consent to limit information at the reader.
    pub consent_limit_info: bool,
    /// Carries a 資格情報のお知らせ.
    pub carries_notice: bool,
    /// 資格確認書 valid from.
    pub kakunin_valid_from: Option<String>,
    /// 資格確認書 valid to.
    pub kakunin_valid_to: Option<String>,
    /// Old 保険証 issued on.
    pub old_card_issued_on: Option<String>,
    /// Old 保険証 printed expiry.
    pub old_card_expires_on: Option<String>,
    /// Tags (`;`-separated in CSV).
    pub tags: String,
}

/// One qualification record.
#[derive(Debug, Serialize)]
pub struct QualificationRow {
    /// The person.
    pub person_id: String,
    /// Record number within the person (0 = oldest).
    pub record: usize,
    /// 保険者番号 (公費負担者番号 for 医療扶助).
    pub insurer_number: String,
    /// 保険者名称.
    pub insurer_name: String,
    /// 記号.
    pub symbol: String,
    /// 番号 (受給者番号 for 医療扶助).
    pub number: String,
    /// 枝番.
    pub branch: String,
    /// PersonalFamilyClassification code.
    pub personal_family_classification: &'static str,
    /// InsuredCardClassification code.
    pub insured_card_classification: &'static str,
    /// 資格取得日.
    pub acquired_on: String,
    /// 資格喪失日.
    pub lost_on: Option<String>,
    /// ReasonOfLoss code.
    pub reason_of_loss: Option<&'static str>,
    /// The day the insurer registered the record centrally (visible from then).
    pub registered_on: String,
    /// Accuracy hold until (visible from this day).
    pub accuracy_hold_until: Option<String>,
    /// InsuredPartialContributionRatio (3 digits).
    pub insured_partial_contribution_ratio: Option<String>,
    /// ElderlyRecipientContributionRatio (3 digits).
    pub elderly_recipient_contribution_ratio: Option<String>,
    /// 適用区分.
    pub limit_class: Option<&'static str>,
    /// Premium arrears (limit info withheld).
    pub premium_arrears: bool,
    /// 特定疾病 as `category:valid_from:valid_to:self_pay` items, `;`-separated.
    pub specific_diseases: String,
}

/// The link from a certificate to its person.
#[derive(Debug, Serialize)]
pub struct CertificateLinkRow {
    /// The person.
    pub person_id: String,
    /// Serial, decimal.
    pub serial: String,
    /// Serial, hex (16 digits).
    pub serial_hex: String,
    /// Issuing root (`jpki-auth` or `load-auth`).
    pub root: &'static str,
    /// Issued (JST).
    pub issued_at: String,
    /// Last valid day.
    pub expires_on: String,
    /// Issued by renewal.
    pub renewed: bool,
    /// Revoked at (JST).
    pub revoked_at: Option<String>,
    /// SHA-256 of the DER, hex.
    pub sha256: String,
}

/// One certificate.
#[derive(Debug, Serialize)]
pub struct CertificateRow {
    /// Serial, hex.
    pub serial_hex: String,
    /// The person.
    pub person_id: String,
    /// Issuing root.
    pub root: &'static str,
    /// DER, base64.
    pub der_base64: String,
}

const PERSON_HEADERS: &[&str] = &[
    "person_id",
    "index",
    "kind",
    "name",
    "name_kana",
    "birth_date",
    "sex",
    "address",
    "postal_code",
    "my_number_synthetic",
    "card_kind",
    "auth_pin_locked",
    "registration",
    "registered_at",
    "non_disclosure",
    "consent_medical_info",
    "consent_limit_info",
    "carries_notice",
    "kakunin_valid_from",
    "kakunin_valid_to",
    "old_card_issued_on",
    "old_card_expires_on",
    "tags",
];

const QUALIFICATION_HEADERS: &[&str] = &[
    "person_id",
    "record",
    "insurer_number",
    "insurer_name",
    "symbol",
    "number",
    "branch",
    "personal_family_classification",
    "insured_card_classification",
    "acquired_on",
    "lost_on",
    "reason_of_loss",
    "registered_on",
    "accuracy_hold_until",
    "insured_partial_contribution_ratio",
    "elderly_recipient_contribution_ratio",
    "limit_class",
    "premium_arrears",
    "specific_diseases",
];

const LINK_HEADERS: &[&str] = &[
    "person_id",
    "serial",
    "serial_hex",
    "root",
    "issued_at",
    "expires_on",
    "renewed",
    "revoked_at",
    "sha256",
];

const CERT_HEADERS: &[&str] = &["serial_hex", "person_id", "root", "der_base64"];

fn dt(t: chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The rows of one member.
pub struct MemberRows {
    /// The person.
    pub person: PersonRow,
    /// Its records.
    pub qualifications: Vec<QualificationRow>,
    /// Its certificate link.
    pub link: CertificateLinkRow,
    /// Its certificate.
    pub certificate: CertificateRow,
}

/// Builds the rows of member `index`.
pub fn member_rows(
    population: &Population,
    issuer: &CertificateIssuer,
    index: PersonIndex,
) -> Result<MemberRows, ExportError> {
    let p = population
        .person(index)
        .ok_or(CertIssueError::NoSuchMember(index))?;
    let cert = issuer.auth_certificate(population, index)?;
    Ok(rows_of(
        &p,
        index,
        population.is_generated(index),
        &cert.der,
        cert.root,
    ))
}

fn rows_of(
    p: &ResolvedPersona,
    index: PersonIndex,
    generated: bool,
    der: &Der,
    root: RootKind,
) -> MemberRows {
    let (registration, registered_at) = match p.registration {
        RegistrationState::Registered(at) => ("registered", at.map(dt)),
        RegistrationState::Unregistered => ("unregistered", None),
        RegistrationState::Cancelled => ("cancelled", None),
    };
    let person = PersonRow {
        person_id: p.id.clone(),
        index,
        kind: if generated { "generated" } else { "persona" },
        name: p.person.name.clone(),
        name_kana: p.person.name_kana.clone(),
        birth_date: p.person.birth_date.to_string(),
        sex: p.person.sex.code(),
        address: p.person.address.clone(),
        postal_code: p.person.postal_code.clone(),
        my_number_synthetic: p.person.my_number.clone(),
        card_kind: if p.card.pinless {
            "pinless"
        } else {
            "standard"
        },
        auth_pin_locked: p.card.auth_pin_locked(),
        registration,
        registered_at,
        non_disclosure: p.non_disclosure,
        consent_medical_info: p.consents.medical_info,
        consent_limit_info: p.consents.limit_info,
        carries_notice: p.documents.notice,
        kakunin_valid_from: p.documents.kakunin_sho.map(|k| k.0.to_string()),
        kakunin_valid_to: p.documents.kakunin_sho.map(|k| k.1.to_string()),
        old_card_issued_on: p.documents.old_card.map(|c| c.0.to_string()),
        old_card_expires_on: p
            .documents
            .old_card
            .and_then(|c| c.1)
            .map(|d| d.to_string()),
        tags: p.tags.join(";"),
    };
    let qualifications = p
        .qualifications
        .iter()
        .enumerate()
        .map(|(r, q)| QualificationRow {
            person_id: p.id.clone(),
            record: r,
            insurer_number: q.insurer_number.as_str().to_owned(),
            insurer_name: q.insurer_name.clone(),
            symbol: q.symbol.clone(),
            number: q.number.clone(),
            branch: q.branch.clone(),
            personal_family_classification: q.relationship.code(),
            insured_card_classification: q.card_classification.code(),
            acquired_on: q.acquired_on.to_string(),
            lost_on: q.lost_on.map(|d| d.to_string()),
            reason_of_loss: q.loss_reason.map(|r| r.code()),
            registered_on: q.registered_on.to_string(),
            accuracy_hold_until: q.accuracy_hold_until.map(|d| d.to_string()),
            insured_partial_contribution_ratio: q.ratio.map(|r| r.code()),
            elderly_recipient_contribution_ratio: q.elderly_ratio.map(|r| r.code()),
            limit_class: q.limit_class.map(|c| c.code()),
            premium_arrears: q.premium_arrears,
            specific_diseases: q
                .specific_diseases
                .iter()
                .map(|s| {
                    format!(
                        "{}:{}:{}:{}",
                        s.category.code(),
                        s.valid_from,
                        s.valid_to.map(|d| d.to_string()).unwrap_or_default(),
                        s.self_pay
                    )
                })
                .collect::<Vec<_>>()
                .join(";"),
        })
        .collect();
    let c = &p.card.certificate;
    let link = CertificateLinkRow {
        person_id: p.id.clone(),
        serial: c.serial.to_string(),
        serial_hex: format!("{:016X}", c.serial),
        root: root.name(),
        issued_at: dt(c.issued_at),
        expires_on: c.expires_on.to_string(),
        renewed: c.renewed,
        revoked_at: c.revoked_at.map(dt),
        sha256: hex(&der.sha256()),
    };
    let certificate = CertificateRow {
        serial_hex: format!("{:016X}", c.serial),
        person_id: p.id.clone(),
        root: root.name(),
        der_base64: BASE64.encode(der.as_bytes()),
    };
    MemberRows {
        person,
        qualifications,
        link,
        certificate,
    }
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
    let mut persons = TableWriter::create(dir, "persons", format, PERSON_HEADERS)?;
    let mut quals = TableWriter::create(dir, "qualifications", format, QUALIFICATION_HEADERS)?;
    let mut links = TableWriter::create(dir, "certificate_links", format, LINK_HEADERS)?;
    let mut certs = TableWriter::create(dir, "certificates", format, CERT_HEADERS)?;
    let threads = threads.max(1);
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
        let per = (end - start).div_ceil(threads as u64);
        let parts: Vec<Result<Vec<MemberRows>, ExportError>> = std::thread::scope(|s| {
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
        });
        for part in parts {
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

    let reader_ca =
        ReaderCa::generate(population.seed()).map_err(|e| ExportError::ReaderCa(e.to_string()))?;
    let roots = [
        (
            "roots/jpki-auth-root.pem",
            issuer
                .factory()
                .pki()
                .root(CaKind::Auth)
                .cert_der()
                .to_vec(),
        ),
        (
            "roots/load-auth-root.pem",
            issuer.load_root().cert_der().to_vec(),
        ),
        ("roots/reader-ca.pem", reader_ca.cert_der().to_vec()),
    ];
    for (name, der) in roots {
        let path = dir.join(name);
        onshi_support::fsutil::write_atomic(&path, pem("CERTIFICATE", &der).as_bytes())
            .map_err(io_err(&path))?;
        summary.files.push(name.to_owned());
    }
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
    let meta_path = dir.join("population.json");
    let text = serde_json::to_string_pretty(&meta).unwrap_or_default() + "\n";
    onshi_support::fsutil::write_atomic(&meta_path, text.as_bytes()).map_err(io_err(&meta_path))?;
    summary.files.push("population.json".into());
    let readme = readme(population, issuer, format);
    let readme_path = dir.join("README.md");
    onshi_support::fsutil::write_atomic(&readme_path, readme.as_bytes())
        .map_err(io_err(&readme_path))?;
    summary.files.push("README.md".into());
    Ok(summary)
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
         | `roots/*.pem` | trust anchors: the test JPKI user-authentication root, the load-test root, the reader CA |\n\
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
        assert_eq!(
            csv_cell(&Value::String("a,\"b\"".into())),
            "\"a,\"\"b\"\"\""
        );
        assert_eq!(csv_cell(&Value::Null), "");
        assert_eq!(csv_cell(&Value::Bool(true)), "true");
    }
}
