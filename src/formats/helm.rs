//! Helm charts as they are deployed: rendered with the user's `helm template`, once with
//! the chart's default values and once per `values-*.yaml` beside its `Chart.yaml`, and
//! every rendered object put back on the template line it came from.
//!
//! A chart in a pull request is untrusted, and Helm follows symbolic links and reads its
//! configuration, plugins and repositories from the environment. So Helm never sees the
//! scanned tree: the chart is copied, file by file through the scan's bounded and contained
//! view, into a private folder, and `helm` runs there with an empty environment (only `PATH`,
//! which the user set, and a private `HOME`), a time limit and a cap on what it may print.
//! Only a `helm` the user named (`--helm PATH`) or found in an absolute folder of `PATH` is
//! ever run; nothing in the scanned tree can choose it.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::formats::kustomize::{Origins, Part};
use crate::formats::yaml::{YamlFile, YamlNode, YamlValue};
use crate::formats::Files;
use crate::message::Message;
use crate::msg;
use crate::source::{SourceFile, Span};

/// Files of a chart copied at most: more is not a chart but a repository.
const MAX_CHART_FILES: usize = 2_000;
/// Bytes of a chart copied at most.
const MAX_CHART_BYTES: usize = 32 * 1024 * 1024;
/// Folder depth of a chart copied at most.
const MAX_CHART_DEPTH: usize = 16;
/// Bytes of rendered manifests read at most from one `helm template`.
const MAX_RENDERED_BYTES: usize = 32 * 1024 * 1024;
/// How long one `helm template` may take.
const RENDER_TIMEOUT: Duration = Duration::from_secs(60);
/// Virtual memory `helm` may use, in KiB (`ulimit -v`): a template can ask for any amount
/// (`repeat 300000000 "xxxxxxxxxx"` took 22 GB before it was stopped), and a pull request
/// must not take the CI machine's memory. Rendering real charts takes well under 100 MB.
const MEMORY_LIMIT_KIB: u64 = 2 * 1024 * 1024;
/// Values files rendered per chart at most.
const MAX_VALUES_FILES: usize = 16;
/// Template lines looked through for one rendered line: a `range` renders its body many
/// times, and each rendered line searches only this far ahead.
const MAX_LOOKAHEAD: usize = 400;

/// The `helm` binary a scan renders charts with.
#[derive(Debug, Clone)]
pub struct Helm {
    binary: PathBuf,
    /// `PATH` as the user set it, passed on: a version manager's `helm` shim needs it.
    path: Option<std::ffi::OsString>,
    /// Whether it runs and is Helm 3, asked once and only when a scan has a chart: a
    /// version manager's shim takes a tenth of a second, which a scan without charts must
    /// not pay.
    runs: std::sync::OnceLock<bool>,
}

impl Helm {
    /// The `helm` to use: `explicit` when the user named one (an error when it does not
    /// run), else the first `helm` in an absolute folder of `PATH` (whether it runs is
    /// asked when a chart needs it, see [`Helm::runs`]), else none.
    pub fn locate(explicit: Option<&Path>) -> Result<Option<Self>, String> {
        let path = std::env::var_os("PATH");
        let helm = |binary: PathBuf| Self {
            binary,
            path: path.clone(),
            runs: std::sync::OnceLock::new(),
        };
        if let Some(binary) = explicit {
            let named = helm(binary.to_path_buf());
            return if named.runs() {
                Ok(Some(named))
            } else {
                Err(format!(
                    "--helm {}: this is not a Helm 3 binary that runs (`helm version` failed)",
                    binary.display().to_string().escape_debug()
                ))
            };
        }
        let found = path
            .as_deref()
            .map(std::env::split_paths)
            .into_iter()
            .flatten()
            // A relative entry (`.`) would run a `helm` of the scanned tree.
            .filter(|dir| dir.is_absolute())
            .map(|dir| dir.join("helm"))
            .find(|candidate| candidate.is_file());
        Ok(found.map(helm))
    }

