//! The Model Openness Framework 1.0 as data (`licences/_mof.toml`): its components, which
//! class requires each, which licences it counts as open, which suit each kind of content, and
//! the words that stand where a licence name goes but name none. The evaluation that runs on
//! these tables is the openness stage's (`classify::mof`).

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::OnceLock,
};

use serde::Deserialize;

use crate::vocab::{ContentType, MofClass, MofComponent, MofStatus};

/// The class number the framework uses (I = 1, II = 2, III = 3).
pub const fn class_number(class: MofClass) -> u8 {
    match class {
        MofClass::I => 1,
        MofClass::II => 2,
        MofClass::III => 3,
    }
}

/// The framework's tables.
#[derive(Debug)]
pub struct Framework {
    /// `framework.name` as MOT files write it.
    pub name: String,
    /// `framework.version`.
    pub version: String,
    /// `framework.date`.
    pub date: String,
    /// The components in the framework's order.
    pub components: Vec<ComponentDef>,
    open: BTreeSet<String>,
    not_open: BTreeSet<String>,
    type_appropriate: BTreeMap<ContentType, BTreeSet<String>>,
    markers: Vec<Marker>,
}

/// One component of the framework.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentDef {
    /// Its name.
    #[serde(rename = "name")]
    pub component: MofComponent,
    /// The MOT's number for it.
    pub mot_id: u32,
    /// Code, data or document.
    pub content: ContentType,
    /// The class that first requires it (or lists it, for optional components).
    pub class: MofClass,
    /// Whether a class requires it.
    pub required: bool,
    /// What it is, in our words.
    pub description: String,
}

/// Words that stand where a licence name goes but name no licence.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Marker {
    status: MofStatus,
    #[serde(default)]
    names: Vec<String>,
    #[serde(default)]
    prefixes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrameworkFile {
    framework: FrameworkHead,
    component: Vec<ComponentDef>,
    open: Vec<String>,
    not_open: Vec<String>,
    type_appropriate: BTreeMap<ContentType, Vec<String>>,
    marker: Vec<Marker>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrameworkHead {
    name: String,
    version: String,
    date: String,
}

/// The data file the tables live in.
pub const DATA_FILE: &str = "_mof.toml";

impl Framework {
    /// The embedded tables, parsed on first use.
    ///
    /// # Panics
    /// Only if the embedded data file is broken, which the unit tests rule out.
    pub fn get() -> &'static Framework {
        static FRAMEWORK: OnceLock<Framework> = OnceLock::new();
        FRAMEWORK.get_or_init(|| {
            let text = super::data_files().iter().find(|(f, _)| *f == DATA_FILE).map_or("", |(_, t)| *t);
            Framework::parse(text).unwrap_or_else(|e| panic!("embedded licences/{DATA_FILE} is broken: {e}"))
        })
    }

    /// Parses the tables and checks that every framework component appears exactly once.
    pub fn parse(text: &str) -> Result<Framework, String> {
        let file: FrameworkFile = toml::from_str(text).map_err(|e| e.to_string())?;
        for c in MofComponent::ALL {
            let n = file.component.iter().filter(|d| d.component == *c).count();
            if n != 1 {
                return Err(format!("component `{c}` is listed {n} times; list each exactly once"));
            }
        }
        let set = |v: Vec<String>| v.into_iter().collect::<BTreeSet<_>>();
        Ok(Framework {
            name: file.framework.name,
            version: file.framework.version,
            date: file.framework.date,
            components: file.component,
            open: set(file.open),
            not_open: set(file.not_open),
            type_appropriate: file.type_appropriate.into_iter().map(|(k, v)| (k, set(v))).collect(),
            markers: file.marker,
        })
    }

    /// The definition of a component.
    pub fn def(&self, component: MofComponent) -> &ComponentDef {
        // `parse` guarantees every component is present.
        self.components.iter().find(|d| d.component == component).unwrap_or(&self.components[0])
    }

    /// The components a class requires, its own and those of the classes below it in the
    /// hierarchy (Class II needs Class III's too).
    pub fn required_for(&self, class: MofClass) -> impl Iterator<Item = &ComponentDef> {
        self.components.iter().filter(move |d| d.required && class_number(d.class) >= class_number(class))
    }

    /// Whether an SPDX id is open in the framework's sense.
    pub fn is_open_spdx(&self, id: &str) -> bool {
        if self.not_open.contains(id) {
            return false;
        }
        self.open.contains(id) || spdx::license_id(id).is_some_and(|l| l.is_osi_approved() || l.is_fsf_free_libre())
    }

    /// Whether an SPDX id is on the type-appropriate list for a content type.
    pub fn is_type_appropriate(&self, id: &str, content: ContentType) -> bool {
        self.type_appropriate.get(&content).is_some_and(|s| s.contains(id))
    }

    /// The type-appropriate licences for a content type.
    pub fn type_appropriate(&self, content: ContentType) -> impl Iterator<Item = &str> {
        self.type_appropriate.get(&content).into_iter().flatten().map(String::as_str)
    }

    /// Whether an SPDX id is on the open list itself (open-data licences, OpenMDW).
    pub fn is_listed_open(&self, id: &str) -> bool {
        self.open.contains(id)
    }

    /// Whether an SPDX id is excluded although the SPDX list approves it.
    pub fn is_excluded(&self, id: &str) -> bool {
        self.not_open.contains(id)
    }

    /// The open list (open-data licences and OpenMDW).
    pub fn open_list(&self) -> impl Iterator<Item = &str> {
        self.open.iter().map(String::as_str)
    }

    /// The status a marker word stands for (`Component not included` → missing).
    pub fn marker(&self, written: &str) -> Option<MofStatus> {
        let key = super::normalise_name(written.trim().trim_end_matches('.'));
        if key.is_empty() {
            return Some(MofStatus::Unlicensed);
        }
        self.markers
            .iter()
            .find(|m| {
                m.names.iter().any(|n| super::normalise_name(n) == key)
                    || m.prefixes.iter().any(|p| key.starts_with(&super::normalise_name(p)))
            })
            .map(|m| m.status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_tables_load_and_cover_the_framework() {
        let fw = Framework::get();
        assert_eq!(fw.components.len(), 17);
        assert_eq!(fw.required_for(MofClass::III).count(), 6);
        assert_eq!(fw.required_for(MofClass::II).count(), 10);
        assert_eq!(fw.required_for(MofClass::I).count(), 14);
        assert!(Framework::parse("framework = 1").is_err());
        assert_eq!(fw.marker("Component not include."), Some(MofStatus::Missing));
        assert_eq!(fw.marker("Undisclosed"), Some(MofStatus::Unlicensed));
        assert_eq!(fw.marker("Apache-2.0"), None);
    }
}
