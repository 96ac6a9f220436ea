//! What each defect of the reference clinic must break, by requirement ID: run by
//! `tests/clinic.rs` against `onshi clinic serve --defect NAME`, and held against the
//! catalogue's "judged on the clinic" column by `tests/conformance.rs`.

pub(crate) const CLINIC_TARGETS: &[(&str, &[&str])] = &[
    ("charges-10wari-on-no-record", &["TRN-NO10", "FAQ-4-14"]),
    ("ignores-ratio", &["FAQ-4-8"]),
    ("accepts-notice-alone", &["FLY-NOTICE-ALONE"]),
];
