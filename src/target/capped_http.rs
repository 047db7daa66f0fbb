//! The credential providers' HTTP client, with every response body read to a size bound.
//! `aws-config` reads a container or instance metadata answer whole before parsing it, so a
//! server that sends an endless body would grow memory until the provider's timeout (tens of
//! GB); credentials JSON is under 4 KiB, an SSO or STS answer a few KiB.

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use http_body_util::BodyExt;

/// The most a credential provider's response body may hold: 16 times the largest real one.
pub const BODY_LIMIT: usize = 64 * 1024;

/// `inner` with every response body read whole, up to `limit` bytes; a longer body fails the
/// request with an error saying so (the bytes are never quoted).
#[derive(Debug)]
pub struct Capped {
    inner: SharedHttpClient,
    limit: usize,
}

impl Capped {
    pub fn new(inner: impl HttpClient + 'static, limit: usize) -> Capped {
        Capped {
            inner: SharedHttpClient::new(inner),
            limit,
        }
    }
}

impl HttpClient for Capped {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(CappedConnector {
            inner: self.inner.http_connector(settings, components),
            limit: self.limit,
        })
    }
}

#[derive(Debug)]
struct CappedConnector {
    inner: SharedHttpConnector,
    limit: usize,
}

impl HttpConnector for CappedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let inner = self.inner.clone();
        let limit = self.limit;
        HttpConnectorFuture::new(async move {
            let mut response = inner.call(request).await?;
            let mut body = response.take_body();
            let mut bytes = Vec::new();
            while let Some(frame) = body.frame().await {
                let frame = frame.map_err(ConnectorError::io)?;
                let Ok(data) = frame.into_data() else {
                    continue;
                };
                if bytes.len() + data.len() > limit {
                    return Err(ConnectorError::other(
                        format!(
                            "the response body from the credentials server is larger than {} KiB \
                             (a real answer is under 4 KiB)",
                            limit / 1024
                        )
                        .into(),
                        None,
                    ));
                }
                bytes.extend_from_slice(&data);
            }
            *response.body_mut() = SdkBody::from(bytes);
            Ok(response)
        })
    }
}
