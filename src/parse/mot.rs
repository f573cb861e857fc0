//! Model files of the LF AI & Data Model Openness Tool (MOT): the YAML it keeps in `models/`,
//! one model per file (schema `mof_schema.json`: `framework` + `release` with its licences and
//! components).
//!
//! Reading is lenient where the MOT is (scalars of any type, missing optional keys, unknown
//! keys kept) and strict where an evaluation would otherwise be wrong: a file that is not YAML,
//! has no `release`, no `release.name`, or names a component the framework does not have is an
//! error with its line.

use serde_json::Value;

use super::card::{parse_yaml_at, scalar};
use crate::{
    model::{Located, MotComponent, MotFile, MotFramework, MotLicence, MotRelease},
    vocab::{LicenceScope, MofComponent},
};

/// The release-wide licence keys, in the MOT's order.
const SCOPES: [(&str, LicenceScope); 4] = [
    ("distribution", LicenceScope::Distribution),
    ("code", LicenceScope::Code),
    ("data", LicenceScope::Data),
    ("document", LicenceScope::Document),
];

/// Largest MOT file we read; real ones are a few kilobytes.
pub const MAX_MOT_FILE: usize = 1 << 20;

/// Reads one MOT model file. The error says what is wrong and on which line.
pub fn parse(file: &str, text: &str) -> Result<MotFile, Located<String>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.len() > MAX_MOT_FILE {
        return Err(Located { value: format!("file is over the {MAX_MOT_FILE}-byte limit"), line: 1 });
    }
    let root = parse_yaml_at(text, 1)?;
    let lines: Vec<&str> = super::lines::lines(text).collect();
    let Some(root) = root.as_object() else {
        return Err(Located { value: "not a MOT model file: expected a mapping with `release`".into(), line: 1 });
    };
    let framework = match root.get("framework") {
        Some(Value::Object(f)) => MotFramework {
            name: f.get("name").and_then(scalar),
            version: f.get("version").and_then(scalar),
            date: f.get("date").and_then(scalar),
        },
        _ => MotFramework::default(),
    };
    let release_line = key_line(&lines, 0, lines.len(), "release").unwrap_or(1);
    let Some(release) = root.get("release").and_then(Value::as_object) else {
        return Err(Located {
            value: "not a MOT model file: `release` (the model and its components) is missing".into(),
            line: release_line,
        });
    };
    let name = release.get("name").and_then(scalar).map(|s| s.trim().to_string()).unwrap_or_default();
    let name_line = key_line(&lines, release_line as usize, lines.len(), "name").unwrap_or(release_line);
    if name.is_empty() {
        return Err(Located {
            value: "`release.name` is missing or empty; the MOT requires it".into(),
            line: name_line,
        });
    }

    let mut fields = Vec::new();
    for (key, value) in release {
        if matches!(key.as_str(), "name" | "license" | "components") {
            continue;
        }
        match value {
            Value::Null => fields.push((key.clone(), String::new())),
            v => {
                if let Some(s) = scalar(v) {
                    fields.push((key.clone(), s));
                }
            }
        }
    }
    // serde_json's map is sorted; keep the file's order, which the MOT's own files share.
    fields.sort_by_key(|(k, _)| key_line(&lines, release_line as usize, lines.len(), k).unwrap_or(u32::MAX));

    let licence_line = key_line(&lines, release_line as usize, lines.len(), "license").unwrap_or(release_line);
    let licences = match release.get("license") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(map)) => SCOPES
            .iter()
            .filter_map(|(key, scope)| {
                let entry = map.get(*key)?;
                let scope_line = key_line(&lines, licence_line as usize, lines.len(), key).unwrap_or(licence_line);
                let (name, path) = match entry {
                    Value::Object(e) => (e.get("name").and_then(scalar), e.get("path").and_then(scalar)),
                    // A bare `distribution: Apache-2.0` is read as the name.
                    other => (scalar(other), None),
                };
                let name = name.filter(|n| !n.trim().is_empty()).map(|n| Located {
                    line: key_line(&lines, scope_line as usize, lines.len(), "name").unwrap_or(scope_line),
                    value: n,
                });
                Some(MotLicence { scope: *scope, name, path: path.filter(|p| !p.trim().is_empty()) })
            })
            .collect(),
        Some(other) => {
            return Err(Located {
                value: format!(
                    "`release.license` must be a mapping (distribution, code, data, document), found {}",
                    kind(other)
                ),
                line: licence_line,
            });
        }
    };

    let components_line = key_line(&lines, release_line as usize, lines.len(), "components").unwrap_or(release_line);
    let items = match release.get("components") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(items)) => items.as_slice(),
        Some(other) => {
            return Err(Located {
                value: format!("`release.components` must be a list, found {}", kind(other)),
                line: components_line,
            });
        }
    };
    let mut components = Vec::with_capacity(items.len());
    let mut cursor = components_line as usize;
    for (i, item) in items.iter().enumerate() {
        let Some(item) = item.as_object() else {
            return Err(Located {
                value: format!("component {} must be a mapping with `name`, found {}", i + 1, kind(item)),
                line: components_line,
            });
        };
        let written = item.get("name").and_then(scalar).unwrap_or_default();
        let line = name_line_after(&lines, cursor, &written).unwrap_or(components_line);
        cursor = line as usize;
        let Some(component) = component_named(&written) else {
            let expected: Vec<&str> = MofComponent::ALL.iter().map(|c| c.as_str()).collect();
            return Err(Located {
                value: format!(
                    "unknown component `{written}`; the framework's components are: {}",
                    expected.join(", ")
                ),
                line,
            });
        };
        let next = name_line_after(&lines, cursor, "").map_or(lines.len(), |l| l as usize - 1);
        let licence = match item.get("license") {
            None | Some(Value::Null) => None,
            Some(v) => Some(Located {
                value: scalar(v).unwrap_or_default(),
                line: key_line(&lines, line as usize - 1, next, "license").unwrap_or(line),
            }),
        };
        components.push(MotComponent {
            component,
            line,
            description: item.get("description").and_then(scalar),
            licence,
            licence_path: item.get("license_path").and_then(scalar).filter(|p| !p.trim().is_empty()),
            path: item.get("component_path").and_then(scalar).filter(|p| !p.trim().is_empty()),
        });
    }

    Ok(MotFile {
        file: file.to_string(),
        framework,
        release: MotRelease { name: Located { value: name, line: name_line }, fields, licences, components },
    })
}

