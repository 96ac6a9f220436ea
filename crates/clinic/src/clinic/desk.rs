//! One visit at the reference clinic: the pure desk ([`DeskVisit`]) decides whether it
//! wants the printed numbers checked online, this shell sends that query through the
//! backend it is given and records the exchange, and the desk answers.

use onshi_backend::backend::QualificationBackend;
use onshi_domain::clinic::wire::ExchangeWire;
use onshi_domain::clinic::{
    ClinicAnswer, ClinicDefect, ClinicRequestError, ClinicVisitRequest, DeskVisit, NumbersReply,
    RecoveryAnswer, RecoveryRequest, recovery_answer, recovery_query,
};
use onshi_domain::rules::RulesCalendar;

/// The label of a numbers query in the exchanges.
pub const NUMBERS_LABEL: &str = "POST /v1/confirmations/numbers";

/// The label of a 緊急時 query (by the 基本4情報) in the exchanges.
pub const EMERGENCY_LABEL: &str = "POST /v1/confirmations/emergency";

/// A backend's answer as the desk reads it; the exchange recorded.
fn reply_of<T: serde::Serialize>(
    label: &str,
    query: &T,
    result: Result<
        onshi_domain::message::QualificationResponse,
        onshi_backend::backend::BackendError,
    >,
    exchanges: &mut Vec<ExchangeWire>,
) -> NumbersReply {
    exchanges.push(ExchangeWire {
        label: label.to_owned(),
        request: serde_json::to_string_pretty(query).unwrap_or_default(),
        response: match &result {
            Ok(r) => serde_json::to_string_pretty(r).unwrap_or_default(),
            Err(e) => e.to_string(),
        },
    });
    match result {
        Ok(r) => NumbersReply::Answered(Box::new(r)),
        // A line down, no answer in time or a 5xx: the system is unavailable.
        Err(e) if e.is_unavailable() => NumbersReply::Unreachable,
        Err(_) => NumbersReply::Failed,
    }
}

/// Attends one patient: reads `req`, makes the desk's numbers query through `backend`
/// when it wants one, and decides (with the reference clinic's `defects`).
pub async fn attend<B: QualificationBackend>(
    calendar: &RulesCalendar,
    req: &ClinicVisitRequest,
    backend: &B,
    defects: &[ClinicDefect],
) -> Result<ClinicAnswer, ClinicRequestError> {
    let desk = DeskVisit::from_request(req)?;
    let mut exchanges = Vec::new();
    let reply = match desk.numbers_query(calendar) {
        None => None,
        Some(query) => {
            let result = backend.confirm_numbers(&query).await;
            Some(reply_of(NUMBERS_LABEL, &query, result, &mut exchanges))
        }
    };
    let mut answer = desk.decide(calendar, reply.as_ref(), defects);
    answer.numbers_queries = exchanges;
    Ok(answer)
}

/// After an outage: confirms the noted patient by the 基本4情報 through `backend` (the
/// 緊急時医療情報・資格確認機能) and says what is billed now.
pub async fn recover<B: QualificationBackend>(
    req: &RecoveryRequest,
    backend: &B,
    defects: &[ClinicDefect],
) -> Result<RecoveryAnswer, ClinicRequestError> {
    let mut exchanges = Vec::new();
    let reply = match recovery_query(req, defects)? {
        None => None,
        Some(query) => {
            let result = backend.confirm_emergency(&query).await;
            Some(reply_of(EMERGENCY_LABEL, &query, result, &mut exchanges))
        }
    };
    Ok(recovery_answer(req, reply.as_ref(), exchanges))
}
