//! `onshi load`: peak-morning load with Goose, as an open model, every response
//! checked for meaning.
//!
//! | file | concept |
//! |---|---|
//! | [`scenario`] | `scenarios/*.toml`: parsing and validation (file, line, field) |
//! | [`arrivals`] | the open arrival model: the curve, Poisson counts, seeded times |
//! | [`patients`] | member states, pools, the seeded draw of a patient |
//! | [`facility`] | facilities, 医療機関コード, shards, the schedule |
//! | [`generator`] | the generator watching itself: its CPU, its lateness, whether it was the bottleneck |
//! | [`expect`] | what the central system should answer, from the ground truth |
//! | [`wire`] | backend calls through Goose's client (or an adapter), classified |
//! | [`visit`] | one job: card, backend, clinic step, meaning checks |
//! | [`at_reader`] | the built-in reader's engine driven lean: card in process, calls timed and retried |
//! | `bulk` | the bulk inquiry of booked patients, every unit checked |
//! | `calls` | a job's backend calls: timed, retried, classified, checked |
//! | [`env`] | what every job shares; the facility a job happens at |
//! | [`metrics`] | HdrHistograms per transaction kind, counters, failures, intervals |
//! | [`live`] | the dashboard's frame: what a run shows while it goes on (pure) |
//! | [`dashboard`] | `--dashboard`: the live page, its event stream and frame, on loopback |
//! | [`hlog`] | HdrHistogram interval logs (V2 + DEFLATE) |
//! | [`slo`] | the SLO verdicts |
//! | [`summary`] | the run summary (`summary.json`), built from a run or merged |
//! | [`render`] | `summary.md`, `junit.xml` (the shared JUnit writer), `report.html` |
//! | [`output`] | the run's files in the shared run directory; read back for merge and render |
//! | [`diff`] | two runs compared: changes, run-to-run noise, regressions |
//! | [`run`] | the Goose attack: reader lanes, the schedule clock, progress |

pub mod arrivals;
pub mod at_reader;
mod bulk;
mod calls;
pub mod costs;
pub mod dashboard;
pub mod diff;
pub mod env;
pub mod execute;
pub mod expect;
pub mod facility;
pub mod generator;
pub mod hlog;
pub mod live;
pub mod metrics;
pub mod output;
pub mod patients;
pub mod render;
pub mod run;
pub mod scenario;
pub mod setup;
pub mod slo;
pub mod summary;
pub mod visit;
pub mod wire;
