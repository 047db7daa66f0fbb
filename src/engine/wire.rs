//! The run's transport, chosen once by the endpoint. An enum rather than a trait object:
//! the per-request call is a match, not a virtual call, and allocates nothing.

use super::compiled::Compiled;
use super::http1;
use super::lanes;
use super::reqwest_client::ReqwestClient;
use super::transport::{Setup, Timed, Transport};
use std::sync::Arc;

use crate::client::{self, ClientSettings, tls};
use crate::target::Api;

pub(crate) enum Wire {
    /// One pool per load lane (`lanes`), the connections split between them: a lane's
    /// requests go over connections its own reactor watches.
    Lean(Vec<http1::Pool>),
    Reqwest(ReqwestClient),
}

impl Wire {
    /// The lean client for an http or https endpoint (unless HTTP/2 is asked for); reqwest,
    /// sharing `api`'s client, otherwise.
    pub(crate) fn for_endpoint(api: &Api, http: &ClientSettings) -> Wire {
        let url = reqwest::Url::parse(&format!("{}/", api.endpoint()))
            .expect("the endpoint was checked when the scenario loaded");
        let lean = (!http.http2).then(|| http1::Origin::of(&url)).flatten();
        // The same settings built `api`'s client a moment ago, so its TLS configuration builds
        // again; if the CA bundle went away in between, reqwest (which has it) carries on.
        let tls = match &lean {
            Some(o) if o.tls.is_some() => client::tls_config(http, tls::Alpn::Http1)
                .ok()
                .map(Arc::new),
            _ => None,
        };
        match lean {
            Some(origin) if origin.tls.is_none() || tls.is_some() => {
                let size = http.pool_size.max(1);
                let n = lanes::count().min(size);
                let pools = (0..n)
                    .map(|i| {
                        // The first lanes take one more when the connections do not split evenly.
                        let share = size / n + usize::from(i < size % n);
                        http1::Pool::new(
                            origin.clone(),
                            tls.clone(),
                            share,
                            http.connect_timeout,
                            http.read_timeout,
                        )
                    })
                    .collect();
                Wire::Lean(pools)
            }
            _ => Wire::Reqwest(ReqwestClient::new(api.client().clone(), url)),
        }
    }
}

impl Transport for Wire {
    fn prepare(&self, c: &mut Compiled) {
        match self {
            Wire::Lean(t) => t[0].prepare(c),
            Wire::Reqwest(t) => t.prepare(c),
        }
    }

    async fn exchange(&self, c: &Compiled, body: Vec<u8>) -> Timed {
        match self {
            // Off the lanes (a read-back, a test) the first lane's pool serves.
            Wire::Lean(t) => {
                t[lanes::current().unwrap_or(0) % t.len()]
                    .exchange(c, body)
                    .await
            }
            Wire::Reqwest(t) => t.exchange(c, body).await,
        }
    }

    fn ever_connected(&self) -> bool {
        match self {
            Wire::Lean(t) => t.iter().any(|p| p.ever_connected()),
            Wire::Reqwest(t) => t.ever_connected(),
        }
    }

    fn setup(&self) -> Option<Setup> {
        match self {
            Wire::Lean(t) => t.iter().filter_map(|p| p.setup()).reduce(|mut all, one| {
                let _ = all.histogram.add(&one.histogram);
                all
            }),
            Wire::Reqwest(t) => t.setup(),
        }
    }
}