    /// Whether `helm version --short` runs and says Helm 3 or later (asked once).
    pub fn runs(&self) -> bool {
        *self.runs.get_or_init(|| {
            let Ok(home) = tempfile::tempdir() else {
                return false;
            };
            let mut command = self.command(home.path());
            command.args(["version", "--short"]);
            let Ok(out) = run_bounded(command, 4096, Duration::from_secs(20)) else {
                return false;
            };
            let text = String::from_utf8_lossy(&out);
            let major = text
                .trim()
                .strip_prefix('v')
                .and_then(|v| v.split('.').next());
            major
                .and_then(|m| m.parse::<u32>().ok())
                .is_some_and(|m| m >= 3)
        })
    }

    /// `helm` with an empty environment but `PATH` and a private `HOME` (no plugins,
    /// repositories, registries or post-renderers of the user's or anyone's), its memory
    /// limited by the shell's `ulimit -v` before `exec` (preflight has no unsafe code to
    /// set it between fork and exec itself). The binary and its arguments are the shell's
    /// positional parameters, never part of the script.
    fn command(&self, home: &Path) -> Command {
        let mut command = Command::new("/bin/sh");
        command
            .arg("-c")
            .arg(format!(
                "ulimit -v {MEMORY_LIMIT_KIB} && exec \"$0\" \"$@\""
            ))
            .arg(&self.binary);
        command.env_clear();
        if let Some(path) = &self.path {
            command.env("PATH", path);
        }
        for var in [
            "HOME",
            "XDG_CONFIG_HOME",
            "XDG_CACHE_HOME",
            "XDG_DATA_HOME",
            "HELM_CACHE_HOME",
            "HELM_CONFIG_HOME",
            "HELM_DATA_HOME",
        ] {
            command.env(var, home);
        }
        command.env("HELM_PLUGINS", home.join("plugins"));
        command
    }
}

/// Runs `command`, keeping at most `cap` bytes of its standard output; an error when it
/// fails, prints more, or outlives `timeout` (it is killed).
fn run_bounded(mut command: Command, cap: usize, timeout: Duration) -> Result<Vec<u8>, Failure> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().map_err(|_| Failure::DidNotRun)?;
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let overflow = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = std::thread::spawn({
        let overflow = Arc::clone(&overflow);
        move || {
            let mut out = Vec::new();
            let read = (&mut stdout).take(cap as u64 + 1).read_to_end(&mut out);
            // One byte over: stop reading, and the child is killed.
            if out.len() > cap {
                overflow.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            read.map(|_| out)
        }
    });
    let errors = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = (&mut stderr).take(64 * 1024).read_to_end(&mut out);
        let _ = std::io::copy(&mut stderr, &mut std::io::sink());
        out
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None)
                if started.elapsed() < timeout
                    && !overflow.load(std::sync::atomic::Ordering::Relaxed) =>
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let out = reader.join().ok().and_then(Result::ok).unwrap_or_default();
    let errors = errors.join().unwrap_or_default();
    match status {
        _ if out.len() > cap => Err(Failure::TooMuch),
        None => Err(Failure::TimedOut),
        Some(status) if status.success() => Ok(out),
        Some(_) => Err(Failure::Refused(Refusal::of(&String::from_utf8_lossy(
            &errors,
        )))),
    }
}

/// Why a chart was not rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// `helm` could not be started.
    DidNotRun,
    /// It ran longer than [`RENDER_TIMEOUT`].
    TimedOut,
    /// It printed more than [`MAX_RENDERED_BYTES`].
    TooMuch,
    /// It refused the chart.
    Refused(Refusal),
    /// The chart is larger than preflight copies ([`MAX_CHART_FILES`], [`MAX_CHART_BYTES`]).
    TooLarge,
    /// Its output is not the YAML `helm template` prints.
    Unreadable,
}

/// What `helm template` said when it refused a chart, told apart by its own words (which
/// are never shown: they quote the chart).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A dependency of `Chart.yaml` is not in `charts/` (not vendored, or an archive).
    MissingDependency,
    /// A template or `required` value failed.
    Template,
    /// It needed more memory than [`MEMORY_LIMIT_KIB`].
    OutOfMemory,
    /// Anything else.
    Other,
}

