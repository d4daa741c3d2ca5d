//! Docker Compose files (v2/v3 and the Compose Specification) read into what a service
//! does: the ports it publishes and on which address, its environment and env files, its
//! mounts, privileges, namespaces, image and restart policy, each with the span it is
//! written at. Built on [`crate::formats::yaml`]; knows nothing of rules.
//!
//! Values are kept as written and interpolated on demand ([`ComposeString::template`]), the
//! way `docker compose` does at `up` time, so a rule can tell `${DB_PASSWORD}` (from the
//! environment) from `CHANGE_THIS` (written into the file). Unquoted scalars are read as
//! text, like Compose v2's YAML reader does: `22:22` is the string `22:22`, not YAML 1.1's
//! base-60 integer 1342 (which Compose v1 and other YAML 1.1 readers make of it;
//! [`PortMapping::yaml11_integer`] records when that trap is set).
//!
//! A value of the wrong type (`ports: 5432`, `environment: 3`) is an error located at the
//! value, and the rest of the service is still read.

use crate::formats::dotenv::EXAMPLE_MARKERS;
use crate::formats::interpolation::Template;
use crate::formats::sensitive::{
    assignment_sensitive, command_sensitive, list_command_sensitive, unreadable_lines,
    yaml_sensitive, ListWord, Sensitive,
};
use crate::formats::yaml::{YamlFile, YamlNode, YamlValue};
use crate::formats::ParseError;
use crate::formats::Target;
use crate::formats::{
    lexically_normal, Classification, FileName, FollowUp, Format, ParseContext, Presence, Shown,
};
use crate::message::{Message, Quote};
use crate::msg;
use crate::source::SourceFile;
use crate::source::Span;
use std::sync::Arc;

/// Stands for a variable whose value only the shell knows, in rendered values.
pub const UNKNOWN: &str = "\u{0}";

/// A Compose file: the YAML and the services read from it.
#[derive(Debug, Clone, Default)]
pub struct ComposeFile {
    /// The YAML tree (other readers, such as the backup rules, read it directly).
    pub yaml: YamlFile,
    /// The services, in file order.
    pub services: Vec<Service>,
    /// YAML syntax errors, then values of the wrong type.
    pub errors: Vec<ParseError>,
}

/// A scalar value as written, with where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposeString {
    /// The value as YAML reads it (quotes removed, escapes applied), before interpolation.
    pub text: String,
    /// Where it is written.
    pub span: Span,
    /// The byte offset of `text` in the file when it is written verbatim (plain, or quoted
    /// without escapes), so a part of it can be located exactly.
    pub verbatim_at: Option<usize>,
}

impl ComposeString {
    /// Reads a scalar node; `source` is the file's text.
    fn of(node: &YamlNode, source: &str) -> Option<Self> {
        Some(Self {
            text: node.as_str()?.to_owned(),
            span: node.span,
            verbatim_at: node.verbatim_at(source),
        })
    }

    /// The value for a message, tied to where it is written.
    pub fn quote(&self) -> Quote {
        Quote::derived(self.span, self.text.as_str())
    }

    /// `text`, derived from this value (interpolated, a part of it), for a message.
    pub fn derived(&self, text: &str) -> Quote {
        Quote::derived(self.span, text)
    }

    /// The part of the value from byte `from` on (`KEY=value` list items).
    fn tail(&self, from: usize) -> Self {
        Self {
            text: self.text[from..].to_owned(),
            span: self.span_of(from..self.text.len()),
            verbatim_at: self.verbatim_at.map(|at| at + from),
        }
    }

    /// The span of a byte range of `text`: exact when written verbatim, else the whole value.
    pub fn span_of(&self, range: std::ops::Range<usize>) -> Span {
        match self.verbatim_at {
            Some(at) => Span::new(at + range.start, at + range.end),
            None => self.span,
        }
    }

    /// The value's interpolation pieces.
    pub fn template(&self) -> Template {
        Template::parse(&self.text)
    }

    /// The value with every variable unset (defaults taken); `None` when a variable without
    /// a default decides it.
    pub fn resolved(&self) -> Option<String> {
        self.template().unset_value()
    }

    /// The value with defaults taken and unknown variables written as [`UNKNOWN`].
    pub fn rendered(&self) -> String {
        self.template().render_with(UNKNOWN)
    }
}

