//! LOG003: blocks that keep no rotated log.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::PathBuf;

use crate::formats::logrotate::LogrotateConf;
use crate::message::{Message, Quote};
use crate::msg;
use crate::rules::{Parsed, ProjectContext};
use crate::source::SourceFile;

/// The `rotate` count each scanned `logrotate.conf` sets for every snippet, by the folder
/// it is in (made absolute), built once so that each snippet's look-up is one map access.
fn main_rotates<'a>(docs: &[Parsed<'a, LogrotateConf>]) -> HashMap<PathBuf, &'a str> {
    docs.iter()
        .filter(|d| d.source().path.file_name() == Some(OsStr::new("logrotate.conf")))
        .filter_map(|d| {
            let folder = std::path::absolute(d.source().path.parent()?).ok()?;
            let rotate = d.content.last_top_level("rotate")?.args.first()?;
            Some((folder, rotate.value.as_str()))
        })
        .collect()
}

/// The `rotate` count `logrotate.conf` sets for every snippet, when that file was scanned
/// beside the `logrotate.d/` folder `source` is in.
fn inherited_rotate<'a>(source: &SourceFile, mains: &HashMap<PathBuf, &'a str>) -> Option<&'a str> {
    let dir = source.path.parent()?;
    if dir.file_name()? != "logrotate.d" {
        return None;
    }
    mains
        .get(&std::path::absolute(dir.parent()?).ok()?)
        .copied()
}

/// LOG003: a block with no `rotate` count (logrotate's default is 0: the old log is deleted
/// at rotation) or with `rotate 0`, so nothing is left for incident review.
pub fn no_retention(cx: &mut ProjectContext<'_, LogrotateConf>) {
    let mains = main_rotates(cx.docs);
    for file in cx.docs {
        let conf = file.content;
        let inherited = inherited_rotate(file.source(), &mains);
        for (index, block) in conf.blocks.iter().enumerate() {
            let count = conf
                .applying(index, "rotate")
                .and_then(|d| d.args.first())
                .map(|a| a.value.as_str())
                .or(inherited);
            let paths: Vec<&str> = block.paths.iter().map(|p| p.value.as_str()).collect();
            let shown = Message::join(
                block
                    .paths
                    .iter()
                    .map(|p| Quote::derived(p.span, p.value.as_str())),
                " ",
            );
            let message = match count {
                None => msg!("`{}` has no `rotate` count, so logrotate keeps no old log (its default is 0) and nothing is left to investigate an incident with; add `rotate 14` (and `maxsize 100M` for busy logs)", shown),
                Some("0") => msg!("`rotate 0` deletes `{}` at every rotation, so nothing is left to investigate an incident with; keep some (`rotate 14`)", shown),
                Some(_) => continue,
            };
            cx.report_in(
                file.source(),
                block.header_span,
                format!("rotate:{}", paths.join(" ")),
                message,
            );
        }
    }
}
