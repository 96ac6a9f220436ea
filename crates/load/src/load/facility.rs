//! Facilities and their schedules: every facility of the scenario gets a global id
//! and a 医療機関コード; a shard keeps the facilities whose id falls to it and the
//! slice of the population they draw patients from, so shards never share a facility
//! or a member.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDateTime, Weekday};
use serde::{Deserialize, Serialize};

use super::arrivals::{Curve, arrival_times, facility_rng};
use super::patients::{Drawer, Patient, Pools};
use super::scenario::{FacilityKind, Scenario};
use onshi_domain::message::MedicalInstitutionCode;
use onshi_world::population::{PersonIndex, Population};

/// `--shard I/N`: this process is shard `I` (0-based) of `N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// This shard, `0..count`.
    pub index: u32,
    /// How many shards.
    pub count: u32,
}

impl Shard {
    /// The whole run in one process.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// Whether facility `id` belongs to this shard.
    pub fn owns(&self, id: u64) -> bool {
        id % u64::from(self.count) == u64::from(self.index)
    }

    /// This shard's slice `lo..hi` of the generated members.
    pub fn members(&self, pop: &Population) -> (PersonIndex, PersonIndex) {
        let g = pop.generated_count();
        let p = pop.persona_count();
        let n = u64::from(self.count);
        let i = u64::from(self.index);
        (p + g * i / n, p + g * (i + 1) / n)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| format!("{s:?}: expected I/N (e.g. 0/3)"))?;
        let index: u32 = i
            .trim()
            .parse()
            .map_err(|_| format!("{s:?}: I is not a number"))?;
        let count: u32 = n
            .trim()
            .parse()
            .map_err(|_| format!("{s:?}: N is not a number"))?;
        if count == 0 || index >= count {
            return Err(format!("{s:?}: need 0 ≤ I < N"));
        }
        Ok(Self { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// What a reader lane does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// A patient at the reader or the desk.
    Visit(Patient),
    /// The facility's bulk inquiry for its booked patients.
    Bulk,
}

/// One job in a facility's queue.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Arrival {
    /// Simulated seconds after the window start.
    pub sim_s: f64,
    /// The job.
    pub job: Job,
}

/// A facility of this shard with its queue.
#[derive(Debug, Clone)]
pub struct FacilityPlan {
    /// Global id.
    pub id: u64,
    /// The kind.
    pub kind: FacilityKind,
    /// 医療機関コード.
    pub code: MedicalInstitutionCode,
    /// Reader lanes.
    pub readers: u32,
    /// Jobs by arrival time.
    pub arrivals: Vec<Arrival>,
    /// Booked patients covered by the bulk inquiry (members).
    pub booked: Vec<PersonIndex>,
}

/// The synthetic 医療機関コード of facility `id`: prefecture `01`–`47`, the kind's
/// 点数表番号, then the id in 7 digits.
pub fn facility_code(id: u64, kind: FacilityKind) -> MedicalInstitutionCode {
    let text = format!(
        "{:02}{}{:07}",
        1 + id % 47,
        kind.fee_schedule(),
        id % 10_000_000
    );
    MedicalInstitutionCode::parse(&text).expect("a well-formed synthetic code")
}

/// The schedule of one shard.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// This shard's facilities.
    pub facilities: Vec<FacilityPlan>,
    /// Whether the Monday factor applied.
    pub monday: bool,
}

impl Schedule {
    /// Builds the schedule of `shard`: arrival times per facility from the scenario's
    /// curve, patients drawn from the shard's pools, booked patients for bulk.
    pub fn build(
        scenario: &Scenario,
        seed: u64,
        day: NaiveDateTime,
        shard: Shard,
        pools: &Pools,
        drawer: &Drawer,
    ) -> Self {
        let w = &scenario.window;
        let curve = Curve::new(w);
        let monday = day.weekday() == Weekday::Mon;
        let factor = if monday { w.monday_factor } else { 1.0 };
        let bulk_s = w.offset_of(w.bulk_at);
        let mut facilities = Vec::new();
        let mut id = 0u64;
        for group in &scenario.facilities {
            for _ in 0..group.count {
                let this = id;
                id += 1;
                if !shard.owns(this) {
                    continue;
                }
                let times = arrival_times(
                    w,
                    &curve,
                    group.patients * factor,
                    &mut facility_rng(seed, this, 0),
                );
                let mut rng = facility_rng(seed, this, 1);
                let mut arrivals = Vec::with_capacity(times.len() + 1);
                let mut booked = Vec::new();
                for t in times {
                    let card = rng.unit() < group.card_share;
                    let bulk = !card && rng.unit() < group.bulk_share;
                    let Some(patient) = drawer.draw(pools, card, &mut rng) else {
                        continue;
                    };
                    if bulk {
                        booked.push(patient.member);
                    } else {
                        arrivals.push(Arrival {
                            sim_s: t,
                            job: Job::Visit(patient),
                        });
                    }
                }
                if !booked.is_empty() {
                    let at = arrivals.partition_point(|a| a.sim_s <= bulk_s);
                    arrivals.insert(
                        at,
                        Arrival {
                            sim_s: bulk_s,
                            job: Job::Bulk,
                        },
                    );
                }
                facilities.push(FacilityPlan {
                    id: this,
                    kind: group.kind,
                    code: facility_code(this, group.kind),
                    readers: group.readers,
                    arrivals,
                    booked,
                });
            }
        }
        Self { facilities, monday }
    }

    /// Jobs in the schedule.
    pub fn jobs(&self) -> usize {
        self.facilities.iter().map(|f| f.arrivals.len()).sum()
    }

    /// Reader lanes.
    pub fn lanes(&self) -> usize {
        self.facilities.iter().map(|f| f.readers as usize).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_partition() {
        assert_eq!("1/3".parse::<Shard>(), Ok(Shard { index: 1, count: 3 }));
        for bad in ["3/3", "x/2", "1", "0/0"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        let shards: Vec<Shard> = (0..3).map(|i| Shard { index: i, count: 3 }).collect();
        for id in 0..30 {
            assert_eq!(shards.iter().filter(|s| s.owns(id)).count(), 1);
        }
        assert_eq!(
            facility_code(12, FacilityKind::Pharmacy).as_str(),
            "1340000012"
        );
        assert_eq!(facility_code(46, FacilityKind::Dental).fee_schedule(), '3');
    }
}