/// One `services.<name>` entry.
#[derive(Debug, Clone, Default)]
pub struct Service {
    /// The service name.
    pub name: String,
    /// Where the name is written: findings about something absent point here.
    pub key_span: Span,
    /// `image:`.
    pub image: Option<ComposeString>,
    /// Whether the service is built from source (`build:`).
    pub build: bool,
    /// `ports:` (published; `expose:` only opens ports to other containers and is not read).
    pub ports: Vec<PortMapping>,
    /// `environment:`, map or list form.
    pub environment: Vec<EnvVar>,
    /// `env_file:`, every form.
    pub env_files: Vec<EnvFileRef>,
    /// `build.args:`, map or list form (recorded in the built image's history).
    pub build_args: Vec<EnvVar>,
    /// `volumes:`.
    pub volumes: Vec<Mount>,
    /// `privileged:`.
    pub privileged: Option<ComposeString>,
    /// `network_mode:`, `pid:`, `ipc:`, `uts:`, `userns_mode:` as `(key, value)`.
    pub namespaces: Vec<(&'static str, ComposeString)>,
    /// `restart:`.
    pub restart: Option<ComposeString>,
    /// Whether `deploy.restart_policy` is set (Swarm's restart policy).
    pub deploy_restart_policy: bool,
    /// `cap_add:`.
    pub cap_add: Vec<ComposeString>,
    /// `user:`.
    pub user: Option<ComposeString>,
    /// `command:` and `entrypoint:`.
    pub command: Vec<ComposeCommand>,
    /// `healthcheck.test`.
    pub healthcheck: Option<ComposeCommand>,
    /// Another service waits for this one to finish (`depends_on` with
    /// `condition: service_completed_successfully`): a one-shot job.
    pub one_shot: bool,
    /// The service was not read whole (`extends:` from another file, a `<<:` merge key or an
    /// alias the YAML reader could not expand, a value of the wrong type, a YAML syntax error
    /// inside it): absent keys may be present.
    pub incomplete: bool,
    /// It extends a service of another file (`extends: {file: …}`), which is not read.
    pub extends_other_file: bool,
}

impl Service {
    /// The service's name for a message, tied to where it is written.
    pub fn quote(&self) -> Quote {
        Quote::derived(self.key_span, self.name.as_str())
    }

    /// Whether a truthy `privileged:` is set (Compose reads `true`, `yes`, `on`, `y`).
    pub fn is_privileged(&self) -> Option<&ComposeString> {
        self.privileged
            .as_ref()
            .filter(|p| p.resolved().is_some_and(|v| truthy(&v)))
    }
}

/// A command as a Compose file writes it: one string, split like a shell splits it, or a
/// list of words (`["redis-server", "--requirepass", "…"]`, `["CMD", "curl", …]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComposeCommand {
    /// One string.
    Line(ComposeString),
    /// A list of words.
    Words(Vec<ComposeString>),
}

impl ComposeCommand {
    /// Where the command line is written: its string, or each of its words.
    fn spans(&self) -> impl Iterator<Item = Span> + '_ {
        let words = match self {
            Self::Line(line) => std::slice::from_ref(line),
            Self::Words(words) => words.as_slice(),
        };
        words.iter().map(|word| word.span)
    }

    /// The secrets written on the command line.
    pub fn sensitive(&self) -> Vec<Sensitive> {
        match self {
            Self::Line(line) => {
                command_sensitive(&line.text, &|start, end| line.span_of(start..end))
            }
            Self::Words(words) => {
                let words: Vec<ListWord> = words
                    .iter()
                    .map(|w| ListWord::written(&w.text, w.span, w.verbatim_at))
                    .collect();
                list_command_sensitive(&words)
            }
        }
    }
}

/// Compose's boolean reading of a string.
pub fn truthy(value: &str) -> bool {
    matches!(
        value.to_ascii_lowercase().as_str(),
        "true" | "yes" | "y" | "on" | "1"
    )
}

/// A range of ports (`5432` is `5432..=5432`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortRange {
    /// First port.
    pub start: u16,
    /// Last port.
    pub end: u16,
}

impl PortRange {
    /// Reads `5432` or `9000-9005`.
    pub fn parse(text: &str) -> Option<Self> {
        let (start, end) = text.split_once('-').unwrap_or((text, text));
        let start: u16 = start.trim().parse().ok()?;
        let end: u16 = end.trim().parse().ok()?;
        (start <= end).then_some(Self { start, end })
    }

    /// Whether `port` is in the range.
    pub fn contains(&self, port: u16) -> bool {
        (self.start..=self.end).contains(&port)
    }
}

/// One published port, short (`"127.0.0.1:5432:5432/tcp"`) or long syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortMapping {
    /// The whole entry.
    pub span: Span,
    /// The entry as one line: the short syntax as written, the long syntax as `target:
    /// 5432, published: 5432` (for fingerprint keys; [`Self::written`] for messages).
    pub display: String,
    /// The same line for messages.
    pub written: Message,
    /// The host address, interpolated (`None`: not given, i.e. every interface); contains
    /// [`UNKNOWN`] when a variable without default decides it.
    pub host_ip: Option<String>,
    /// The host port or range (`None`: an ephemeral port chosen by Docker).
    pub published: Option<String>,
    /// The container port(s); `None` when not a number (a variable without default).
    pub target: Option<PortRange>,
    /// `tcp`, `udp`, `sctp`.
    pub protocol: String,
    /// A plain (unquoted) `HOST:CONTAINER` entry that a YAML 1.1 reader (Compose v1, PyYAML)
    /// reads as a base-60 integer (`22:22` → 1342).
    pub yaml11_integer: bool,
}

/// Which addresses of the host a published port listens on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    /// No address, `0.0.0.0`, `::`: every interface.
    AllInterfaces,
    /// A concrete address that is neither loopback nor private (RFC 1918, unique-local,
    /// link-local): a public interface.
    PublicAddress,
    /// The loopback or a private network.
    Internal,
    /// A variable without default, or not an address (a host name).
    Unknown,
}

