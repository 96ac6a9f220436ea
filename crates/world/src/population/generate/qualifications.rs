//! A generated member's qualification records: insurer family and insurer, the
//! current record and earlier ones (job changes, lags and holds), the ratio, the
//! limit, elderly and preschool details, as the population mix draws them.

use super::*;

impl Draw<'_> {
    pub(super) fn qualifications(&mut self, who: &Who) -> Quals {
        let (ctx, i, today) = (self.ctx, self.i, self.today);
        let mix = &ctx.mix;
        let rng = &mut self.rng;
        let tags = &mut self.tags;
        let (age, pref, birth_date) = (who.age, who.pref, who.person.birth_date);

        let family = if age >= 75 {
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
        };
        tags.push(
            match family {
                InsurerFamily::KyokaiKenpo => "kyokai",
                InsurerFamily::KenpoKumiai => "kumiai",
                InsurerFamily::Kyosai => "kyosai",
                InsurerFamily::NationalHealthInsurance => "nhi",
                _ => "kouki",
            }
            .into(),
        );
        let employee = matches!(
            family,
            InsurerFamily::KyokaiKenpo | InsurerFamily::KenpoKumiai | InsurerFamily::Kyosai
        );
        let relationship =
            if !employee || (age >= 20 && rng.chance(if age < 65 { 700 } else { 500 })) {
                PersonalFamilyClassification::Insured
            } else {
                PersonalFamilyClassification::Dependant
            };
        let branch = match relationship {
            PersonalFamilyClassification::Insured => "00".to_owned(),
            PersonalFamilyClassification::Dependant => format!("{:02}", rng.range(1, 5)),
        };
        let eighteen = add_years(birth_date, 18);
        let acquired_on = match (family, relationship) {
            (InsurerFamily::LateStageElderly, _) => add_years(birth_date, 75),
            (_, PersonalFamilyClassification::Dependant) if age < 20 => birth_date,
            _ => date_minus_days(today, rng.range(60, 7000)).max(eighteen.min(today)),
        };
        let elderly = (70..75).contains(&age);
        let record_ratio = match family {
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
        };
        let elderly_ratio = elderly
            .then(|| ratio(if rng.chance(850) { 20 } else { 30 }))
            .flatten();
        if elderly {
            tags.push("elderly".into());
        }
        if age < 6 {
            tags.push("preschool".into());
        }
        let limit_class = rng.chance(mix.limit_class).then(|| {
            let table: &[LimitClass] = if age >= 75 {
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
            };
            *rng.pick(table)
        });
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
                valid_from: date_minus_days(today, rng.range(30, 2000)).max(acquired_on),
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

        let qual_situation = match exclusive(
            rng.below(1000),
            &[
                mix.job_change_lag,
                mix.job_change_done,
                mix.accuracy_hold,
                mix.medical_aid,
            ],
        ) {
            Some(0) if employee && relationship == PersonalFamilyClassification::Insured => {
                QualSituation::JobChangeLag
            }
            Some(1) if employee && relationship == PersonalFamilyClassification::Insured => {
                QualSituation::JobChangeDone
            }
            Some(2) => QualSituation::Hold,
            Some(3) if (20..75).contains(&age) => QualSituation::MedicalAid,
            _ => QualSituation::Ordinary,
        };

        let first_insurer = pick_insurer(family, &pref, rng);
        let (symbol, number) = symbol_and_number(family, &ctx.codec, i, rng);
        let base = Qualification {
            insurer_number: first_insurer.number.clone(),
            insurer_name: first_insurer.name.clone(),
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
            ratio: record_ratio,
            elderly_ratio,
            limit_class,
            premium_arrears,
            specific_diseases,
            medical_aid: None,
        };
        let mut qualifications = Vec::with_capacity(2);
        match qual_situation {
            QualSituation::Ordinary => qualifications.push(base),
            QualSituation::Hold => {
                tags.push("hold".into());
                qualifications.push(Qualification {
                    accuracy_hold_until: Some(date_plus_days(today, rng.range(1, 20))),
                    ..base
                });
            }
            QualSituation::JobChangeLag | QualSituation::JobChangeDone => {
                let lag = qual_situation == QualSituation::JobChangeLag;
                tags.push(
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
                let new_insurer = pick_insurer(new_family, &pref, rng);
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
                qualifications.push(old);
                qualifications.push(new);
            }
            QualSituation::MedicalAid => {
                tags.push("medical-aid".into());
                let payer = insurer(&format!("12{}001", pref.code));
                let recipient = format!("{:08}", ctx.codec.number_of(i));
                let from = date_minus_days(today, rng.range(60, 2000));
                qualifications.push(Qualification {
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
                    }),
                    ..base
                });
            }
        }

        Quals {
            records: qualifications,
            family,
            employee,
            acquired_on,
        }
    }
}
