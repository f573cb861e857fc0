//! Card bodies kept out of memory from parsing until their model is judged.
//!
//! Lineage needs every model identified before any is classified, so whatever a card holds is
//! held for the whole scan. What identification reads (licence keys, bases, the licence
//! section) is small; the front matter, headings and links, read only by the stages after it,
//! were two thirds of the memory of 50,000 cards. They are written to an unnamed temporary
//! file (in `TMPDIR`) as each card is parsed, and read back a part of the models at a time.
//! The file is deleted when the scan ends, or by the system if it is killed. Without a
//! temporary file (none can be made, or a write fails) the bodies stay in memory.

use std::{
    fs::File,
    io::{self, Read, Seek, SeekFrom, Write},
    sync::{Mutex, PoisonError},
};

use crate::{
    model::{Body, CardBody, CardKeys, CardLink, KeyLines, Located, Metadata, Section},
    vocab::SectionKind,
};

/// Where the bodies go.
#[derive(Debug)]
pub struct Stow {
    file: Option<Mutex<Spill>>,
}

#[derive(Debug)]
struct Spill {
    file: File,
    /// Where the next body is written.
    end: u64,
}

/// Where a stowed body is in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ticket {
    offset: u64,
    len: u32,
}

impl Stow {
    /// Bodies go to a temporary file, or stay in memory when none can be made.
    pub fn temporary() -> Stow {
        Stow { file: tempfile::tempfile().ok().map(|file| Mutex::new(Spill { file, end: 0 })) }
    }

    /// Bodies stay in memory.
    pub fn memory() -> Stow {
        Stow { file: None }
    }

    /// Writes `body` out, or keeps it when it cannot be written.
    pub fn put(&self, body: CardBody) -> Body {
        let Some(spill) = &self.file else { return Body::Held(Box::new(body)) };
        let bytes = encode(&body);
        let Ok(len) = u32::try_from(bytes.len()) else { return Body::Held(Box::new(body)) };
        let mut spill = spill.lock().unwrap_or_else(PoisonError::into_inner);
        let offset = spill.end;
        // A failed write (a full disk) leaves `end` where it was: the next body overwrites it.
        match spill.file.seek(SeekFrom::Start(offset)).and_then(|_| spill.file.write_all(&bytes)) {
            Ok(()) => {
                spill.end += u64::from(len);
                Body::Stowed(Ticket { offset, len })
            }
            Err(_) => Body::Held(Box::new(body)),
        }
    }

    /// Reads a stowed body back into memory; a held body is left as it is.
    pub fn fetch(&self, body: &mut Body) -> io::Result<()> {
        let Body::Stowed(ticket) = *body else { return Ok(()) };
        let unreadable = |why: &str| {
            io::Error::new(io::ErrorKind::InvalidData, format!("a card body written to the temporary file {why}"))
        };
        let spill = self.file.as_ref().ok_or_else(|| unreadable("has no file"))?;
        let mut bytes = vec![0; ticket.len as usize];
        {
            let mut spill = spill.lock().unwrap_or_else(PoisonError::into_inner);
            spill.file.seek(SeekFrom::Start(ticket.offset))?;
            spill.file.read_exact(&mut bytes)?;
        }
        *body = Body::Held(Box::new(decode(&bytes).ok_or_else(|| unreadable("does not read back"))?));
        Ok(())
    }
}

// The encoding: lengths and lines as little-endian u32, flags and levels as one byte, section
// kinds as their index in `SectionKind::ALL`. Only this module writes and reads it, within
// one scan.

