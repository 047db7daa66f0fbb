//! The emulator's fault switches as a specification (`cogbench emulator --faults SPEC`, a
//! scenario's `faults:`): their syntax, the parser and the arithmetic of a stall window. The
//! embedded emulator applies them (emulator/faults.rs); the scenario loader checks them without
//! depending on the emulator.

use std::fmt;
use std::time::Duration;

/// The syntax, repeated in errors.
const KNOWN: &str = "stall=D/P, delay=D[@F], error=F (or status500=F), bare500=F, throttle=F, reset=F, hang=F, garbage=F, only=OP[+OP]";

/// Every fault the parser takes: its name, its form and what it does. `cogbench emulator
/// --help` is written from it and the parser refuses a name not in it, so the help cannot
/// leave a fault out.
pub const TABLE: &[(&str, &str, &str)] = &[
    (
        "stall",
        "stall=D/P",
        "requests arriving in the first D of every period P (counted from the emulator's \
         start) are held until that window ends, then answered normally: a \
         coordinated-omission test server",
    ),
    (
        "delay",
        "delay=D[@F]",
        "every answer D late; with @F, a fraction F of them",
    ),
    (
        "error",
        "error=F",
        r#"500 {"__type":"InternalErrorException","message":"injected fault"}"#,
    ),
    ("status500", "status500=F", "the same as error=F"),
    (
        "bare500",
        "bare500=F",
        "500 with the text body `injected fault`",
    ),
    (
        "throttle",
        "throttle=F",
        r#"400 {"__type":"TooManyRequestsException","message":"Rate exceeded"}"#,
    ),
    (
        "reset",
        "reset=F",
        "the connection is dropped without an answer",
    ),
    (
        "hang",
        "hang=F",
        "never answered: the client's read timeout fires",
    ),
    ("garbage", "garbage=F", "200 with a body that is not JSON"),
    (
        "only",
        "only=OP[+OP]",
        "the faults apply to these operations only (only=ConfirmSignUp), so a run's set-up \
         goes through",
    ),
];

/// The one-line help of `--faults` (`-h`), naming every fault of [`TABLE`].
pub fn short_help() -> String {
    let forms: Vec<&str> = TABLE.iter().map(|(_, form, _)| *form).collect();
    format!(
        "Inject faults into `POST /`: {} (--help says what each does)",
        forms.join(", ")
    )
}

/// Columns of help text a line may take after its indent, so that `--help` on an 80-column
/// terminal wraps none of them again.
pub const HELP_WIDTH: usize = 62;

/// The help of `--faults`, from [`TABLE`].
pub fn help() -> String {
    let mut text = String::from(
        "Inject faults into `POST /` (the Cognito operations, never the /_emulator/ routes).\n\n\
         Repeatable or comma-separated: `--faults stall=1s/5s --faults error=0.01,delay=5ms`. \
         D is a duration with a unit (us, ms, s, m: 250ms, 1.5s); F is a fraction of requests \
         from 0 to 1 (0.01 = 1%).\n\n",
    );
    // Wrapped here with a hanging indent: clap's own wrapping would start each continuation
    // at the margin, under the fault names.
    for (_, form, effect) in TABLE {
        text.push_str(&format!("  {form}\n"));
        for line in crate::term::wrap(effect, HELP_WIDTH) {
            text.push_str(&format!("      {line}\n"));
        }
    }
    text.push_str(
        "\nstall, then delay, apply to every request. A request then gets at most one of \
         error, bare500, throttle, reset, hang and garbage (their fractions add up to 1 at \
         most), decided before the operation runs, so a faulted request changes no state.",
    );
    text
}

/// Durations above this are refused (no overflow concerns, and no realistic use).
const MAX_DURATION: Duration = Duration::from_secs(86_400);

/// During the first `window` of every `period` (from the emulator's start), requests are held
/// until the window ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stall {
    pub window: Duration,
    pub period: Duration,
}

/// The configured faults. Fractions are of all `POST /` requests; they add up to at most 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Faults {
    pub stall: Option<Stall>,
    pub delay: Option<Duration>,
    /// The fraction of requests `delay` applies to (`delay=200ms@0.05`); 1 without `@`.
    pub delay_fraction: f64,
    /// The fraction of requests each random fault takes, indexed by `Fault as usize`.
    fractions: [f64; Fault::ALL.len()],
    /// `only=ConfirmSignUp+SignUp`: the operations the faults apply to (all when empty), so a
    /// chaos run's set-up (CreateUserPool…) can go through while ConfirmSignUp misbehaves.
    pub only: Vec<String>,
}

