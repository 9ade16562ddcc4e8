//! Memory stays bounded against a server that streams a 100 MB body: the client reads up to its
//! cap (1 MiB here) and gives up. Its own test binary, so the process's peak memory (VmHWM)
//! measures this test alone. The bound checked: less than 32 MiB of growth over five exchanges.

use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use ucwa_conformance::client::{HttpClient, Request, TransportError};
use ucwa_conformance::under_test::Limits;

const BOUND_BYTES: u64 = 32 * 1024 * 1024;

fn peak_rss_bytes() -> u64 {
    (ucwa_conformance::oracle::bench::peak_mib() * 1024.0 * 1024.0) as u64
}

async fn hundred_megabytes(listener: tokio::net::TcpListener) {
    while let Ok((mut socket, _)) = listener.accept().await {
        tokio::spawn(async move {
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            let head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
            if socket.write_all(head).await.is_err() {
                return;
            }
            let chunk = format!("{:x}\r\n{}\r\n", 1 << 16, " ".repeat(1 << 16));
            for _ in 0..1600 {
                if socket.write_all(chunk.as_bytes()).await.is_err() {
                    return;
                }
            }
        });
    }
}

#[test]
fn a_hundred_megabyte_body_costs_no_more_than_the_cap() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/x", listener.local_addr().expect("addr"));
        tokio::spawn(hundred_megabytes(listener));
        let limits = Limits {
            request_timeout: Duration::from_secs(10),
            ..Limits::default()
        };
        let client = HttpClient::new(limits).expect("client");
        let before = peak_rss_bytes();
        for _ in 0..5 {
            let request = Request::new("GET", url.parse().expect("url"));
            match client.send(&request).await {
                Err(TransportError::TooLarge(cap)) => assert_eq!(cap, limits.max_body_bytes),
                other => panic!("expected the size cap to stop the body, got {other:?}"),
            }
        }
        let growth = peak_rss_bytes().saturating_sub(before);
        assert!(
            growth < BOUND_BYTES,
            "peak memory grew by {growth} bytes (bound {BOUND_BYTES})"
        );
    });
}
