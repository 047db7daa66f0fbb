//! The exposition read back by a small parser of its own (HELP and TYPE before samples,
//! counters' `_total`, cumulative buckets ending in `+Inf` = `_count`, escaping), and the
//! server against well-behaved and hostile clients on 127.0.0.1.

use std::collections::BTreeMap;

use super::exposition::{Format, escape_label, render, sample_names};
use super::sample::{BOUNDS_US, Buckets, CaseSample, Sample};
use super::server::{MAX_HEAD, Request, parse};
use super::*;

/// One sample line: its name, its labels (unescaped) and its value.
#[derive(Debug, Clone, PartialEq)]
struct Line {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// The families' (HELP, TYPE, UNIT) and the samples of an exposition; panics on anything
/// either format forbids that this checks.
#[derive(Debug, Default)]
struct Parsed {
    types: BTreeMap<String, String>,
    helps: BTreeMap<String, String>,
    units: BTreeMap<String, String>,
    lines: Vec<Line>,
    eof: bool,
}

fn parse_labels(text: &str) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    let mut chars = text.chars().peekable();
    loop {
        let name: String = chars.by_ref().take_while(|&c| c != '=').collect();
        if name.is_empty() {
            return labels;
        }
        assert_eq!(chars.next(), Some('"'), "label {name} is not quoted");
        let mut value = String::new();
        loop {
            match chars.next().expect("a closed quote") {
                '"' => break,
                '\\' => match chars.next().expect("an escape") {
                    'n' => value.push('\n'),
                    '\\' => value.push('\\'),
                    '"' => value.push('"'),
                    c => panic!("unknown escape \\{c}"),
                },
                '\n' => panic!("a raw line feed in a label value"),
                c => value.push(c),
            }
        }
        assert!(
            labels.insert(name.clone(), value).is_none(),
            "label {name} twice"
        );
        match chars.next() {
            Some(',') => {}
            None => return labels,
            Some(c) => panic!("{c} after a label value"),
        }
    }
}

fn parse_exposition(text: &str, format: Format) -> Parsed {
    let mut p = Parsed::default();
    assert!(text.ends_with('\n'));
    for line in text.lines() {
        assert!(!p.eof, "a line after # EOF: {line}");
        if line == "# EOF" {
            p.eof = true;
        } else if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest.split_once(' ').unwrap();
            assert!(p.helps.insert(name.into(), help.into()).is_none(), "{name}");
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap();
            assert!(p.helps.contains_key(name), "TYPE before HELP for {name}");
            assert!(p.types.insert(name.into(), kind.into()).is_none(), "{name}");
        } else if let Some(rest) = line.strip_prefix("# UNIT ") {
            assert_eq!(format, Format::OpenMetrics);
            let (name, unit) = rest.split_once(' ').unwrap();
            assert!(name.ends_with(&format!("_{unit}")), "{name} {unit}");
            p.units.insert(name.into(), unit.into());
        } else {
            assert!(!line.starts_with('#'), "{line}");
            let (series, value) = line.rsplit_once(' ').unwrap();
            let (name, labels) = match series.split_once('{') {
                Some((name, rest)) => (name, parse_labels(rest.strip_suffix('}').unwrap())),
                None => (series, BTreeMap::new()),
            };
            let value = match value {
                "+Inf" => f64::INFINITY,
                v => v.parse().unwrap_or_else(|_| panic!("value {v}")),
            };
            // Its family was declared before it.
            let family = family_of(name, &p.types, format)
                .unwrap_or_else(|| panic!("{name}: no TYPE before it"));
            assert!(
                p.lines.last().is_none_or(
                    |l| l.name == name || family_of(&l.name, &p.types, format).is_some()
                )
            );
            let _ = family;
            p.lines.push(Line {
                name: name.into(),
                labels,
                value,
            });
        }
    }
    assert_eq!(p.eof, format == Format::OpenMetrics);
    p
}

