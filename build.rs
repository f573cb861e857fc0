//! Embeds the data folders (`licences/`, `rules/`, `providers/`) into the binary.
//!
//! Each `*.toml` file becomes one `(file name, contents)` entry in a generated table, so adding a
//! licence or a rule pack is adding a file: no code changes, and nothing read from disk at run time.

use std::{env, fmt::Write as _, fs, path::Path};

fn main() {
    let root = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let out = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    for (folder, table) in [("licences", "LICENCE_FILES"), ("rules", "RULE_FILES"), ("providers", "PROVIDER_FILES")] {
        let dir = Path::new(&root).join(folder);
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut names: Vec<String> = fs::read_dir(&dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.ends_with(".toml"))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        let mut code = format!("/// `(file name, contents)` of every `{folder}/*.toml`, sorted by name.\n");
        writeln!(code, "pub static {table}: &[(&str, &str)] = &[").unwrap();
        for name in &names {
            let path = dir.join(name);
            println!("cargo:rerun-if-changed={}", path.display());
            writeln!(code, "    ({name:?}, include_str!({:?})),", path.display().to_string()).unwrap();
        }
        code.push_str("];\n");
        fs::write(Path::new(&out).join(format!("{folder}.rs")), code).expect("write generated table");
    }
}
