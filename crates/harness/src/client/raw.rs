//! Large request bodies over plain HTTP/1.1, sent while the response is read. A server may answer
//! (413, say) as soon as it has read the headers and close the connection without reading the
//! rest, which HTTP allows; a client that only reads after writing the whole body then sees
//! "broken pipe" instead of the answer. Here the body is written in chunks while the connection is
//! read; when a response head arrives, writing stops and that response is judged. A server that
//! closes without any response is reported as exactly that ([`TransportError::ClosedWithoutResponse`]).
//!
//! Used for `http://` requests whose body exceeds [`RAW_BODY_THRESHOLD`]; each uses its own
//! connection (`Connection: close`). `https://` requests go through the pooled client.

use super::message::{Request, TransportError};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Bodies larger than this (bytes) go through this module when the URL is `http://`.
pub const RAW_BODY_THRESHOLD: usize = 256 * 1024;

/// The largest response head read, in bytes: hyper's own limit, which the pooled client enforces.
pub const MAX_HEAD_BYTES: usize = 8192 + 4096 * 100;

/// The most headers a response head may have: hyper's limit too.
const MAX_HEADERS: usize = 100;

/// How much of the body one write sends.
const CHUNK: usize = 512 * 1024;

/// A response read off the wire: status, headers (names lower case), body (content codings not
/// yet decoded).
pub struct RawResponse {
    /// The final (non-1xx) status.
    pub status: u16,
    /// Headers in order.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

/// Sends `request` and reads its response concurrently; `answered` is set when a final response
/// head arrives. The body cap applies to the response body.
pub async fn exchange(request: &Request, cap: usize, answered: &AtomicBool) -> Result<RawResponse, TransportError> {
    let url = &request.url;
    let host = url
        .host_str()
        .ok_or_else(|| TransportError::Invalid(format!("no host in {url}")))?;
    let port = url
        .port_or_known_default()
        .ok_or_else(|| TransportError::Invalid(format!("no port for {url}")))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let stream = TcpStream::connect((host, port))
        .await
        .map_err(|e| TransportError::Unreachable(format!("{host}:{port}: {e}")))?;
    // As the pooled client does: no Nagle delay between the head and the body's last segment.
    let _ = stream.set_nodelay(true);
    let (mut reader, mut writer) = stream.into_split();
    let body = request.body.clone().unwrap_or_default();
    let head = request_head(request, body.len());
    let sent = AtomicUsize::new(0);
    let write = async {
        writer.write_all(head.as_bytes()).await?;
        for chunk in body.chunks(CHUNK) {
            writer.write_all(chunk).await?;
            sent.fetch_add(chunk.len(), Ordering::Relaxed);
        }
        writer.flush().await
    };
    let read = read_response(&mut reader, cap, answered);
    tokio::pin!(write, read);
    let mut writing = true;
    loop {
        tokio::select! {
            written = &mut write, if writing => {
                // A failed write (the server closed early) is not the end: its answer may be in.
                let _ = written;
                writing = false;
            }
            response = &mut read => {
                return response.map_err(|closed| match closed {
                    Closed::Transport(e) => e,
                    Closed::BeforeResponse => TransportError::ClosedWithoutResponse(format!(
                        "the server closed the connection without a response after receiving {} of {} body bytes",
                        sent.load(Ordering::Relaxed),
                        body.len()
                    )),
                });
            }
        }
    }
}

/// The request line and headers, with `Host`, `Content-Length` and `Connection: close`.
fn request_head(request: &Request, length: usize) -> String {
    let url = &request.url;
    let mut target = url.path().to_string();
    if let Some(query) = url.query() {
        target.push('?');
        target.push_str(query);
    }
    let host = match url.port() {
        Some(port) => format!("{}:{port}", url.host_str().unwrap_or("")),
        None => url.host_str().unwrap_or("").to_string(),
    };
    let mut head = format!("{} {target} HTTP/1.1\r\nHost: {host}\r\n", request.method);
    for (name, value) in &request.headers {
        let framing = ["host", "content-length", "connection", "transfer-encoding"];
        if !framing.iter().any(|f| name.eq_ignore_ascii_case(f)) {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    head.push_str(&format!(
        "User-Agent: ucwa-conformance/{}\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n",
        env!("CARGO_PKG_VERSION")
    ));
    head
}

/// A parsed response head: status, headers, and where the body starts in the buffer.
type Head = (u16, Vec<(String, String)>, usize);

/// Why no response could be read.
enum Closed {
    /// The connection ended before a final response head.
    BeforeResponse,
    /// Anything else (a malformed head, a body over the cap, a body cut short).
    Transport(TransportError),
}

/// Reads one final response (skipping 1xx interim ones).
async fn read_response(
    reader: &mut tokio::net::tcp::OwnedReadHalf,
    cap: usize,
    answered: &AtomicBool,
) -> Result<RawResponse, Closed> {
    let mut buf: Vec<u8> = Vec::with_capacity(16 * 1024);
    let mut head: Option<Head> = None;
    let mut chunk = vec![0u8; 16 * 1024];
    loop {
        if head.is_none() {
            head = parse_head(&mut buf).map_err(Closed::Transport)?;
            if head.is_some() {
                answered.store(true, Ordering::Relaxed);
            } else if buf.len() > MAX_HEAD_BYTES {
                return Err(Closed::Transport(TransportError::Connection(format!(
                    "a response head larger than {MAX_HEAD_BYTES} bytes (the client's limit)"
                ))));
            }
        }
        if let Some((status, headers, start)) = &head {
            if let Some(body) = complete_body(headers, &buf[*start..], cap).map_err(Closed::Transport)? {
                return Ok(RawResponse {
                    status: *status,
                    headers: headers.clone(),
                    body,
                });
            }
            if buf.len() - start > cap {
                return Err(Closed::Transport(TransportError::TooLarge(cap)));
            }
        }
        // A reset after the answer ends the reading like a close: what was read stands.
        let n = reader.read(&mut chunk).await.unwrap_or_default();
        if n == 0 {
            return match head {
                None => Err(Closed::BeforeResponse),
                Some((status, headers, start)) => {
                    let framed = headers
                        .iter()
                        .any(|(n, _)| n == "content-length" || n == "transfer-encoding");
                    if framed {
                        Err(Closed::Transport(TransportError::Connection(
                            "the connection closed before the response body was complete".into(),
                        )))
                    } else {
                        Ok(RawResponse {
                            status,
                            headers,
                            body: buf[start..].to_vec(),
                        })
                    }
                }
            };
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Parses a final response head at the start of `buf` (dropping interim 1xx heads).
fn parse_head(buf: &mut Vec<u8>) -> Result<Option<Head>, TransportError> {
    loop {
        let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut response = httparse::Response::new(&mut slots);
        let parsed = response
            .parse(buf)
            .map_err(|e| TransportError::Connection(format!("a malformed response head: {e}")))?;
        let httparse::Status::Complete(length) = parsed else {
            return Ok(None);
        };
        let status = response.code.unwrap_or(0);
        if (100..200).contains(&status) {
            buf.drain(..length);
            continue;
        }
        let headers = response
            .headers
            .iter()
            .map(|h| {
                (
                    h.name.to_ascii_lowercase(),
                    String::from_utf8_lossy(h.value).into_owned(),
                )
            })
            .collect();
        return Ok(Some((status, headers, length)));
    }
}

/// The body, when `data` holds all of it by the response's framing (`None`: read on); a body
/// announced larger than `cap` is refused at once.
fn complete_body(headers: &[(String, String)], data: &[u8], cap: usize) -> Result<Option<Vec<u8>>, TransportError> {
    let header = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    if header("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked")) {
        return dechunk(data, cap);
    }
    match header("content-length").map(|v| v.trim().parse::<usize>()) {
        Some(Ok(length)) if length > cap => Err(TransportError::TooLarge(cap)),
        Some(Ok(length)) if data.len() >= length => Ok(Some(data[..length].to_vec())),
        Some(Ok(_)) => Ok(None),
        Some(Err(_)) => Err(TransportError::Connection("an invalid Content-Length".into())),
        None => Ok(None),
    }
}

/// Decodes a complete chunked body (`None` while the last chunk has not arrived). Chunk sizes
/// are the target's numbers: checked, and none may exceed `cap`.
fn dechunk(mut data: &[u8], cap: usize) -> Result<Option<Vec<u8>>, TransportError> {
    let mut out = Vec::new();
    loop {
        let Some(line_end) = data.windows(2).position(|w| w == b"\r\n") else {
            return Ok(None);
        };
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| TransportError::Connection(format!("an invalid chunk size `{size_text}`")))?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Ok(Some(out));
        }
        if out.len().saturating_add(size) > cap {
            return Err(TransportError::TooLarge(cap));
        }
        let Some(framed) = size.checked_add(2) else {
            return Err(TransportError::TooLarge(cap));
        };
        if data.len() < framed {
            return Ok(None);
        }
        out.extend_from_slice(&data[..size]);
        data = &data[framed..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_bodies_are_decoded_when_complete() {
        assert_eq!(
            dechunk(b"4\r\nWiki\r\n5;x=y\r\npedia\r\n0\r\n\r\n", 64).ok().flatten(),
            Some(b"Wikipedia".to_vec())
        );
        assert!(matches!(dechunk(b"4\r\nWi", 64), Ok(None)));
    }

    #[test]
    fn chunk_sizes_are_the_targets_numbers_and_are_checked() {
        for size in ["ffffffffffffffff", "fffffffffffffffe", "10000"] {
            let data = format!("{size}\r\nab\r\n");
            assert!(
                matches!(dechunk(data.as_bytes(), 1024), Err(TransportError::TooLarge(1024))),
                "{size}"
            );
        }
        assert!(matches!(
            dechunk(b"1ffffffffffffffffff\r\nab\r\n", 1024),
            Err(TransportError::Connection(_))
        ));
    }

    #[test]
    fn interim_heads_are_skipped() {
        let mut buf =
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 413 Payload Too Large\r\ncontent-length: 2\r\n\r\nok".to_vec();
        let (status, headers, start) = parse_head(&mut buf).ok().flatten().expect("a head");
        assert_eq!(status, 413);
        assert_eq!(
            complete_body(&headers, &buf[start..], 64).ok().flatten(),
            Some(b"ok".to_vec())
        );
    }
}
