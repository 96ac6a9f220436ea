//! 一括照会 (`OQSmuquc01req` → 受付番号, `OQSmuquc02req` → results): the facility checks
//! its booked patients by their printed numbers in one upload and one download. Each
//! unit is judged as a numbers answer is: it shows the patient searched for (FAQ-4-17)
//! with the validity the record has on the day.

use std::time::Duration;

use cucumber::{then, when};

use onshi::backend::QualificationBackend;
use onshi::codes::{QualificationValidity, SegmentOfResult};
use onshi::conformance::world::{Need, OnshiWorld};
use onshi::message::{BulkDownloadRequest, BulkQualificationRequest};
use onshi::oracle::{Check, VisitRecord, checks};
use onshi::report::Exchange;

use super::world::failed_verdict;

/// How often the download is asked again while the centre answers 処理中.
const DOWNLOAD_TRIES: u32 = 50;
const DOWNLOAD_PAUSE: Duration = Duration::from_millis(100);
const FILE_IDENTIFIER: &str = "ONSHI-BULK";

fn body<T: serde::Serialize, E: std::fmt::Display>(r: &Result<T, E>) -> String {
    match r {
        Ok(v) => serde_json::to_string_pretty(v).unwrap_or_default(),
        Err(e) => e.to_string(),
    }
}

#[when(regex = r"^受付が予約患者の資格を一括照会する$")]
async fn bulk_inquiry(w: &mut OnshiWorld) -> Result<(), String> {
    w.needs(Need::Bulk)?;
    let backend = w.backend()?;
    let day = w.now.date();
    let mut searched = Vec::new();
    for id in w.patients.clone() {
        let p = w
            .env
            .personas
            .get(&id)
            .ok_or_else(|| format!("unknown persona {id:?}"))?;
        let q = p
            .true_qualification(day)
            .ok_or_else(|| format!("{id} holds no qualification on {day}"))?;
        searched.push((id, q.search_info(p.person.birth_date)));
    }
    if searched.is_empty() {
        return Err("no patient is booked (name them with 前提 患者は \"…\" である)".into());
    }
    let facility = w.env.reader.facility.clone();
    let req = BulkQualificationRequest::booked(
        day,
        facility.clone(),
        FILE_IDENTIFIER.to_owned(),
        searched.iter().map(|(_, s)| s.clone()),
    );
    let ack = backend.bulk_upload(&req).await;
    w.exchanges.push(Exchange {
        label: "OQSmuquc01req (一括照会)".into(),
        request: serde_json::to_string_pretty(&req).unwrap_or_default(),
        response: body(&ack),
    });
    let ack = ack.map_err(|e| format!("the bulk upload failed: {e}"))?;
    let down = BulkDownloadRequest {
        medical_institution_code: facility,
        arbitrary_file_identifier: Some(FILE_IDENTIFIER.to_owned()),
        reception_number: ack.reception_number,
    };
    let mut tries = 0;
    let result = loop {
        tries += 1;
        match backend.bulk_download(&down).await {
            Ok(r)
                if r.message_header.segment_of_result == SegmentOfResult::InProgress
                    && tries < DOWNLOAD_TRIES =>
            {
                tokio::time::sleep(DOWNLOAD_PAUSE).await;
            }
            other => break other,
        }
    };
    w.exchanges.push(Exchange {
        label: "OQSmuquc02req (一括照会結果)".into(),
        request: serde_json::to_string_pretty(&down).unwrap_or_default(),
        response: body(&result),
    });
    let result = result.map_err(|e| format!("the bulk download failed: {e}"))?;
    if result.bulk_confirm_unit.len() != searched.len() {
        return Err(format!(
            "{} units answer {} searches",
            result.bulk_confirm_unit.len(),
            searched.len()
        ));
    }
    w.bulk_units = searched
        .into_iter()
        .zip(&result.bulk_confirm_unit)
        .map(|((id, _), unit)| (id, result.unit_response(unit)))
        .collect();
    // The oracle: every unit shows the patient searched for, nobody else.
    for (id, response) in &w.bulk_units {
        let p = w
            .env
            .personas
            .get(id)
            .ok_or_else(|| format!("unknown persona {id:?}"))?;
        let record = VisitRecord {
            persona: p,
            now: w.now,
            medical_consent: true,
            trace: None,
            responses: std::slice::from_ref(response),
            requests: &[],
            decision: None,
            public_expense_shown: false,
        };
        let verdict = checks::right_person(&record).with(format!("the bulk unit for {id}"));
        w.verdicts.push(verdict);
    }
    Ok(())
}

#[then(regex = r"^一括照会の結果は患者ごとに本人のもので、すべて「有効」である$")]
fn every_unit_valid_and_own(w: &mut OnshiWorld) -> Result<(), String> {
    if w.bulk_units.is_empty() {
        return Err("no bulk inquiry was answered".into());
    }
    for (id, r) in &w.bulk_units {
        let validity = r.message_body.qualification_validity;
        if validity != Some(QualificationValidity::Valid) {
            return Err(format!(
                "the unit for {id} is {validity:?} ({:?})",
                r.message_body.processing_result_code
            ));
        }
    }
    failed_verdict(w, Check::RightPerson)
}
