//! The Model Openness Framework evaluation against the reference tool's own data: the MOT's
//! test files (whose names encode its results), its expected API output, its component
//! settings and licence lists, and the 273 real model files.

mod common;

use std::{collections::BTreeMap, fs, path::Path};

use modelgate::{
    catalogue::mof::{Framework, class_number},
    classify::{components, dimensions, mof},
    model::MotFile,
    parse::mot,
    vocab::{Category, ContentType, Grade, MofClass, MofStatus},
};
use serde_json::Value;

fn read_mot(path: &Path) -> MotFile {
    let text = fs::read_to_string(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    mot::parse(&name, &text).unwrap_or_else(|e| panic!("{}:{}: {}", path.display(), e.line, e.value))
}

fn yml_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    files.sort();
    files
}

/// The numbers a test file's name encodes:
/// `_C1_{p}%-C2_{p}%-C3_{p}%_{n}C_{n}G_{n}L_{n}V_{n}I_{n}T`.
#[derive(Debug, PartialEq)]
struct Encoded {
    progress: [u8; 3],
    components: usize,
    global: usize,
    component_licences: usize,
    valid: usize,
    invalid: usize,
    type_appropriate: usize,
}

fn encoded(name: &str) -> Encoded {
    let i = name.find("_C1_").unwrap_or_else(|| panic!("{name}: no _C1_"));
    let rest = name[i + 1..].trim_end_matches(".yml");
    let nums: Vec<usize> =
        rest.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).map(|s| s.parse().unwrap()).collect();
    // C1 p C2 p C3 p → [1, p1, 2, p2, 3, p3, nC, nG, nL, nV, nI, nT]
    assert_eq!(nums.len(), 12, "{name}: {nums:?}");
    Encoded {
        progress: [nums[1] as u8, nums[3] as u8, nums[5] as u8],
        components: nums[6],
        global: nums[7],
        component_licences: nums[8],
        valid: nums[9],
        invalid: nums[10],
        type_appropriate: nums[11],
    }
}

/// `expected_results.json` has trailing commas; drop them before parsing.
fn lenient_json(text: &str) -> Value {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if *c == ',' {
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if matches!(next, Some('}') | Some(']')) {
                continue;
            }
        }
        out.push(*c);
    }
    serde_json::from_str(&out).unwrap()
}

/// The counts the MOT's test script computes: global licences named, components whose own
/// licence is stated (or whose licence path is a global one's).
fn file_counts(f: &MotFile) -> (usize, usize) {
    let globals: Vec<_> = f.release.licences.iter().filter(|l| l.name.is_some()).collect();
    let stated = f
        .release
        .components
        .iter()
        .filter(|c| {
            let own = c.licence.as_ref().is_some_and(|l| !l.value.trim().is_empty() && l.value.trim() != "unlicensed");
            own || c
                .licence_path
                .as_ref()
                .is_some_and(|p| globals.iter().any(|g| g.path.as_deref() == Some(p.as_str())))
        })
        .count();
    (globals.len(), stated)
}