/// The framework component a MOT file's `name` means: the exact name, else the same words in
/// another case or spacing.
pub fn component_named(written: &str) -> Option<MofComponent> {
    let fold = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    let want = fold(written);
    written.trim().parse().ok().or_else(|| MofComponent::ALL.iter().copied().find(|c| fold(c.as_str()) == want))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// 1-based line of the first `key:` (or `- key:`) in lines `from..to` (0-based indexes).
fn key_line(lines: &[&str], from: usize, to: usize, key: &str) -> Option<u32> {
    let to = to.min(lines.len());
    (from.min(to)..to).find(|&i| line_key(lines[i]) == Some(key)).map(|i| i as u32 + 1)
}

/// The key a YAML line starts with (`  - name: x` → `name`).
fn line_key(line: &str) -> Option<&str> {
    let t = line.trim_start().trim_start_matches("- ").trim_start();
    let t = t.trim_start_matches(['"', '\'']);
    let colon = t.find(':')?;
    let key = t[..colon].trim_end_matches(['"', '\'']);
    let after = &t[colon + 1..];
    (!key.is_empty() && (after.is_empty() || after.starts_with([' ', '\t']))).then_some(key)
}

/// 1-based line of the next `name:` entry after 0-based line `from` whose value contains
/// `value` (any `name:` when `value` is empty).
fn name_line_after(lines: &[&str], from: usize, value: &str) -> Option<u32> {
    (from.min(lines.len())..lines.len())
        .find(|&i| {
            line_key(lines[i]) == Some("name") && lines[i].trim_start().starts_with('-') && lines[i].contains(value)
        })
        .or_else(|| {
            (from.min(lines.len())..lines.len())
                .find(|&i| line_key(lines[i]) == Some("name") && lines[i].contains(value))
        })
        .map(|i| i as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "framework:\n  name: 'Model Openness Framework'\n  version: '1.0'\n  date: '2024-12-15'\nrelease:\n  name: Tiny\n  version: 7\n  producer: Acme\n  license:\n    distribution:\n      name: Apache-2.0\n      path: LICENSE\n    code:\n      name:\n  components:\n    - name: 'Model architecture'\n      description: arch\n      license: MIT\n    - name: Model parameters (Final)\n      license: unlicensed\n    - name: model card\n";

    #[test]
    fn reads_release_licences_and_components_with_lines() {
        let f = parse("m/tiny.yml", SAMPLE).unwrap();
        assert_eq!(f.release.name.value, "Tiny");
        assert_eq!(f.release.name.line, 6);
        assert_eq!(f.framework.version.as_deref(), Some("1.0"));
        assert_eq!(f.release.fields, [("version".to_string(), "7".to_string()), ("producer".into(), "Acme".into())]);
        assert_eq!(f.release.licences.len(), 2);
        assert_eq!(f.release.licences[0].name.as_ref().unwrap().value, "Apache-2.0");
        assert_eq!(f.release.licences[0].name.as_ref().unwrap().line, 11);
        assert!(f.release.licences[1].name.is_none(), "an empty name is no licence");
        let c = &f.release.components;
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].component, MofComponent::ModelArchitecture);
        assert_eq!((c[0].line, c[0].licence.as_ref().unwrap().line), (16, 18));
        assert_eq!(c[1].licence.as_ref().unwrap().value, "unlicensed");
        assert_eq!(c[2].component, MofComponent::ModelCard, "names match case-insensitively");
        assert!(c[2].licence.is_none());
    }

    #[test]
    fn truncated_and_mangled_files_never_panic() {
        for end in 0..SAMPLE.len() {
            let _ = parse("t.yml", &SAMPLE[..end]);
        }
        for junk in [
            "release: 7",
            "release:\n  name: x\n  components: 3",
            "release:\n  name: x\n  license: [a]",
            "\u{0}\u{1}",
            "release:\n  name: x\n  components:\n  - 5\n",
        ] {
            assert!(parse("j.yml", junk).is_err(), "{junk:?}");
        }
    }

    #[test]
    fn errors_say_what_and_where() {
        let e = parse("x.yml", "release:\n  components: []\n").unwrap_err();
        assert!(e.value.contains("release.name"), "{}", e.value);
        let e = parse("x.yml", "release:\n  name: x\n  components:\n    - name: Weights\n").unwrap_err();
        assert!(e.value.contains("unknown component `Weights`"), "{}", e.value);
        assert_eq!(e.line, 4);
        let e = parse("x.yml", "release:\n  name: [\n").unwrap_err();
        assert!(e.line >= 2, "{e:?}");
        assert!(parse("x.yml", "- a\n- b\n").is_err());
        assert!(parse("x.yml", "").is_err());
    }
}
