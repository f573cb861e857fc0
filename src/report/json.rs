//! The JSON report: `Report` serialised as is, pretty-printed, keys in a fixed order.

use std::io;

use super::Report;

pub(super) fn write(report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report).map_err(io::Error::other)?;
    out.write_all(b"\n")
}
