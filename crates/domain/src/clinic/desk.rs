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
    CardFrontCheck, CardSide, ClinicAnswer, ClinicVisitRequest, DocumentWire, MAX_PAYMENTS,
    MAX_YEN, NotedPatient, NoticeFormWire, NumberCheckPolicy, PrintedNumbers, Question,
    ReaderAtClinic, SchoolCopyFormWire,
};
use crate::codes::{ContributionRatio, InsurerNumber, LimitClass, QualificationValidity, Sex};
use crate::message::{MedicalInstitutionCode, QualificationResponse};
use crate::protocol::wire::NumbersConfirmationRequest;
use crate::protocol::{PresentedPerson, ResultCode, confirmation_outcome};
use crate::rules::{
    Basis, CardAtDesk, ClinicDecision, ConfirmationCertificate, ConfirmationFailure,
    ConfirmationOutcome, Document, Facility, NetworkState, NoticeForm, OldInsuranceCard,
    PatientStance, PortalScreen, PublicExpenseCertificate, QualificationNotice, RatioFields,
    RatioSource, RulesCalendar, SchoolCopyForm, SchoolEventCopy, TemporaryDocument, Visit,
    WindowPayment, decide, derive_copay, window_charge, with_public_expense,
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
    /// `medical_fee` or a payment is out of range, or too many payments.
    #[error("{field}: {detail}")]
    Amount {
        /// The field, e.g. `payments[2].paid`.
        field: String,
        /// Why.
        detail: String,
    },
    /// A 公費 certificate's numbers are not digits of the right length.
    #[error("documents[{index}].{field}: {detail}")]
    PublicExpense {
        /// Which document.
        index: usize,
        /// `payer_number` or `recipient_number`.
        field: &'static str,
        /// Why.
        detail: String,
    },
    /// A noted 基本4情報 field is empty or too long (a recovery request).
    #[error("noted.{field}: {detail}")]
    Noted {
        /// `name` or `address`.
        field: &'static str,
        /// Why.
        detail: String,
    },
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
    medical_fee: u64,
    payments: Vec<WindowPayment>,
    public_expense: Option<PublicExpenseCertificate>,
    clinic_record: Option<PrintedNumbers>,
    identity_in_doubt: bool,
    sex: Sex,
    address: String,
}

fn digits(
    index: usize,
    field: &'static str,
    value: &str,
    len: usize,
) -> Result<String, ClinicRequestError> {
    if value.len() == len && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(value.to_owned())
    } else {
        Err(ClinicRequestError::PublicExpense {
            index,
            field,
            detail: format!("must be {len} digits"),
        })
    }
}

fn yen(field: String, value: u64) -> Result<u64, ClinicRequestError> {
    if value <= MAX_YEN {
        Ok(value)
    } else {
        Err(ClinicRequestError::Amount {
            field,
            detail: format!("{value} is above the limit of {MAX_YEN} yen"),
        })
    }
}

fn payments(
    req: &ClinicVisitRequest,
    visit: NaiveDate,
) -> Result<Vec<WindowPayment>, ClinicRequestError> {
    if req.payments.len() > MAX_PAYMENTS {
        return Err(ClinicRequestError::Amount {
            field: "payments".into(),
            detail: format!("{} payments, at most {MAX_PAYMENTS}", req.payments.len()),
        });
    }
    req.payments
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if p.date > visit {
                return Err(ClinicRequestError::Amount {
                    field: format!("payments[{i}].date"),
                    detail: format!("{} is after the visit ({visit})", p.date),
                });
            }
            Ok(WindowPayment {
                date: p.date,
                institution: MedicalInstitutionCode::parse(&p.medical_institution_code).map_err(
                    |e| ClinicRequestError::Amount {
                        field: format!("payments[{i}].medical_institution_code"),
                        detail: e.to_string(),
                    },
                )?,
                medical_fee: yen(format!("payments[{i}].medical_fee"), p.medical_fee)?,
                paid: yen(format!("payments[{i}].paid"), p.paid)?,
            })
        })
        .collect()
}

/// A qualification document (`None` for a 公費 certificate, read by
/// [`public_expense`]).
fn document(
    index: usize,
    d: &DocumentWire,
) -> Result<Option<(Document, PrintedNumbers)>, ClinicRequestError> {
    let numbers = match d {
        DocumentWire::Notice { numbers, .. }
        | DocumentWire::PortalScreen { numbers, .. }
        | DocumentWire::ConfirmationCertificate { numbers, .. }
        | DocumentWire::OldInsuranceCard { numbers, .. }
        | DocumentWire::SchoolEventCopy { numbers, .. } => numbers.clone(),
        DocumentWire::PublicExpenseCertificate { .. } => return Ok(None),
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
        DocumentWire::PublicExpenseCertificate { .. } => return Ok(None),
    };
    Ok(Some((doc, numbers)))
}