impl PortMapping {
    /// Where the port listens on the host.
    pub fn binding(&self) -> Binding {
        let Some(ip) = self.host_ip.as_deref() else {
            return Binding::AllInterfaces;
        };
        let ip = ip.trim_matches(['[', ']']);
        if ip.is_empty() {
            return Binding::AllInterfaces;
        }
        if ip == "localhost" {
            return Binding::Internal;
        }
        match ip.parse::<std::net::IpAddr>() {
            Ok(addr) if addr.is_unspecified() => Binding::AllInterfaces,
            Ok(std::net::IpAddr::V4(v4))
                if v4.is_loopback() || v4.is_private() || v4.is_link_local() =>
            {
                Binding::Internal
            }
            Ok(std::net::IpAddr::V6(v6))
                if v6.is_loopback()
                    || (v6.segments()[0] & 0xfe00) == 0xfc00
                    || (v6.segments()[0] & 0xffc0) == 0xfe80 =>
            {
                Binding::Internal
            }
            Ok(_) => Binding::PublicAddress,
            Err(_) => Binding::Unknown,
        }
    }
}

/// One `environment:` variable or build argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    /// The name.
    pub name: String,
    /// Where the name is written.
    pub name_span: Span,
    /// The value; `None` for `- KEY` or `KEY:` (null), taken from the shell.
    pub value: Option<ComposeString>,
}

/// One `env_file:` reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvFileRef {
    /// The path as written, interpolated; `None` when a variable without default decides it.
    pub path: Option<String>,
    /// Where the path is written.
    pub span: Span,
    /// Whether Compose refuses to start without it (`required: false` says no).
    pub required: bool,
    /// Whether it, or a committed template of it (`.env.example`, created from on the
    /// deploy host), is next to the Compose file, as far as the scan can tell: asked while
    /// parsing with the scan's files, so nothing outside the scan is looked at.
    pub presence: Presence,
}

/// One `volumes:` entry of a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// Where the entry is written (the source, for the long syntax).
    pub span: Span,
    /// The host path or volume name, interpolated ([`UNKNOWN`] where a variable without
    /// default decides it); `None` for an anonymous volume.
    pub source: Option<String>,
    /// The path in the container.
    pub target: Option<String>,
    /// `:ro` or `read_only: true`.
    pub read_only: bool,
}

impl ComposeFile {
    /// Parses a Compose file. Never fails: YAML errors and values of the wrong type are
    /// recorded in `errors`, and what could be read is kept.
    pub fn parse(text: &str) -> Self {
        let yaml = YamlFile::parse(text);
        let mut reader = Reader {
            source: text,
            errors: yaml.errors.clone(),
            cut_at: yaml.errors.first().map(|e| e.span.start),
        };
        let mut services = Vec::new();
        for document in &yaml.documents {
            match &document.value {
                YamlValue::Mapping(_) => {}
                // An empty document (only comments) is fine.
                YamlValue::Scalar(s) if s.is_empty() => continue,
                _ => {
                    reader.error(
                        document.span,
                        "a Compose file is a mapping with a `services:` key; this document was not read",
                    );
                    continue;
                }
            }
            let Some(list) = document.get("services") else {
                continue;
            };
            match &list.value {
                YamlValue::Mapping(entries) => {
                    for (key, value) in entries.iter() {
                        if let Some(service) = reader.service(key, value) {
                            services.push(service);
                        }
                    }
                }
                _ if is_null(list, text) => {}
                _ => reader.error(list.span, "`services` must be a mapping of service names to their settings; it was not read"),
            }
        }
        mark_one_shot_jobs(&yaml, &mut services);
        Self {
            errors: reader.errors,
            yaml,
            services,
        }
    }
}

/// Whether a node is YAML's null (`~`, `null`, nothing).
fn is_null(node: &YamlNode, source: &str) -> bool {
    let written = source.get(node.span.range()).unwrap_or("");
    matches!(node.value, YamlValue::Scalar(_))
        && matches!(written, "" | "~" | "null" | "Null" | "NULL")
}

/// A mapping's entries without its `<<` merge keys, and whether it had none: the YAML
/// reader has replaced each merge it could read with the entries it brings in, so a `<<`
/// left over is one it could not read (an alias to an unknown anchor, a scalar).
fn read_entries(node: &YamlNode) -> (Vec<&(YamlNode, YamlNode)>, bool) {
    let (merges, own): (Vec<_>, Vec<_>) = node
        .entries()
        .iter()
        .partition(|(k, _)| k.as_str() == Some("<<"));
    (own, merges.is_empty())
}

/// Services that another service waits for with `condition: service_completed_successfully`.
fn mark_one_shot_jobs(yaml: &YamlFile, services: &mut [Service]) {
    let waited_for: Vec<String> = yaml
        .documents
        .iter()
        .filter_map(|d| d.get("services"))
        .flat_map(YamlNode::entries)
        .filter_map(|(_, service)| service.get("depends_on"))
        .flat_map(YamlNode::entries)
        .filter(|(_, how)| {
            how.get("condition").and_then(YamlNode::as_str)
                == Some("service_completed_successfully")
        })
        .filter_map(|(name, _)| name.as_str().map(str::to_owned))
        .collect();
    for service in services {
        service.one_shot = waited_for.contains(&service.name);
    }
}

struct Reader<'a> {
    source: &'a str,
    errors: Vec<ParseError>,
    /// Where a YAML syntax error cut the tree short: services reaching it are incomplete.
    cut_at: Option<usize>,
}

