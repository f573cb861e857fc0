//! The public vocabulary: every word the JSON report, the catalogue and the rule packs use.
//!
//! These enums are part of the stable contract (schema version 1). Adding a variant is a
//! minor change noted in the changelog; renaming or removing one is a breaking change.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Declares a closed set of kebab-case words with `as_str`, `ALL`, `Display` and `FromStr`.
macro_rules! words {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word used in reports and data files.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownWord;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownWord {
                        kind: stringify!($name),
                        word: s.to_string(),
                        expected: &[$($text),+],
                    }),
                }
            }
        }
    };
}

/// A word that is not part of a vocabulary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownWord {
    /// Which vocabulary was asked.
    pub kind: &'static str,
    /// What was given.
    pub word: String,
    /// The words that would have been accepted.
    pub expected: &'static [&'static str],
}

impl fmt::Display for UnknownWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {} `{}` (expected one of: {})", self.kind, self.word, self.expected.join(", "))
    }
}

impl std::error::Error for UnknownWord {}

words! {
    /// What kind of licence a licence is, from the point of view of someone shipping a product.
    Category {
        /// MIT, Apache-2.0, BSD: use, modify, share, with notices.
        Permissive = "permissive",
        /// MPL, LGPL, EPL: file- or library-level copyleft.
        WeakCopyleft = "weak-copyleft",
        /// GPL, AGPL, CC-BY-SA: derivatives must carry the same licence.
        Copyleft = "copyleft",
        /// CC0, Unlicense, PDDL: no conditions.
        PublicDomain = "public-domain",
        /// Responsible-AI licences with use-based restrictions that pass to derivatives.
        OpenRail = "open-rail",
        /// Weights available under vendor terms with commercial or other limits (Llama, Gemma, Qwen …).
        Community = "community",
        /// Commercial use forbidden.
        NonCommercial = "non-commercial",
        /// Research or evaluation only.
        ResearchOnly = "research-only",
        /// All rights reserved, or terms of service of a closed product.
        Proprietary = "proprietary",
        /// Licence evidence exists but could not be identified.
        Unknown = "unknown",
        /// No licence evidence at all.
        None = "none",
    }
}

impl Category {
    /// How much the category restricts a commercial user: higher is more restrictive.
    /// `unknown` sits above `community`: an unidentified licence must never look more open than
    /// a known restricted one, but a known non-commercial licence says more than "unknown".
    pub const fn restrictiveness(self) -> u8 {
        match self {
            Category::None => 0,
            Category::PublicDomain => 1,
            Category::Permissive => 2,
            Category::WeakCopyleft => 3,
            Category::Copyleft => 4,
            Category::OpenRail => 5,
            Category::Community => 6,
            Category::Unknown => 7,
            Category::NonCommercial => 8,
            Category::ResearchOnly => 9,
            Category::Proprietary => 10,
        }
    }

    /// Whether the category is an open licence in the OSI / FSF / open-data sense.
    pub const fn is_open(self) -> bool {
        matches!(self, Category::Permissive | Category::WeakCopyleft | Category::Copyleft | Category::PublicDomain)
    }

    /// Whether the category carries use restrictions on top of ordinary licence conditions.
    pub const fn is_use_restricted(self) -> bool {
        matches!(
            self,
            Category::OpenRail
                | Category::Community
                | Category::NonCommercial
                | Category::ResearchOnly
                | Category::Proprietary
        )
    }
}

words! {
    /// A kind of restriction a licence (or a card) places on the use of a model.
    RestrictionKind {
        /// `non-commercial`.
        NonCommercial = "non-commercial",
        /// `research-only`.
        ResearchOnly = "research-only",
        /// E.g. more than 700 M monthly active users needs a separate licence.
        UserThreshold = "user-threshold",
        /// E.g. more than US$1 M annual revenue needs a separate licence.
        RevenueThreshold = "revenue-threshold",
        /// `acceptable-use-policy`.
        AcceptableUsePolicy = "acceptable-use-policy",
        /// `field-of-use`.
        FieldOfUse = "field-of-use",
        /// E.g. outputs may not be used to train other models.
        OutputUse = "output-use",
        /// The licence does not apply in some regions.
        Territorial = "territorial",
        /// `attribution`.
        Attribution = "attribution",
        /// `naming`.
        Naming = "naming",
        /// Restrictions must be passed on to derivatives and recipients.
        PassThrough = "pass-through",
        /// `share-alike`.
        ShareAlike = "share-alike",
        /// `no-derivatives`.
        NoDerivatives = "no-derivatives",
        /// The licensor may change the policy or restrict use unilaterally.
        MutableTerms = "mutable-terms",
    }
}