fn encode(body: &CardBody) -> Vec<u8> {
    let mut out = Vec::with_capacity(256 + body.text.len());
    put_list(&mut out, &body.sections, |out, s| {
        put_str(out, &s.title);
        out.push(s.level);
        out.extend_from_slice(&s.line.to_le_bytes());
        put_kinds(out, &s.kinds);
        out.push(u8::from(s.filled));
        put_opt(out, s.excerpt.as_deref());
    });
    put_list(&mut out, &body.links, |out, l| {
        put_str(out, &l.url);
        put_str(out, &l.text);
        out.extend_from_slice(&l.line.to_le_bytes());
        put_kinds(out, &l.kinds);
        out.push(u8::from(l.in_citation));
    });
    let k = &body.keys;
    put_strs(&mut out, &k.datasets);
    put_opt(&mut out, k.pipeline_tag.as_deref());
    put_opt(&mut out, k.library_name.as_deref());
    put_strs(&mut out, &k.tags);
    put_opt(&mut out, k.gated.as_ref().map(|g| g.value.as_str()));
    out.extend_from_slice(&k.gated.as_ref().map_or(0, |g| g.line).to_le_bytes());
    out.push(u8::from(k.has_model_index));
    put_strs(&mut out, &k.eval_datasets);
    out.push(u8::from(k.widget_output));
    put_list(&mut out, &k.lines.iter().collect::<Vec<_>>(), |out, (key, line)| {
        put_str(out, key);
        out.extend_from_slice(&line.to_le_bytes());
    });
    let (metadata, deflated) = body.metadata.kept();
    out.push(u8::from(deflated));
    put_bytes(&mut out, metadata);
    put_str(&mut out, &body.text);
    out
}

fn put_len(out: &mut Vec<u8>, n: usize) {
    // Every length here is of something read from a file within the size limits (u32).
    out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_len(out, bytes.len());
    out.extend_from_slice(bytes);
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_bytes(out, s.as_bytes());
}

fn put_list<T>(out: &mut Vec<u8>, list: &[T], mut put: impl FnMut(&mut Vec<u8>, &T)) {
    put_len(out, list.len());
    list.iter().for_each(|item| put(out, item));
}

fn put_strs(out: &mut Vec<u8>, list: &[String]) {
    put_list(out, list, |out, s| put_str(out, s));
}

fn put_opt(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => {
            out.push(1);
            put_str(out, s);
        }
        None => out.push(0),
    }
}

fn put_kinds(out: &mut Vec<u8>, kinds: &[SectionKind]) {
    put_len(out, kinds.len());
    out.extend(kinds.iter().map(|k| SectionKind::ALL.iter().position(|x| x == k).unwrap_or(0) as u8));
}

