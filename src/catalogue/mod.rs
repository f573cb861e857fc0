//! The licence catalogue: one TOML file per licence in `licences/`, embedded in the binary and
//! parsed once.
//!
//! The catalogue is the single source of truth for what a licence is called, what category it
//! falls in, what it restricts and how to recognise its text. Code elsewhere asks the catalogue;
//! it never matches on licence ids itself.

mod bases;
mod data;
pub mod mof;

use std::{
    collections::HashMap,
    sync::{Mutex, OnceLock},
};

pub use bases::BaseFamily;
pub use data::{Document, IdentifyDef, Licence, RestrictionDef};

use crate::vocab::Category;

/// Every `licences/*.toml` file embedded in the binary, as `(file name, contents)`.
pub fn data_files() -> &'static [(&'static str, &'static str)] {
    data::LICENCE_FILES
}

/// Every licence we know, with lookup tables.
#[derive(Debug)]
pub struct Catalogue {
    licences: Vec<Licence>,
    /// Normalised id / alias / SPDX id → index into `licences`.
    names: HashMap<String, usize>,
    /// Normalised URL → index.
    urls: HashMap<String, usize>,
    bases: Vec<BaseFamily>,
}

/// A problem in the embedded catalogue data (a bug in `licences/`, caught by tests).
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    /// A data file is not valid TOML for its schema.
    #[error("licences/{file}: {message}")]
    Parse {
        /// The data file.
        file: String,
        /// What the TOML parser said.
        message: String,
    },
    /// Two entries claim the same id or alias.
    #[error("licences/{file}: `{name}` is already used by `{other}`")]
    Duplicate {
        /// The data file.
        file: String,
        /// The clashing name.
        name: String,
        /// The entry that had it first.
        other: String,
    },
    /// An entry refers to an id that does not exist.
    #[error("licences/{file}: refers to unknown licence `{id}`")]
    Dangling {
        /// The data file.
        file: String,
        /// The missing id.
        id: String,
    },
}

impl Catalogue {
    /// The embedded catalogue, parsed on first use.
    ///
    /// # Panics
    /// Only if the embedded data is broken, which `tests::embedded_catalogue_loads` rules out.
    pub fn get() -> &'static Catalogue {
        static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
        CATALOGUE.get_or_init(|| {
            Catalogue::from_files(data::LICENCE_FILES)
                .unwrap_or_else(|e| panic!("embedded licence catalogue is broken: {e}"))
        })
    }

    /// Builds a catalogue from `(file name, TOML)` pairs.
    pub fn from_files(files: &[(&str, &str)]) -> Result<Catalogue, CatalogueError> {
        let mut licences = Vec::new();
        let mut bases = Vec::new();
        for (file, text) in files {
            if *file == "_base-models.toml" {
                bases.extend(bases::parse(file, text)?);
            } else if file.starts_with('_') {
                // Other tables (`_clauses.toml`) belong to the modules that read them.
            } else {
                licences.push(data::parse(file, text)?);
            }
        }
        licences.sort_by(|a, b| a.id.cmp(&b.id));

        let mut names: HashMap<String, usize> = HashMap::new();
        let mut urls: HashMap<String, usize> = HashMap::new();
        for (i, lic) in licences.iter().enumerate() {
            let mut keys = vec![lic.id.clone(), lic.spdx.clone()];
            keys.extend(lic.aliases.iter().cloned());
            for key in keys {
                let key = normalise_name(&key);
                if key.is_empty() {
                    continue;
                }
                match names.get(&key) {
                    Some(&j) if j != i => {
                        return Err(CatalogueError::Duplicate {
                            file: lic.file.clone(),
                            name: key,
                            other: licences[j].id.clone(),
                        });
                    }
                    _ => {
                        names.insert(key, i);
                    }
                }
            }
            for url in &lic.urls {
                urls.entry(normalise_url(url)).or_insert(i);
            }
        }
        let cat = Catalogue { licences, names, urls, bases };
        cat.check_references()?;
        Ok(cat)
    }

    fn check_references(&self) -> Result<(), CatalogueError> {
        for lic in &self.licences {
            let refs = lic.policy_for.iter().chain(&lic.incorporates).chain(&lic.parent);
            for id in refs {
                if self.by_id(id).is_none() {
                    return Err(CatalogueError::Dangling { file: lic.file.clone(), id: id.clone() });
                }
            }
            if let Some(parent) = lic.parent.as_deref().and_then(|p| self.by_id(p))
                && !parent.generic
            {
                return Err(CatalogueError::Parse {
                    file: lic.file.clone(),
                    message: format!("parent `{}` is not a generic entry", parent.id),
                });
            }
        }
        for base in &self.bases {
            if self.by_id(&base.licence).is_none() {
                return Err(CatalogueError::Dangling { file: base.file.clone(), id: base.licence.clone() });
            }
        }
        Ok(())
    }

    /// Every entry, sorted by id.
    pub fn licences(&self) -> &[Licence] {
        &self.licences
    }

    /// The entry with exactly this canonical id.
    pub fn by_id(&self, id: &str) -> Option<&Licence> {
        self.licences.binary_search_by(|l| l.id.as_str().cmp(id)).ok().map(|i| &self.licences[i])
    }

    /// The entry a name refers to: canonical id, alias, SPDX id, ScanCode key or a common
    /// spelling, case- and space-insensitive.
    pub fn lookup(&self, name: &str) -> Option<&Licence> {
        let key = normalise_name(name);
        if let Some(&i) = self.names.get(&key) {
            return Some(&self.licences[i]);
        }
        // Keys are normalised (`-` folded to a space), so the prefixes are too.
        for prefix in ["licenseref scancode ", "licenseref ", "scancode "] {
            if let Some(rest) = key.strip_prefix(prefix)
                && let Some(&i) = self.names.get(rest)
            {
                return Some(&self.licences[i]);
            }
        }
        None
    }

    /// The entry whose canonical text lives at this URL.
    pub fn by_url(&self, url: &str) -> Option<&Licence> {
        self.urls.get(&normalise_url(url)).map(|&i| &self.licences[i])
    }

    /// The licence of a well-known base model, from the base-family table.
    pub fn base_family(&self, model_id: &str) -> Option<(&BaseFamily, &Licence)> {
        let base = self.bases.iter().find(|b| b.matches(model_id))?;
        Some((base, self.by_id(&base.licence)?))
    }

    /// A catalogue entry made up from the SPDX list for an SPDX id we have no file for, so the
    /// long tail of SPDX licences still gets a safe category: OSI/FSF-approved licences are
    /// permissive or copyleft as the list says; anything else is `unknown`, never permissive.
    /// Entries are made once per id and live for the rest of the process.
    pub fn spdx_fallback(&self, spdx_id: &str) -> Option<&'static Licence> {
        static MADE: OnceLock<Mutex<HashMap<&'static str, &'static Licence>>> = OnceLock::new();
        let id = spdx::license_id(spdx_id)?;
        let mut made = MADE.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner());
        let entry = made.entry(id.name).or_insert_with(|| {
            let category = if id.is_osi_approved() || id.is_fsf_free_libre() {
                if id.is_copyleft() { Category::Copyleft } else { Category::Permissive }
            } else {
                Category::Unknown
            };
            Box::leak(Box::new(Licence::synthetic(
                id.name,
                id.full_name,
                category,
                id.is_osi_approved(),
                id.is_fsf_free_libre(),
            )))
        });
        Some(*entry)
    }
}