words! {
    /// How bad a finding is.
    Severity {
        /// `note`.
        Note = "note",
        /// `warning`.
        Warning = "warning",
        /// `error`.
        Error = "error",
    }
}

words! {
    /// Whether the weights can be obtained and used freely.
    WeightsOpenness {
        /// `open`.
        Open = "open",
        /// `restricted`.
        Restricted = "restricted",
        /// `closed`.
        Closed = "closed",
        /// `unknown`.
        Unknown = "unknown",
    }
}

words! {
    /// Whether the training data is published or at least described.
    DataOpenness {
        /// `open`.
        Open = "open",
        /// `disclosed`.
        Disclosed = "disclosed",
        /// `undisclosed`.
        Undisclosed = "undisclosed",
        /// `unknown`.
        Unknown = "unknown",
    }
}

words! {
    /// Whether training and inference code is published under an open licence.
    CodeOpenness {
        /// `open`.
        Open = "open",
        /// `closed`.
        Closed = "closed",
        /// `unknown`.
        Unknown = "unknown",
    }
}

words! {
    /// Model Openness Framework class (cumulative: I ⊃ II ⊃ III).
    MofClass {
        /// Open Science.
        I = "I",
        /// Open Tooling.
        II = "II",
        /// Open Model.
        III = "III",
    }
}

words! {
    /// Where a model record came from.
    Source {
        /// Found by walking a directory tree.
        Repository = "repository",
        /// A snapshot in a Hugging Face cache (`--hf-cache`).
        HfCache = "hf-cache",
        /// A model in an Ollama store (`--ollama`).
        Ollama = "ollama",
        /// Fetched from the Hugging Face Hub API (`--hub`, `--hub-from`).
        Hub = "hub",
        /// Listed in an inventory file (`--inventory`).
        Inventory = "inventory",
        /// Named by code or configuration (`from_pretrained("…")`, an API client's `model=`).
        CodeReference = "code-reference",
        /// Read from a Model Openness Tool YAML file (`scan --mof`).
        Mof = "mof",
    }
}

impl Source {
    /// Which record stands for a model when several sources have one (lower first): the Hub's
    /// (what a download gets), then a cache's, an Ollama store's, the repository's, then the
    /// sources that only name it.
    pub const fn preference(self) -> u8 {
        match self {
            Source::Hub => 0,
            Source::HfCache => 1,
            Source::Ollama => 2,
            Source::Repository => 3,
            Source::CodeReference => 4,
            Source::Inventory => 5,
            Source::Mof => 6,
        }
    }

    /// Whether the source only names a model, with no files of its own.
    pub const fn names_only(self) -> bool {
        matches!(self, Source::CodeReference | Source::Inventory)
    }
}

words! {
    /// A component of the Model Openness Framework 1.0, by the framework's own name (the names
    /// Model Openness Tool files use).
    MofComponent {
        /// Code that defines the architecture (class III).
        ModelArchitecture = "Model architecture",
        /// The trained weights (class III).
        FinalParameters = "Model parameters (Final)",
        /// The model card (class III).
        ModelCard = "Model card",
        /// Documentation of the datasets (class III).
        DataCard = "Data card",
        /// A technical report (class III; a research paper can stand for it).
        TechnicalReport = "Technical report",
        /// Evaluation results (class III; may live in the card, report or paper).
        EvaluationResults = "Evaluation results",
        /// Example outputs (class III, optional).
        SampleOutputs = "Sample model outputs",
        /// Training code (class II).
        TrainingCode = "Training code",
        /// Inference code (class II).
        InferenceCode = "Inference code",
        /// Evaluation code (class II).
        EvaluationCode = "Evaluation code",
        /// Evaluation data (class II).
        EvaluationData = "Evaluation data",
        /// Supporting libraries and tools (class II, optional).
        SupportingLibraries = "Supporting libraries and tools",
        /// Training datasets (class I).
        Datasets = "Datasets",
        /// Data preprocessing code (class I).
        PreprocessingCode = "Data preprocessing code",
        /// Intermediate checkpoints (class I).
        IntermediateParameters = "Model parameters (Intermediate)",
        /// A research paper (class I).
        ResearchPaper = "Research paper",
        /// Training configuration, optimizer states (class I, optional).
        ModelMetadata = "Model metadata",
    }
}

