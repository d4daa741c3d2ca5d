//! LOG003: blocks that keep no rotated log.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::formats::logrotate::LogrotateConf;
use crate::message::{Message, Quote};
use crate::msg;
use crate::rules::{Parsed, ProjectContext};
use crate::source::SourceFile;

/// The top-level `rotate` count of each scanned file, by its absolute path (the first file
/// that sets one wins): built once, so each snippet finds its `logrotate.conf` with one
/// look-up instead of comparing paths with every scanned file.
type TopLevelRotate<'a> = HashMap<Option<PathBuf>, &'a str>;

fn top_level_rotates<'a>(docs: &[Parsed<'a, LogrotateConf>]) -> TopLevelRotate<'a> {
    let mut by_path = HashMap::new();
    for doc in docs {
        if let Some(rotate) = top_level_rotate(doc.content) {
            by_path
                .entry(std::path::absolute(&doc.source().path).ok())
                .or_insert(rotate);
        }
    }
    by_path
}

/// The `rotate` count `logrotate.conf` sets for every snippet, when that file was scanned
/// beside the `logrotate.d/` folder `source` is in.
fn inherited_rotate<'a>(source: &SourceFile, rotates: &TopLevelRotate<'a>) -> Option<&'a str> {
    let dir = source.path.parent()?;
    if dir.file_name()? != "logrotate.d" {
        return None;
    }
    let main = dir.parent()?.join("logrotate.conf");
    rotates.get(&std::path::absolute(main).ok()).copied()
}

fn top_level_rotate(conf: &LogrotateConf) -> Option<&str> {
    conf.directives
        .iter()
        .rev()
        .find(|d| d.block.is_none() && d.name == "rotate")
        .and_then(|d| d.args.first())
        .map(|a| a.value.as_str())
}

/// LOG003: a block with no `rotate` count (logrotate's default is 0: the old log is deleted
/// at rotation) or with `rotate 0`, so nothing is left for incident review.
pub fn no_retention(cx: &mut ProjectContext<'_, LogrotateConf>) {
    let rotates = top_level_rotates(cx.docs);
    for file in cx.docs {
        let conf = file.content;
        let inherited = inherited_rotate(file.source(), &rotates);
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