/// A licence name reduced for lookup: lower-case, trimmed, quotes stripped, and runs of
/// whitespace, `_` and `-` folded to one space, so `Apache 2.0`, `apache-2.0` and `APACHE_2.0`
/// are the same key.
pub fn normalise_name(name: &str) -> String {
    let trimmed = name.trim().trim_matches(|c| c == '"' || c == '\'' || c == '`');
    let mut out = String::with_capacity(trimmed.len());
    let mut space = false;
    for c in trimmed.chars() {
        if c.is_whitespace() || c == '_' || c == '-' {
            space = !out.is_empty();
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// A URL reduced to host and path: no scheme, no `www.`, no query, no trailing slash, and
/// GitHub `blob/<ref>` / Hub `resolve|blob/main` folded, so that links to the same text compare
/// equal.
pub fn normalise_url(url: &str) -> String {
    let mut u = url.trim().to_ascii_lowercase();
    for scheme in ["https://", "http://"] {
        if let Some(rest) = u.strip_prefix(scheme) {
            u = rest.to_string();
        }
    }
    if let Some(rest) = u.strip_prefix("www.") {
        u = rest.to_string();
    }
    if let Some(i) = u.find(['?', '#']) {
        u.truncate(i);
    }
    for marker in ["/blob/main/", "/blob/master/", "/resolve/main/", "/raw/main/", "/tree/main/"] {
        if let Some(i) = u.find(marker) {
            u.replace_range(i..i + marker.len(), "/");
        }
    }
    while u.ends_with('/') {
        u.pop();
    }
    u
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalogue_loads() {
        let cat = Catalogue::from_files(data::LICENCE_FILES).unwrap();
        assert!(cat.licences().len() >= 5);
    }

    #[test]
    fn licence_ref_prefixes_are_looked_through() {
        let cat = Catalogue::get();
        assert_eq!(cat.lookup("LicenseRef-scancode-expat").map(|l| l.id.as_str()), Some("mit"));
        assert_eq!(cat.lookup("LicenseRef-apache2").map(|l| l.id.as_str()), Some("apache-2.0"));
    }

    #[test]
    fn names_normalise() {
        assert_eq!(normalise_name("  Apache_2.0 "), "apache 2.0");
        assert_eq!(normalise_name("apache-2.0"), normalise_name("Apache 2.0"));
        assert_eq!(normalise_name("\"MIT\""), "mit");
        assert_eq!(normalise_url("https://www.Example.com/a/blob/main/LICENSE/?x=1"), "example.com/a/license");
    }

    #[test]
    fn unknown_spdx_ids_are_never_permissive_unless_approved() {
        let cat = Catalogue::get();
        let nc = cat.spdx_fallback("CC-BY-NC-4.0").unwrap();
        assert_eq!(nc.category, Category::Unknown);
        let zlib = cat.spdx_fallback("Zlib").unwrap();
        assert_eq!(zlib.category, Category::Permissive);
        assert!(std::ptr::eq(zlib, cat.spdx_fallback("Zlib").unwrap()), "made once");
        assert!(cat.spdx_fallback("not-a-licence").is_none());
    }
}