impl Refusal {
    fn of(stderr: &str) -> Self {
        if stderr.contains("missing in charts/ directory") {
            Self::MissingDependency
        } else if stderr.contains("out of memory") {
            Self::OutOfMemory
        } else if stderr.contains("template:") || stderr.contains("execution error") {
            Self::Template
        } else {
            Self::Other
        }
    }
}

impl Failure {
    /// What to tell the user, with what to do.
    pub fn message(self) -> Message {
        match self {
            Self::DidNotRun => msg!("`helm` could not be started, so the chart was not rendered and its templates are not checked"),
            Self::TimedOut => msg!("`helm template` ran longer than 60 seconds and was stopped, so the chart's templates are not checked; render it yourself and check the output"),
            Self::TooMuch => msg!("`helm template` printed more than 32 MiB, so the chart's templates are not checked; render it yourself and check the output"),
            Self::TooLarge => msg!("the chart has more than 2,000 files or 32 MiB, more than preflight copies to render, so its templates are not checked"),
            Self::Unreadable => msg!("`helm template`'s output is not YAML preflight can read, so the chart's templates are not checked"),
            Self::Refused(Refusal::MissingDependency) => msg!("`helm template` refused the chart: a dependency in `Chart.yaml` is not in `charts/` as a folder (run `helm dependency build` and unpack it, or scan the vendored chart), so its templates are not checked"),
            Self::Refused(Refusal::Template) => msg!("`helm template` refused the chart: a template failed with these values (a `required` value, a `fail`, or a template error; run `helm template` to see which), so its templates are not checked"),
            Self::Refused(Refusal::OutOfMemory) => msg!("`helm template` needed more than the 2 GiB of memory preflight lets it use and was stopped, so the chart's templates are not checked"),
            Self::Refused(Refusal::Other) => msg!("`helm template` refused the chart (run it to see why), so its templates are not checked"),
        }
    }
}

/// The values files rendered besides the defaults: `values-*.yaml`, `values.*.yaml` and
/// `*.values.yaml` next to `Chart.yaml` (`values.yaml` is the default, applied always).
pub fn values_files(files: &dyn Files, chart_dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = files
        .list(chart_dir)
        .unwrap_or_default()
        .into_iter()
        .filter(|name| {
            let lower = name.to_ascii_lowercase();
            let yaml = lower.ends_with(".yaml") || lower.ends_with(".yml");
            let stem = lower.trim_end_matches(".yaml").trim_end_matches(".yml");
            yaml && stem != "values"
                && (stem.starts_with("values-")
                    || stem.starts_with("values.")
                    || stem.starts_with("values_")
                    || stem.ends_with(".values")
                    || stem.ends_with("-values"))
        })
        .filter(|name| files.is_file(&chart_dir.join(name)))
        .collect();
    names.sort();
    names.truncate(MAX_VALUES_FILES);
    names
}

/// The chart's files as the scan read them to copy them, by their path in the scan: the
/// templates and values files findings are placed in, read once.
pub type ChartFiles = HashMap<PathBuf, Arc<SourceFile>>;

/// Copies the chart at `chart_dir` through `files` into `to`: only what the scan may read,
/// bounded in files, bytes and depth. What it read goes into `read`.
fn copy_chart(
    files: &dyn Files,
    chart_dir: &Path,
    to: &Path,
    read: &mut ChartFiles,
) -> Result<(), Failure> {
    let mut budget = (MAX_CHART_FILES, MAX_CHART_BYTES);
    let mut stack = vec![(chart_dir.to_path_buf(), to.to_path_buf(), 0)];
    while let Some((from, into, depth)) = stack.pop() {
        std::fs::create_dir_all(&into).map_err(|_| Failure::DidNotRun)?;
        for name in files.list(&from).unwrap_or_default() {
            let path = from.join(&name);
            if files.is_dir(&path) {
                if depth < MAX_CHART_DEPTH && name != ".git" {
                    stack.push((path, into.join(&name), depth + 1));
                }
                continue;
            }
            // Unreadable files (binary, outside the scan, too large) are left out: what
            // Helm then misses, it says.
            let Ok(source) = files.read(&path) else {
                continue;
            };
            budget.0 = budget.0.checked_sub(1).ok_or(Failure::TooLarge)?;
            budget.1 = budget
                .1
                .checked_sub(source.text.len())
                .ok_or(Failure::TooLarge)?;
            std::fs::write(into.join(&name), source.text.as_bytes())
                .map_err(|_| Failure::DidNotRun)?;
            read.insert(path, Arc::new(source));
        }
    }
    Ok(())
}

