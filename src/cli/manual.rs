//! Manual pages for `preflight` and every subcommand, generated from the clap definitions
//! (clap_mangen) with an EXIT STATUS section each, which clap_mangen does not write itself.

use std::io::{self, Write};
use std::path::Path;

use clap::CommandFactory;

use super::Cli;

/// The exit codes, for `--help` (after_help) and the manual pages.
pub const EXIT_STATUS: &[(&str, &str)] = &[
    (
        "0",
        "Nothing at or above the `--fail-on` severity was found (or `--fail-on never`); also \
         when no file preflight reads was found, unless `--require-files` is given, and after \
         `--write-baseline`, `rules`, `explain`, `init`, `completions` and `man`.",
    ),
    (
        "1",
        "At least one active finding (not suppressed, not in the baseline) is at or above the \
         `--fail-on` severity (default: high).",
    ),
    (
        "2",
        "A usage or configuration error (bad argument, unreadable preflight.toml or policy \
         file, missing path), no file preflight reads with `--require-files`, a host that \
         `audit` could not check, or one it checked only in part (a collection that exists \
         there was refused or timed out) without `--allow-partial`.",
    ),
];

/// The exit codes as plain text, for the end of `--help`.
pub fn exit_status_help() -> String {
    let mut text = String::from("Exit status:\n");
    for (code, meaning) in EXIT_STATUS {
        text.push_str(&format!("  {code}  {meaning}\n"));
    }
    text
}

/// Every page: `(file name, roff)`, the main page first, then each visible subcommand's
/// (`preflight-check.1`, `preflight-audit-host.1`, …).
pub fn pages() -> Vec<(String, Vec<u8>)> {
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    let mut pages = Vec::new();
    let mut queue = vec![root];
    while let Some(command) = queue.pop() {
        let man = clap_mangen::Man::new(command.clone());
        let mut roff = Vec::new();
        render(&man, &command, &mut roff).expect("writing to memory");
        pages.push((man.get_filename(), roff));
        let mut subcommands: Vec<clap::Command> = command
            .get_subcommands()
            .filter(|s| !s.is_hide_set())
            .cloned()
            .collect();
        subcommands.reverse();
        queue.extend(subcommands);
    }
    pages
}

/// One page: clap_mangen's sections without its EXTRA (the after_help, which repeats the
/// exit codes as plain text), then EXIT STATUS and VERSION.
fn render(man: &clap_mangen::Man, command: &clap::Command, out: &mut Vec<u8>) -> io::Result<()> {
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    if command.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(out)?;
    }
    if command.get_subcommands().any(|s| !s.is_hide_set()) {
        man.render_subcommands_section(out)?;
    }
    out.write_all(b".SH \"EXIT STATUS\"\n")?;
    for (code, meaning) in EXIT_STATUS {
        writeln!(out, ".TP\n{code}\n{}", roff_text(meaning))?;
    }
    man.render_version_section(out)
}

/// `text` as a roff text line: backslashes and hyphens escaped, no line starting with a
/// control character.
fn roff_text(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with(['.', '\'']) {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

/// `preflight man [COMMAND…] [--dir DIR]`: one page on standard output, or every page
/// written into DIR.
pub fn run(command: &[String], dir: Option<&Path>) -> Result<(), String> {
    let pages = pages();
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        for (name, roff) in &pages {
            let path = dir.join(name);
            std::fs::write(&path, roff)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        eprintln!("wrote {} manual pages to {}", pages.len(), dir.display());
        return Ok(());
    }
    let wanted = std::iter::once("preflight")
        .chain(command.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join("-");
    let (_, roff) = pages
        .iter()
        .find(|(name, _)| name.strip_suffix(".1") == Some(wanted.as_str()))
        .ok_or_else(|| {
            format!(
                "no manual page for `{}` (pages: {})",
                command.join(" "),
                pages
                    .iter()
                    .map(|(n, _)| n.trim_end_matches(".1"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
    let mut out = io::stdout().lock();
    out.write_all(roff)
        .and_then(|()| out.flush())
        .map_err(|e| format!("cannot write the manual page: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_visible_subcommand_has_a_page_with_the_exit_codes() {
        let pages = pages();
        let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
        for expected in [
            "preflight.1",
            "preflight-check.1",
            "preflight-rules.1",
            "preflight-explain.1",
            "preflight-man.1",
        ] {
            assert!(names.contains(&expected), "{names:?}");
        }
        #[cfg(feature = "live")]
        assert!(names.contains(&"preflight-audit-host.1"), "{names:?}");
        assert!(!names.iter().any(|n| n.contains("help")), "{names:?}");
        for (name, roff) in &pages {
            let text = String::from_utf8_lossy(roff);
            assert!(text.contains(".SH \"EXIT STATUS\""), "{name}");
            assert!(!text.contains(".SH EXTRA"), "{name}");
        }
    }
}