/// One request's random fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 500 `InternalErrorException` `injected fault` (AWS JSON error body).
    Error,
    /// 500 with the text body `injected fault`.
    Bare500,
    /// 400 `TooManyRequestsException` `Rate exceeded`.
    Throttle,
    /// The connection is dropped without an answer.
    Reset,
    /// Never answered.
    Hang,
    /// 200 with a body that is not JSON.
    Garbage,
}

impl Fault {
    /// Every random fault and its name in a spec, in declaration order: the order a roll
    /// meets them in and the display form lists them.
    pub const ALL: [(Fault, &'static str); 6] = [
        (Fault::Error, "error"),
        (Fault::Bare500, "bare500"),
        (Fault::Throttle, "throttle"),
        (Fault::Reset, "reset"),
        (Fault::Hang, "hang"),
        (Fault::Garbage, "garbage"),
    ];
}

/// A `--faults` value that does not parse; the message names the offending item.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FaultSpecError(String);

fn bad(message: String) -> FaultSpecError {
    FaultSpecError(message)
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            stall: None,
            delay: None,
            delay_fraction: 1.0,
            fractions: [0.0; Fault::ALL.len()],
            only: Vec::new(),
        }
    }
}

impl Faults {
    /// Parses `NAME=VALUE` items; each item may itself be a comma-separated list.
    pub fn parse<'a>(items: impl IntoIterator<Item = &'a str>) -> Result<Faults, FaultSpecError> {
        let mut faults = Faults::default();
        let mut seen: Vec<(&str, &str)> = Vec::new();
        for item in items.into_iter().flat_map(|i| i.split(',')) {
            let item = item.trim();
            if item.is_empty() {
                return Err(bad(format!("an empty fault; the faults are {KNOWN}")));
            }
            let Some((name, value)) = item.split_once('=') else {
                return Err(bad(format!(
                    "`{item}` is not NAME=VALUE; the faults are {KNOWN}"
                )));
            };
            let (name, value) = (name.trim(), value.trim());
            if !TABLE.iter().any(|(known, _, _)| *known == name) {
                return Err(bad(format!(
                    "unknown fault `{name}` in `{item}`; the faults are {KNOWN}"
                )));
            }
            let fraction = || parse_fraction(item, value);
            match name {
                "stall" => faults.stall = Some(parse_stall(item, value)?),
                "delay" => {
                    let (d, f) = match value.split_once('@') {
                        Some((d, f)) => (d.trim(), parse_fraction(item, f.trim())?),
                        None => (value, 1.0),
                    };
                    faults.delay = Some(parse_duration(item, d)?);
                    faults.delay_fraction = f;
                }
                // `status500` is the name the chaos scenario uses for the same fault.
                "status500" => faults.fractions[Fault::Error as usize] = fraction()?,
                "only" => {
                    faults.only = value.split('+').map(|op| op.trim().to_owned()).collect();
                    if let Some(bad_op) = faults.only.iter().find(|op| {
                        !crate::protocol::Operation::ALL
                            .iter()
                            .any(|known| known.name() == op.as_str())
                    }) {
                        return Err(bad(format!(
                            "`{item}`: `{bad_op}` is not an operation the emulator serves"
                        )));
                    }
                }
                _ => match Fault::ALL.iter().find(|(_, known)| *known == name) {
                    Some((fault, _)) => faults.fractions[*fault as usize] = fraction()?,
                    None => unreachable!("TABLE names `{name}` but the parser has no arm for it"),
                },
            }
            // `status500` and `error` are one fault under two names: the second would replace
            // the first.
            let fault = if name == "status500" { "error" } else { name };
            if let Some(first) = seen.iter().find(|(f, _)| *f == fault) {
                return Err(bad(if first.1 == name {
                    format!("`{name}` is given twice")
                } else {
                    format!("`{}` and `{name}` are the same fault, given twice", first.1)
                }));
            }
            seen.push((fault, name));
        }
        let total = faults.random_total();
        if total > 1.0 + 1e-9 {
            return Err(bad(format!(
                "the fractions of error, bare500, throttle, reset, hang and garbage add up to {total}; \
                 a request gets at most one of them, so they may add up to 1 at most"
            )));
        }
        Ok(faults)
    }

    /// The fraction of requests that get a random fault.
    pub fn random_total(&self) -> f64 {
        self.fractions.iter().sum()
    }

    /// The fraction of requests that get `fault`.
    pub fn fraction(&self, fault: Fault) -> f64 {
        self.fractions[fault as usize]
    }

    /// Whether the faults apply to the operation named by an `X-Amz-Target` value.
    pub fn applies_to(&self, target: Option<&str>) -> bool {
        self.only.is_empty()
            || target
                .and_then(|t| t.rsplit('.').next())
                .is_some_and(|op| self.only.iter().any(|o| o == op))
    }

    /// Whether any fault would ever apply.
    pub fn is_active(&self) -> bool {
        self.stall.is_some() || self.delay.is_some() || self.random_total() > 0.0
    }

    /// The random fault for a uniform `roll` in [0, 1): each fault takes its own slice of the
    /// interval, so each gets exactly its fraction of requests.
    pub fn pick(&self, roll: f64) -> Option<Fault> {
        let mut edge = 0.0;
        for (fault, _) in Fault::ALL {
            let fraction = self.fraction(fault);
            edge += fraction;
            if fraction > 0.0 && roll < edge {
                return Some(fault);
            }
        }
        None
    }
}