/// The release name a chart is rendered as: its `name` (or its folder's) as Kubernetes
/// allows names, `release` when nothing is left.
pub fn release_name(name: &str) -> String {
    let name: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(40)
        .collect();
    let name = name.trim_matches('-');
    if name.is_empty() {
        "release".to_owned()
    } else {
        name.to_owned()
    }
}

/// One rendering of a chart: with the defaults (`values: None`) or a values file.
pub struct Rendering {
    /// The values file, by name, beside `Chart.yaml`.
    pub values: Option<String>,
    /// What `helm template` printed, or why it did not.
    pub output: Result<String, Failure>,
}

/// Renders the chart at `chart_dir` as `release` once with its defaults and once per values
/// file; with the chart's files as read to copy them.
pub fn render_chart(
    helm: &Helm,
    files: &dyn Files,
    chart_dir: &Path,
    release: &str,
) -> (Vec<Rendering>, ChartFiles) {
    let values = values_files(files, chart_dir);
    let runs = std::iter::once(None).chain(values.into_iter().map(Some));
    let mut read = ChartFiles::new();
    let Ok(work) = tempfile::tempdir() else {
        let renderings = runs
            .map(|values| Rendering {
                values,
                output: Err(Failure::DidNotRun),
            })
            .collect();
        return (renderings, read);
    };
    let copy = work.path().join("chart");
    let copied = copy_chart(files, chart_dir, &copy, &mut read);
    let home = work.path().join("home");
    let renderings = runs.map(|values| {
        let output = copied.and_then(|()| {
            let mut command = helm.command(&home);
            command.arg("template").arg(release).arg(&copy).args([
                "--namespace",
                "default",
                "--skip-tests",
            ]);
            if let Some(name) = &values {
                command.arg("--values").arg(copy.join(name));
            }
            let out = run_bounded(command, MAX_RENDERED_BYTES, RENDER_TIMEOUT)?;
            String::from_utf8(out).map_err(|_| Failure::Unreadable)
        });
        Rendering { values, output }
    });
    (renderings.collect(), read)
}