words! {
    /// What a MOF component is made of; decides which licences suit it.
    ContentType {
        /// `code`.
        Code = "code",
        /// `data` (parameters and datasets included).
        Data = "data",
        /// `document`.
        Document = "document",
    }
}

words! {
    /// A MOF component's verdict.
    MofStatus {
        /// Present, with an open licence suited to its content type.
        Valid = "valid",
        /// Present, with an open licence that is not the type-appropriate kind (passes, with a
        /// warning).
        Conditional = "conditional",
        /// Present, under a licence that is not open.
        Invalid = "invalid",
        /// Present, with no licence at any level.
        Unlicensed = "unlicensed",
        /// Not present.
        Missing = "missing",
    }
}

words! {
    /// Where a MOF component's licence came from, in the framework's resolution order.
    LicenceScope {
        /// The component's own licence.
        Component = "component",
        /// The release's licence for code.
        Code = "code",
        /// The release's licence for data.
        Data = "data",
        /// The release's licence for documents.
        Document = "document",
        /// The release's distribution licence.
        Distribution = "distribution",
    }
}

words! {
    /// An openness dimension in the manner of the European Open Source AI Index.
    Dimension {
        /// The model weights.
        Weights = "weights",
        /// The training data.
        TrainingData = "training-data",
        /// Training and inference code.
        Code = "code",
        /// The licence terms.
        Licence = "licence",
        /// The model card.
        ModelCard = "model-card",
        /// A datasheet for the training data.
        DataSheet = "data-sheet",
        /// A paper or technical report.
        Paper = "paper",
    }
}

words! {
    /// The three levels of the European Open Source AI Index.
    Grade {
        /// `open`.
        Open = "open",
        /// `partial`.
        Partial = "partial",
        /// `closed`.
        Closed = "closed",
    }
}

words! {
    /// A weight-file format, by extension (and, where cheap, by magic bytes).
    WeightFormat {
        /// `safetensors`.
        Safetensors = "safetensors",
        /// `gguf`.
        Gguf = "gguf",
        /// `torch.save` output: `.bin`, `.pt`, `.pth`, `.ckpt`.
        Pytorch = "pytorch",
        /// `onnx`.
        Onnx = "onnx",
        /// Keras/TensorFlow HDF5: `.h5`.
        Hdf5 = "hdf5",
        /// Keras v3 archive: `.keras`.
        Keras = "keras",
        /// `tflite`.
        Tflite = "tflite",
        /// Raw Python pickle: `.pkl`.
        Pickle = "pickle",
        /// `joblib`.
        Joblib = "joblib",
        /// Flax/msgpack: `.msgpack`.
        Msgpack = "msgpack",
        /// Core ML: `.mlmodel`.
        Coreml = "coreml",
    }
}

impl WeightFormat {
    /// The format a file extension names, if it names one.
    pub fn from_extension(ext: &str) -> Option<WeightFormat> {
        Some(match ext.to_ascii_lowercase().as_str() {
            "safetensors" => WeightFormat::Safetensors,
            "gguf" => WeightFormat::Gguf,
            "bin" | "pt" | "pth" | "ckpt" => WeightFormat::Pytorch,
            "onnx" => WeightFormat::Onnx,
            "h5" => WeightFormat::Hdf5,
            "keras" => WeightFormat::Keras,
            "tflite" => WeightFormat::Tflite,
            "pkl" => WeightFormat::Pickle,
            "joblib" => WeightFormat::Joblib,
            "msgpack" => WeightFormat::Msgpack,
            "mlmodel" => WeightFormat::Coreml,
            _ => return None,
        })
    }
}

