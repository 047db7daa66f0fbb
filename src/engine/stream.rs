//! The lean client's connection: plain TCP or TLS over it, behind one read/write path (an
//! enum, so a request pays a match, not a virtual call). Connecting is set-up, timed apart
//! from any request.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::client::failure::{Cause, Kind};

pub(crate) enum Stream {
    Tcp(TcpStream),
    /// Boxed: the TLS state is kilobytes, and idle connections move in and out of the pool.
    Tls(Box<TlsStream<TcpStream>>),
}

/// How connections to the origin are made: TCP alone, or TCP then a TLS handshake.
pub(crate) enum Connector {
    Tcp,
    Tls {
        tls: TlsConnector,
        name: ServerName<'static>,
    },
}

impl Connector {
    pub(crate) fn tls(config: Arc<rustls::ClientConfig>, name: ServerName<'static>) -> Connector {
        Connector::Tls {
            tls: TlsConnector::from(config),
            name,
        }
    }

    pub(crate) fn is_tls(&self) -> bool {
        matches!(self, Connector::Tls { .. })
    }

    /// A connection to `addr`, its handshake done.
    pub(crate) async fn connect(&self, addr: &str) -> Result<Stream, Cause> {
        let tcp = TcpStream::connect(addr)
            .await
            .map_err(|e| Cause::Io(Kind::Connect, e))?;
        let _ = tcp.set_nodelay(true);
        match self {
            Connector::Tcp => Ok(Stream::Tcp(tcp)),
            Connector::Tls { tls, name } => {
                let s = tls
                    .connect(name.clone(), tcp)
                    .await
                    .map_err(|e| Cause::Io(handshake_kind(&e), e))?;
                Ok(Stream::Tls(Box::new(s)))
            }
        }
    }
}

/// A handshake that failed on rustls's word (a certificate refused, no common protocol) is
/// `tls`; one whose connection broke under it is `closed` or `connect`.
fn handshake_kind(e: &io::Error) -> Kind {
    let rustls = e
        .get_ref()
        .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some());
    if rustls || e.kind() == io::ErrorKind::InvalidData {
        Kind::Tls
    } else {
        match e.kind() {
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::UnexpectedEof => Kind::Closed,
            _ => Kind::Tls,
        }
    }
}

impl Stream {
    /// Whether an idle connection can take a request: nothing to read yet. A server closing
    /// an idle keep-alive connection (a FIN, or TLS's close_notify) makes it readable, as do
    /// bytes nobody asked for; either way it is not reused. TLS records that carry no data
    /// (a session ticket) are consumed here and leave it usable.
    pub(crate) fn reusable(&mut self) -> bool {
        let mut probe = [0u8; 1];
        match self {
            Stream::Tcp(s) => {
                matches!(s.try_read(&mut probe), Err(e) if e.kind() == io::ErrorKind::WouldBlock)
            }
            Stream::Tls(s) => {
                let mut cx = Context::from_waker(std::task::Waker::noop());
                let mut buf = ReadBuf::new(&mut probe);
                Pin::new(s.as_mut())
                    .poll_read(&mut cx, &mut buf)
                    .is_pending()
            }
        }
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}
