//! The HTML report: one self-contained page for legal review, rendered with minijinja from the
//! review digest (`review.rs`).
//!
//! Why minijinja rather than hand-written escaping: autoescaping makes every value escaped unless
//! a template says otherwise, so a forgotten call cannot leak a card's `<script>`; and the
//! templates stay editable by the people who read the report (`--template DIR`), without
//! rebuilding the tool. Only our CSS and JS are inserted unescaped.
//!
//! Defence in depth: the page carries a Content-Security-Policy that allows no network request
//! at all (`default-src 'none'`) and only the inline style and script whose SHA-256 it names,
//! so even markup that slipped through could neither run nor load anything. Links are rendered
//! only for catalogue licence URLs, and only http(s) ones.

use std::{
    fs,
    io::{self, Read},
    path::Path,
};

use minijinja::{
    AutoEscape, Environment, context,
    value::{Serde, Value},
};
use sha2::{Digest, Sha256};

use super::{RenderOptions, Report, review};

const TEMPLATE: &str = include_str!("templates/report.html");
const CSS: &str = include_str!("templates/report.css");
const JS: &str = include_str!("templates/report.js");

/// The largest template file read from `--template DIR`.
const MAX_TEMPLATE: u64 = 1024 * 1024;

pub(super) fn write(report: &Report, out: &mut dyn io::Write, options: &RenderOptions) -> io::Result<()> {
    let dir = options.template.as_deref();
    let template = load(dir, "report.html")?.unwrap_or_else(|| TEMPLATE.to_string());
    let css = load(dir, "report.css")?.unwrap_or_else(|| CSS.to_string());
    let js = load(dir, "report.js")?.unwrap_or_else(|| JS.to_string());

    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.add_template_owned("builtin/report.html", TEMPLATE).map_err(template_error)?;
    env.add_template_owned("report.html", template).map_err(template_error)?;
    if let Some(dir) = dir {
        let dir = dir.to_path_buf();
        // Other files of the directory can be included or extended by name (no paths).
        env.set_loader(move |name| {
            if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
                return Ok(None);
            }
            load(Some(&dir), name)
                .map_err(|e| minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string()))
        });
    }
    let review = review::review(report, &options.generated, &options.scanned);
    let csp = format!(
        "default-src 'none'; style-src 'sha256-{}'; script-src 'sha256-{}'; img-src data:; base-uri 'none'; form-action 'none'",
        base64(&Sha256::digest(css.as_bytes())),
        base64(&Sha256::digest(js.as_bytes())),
    );
    let ctx = context! { r => Value::from(Serde(&review)), css => css, js => js, csp => csp };
    let tmpl = env.get_template("report.html").map_err(template_error)?;
    let html = tmpl.render(ctx).map_err(template_error)?;
    out.write_all(html.as_bytes())?;
    if !html.ends_with('\n') {
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// A template file of `--template DIR`, when the directory has it.
fn load(dir: Option<&Path>, name: &str) -> io::Result<Option<String>> {
    let Some(dir) = dir else { return Ok(None) };
    let path = dir.join(name);
    if !path.is_file() {
        return Ok(None);
    }
    let mut text = String::new();
    let file = fs::File::open(&path).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    file.take(MAX_TEMPLATE + 1)
        .read_to_string(&mut text)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    if text.len() as u64 > MAX_TEMPLATE {
        return Err(io::Error::other(format!("{}: larger than {MAX_TEMPLATE} bytes", path.display())));
    }
    Ok(Some(text))
}

/// A template error with its file and line, and the chain of causes (an include's error).
fn template_error(e: minijinja::Error) -> io::Error {
    let mut message = format!("template error: {e}");
    if let (Some(name), Some(line)) = (e.name(), e.line()) {
        message = format!("template error in {name}:{line}: {}", e.detail().unwrap_or(&e.kind().to_string()));
    }
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        message.push_str(&format!(": {s}"));
        source = s.source();
    }
    io::Error::other(message)
}

/// Standard base64 with padding (for the CSP hashes).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (plain, encoded) in
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE=")]
        {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }
}