words! {
    /// What kind of evidence a fact rests on.
    EvidenceKind {
        /// The `license:` key of a card's front matter.
        CardLicense = "card-license",
        /// `license_name:` of a card.
        CardLicenseName = "card-license-name",
        /// `license_link:` of a card.
        CardLicenseLink = "card-license-link",
        /// A licence text file (LICENSE, USE_POLICY.md …).
        LicenceFile = "licence-file",
        /// The licence section of a card's body (prose naming the licence).
        CardText = "card-text",
        /// Gating keys of a card (`extra_gated_*`).
        CardGating = "card-gating",
        /// `base_model:` of a card.
        CardBaseModel = "card-base-model",
        /// The licence comes from a base model (lineage).
        BaseModel = "base-model",
        /// A catalogue fact about a well-known base family.
        Catalogue = "catalogue",
        /// A `[[clarify]]` entry of the user's configuration.
        Clarification = "clarification",
        /// A weight file's own header (GGUF `general.license`, safetensors `__metadata__`, ONNX
        /// `metadata_props`); the evidence's `file` is the weight file, with no line.
        WeightsMetadata = "weights-metadata",
        /// The terms of the provider whose API serves a hosted model (`providers/`).
        VendorTerms = "vendor-terms",
        /// A weight file (MOF final or intermediate parameters).
        WeightFile = "weight-file",
        /// A `config.json` that describes the architecture.
        ModelConfig = "model-config",
        /// A source file (modelling, training, inference, evaluation or data code).
        SourceFile = "source-file",
        /// A section of the card body, at its heading.
        CardSection = "card-section",
        /// A front-matter key of the card (`model-index`, `datasets`, `tags`, `library_name`).
        CardMetadata = "card-metadata",
        /// A link in the card body (a paper, a code repository, a report).
        CardLink = "card-link",
        /// A dataset card found in the scan.
        DatasetCard = "dataset-card",
        /// A component listed in a Model Openness Tool file.
        MotComponent = "mot-component",
        /// A licence named in a Model Openness Tool file.
        MotLicence = "mot-licence",
    }
}

words! {
    /// What a card section is about, for the "is there an intended-use section?" questions.
    SectionKind {
        /// `intended-use`.
        IntendedUse = "intended-use",
        /// `out-of-scope`.
        OutOfScope = "out-of-scope",
        /// `limitations`.
        Limitations = "limitations",
        /// `training-data`.
        TrainingData = "training-data",
        /// `training-procedure`.
        TrainingProcedure = "training-procedure",
        /// `evaluation`.
        Evaluation = "evaluation",
        /// `environmental-impact`.
        EnvironmentalImpact = "environmental-impact",
        /// `technical-specifications`.
        TechnicalSpecifications = "technical-specifications",
        /// `licence`.
        Licence = "licence",
        /// `citation`.
        Citation = "citation",
        /// `model-details`.
        ModelDetails = "model-details",
        /// `how-to-use`.
        HowToUse = "how-to-use",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip_through_json_and_from_str() {
        for c in Category::ALL {
            let json = serde_json::to_string(c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
            assert_eq!(c.as_str().parse::<Category>().unwrap(), *c);
        }
        for k in RestrictionKind::ALL {
            assert_eq!(k.as_str().parse::<RestrictionKind>().unwrap(), *k);
        }
        assert!("permisive".parse::<Category>().is_err());
    }

    #[test]
    fn restrictiveness_is_a_total_order_over_categories() {
        let mut ranks: Vec<u8> = Category::ALL.iter().map(|c| c.restrictiveness()).collect();
        ranks.sort_unstable();
        ranks.dedup();
        assert_eq!(ranks.len(), Category::ALL.len());
        assert!(
            Category::Unknown.restrictiveness() > Category::Permissive.restrictiveness(),
            "an unidentified licence must never rank as more open than a permissive one"
        );
    }

    #[test]
    fn weight_extensions() {
        assert_eq!(WeightFormat::from_extension("SafeTensors"), Some(WeightFormat::Safetensors));
        assert_eq!(WeightFormat::from_extension("pth"), Some(WeightFormat::Pytorch));
        assert_eq!(WeightFormat::from_extension("txt"), None);
    }
}
