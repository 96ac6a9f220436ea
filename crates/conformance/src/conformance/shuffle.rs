//! `--shuffle SEED`: the features, and the scenarios of each, in an order drawn from the
//! seed instead of file order — a person per scenario means no scenario may depend on
//! another having run first, and a shuffled run proves it. Scenario lines (and so each
//! scenario's persons) do not change; the seed is in the report.

use std::path::Path;

use cucumber::gherkin::Feature;
use cucumber::parser::{self, Basic, Parser};
use futures::stream;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};

/// cucumber's own parser, its output reordered when a seed is given.
#[derive(Debug, Clone, Copy, Default)]
pub struct Shuffled {
    /// The seed; `None` keeps file order.
    pub seed: Option<u64>,
}

impl<I: AsRef<Path>> Parser<I> for Shuffled {
    type Cli = <Basic as Parser<I>>::Cli;
    type Output = stream::Iter<std::vec::IntoIter<parser::Result<Feature>>>;

    fn parse(self, input: I, cli: Self::Cli) -> Self::Output {
        let parsed = Basic::new().parse(input, cli);
        let mut features: Vec<parser::Result<Feature>> =
            futures::executor::block_on_stream(parsed).collect();
        if let Some(seed) = self.seed {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            shuffle(&mut features, &mut rng);
            for f in features.iter_mut().flatten() {
                shuffle(&mut f.scenarios, &mut rng);
                for r in &mut f.rules {
                    shuffle(&mut r.scenarios, &mut rng);
                }
            }
        }
        stream::iter(features)
    }
}

/// Fisher–Yates with `rng`.
fn shuffle<T>(items: &mut [T], rng: &mut ChaCha8Rng) {
    for i in (1..items.len()).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(seed: Option<u64>, dir: &Path) -> Vec<String> {
        let cli = cucumber::parser::basic::Cli::default();
        futures::executor::block_on_stream(Shuffled { seed }.parse(dir, cli))
            .flatten()
            .flat_map(|f| {
                f.scenarios
                    .into_iter()
                    .map(move |s| format!("{}/{}", f.name, s.name))
            })
            .collect()
    }

    #[test]
    fn a_seed_reorders_features_and_scenarios_and_keeps_them_all() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["a", "b", "c"] {
            let mut text = format!("Feature: {f}\n");
            for s in 0..6 {
                text.push_str(&format!("  Scenario: {s}\n    Given x\n"));
            }
            std::fs::write(dir.path().join(format!("{f}.feature")), text).unwrap();
        }
        let plain = names(None, dir.path());
        let shuffled = names(Some(7), dir.path());
        assert_eq!(plain.len(), 18);
        assert_ne!(plain, shuffled);
        assert_eq!(shuffled, names(Some(7), dir.path()));
        let (mut a, mut b) = (plain.clone(), shuffled);
        a.sort();
        b.sort();
        assert_eq!(a, b);
    }

    #[test]
    fn the_order_depends_on_the_seed_only() {
        let order = |seed| {
            let mut v: Vec<u32> = (0..20).collect();
            shuffle(&mut v, &mut ChaCha8Rng::seed_from_u64(seed));
            v
        };
        assert_eq!(order(7), order(7));
        assert_ne!(order(7), order(8));
        let mut sorted = order(7);
        sorted.sort_unstable();
        assert_eq!(sorted, (0..20).collect::<Vec<_>>());
    }
}