impl Reader<'_> {
    fn error(&mut self, span: Span, message: impl Into<Message>) {
        // A value a syntax error cut short has the wrong type because of that error only.
        if self.cut_at.is_some_and(|cut| span.end >= cut) {
            return;
        }
        self.errors.push(ParseError {
            span,
            message: message.into(),
        });
    }

    fn string(&self, node: &YamlNode) -> Option<ComposeString> {
        ComposeString::of(node, self.source)
    }

    /// A scalar setting, or an error when it is a list or mapping.
    fn scalar(
        &mut self,
        service: &Quote,
        key: &'static str,
        node: &YamlNode,
    ) -> Option<ComposeString> {
        match &node.value {
            YamlValue::Scalar(_) if is_null(node, self.source) => None,
            YamlValue::Scalar(_) => self.string(node),
            YamlValue::Alias => None,
            _ => {
                self.error(
                    node.span,
                    msg!(
                        "`{}` of service `{}` must be a single value; it was not read",
                        key,
                        service
                    ),
                );
                None
            }
        }
    }

    /// The items of a list setting; a scalar or mapping is an error.
    fn list<'n>(
        &mut self,
        service: &Quote,
        key: &'static str,
        node: &'n YamlNode,
    ) -> &'n [YamlNode] {
        match &node.value {
            YamlValue::Sequence(items) => items,
            YamlValue::Scalar(_) if is_null(node, self.source) => &[],
            YamlValue::Alias => &[],
            _ => {
                self.error(
                    node.span,
                    msg!("`{}` of service `{}` must be a list (`{}:` then `- …` lines); it was not read", key, service, key),
                );
                &[]
            }
        }
    }

    /// A command: one string or a list of words.
    fn command(&self, node: &YamlNode) -> Option<ComposeCommand> {
        match &node.value {
            YamlValue::Sequence(items) => Some(ComposeCommand::Words(
                items.iter().filter_map(|i| self.string(i)).collect(),
            )),
            _ => self.string(node).map(ComposeCommand::Line),
        }
    }

    fn service(&mut self, key: &YamlNode, node: &YamlNode) -> Option<Service> {
        let name = key.as_str()?.to_owned();
        // `x-…` keys are extension fields, not services, only at the top level; under
        // `services:` every key is a service.
        let mut service = Service {
            name,
            key_span: key.span,
            ..Service::default()
        };
        let name = service.quote();
        match &node.value {
            YamlValue::Mapping(_) => {}
            YamlValue::Alias => {
                service.incomplete = true;
                return Some(service);
            }
            _ => {
                // `name:` with nothing after it: point at the name.
                let at = if node.span.is_empty() {
                    key.span
                } else {
                    node.span
                };
                self.error(
                    at,
                    msg!("service `{}` must be a mapping of settings (`image:`, `ports:`, …); Compose refuses the file", name),
                );
                return None;
            }
        }
        let errors_before = self.errors.len();
        let (entries, merged_whole) = read_entries(node);
        service.incomplete |= !merged_whole;
        for (k, value) in entries {
            let Some(k) = k.as_str() else { continue };
            if matches!(value.value, YamlValue::Alias) {
                service.incomplete = true;
                continue;
            }
            match k {
                "image" => service.image = self.scalar(&name, "image", value),
                "build" => {
                    service.build = !is_null(value, self.source);
                    if let Some(args) = value.get("args") {
                        self.variables(&name, "build.args", args, &mut service.build_args);
                    }
                }
                "ports" => {
                    for item in self.list(&name, "ports", value) {
                        if let Some(port) = self.port(&name, item) {
                            service.ports.push(port);
                        }
                    }
                }
                "environment" => {
                    self.variables(&name, "environment", value, &mut service.environment);
                }
                "env_file" => self.env_files(&name, value, &mut service.env_files),
                "volumes" => {
                    for item in self.list(&name, "volumes", value) {
                        service.volumes.extend(self.mount(item));
                    }
                }
                "privileged" => service.privileged = self.scalar(&name, "privileged", value),
                "network_mode" | "pid" | "ipc" | "uts" | "userns_mode" => {
                    let key: &'static str = match k {
                        "network_mode" => "network_mode",
                        "pid" => "pid",
                        "ipc" => "ipc",
                        "uts" => "uts",
                        _ => "userns_mode",
                    };
                    if let Some(v) = self.scalar(&name, key, value) {
                        service.namespaces.push((key, v));
                    }
                }
                "restart" => service.restart = self.scalar(&name, "restart", value),
                "deploy" => {
                    service.deploy_restart_policy = value.get("restart_policy").is_some();
                }
                "cap_add" => {
                    let items = self.list(&name, "cap_add", value);
                    service.cap_add = items.iter().filter_map(|i| self.string(i)).collect();
                }
                "user" => service.user = self.scalar(&name, "user", value),
                // Settings inherited from a service of another file are not read here.
                "extends" => {
                    service.extends_other_file = value.get("file").is_some();
                    service.incomplete |= service.extends_other_file;
                }
                "command" | "entrypoint" => service.command.extend(self.command(value)),
                "healthcheck" => {
                    service.healthcheck = value.get("test").and_then(|t| self.command(t));
                }
                _ => {}
            }
        }
        // A key of the wrong type, or a syntax error inside the service, leaves it half read.
        service.incomplete |= self.errors.len() > errors_before
            || self.cut_at.is_some_and(|cut| node.span.end >= cut);
        Some(service)
    }

    /// `environment:` or `build.args:` (`section`) as a mapping (`KEY: value`) or a list
    /// (`- KEY=value`, `- KEY`).
    fn variables(
        &mut self,
        service: &Quote,
        section: &'static str,
        node: &YamlNode,
        out: &mut Vec<EnvVar>,
    ) {
        match &node.value {
            YamlValue::Mapping(entries) => {
                for (key, value) in entries.iter() {
                    let Some(name) = key.as_str() else { continue };
                    let value = match &value.value {
                        YamlValue::Scalar(_) if is_null(value, self.source) => None,
                        YamlValue::Scalar(_) => self.string(value),
                        YamlValue::Alias => continue,
                        _ => {
                            self.error(
                                value.span,
                                msg!("the value of `{}` in `{}` of service `{}` must be a single value; it was not read", key.quote(), section, service),
                            );
                            continue;
                        }
                    };
                    out.push(EnvVar {
                        name: name.to_owned(),
                        name_span: key.span,
                        value,
                    });
                }
            }
            YamlValue::Sequence(items) => {
                for item in items.iter() {
                    let Some(entry) = self.string(item) else {
                        if !matches!(item.value, YamlValue::Alias) {
                            self.error(item.span, msg!("an item of `{}` of service `{}` must be `KEY=value` or `KEY`; it was not read", section, service));
                        }
                        continue;
                    };
                    let (name, value) = match entry.text.split_once('=') {
                        Some((name, _)) => {
                            let name = name.to_owned();
                            let value = entry.tail(name.len() + 1);
                            (name, Some(value))
                        }
                        None => (entry.text.clone(), None),
                    };
                    let name_span = entry.span_of(0..name.len());
                    out.push(EnvVar {
                        name,
                        name_span,
                        value,
                    });
                }
            }
            YamlValue::Alias => {}
            _ if is_null(node, self.source) => {}
            _ => self.error(
                node.span,
                msg!("`{}` of service `{}` must be a mapping (`KEY: value`) or a list (`- KEY=value`); it was not read", section, service),
            ),
        }
    }

    /// `env_file:` as a string, a list of strings, or a list of `{path, required}`.
    fn env_files(&mut self, service: &Quote, node: &YamlNode, out: &mut Vec<EnvFileRef>) {
        let single = std::slice::from_ref(node);
        let items = match &node.value {
            YamlValue::Scalar(_) if is_null(node, self.source) => return,
            YamlValue::Scalar(_) => single,
            _ => self.list(service, "env_file", node),
        };
        for item in items {
            let (path, required) = match &item.value {
                YamlValue::Scalar(_) => (self.string(item), true),
                YamlValue::Mapping(_) => (
                    item.get("path").and_then(|p| self.string(p)),
                    item.get("required")
                        .and_then(YamlNode::as_str)
                        .is_none_or(truthy),
                ),
                _ => (None, true),
            };
            let Some(path) = path else {
                self.error(
                    item.span,
                    msg!("an `env_file` of service `{}` must be a path or `{{path: …, required: …}}`; it was not read", service),
                );
                continue;
            };
            out.push(EnvFileRef {
                path: path.resolved(),
                span: path.span,
                required,
                presence: Presence::Unknown,
            });
        }
    }

    /// One `ports:` item.
    fn port(&mut self, service: &Quote, item: &YamlNode) -> Option<PortMapping> {
        match &item.value {
            YamlValue::Scalar(_) => {
                let written = self.string(item)?;
                let port = short_port(&written.rendered(), item.span);
                let plain = written.verbatim_at == Some(item.span.start);
                let port = port.map(|p| PortMapping {
                    yaml11_integer: plain && is_yaml11_sexagesimal(&written.text),
                    display: written.text.clone(),
                    written: written.quote().into(),
                    ..p
                });
                if port.is_none() {
                    self.error(item.span, msg!("`{}` in the ports of service `{}` is not a port mapping (`[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]`); it was not read", written.quote(), service));
                }
                port
            }
            YamlValue::Mapping(_) => {
                let read = |key: &str| {
                    item.get(key)
                        .and_then(|n| ComposeString::of(n, self.source))
                        .map(|s| s.rendered())
                };
                let target = read("target");
                if target.is_none() {
                    self.error(
                        item.span,
                        msg!("a port of service `{}` in the long syntax needs `target:` (the container port); it was not read", service),
                    );
                    return None;
                }
                let given: Vec<(&'static str, &YamlNode)> = ["target", "published", "host_ip"]
                    .into_iter()
                    .filter_map(|k| Some((k, item.get(k).filter(|v| v.as_str().is_some())?)))
                    .collect();
                let display = given
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", v.as_str().unwrap_or_default()))
                    .collect::<Vec<_>>()
                    .join(", ");
                let written = given.iter().map(|(k, v)| msg!("{}: {}", *k, v.quote()));
                Some(PortMapping {
                    span: item.span,
                    display,
                    written: Message::join(written, ", "),
                    host_ip: read("host_ip"),
                    published: read("published"),
                    target: target.as_deref().and_then(PortRange::parse),
                    protocol: read("protocol").unwrap_or_else(|| "tcp".into()),
                    yaml11_integer: false,
                })
            }
            YamlValue::Alias => None,
            YamlValue::Sequence(_) => {
                self.error(item.span, msg!("a port of service `{}` must be a string (`\"127.0.0.1:5432:5432\"`) or a mapping with `target:`; it was not read", service));
                None
            }
        }
    }

    /// One `volumes:` item of a service, short (`src:dst[:mode]`) or long syntax.
    fn mount(&self, item: &YamlNode) -> Option<Mount> {
        match &item.value {
            YamlValue::Scalar(_) => {
                let written = self.string(item)?;
                let rendered = written.rendered();
                let parts: Vec<&str> = rendered.split(':').collect();
                let (source, target, mode) = match parts.as_slice() {
                    [target] => (None, Some(*target), None),
                    [source, target] => (Some(*source), Some(*target), None),
                    [source, target, mode, ..] => (Some(*source), Some(*target), Some(*mode)),
                    [] => return None,
                };
                Some(Mount {
                    span: item.span,
                    source: source.map(str::to_owned),
                    target: target.map(str::to_owned),
                    read_only: mode.is_some_and(|m| m.split(',').any(|o| o == "ro")),
                })
            }
            YamlValue::Mapping(_) => {
                let source = item.get("source").and_then(|n| self.string(n));
                Some(Mount {
                    span: source.as_ref().map_or(item.span, |s| s.span),
                    source: source.map(|s| s.rendered()),
                    target: item
                        .get("target")
                        .and_then(YamlNode::as_str)
                        .map(str::to_owned),
                    read_only: item
                        .get("read_only")
                        .and_then(YamlNode::as_str)
                        .is_some_and(truthy),
                })
            }
            _ => None,
        }
    }
}