/// The canonical spec (`stall=1s/5s,error=0.01`), as the start-up line shows it; it parses back.
impl fmt::Display for Faults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if let Some(s) = self.stall {
            parts.push(format!("stall={:?}/{:?}", s.window, s.period));
        }
        if let Some(d) = self.delay {
            if self.delay_fraction < 1.0 {
                parts.push(format!("delay={d:?}@{}", self.delay_fraction));
            } else {
                parts.push(format!("delay={d:?}"));
            }
        }
        for (fault, name) in Fault::ALL {
            let fraction = self.fraction(fault);
            if fraction > 0.0 {
                parts.push(format!("{name}={fraction}"));
            }
        }
        if !self.only.is_empty() {
            parts.push(format!("only={}", self.only.join("+")));
        }
        if parts.is_empty() {
            f.write_str("none")
        } else {
            f.write_str(&parts.join(","))
        }
    }
}

fn parse_stall(item: &str, value: &str) -> Result<Stall, FaultSpecError> {
    let Some((window, period)) = value.split_once('/') else {
        return Err(bad(format!(
            "`{item}` needs a period: stall=D/P holds requests during the first D of every P, \
             e.g. stall=1s/5s"
        )));
    };
    let window = parse_duration(item, window.trim())?;
    let period = parse_duration(item, period.trim())?;
    if window >= period {
        return Err(bad(format!(
            "`{item}`: the stall ({window:?}) must be shorter than its period ({period:?})"
        )));
    }
    Ok(Stall { window, period })
}

/// A positive decimal number with a unit: `250ms`, `1.5s`, `2m`, `100us` (or `µs`).
fn parse_duration(item: &str, value: &str) -> Result<Duration, FaultSpecError> {
    let not_a_duration = || {
        bad(format!(
            "`{item}`: `{value}` is not a duration; write a number and a unit (us, ms, s, m), \
             e.g. 250ms or 1.5s"
        ))
    };
    let split = value
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .ok_or_else(not_a_duration)?;
    let (number, unit) = value.split_at(split);
    let nanos_per_unit: u128 = match unit {
        "us" | "µs" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        _ => return Err(not_a_duration()),
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let digits_ok = |s: &str| s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits_ok(whole) || !digits_ok(fraction) {
        return Err(not_a_duration());
    }
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| not_a_duration())?
    };
    let fraction_nanos = if fraction.is_empty() {
        0
    } else {
        let digits: u128 = fraction.parse().map_err(|_| not_a_duration())?;
        digits * nanos_per_unit / 10u128.pow(fraction.len() as u32)
    };
    let nanos = whole * nanos_per_unit + fraction_nanos;
    if nanos == 0 {
        return Err(bad(format!("`{item}`: the duration must be more than 0")));
    }
    if nanos > MAX_DURATION.as_nanos() {
        return Err(bad(format!("`{item}`: durations go up to 24 hours")));
    }
    Ok(Duration::from_nanos(
        u64::try_from(nanos).expect("at most a day of nanoseconds"),
    ))
}

fn parse_fraction(item: &str, value: &str) -> Result<f64, FaultSpecError> {
    value
        .parse::<f64>()
        .ok()
        .filter(|f| f.is_finite() && (0.0..=1.0).contains(f))
        .ok_or_else(|| {
            bad(format!(
                "`{item}`: `{value}` is not a fraction of requests from 0 to 1 (0.01 is 1%)"
            ))
        })
}

