//! What each defect of the reference clinic must break, by requirement ID: run by
//! `tests/clinic.rs` against `onshi clinic serve --defect NAME`, and held against the
//! catalogue's "judged on the clinic" column by `tests/conformance.rs`.

pub(crate) const CLINIC_TARGETS: &[(&str, &[&str])] = &[
    (
        "charges-10wari-on-no-record",
        &["TRN-NO10", "FAQ-4-14", "DOM-VALIDITY-MULTIPLE"],
    ),
    ("ignores-ratio", &["FAQ-4-8", "FAQ-4-12"]),
    (
        "accepts-notice-alone",
        &["FLY-NOTICE-ALONE", "NOTICE-2025-06-27"],
    ),
    (
        "accepts-expired-old-card",
        &["FAQ-4-10", "TRN-MAX1Y", "KQ-3", "NOTICE-2025-11-12"],
    ),
    ("ignores-public-expense-certificate", &["FAQ-4-12"]),
    ("assumes-child-aid", &["FAQ-4-12"]),
    ("caps-each-visit-alone", &["TRN-Q1"]),
    ("sums-all-payments", &["TRN-Q1"]),
    ("uses-old-qualification", &["FAQ-4-4"]),
    ("never-checks-card-front", &["FAQ-4-6"]),
    ("copies-card-back", &["FAQ-4-6"]),
    (
        "treats-unregistered-as-invalid",
        &["DOM-VALIDITY-UNREGISTERED"],
    ),
    ("skips-recovery-check", &["DOM-OUTAGE-RECOVERY"]),
    (
        "never-asks-declaration",
        &["FAQ-4-6", "FAQ-4-14", "TRN-NO10"],
    ),
];