/// The YAML documents of one rendering (`rendered`, read as `yaml`), their spans put on the
/// template lines they came from in the address space of `origins`: each template of
/// `chart` this rendering used is added as a part of its own at `next_base` (so each
/// rendering's findings can be told apart; the file itself is shared, so a finding at the
/// same line of several renderings is one finding), with the rendered `sensitive` spans put
/// on the template lines too, to be masked there. Returns the placed documents and where
/// each of `sensitive` was placed.
pub fn place(
    (rendered, yaml): (&str, &YamlFile),
    (chart_dir, chart): (&Path, &ChartFiles),
    origins: &mut Origins,
    next_base: &mut usize,
    sensitive: &[Span],
) -> Result<(Vec<YamlNode>, Vec<Option<Span>>), Failure> {
    if !yaml.errors.is_empty() {
        return Err(Failure::Unreadable);
    }
    let first_part = origins.parts.len();
    let mut placed = Vec::new();
    let mut secrets_at = vec![None; sensitive.len()];
    for section in sections(rendered) {
        let documents: Vec<&YamlNode> = yaml
            .documents
            .iter()
            .filter(|d| section.start <= d.span.start && d.span.start < section.end)
            .collect();
        if documents.is_empty() {
            continue;
        }
        // `chart/templates/x.yaml`: the chart's own name first, whatever its folder's.
        let template = section
            .source
            .as_deref()
            .and_then(|s| s.split_once('/'))
            .map(|(_, rest)| chart_dir.join(rest));
        let part = template.and_then(|path| {
            let existing = origins.parts[first_part..]
                .iter()
                .position(|p| p.source.path == path)
                .map(|i| first_part + i);
            existing.or_else(|| {
                let source = Arc::clone(chart.get(&path)?);
                let base = *next_base;
                *next_base = base + source.text.len() + 1;
                origins.parts.push(Part {
                    base,
                    source,
                    sensitive: Vec::new(),
                    rendered: true,
                });
                Some(origins.parts.len() - 1)
            })
        });
        // A template the scan cannot read (one of a subchart archive): the chart's own
        // file, its first line.
        let part = part.unwrap_or(0);
        let (base, text) = match origins.parts.get(part) {
            Some(p) => (p.base, Arc::clone(&p.source)),
            None => return Err(Failure::Unreadable),
        };
        let map = if part == 0 {
            let first = text.lines.line_span(&text.text, 0);
            LineMap::constant(Span::new(base + first.start, base + first.end))
        } else {
            LineMap::align(
                &rendered[section.start..section.end],
                section.start,
                &text.text,
                base,
            )
        };
        placed.extend(documents.into_iter().map(|d| map.node(d)));
        for (i, secret) in sensitive
            .iter()
            .enumerate()
            .filter(|(_, s)| section.start <= s.start && s.start < section.end)
        {
            let at = map.span(*secret);
            secrets_at[i] = Some(at);
            let local = Span::new(at.start - base, at.end - base);
            // Never an empty span: it would mask nothing. The template line instead.
            let local = if local.is_empty() {
                text.lines
                    .line_span(&text.text, text.lines.line_of(local.start))
            } else {
                local
            };
            if let Some(p) = origins.parts.get_mut(part) {
                p.sensitive.push(local);
            }
        }
    }
    Ok((placed, secrets_at))
}

/// A `# Source:` section of `helm template`'s output.
struct Section {
    start: usize,
    end: usize,
    /// The template, as Helm names it (`chart/templates/x.yaml`).
    source: Option<String>,
}

fn sections(rendered: &str) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    for (start, line) in crate::formats::lines_with_offsets(rendered) {
        if let Some(source) = line.strip_prefix("# Source: ") {
            if let Some(last) = sections.last_mut() {
                last.end = start;
            }
            sections.push(Section {
                start,
                end: rendered.len(),
                source: Some(source.trim().to_owned()),
            });
        }
    }
    sections
}

/// Where each rendered line of a section sits in its template (address-space offsets).
struct LineMap {
    /// (rendered line start, rendered line content end, how it maps), by start.
    lines: Vec<(usize, usize, Placement)>,
    fallback: Span,
}

#[derive(Clone, Copy)]
enum Placement {
    /// The same text: offsets move by `shift` (template minus rendered), kept within the
    /// template `line` (indentation and trailing blanks may differ).
    Same { shift: isize, line: Span },
    /// The same key, another value: the key moves by `shift` (within `line`), the value is
    /// the template's.
    Key {
        shift: isize,
        line: Span,
        value_at: usize,
        value: Span,
    },
    /// Nothing alike (a line an `include`d helper wrote): the end of the nearest template
    /// line before it.
    Near(usize),
}

impl LineMap {
    fn constant(at: Span) -> Self {
        Self {
            lines: Vec::new(),
            fallback: at,
        }
    }

