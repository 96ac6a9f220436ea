//! The reference clinic's desk as a pure function of what it received: a
//! [`ClinicVisitRequest`] becomes a [`DeskVisit`]; the desk says whether it wants its
//! own numbers query ([`DeskVisit::numbers_query`]); given the query's reply it decides
//! ([`rules::decide`](crate::rules::decide)) and answers a [`ClinicAnswer`]. The shell
//! (`onshi-clinic`) sends the query; the suite's in-process desk and `onshi clinic
//! serve` run this same code.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{NaiveDate, NaiveDateTime};

use super::defects::ClinicDefect;
use super::wire::{
    ClinicAnswer, ClinicVisitRequest, DocumentWire, NoticeFormWire, NumberCheckPolicy,
    PrintedNumbers, Question, ReaderAtClinic, SchoolCopyFormWire,
};
use crate::codes::{ContributionRatio, InsurerNumber};
use crate::message::{MedicalInstitutionCode, QualificationResponse};
use crate::protocol::wire::NumbersConfirmationRequest;
use crate::protocol::{PresentedPerson, ResultCode, confirmation_outcome};
use crate::rules::{
    Basis, CardAtDesk, ClinicDecision, ConfirmationCertificate, ConfirmationFailure,
    ConfirmationOutcome, Document, Facility, NoticeForm, OldInsuranceCard, PatientStance,
    PortalScreen, QualificationNotice, RatioFields, RulesCalendar, SchoolCopyForm, SchoolEventCopy,
    TemporaryDocument, Visit, decide, derive_copay,
};

/// Why a clinic-control request cannot be served (an HTTP 400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClinicRequestError {
    /// `facility.medical_institution_code` is not a 医療機関コード.
    #[error("facility.medical_institution_code: {0}")]
    FacilityCode(String),
    /// The result file is not base64 or not an `OQSsiquc01res` document.
    #[error("card.reader.xml: {0}")]
    ResultFile(String),
    /// A document's 保険者番号 is not one.
    #[error("documents[{index}].numbers.insurer_number: {detail}")]
    InsurerNumber {
        /// Which document.
        index: usize,
        /// Why.
        detail: String,
    },
}

/// What the clinic's numbers query produced.
#[derive(Debug, Clone, PartialEq)]
pub enum NumbersReply {
    /// The backend answered (any validity, a refusal included).
    Answered(Box<QualificationResponse>),
    /// The backend could not be reached (回線障害).
    Unreachable,
    /// Any other failure (a refusal by status, an unreadable answer, a timeout).
    Failed,
}

/// One visit as the desk understands it.
#[derive(Debug, Clone, PartialEq)]
pub struct DeskVisit {
    visit: Visit,
    name: String,
    time: NaiveDateTime,
    facility_code: MedicalInstitutionCode,
    card_response: Option<QualificationResponse>,
    numbers_source: Option<PrintedNumbers>,
    document_numbers: Vec<PrintedNumbers>,
    policy: NumberCheckPolicy,
    limit_consent: Option<bool>,
}

