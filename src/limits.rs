//! Limits on what is read from the scanned input: one table of named limits, their defaults,
//! and how `--limit NAME=VALUE`, `--max-file-size` and the configuration's `[limits]` set them.
//!
//! Every input may be hostile (a CI gate reads untrusted pull requests), so each reader is
//! bounded in the bytes it reads, the structures it builds and the work it does. The limits a
//! user may need to raise for a legitimate file are named here; the readers' fixed structural
//! caps (GGUF array nesting, tensor dimensions …) stay constants beside their readers. Hitting a
//! named limit is a `limit-exceeded` finding whose message names the file and the limit
//! ([`LimitName::exceeded`]); the scan goes on with what was read.

use std::fmt;

/// The named limits, with their values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InputLimits {
    /// Bytes read of a text file (card, licence, config, code).
    pub file_size: u64,
    /// Bytes of a card's YAML front matter that are parsed.
    pub front_matter: u64,
    /// Nesting depth of YAML front matter.
    pub yaml_depth: u64,
    /// Aliases (and anchors) in YAML front matter.
    pub yaml_aliases: u64,
    /// Bytes of one line searched (code references, card sections).
    pub line_length: u64,
    /// Findings reported per file; the rest are counted in one `limit-exceeded` finding.
    pub findings_per_file: u64,
    /// Bytes of one weight file's header read (GGUF metadata, pickle opcodes, ONNX fields,
    /// safetensors JSON, Keras config).
    pub weight_header: u64,
    /// Pickle opcodes walked per file.
    pub pickle_opcodes: u64,
    /// Members of a zip checkpoint or Keras archive.
    pub zip_members: u64,
    /// Bytes inflated from a zip member per compressed byte.
    pub zip_ratio: u64,
}

/// One of the named limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LimitName {
    /// `file-size`.
    FileSize,
    /// `front-matter`.
    FrontMatter,
    /// `yaml-depth`.
    YamlDepth,
    /// `yaml-aliases`.
    YamlAliases,
    /// `line-length`.
    LineLength,
    /// `findings-per-file`.
    FindingsPerFile,
    /// `weight-header`.
    WeightHeader,
    /// `pickle-opcodes`.
    PickleOpcodes,
    /// `zip-members`.
    ZipMembers,
    /// `zip-ratio`.
    ZipRatio,
}

/// What the documentation and `--help` say about a limit.
#[derive(Clone, Copy, Debug)]
pub struct LimitDef {
    /// The limit.
    pub name: LimitName,
    /// Its default value.
    pub default: u64,
    /// What the value counts.
    pub unit: &'static str,
    /// What it bounds, for people.
    pub about: &'static str,
}

/// Every named limit, in documentation order.
pub const LIMITS: &[LimitDef] = &[
    LimitDef {
        name: LimitName::FileSize,
        default: 10 << 20,
        unit: "bytes",
        about: "read of a text file (card, licence text, config, code); the rest is not read (also `--max-file-size`)",
    },
    LimitDef {
        name: LimitName::FrontMatter,
        default: 1 << 20,
        unit: "bytes",
        about: "of a card's YAML front matter parsed; a longer block is read line by line for `license:` only",
    },
    LimitDef { name: LimitName::YamlDepth, default: 64, unit: "levels", about: "of nesting in YAML front matter" },
    LimitDef {
        name: LimitName::YamlAliases,
        default: 1_000,
        unit: "aliases",
        about: "and anchors in YAML front matter (alias bombs, \"billion laughs\")",
    },
    LimitDef {
        name: LimitName::LineLength,
        default: 64 << 10,
        unit: "bytes",
        about: "of one line searched for model references and card headings; the rest of the line is not searched",
    },
    LimitDef {
        name: LimitName::FindingsPerFile,
        default: 100,
        unit: "findings",
        about: "reported per file, most severe first; the others are counted in one `limit-exceeded` finding",
    },
    LimitDef {
        name: LimitName::WeightHeader,
        default: 256 << 20,
        unit: "bytes",
        about: "read of one weight file's header (GGUF metadata, pickle opcodes, ONNX fields, safetensors JSON, Keras config)",
    },
    LimitDef {
        name: LimitName::PickleOpcodes,
        default: 20_000_000,
        unit: "opcodes",
        about: "walked per pickle file; a pickle not walked to its end is reported as unverified",
    },
    LimitDef {
        name: LimitName::ZipMembers,
        default: 100_000,
        unit: "members",
        about: "of a zip checkpoint or Keras archive",
    },
    LimitDef {
        name: LimitName::ZipRatio,
        default: 100,
        unit: "to 1",
        about: "bytes inflated per compressed byte of a zip member (zip bombs), past a first MiB",
    },
];

impl LimitName {
    /// The name as written on the command line and in `[limits]`.
    pub const fn as_str(self) -> &'static str {
        match self {
            LimitName::FileSize => "file-size",
            LimitName::FrontMatter => "front-matter",
            LimitName::YamlDepth => "yaml-depth",
            LimitName::YamlAliases => "yaml-aliases",
            LimitName::LineLength => "line-length",
            LimitName::FindingsPerFile => "findings-per-file",
            LimitName::WeightHeader => "weight-header",
            LimitName::PickleOpcodes => "pickle-opcodes",
            LimitName::ZipMembers => "zip-members",
            LimitName::ZipRatio => "zip-ratio",
        }
    }

    /// The limit of a name, if there is one.
    pub fn parse(name: &str) -> Option<LimitName> {
        LIMITS.iter().map(|d| d.name).find(|n| n.as_str() == name)
    }

    /// Every name, comma-separated, for error messages.
    pub fn all_names() -> String {
        LIMITS.iter().map(|d| d.name.as_str()).collect::<Vec<_>>().join(", ")
    }

    /// The end of a `limit-exceeded` message: which limit, its value, and how to raise it.
    pub fn exceeded(self, value: u64) -> String {
        format!(
            "limit `{self}` = {value}; raise it with `--limit {self}=N` or `{self} = N` under `[limits]` in modelgate.toml"
        )
    }
}