    /// Aligns the rendered lines of a section (starting at offset `section_at` of the
    /// output) with the lines of the template (at `base` of the address space), in order.
    /// Lines with the same text are paired as a diff pairs them (patience: lines unique on
    /// both sides anchor the rest, so a common line such as `- name: http` in a block the
    /// values left out cannot pull everything after it out of place); a rendered line left
    /// over takes the line of the same key in the gap between its neighbours' (`image:
    /// {{ … }}`), or sits at the end of the last line paired before it (a line an included
    /// helper wrote).
    fn align(section: &str, section_at: usize, template: &str, base: usize) -> Self {
        let template_lines: Vec<(usize, &str)> =
            crate::formats::lines_with_offsets(template).collect();
        let first = template_lines
            .first()
            .map_or(Span::new(base, base), |(s, l)| {
                Span::new(base + s, base + s + l.len())
            });
        let rendered: Vec<(usize, &str)> = crate::formats::lines_with_offsets(section)
            .map(|(start, line)| (section_at + start, line))
            .filter(|(_, line)| {
                let trimmed = line.trim();
                !trimmed.is_empty() && !trimmed.starts_with("# Source: ") && trimmed != "---"
            })
            .collect();
        let paired = pair_lines(&template_lines, &rendered);
        // For each rendered line, the template line paired next after it (the end of its gap).
        let mut gap_end = vec![template_lines.len(); rendered.len()];
        let mut following = template_lines.len();
        for i in (0..rendered.len()).rev() {
            gap_end[i] = following;
            if let Some(j) = paired[i] {
                following = j;
            }
        }
        let mut next = 0;
        // Before any line is paired: the start of the template, so a first line paired later
        // does not map before it.
        let mut last = first.start;
        let mut lines = Vec::new();
        for (i, &(start, line)) in rendered.iter().enumerate() {
            let trimmed = line.trim();
            let indent = line.len() - line.trim_start().len();
            let keyed = || {
                let (name, _) = key_of(trimmed)?;
                let end = gap_end[i].min(next + MAX_LOOKAHEAD);
                (next..end).find(|&j| {
                    let t = template_lines[j].1.trim();
                    t.contains("{{") && key_of(t).is_some_and(|(k, _)| k == name)
                })
            };
            let found = paired[i]
                .map(|j| (j, true))
                .or_else(|| keyed().map(|j| (j, false)));
            let placement = match found {
                Some((j, same)) => {
                    next = j + 1;
                    let (t_start, t_line) = template_lines[j];
                    let t_indent = t_line.len() - t_line.trim_start().len();
                    let shift = (base + t_start + t_indent) as isize - (start + indent) as isize;
                    let line = Span::new(base + t_start + t_indent, base + t_start + t_line.len());
                    last = line.end;
                    if same {
                        Placement::Same { shift, line }
                    } else {
                        let (_, value_at) = key_of(trimmed).expect("matched by key");
                        let (_, t_value_at) = key_of(t_line.trim()).expect("matched by key");
                        Placement::Key {
                            shift,
                            line,
                            value_at: start + indent + value_at,
                            value: Span::new(
                                base + t_start + t_indent + t_value_at,
                                base + t_start + t_line.len(),
                            ),
                        }
                    }
                }
                None => Placement::Near(last),
            };
            lines.push((start, start + line.len(), placement));
        }
        Self {
            lines,
            fallback: first,
        }
    }

    /// The address-space offset of rendered offset `at`: monotonic, so spans stay spans.
    fn map(&self, at: usize) -> usize {
        let i = self.lines.partition_point(|(start, ..)| *start <= at);
        let Some(&(_, end, placement)) = i.checked_sub(1).and_then(|i| self.lines.get(i)) else {
            return self.fallback.start;
        };
        if at > end {
            // Between this line and the next (its line break, skipped lines): its end.
            return self.map(end);
        }
        match placement {
            Placement::Same { shift, line } => {
                at.saturating_add_signed(shift).clamp(line.start, line.end)
            }
            Placement::Key {
                shift,
                line,
                value_at,
                value,
            } => {
                if at < value_at {
                    at.saturating_add_signed(shift)
                        .clamp(line.start, value.start)
                } else if at < end {
                    value.start
                } else {
                    value.end
                }
            }
            // The end of that line: a point, so the map never goes back to its start.
            Placement::Near(at) => at,
        }
    }

    /// `span` of the rendered output in the address space: a scalar within one line as
    /// [`LineMap::map`] puts it; never a span that ends before it starts.
    fn span(&self, span: Span) -> Span {
        let start = self.map(span.start);
        Span::new(start, self.map(span.end).max(start))
    }