/// The declared family a sample belongs to, and its type.
fn family_of(name: &str, types: &BTreeMap<String, String>, format: Format) -> Option<String> {
    if let Some(kind) = types.get(name) {
        // Prometheus's text format declares counters with `_total`; OpenMetrics without.
        assert!(
            format == Format::Prometheus || kind != "counter",
            "OpenMetrics counter sample {name} without _total"
        );
        return Some(kind.clone());
    }
    for suffix in ["_total", "_bucket", "_sum", "_count"] {
        if let Some(base) = name.strip_suffix(suffix)
            && let Some(kind) = types.get(base)
        {
            let fits = match suffix {
                "_total" => kind == "counter" && format == Format::OpenMetrics,
                _ => kind == "histogram",
            };
            assert!(fits, "{name} in a {kind} family");
            return Some(kind.clone());
        }
    }
    None
}

fn buckets(values: &[u64]) -> Buckets {
    let mut h = crate::metrics::new_histogram();
    for v in values {
        h.record(*v).unwrap();
    }
    Buckets::of(&h)
}

fn sample() -> Sample {
    Sample {
        scenario: "load \"mixed\"".into(),
        finished: false,
        sent: 9,
        in_flight: 1,
        schedule_lag_us: 1_250,
        late_starts: 2,
        dropped_starts: 3,
        cases: vec![
            CaseSample {
                id: "valid-code".into(),
                by_class: [5, 0, 1, 0, 2, 0],
                retries: 1,
                passed: 5,
                failed: 1,
                failed_by_check: [1, 0, 0],
                latency: buckets(&[90, 400, 400, 2_000, 70_000_000, 9_000, 12, 8]),
                service_time: buckets(&[80, 300]),
            },
            CaseSample {
                id: "team\\case \"x\"\nnext".into(),
                ..CaseSample::default()
            },
        ],
    }
}

