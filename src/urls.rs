//! What a URL points at: a paper or report, or a code repository. Card parsing keeps the links
//! that point at one of these (the others say nothing the later stages read), and the openness
//! stage decides from them which components a model has.

/// Hosts of papers and reports.
const PAPER_HOSTS: [&str; 16] = [
    "arxiv.org",
    "doi.org",
    "aclanthology.org",
    "aclweb.org",
    "openreview.net",
    "proceedings.neurips.cc",
    "papers.nips.cc",
    "proceedings.mlr.press",
    "ieeexplore.ieee.org",
    "dl.acm.org",
    "link.springer.com",
    "semanticscholar.org",
    "jmlr.org",
    "openaccess.thecvf.com",
    "nature.com",
    "biorxiv.org",
];

/// Hosts of code repositories.
const CODE_HOSTS: [&str; 6] = ["github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "gitee.com", "sr.ht"];

/// Whether a link points at any of what the openness stage reads: a paper, a code repository or
/// checkpoints (the URL lower-cased once, for every link of every card).
pub fn is_read(url: &str, text: &str) -> bool {
    let lower = url.to_lowercase();
    paper(&lower) || code_repository(&lower) || lower.contains(CHECKPOINT) || text.to_lowercase().contains(CHECKPOINT)
}

/// A paper or report: on a paper host (an arXiv abstract or PDF, not a listing) or a PDF.
pub fn is_paper(url: &str) -> bool {
    paper(&url.to_lowercase())
}

/// A code repository (not one of its issues, licence files or releases).
pub fn is_code_repository(url: &str) -> bool {
    code_repository(&url.to_lowercase())
}

/// A link about checkpoints (intermediate parameters): its text or URL says so.
pub fn names_checkpoint(text: &str, url: &str) -> bool {
    [text, url].iter().any(|t| t.to_lowercase().contains(CHECKPOINT))
}

/// A word of a text holds "checkpoint" exactly when the lower-cased text does: words break only
/// at what is not a letter or digit.
const CHECKPOINT: &str = "checkpoint";

/// [`is_paper`] of a lower-cased URL.
fn paper(url: &str) -> bool {
    let host = host(url);
    let path = url.split('?').next().unwrap_or(url);
    if !PAPER_HOSTS.iter().any(|h| on_host(host, h)) && !path.ends_with(".pdf") {
        return false;
    }
    !host.ends_with("arxiv.org") || path.contains("/abs/") || path.contains("/pdf/")
}

/// [`is_code_repository`] of a lower-cased URL.
fn code_repository(lower: &str) -> bool {
    if !CODE_HOSTS.iter().any(|c| on_host(host(lower), c)) {
        return false;
    }
    let path = lower.split("://").nth(1).and_then(|r| r.split_once('/')).map_or("", |(_, p)| p);
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    segments.len() >= 2
        && !["issues", "pull", "discussions", "releases", "wiki", "sponsors"].iter().any(|s| segments.contains(s))
        && !segments.last().is_some_and(|s| s.starts_with("license") || s.starts_with("licence"))
}

/// The host of a URL, without `www.`.
fn host(url: &str) -> &str {
    let rest = url.split("://").nth(1).unwrap_or(url);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    host.strip_prefix("www.").unwrap_or(host)
}

/// Whether `host` is `domain` or one of its subdomains.
fn on_host(host: &str, domain: &str) -> bool {
    host.strip_suffix(domain).is_some_and(|sub| sub.is_empty() || sub.ends_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn papers_and_repositories() {
        assert!(is_paper("https://arxiv.org/abs/2402.00838"));
        assert!(is_paper("https://ARXIV.org/pdf/2402.00838"));
        assert!(!is_paper("https://arxiv.org/list/cs.CL"));
        assert!(is_paper("https://example.com/report.pdf?x=1"));
        assert!(is_paper("https://www.aclanthology.org/2023.acl-long.1"));
        assert!(!is_paper("https://notarxiv.org/abs/1"));
        assert!(is_code_repository("https://github.com/allenai/OLMo"));
        assert!(is_code_repository("https://gitlab.example.sr.ht/o/r"));
        assert!(!is_code_repository("https://github.com/allenai"));
        assert!(!is_code_repository("https://github.com/o/r/issues/3"));
        assert!(!is_code_repository("https://github.com/o/r/blob/main/LICENSE"));
        assert!(!is_code_repository("https://huggingface.co/o/r"));
        assert!(names_checkpoint("Intermediate CheckPoints", "https://huggingface.co/o/r"));
        assert!(!names_checkpoint("weights", "https://huggingface.co/o/r"));
        assert!(is_read("https://arxiv.org/abs/1", "") && is_read("https://github.com/o/r", ""));
        assert!(
            is_read("https://huggingface.co/o/r", "Checkpoints") && !is_read("https://huggingface.co/o/r", "model")
        );
    }
}