    /// `node` with every span placed.
    fn node(&self, node: &YamlNode) -> YamlNode {
        let value = match &node.value {
            YamlValue::Scalar(s) => YamlValue::Scalar(s.clone()),
            YamlValue::Alias => YamlValue::Alias,
            YamlValue::Sequence(items) => {
                YamlValue::Sequence(items.iter().map(|i| self.node(i)).collect())
            }
            YamlValue::Mapping(entries) => YamlValue::Mapping(
                entries
                    .iter()
                    .map(|(k, v)| (self.node(k), self.node(v)))
                    .collect(),
            ),
        };
        YamlNode {
            span: self.span(node.span),
            value,
        }
    }
}

/// Diffs at most this many template × rendered lines; a larger section is paired line by
/// line, each rendered line with the next template line of the same text.
const MAX_DIFF_CELLS: usize = 4_000_000;

/// For each rendered line, the template line of the same text it is paired with, in order.
fn pair_lines(template: &[(usize, &str)], rendered: &[(usize, &str)]) -> Vec<Option<usize>> {
    let old: Vec<&str> = template.iter().map(|(_, l)| l.trim()).collect();
    let new: Vec<&str> = rendered.iter().map(|(_, l)| l.trim()).collect();
    let mut paired = vec![None; new.len()];
    if old.len().saturating_mul(new.len()) <= MAX_DIFF_CELLS {
        for op in similar::capture_diff_slices(similar::Algorithm::Patience, &old, &new) {
            if let similar::DiffOp::Equal {
                old_index,
                new_index,
                len,
            } = op
            {
                for k in 0..len {
                    paired[new_index + k] = Some(old_index + k);
                }
            }
        }
    } else {
        let mut next = 0;
        for (i, line) in new.iter().enumerate() {
            let window = next..old.len().min(next + MAX_LOOKAHEAD);
            if let Some(j) = window.into_iter().find(|&j| old[j] == *line) {
                paired[i] = Some(j);
                next = j + 1;
            }
        }
    }
    paired
}

