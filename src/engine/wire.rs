//! The run's transport, chosen once by the endpoint. An enum rather than a trait object:
//! the per-request call is a match, not a virtual call, and allocates nothing.

use super::compiled::Compiled;
use super::http1;
use super::reqwest_client::ReqwestClient;
use super::transport::{Timed, Transport};
use crate::client::ClientSettings;
use crate::target::Api;

pub(crate) enum Wire {
    Lean(http1::Pool),
    Reqwest(ReqwestClient),
}

impl Wire {
    /// The lean client for a plain-http endpoint (unless HTTP/2 is asked for); reqwest,
    /// sharing `api`'s client, otherwise.
    pub(crate) fn for_endpoint(api: &Api, http: &ClientSettings) -> Wire {
        let url = reqwest::Url::parse(&format!("{}/", api.endpoint()))
            .expect("the endpoint was checked when the scenario loaded");
        match (!http.http2).then(|| http1::Origin::of(&url)).flatten() {
            Some(origin) => Wire::Lean(http1::Pool::new(
                origin,
                http.pool_size,
                http.connect_timeout,
                http.read_timeout,
            )),
            None => Wire::Reqwest(ReqwestClient::new(api.client().clone(), url)),
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
            Wire::Reqwest(t) => t.exchange(c, body).await,
        }
    }

    fn ever_connected(&self) -> bool {
        match self {
            Wire::Lean(t) => t.ever_connected(),
            Wire::Reqwest(t) => t.ever_connected(),
        }
    }
}
