//! What the reference looks like on the wire, beyond the resources: IIS's leniency with paths
//! (repeated slashes merged, letter case ignored) and its spelling of header names
//! (`Content-Type`, `WWW-Authenticate`, `X-MS-UcwaVersion`), which clients that look headers up
//! by exact name (Microsoft's JavaScript helper library) depend on.
//!
//! The HTTP stack writes header names in lower case; [`IisListener`] hands it connections whose
//! writes respell the names of each response head, byte for byte the same length.

use axum::extract::Request;
use axum::http::{HeaderValue, Uri};
use axum::response::Response;
use std::borrow::Cow;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// The request with its path normalised for routing: `//` merged, lower-cased (routes are
/// declared in lower case; ids are digits, SIP names are case-insensitive).
pub fn normalise_path(mut request: Request) -> Request {
    let uri = request.uri();
    let path = uri.path();
    let mut merged = String::with_capacity(path.len());
    for c in path.chars() {
        if !(c == '/' && merged.ends_with('/')) {
            merged.push(c.to_ascii_lowercase());
        }
    }
    if merged != path {
        let rebuilt = match uri.query() {
            Some(q) => format!("{merged}?{q}"),
            None => merged,
        };
        if let Ok(new) = rebuilt.parse::<Uri>() {
            *request.uri_mut() = new;
        }
    }
    request
}

/// The UCWA version every response carries, as `Versioning.md`'s sample writes it (no trace shows
/// it, so no case requires it: INTERPRETATION.md I-28).
pub const UCWA_VERSION: &str = "1.7";

/// The response with `X-MS-UcwaVersion`, whatever answered it (401s and 204s included).
pub async fn with_version(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert("x-ms-ucwaversion", HeaderValue::from_static(UCWA_VERSION));
    response
}

/// Largest answer compressed; larger ones (none of the reference's) go as they are.
const MAX_COMPRESSED: usize = 8 * 1024 * 1024;

/// JSON and XML answers gzip-compressed when the request accepts gzip, as IIS compresses them
/// (facts 7; a choice, not a requirement: INTERPRETATION I-29). Other answers, empty ones and
/// requests that do not accept gzip are left as they are.
pub async fn gzip_when_accepted(request: Request, next: axum::middleware::Next) -> Response {
    let accepts = request
        .headers()
        .get_all(axum::http::header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or("");
            let refused = parts.any(|p| p.replace(' ', "").eq_ignore_ascii_case("q=0"));
            name.eq_ignore_ascii_case("gzip") && !refused
        });
    let response = next.run(request).await;
    let textual = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.contains("json") || t.contains("xml"));
    if !accepts || !textual || response.headers().contains_key(axum::http::header::CONTENT_ENCODING) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_COMPRESSED).await else {
        return Response::from_parts(parts, axum::body::Body::empty());
    };
    if bytes.is_empty() {
        return Response::from_parts(parts, axum::body::Body::empty());
    }
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let compressed = encoder.write_all(&bytes).and_then(|()| encoder.finish());
    let Ok(compressed) = compressed else {
        return Response::from_parts(parts, axum::body::Body::from(bytes));
    };
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    parts
        .headers
        .insert(axum::http::header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    parts
        .headers
        .append(axum::http::header::VARY, HeaderValue::from_static("Accept-Encoding"));
    Response::from_parts(parts, axum::body::Body::from(compressed))
}

/// Header names as IIS writes them in the traces; any other name is written in title case.
pub const SPELLINGS: [&str; 18] = [
    "Cache-Control",
    "Connection",
    "Content-Encoding",
    "Content-Length",
    "Content-Type",
    "Date",
    "Etag",
    "Expires",
    "Location",
    "Pragma",
    "Retry-After",
    "Set-Cookie",
    "Transfer-Encoding",
    "WWW-Authenticate",
    "X-Content-Type-Options",
    "X-MS-Server-Fqdn",
    "X-MS-UcwaVersion",
    "X-Ms-diagnostics",
];

/// The response head at the start of `bytes` with its header names respelt; everything else
/// (status line, values, body) unchanged, and the length the same.
pub fn respell_head(bytes: &[u8]) -> Cow<'_, [u8]> {
    if !bytes.starts_with(b"HTTP/1.") {
        return Cow::Borrowed(bytes);
    }
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(bytes.len());
    let mut out = bytes.to_vec();
    let mut line_start = match bytes.iter().position(|&b| b == b'\n') {
        Some(p) => p + 1,
        None => return Cow::Borrowed(bytes),
    };
    while line_start < end {
        let line_end = bytes[line_start..end]
            .iter()
            .position(|&b| b == b'\r')
            .map_or(end, |p| line_start + p);
        if let Some(colon) = bytes[line_start..line_end].iter().position(|&b| b == b':') {
            let name = &mut out[line_start..line_start + colon];
            match SPELLINGS.iter().find(|s| s.as_bytes().eq_ignore_ascii_case(name)) {
                Some(spelling) => name.copy_from_slice(spelling.as_bytes()),
                None => title_case(name),
            }
        }
        line_start = line_end + 2;
    }
    Cow::Owned(out)
}

fn title_case(name: &mut [u8]) {
    let mut upper = true;
    for b in name {
        *b = if upper {
            b.to_ascii_uppercase()
        } else {
            b.to_ascii_lowercase()
        };
        upper = *b == b'-';
    }
}

/// A connection whose response heads are respelt as IIS writes them.
#[derive(Debug)]
pub struct IisCase<S>(S);

impl<S: AsyncRead + Unpin> AsyncRead for IisCase<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for IisCase<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let respelt = respell_head(buf);
        Pin::new(&mut self.0).poll_write(cx, &respelt)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

/// A TCP listener whose connections are [`IisCase`].
#[derive(Debug)]
pub struct IisListener(pub TcpListener);

impl axum::serve::Listener for IisListener {
    type Io = IisCase<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.0.accept().await {
                Ok((stream, addr)) => {
                    let _ = stream.set_nodelay(true);
                    return (IisCase(stream), addr);
                }
                // Out of descriptors, say: wait a little, as axum's own listener does.
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_are_respelt_and_nothing_else() {
        let head = b"HTTP/1.1 401 Unauthorized\r\ncontent-type: text/html\r\nwww-authenticate: Bearer x\r\n\
                     x-ms-ucwaversion: 2\r\nx-custom-thing: a\r\n\r\ncontent-type: body";
        let out = respell_head(head);
        assert_eq!(out.len(), head.len());
        assert_eq!(
            std::str::from_utf8(&out).expect("text"),
            "HTTP/1.1 401 Unauthorized\r\nContent-Type: text/html\r\nWWW-Authenticate: Bearer x\r\n\
             X-MS-UcwaVersion: 2\r\nX-Custom-Thing: a\r\n\r\ncontent-type: body"
        );
    }

    #[test]
    fn a_body_alone_is_untouched() {
        assert!(matches!(respell_head(b"{\"content-type\": 1}"), Cow::Borrowed(_)));
    }

    #[test]
    fn paths_merge_slashes_and_ignore_case() {
        let request = Request::builder()
            .uri("//UCWA/oauth//v1/Applications/101?Ack=1")
            .body(axum::body::Body::empty())
            .expect("request");
        assert_eq!(
            normalise_path(request).uri().to_string(),
            "/ucwa/oauth/v1/applications/101?Ack=1"
        );
    }
}