/// Reads the short port syntax `[[HOST_IP:]HOST_PORT:]CONTAINER_PORT[/PROTOCOL]` the way
/// Docker does (the last part is the container port, the one before it the host port, the
/// rest the address, `[…]` around IPv6 addresses).
fn short_port(text: &str, span: Span) -> Option<PortMapping> {
    let (mapping, protocol) = text.split_once('/').unwrap_or((text, "tcp"));
    let parts: Vec<&str> = mapping.split(':').collect();
    let n = parts.len();
    let container = parts[n - 1];
    let (host_ip, published) = match n {
        1 => (None, None),
        2 => (None, Some(parts[0])),
        _ => (Some(parts[..n - 2].join(":")), Some(parts[n - 2])),
    };
    let target = PortRange::parse(container);
    if target.is_none() && !container.contains(UNKNOWN) {
        return None;
    }
    Some(PortMapping {
        span,
        display: text.to_owned(),
        written: Quote::derived(span, text).into(),
        host_ip,
        published: published.filter(|p| !p.is_empty()).map(str::to_owned),
        target,
        protocol: protocol.to_owned(),
        yaml11_integer: false,
    })
}

/// YAML 1.1's base-60 integers: `[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+`.
fn is_yaml11_sexagesimal(text: &str) -> bool {
    let mut parts = text.split(':');
    let first = parts.next().unwrap_or("");
    let first = first.trim_start_matches(['-', '+']);
    let head_ok = first.starts_with(|c: char| ('1'..='9').contains(&c))
        && first.chars().all(|c| c.is_ascii_digit() || c == '_');
    let rest: Vec<&str> = parts.collect();
    head_ok
        && !rest.is_empty()
        && rest.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 2
                && p.chars().all(|c| c.is_ascii_digit())
                && (p.len() == 1 || p.as_bytes()[0] <= b'5')
        })
}