#[test]
fn mot_test_data_reproduces_every_number_the_reference_checks() {
    let dir = common::corpus().join("mof/test-data");
    let expected_api =
        lenient_json(&fs::read_to_string(common::corpus().join("mof/meta/expected_results.json")).unwrap());
    let api: BTreeMap<String, &Value> = expected_api["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["release"]["name"].as_str().unwrap().to_string(), m))
        .collect();
    let files = yml_files(&dir);
    assert_eq!(files.len(), 27);
    let mut failures = Vec::new();
    let mut type_differs = Vec::new();
    let mut generator_numbers = Vec::new();
    println!("{:<72} {:>11} {:>11}  C  G  L  V  I  T", "file", "ours I/II/III", "name");
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let f = read_mot(path);
        let eval = mof::evaluate(&components::from_mot(&f));
        let p = eval.progress();
        let ours = [p[&MofClass::I], p[&MofClass::II], p[&MofClass::III]];
        let want = encoded(&name);
        let counts = eval.counts();
        let (global, stated) = file_counts(&f);
        let type_appropriate = counts.valid - counts.conditional;
        println!(
            "{name:<72} {:>11} {:>11} {:>2} {:>2} {:>2} {:>2} {:>2} {:>2}",
            format!("{}/{}/{}", ours[0], ours[1], ours[2]),
            format!("{}/{}/{}", want.progress[0], want.progress[1], want.progress[2]),
            counts.components,
            global,
            stated,
            counts.valid,
            counts.invalid,
            type_appropriate
        );

        // The reference's own check (scripts/test-model-files.php): a class's number counts
        // only when every class above it is complete; below that the tool shows 0.
        let mut masked = want.progress;
        if ours[2] < 100 {
            masked[0] = 0;
            masked[1] = 0;
        } else if ours[1] < 100 {
            masked[0] = 0;
        }
        if ours != masked {
            failures.push(format!("{name}: progress {ours:?}, the name says {masked:?}"));
        }
        if masked != want.progress {
            generator_numbers.push(name.clone());
        }
        let got = (counts.components, global, stated, counts.valid, counts.invalid);
        let expected = (want.components, want.global, want.component_licences, want.valid, want.invalid);
        if got != expected {
            failures.push(format!("{name}: (C, G, L, V, I) = {got:?}, the name says {expected:?}"));
        }
        if type_appropriate != want.type_appropriate {
            type_differs.push(format!("{name}: {type_appropriate} T, the name says {}", want.type_appropriate));
        }

        // The tool's API output for the same file: class and unrounded progress.
        let reference =
            api.get(&f.release.name.value).unwrap_or_else(|| panic!("{name}: not in expected_results.json"));
        let class = reference["classification"]["class"].as_u64().unwrap();
        let our_class = eval.class.map_or(0, |c| u64::from(class_number(c)));
        if class != our_class {
            failures.push(format!("{name}: class {our_class}, the tool says {class}"));
        }
        for (key, c) in [("1", MofClass::I), ("2", MofClass::II), ("3", MofClass::III)] {
            let theirs = reference["classification"]["progress"][key].as_f64().unwrap();
            if (theirs - eval.exact[&c]).abs() > 1e-9 {
                failures.push(format!("{name}: class {key} progress {}, the tool says {theirs}", eval.exact[&c]));
            }
        }
    }
    println!(
        "\nfile names whose lower-class numbers the reference does not check (its generator's): {}",
        generator_numbers.len()
    );
    println!(
        "type-appropriate counts that differ from the name (a known bug of the reference data): {}",
        type_differs.len()
    );
    for t in &type_differs {
        println!("  {t}");
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn our_tables_match_the_reference_tools_settings_and_licence_lists() {
    let meta = common::corpus().join("mof/meta");
    let fw = Framework::get();
    // Component settings: name, content type, class, required.
    let settings: Value =
        serde_json::to_value(serde_saphyr_value(&fs::read_to_string(meta.join("mof.settings.yml")).unwrap())).unwrap();
    let listed = settings["components"].as_array().unwrap();
    assert_eq!(listed.len(), fw.components.len());
    for c in listed {
        let name = c["name"].as_str().unwrap();
        let def =
            fw.components.iter().find(|d| d.component.as_str() == name).unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(u64::from(def.mot_id), c["id"].as_u64().unwrap(), "{name} id");
        assert_eq!(def.content.as_str(), c["content_type"].as_str().unwrap(), "{name} content type");
        assert_eq!(u64::from(class_number(def.class)), c["class"].as_u64().unwrap(), "{name} class");
        assert_eq!(def.required, c["required"].as_bool().unwrap(), "{name} required");
    }
    // Type-appropriate licences: every one the tool's list names, for its content type.
    let licences: Value =
        serde_json::to_value(serde_saphyr_value(&fs::read_to_string(meta.join("mof-licenses.yml")).unwrap())).unwrap();
    for (id, entry) in licences.as_object().unwrap() {
        let content: ContentType = entry["ContentType"].as_str().unwrap().parse().unwrap();
        assert!(fw.is_type_appropriate(id, content), "{id} should be type-appropriate for {content}");
        assert!(fw.is_open_spdx(id) || !entry["isOsiApproved"].as_bool().unwrap_or(false), "{id}");
    }
    // Licences the test generator treats as valid are open for us.
    let valid: Value =
        serde_json::to_value(serde_saphyr_value(&fs::read_to_string(meta.join("valid-mof-licenses.yml")).unwrap()))
            .unwrap();
    for id in valid.as_object().unwrap().keys() {
        assert!(fw.is_open_spdx(id), "{id} is valid for the MOT's generator but not open for us");
    }
}

fn serde_saphyr_value(text: &str) -> serde_json::Value {
    serde_saphyr::from_str::<serde_json::Value>(text).unwrap()
}

#[test]
fn every_real_mot_model_file_is_read_and_classified() {
    let dir = common::corpus().join("mof/models");
    let files = yml_files(&dir);
    assert_eq!(files.len(), 273);
    let mut classes: BTreeMap<String, usize> = BTreeMap::new();
    let mut statuses: BTreeMap<MofStatus, usize> = BTreeMap::new();
    for path in &files {
        let f = read_mot(path);
        assert!(!f.release.name.value.is_empty());
        let eval = mof::evaluate(&components::from_mot(&f));
        // Progress is cascaded: a class shows progress only when the classes above it are complete.
        let p = eval.progress();
        if p[&MofClass::III] < 100 {
            assert_eq!((p[&MofClass::II], p[&MofClass::I]), (0, 0), "{}", path.display());
        }
        assert_eq!(eval.class.is_some(), p[&MofClass::III] == 100, "{}", path.display());
        *classes.entry(eval.class.map_or("unclassified".to_string(), |c| format!("Class {c}"))).or_default() += 1;
        for c in &eval.components {
            if c.present {
                *statuses.entry(c.status).or_default() += 1;
            }
        }
    }
    println!("class distribution of the {} MOT model files:", files.len());
    for (class, n) in &classes {
        println!("  {class:<13} {n:>4}");
    }
    println!("component verdicts: {statuses:?}");
    assert_eq!(classes.values().sum::<usize>(), 273);
    assert!(classes.get("Class I").copied().unwrap_or(0) >= 10, "OLMo, Pythia, Amber … are Class I: {classes:?}");
}

/// Whether free text looks like it names a licence at all (as opposed to a dataset list, a
/// dataset id or a URL that someone typed where a licence goes).
fn licence_like(text: &str) -> bool {
    let t = text.to_lowercase();
    let words: Vec<&str> = t.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    ["licen", "agreement", "terms", "rail", "copyright", "public domain", "permission", "proprietary", "许可", "协议"]
        .iter()
        .any(|w| t.contains(w))
        || words.iter().any(|w| {
            matches!(
                *w,
                "cc" | "gpl" | "bsd" | "mit" | "apache" | "isc" | "unlicense" | "cc0" | "undisclosed" | "unknown"
            )
        })
}

#[test]
fn free_text_licence_names_of_the_mot_models_resolve() {
    let mut names: BTreeMap<String, usize> = BTreeMap::new();
    for path in yml_files(&common::corpus().join("mof/models")) {
        let f = read_mot(&path);
        let globals = f.release.licences.iter().filter_map(|l| l.name.as_ref());
        let own = f.release.components.iter().filter_map(|c| c.licence.as_ref());
        for n in globals.chain(own) {
            *names.entry(n.value.clone()).or_default() += 1;
        }
    }
    let mut unresolved = Vec::new();
    let mut not_licences = Vec::new();
    let (mut licences, mut markers) = (0, 0);
    println!("{:<70} {:>5}  resolves to", "free-text name", "uses");
    for (name, uses) in &names {
        let shown = match mof::judge(name) {
            mof::Judgement::Licence(n) => {
                licences += 1;
                n.entries.iter().map(|e| e.id.clone()).collect::<Vec<_>>().join(" AND ")
            }
            mof::Judgement::Marker { status, .. } => {
                markers += 1;
                format!("(marker: {status})")
            }
            mof::Judgement::Unknown { .. } if !licence_like(name) => {
                not_licences.push(name.clone());
                "(not a licence name)".into()
            }
            mof::Judgement::Unknown { .. } => {
                unresolved.push(name.clone());
                "UNRESOLVED".into()
            }
        };
        println!("{:<70} {uses:>5}  {shown}", name.chars().take(70).collect::<String>());
    }
    let named = names.len() - not_licences.len();
    let share = unresolved.len() as f64 / named as f64 * 100.0;
    println!(
        "\n{} distinct names: {licences} licences, {markers} MOT markers, {} not licence names, {} unresolved ({share:.1} % of {named} licence names)",
        names.len(),
        not_licences.len(),
        unresolved.len()
    );
    assert!(share <= 5.0, "{share:.1} % unresolved: {unresolved:?}");
    assert!(not_licences.len() <= 3, "too much counted as not a licence name: {not_licences:?}");
}

#[test]
fn the_names_the_issue_lists_resolve_with_licences_resolve() {
    let out = assert_cmd::Command::cargo_bin("modelgate")
        .unwrap()
        .args([
            "licences",
            "resolve",
            "--format",
            "json",
            "Llama 2 Community License Agreement",
            "Gemma Terms of Use",
            "Apache 2.0",
            "MIT License",
            "CreativeML Open RAIL++-M License",
            "Tongyi Qianwen LICENSE AGREEMENT",
            "arXiv.org perpetual, non-exclusive license 1.0",
            "Databricks Open Model License",
        ])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = v.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap_or("-")).collect();
    assert_eq!(
        ids,
        [
            "llama2",
            "gemma",
            "apache-2.0",
            "mit",
            "openrail++",
            "tongyi-qianwen",
            "arxiv-nonexclusive-distrib-1.0",
            "databricks-open-model-license"
        ]
    );
}

/// Our grade for a free-text licence name, as `openness.dimensions.licence` grades it.
fn our_grade(name: &str) -> Grade {
    match mof::judge(name) {
        mof::Judgement::Licence(n) if !n.entries.is_empty() => {
            let worst =
                n.entries.iter().map(|e| e.category).max_by_key(|c| c.restrictiveness()).unwrap_or(Category::Unknown);
            dimensions::licence_grade(worst, false)
        }
        mof::Judgement::Licence(n) if n.open => Grade::Open,
        _ => Grade::Closed,
    }
}

#[test]
fn osai_index_licence_classes_agree_with_our_licence_grades() {
    let dir = common::corpus().join("osai-index/main-database");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let mut table: BTreeMap<(Grade, Grade), usize> = BTreeMap::new();
    let mut causes: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for path in &files {
        let y = serde_saphyr_value(&fs::read_to_string(path).unwrap());
        let system = y["system"]["name"].as_str().unwrap_or("?").to_string();
        let Some(index) = y["licenses"]["class"].as_str().and_then(|c| c.parse::<Grade>().ok()) else { continue };
        let licence = y["system"]["endmodellicense"].as_str().unwrap_or("").trim().to_string();
        let no_weights = y["weights_endmodel"]["class"].as_str() == Some("closed");
        let named = !licence.is_empty() && matches!(mof::judge(&licence), mof::Judgement::Licence(_));
        let ours = if no_weights || licence.is_empty() { Grade::Closed } else { our_grade(&licence) };
        *table.entry((index, ours)).or_default() += 1;
        if index == ours {
            continue;
        }
        // Why we differ, by rule; every disagreement must fall under one.
        let cause = if no_weights {
            "no weights released: closed for us, the index grades the terms alone"
        } else if !named {
            "a licence nobody can name (empty, `Unknown`, `Custom license`, an unversioned or uncatalogued title): closed for us"
        } else if index == Grade::Closed && ours == Grade::Partial {
            "a use-restricted licence (community, RAIL, non-commercial): partial for us, closed for the index, which closes every licence the OSI has not approved"
        } else if index == Grade::Open && ours == Grade::Partial {
            "a non-commercial licence the index grades open, against its own criteria: partial for us"
        } else if ours == Grade::Open {
            "open weights licence, but the index also grades the code and data terms (not released, undisclosed or mixed)"
        } else {
            "other"
        };
        let note = y["licenses"]["notes"].as_str().unwrap_or("").trim().chars().take(80).collect::<String>();
        causes.entry(cause).or_default().push(format!("{system} ({licence}; index {index}, ours {ours}) {note}"));
    }
    let total: usize = table.values().sum();
    let agree: usize = table.iter().filter(|((a, b), _)| a == b).map(|(_, n)| n).sum();
    println!("index class (rows) against our grade (columns), {total} systems:");
    println!("{:<10}{:>8}{:>9}{:>8}", "", "open", "partial", "closed");
    for row in [Grade::Open, Grade::Partial, Grade::Closed] {
        let cell = |col| table.get(&(row, col)).copied().unwrap_or(0);
        println!("{:<10}{:>8}{:>9}{:>8}", row.as_str(), cell(Grade::Open), cell(Grade::Partial), cell(Grade::Closed));
    }
    println!("agreement: {agree}/{total} ({:.1} %)", agree as f64 / total as f64 * 100.0);
    for (cause, systems) in &causes {
        println!("\n{} x {cause}:", systems.len());
        for s in systems {
            println!("  {s}");
        }
    }
    assert!(!causes.contains_key("other"), "unexplained disagreements: {:?}", causes.get("other"));
    assert_eq!(total, 194);
    assert!(agree >= 100, "agreement fell to {agree}/{total}");
}
