//! PyTorch zip checkpoints (`torch.save` since 1.6: `<archive>/data.pkl`, `<archive>/data/<n>`
//! storages, `<archive>/version`). The members are listed; only the pickles are read (walked by
//! [`super::pickle`]), never the storages. TorchScript archives also carry `constants.pkl` and a
//! `code/` folder; their pickles are walked too and the code is noted.

use std::io::{BufReader, Read, Seek};

use serde_json::json;

use super::{
    Archive, HeaderError,
    input::{Input, Ratio, Stream},
    keep,
    pickle::{self, Walker},
    shorten,
};
use crate::{
    limits::InputLimits,
    model::{PickleScan, WeightHeader},
};

/// Most pickle members walked in one archive.
const MAX_PICKLES: usize = 16;

/// Reads a `torch.save` zip.
pub fn read_zip<R: Read + Seek>(
    archive: &mut Archive<R>,
    h: &mut WeightHeader,
    limits: &InputLimits,
) -> Result<(), HeaderError> {
    let names: Vec<(usize, String)> =
        archive.file_names_raw().enumerate().map(|(i, n)| (i, String::from_utf8_lossy(n).into_owned())).collect();
    if names.iter().any(|(_, n)| n.contains("/code/") || n.starts_with("code/")) {
        h.notes.push("TorchScript archive: its code/ folder holds TorchScript that torch.jit.load runs".into());
    }
    let storages = names.iter().filter(|(_, n)| n.contains("/data/") || n.starts_with("data/")).count();
    keep(&mut h.metadata, &mut h.notes, "torch.storages", json!(storages));
    if let Some((i, _)) = names.iter().find(|(_, n)| n.ends_with("/version") || n == "version")
        && let Ok(member) = archive.by_index(*i)
    {
        let mut text = String::new();
        if member.take(16).read_to_string(&mut text).is_ok() && !text.trim().is_empty() {
            keep(&mut h.metadata, &mut h.notes, "torch.format_version", json!(shorten(text.trim())));
        }
    }
    walk_members(archive, &names, h, limits)
}

/// Reads a zip that is neither a torch checkpoint nor a Keras archive: any pickle members are
/// walked, since a loader may still unpickle them.
pub fn read_other_zip<R: Read + Seek>(
    archive: &mut Archive<R>,
    h: &mut WeightHeader,
    limits: &InputLimits,
) -> Result<(), HeaderError> {
    let names: Vec<(usize, String)> =
        archive.file_names_raw().enumerate().map(|(i, n)| (i, String::from_utf8_lossy(n).into_owned())).collect();
    if !names.iter().any(|(_, n)| is_pickle_name(n)) {
        h.notes
            .push(format!("zip archive of {} members with no data.pkl, config.json or pickle: not read", names.len()));
        return Ok(());
    }
    walk_members(archive, &names, h, limits)
}

fn is_pickle_name(n: &str) -> bool {
    let lower = n.to_ascii_lowercase();
    lower.ends_with(".pkl") || lower.ends_with(".pickle")
}

/// Walks the pickle members, `data.pkl` first, each inflated within the `zip-ratio` limit and
/// read within the `weight-header` limit.
fn walk_members<R: Read + Seek>(
    archive: &mut Archive<R>,
    names: &[(usize, String)],
    h: &mut WeightHeader,
    limits: &InputLimits,
) -> Result<(), HeaderError> {
    let mut pickles: Vec<&(usize, String)> = names.iter().filter(|(_, n)| is_pickle_name(n)).collect();
    pickles.sort_by_key(|(_, n)| !n.ends_with("data.pkl"));
    let mut walker = Walker::new(limits);
    let mut scan = PickleScan::default();
    if pickles.len() > MAX_PICKLES {
        scan.unverified = Some(format!("{} pickle members: only the first {MAX_PICKLES} are walked", pickles.len()));
    }
    let mut result = Ok(());
    for (i, name) in pickles.into_iter().take(MAX_PICKLES) {
        let member = match archive.by_index(*i) {
            Ok(m) => m,
            Err(e) => {
                result = Err(HeaderError::Invalid(format!("zip member `{}`: {e}", shorten(name))));
                break;
            }
        };
        let compressed = member.compressed_size();
        let member = Ratio::new(member, compressed, limits.zip_ratio, &format!("zip member `{}`", shorten(name)));
        let input = Input::new(Stream(BufReader::new(member)), None, limits.weight_header, "pickle");
        result = pickle::walk_streams(input, &shorten(name), 1, &mut walker, &mut scan).map_err(|e| match e {
            HeaderError::Io(m) => HeaderError::Invalid(format!("zip member `{}`: {m}", shorten(name))),
            e => e,
        });
        if result.is_err() {
            break;
        }
    }
    pickle::finish(walker, scan, result, h)
}
