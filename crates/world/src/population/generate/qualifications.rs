//! A generated member's qualification records: insurer family and insurer, the
//! current record and earlier ones (job changes, lags and holds), the ratio, the
//! limit, elderly and preschool details, as the population mix draws them.
//!
//! The helpers below draw from the person's random stream in a fixed order; changing
//! that order changes every generated person.

use super::*;

/// The benefit details of a record: ratios, limit, arrears and specific diseases.
struct Benefits {
    ratio: Option<ContributionRatio>,
    elderly_ratio: Option<ContributionRatio>,
    limit_class: Option<LimitClass>,
    premium_arrears: bool,
    specific_diseases: Vec<SpecificDisease>,
}

impl Draw<'_> {
    pub(super) fn qualifications(&mut self, who: &Who) -> Quals {
        let family = draw_family(who.age, &self.ctx.mix, &mut self.rng);
        self.tags.push(family_tag(family).into());
        let employee = matches!(
            family,
            InsurerFamily::KyokaiKenpo | InsurerFamily::KenpoKumiai | InsurerFamily::Kyosai
        );
        let (base, qual_situation) = self.base_record(who, family, employee);
        let acquired_on = base.acquired_on;
        let records = match qual_situation {
            QualSituation::Ordinary => vec![base],
            QualSituation::Hold => {
                self.tags.push("hold".into());
                let until = date_plus_days(self.today, self.rng.range(1, 20));
                vec![Qualification {
                    accuracy_hold_until: Some(until),
                    ..base
                }]
            }
            QualSituation::JobChangeLag | QualSituation::JobChangeDone => {
                let lag = qual_situation == QualSituation::JobChangeLag;
                self.job_change(lag, family, &who.pref, base).into()
            }
            QualSituation::MedicalAid => vec![self.medical_aid(&who.pref, base)],
        };
        Quals {
            records,
            family,
            employee,
            acquired_on,
        }
    }

    /// The first record at an insurer of `family`, and the situation drawn for it.
    fn base_record(
        &mut self,
        who: &Who,
        family: InsurerFamily,
        employee: bool,
    ) -> (Qualification, QualSituation) {
        let (age, birth_date) = (who.age, who.person.birth_date);
        let relationship = {
            let rng = &mut self.rng;
            if !employee || (age >= 20 && rng.chance(if age < 65 { 700 } else { 500 })) {
                PersonalFamilyClassification::Insured
            } else {
                PersonalFamilyClassification::Dependant
            }
        };
        let branch = match relationship {
            PersonalFamilyClassification::Insured => "00".to_owned(),
            PersonalFamilyClassification::Dependant => format!("{:02}", self.rng.range(1, 5)),
        };
        let eighteen = add_years(birth_date, 18);
        let acquired_on = match (family, relationship) {
            (InsurerFamily::LateStageElderly, _) => add_years(birth_date, 75),
            (_, PersonalFamilyClassification::Dependant) if age < 20 => birth_date,
            _ => {
                date_minus_days(self.today, self.rng.range(60, 7000)).max(eighteen.min(self.today))
            }
        };
        let benefits = self.benefits(age, family, acquired_on);
        let qual_situation = self.qual_situation(age, employee, relationship);
        let first_insurer = pick_insurer(family, &who.pref, &mut self.rng);
        let (symbol, number) = symbol_and_number(family, &self.ctx.codec, self.i, &mut self.rng);
        let base = Qualification {
            insurer_number: first_insurer.number,
            insurer_name: first_insurer.name,
            symbol,
            number,
            branch,
            relationship,
            card_classification: InsuredCardClassification::General,
            acquired_on,
            lost_on: None,
            loss_reason: None,
            registered_on: acquired_on,
            accuracy_hold_until: None,
            ratio: benefits.ratio,
            elderly_ratio: benefits.elderly_ratio,
            limit_class: benefits.limit_class,
            premium_arrears: benefits.premium_arrears,
            specific_diseases: benefits.specific_diseases,
            medical_aid: None,
            household: None,
        };
        (base, qual_situation)
    }

    /// Ratios, limit class, premium arrears and specific diseases, with their tags.
    fn benefits(&mut self, age: u32, family: InsurerFamily, acquired_on: NaiveDate) -> Benefits {
        let mix = &self.ctx.mix;
        let (rng, tags) = (&mut self.rng, &mut self.tags);
        let ratio = draw_record_ratio(age, family, mix, rng);
        let elderly = (70..75).contains(&age);
        let elderly_ratio = elderly
            .then(|| super::ratio(if rng.chance(850) { 20 } else { 30 }))
            .flatten();
        if elderly {
            tags.push("elderly".into());
        }
        if age < 6 {
            tags.push("preschool".into());
        }
        let limit_class = rng
            .chance(mix.limit_class)
            .then(|| *rng.pick(limit_classes(age)));
        if limit_class.is_some() {
            tags.push("limit".into());
        }
        let premium_arrears =
            family == InsurerFamily::NationalHealthInsurance && rng.chance(mix.premium_arrears);
        if premium_arrears {
            tags.push("arrears".into());
        }
        let specific_diseases = if rng.chance(mix.specific_disease) {
            tags.push("specific-disease".into());
            vec![SpecificDisease {
                category: SpecificDiseaseCategory::ChronicRenalFailureDialysis,
                valid_from: date_minus_days(self.today, rng.range(30, 2000)).max(acquired_on),
                valid_to: None,
                self_pay: if matches!(limit_class, Some(LimitClass::A01 | LimitClass::A02)) {
                    20_000
                } else {
                    10_000
                },
            }]
        } else {
            Vec::new()
        };
        Benefits {
            ratio,
            elderly_ratio,
            limit_class,
            premium_arrears,
            specific_diseases,
        }
    }

    /// The qualification situation (one exclusive draw; some need an insured employee).
    fn qual_situation(
        &mut self,
        age: u32,
        employee: bool,
        relationship: PersonalFamilyClassification,
    ) -> QualSituation {
        let mix = &self.ctx.mix;
        let insured_employee = employee && relationship == PersonalFamilyClassification::Insured;
        match exclusive(
            self.rng.below(1000),
            &[
                mix.job_change_lag,
                mix.job_change_done,
                mix.accuracy_hold,
                mix.medical_aid,
            ],
        ) {
            Some(0) if insured_employee => QualSituation::JobChangeLag,
            Some(1) if insured_employee => QualSituation::JobChangeDone,
            Some(2) => QualSituation::Hold,
            Some(3) if (20..75).contains(&age) => QualSituation::MedicalAid,
            _ => QualSituation::Ordinary,
        }
    }

    /// A job change: `base` lost on the change day, and the record at the new insurer
    /// (not yet registered centrally when `lag`).
    fn job_change(
        &mut self,
        lag: bool,
        family: InsurerFamily,
        pref: &Prefecture,
        base: Qualification,
    ) -> [Qualification; 2] {
        let (ctx, i, today) = (self.ctx, self.i, self.today);
        let rng = &mut self.rng;
        self.tags.push(
            if lag {
                "job-change-lag"
            } else {
                "job-change-done"
            }
            .into(),
        );
        let changed_on = if lag {
            date_minus_days(today, rng.range(1, 9))
        } else {
            date_minus_days(today, rng.range(20, 60))
        };
        let registered_on = if lag {
            date_plus_days(today, rng.range(1, 10))
        } else {
            date_plus_days(changed_on, rng.range(3, 10))
        };
        let new_family = if family == InsurerFamily::KyokaiKenpo {
            InsurerFamily::KenpoKumiai
        } else {
            InsurerFamily::KyokaiKenpo
        };
        let new_insurer = pick_insurer(new_family, pref, rng);
        let (new_symbol, new_number) = symbol_and_number(new_family, &ctx.codec, i, rng);
        let old = Qualification {
            acquired_on: base.acquired_on.min(date_minus_days(changed_on, 30)),
            registered_on: base.acquired_on.min(date_minus_days(changed_on, 30)),
            lost_on: Some(changed_on),
            loss_reason: Some(ReasonOfLoss::OtherInsuranceAcquired),
            ..base.clone()
        };
        let new = Qualification {
            insurer_number: new_insurer.number,
            insurer_name: new_insurer.name,
            symbol: new_symbol,
            number: new_number,
            acquired_on: changed_on,
            registered_on,
            ..base
        };
        [old, new]
    }

    /// A medical-aid (医療扶助) record from the prefecture's welfare office.
    fn medical_aid(&mut self, pref: &Prefecture, base: Qualification) -> Qualification {
        self.tags.push("medical-aid".into());
        let payer = insurer(&format!("12{}001", pref.code));
        let recipient = format!("{:08}", self.ctx.codec.number_of(self.i));
        let from = date_minus_days(self.today, self.rng.range(60, 2000));
        Qualification {
            insurer_number: payer.clone(),
            insurer_name: format!("{}福祉事務所（医療扶助）", pref.city),
            symbol: String::new(),
            number: recipient.clone(),
            branch: "00".into(),
            relationship: PersonalFamilyClassification::Insured,
            card_classification: InsuredCardClassification::MedicalAid,
            acquired_on: from,
            registered_on: from,
            ratio: None,
            elderly_ratio: None,
            limit_class: None,
            premium_arrears: false,
            specific_diseases: Vec::new(),
            medical_aid: Some(MedicalAid {
                payer_number: payer.as_str().to_owned(),
                recipient_number: recipient,
                valid_from: from,
                valid_to: None,
                ticket_registered: true,
            }),
            ..base
        }
    }
}