fn document(
    index: usize,
    d: &DocumentWire,
) -> Result<(Document, PrintedNumbers), ClinicRequestError> {
    let numbers = match d {
        DocumentWire::Notice { numbers, .. }
        | DocumentWire::PortalScreen { numbers, .. }
        | DocumentWire::ConfirmationCertificate { numbers, .. }
        | DocumentWire::OldInsuranceCard { numbers, .. }
        | DocumentWire::SchoolEventCopy { numbers, .. } => numbers.clone(),
    };
    let insurer = InsurerNumber::parse(&numbers.insurer_number).map_err(|e| {
        ClinicRequestError::InsurerNumber {
            index,
            detail: e.to_string(),
        }
    })?;
    let doc = match d.clone() {
        DocumentWire::Notice { form, ratio, .. } => Document::Notice(QualificationNotice {
            insurer,
            form: match form {
                NoticeFormWire::Paper => NoticeForm::Paper,
                NoticeFormWire::PortalPdf => NoticeForm::PortalPdf,
            },
            ratio,
        }),
        DocumentWire::PortalScreen { ratio, .. } => {
            Document::PortalScreen(PortalScreen { insurer, ratio })
        }
        DocumentWire::ConfirmationCertificate {
            valid_from,
            valid_to,
            ratio,
            ..
        } => Document::ConfirmationCertificate(ConfirmationCertificate {
            insurer,
            valid_from,
            valid_to,
            ratio,
        }),
        DocumentWire::OldInsuranceCard {
            issued_on,
            expires_on,
            insurer_changed_on,
            ratio,
            ..
        } => Document::OldInsuranceCard(OldInsuranceCard {
            insurer,
            issued_on,
            expires_on,
            insurer_changed_on,
            ratio,
        }),
        DocumentWire::SchoolEventCopy { form, ratio, .. } => {
            Document::SchoolEventCopy(SchoolEventCopy {
                form: match form {
                    SchoolCopyFormWire::PortalPdf => SchoolCopyForm::PortalPdf,
                    SchoolCopyFormWire::PortalPrint => SchoolCopyForm::PortalPrint,
                    SchoolCopyFormWire::NoticeCopy => SchoolCopyForm::NoticeCopy,
                },
                insurer,
                ratio,
            })
        }
    };
    Ok((doc, numbers))
}

impl ReaderAtClinic {
    /// What the window makes of what the reader displayed: the failure it stands for
    /// (`None` for a result file, which is read instead). The one map from a reader's
    /// display to the clinic's input, used by the reference desk and by `onshi load`.
    pub fn displayed_failure(&self) -> Option<ConfirmationFailure> {
        Some(match self {
            ReaderAtClinic::ResultFile { .. } => return None,
            ReaderAtClinic::CardUnreadable | ReaderAtClinic::NotMyNumberCard => {
                ConfirmationFailure::CardUnreadable
            }
            ReaderAtClinic::AuthenticationFailed => ConfirmationFailure::AuthenticationFailed,
            ReaderAtClinic::RegistrationMissing => ConfirmationFailure::RegistrationMissing,
            ReaderAtClinic::Refused { code } => code
                .as_deref()
                .and_then(ResultCode::parse)
                .and_then(ResultCode::confirmation_failure)
                .unwrap_or(ConfirmationFailure::BackendError),
            ReaderAtClinic::BackendUnavailable => ConfirmationFailure::BackendUnreachable,
        })
    }
}

/// Reads a face-result file (base64 of Shift_JIS or UTF-8 XML).
pub fn read_result_file(xml_base64: &str) -> Result<QualificationResponse, ClinicRequestError> {
    let bytes = BASE64
        .decode(xml_base64)
        .map_err(|e| ClinicRequestError::ResultFile(format!("not base64: {e}")))?;
    crate::xml::decode::<QualificationResponse>(&bytes)
        .map_err(|e| ClinicRequestError::ResultFile(e.to_string()))
}

fn usable(o: &ConfirmationOutcome) -> bool {
    matches!(o, ConfirmationOutcome::Answered(r) if r.usable())
}

fn billed_from(r: &QualificationResponse) -> Option<PrintedNumbers> {
    let first = r.message_body.result_list.first()?;
    Some(PrintedNumbers {
        insurer_number: first.insurer_number.as_ref()?.as_str().to_owned(),
        symbol: first.insured_card_symbol.clone(),
        number: first.insured_identification_number.clone()?,
        branch: first.insured_branch_number.clone(),
    })
}