impl fmt::Display for LimitName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Default for InputLimits {
    fn default() -> Self {
        let mut limits = InputLimits {
            file_size: 0,
            front_matter: 0,
            yaml_depth: 0,
            yaml_aliases: 0,
            line_length: 0,
            findings_per_file: 0,
            weight_header: 0,
            pickle_opcodes: 0,
            zip_members: 0,
            zip_ratio: 0,
        };
        for d in LIMITS {
            *limits.slot(d.name) = d.default;
        }
        limits
    }
}

impl InputLimits {
    fn slot(&mut self, name: LimitName) -> &mut u64 {
        match name {
            LimitName::FileSize => &mut self.file_size,
            LimitName::FrontMatter => &mut self.front_matter,
            LimitName::YamlDepth => &mut self.yaml_depth,
            LimitName::YamlAliases => &mut self.yaml_aliases,
            LimitName::LineLength => &mut self.line_length,
            LimitName::FindingsPerFile => &mut self.findings_per_file,
            LimitName::WeightHeader => &mut self.weight_header,
            LimitName::PickleOpcodes => &mut self.pickle_opcodes,
            LimitName::ZipMembers => &mut self.zip_members,
            LimitName::ZipRatio => &mut self.zip_ratio,
        }
    }

    /// A limit's value.
    pub fn get(&self, name: LimitName) -> u64 {
        let mut copy = *self;
        *copy.slot(name)
    }

    /// Sets a limit.
    pub fn set(&mut self, name: LimitName, value: u64) {
        *self.slot(name) = value;
    }

    /// `usize` view of a limit (saturating on 32-bit targets).
    pub fn usize(&self, name: LimitName) -> usize {
        usize::try_from(self.get(name)).unwrap_or(usize::MAX)
    }
}

/// A `NAME=VALUE` given to `--limit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LimitSetting {
    /// Which limit.
    pub name: LimitName,
    /// Its value.
    pub value: u64,
}

impl std::str::FromStr for LimitSetting {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (name, value) =
            s.split_once('=').ok_or_else(|| format!("expected NAME=VALUE, one of: {}", LimitName::all_names()))?;
        let name = name.trim();
        let name = LimitName::parse(name)
            .ok_or_else(|| format!("no limit `{name}`; the limits are: {}", LimitName::all_names()))?;
        let value = parse_value(value.trim())?;
        Ok(LimitSetting { name, value })
    }
}

/// A limit value: a whole number, optionally with a binary size suffix (`64k`, `16MiB`, `1G`).
pub fn parse_value(text: &str) -> Result<u64, String> {
    let split = text.find(|c: char| !c.is_ascii_digit() && c != '_').unwrap_or(text.len());
    let (digits, suffix) = text.split_at(split);
    let digits = digits.replace('_', "");
    let shift = match suffix.trim().to_ascii_lowercase().as_str() {
        "" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        other => return Err(format!("`{other}` is not a size suffix (k, M, G, KiB, MiB, GiB)")),
    };
    let n: u64 = digits.parse().map_err(|_| format!("`{text}` is not a whole number"))?;
    n.checked_mul(1u64 << shift).ok_or_else(|| format!("`{text}` is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_limit_has_a_distinct_name_and_default() {
        let d = InputLimits::default();
        for def in LIMITS {
            assert_eq!(LimitName::parse(def.name.as_str()), Some(def.name));
            assert_eq!(d.get(def.name), def.default, "{}", def.name);
            assert!(def.default > 0);
        }
        let mut names: Vec<_> = LIMITS.iter().map(|d| d.name).collect();
        names.dedup();
        assert_eq!(names.len(), 10);
    }

    #[test]
    fn settings_parse_with_suffixes_and_errors_list_the_names() {
        let s: LimitSetting = "file-size=16MiB".parse().unwrap();
        assert_eq!(s, LimitSetting { name: LimitName::FileSize, value: 16 << 20 });
        assert_eq!("zip-ratio = 50".parse::<LimitSetting>().unwrap().value, 50);
        assert_eq!(parse_value("64k"), Ok(65_536));
        assert_eq!(parse_value("1_000"), Ok(1000));
        let err = "file-sise=1".parse::<LimitSetting>().unwrap_err();
        assert!(err.contains("no limit `file-sise`") && err.contains("pickle-opcodes"), "{err}");
        assert!("file-size".parse::<LimitSetting>().is_err());
        assert!(parse_value("12 parsecs").is_err());
        assert!(parse_value("99999999999G").is_err());
    }

    #[test]
    fn set_and_get_agree() {
        let mut l = InputLimits::default();
        l.set(LimitName::PickleOpcodes, 7);
        assert_eq!(l.pickle_opcodes, 7);
        assert_eq!(l.get(LimitName::PickleOpcodes), 7);
        assert!(LimitName::ZipRatio.exceeded(5).contains("--limit zip-ratio=N"));
    }
}