impl Format for ComposeFile {
    /// `compose.yaml`, `compose.prod.yml`, `docker-compose.override.yml`; not `composer.yml`.
    fn classify(name: &FileName) -> Option<Classification> {
        let n = name.name.as_str();
        let compose = (n.starts_with("docker-compose") || n.starts_with("compose."))
            && (n.ends_with(".yml") || n.ends_with(".yaml"));
        Classification::certain_if(compose, Target::Compose)
    }

    fn parse(source: &Arc<SourceFile>, cx: &ParseContext) -> Self {
        let mut file = Self::parse(&source.text);
        let dir = source.path.parent().unwrap_or(std::path::Path::new(""));
        let references = file.services.iter_mut().flat_map(|s| &mut s.env_files);
        for reference in references.filter(|r| r.required) {
            let Some(path) = &reference.path else {
                continue;
            };
            let templates = EXAMPLE_MARKERS
                .iter()
                .map(|marker| dir.join(format!("{path}.{marker}")));
            let candidates = std::iter::once(dir.join(path)).chain(templates);
            reference.presence = Presence::of_any(cx.files, candidates);
        }
        file
    }

    fn errors(&self) -> &[ParseError] {
        &self.errors
    }

    fn sensitive(&self, source: &SourceFile) -> Vec<Sensitive> {
        compose_sensitive(self, &source.text, &Shown::everything())
    }

    /// Values and command lines are read only where they touch what is shown.
    fn sensitive_in(&self, source: &SourceFile, shown: &Shown) -> Vec<Sensitive> {
        compose_sensitive(self, &source.text, shown)
    }

