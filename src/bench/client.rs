//! The bench's load generator: one keep-alive HTTP/1.1 connection per simulated client,
//! posting a prepared body and checking the answer, with nothing else on the path.
//!
//! Why not the general HTTP client the rest of the bench uses: the load generator runs on the
//! same two cores as the server, so whatever it spends is missing from the server's figure. A
//! profile of the `agent(id)` run gave reqwest, hyper and the JSON tree built from every answer
//! more than a quarter of the machine's CPU. Like wrk, this client only writes the request
//! bytes and reads the answer by its `Content-Length`; an answer that is not `200` or that
//! carries `"errors"` stops the run.

use std::net::SocketAddr;

use anyhow::{Context as _, Result, bail, ensure};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// One client connection, ready to post one body again and again.
pub struct Client {
    stream: TcpStream,
    request: Vec<u8>,
    buffer: Vec<u8>,
}

impl Client {
    /// Connects to `addr` to post `body` to `/graphql`, with `token` as bearer when given.
    pub async fn connect(addr: SocketAddr, token: Option<&str>, body: &[u8]) -> Result<Self> {
        let stream = TcpStream::connect(addr).await.with_context(|| format!("connecting to {addr}"))?;
        stream.set_nodelay(true)?;
        let mut request = format!(
            "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        )
        .into_bytes();
        if let Some(token) = token {
            request.extend_from_slice(format!("Authorization: Bearer {token}\r\n").as_bytes());
        }
        request.extend_from_slice(b"\r\n");
        request.extend_from_slice(body);
        Ok(Self { stream, request, buffer: Vec::with_capacity(16 * 1024) })
    }

    /// Posts the body once and waits for a good answer.
    pub async fn post(&mut self) -> Result<()> {
        self.stream.write_all(&self.request).await?;
        self.buffer.clear();
        let head_end = loop {
            if let Some(at) = find(&self.buffer, b"\r\n\r\n") {
                break at + 4;
            }
            self.read_more().await?;
        };
        let head = std::str::from_utf8(&self.buffer[..head_end]).context("the answer's head is not text")?;
        ensure!(head.starts_with("HTTP/1.1 200"), "the server answered {}", head.lines().next().unwrap_or(""));
        let length = head
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("content-length").then(|| value.trim().parse::<usize>().ok())?
            })
            .context("the answer has no Content-Length")?;
        while self.buffer.len() < head_end + length {
            self.read_more().await?;
        }
        let body = &self.buffer[head_end..head_end + length];
        if find(body, b"\"errors\"").is_some() {
            bail!("the server answered with errors: {}", String::from_utf8_lossy(body));
        }
        Ok(())
    }

    async fn read_more(&mut self) -> Result<()> {
        let mut chunk = [0u8; 16 * 1024];
        let read = self.stream.read(&mut chunk).await?;
        ensure!(read > 0, "the server closed the connection");
        self.buffer.extend_from_slice(&chunk[..read]);
        Ok(())
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
