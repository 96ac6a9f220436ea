//! The bulk inquiry (一括照会) of a facility's booked patients: upload, download,
//! every unit checked against the ground truth.

use chrono::NaiveDateTime;

use super::calls::{Member, Run};
use super::env::{Desk, Env};
use super::expect;
use super::metrics::FailureKind;
use super::visit::ratio_kind;
use super::wire::Wire;
use onshi_domain::message::{
    BulkConfirmUnit, BulkDownloadRequest, BulkQualificationRequest, BulkQualificationResponse,
    BulkUploadAck,
};
use onshi_world::oracle::{self, VisitRecord};
use onshi_world::population::PersonIndex;

/// The bulk inquiry of the facility's booked patients; returns the units checked.
pub(crate) async fn bulk<W: Wire>(run: &mut Run<'_, W>, now: NaiveDateTime) -> u32 {
    let desk = run.desk;
    run.member = Member::Label(format!("{} booked", desk.booked.len()));
    let (req, members) = bulk_request(run.env, desk, now);
    let Some(ack) = upload(run, &req).await else {
        return 0;
    };
    let down = BulkDownloadRequest {
        medical_institution_code: desk.code.clone(),
        arbitrary_file_identifier: Some(format!("ONSHI-LOAD-{}", desk.id)),
        reception_number: ack.reception_number,
    };
    let Some(result) = download(run, &down).await else {
        return 0;
    };
    if result.bulk_confirm_unit.len() != members.len() {
        run.failures.push((
            FailureKind::Malformed,
            format!(
                "bulk: {} units for {} searches",
                result.bulk_confirm_unit.len(),
                members.len()
            ),
        ));
    }
    let mut units = 0;
    for (unit, &(m, record)) in result.bulk_confirm_unit.iter().zip(&members) {
        if check_unit(run, &result, unit, (m, record), now) {
            units += 1;
        }
    }
    units
}

/// The upload of the booked patients with a known record: the request, and the
/// member and record of each search in order.
fn bulk_request(
    env: &Env,
    desk: Desk<'_>,
    now: NaiveDateTime,
) -> (BulkQualificationRequest, Vec<(PersonIndex, usize)>) {
    let mut members = Vec::with_capacity(desk.booked.len());
    let mut infos = Vec::with_capacity(desk.booked.len());
    for &m in desk.booked {
        let Some(p) = env.population.person(m) else {
            continue;
        };
        let record = expect::numbers_record(&p, now);
        let Some(q) = p.qualifications.get(record) else {
            continue;
        };
        infos.push(q.search_info(p.person.birth_date));
        members.push((m, record));
    }
    let req = BulkQualificationRequest::booked(
        now.date(),
        desk.code.clone(),
        format!("ONSHI-LOAD-{}", desk.id),
        infos,
    );
    (req, members)
}

/// Uploads, retried after no answer; `None` (the failure recorded) when it fails.
async fn upload<W: Wire>(
    run: &mut Run<'_, W>,
    req: &BulkQualificationRequest,
) -> Option<BulkUploadAck> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let timed = run.wire.bulk_upload(req).await;
        match run.note("bulk-upload", timed) {
            Ok(a) => return Some(a),
            Err(e) => {
                if run.again(&e, attempt).await {
                    continue;
                }
                run.failed(&e, "bulk upload");
                return None;
            }
        }
    }
}

/// Downloads, again while in progress and after no answer; `None` (the failure
/// recorded) when it fails.
async fn download<W: Wire>(
    run: &mut Run<'_, W>,
    down: &BulkDownloadRequest,
) -> Option<BulkQualificationResponse> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let timed = run.wire.bulk_download(down).await;
        match run.note("bulk-download", timed) {
            Ok(r)
                if r.message_header.segment_of_result
                    == onshi_domain::codes::SegmentOfResult::InProgress
                    && attempt < run.env.retry.max_attempts =>
            {
                run.retries += 1;
                tokio::time::sleep(run.env.retry.backoff).await;
            }
            Ok(r) => return Some(r),
            Err(e) => {
                if run.again(&e, attempt).await {
                    continue;
                }
                run.failed(&e, "bulk download");
                return None;
            }
        }
    }
}

/// Checks one unit against the ground truth (validity, right person, ratio), its
/// failures named with the member's id; whether the member was known.
fn check_unit<W: Wire>(
    run: &mut Run<'_, W>,
    result: &BulkQualificationResponse,
    unit: &BulkConfirmUnit,
    (m, record): (PersonIndex, usize),
    now: NaiveDateTime,
) -> bool {
    let env = run.env;
    let Some(p) = env.population.person(m) else {
        return false;
    };
    let id = env.population.id_of(m).unwrap_or_default();
    let mut as_response = result.unit_response(unit);
    as_response.message_header.medical_institution_code = run.desk.code.clone();
    let before = run.failures.len();
    let expected = expect::numbers(&env.calendar, &p, record, now);
    run.check_expected(&as_response, &[expected], "bulk unit");
    let record = VisitRecord {
        persona: &p,
        now,
        medical_consent: true,
        trace: None,
        responses: std::slice::from_ref(&as_response),
        requests: &[],
        decision: None,
        public_expense_shown: false,
    };
    let person = oracle::checks::right_person(&record);
    if !person.passed {
        run.failures.push((
            FailureKind::WrongPerson,
            format!("bulk unit: {}", person.message),
        ));
    }
    if let Some(v) = oracle::checks::ratio_carried(&record)
        && !v.passed
    {
        run.failures.push((
            ratio_kind(&p, now, std::slice::from_ref(&as_response)),
            format!("bulk unit: {}", v.message),
        ));
    }
    for f in &mut run.failures[before..] {
        f.1 = format!("{id}: {}", f.1);
    }
    true
}
