//! The run's transport, chosen once by the endpoint. An enum rather than a trait object:
//! the per-request call is a match, not a virtual call, and allocates nothing.

use super::compiled::Compiled;
use super::http1;
use super::reqwest_client::ReqwestClient;
use super::transport::{Setup, Timed, Transport};
use std::sync::Arc;

use crate::client::{self, ClientSettings, tls};
use crate::target::Api;

// One per run, made once and never moved while requests go: its size costs nothing, a box
// would cost a pointer chase per request.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Wire {
    Lean(http1::Pool),
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
            Some(origin) if origin.tls.is_none() || tls.is_some() => Wire::Lean(http1::Pool::new(
                origin,
                tls,
                http.pool_size,
                http.connect_timeout,
                http.read_timeout,
            )),
            _ => Wire::Reqwest(ReqwestClient::new(api.client().clone(), url)),
        }
    }
}

impl Transport for Wire {
    fn prepare(&self, c: &mut Compiled) {
        match self {
            Wire::Lean(t) => t.prepare(c),
            Wire::Reqwest(t) => t.prepare(c),
        }
    }

    async fn exchange(&self, c: &Compiled, body: Vec<u8>) -> Timed {
        match self {
            Wire::Lean(t) => t.exchange(c, body).await,
            // Boxed: reqwest's future is kilobytes, and inline it would be moved with every
            // request's future on the lean client too.
            Wire::Reqwest(t) => Box::pin(t.exchange(c, body)).await,
        }
    }

    fn ever_connected(&self) -> bool {
        match self {
            Wire::Lean(t) => t.ever_connected(),
            Wire::Reqwest(t) => t.ever_connected(),
        }
    }

    fn setup(&self) -> Option<Setup> {
        match self {
            Wire::Lean(t) => t.setup(),
            Wire::Reqwest(t) => t.setup(),
        }
    }
}