impl DeskVisit {
    /// Reads a request: the result file parsed, the documents typed.
    pub fn from_request(req: &ClinicVisitRequest) -> Result<Self, ClinicRequestError> {
        let facility_code = MedicalInstitutionCode::parse(&req.facility.medical_institution_code)
            .map_err(|e| ClinicRequestError::FacilityCode(e.to_string()))?;
        let birth_date: NaiveDate = req.patient.birth_date;
        let presented = PresentedPerson {
            name: &req.patient.name,
            birth_date,
        };
        let mut card_response = None;
        let card = if req.card.presented {
            let reader = match &req.card.reader {
                None => None,
                Some(ReaderAtClinic::ResultFile { xml, .. }) => {
                    let response = read_result_file(xml)?;
                    let outcome = confirmation_outcome(&response, presented);
                    card_response = Some(response);
                    Some(outcome)
                }
                Some(shown) => Some(ConfirmationOutcome::Failed(
                    shown
                        .displayed_failure()
                        .unwrap_or(ConfirmationFailure::BackendError),
                )),
            };
            CardAtDesk::Presented { reader }
        } else {
            CardAtDesk::NotPresented
        };
        let mut documents = Vec::new();
        let mut document_numbers = Vec::new();
        for (i, d) in req.documents.iter().enumerate() {
            let (doc, numbers) = document(i, d)?;
            documents.push(doc);
            document_numbers.push(numbers);
        }
        // The numbers the desk keys in: the first document's, else the clinic's record.
        let numbers_source = document_numbers
            .first()
            .cloned()
            .or_else(|| req.clinic_record.clone());
        let stance = if req.answers.declares_no_insurance {
            PatientStance::DeclaresUninsured
        } else if req.answers.fills_in_declaration {
            PatientStance::Cooperates
        } else {
            PatientStance::DeclinesDeclaration
        };
        Ok(Self {
            visit: Visit {
                as_of: req.visit_time.date(),
                birth_date,
                setting: req.facility.care_setting.into(),
                facility: Facility {
                    online_confirmation: req.facility.online_confirmation,
                    reader: req.facility.reader.into(),
                    network: req.facility.network.into(),
                },
                card,
                documents,
                number_check: None,
                stance,
            },
            name: req.patient.name.clone(),
            time: req.visit_time,
            facility_code,
            card_response,
            numbers_source,
            document_numbers,
            policy: req.number_check,
            limit_consent: req.limit_consent,
        })
    }