fn decode(bytes: &[u8]) -> Option<CardBody> {
    let mut r = Reader(bytes);
    let sections = r.list(|r| {
        Some(Section {
            title: r.string()?,
            level: r.byte()?,
            line: r.u32()?,
            kinds: r.kinds()?,
            filled: r.byte()? != 0,
            excerpt: r.opt()?,
        })
    })?;
    let links = r.list(|r| {
        Some(CardLink {
            url: r.string()?,
            text: r.string()?,
            line: r.u32()?,
            kinds: r.kinds()?,
            in_citation: r.byte()? != 0,
        })
    })?;
    let datasets = r.strings()?;
    let pipeline_tag = r.opt()?;
    let library_name = r.opt()?;
    let tags = r.strings()?;
    let gated = r.opt()?;
    let gated_line = r.u32()?;
    let has_model_index = r.byte()? != 0;
    let eval_datasets = r.strings()?;
    let widget_output = r.byte()? != 0;
    let lines = r.list(|r| Some((r.string()?, r.u32()?)))?;
    let keys = CardKeys {
        datasets,
        pipeline_tag,
        library_name,
        tags,
        gated: gated.map(|value| Located { value, line: gated_line }),
        has_model_index,
        eval_datasets,
        widget_output,
        lines: KeyLines::new(lines.iter().map(|(k, line)| (k.as_str(), *line))),
    };
    let deflated = r.byte()? != 0;
    let metadata = Metadata::from_kept(r.bytes()?.to_vec(), deflated)?;
    let text = r.string()?;
    r.0.is_empty().then_some(CardBody { metadata, keys, sections, text, links })
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }

    fn byte(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4)?.try_into().ok().map(u32::from_le_bytes)
    }

    fn len(&mut self) -> Option<usize> {
        self.u32().map(|n| n as usize)
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.len()?;
        self.take(n)
    }

    fn string(&mut self) -> Option<String> {
        std::str::from_utf8(self.bytes()?).ok().map(str::to_string)
    }

    fn opt(&mut self) -> Option<Option<String>> {
        match self.byte()? {
            0 => Some(None),
            _ => self.string().map(Some),
        }
    }

    /// A count, then that many items.
    fn list<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        let n = self.len()?;
        // Room for what the bytes can hold at most, not for what they claim.
        let mut out = Vec::with_capacity(n.min(self.0.len()));
        for _ in 0..n {
            out.push(item(self)?);
        }
        Some(out)
    }

    fn strings(&mut self) -> Option<Vec<String>> {
        self.list(Reader::string)
    }

    fn kinds(&mut self) -> Option<Vec<SectionKind>> {
        let n = self.len()?;
        self.take(n)?.iter().map(|&i| SectionKind::ALL.get(usize::from(i)).copied()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body() -> CardBody {
        CardBody {
            metadata: Metadata::from_value(&serde_json::json!({"license": "mit", "tags": ["a", "ü"]})),
            keys: CardKeys {
                datasets: vec!["org/set".into(), String::new()],
                pipeline_tag: Some("text-generation".into()),
                library_name: None,
                tags: vec!["a".into(), "ü".into()],
                gated: Some(Located { value: "manual".into(), line: 12 }),
                has_model_index: true,
                eval_datasets: vec![],
                widget_output: true,
                lines: KeyLines::new([("license", 2), ("tags", 3), ("gated", 12)]),
            },
            sections: vec![
                Section {
                    title: "Uses".into(),
                    level: 2,
                    line: 7,
                    kinds: vec![SectionKind::IntendedUse, SectionKind::HowToUse],
                    filled: true,
                    excerpt: Some("For research.".into()),
                },
                Section { title: String::new(), level: 1, line: 1, kinds: vec![], filled: false, excerpt: None },
            ],
            text: "---\nlicense: mit\n---\n".into(),
            links: vec![CardLink {
                url: "https://arxiv.org/abs/1".into(),
                text: "paper".into(),
                line: 9,
                kinds: vec![SectionKind::Citation],
                in_citation: true,
            }],
        }
    }

    fn same(a: &CardBody, b: &CardBody) {
        assert_eq!((&a.sections, &a.links, &a.text, &a.keys), (&b.sections, &b.links, &b.text, &b.keys));
        assert_eq!(a.metadata.to_value(), b.metadata.to_value());
    }

    #[test]
    fn a_body_stowed_is_fetched_back_the_same() {
        let stow = Stow::temporary();
        // A large front matter is kept deflated: both forms go out and come back.
        let mut large = body();
        large.metadata = Metadata::from_value(&serde_json::json!({"widget": "x".repeat(2000)}));
        let mut stowed: Vec<Body> = [body(), CardBody::default(), large.clone()].map(|b| stow.put(b)).into();
        assert!(stowed.iter().all(|b| matches!(b, Body::Stowed(_))));
        // Fetched out of order, as parts of the models are.
        for i in [2, 0, 1] {
            stow.fetch(&mut stowed[i]).unwrap();
        }
        let held: Vec<&CardBody> = stowed
            .iter()
            .map(|b| match b {
                Body::Held(b) => &**b,
                Body::Stowed(_) => panic!("fetched"),
            })
            .collect();
        same(held[0], &body());
        same(held[1], &CardBody::default());
        same(held[2], &large);
    }

    #[test]
    fn without_a_file_bodies_stay_in_memory() {
        let stow = Stow::memory();
        let mut kept = stow.put(body());
        assert!(matches!(kept, Body::Held(_)));
        stow.fetch(&mut kept).unwrap();
        let Body::Held(b) = &kept else { panic!("held") };
        same(b, &body());
    }

    #[test]
    fn damaged_bytes_do_not_decode() {
        let bytes = encode(&body());
        for cut in [0, 1, 5, bytes.len() / 2, bytes.len() - 1] {
            assert!(decode(&bytes[..cut]).is_none(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer).is_none());
        assert!(decode(&bytes).is_some());
    }
}