    /// The files services name in `env_file:`, read as `.env` files whatever their name
    /// (`config/web.conf`, `secrets.txt`) so the `.env` rules check what the containers
    /// get; a name that says what the file is keeps its kind (`.env.example`).
    fn follow_ups(&self, source: &SourceFile, _: Target) -> Vec<FollowUp> {
        let dir = source.path.parent().unwrap_or(std::path::Path::new(""));
        self.services
            .iter()
            .flat_map(|s| &s.env_files)
            .filter_map(|reference| {
                let path = lexically_normal(&dir.join(reference.path.as_ref()?));
                let name = path.file_name()?.to_str()?.to_ascii_lowercase();
                Some(FollowUp {
                    target: crate::formats::dotenv::env_kind(&name).unwrap_or(Target::Env),
                    path,
                })
            })
            .collect()
    }
}

/// In Compose files: what [`yaml_sensitive`] finds, the literal defaults of secret
/// variables (`${DB_PASSWORD:-changeme}`: `changeme` is masked on its own), secrets on the
/// command lines of `command:`, `entrypoint:` and `healthcheck.test`, string or list
/// (`redis-server --requirepass …`), and what follows a YAML syntax error. Values and
/// command lines are read only where they touch `shown`.
fn compose_sensitive(file: &ComposeFile, text: &str, shown: &Shown) -> Vec<Sensitive> {
    let mut found = yaml_sensitive(&file.yaml, text, shown);
    // Image references (`postgres:16.4-alpine`) can look random, but are never secrets, and
    // the findings about them must show them.
    let images: std::collections::HashSet<Span> = file
        .services
        .iter()
        .filter_map(|service| service.image.as_ref().map(|i| i.span))
        .collect();
    found.retain(|s| !images.contains(&s.span));
    for service in &file.services {
        for var in service.environment.iter().chain(&service.build_args) {
            let Some(value) = var.value.as_ref().filter(|v| shown.touches(v.span)) else {
                continue;
            };
            for (default, range) in value.template().literal_fallbacks() {
                found.extend(assignment_sensitive(
                    &var.name,
                    &default,
                    value.span_of(range),
                ));
            }
        }
        let commands = service.command.iter().chain(&service.healthcheck);
        for command in commands.filter(|c| c.spans().any(|span| shown.touches(span))) {
            found.extend(command.sensitive());
        }
    }
    found.extend(file.yaml.unread_sensitive(text));
    // What the Compose reader could not understand (a scalar where a mapping belongs, a
    // wrong type): whole lines.
    unreadable_lines(&file.errors, text, &mut found);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(text: &str) -> Service {
        let file = ComposeFile::parse(text);
        assert!(file.errors.is_empty(), "{:?}", file.errors);
        file.services.into_iter().next().expect("a service")
    }

    fn ports(list: &str) -> Vec<PortMapping> {
        service(&format!("services:\n  db:\n    ports:\n{list}")).ports
    }

    #[test]
    fn every_short_port_form_is_read_like_docker() {
        let p = ports("      - \"5432\"\n      - \"5432:5432\"\n      - \"127.0.0.1:5432:5432\"\n      - \"[::1]:5432:5432\"\n      - \"9000-9005:9000-9005\"\n      - \"53:53/udp\"\n      - 6379\n      - \"127.0.0.1::5000\"\n      - \"0.0.0.0:80:80\"\n      - \"${DB_PORT}:5432\"\n      - \"${BIND:-127.0.0.1}:6379:6379\"\n");
        type Summary<'a> = (Option<&'a str>, Option<&'a str>, u16, &'a str, bool);
        let summary: Vec<Summary> = p
            .iter()
            .map(|p| {
                (
                    p.host_ip.as_deref(),
                    p.published.as_deref(),
                    p.target.unwrap().start,
                    p.protocol.as_str(),
                    p.binding() == Binding::AllInterfaces,
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (None, None, 5432, "tcp", true),
                (None, Some("5432"), 5432, "tcp", true),
                (Some("127.0.0.1"), Some("5432"), 5432, "tcp", false),
                (Some("[::1]"), Some("5432"), 5432, "tcp", false),
                (None, Some("9000-9005"), 9000, "tcp", true),
                (None, Some("53"), 53, "udp", true),
                (None, None, 6379, "tcp", true),
                (Some("127.0.0.1"), None, 5000, "tcp", false),
                (Some("0.0.0.0"), Some("80"), 80, "tcp", true),
                (None, Some(UNKNOWN), 5432, "tcp", true),
                (Some("127.0.0.1"), Some("6379"), 6379, "tcp", false),
            ]
        );
        assert!(p[4].target.unwrap().contains(9005));
        let bindings: Vec<Binding> = ports("      - \"203.0.113.7:5432:5432\"\n      - \"10.0.0.5:5432:5432\"\n      - \"[fd00::1]:5432:5432\"\n      - \"[2001:db8::1]:5432:5432\"\n      - \"${IP}:5432:5432\"\n")
            .iter()
            .map(PortMapping::binding)
            .collect();
        assert_eq!(
            bindings,
            vec![
                Binding::PublicAddress,
                Binding::Internal,
                Binding::Internal,
                Binding::PublicAddress,
                Binding::Unknown
            ]
        );
    }

    #[test]
    fn long_port_syntax_and_its_address_are_read() {
        let p = ports("      - target: 5432\n        published: \"5432\"\n        host_ip: 127.0.0.1\n      - target: 6379\n        published: 6379\n        protocol: tcp\n        mode: host\n");
        assert_eq!(p[0].binding(), Binding::Internal);
        assert_eq!(p[1].binding(), Binding::AllInterfaces);
        assert_eq!(
            p[1].target,
            Some(PortRange {
                start: 6379,
                end: 6379
            })
        );
    }

    #[test]
    fn unquoted_base_60_port_pairs_are_recognised_and_read_as_text() {
        let p = ports("      - 22:22\n      - \"22:22\"\n      - 8080:80\n      - 2222:22\n");
        assert_eq!(p[0].target.unwrap().start, 22);
        let trap: Vec<bool> = p.iter().map(|p| p.yaml11_integer).collect();
        assert_eq!(trap, vec![true, false, false, true]);
    }

    #[test]
    fn environment_in_both_forms_with_shell_pass_through() {
        let text = "services:\n  a:\n    environment:\n      A: \"1\"\n      B:\n      C: ~\n  b:\n    environment:\n      - D=x=y\n      - E\n";
        let file = ComposeFile::parse(text);
        let a = &file.services[0].environment;
        assert_eq!(a[0].value.as_ref().unwrap().text, "1");
        assert!(a[1].value.is_none() && a[2].value.is_none());
        let b = &file.services[1].environment;
        let d = b[0].value.as_ref().unwrap();
        assert_eq!(d.text, "x=y");
        assert_eq!(&text[d.span.range()], "x=y");
        assert_eq!(&text[b[0].name_span.range()], "D");
        assert!(b[1].value.is_none());
    }

    #[test]
    fn env_files_in_every_form() {
        let s = service("services:\n  a:\n    env_file:\n      - ./a.env\n      - path: ./b.env\n        required: false\n      - ${STAGE:-prod}.env\n");
        let files: Vec<(Option<&str>, bool)> = s
            .env_files
            .iter()
            .map(|f| (f.path.as_deref(), f.required))
            .collect();
        assert_eq!(
            files,
            vec![
                (Some("./a.env"), true),
                (Some("./b.env"), false),
                (Some("prod.env"), true)
            ]
        );
        let single = service("services:\n  a:\n    env_file: .env\n");
        assert_eq!(single.env_files[0].path.as_deref(), Some(".env"));
    }

    #[test]
    fn mounts_short_and_long() {
        let s = service("services:\n  a:\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock:ro\n      - data:/data\n      - type: bind\n        source: /run/docker.sock\n        target: /sock\n        read_only: true\n");
        assert_eq!(s.volumes[0].source.as_deref(), Some("/var/run/docker.sock"));
        assert!(s.volumes[0].read_only);
        assert_eq!(s.volumes[1].source.as_deref(), Some("data"));
        assert_eq!(s.volumes[2].source.as_deref(), Some("/run/docker.sock"));
        assert!(s.volumes[2].read_only);
    }

    #[test]
    fn wrong_types_are_located_errors_and_the_rest_is_read() {
        let text = "services:\n  db:\n    image: postgres:16\n    ports: 5432\n    environment: 3\n    privileged: [true]\n";
        let file = ComposeFile::parse(text);
        let at: Vec<&str> = file.errors.iter().map(|e| &text[e.span.range()]).collect();
        assert_eq!(at, vec!["5432", "3", "[true]"]);
        assert_eq!(file.services[0].image.as_ref().unwrap().text, "postgres:16");
        let not_a_mapping = ComposeFile::parse("- a\n- b\n");
        assert_eq!(not_a_mapping.errors.len(), 1);
    }

    #[test]
    fn merge_keys_are_read_own_keys_win_and_jobs_are_one_shot() {
        let text = "x-common: &common\n  restart: always\n  image: base:1\nservices:\n  web:\n    <<: *common\n    image: app:1\n    depends_on:\n      migrate:\n        condition: service_completed_successfully\n  migrate:\n    image: app:1\n  broken:\n    <<: *nowhere\n";
        let file = ComposeFile::parse(text);
        let web = &file.services[0];
        assert!(!web.incomplete);
        assert_eq!(web.restart.as_ref().unwrap().text, "always");
        assert_eq!(web.image.as_ref().unwrap().text, "app:1");
        assert!(file.services[1].one_shot && !web.one_shot);
        assert!(file.services[2].incomplete);
    }

    #[test]
    fn merges_of_merges_and_merges_inside_environment_are_read() {
        let text = "x-a: &a
  restart: unless-stopped
  environment: &env
    TZ: UTC
x-e: &e {<<: *a, image: app:1}
services:
  web:
    <<: *e
    environment:
      <<: *env
      MODE: prod
";
        let file = ComposeFile::parse(text);
        assert!(file.errors.is_empty(), "{:?}", file.errors);
        let web = &file.services[0];
        assert!(!web.incomplete);
        assert_eq!(web.restart.as_ref().unwrap().text, "unless-stopped");
        assert_eq!(web.image.as_ref().unwrap().text, "app:1");
        let names: Vec<&str> = web.environment.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["TZ", "MODE"]);
    }
}
