use super::*;
use crate::cases::PatternKind;

#[test]
fn merged_transport_errors_sum_counts_and_keep_the_first_message() {
    let e = |kind: &str, count, first: Option<&str>| TransportErrors {
        kind: kind.into(),
        count,
        first_message: first.map(str::to_owned),
        first_at_seconds: first.map(|_| 0.5),
    };
    let shard1 = [e("tls", 3, Some("invalid peer certificate: UnknownIssuer"))];
    let shard2 = [e("closed", 1, None), e("tls", 4, Some("a later one"))];
    let m = TransportErrors::merge([shard1.as_slice(), shard2.as_slice()]);
    assert_eq!(
        m,
        vec![
            e("tls", 7, Some("invalid peer certificate: UnknownIssuer")),
            e("closed", 1, None)
        ]
    );
    assert_eq!(
        m[0].line(),
        "7 × tls: invalid peer certificate: UnknownIssuer (first at 0.500s)"
    );
}

#[test]
fn a_race_outcome_counts_successes_per_race() {
    let mut t = Tally::default();
    let race = |labels: &[&str]| {
        let labels: Vec<String> = labels.iter().map(|l| (*l).to_owned()).collect();
        Pattern::of(PatternKind::Race, &labels)
    };
    t.add(race(&["200", "400 NotAuthorizedException"]), 5);
    let r = RaceOutcome::of(&t).unwrap();
    assert_eq!(r.describe(), "1 of 2 succeeded in 5 races");
    t.add(race(&["200", "200"]), 1);
    let r = RaceOutcome::of(&t).unwrap();
    assert_eq!(r.successes[&2], 1);
    assert_eq!(
        r.describe(),
        "1 of 2 succeeded in 5 races, 2 of 2 succeeded in 1 race"
    );
    let mut one = Tally::default();
    one.add(race(&["400 ExpiredCodeException", "200"]), 1);
    assert_eq!(
        RaceOutcome::of(&one).unwrap().describe(),
        "1 of 2 succeeded"
    );
    assert!(RaceOutcome::of(&Tally::default()).is_none());
}