/// A 公費 受給者証 shown at the window, checked.
fn public_expense(
    index: usize,
    d: &DocumentWire,
) -> Result<Option<PublicExpenseCertificate>, ClinicRequestError> {
    let DocumentWire::PublicExpenseCertificate {
        payer_number,
        recipient_number,
        valid_from,
        valid_to,
        copay,
    } = d
    else {
        return Ok(None);
    };
    Ok(Some(PublicExpenseCertificate {
        payer_number: digits(index, "payer_number", payer_number, 8)?,
        recipient_number: digits(index, "recipient_number", recipient_number, 7)?,
        valid_from: if valid_from <= valid_to {
            *valid_from
        } else {
            return Err(ClinicRequestError::PublicExpense {
                index,
                field: "valid_to",
                detail: "is before valid_from".into(),
            });
        },
        valid_to: *valid_to,
        copay: *copay,
    }))
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

fn limit_class_of(r: &QualificationResponse) -> Option<LimitClass> {
    r.message_body
        .result_list
        .first()?
        .limit_application_certificate_related_info
        .as_ref()?
        .limit_application_certificate_classification_flag
}

pub(super) fn billed_from(r: &QualificationResponse) -> Option<PrintedNumbers> {
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
        let mut public = None;
        for (i, d) in req.documents.iter().enumerate() {
            // The first certificate valid on the day, else the first shown.
            if let Some(cert) = public_expense(i, d)? {
                let valid = cert.valid_on(req.visit_time.date());
                match &public {
                    None => public = Some(cert),
                    Some(p) if valid && !p.valid_on(req.visit_time.date()) => public = Some(cert),
                    Some(_) => {}
                }
            }
            if let Some((doc, numbers)) = document(i, d)? {
                documents.push(doc);
                document_numbers.push(numbers);
            }
        }
        let medical_fee = yen("medical_fee".into(), req.medical_fee)?;
        let payments = payments(req, req.visit_time.date())?;
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
            medical_fee,
            payments,
            public_expense: public,
            clinic_record: req.clinic_record.clone(),
            identity_in_doubt: req.identity_in_doubt,
            sex: req.patient.sex,
            address: req.patient.address.clone(),
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
        if defects.contains(&ClinicDefect::TreatsUnregisteredAsInvalid) {
            self.misread_unregistered();
        }
        let mut decision = decide(calendar, &self.visit);
        let card_usable = self.card_outcome().as_ref().is_some_and(usable);
        let numbers_usable = self.visit.number_check.as_ref().is_some_and(usable);
        // The answer the clinic bills on: the card's, else its own numbers query's.
        let online = if !decision.basis.is_insured_care() {
            None
        } else if decision.basis == Basis::OnlineCard && card_usable {
            self.card_response.as_ref()
        } else if let (true, Some(NumbersReply::Answered(r))) = (numbers_usable, numbers) {
            Some(r.as_ref())
        } else {
            None
        };
        let mut billed = match online {
            Some(r) => billed_from(r),
            None if decision.basis.is_insured_care() => self.document_numbers.first().cloned(),
            None => None,
        };
        if defects.contains(&ClinicDefect::UsesOldQualification) && self.clinic_record.is_some() {
            billed.clone_from(&self.clinic_record);
        }
        let mut notes: Vec<String> = decision.notes.iter().map(ToString::to_string).collect();
        let unregistered = [self.card_outcome(), self.visit.number_check]
            .into_iter()
            .flatten()
            .any(|o| {
                matches!(o, ConfirmationOutcome::Answered(r)
                    if r.validity == QualificationValidity::ValidUnregistered)
            });
        if unregistered {
            notes.push("有効（未登録）: 医療券 to be asked of the 福祉事務所".into());
        }
        // The defect leaves the 受給者証 unread: the insurance copay stands.
        if let Some(cert) = &self.public_expense
            && !defects.contains(&ClinicDefect::IgnoresPublicExpenseCertificate)
            && decision.basis.is_insured_care()
            && let Some(copay) = with_public_expense(decision.copay, cert, self.visit.as_of)
        {
            notes.push(format!(
                "公費 受給者証 {} shown: {} instead of {}",
                cert.payer_number, copay, decision.copay
            ));
            decision.copay = copay;
            decision.ratio_source = Some(RatioSource::PublicExpenseCertificate);
        }
        let limit_class = online.and_then(limit_class_of);
        let asked_before_defects =
            matches!(decision.basis, Basis::Declaration | Basis::NotInsured(_))
                && !defects.contains(&ClinicDefect::NeverAsksDeclaration);
        for defect in defects {
            self.apply(
                *defect,
                &mut decision,
                card_usable || numbers_usable,
                numbers.is_some(),
            );
        }
        let charge = self.charge(&decision, limit_class, defects);
        // An outage: the 申立書 now, the 基本4情報 noted for the 緊急時 check later.
        let noted =
            (decision.basis == Basis::Declaration && self.outage(numbers)).then(|| NotedPatient {
                name: self.name.clone(),
                sex: self.sex,
                birth_date: self.visit.birth_date,
                address: self.address.clone(),
            });
        let (card_front, card_images) = self.card_front(&decision, defects);
        ClinicAnswer {
            basis: decision.basis.into(),
            copay: decision.copay,
            ratio_source: decision.ratio_source.map(Into::into),
            charge,
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
            card_front,
            card_images,
            numbers_queries: Vec::new(),
            noted,
            notes,
        }
    }

    /// Whether the qualification system was out of reach at this visit: the line is
    /// down, or the reader or the numbers query could not reach it.
    fn outage(&self, numbers: Option<&NumbersReply>) -> bool {
        self.visit.facility.network == NetworkState::Down
            || matches!(numbers, Some(NumbersReply::Unreachable))
            || matches!(
                self.card_outcome(),
                Some(ConfirmationOutcome::Failed(
                    ConfirmationFailure::BackendUnreachable
                ))
            )
    }

    /// FAQ-4-6: when staff look at the card front, and what the clinic keeps of it —
    /// a copy of the front for billing when staff took details from it (●, 申立書),
    /// never the back.
    fn card_front(
        &self,
        d: &ClinicDecision,
        defects: &[ClinicDefect],
    ) -> (Vec<CardFrontCheck>, Vec<CardSide>) {
        if !matches!(self.visit.card, CardAtDesk::Presented { .. })
            || defects.contains(&ClinicDefect::NeverChecksCardFront)
        {
            return (Vec::new(), Vec::new());
        }
        let mut checks = Vec::new();
        let black_circle = self.card_response.as_ref().is_some_and(|r| {
            r.message_body.result_list.iter().any(|q| {
                q.name.contains('●') || q.address.as_deref().is_some_and(|a| a.contains('●'))
            })
        });
        if black_circle {
            checks.push(CardFrontCheck::Notation);
        }
        if self.identity_in_doubt {
            checks.push(CardFrontCheck::Photo);
        }
        if d.basis == Basis::Declaration {
            checks.push(CardFrontCheck::DeclarationDetails);
        }
        let mut images = Vec::new();
        if checks.iter().any(|c| {
            matches!(
                c,
                CardFrontCheck::Notation | CardFrontCheck::DeclarationDetails
            )
        }) {
            images.push(CardSide::Front);
            if defects.contains(&ClinicDefect::CopiesCardBack) {
                images.push(CardSide::Back);
            }
        }
        (checks, images)
    }

    /// The window charge (TRN-Q1), with the payment defects.
    fn charge(
        &self,
        d: &ClinicDecision,
        class: Option<LimitClass>,
        defects: &[ClinicDefect],
    ) -> u64 {
        let here = &self.facility_code;
        let payments: Vec<WindowPayment> = if defects.contains(&ClinicDefect::CapsEachVisitAlone) {
            Vec::new()
        } else if defects.contains(&ClinicDefect::SumsAllPayments) {
            // Every payment on record, as if made here this month.
            self.payments
                .iter()
                .map(|p| WindowPayment {
                    date: self.visit.as_of,
                    institution: here.clone(),
                    ..p.clone()
                })
                .collect()
        } else {
            self.payments.clone()
        };
        window_charge(
            d.copay,
            self.medical_fee,
            class,
            &payments,
            here,
            self.visit.as_of,
        )
        .amount
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
            ClinicDefect::AssumesChildAid => {
                let age = crate::rules::age_in_years(self.visit.birth_date, self.visit.as_of);
                if d.basis.is_insured_care() && (6..15).contains(&age) && !d.copay.is_full_cost() {
                    d.copay = ContributionRatio::NONE;
                    d.ratio_source = Some(RatioSource::PublicExpenseCertificate);
                }
            }
            ClinicDefect::CapsEachVisitAlone
            | ClinicDefect::SumsAllPayments
            | ClinicDefect::UsesOldQualification
            | ClinicDefect::IgnoresPublicExpenseCertificate
            | ClinicDefect::NeverChecksCardFront
            | ClinicDefect::CopiesCardBack
            | ClinicDefect::TreatsUnregisteredAsInvalid
            | ClinicDefect::SkipsRecoveryCheck
            | ClinicDefect::NeverAsksDeclaration => {}
        }
    }

    /// The `treats-unregistered-as-invalid` defect: 有効（未登録） read as 無効 on both
    /// paths.
    fn misread_unregistered(&mut self) {
        let misread = |o: &mut ConfirmationOutcome| {
            if let ConfirmationOutcome::Answered(r) = o
                && r.validity == QualificationValidity::ValidUnregistered
            {
                r.validity = QualificationValidity::Invalid;
            }
        };
        if let CardAtDesk::Presented {
            reader: Some(outcome),
        } = &mut self.visit.card
        {
            misread(outcome);
        }
        if let Some(outcome) = &mut self.visit.number_check {
            misread(outcome);
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