fn value(p: &Parsed, name: &str, labels: &[(&str, &str)]) -> f64 {
    let hits: Vec<&Line> = p
        .lines
        .iter()
        .filter(|l| {
            l.name == name
                && labels
                    .iter()
                    .all(|(k, v)| l.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .collect();
    assert_eq!(hits.len(), 1, "{name} {labels:?}: {hits:?}");
    hits[0].value
}

#[test]
fn both_formats_parse_back_with_every_family_declared() {
    let s = sample();
    for format in [Format::Prometheus, Format::OpenMetrics] {
        let p = parse_exposition(&render(&s, format), format);
        // Every name a query can use is there, and nothing else.
        let mut names: Vec<String> = p.lines.iter().map(|l| l.name.clone()).collect();
        names.sort();
        names.dedup();
        let mut expected = sample_names();
        expected.sort();
        assert_eq!(names, expected, "{format:?}");
        for l in &p.lines {
            assert!(l.name.starts_with("cogbench_"), "{}", l.name);
            assert_eq!(l.labels["scenario"], "load \"mixed\"", "{}", l.name);
        }
        assert_eq!(p.types.len(), p.helps.len());
        let om = format == Format::OpenMetrics;
        let requests = if om {
            "cogbench_requests"
        } else {
            "cogbench_requests_total"
        };
        assert_eq!(p.types[requests], "counter");
        assert_eq!(p.types["cogbench_latency_seconds"], "histogram");
        assert_eq!(p.types["cogbench_in_flight_requests"], "gauge");
        assert_eq!(
            p.units.contains_key("cogbench_latency_seconds"),
            om,
            "UNIT lines are OpenMetrics'"
        );

        let case = [("case", "valid-code")];
        let total = |class: &str| {
            value(
                &p,
                "cogbench_requests_total",
                &[("case", "valid-code"), ("class", class)],
            )
        };
        assert_eq!(total("success"), 5.0);
        assert_eq!(total("unexpected_error"), 1.0);
        assert_eq!(total("transport_error"), 2.0);
        assert_eq!(
            value(
                &p,
                "cogbench_verdicts_total",
                &[("case", "valid-code"), ("verdict", "fail")]
            ),
            1.0
        );
        assert_eq!(
            value(
                &p,
                "cogbench_check_failures_total",
                &[("case", "valid-code"), ("check", "answer")]
            ),
            1.0
        );
        assert_eq!(value(&p, "cogbench_retries_total", &case), 1.0);
        assert_eq!(value(&p, "cogbench_requests_sent_total", &[]), 9.0);
        assert_eq!(value(&p, "cogbench_in_flight_requests", &[]), 1.0);
        assert_eq!(value(&p, "cogbench_schedule_lag_seconds", &[]), 0.00125);
        assert_eq!(value(&p, "cogbench_late_starts_total", &[]), 2.0);
        assert_eq!(value(&p, "cogbench_dropped_starts_total", &[]), 3.0);
        assert_eq!(value(&p, "cogbench_run_finished", &[]), 0.0);
    }
}

#[test]
fn histogram_buckets_are_cumulative_and_end_in_the_count() {
    let s = sample();
    for format in [Format::Prometheus, Format::OpenMetrics] {
        let p = parse_exposition(&render(&s, format), format);
        for family in ["cogbench_latency_seconds", "cogbench_service_time_seconds"] {
            for c in &s.cases {
                let bucket = format!("{family}_bucket");
                let rows: Vec<&Line> = p
                    .lines
                    .iter()
                    .filter(|l| l.name == bucket && l.labels["case"] == c.id)
                    .collect();
                assert_eq!(rows.len(), BOUNDS_US.len() + 1);
                let les: Vec<f64> = rows
                    .iter()
                    .map(|l| match l.labels["le"].as_str() {
                        "+Inf" => f64::INFINITY,
                        le => {
                            // OpenMetrics' le is always a float.
                            assert!(format == Format::Prometheus || le.contains('.'), "{le}");
                            le.parse().unwrap()
                        }
                    })
                    .collect();
                assert!(les.windows(2).all(|w| w[0] < w[1]), "{les:?}");
                assert_eq!(*les.last().unwrap(), f64::INFINITY);
                for (le, us) in les.iter().zip(BOUNDS_US) {
                    assert_eq!(*le, us as f64 / 1e6);
                }
                let counts: Vec<f64> = rows.iter().map(|l| l.value).collect();
                assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");
                let count = value(&p, &format!("{family}_count"), &[("case", &c.id)]);
                assert_eq!(*counts.last().unwrap(), count);
                assert!(value(&p, &format!("{family}_sum"), &[("case", &c.id)]) >= 0.0);
            }
        }
        // valid-code's latencies: 8, 12 and 90 µs under 100 µs; 70 s past the last bound.
        let le = |le: &str| {
            value(
                &p,
                "cogbench_latency_seconds_bucket",
                &[("case", "valid-code"), ("le", le)],
            )
        };
        assert_eq!(le("0.0001"), 3.0);
        assert_eq!(le("+Inf"), 8.0);
        let last = if format == Format::OpenMetrics {
            "60.0"
        } else {
            "60"
        };
        assert_eq!(le(last), 7.0);
    }
}

#[test]
fn label_values_from_catalog_files_are_escaped() {
    assert_eq!(escape_label("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
    let s = sample();
    for format in [Format::Prometheus, Format::OpenMetrics] {
        let text = render(&s, format);
        // No sample line is broken by the case id's line feed.
        assert!(
            text.lines()
                .filter(|l| !l.starts_with('#'))
                .all(|l| l.starts_with("cogbench_")),
            "{text}"
        );
        let p = parse_exposition(&text, format);
        let odd = "team\\case \"x\"\nnext";
        assert_eq!(
            value(
                &p,
                "cogbench_requests_total",
                &[("case", odd), ("class", "success")]
            ),
            0.0
        );
    }
}

#[test]
fn a_sample_with_no_cases_still_declares_every_family() {
    let empty = Sample {
        scenario: "s".into(),
        ..Sample::default()
    };
    for format in [Format::Prometheus, Format::OpenMetrics] {
        let p = parse_exposition(&render(&empty, format), format);
        assert_eq!(p.types.len(), 12);
        assert!(
            !p.lines
                .iter()
                .any(|l| l.name == "cogbench_latency_seconds_bucket")
        );
    }
}

#[test]
fn the_accept_header_chooses_the_format() {
    let prometheus = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    assert_eq!(Format::negotiate(Some(prometheus)), Format::OpenMetrics);
    assert_eq!(
        Format::negotiate(Some("text/plain;version=0.0.4")),
        Format::Prometheus
    );
    assert_eq!(
        Format::negotiate(Some("application/openmetrics-text; q=0")),
        Format::Prometheus
    );
    assert_eq!(Format::negotiate(Some("*/*")), Format::Prometheus);
    assert_eq!(Format::negotiate(None), Format::Prometheus);
}

#[test]
fn requests_are_parsed_strictly() {
    let metrics = |head_only| Request::Metrics {
        head_only,
        format: Format::Prometheus,
    };
    assert_eq!(
        parse(b"GET /metrics HTTP/1.1\r\n\r\n"),
        Some(metrics(false))
    );
    assert_eq!(
        parse(b"HEAD /metrics?x=1 HTTP/1.0\r\nHost: a\r\n\r\n"),
        Some(metrics(true))
    );
    assert_eq!(parse(b"GET /metrics HTTP/1.1\r\nHost: a\r\n"), None);
    assert_eq!(parse(b"GET / HTTP/1.1\r\n\r\n"), Some(Request::NotFound));
    assert_eq!(
        parse(b"POST /metrics HTTP/1.1\r\n\r\n"),
        Some(Request::MethodNotAllowed)
    );
    assert_eq!(parse(b"\x00\xff garbage\r\n\r\n"), Some(Request::Bad));
    let many: String = (0..40).map(|i| format!("X-{i}: y\r\n")).collect();
    assert_eq!(
        parse(format!("GET /metrics HTTP/1.1\r\n{many}\r\n").as_bytes()),
        Some(Request::TooLarge)
    );
}

mod served {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    use super::*;

    async fn exchange(endpoint: &Endpoint, request: &[u8]) -> String {
        let addr = endpoint.url()["http://".len()..].replace("/metrics", "");
        let mut stream = TcpStream::connect(addr).await.unwrap();
        // The server may close before taking all of an oversized request.
        let _ = stream.write_all(request).await;
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer).await;
        String::from_utf8_lossy(&answer).into_owned()
    }

    fn bind() -> Endpoint {
        Endpoint::bind("127.0.0.1:0".parse().unwrap(), "s").unwrap()
    }

    #[tokio::test]
    async fn serves_get_and_head_of_metrics_and_refuses_the_rest() {
        let e = bind();
        let get = exchange(&e, b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").await;
        assert!(get.starts_with("HTTP/1.1 200 OK\r\n"), "{get}");
        assert!(get.contains("Content-Type: text/plain; version=0.0.4"));
        assert!(get.contains("cogbench_run_finished{scenario=\"s\"} 0\n"));
        let om = exchange(
            &e,
            b"GET /metrics HTTP/1.1\r\nAccept: application/openmetrics-text;version=1.0.0\r\n\r\n",
        )
        .await;
        assert!(om.contains("application/openmetrics-text; version=1.0.0"));
        assert!(om.ends_with("# EOF\n"));
        let head = exchange(&e, b"HEAD /metrics HTTP/1.1\r\n\r\n").await;
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n") && head.ends_with("\r\n\r\n"));
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Length: "))
            .unwrap()
            .parse()
            .unwrap();
        assert!(length > 1000, "HEAD says the GET's length");
        for (request, status) in [
            (&b"GET /other HTTP/1.1\r\n\r\n"[..], "404"),
            (b"DELETE /metrics HTTP/1.1\r\n\r\n", "405"),
            (
                b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
                "400",
            ),
        ] {
            let answer = exchange(&e, request).await;
            assert!(
                answer.starts_with(&format!("HTTP/1.1 {status} ")),
                "{answer}"
            );
        }
        let big = format!(
            "GET /metrics HTTP/1.1\r\nX: {}\r\n\r\n",
            "a".repeat(MAX_HEAD)
        );
        let answer = exchange(&e, big.as_bytes()).await;
        assert!(answer.starts_with("HTTP/1.1 431 "), "{answer}");
        // Still serving after all of that.
        let get = exchange(&e, b"GET /metrics HTTP/1.1\r\n\r\n").await;
        assert!(get.starts_with("HTTP/1.1 200 OK\r\n"));
    }

    /// Idle connections cannot keep a scraper out: past `MAX_CONNECTIONS`, a new connection
    /// closes the oldest one still sending its request head, and is answered.
    #[tokio::test]
    async fn idle_connections_give_way_to_a_scrape() {
        use super::super::server::MAX_CONNECTIONS;
        let e = bind();
        let addr = e.url()["http://".len()..].replace("/metrics", "");
        let mut idle = Vec::new();
        for _ in 0..MAX_CONNECTIONS {
            let mut c = TcpStream::connect(&addr).await.unwrap();
            // Half a request head: each would hold its place until the head timeout.
            c.write_all(b"GET /metrics HTTP/1.1\r\n").await.unwrap();
            idle.push(c);
        }
        // Let the server take them all in before the scrape comes.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let answered = tokio::time::timeout(
            Duration::from_secs(3),
            exchange(&e, b"GET /metrics HTTP/1.1\r\n\r\n"),
        )
        .await
        .expect("answered before the idle connections' head timeout");
        assert!(answered.starts_with("HTTP/1.1 200 OK"), "{answered}");
        // The oldest idle connection was the one closed, with no answer.
        let mut first = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(3), idle[0].read_to_end(&mut first))
            .await
            .expect("the oldest idle connection was closed");
        assert!(first.is_empty(), "{}", String::from_utf8_lossy(&first));
    }

    #[test]
    fn accept_headers_are_one_list_and_the_absolute_form_is_taken() {
        use super::super::server::{Request, parse};
        let om = Request::Metrics {
            head_only: false,
            format: Format::OpenMetrics,
        };
        assert_eq!(
            parse(b"GET /metrics HTTP/1.1\r\nAccept: text/plain\r\nAccept: application/openmetrics-text\r\n\r\n"),
            Some(om)
        );
        assert_eq!(
            parse(b"GET http://127.0.0.1:9464/metrics?x=1 HTTP/1.1\r\n\r\n"),
            Some(Request::Metrics {
                head_only: false,
                format: Format::Prometheus
            })
        );
        assert_eq!(
            parse(b"GET http://127.0.0.1:9464/other HTTP/1.1\r\n\r\n"),
            Some(Request::NotFound)
        );
        assert_eq!(
            parse(b"GET HTTP://127.0.0.1:9464/metrics HTTP/1.1\r\n\r\n"),
            Some(Request::Metrics {
                head_only: false,
                format: Format::Prometheus
            })
        );
        assert_eq!(
            Format::negotiate(Some("APPLICATION/OPENMETRICS-TEXT;Q=0")),
            Format::Prometheus
        );
    }

    #[tokio::test]
    async fn a_port_in_use_is_refused() {
        let e = bind();
        let addr = e.url()["http://".len()..].replace("/metrics", "");
        let err = Endpoint::bind(addr.parse().unwrap(), "s").err().unwrap();
        assert!(
            err.contains("--metrics-listen") && err.contains("cannot listen"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn lingering_ends_once_a_scrape_has_read_the_final_figures() {
        let e = bind();
        let never = crate::interrupt::Interrupts::never();
        // Not finished: no linger at all.
        e.linger(Duration::from_secs(3600), &never).await;
        let summary: crate::summary::types::Summary = serde_json::from_str(
            &std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/golden/faulty/summary.json"
            ))
            .unwrap(),
        )
        .unwrap();
        e.feed().finish(&summary);
        let linger = e.linger(Duration::from_secs(3600), &never);
        let scrape = async {
            // HEAD does not count as reading them.
            let head = exchange(&e, b"HEAD /metrics HTTP/1.1\r\n\r\n").await;
            assert!(head.starts_with("HTTP/1.1 200"));
            let get = exchange(&e, b"GET /metrics HTTP/1.1\r\n\r\n").await;
            assert!(get.contains("cogbench_run_finished{scenario="), "{get}");
            assert!(get.contains("} 1\n"));
            get
        };
        let ((), get) = tokio::time::timeout(Duration::from_secs(60), async {
            tokio::join!(linger, scrape)
        })
        .await
        .expect("the linger ends once the final figures are read");
        assert!(get.contains("cogbench_run_finished"));
        // Read already: no second wait.
        e.linger(Duration::from_secs(3600), &never).await;
    }
}