/// The insurer family of a member of `age`, as the mix weighs them.
fn draw_family(age: u32, mix: &PopulationMix, rng: &mut Rng64) -> InsurerFamily {
    if age >= 75 {
        InsurerFamily::LateStageElderly
    } else if age >= 65 && rng.chance(mix.nhi_share_65_74) {
        InsurerFamily::NationalHealthInsurance
    } else {
        let w = &mix.family_weights;
        let weights = if age >= 65 { [w[0], w[1], w[2], 0] } else { *w };
        [
            InsurerFamily::KyokaiKenpo,
            InsurerFamily::KenpoKumiai,
            InsurerFamily::Kyosai,
            InsurerFamily::NationalHealthInsurance,
        ][rng.weighted(&weights)]
    }
}

/// The tag naming an insurer family.
fn family_tag(family: InsurerFamily) -> &'static str {
    match family {
        InsurerFamily::KyokaiKenpo => "kyokai",
        InsurerFamily::KenpoKumiai => "kumiai",
        InsurerFamily::Kyosai => "kyosai",
        InsurerFamily::NationalHealthInsurance => "nhi",
        _ => "kouki",
    }
}

/// The ratio printed on the record, if any.
fn draw_record_ratio(
    age: u32,
    family: InsurerFamily,
    mix: &PopulationMix,
    rng: &mut Rng64,
) -> Option<ContributionRatio> {
    match family {
        InsurerFamily::LateStageElderly => {
            let r = rng.below(1000);
            ratio(if r < 700 {
                10
            } else if r < 900 {
                20
            } else {
                30
            })
        }
        _ if (6..70).contains(&age) && rng.chance(mix.ratio_printed) => ratio(30),
        _ => None,
    }
}

/// The limit classes (適用区分) a member of `age` may have.
fn limit_classes(age: u32) -> &'static [LimitClass] {
    if age >= 75 {
        &[
            LimitClass::B10,
            LimitClass::B09,
            LimitClass::B05,
            LimitClass::B06,
            LimitClass::B03,
        ]
    } else if age >= 70 {
        &[
            LimitClass::B04,
            LimitClass::B05,
            LimitClass::B06,
            LimitClass::B03,
        ]
    } else {
        &[
            LimitClass::A03,
            LimitClass::A04,
            LimitClass::A05,
            LimitClass::A02,
            LimitClass::A01,
        ]
    }
}