/// The key of a `key: value` or `- key: value` line and where its value starts.
fn key_of(line: &str) -> Option<(&str, usize)> {
    let lead = if line.starts_with("- ") { 2 } else { 0 };
    let rest = &line[lead..];
    let colon = rest
        .find(": ")
        .or_else(|| rest.strip_suffix(':').map(str::len))?;
    let key = &rest[..colon];
    if key.is_empty() || key.contains(' ') && !key.starts_with('"') {
        return None;
    }
    let value_at =
        lead + colon + 1 + rest[colon + 1..].len() - rest[colon + 1..].trim_start().len();
    Some((key, value_at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_their_values() {
        assert_eq!(key_of("privileged: true"), Some(("privileged", 12)));
        assert_eq!(key_of("- name: web"), Some(("name", 8)));
        assert_eq!(key_of("resources:"), Some(("resources", 10)));
        assert_eq!(key_of("just some words"), None);
    }

    #[test]
    fn rendered_lines_land_on_their_template_lines() {
        let template = "kind: Pod\nspec:\n  containers:\n    - name: {{ .Chart.Name }}\n      securityContext:\n        privileged: {{ .Values.privileged }}\n";
        let rendered = "# Source: c/templates/pod.yaml\nkind: Pod\nspec:\n  containers:\n    - name: c\n      securityContext:\n        privileged: true\n";
        let map = LineMap::align(rendered, 0, template, 1000);
        // `spec:` is the same text.
        let spec = rendered.find("spec:").unwrap();
        assert_eq!(map.map(spec), 1000 + template.find("spec:").unwrap());
        // `privileged` is the same key: the key maps exactly, the value to the action.
        let key = rendered.find("privileged").unwrap();
        assert_eq!(map.map(key), 1000 + template.find("privileged").unwrap());
        let value = rendered.find("true").unwrap();
        assert_eq!(
            map.map(value),
            1000 + template.find("{{ .Values.privileged").unwrap()
        );
        assert_eq!(map.map(value + 4), 1000 + template.len() - 1);
    }

    #[test]
    fn a_line_of_a_block_left_out_does_not_pull_the_rest_away() {
        // `readOnly: true` first appears in a block the values leave out; the rendered one
        // is the mount's, and `path: /` stays on its own line.
        let template = "mounts:\n  - name: root\n    readOnly: true\nvolumes:\n  - name: root\n    path: /\n{{- if .Values.tls }}\n  - name: tls\n    readOnly: true\n    path: {{ .Values.tls.path }}\n{{- end }}\n";
        let rendered = "# Source: c/templates/x.yaml\nmounts:\n  - name: root\n    readOnly: true\nvolumes:\n  - name: root\n    path: /\n";
        let map = LineMap::align(rendered, 0, template, 0);
        let path = rendered.find("path: /").unwrap();
        assert_eq!(map.map(path), template.find("path: /").unwrap());
        let read_only = rendered.find("readOnly").unwrap();
        assert_eq!(map.map(read_only), template.find("readOnly").unwrap());
    }

    #[test]
    fn the_map_never_goes_backwards() {
        let template = "a: 1\n{{- range .Values.items }}\n- name: {{ . }}\n{{- end }}\nb: 2\n";
        let rendered =
            "# Source: c/templates/x.yaml\na: 1\n- name: x\n- name: y\n- name: z\nb: 2\n";
        let map = LineMap::align(rendered, 0, template, 0);
        let mut last = 0;
        for at in 0..=rendered.len() {
            let mapped = map.map(at);
            assert!(mapped >= last, "offset {at}: {mapped} < {last}");
            assert!(mapped <= template.len());
            last = mapped;
        }
    }

    #[test]
    fn a_renderer_that_prints_too_much_or_hangs_is_stopped() {
        let mut yes = Command::new("yes");
        yes.arg("apiVersion: v1");
        assert_eq!(
            run_bounded(yes, 64 * 1024, Duration::from_secs(20)),
            Err(Failure::TooMuch)
        );
        let mut sleep = Command::new("sleep");
        sleep.arg("30");
        let started = Instant::now();
        assert_eq!(
            run_bounded(sleep, 1024, Duration::from_millis(200)),
            Err(Failure::TimedOut)
        );
        assert!(started.elapsed() < Duration::from_secs(20));
        let mut refuses = Command::new("sh");
        refuses.args([
            "-c",
            "echo 'Error: found in Chart.yaml, but missing in charts/ directory: db' >&2; exit 1",
        ]);
        assert_eq!(
            run_bounded(refuses, 1024, Duration::from_secs(20)),
            Err(Failure::Refused(Refusal::MissingDependency))
        );
    }

    /// Random templates and renderings from lines real charts have: the map stays inside
    /// the template, never goes backwards, and every span stays a span.
    #[test]
    fn any_rendering_maps_monotonically_into_its_template() {
        const LINES: &[&str] = &[
            "a: 1",
            "  - name: web",
            "    image: {{ .Values.image }}",
            "    image: nginx:1.27",
            "{{- if .Values.on }}",
            "{{- end }}",
            "  privileged: true",
            "  privileged: {{ .Values.p }}",
            "",
            "---",
            "# Source: c/templates/x.yaml",
            "  labels:",
            "x",
            "- ",
            ": :",
            "ü: ß",
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for _ in 0..2_000 {
            let mut text = || -> String {
                let lines = next(12);
                (0..lines)
                    .map(|_| format!("{}\n", LINES[next(LINES.len())]))
                    .collect()
            };
            let template = text();
            let rendered = text();
            let base = 100;
            let map = LineMap::align(&rendered, 0, &template, base);
            let mut last = 0;
            for at in 0..=rendered.len() {
                let mapped = map.map(at);
                assert!(mapped >= last, "{template:?} {rendered:?} at {at}");
                assert!(
                    (base..=base + template.len()).contains(&mapped) || template.is_empty(),
                    "{template:?} {rendered:?} at {at}: {mapped}"
                );
                last = mapped;
            }
            for start in 0..=rendered.len() {
                let span = map.span(Span::new(start, rendered.len()));
                assert!(span.start <= span.end);
            }
        }
    }

    #[test]
    fn release_names_are_kubernetes_names() {
        assert_eq!(release_name("My_App"), "my-app");
        assert_eq!(release_name("--"), "release");
    }
}
