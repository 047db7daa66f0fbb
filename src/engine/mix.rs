//! The order in which cases are drawn: a smooth weighted round-robin, so every window of a
//! cycle holds each case in proportion to its weight and counts are exact, not sampled.

/// One cycle of case indices; `weights[i]` appearances of `i`, interleaved.
pub fn sequence(weights: &[u32]) -> Vec<usize> {
    let total: i64 = weights.iter().map(|&w| i64::from(w)).sum();
    let mut current = vec![0i64; weights.len()];
    let mut out = Vec::with_capacity(total as usize);
    for _ in 0..total {
        for (c, &w) in current.iter_mut().zip(weights) {
            *c += i64::from(w);
        }
        let (best, _) = current
            .iter()
            .enumerate()
            .max_by_key(|&(i, &c)| (c, std::cmp::Reverse(i)))
            .expect("at least one case");
        current[best] -= total;
        out.push(best);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::sequence;

    #[test]
    fn counts_match_weights_exactly() {
        let s = sequence(&[5, 1, 3]);
        assert_eq!(s.len(), 9);
        for (i, w) in [5, 1, 3].into_iter().enumerate() {
            assert_eq!(s.iter().filter(|&&x| x == i).count(), w);
        }
    }

    #[test]
    fn heavy_cases_are_spread_not_bunched() {
        let s = sequence(&[2, 2]);
        assert_eq!(s, [0, 1, 0, 1]);
        let s = sequence(&[3, 1]);
        assert_eq!(s, [0, 0, 1, 0]);
    }

    #[test]
    fn equal_weights_visit_every_case_in_order() {
        assert_eq!(sequence(&[1, 1, 1]), [0, 1, 2]);
    }
}
