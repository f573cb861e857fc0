//! GET requests to the Hub with timeouts, retries and the response cache.
//!
//! 429 and 5xx answers and transport errors are retried with exponential backoff (0.5 s, 1 s,
//! 2 s … capped at 8 s), or after the `Retry-After` seconds the server asks for (capped at 60 s).
//! The token goes in the `Authorization` header only; it is never part of a URL, a message or
//! the cache.

use std::{fmt, io::Read, time::Duration};

use super::cache::{Cached, ResponseCache, TTL};

/// An access token that never prints.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    /// Wraps a token; empty strings are no token.
    pub fn new(s: String) -> Option<Token> {
        let t = s.trim().to_string();
        (!t.is_empty()).then_some(Token(t))
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// What a GET gave.
#[derive(Debug)]
pub enum Fetched {
    /// The body (cut at the size limit), and whether it was cut.
    Body {
        /// Bytes.
        bytes: Vec<u8>,
        /// Longer than the limit.
        truncated: bool,
    },
    /// A final status other than 200 (after retries for 429/5xx).
    Status(u16),
    /// Offline and not in the cache.
    Offline,
}

/// The Hub could not be reached at all.
#[derive(Debug)]
pub struct Unreachable(pub String);

/// How a response may be reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reuse {
    /// Addressed by commit: the answer never changes.
    Immutable,
    /// May change (a branch): fresh for the TTL.
    Expiring,
}

/// The HTTP side of the client.
pub struct Http {
    agent: ureq::Agent,
    endpoint: String,
    token: Option<Token>,
    retries: u32,
    cache: ResponseCache,
    offline: bool,
    refresh: bool,
}

impl Http {
    /// A client for `endpoint`.
    pub fn new(
        endpoint: &str,
        token: Option<Token>,
        cache: ResponseCache,
        timeout: Duration,
        retries: u32,
        offline: bool,
        refresh: bool,
    ) -> Http {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .timeout_connect(Some(timeout.min(Duration::from_secs(10))))
            .redirect_auth_headers(ureq::config::RedirectAuthHeaders::SameHost)
            .user_agent(concat!("modelgate/", env!("CARGO_PKG_VERSION")))
            .build();
        Http {
            agent: config.into(),
            endpoint: endpoint.trim_end_matches('/').to_string(),
            token,
            retries,
            cache,
            offline,
            refresh,
        }
    }

    /// The endpoint, without a trailing `/`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Whether a token is sent.
    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// Where the cache keeps the body of `path`.
    pub fn cache_file(&self, path: &str) -> std::path::PathBuf {
        self.cache.file(path)
    }

    /// Keeps a body made here (card data written as a card) in the cache.
    pub fn cache_store(&self, path: &str, body: &[u8]) -> std::io::Result<std::path::PathBuf> {
        self.cache.store(path, body)
    }

    /// GETs `path` (starting with `/`), from the cache when it holds a usable answer.
    pub fn get(&self, path: &str, reuse: Reuse, limit: u64) -> Result<Fetched, Unreachable> {
        let with_token = self.token.is_some();
        let max_age = match (reuse, self.offline, self.refresh) {
            (_, true, _) => None,
            (Reuse::Immutable, _, _) => None,
            (Reuse::Expiring, _, true) => Some(Duration::ZERO),
            (Reuse::Expiring, _, false) => Some(TTL),
        };
        match self.cache.lookup(path, max_age, with_token) {
            Some(Cached::Body(bytes)) => return Ok(Fetched::Body { bytes, truncated: false }),
            Some(Cached::Status(code)) => return Ok(Fetched::Status(code)),
            None if self.offline => return Ok(Fetched::Offline),
            None => {}
        }
        let url = format!("{}{path}", self.endpoint);
        let mut attempt = 0;
        loop {
            let mut request = self.agent.get(&url);
            if let Some(Token(t)) = &self.token {
                request = request.header("Authorization", format!("Bearer {t}"));
            }
            let retry_after = match request.call() {
                Ok(mut response) => {
                    let status = response.status().as_u16();
                    if status == 200 {
                        let mut bytes = Vec::new();
                        let read =
                            response.body_mut().as_reader().take(limit.saturating_add(1)).read_to_end(&mut bytes);
                        match read {
                            Ok(_) => {
                                let truncated = bytes.len() as u64 > limit;
                                bytes.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
                                if !truncated {
                                    // A failed cache write only costs a request next time.
                                    let _ = self.cache.store(path, &bytes);
                                }
                                return Ok(Fetched::Body { bytes, truncated });
                            }
                            Err(_) if attempt < self.retries => None,
                            Err(e) => return Err(Unreachable(format!("reading {url}: {e}"))),
                        }
                    } else if status == 429 || status >= 500 {
                        if attempt >= self.retries {
                            return Ok(Fetched::Status(status));
                        }
                        let asked = response
                            .headers()
                            .get("retry-after")
                            .and_then(|v| v.to_str().ok())
                            .and_then(|v| v.trim().parse::<u64>().ok())
                            .map(|s| Duration::from_secs(s.min(60)));
                        Some(asked.unwrap_or_else(|| backoff(attempt)))
                    } else {
                        if matches!(status, 401 | 403 | 404) {
                            let _ = self.cache.store_status(path, status, with_token);
                        }
                        return Ok(Fetched::Status(status));
                    }
                }
                Err(_) if attempt < self.retries => None,
                Err(e) => return Err(Unreachable(e.to_string())),
            };
            std::thread::sleep(retry_after.unwrap_or_else(|| backoff(attempt)));
            attempt += 1;
        }
    }
}

/// 0.5 s, 1 s, 2 s, 4 s, 8 s, 8 s …
fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(500u64.saturating_mul(1u64 << attempt.min(4)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_do_not_print() {
        let t = Token::new("hf_secret".into()).unwrap();
        assert!(!format!("{t:?}").contains("hf_secret"));
        assert!(Token::new("  ".into()).is_none());
        assert_eq!(backoff(0), Duration::from_millis(500));
        assert_eq!(backoff(9), Duration::from_secs(8));
    }
}
