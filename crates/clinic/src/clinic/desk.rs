//! One visit at the reference clinic: the pure desk ([`DeskVisit`]) decides whether it
//! wants the printed numbers checked online, this shell sends that query through the
//! backend it is given and records the exchange, and the desk answers.

use onshi_backend::backend::QualificationBackend;
use onshi_domain::clinic::wire::ExchangeWire;
use onshi_domain::clinic::{
    ClinicAnswer, ClinicDefect, ClinicRequestError, ClinicVisitRequest, DeskVisit, NumbersReply,
};
use onshi_domain::rules::RulesCalendar;

/// The label of a numbers query in the exchanges.
pub const NUMBERS_LABEL: &str = "POST /v1/confirmations/numbers";

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
            exchanges.push(ExchangeWire {
                label: NUMBERS_LABEL.to_owned(),
                request: serde_json::to_string_pretty(&query).unwrap_or_default(),
                response: match &result {
                    Ok(r) => serde_json::to_string_pretty(r).unwrap_or_default(),
                    Err(e) => e.to_string(),
                },
            });
            Some(match result {
                Ok(r) => NumbersReply::Answered(Box::new(r)),
                // A line down, no answer in time or a 5xx: the system is unavailable.
                Err(e) if e.is_unavailable() => NumbersReply::Unreachable,
                Err(_) => NumbersReply::Failed,
            })
        }
    };
    let mut answer = desk.decide(calendar, reply.as_ref(), defects);
    answer.numbers_queries = exchanges;
    Ok(answer)
}