    fn presented(&self) -> PresentedPerson<'_> {
        PresentedPerson {
            name: &self.name,
            birth_date: self.visit.birth_date,
        }
    }

    /// The card path's result as the window reads it.
    pub fn card_outcome(&self) -> Option<ConfirmationOutcome> {
        match self.visit.card {
            CardAtDesk::Presented { reader } => reader,
            CardAtDesk::NotPresented => None,
        }
    }

    /// The numbers query the desk makes, if any: when told to (or, `when-needed`, when
    /// the card gave nothing usable), numbers are at hand and the facility can check
    /// numbers online on the day.
    pub fn numbers_query(&self, calendar: &RulesCalendar) -> Option<NumbersConfirmationRequest> {
        let card_ok = self.card_outcome().as_ref().is_some_and(usable);
        let wants = match self.policy {
            NumberCheckPolicy::Always => true,
            NumberCheckPolicy::WhenNeeded => !card_ok,
            NumberCheckPolicy::Never => false,
        };
        let numbers = self.numbers_source.clone()?;
        if !wants
            || self
                .visit
                .facility
                .number_path(calendar, self.visit.as_of)
                .is_err()
        {
            return None;
        }
        Some(NumbersConfirmationRequest {
            medical_institution_code: self.facility_code.clone(),
            arbitrary_file_identifier: None,
            confirmation_time: Some(self.time),
            insurer_number: numbers.insurer_number,
            insured_card_symbol: numbers.symbol.filter(|s| !s.is_empty()),
            insured_identification_number: numbers.number,
            insured_branch_number: numbers.branch,
            birthdate: self.visit.birth_date,
            limit_consent: self.limit_consent,
        })
    }

    /// The decision, given the reply to the numbers query (if one was made), with the
    /// reference clinic's deliberate `defects`. `numbers_queries` is left for the shell.
    pub fn decide(
        mut self,
        calendar: &RulesCalendar,
        numbers: Option<&NumbersReply>,
        defects: &[ClinicDefect],
    ) -> ClinicAnswer {
        let numbers_outcome = numbers.map(|reply| match reply {
            NumbersReply::Answered(r) => confirmation_outcome(r, self.presented()),
            NumbersReply::Unreachable => {
                ConfirmationOutcome::Failed(ConfirmationFailure::BackendUnreachable)
            }
            NumbersReply::Failed => ConfirmationOutcome::Failed(ConfirmationFailure::BackendError),
        });
        self.visit.number_check = numbers_outcome;
        let mut decision = decide(calendar, &self.visit);
        let card_usable = self.card_outcome().as_ref().is_some_and(usable);
        let numbers_usable = numbers_outcome.as_ref().is_some_and(usable);
        let billed = if !decision.basis.is_insured_care() {
            None
        } else if decision.basis == Basis::OnlineCard && card_usable {
            self.card_response.as_ref().and_then(billed_from)
        } else if let (true, Some(NumbersReply::Answered(r))) = (numbers_usable, numbers) {
            billed_from(r)
        } else {
            self.document_numbers.first().cloned()
        };
        let asked_before_defects =
            matches!(decision.basis, Basis::Declaration | Basis::NotInsured(_));
        for defect in defects {
            self.apply(
                *defect,
                &mut decision,
                card_usable || numbers_usable,
                numbers.is_some(),
            );
        }
        ClinicAnswer {
            basis: decision.basis.into(),
            copay: decision.copay,
            ratio_source: decision.ratio_source.map(Into::into),
            billed: if decision.basis.is_insured_care() {
                billed
            } else {
                None
            },
            asked: if asked_before_defects {
                vec![Question::Declaration]
            } else {
                Vec::new()
            },
            numbers_queries: Vec::new(),
            notes: decision.notes.iter().map(ToString::to_string).collect(),
        }
    }

    fn apply(
        &self,
        defect: ClinicDefect,
        d: &mut ClinicDecision,
        online_usable: bool,
        numbers_asked: bool,
    ) {
        match defect {
            ClinicDefect::Charges10WariOnNoRecord => {
                let online_tried = self.card_outcome().is_some() || numbers_asked;
                if online_tried && !online_usable {
                    d.copay = ContributionRatio::FULL;
                    d.ratio_source = None;
                }
            }
            ClinicDefect::IgnoresRatio => {
                if !d.copay.is_full_cost() {
                    d.copay = ContributionRatio::THIRTY;
                }
            }
            ClinicDefect::AcceptsNoticeAlone => {
                let alone = matches!(self.visit.card, CardAtDesk::NotPresented)
                    && self.holds(|doc| matches!(doc, Document::Notice(_)));
                if alone {
                    self.accept_instead(d, Basis::TemporaryMeasure(TemporaryDocument::NoticeAlone));
                }
            }
            ClinicDefect::AcceptsExpiredOldCard => {
                if self.holds(|doc| matches!(doc, Document::OldInsuranceCard(_))) {
                    self.accept_instead(d, Basis::OldInsuranceCard);
                }
            }
        }
    }

    fn holds(&self, what: impl Fn(&Document) -> bool) -> bool {
        self.visit.documents.iter().any(what)
    }

    /// A defect's acceptance: where the reference desk fell back to the 申立書 (or to
    /// 10割), `basis` instead, at the document's copay.
    fn accept_instead(&self, d: &mut ClinicDecision, basis: Basis) {
        if !matches!(d.basis, Basis::Declaration | Basis::NotInsured(_)) {
            return;
        }
        d.basis = basis;
        if d.copay.is_full_cost() {
            let family = self
                .visit
                .documents
                .first()
                .map(|doc| doc.insurer().family());
            let fields = RatioFields {
                insurer_family: family,
                ..RatioFields::default()
            };
            let copay = derive_copay(self.visit.birth_date, self.visit.as_of, &fields);
            d.copay = copay.ratio;
            d.ratio_source = Some(copay.source);
        }
    }
}