/// How long a request arriving `elapsed` after the emulator's start is held: until the end of
/// the stall window it falls in, or not at all between windows.
pub fn stall_hold(elapsed: Duration, stall: Stall) -> Duration {
    let phase = elapsed.as_nanos() % stall.period.as_nanos();
    let window = stall.window.as_nanos();
    if phase < window {
        Duration::from_nanos(u64::try_from(window - phase).expect("shorter than the window"))
    } else {
        Duration::ZERO
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(specs: &[&str]) -> Result<Faults, String> {
        Faults::parse(specs.iter().copied()).map_err(|e| e.to_string())
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn chaos_names_parse() {
        let f =
            parse(&["reset=0.01,delay=200ms@0.05,status500=0.01,garbage=0.01,hang=0.001"]).unwrap();
        assert_eq!((f.delay, f.delay_fraction), (Some(ms(200)), 0.05));
        assert_eq!(
            [Fault::Error, Fault::Garbage, Fault::Reset, Fault::Hang].map(|x| f.fraction(x)),
            [0.01, 0.01, 0.01, 0.001]
        );
        assert_eq!(
            parse(&[&f.to_string()]).unwrap(),
            f,
            "the display form parses back"
        );
        assert_eq!(f.pick(0.025), Some(Fault::Garbage));
        assert!(parse(&["delay=1ms@2"]).is_err());
    }

    #[test]
    fn good_specs() {
        let f = parse(&["stall=1s/5s", "delay=2.5ms,error=0.01", "bare500=0.02"]).unwrap();
        assert_eq!(
            f,
            Faults {
                stall: Some(Stall {
                    window: ms(1000),
                    period: ms(5000)
                }),
                delay: Some(Duration::from_micros(2500)),
                fractions: [0.01, 0.02, 0.0, 0.0, 0.0, 0.0],
                ..Faults::default()
            }
        );
        let f = parse(&["throttle=0.5, reset=0.25 ,hang=0.25"]).unwrap();
        assert_eq!(
            [Fault::Throttle, Fault::Reset, Fault::Hang].map(|x| f.fraction(x)),
            [0.5, 0.25, 0.25]
        );
        assert_eq!(
            parse(&["stall=300ms/1s"]).unwrap().stall.unwrap().window,
            ms(300)
        );
        assert_eq!(parse(&["delay=.5s"]).unwrap().delay, Some(ms(500)));
        assert_eq!(parse(&["delay=2m"]).unwrap().delay, Some(ms(120_000)));
        assert_eq!(
            parse(&["delay=100us"]).unwrap().delay,
            Some(Duration::from_micros(100))
        );
        assert_eq!(
            parse(&["delay=0.1s"]).unwrap().delay,
            Some(ms(100)),
            "decimal, not binary, fractions"
        );
        assert_eq!(parse(&["error=1"]).unwrap().fraction(Fault::Error), 1.0);
        assert_eq!(parse(&["error=0"]).unwrap(), Faults::default());
        assert!(!parse(&["error=0"]).unwrap().is_active());
        assert!(parse(&["delay=1ms"]).unwrap().is_active());
    }

    #[test]
    fn display_parses_back() {
        let spec =
            "stall=1s/5s,delay=2.5ms,error=0.01,bare500=0.02,throttle=0.03,reset=0.04,hang=0.05";
        let f = parse(&[spec]).unwrap();
        assert_eq!(f.to_string(), spec);
        assert_eq!(parse(&[&f.to_string()]).unwrap(), f);
        assert_eq!(
            parse(&["stall=300ms/1s"]).unwrap().to_string(),
            "stall=300ms/1s"
        );
        assert_eq!(Faults::default().to_string(), "none");
    }

    #[test]
    fn bad_specs_say_what_is_wrong() {
        let err = |specs: &[&str]| parse(specs).unwrap_err();
        assert_eq!(
            err(&["stall=1s"]),
            "`stall=1s` needs a period: stall=D/P holds requests during the first D of every P, \
             e.g. stall=1s/5s"
        );
        assert!(err(&["stall=5s/5s"]).contains("must be shorter than its period"));
        assert!(err(&["stall=6s/5s"]).contains("must be shorter than its period"));
        assert!(err(&["stall=1s/x"]).contains("`x` is not a duration"));
        assert!(err(&["delay=10"]).contains("`10` is not a duration"));
        assert!(err(&["delay=10h"]).contains("`10h` is not a duration"));
        assert!(err(&["delay=ms"]).contains("`ms` is not a duration"));
        assert!(err(&["delay=1.2.3s"]).contains("not a duration"));
        assert!(err(&["delay=-1s"]).contains("not a duration"));
        assert!(err(&["delay=1e3ms"]).contains("not a duration"));
        assert!(err(&["delay="]).contains("not a duration"));
        assert!(err(&["delay=0s"]).contains("must be more than 0"));
        assert!(err(&["delay=25h"]).contains("not a duration"));
        assert!(err(&["delay=1441m"]).contains("up to 24 hours"));
        assert!(err(&["delay=99999999999999999999s"]).contains("not a duration"));
        assert!(err(&["error=1.5"]).contains("not a fraction of requests from 0 to 1"));
        assert!(err(&["error=-0.1"]).contains("not a fraction"));
        assert!(err(&["error=NaN"]).contains("not a fraction"));
        assert!(err(&["error=5%"]).contains("not a fraction"));
        assert!(err(&["error"]).starts_with("`error` is not NAME=VALUE; the faults are stall=D/P"));
        assert!(err(&["explode=1"]).starts_with("unknown fault `explode`"));
        assert!(err(&[""]).starts_with("an empty fault"));
        assert!(err(&["error=0.1,,hang=0.1"]).starts_with("an empty fault"));
        assert_eq!(err(&["error=0.1", "error=0.2"]), "`error` is given twice");
        assert_eq!(err(&["delay=1s,delay=1s"]), "`delay` is given twice");
        assert_eq!(
            err(&["error=0.1,status500=0.2"]),
            "`error` and `status500` are the same fault, given twice"
        );
        assert!(err(&["error=0.6,throttle=0.5"]).contains("add up to 1.1"));
    }

    #[test]
    fn all_lists_the_faults_in_declaration_order() {
        for (i, (fault, _)) in Fault::ALL.iter().enumerate() {
            assert_eq!(*fault as usize, i, "{fault:?}");
        }
    }

    #[test]
    fn each_fault_gets_its_slice() {
        let f = parse(&["error=0.1,bare500=0.1,throttle=0.1,reset=0.1,hang=0.1"]).unwrap();
        assert_eq!(f.pick(0.0), Some(Fault::Error));
        assert_eq!(f.pick(0.15), Some(Fault::Bare500));
        assert_eq!(f.pick(0.25), Some(Fault::Throttle));
        assert_eq!(f.pick(0.35), Some(Fault::Reset));
        assert_eq!(f.pick(0.45), Some(Fault::Hang));
        assert_eq!(f.pick(0.5), None);
        assert_eq!(f.pick(0.999), None);
        let all = parse(&["throttle=1"]).unwrap();
        assert_eq!(all.pick(0.0), Some(Fault::Throttle));
        assert_eq!(all.pick(0.999_999), Some(Fault::Throttle));
        assert_eq!(Faults::default().pick(0.0), None);
    }

    #[test]
    fn stall_window_arithmetic() {
        let s = Stall {
            window: ms(1000),
            period: ms(5000),
        };
        assert_eq!(stall_hold(ms(0), s), ms(1000));
        assert_eq!(stall_hold(ms(1), s), ms(999));
        assert_eq!(stall_hold(ms(999), s), ms(1));
        assert_eq!(stall_hold(ms(1000), s), Duration::ZERO);
        assert_eq!(stall_hold(ms(4999), s), Duration::ZERO);
        assert_eq!(stall_hold(ms(5000), s), ms(1000));
        assert_eq!(stall_hold(ms(5250), s), ms(750));
        assert_eq!(stall_hold(ms(6000), s), Duration::ZERO);
        assert_eq!(stall_hold(ms(3_600_000 + 400), s), ms(600));
        assert_eq!(
            stall_hold(Duration::from_nanos(5_000_000_001), s),
            Duration::from_nanos(999_999_999)
        );
        let tiny = Stall {
            window: Duration::from_micros(1),
            period: Duration::from_micros(3),
        };
        assert_eq!(
            stall_hold(Duration::from_nanos(3_500), tiny),
            Duration::from_nanos(500)
        );
        assert_eq!(
            stall_hold(Duration::from_nanos(4_000), tiny),
            Duration::ZERO
        );
    }
}
