//! Keeping secret values out of every output.
//!
//! Documents name the byte ranges that hold secrets; the engine masks those ranges in code
//! frames and scrubs their text from messages, whatever a rule wrote. Reporters therefore
//! never receive a secret, in any format.

use crate::formats::crontab::Crontab;
use crate::formats::dotenv::EnvFile;
use crate::formats::javascript::{JsModule, PackageJson};
use crate::formats::kubernetes::{self, Manifests};
use crate::formats::nginx::NginxConfig;
use crate::formats::postgres::PgConf;
use crate::formats::python_settings::SettingsModule;
use crate::formats::redis::RedisConf;
use crate::formats::shell::simple_commands;
use crate::formats::systemd::UnitFile;
use crate::formats::yaml::{YamlFile, YamlNode, YamlValue};
use crate::formats::ParseError;
use crate::secrets::{looks_like_token, parse_url, secret_kind};
use crate::source::Span;

/// A secret in a document: where it is written, and its value as the application sees it
/// (which differs from the written text when escapes were used).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sensitive {
    /// The written form, to mask in code frames.
    pub span: Span,
    /// The value, to scrub from messages.
    pub value: String,
}

/// Values of secret-like keys, passwords inside URLs, and values that look like generated
/// credentials whatever their key is called.
pub fn env_sensitive(env: &EnvFile, text: &str) -> Vec<Sensitive> {
    let mut found = Vec::new();
    for entry in &env.entries {
        let Some(value) = &entry.value else { continue };
        found.extend(assignment_sensitive(
            &entry.key,
            &value.text,
            value.inner_span,
        ));
    }
    unreadable_lines(&env.errors, text, &mut found);
    found
}

/// A line a parser could not read may still hold a secret: keep the leading word visible
/// (it is usually the key) and hide the rest.
fn unreadable_lines(errors: &[ParseError], text: &str, found: &mut Vec<Sensitive>) {
    for error in errors {
        let written = text.get(error.span.range()).unwrap_or("");
        let cut = written
            .find(|c: char| c == '=' || c == ':' || c.is_whitespace())
            .unwrap_or(0);
        let span = Span::new(error.span.start + cut, error.span.end);
        found.push(Sensitive {
            span,
            value: text.get(span.range()).unwrap_or("").trim().to_owned(),
        });
    }
}

/// The secret in a `NAME=value` assignment, wherever it is written (a `.env` line, a
/// unit's `Environment=`, a crontab variable, a Compose `environment:` entry): the whole
/// value of a secret-like name or of a value that looks like a generated credential, else
/// the password inside a connection URL. `span` is where the value is written; when that
/// differs from `value` (quotes, escapes) a URL password is masked with the whole value.
pub fn assignment_sensitive(name: &str, value: &str, span: Span) -> Option<Sensitive> {
    if value.is_empty() {
        return None;
    }
    if secret_kind(name).is_some() || looks_like_token(value) {
        return Some(Sensitive {
            span,
            value: value.to_owned(),
        });
    }
    let (password, range) = parse_url(value)?.password?;
    let span = if span.len() == value.len() {
        Span::new(span.start + range.start, span.start + range.end)
    } else {
        span
    };
    Some(Sensitive {
        span,
        value: password.to_owned(),
    })
}

/// Secrets on a command line: `NAME=value` prefixes (`PGPASSWORD=…`), password options
/// (`--password=…`, mysql's glued `-p…`, `redis-cli -a …`), URLs with passwords and
/// token-like words. `locate` turns a byte range of `line` into a file span.
pub fn command_sensitive(line: &str, locate: &dyn Fn(usize, usize) -> Span) -> Vec<Sensitive> {
    let mut found = Vec::new();
    for words in simple_commands(line) {
        let runs = |prefix: &str| {
            words
                .iter()
                .any(|w| w.text.rsplit('/').next().unwrap_or("").starts_with(prefix))
        };
        let mysql = runs("mysql") || runs("mariadb");
        let redis = runs("redis-cli");
        for (i, word) in words.iter().enumerate() {
            let written = &line[word.range.clone()];
            let exact = written == word.text;
            // The part of the word after `skip` bytes, located exactly when written plainly.
            let mut push = |skip: usize, name: &str| {
                let value = &word.text[skip.min(word.text.len())..];
                let span = if exact {
                    locate(word.range.start + skip, word.range.end)
                } else {
                    locate(word.range.start, word.range.end)
                };
                found.extend(assignment_sensitive(name, value, span));
            };
            let text = word.text.as_str();
            if let Some((name, _)) = text.split_once('=') {
                let option = name.trim_start_matches('-');
                if !name.is_empty() && !name.contains(['/', ' ']) {
                    push(name.len() + 1, option);
                    continue;
                }
            }
            if mysql && text.len() > 2 && text.starts_with("-p") {
                push(2, "password");
            } else if i > 0
                && (redis && words[i - 1].text == "-a" || password_option(&words[i - 1].text))
            {
                push(0, "password");
            } else {
                push(0, "");
            }
        }
    }
    found
}

/// Options whose next word is a password: `--password X`, `--token X`, and the Redis
/// server's `--requirepass X` and `--masterauth X` (`redis-server --requirepass …` in S3/S4
/// Compose files and unit files).
fn password_option(word: &str) -> bool {
    let Some(name) = word.strip_prefix("--") else {
        return false;
    };
    matches!(name, "requirepass" | "masterauth") || secret_kind(name).is_some()
}

/// In unit files: `Environment=` values and secrets on `Exec*=` command lines.
pub fn systemd_sensitive(unit: &UnitFile, text: &str) -> Vec<Sensitive> {
    let mut found: Vec<Sensitive> = unit
        .environment()
        .into_iter()
        .filter_map(|var| assignment_sensitive(&var.name, &var.value, var.value_span))
        .collect();
    for section in &unit.sections {
        for entry in section.entries.iter().filter(|e| e.key.starts_with("Exec")) {
            found.extend(command_sensitive(&entry.value, &|start, end| {
                entry.file_span(start, end)
            }));
        }
    }
    unreadable_lines(&unit.errors, text, &mut found);
    found
}

/// In crontabs: secret variables and secrets on job command lines.
pub fn cron_sensitive(crontab: &Crontab, text: &str) -> Vec<Sensitive> {
    let mut found: Vec<Sensitive> = crontab
        .variables
        .iter()
        .filter_map(|var| assignment_sensitive(&var.name, &var.value, var.value_span))
        .collect();
    for job in &crontab.jobs {
        let written = &text[job.command_span.range()];
        let base = job.command_span.start;
        // `\%` unescaped: positions no longer line up, so the command is masked whole.
        let whole = job.command_span;
        found.extend(if written == job.command {
            command_sensitive(&job.command, &|start, end| {
                Span::new(base + start, base + end)
            })
        } else {
            command_sensitive(&job.command, &|_, _| whole)
        });
    }
    unreadable_lines(&crontab.errors, text, &mut found);
    found
}

/// In YAML (Compose files): `KEY: value` pairs and `- KEY=value` list items whose key is
/// secret-like, URL passwords and token-like scalars.
pub fn yaml_sensitive(yaml: &YamlFile, text: &str) -> Vec<Sensitive> {
    let mut found = Vec::new();
    let mut stack: Vec<&YamlNode> = yaml.documents.iter().collect();
    while let Some(node) = stack.pop() {
        match &node.value {
            YamlValue::Mapping(entries) => {
                for (key, value) in entries {
                    match (key.as_str(), value.as_str()) {
                        (Some(name), Some(text)) => {
                            found.extend(assignment_sensitive(name, text, value.span));
                        }
                        _ => stack.push(value),
                    }
                }
            }
            YamlValue::Sequence(items) => stack.extend(items),
            YamlValue::Scalar(text) => {
                let (name, value) = text.split_once('=').unwrap_or(("", text));
                let skip = if value.len() == text.len() {
                    0
                } else {
                    name.len() + 1
                };
                let span = if node.span.len() == text.len() {
                    Span::new(node.span.start + skip, node.span.end)
                } else {
                    node.span
                };
                found.extend(assignment_sensitive(name, value, span));
            }
            YamlValue::Alias => {}
        }
    }
    unreadable_lines(&yaml.errors, text, &mut found);
    found
}

/// Keys whose values in a manifest name things rather than hold them: `secretKeyRef: {name:
/// db, key: password}` names a Secret's entry, and image references are long and random-
/// looking without being secrets.
const KUBERNETES_NAMING_KEYS: &[&str] = &["key", "name", "image", "secretName", "claimName"];

/// Values no secret is made of: API fields such as `automountServiceAccountToken: false` or
/// `tokenExpirationSeconds: 3600` have secret-like names, and scrubbing `false` or a number
/// from every message would only garble them.
fn is_plain_setting(value: &str) -> bool {
    matches!(value, "true" | "false" | "null" | "~") || value.chars().all(|c| c.is_ascii_digit())
}

/// In Kubernetes manifests: every value of a Secret's `data` (encoded and decoded) and
/// `stringData`, `env[].value`s of secret-like names, values of secret-like keys elsewhere
/// (a ConfigMap's `DB_PASSWORD`), token-like values and passwords inside URLs.
pub fn kubernetes_sensitive(manifests: &Manifests, text: &str) -> Vec<Sensitive> {
    let mut found = Vec::new();
    let mut stack: Vec<&YamlNode> = manifests.yaml.documents.iter().collect();
    while let Some(node) = stack.pop() {
        match &node.value {
            YamlValue::Mapping(entries) => {
                for (key, value) in entries {
                    match (key.as_str(), value.as_str()) {
                        (Some(name), _) if KUBERNETES_NAMING_KEYS.contains(&name) => {}
                        (_, Some(text)) if is_plain_setting(text) => {}
                        (Some(name), Some(text)) => {
                            found.extend(assignment_sensitive(name, text, value.span));
                        }
                        _ => stack.push(value),
                    }
                }
            }
            YamlValue::Sequence(items) => stack.extend(items),
            YamlValue::Scalar(text) => found.extend(assignment_sensitive("", text, node.span)),
            YamlValue::Alias => {}
        }
    }
    for object in &manifests.objects {
        for (_, plain, written) in kubernetes::secret_values(object) {
            if let Some(encoded) = written.as_str().filter(|e| *e != plain && !e.is_empty()) {
                found.push(Sensitive {
                    span: written.span,
                    value: encoded.to_owned(),
                });
            }
            if !plain.is_empty() {
                found.push(Sensitive {
                    span: written.span,
                    value: plain,
                });
            }
        }
        let containers = object.pod.iter().flat_map(|p| &p.containers);
        for (name, value) in containers.flat_map(kubernetes::literal_env) {
            let text = value.as_str().unwrap_or_default();
            found.extend(assignment_sensitive(name, text, value.span));
        }
    }
    unreadable_lines(&manifests.errors, text, &mut found);
    found
}

/// Header names whose values are credentials.
const CREDENTIAL_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-api-key",
    "x-auth-token",
];

/// In nginx files: values of credential headers set with `proxy_set_header`/`add_header`/
/// `more_set_headers`/`grpc_set_header`, and any argument that looks like a generated token.
pub fn nginx_sensitive(config: &NginxConfig) -> Vec<Sensitive> {
    let mut found = Vec::new();
    for (_, directive) in config.walk() {
        let sets_header = matches!(
            directive.name.as_str(),
            "proxy_set_header"
                | "add_header"
                | "grpc_set_header"
                | "more_set_headers"
                | "more_set_input_headers"
        );
        for (i, arg) in directive.args.iter().enumerate() {
            let credential_header = sets_header
                && i == 1
                && CREDENTIAL_HEADERS.contains(
                    &directive.args[0]
                        .value
                        .to_ascii_lowercase()
                        .trim_end_matches(':'),
                );
            if credential_header || looks_like_token(&arg.value) {
                found.push(Sensitive {
                    span: arg.span,
                    value: arg.value.clone(),
                });
            }
        }
    }
    found
}

/// Redis directives whose arguments are credentials: the server password, the password a
/// replica uses, and the TLS key passphrase.
const REDIS_SECRET_DIRECTIVES: &[&str] = &[
    "requirepass",
    "masterauth",
    "tls-key-file-pass",
    "tls-client-key-file-pass",
];

/// In `redis.conf`: the values of [`REDIS_SECRET_DIRECTIVES`], `>password` and `#hash`
/// rules of ACL `user` lines, the new names of renamed commands (a secret name is the only
/// thing guarding the command), and unreadable lines (which may be a broken `requirepass`).
pub fn redis_sensitive(conf: &RedisConf) -> Vec<Sensitive> {
    let mut found = Vec::new();
    let mut push = |arg: &crate::formats::redis::RedisArg, value: &str| {
        if !value.is_empty() {
            found.push(Sensitive {
                span: arg.span,
                value: value.to_owned(),
            });
        }
    };
    for directive in &conf.directives {
        match directive.name.as_str() {
            name if REDIS_SECRET_DIRECTIVES.contains(&name) => {
                for arg in &directive.args {
                    push(arg, &arg.value);
                }
            }
            "user" => {
                for arg in directive.args.iter().skip(1) {
                    if let Some(secret) = arg.value.strip_prefix(['>', '<', '#', '!']) {
                        push(arg, secret);
                    }
                }
            }
            "rename-command" => {
                if let Some(arg) = directive.args.get(1) {
                    push(arg, &arg.value);
                }
            }
            _ => {}
        }
    }
    for error in &conf.errors {
        found.push(Sensitive {
            span: error.span,
            value: String::new(),
        });
    }
    found
}

/// In `postgresql.conf`: the `password=` part of connection strings
/// (`primary_conninfo = 'host=… password=…'`, as the S3 guide writes it), and unreadable
/// lines that mention one.
pub fn postgres_sensitive(conf: &PgConf, text: &str) -> Vec<Sensitive> {
    let mut found: Vec<Sensitive> = conf
        .errors
        .iter()
        .filter(|e| {
            text.get(e.span.range())
                .is_some_and(|t| t.contains("password"))
        })
        .map(|e| Sensitive {
            span: e.span,
            value: String::new(),
        })
        .collect();
    for setting in conf
        .settings
        .iter()
        .filter(|s| s.name.ends_with("conninfo"))
    {
        for word in setting.value.split_whitespace() {
            if let Some(password) = word.strip_prefix("password=") {
                let password = password.trim_matches('\'').to_owned();
                if !password.is_empty() {
                    found.push(Sensitive {
                        span: setting.value_span,
                        value: password,
                    });
                }
            }
        }
    }
    found
}

/// Replaces every character inside `spans` (absolute offsets) of `text` (which starts at
/// absolute offset `base`) with `*`, keeping line breaks so the frame keeps its shape.
pub fn mask(text: &str, base: usize, spans: &[Span]) -> String {
    text.char_indices()
        .map(|(i, c)| {
            let at = base + i;
            if c != '\n' && spans.iter().any(|s| s.start <= at && at < s.end) {
                '*'
            } else {
                c
            }
        })
        .collect()
}

/// Removes a file's secrets from text, wherever they occur. Built once per file; a file
/// holds a handful of secrets, so a sorted list beats building an automaton.
#[derive(Debug, Default)]
pub struct Scrubber {
    /// Secrets with their length in characters, longest first so that a secret containing
    /// another is replaced whole.
    secrets: Vec<(String, usize)>,
}

impl Scrubber {
    /// A scrubber for `secrets`. Secrets shorter than 3 characters cannot be scrubbed without
    /// destroying the text and say nothing anyway.
    pub fn new(secrets: Vec<String>) -> Self {
        let mut secrets: Vec<(String, usize)> = secrets
            .into_iter()
            .map(|s| {
                let len = s.chars().count();
                (s, len)
            })
            .filter(|(_, len)| *len >= 3)
            .collect();
        secrets.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        secrets.dedup();
        Self { secrets }
    }

    /// Replaces each secret in a message by `[redacted]`.
    pub fn scrub(&self, text: &str) -> String {
        self.replace(text, |_| "[redacted]".to_owned())
    }

    /// Replaces each secret in a snippet by as many `*` as it has characters, so columns
    /// still line up (a secret repeated in a comment, say).
    pub fn mask(&self, text: &str) -> String {
        self.replace(text, |len| "*".repeat(len))
    }

    fn replace(&self, text: &str, with: impl Fn(usize) -> String) -> String {
        let mut out = text.to_owned();
        for (secret, len) in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), &with(*len));
            }
        }
        out
    }
}

/// A hint that identifies a secret without revealing it: its length, and for long values
/// the first two characters.
pub fn hint(value: &str) -> String {
    let len = value.chars().count();
    if len >= 16 {
        let head: String = value.chars().take(2).collect();
        format!("`{head}…` ({len} chars)")
    } else {
        format!("({len} chars)")
    }
}

/// In Django settings: string literals under secret-like settings (`SECRET_KEY`,
/// `SECRET_KEY_FALLBACKS`) and secret-like dict keys (`DATABASES[…]["PASSWORD"]`), and any
/// literal that looks like a generated credential.
pub fn django_sensitive(module: &SettingsModule) -> Vec<Sensitive> {
    module
        .secret_literals
        .iter()
        .map(|(span, value)| Sensitive {
            span: *span,
            value: value.clone(),
        })
        .collect()
}

/// In Dockerfiles: `ENV` values and `ARG` defaults under secret names (or that look like
/// credentials), secrets on `RUN` command lines and in `RUN` heredoc scripts, and whatever
/// follows an instruction BuildKit does not know (a stray `DB_PASSWORD=…` line).
pub fn dockerfile_sensitive(file: &crate::formats::dockerfile::Dockerfile) -> Vec<Sensitive> {
    use crate::formats::dockerfile::INSTRUCTIONS;
    let mut found = Vec::new();
    for instruction in &file.instructions {
        for pair in &instruction.pairs {
            if let (Some(value), Some(span)) = (&pair.value, pair.value_span) {
                found.extend(assignment_sensitive(&pair.key, value, span));
            }
        }
        if instruction.keyword == "RUN" {
            if let Some(line) = instruction.shell() {
                found.extend(command_sensitive(line, &|start, end| {
                    instruction.shell_span(start, end)
                }));
            }
            for heredoc in &instruction.heredocs {
                let mut at = 0;
                for line in heredoc.body.split('\n') {
                    let base = at;
                    found.extend(command_sensitive(line, &|start, end| {
                        heredoc.file_span(base + start, base + end)
                    }));
                    at += line.len() + 1;
                }
            }
        }
        if !INSTRUCTIONS.contains(&instruction.keyword.as_str()) {
            // Not an instruction: a stray `NAME=value` or `NAME value` line, judged as an
            // assignment so a secret in it is masked like any other.
            let written = instruction.span;
            let keyword = instruction.keyword_span;
            let rest = instruction.arguments_span();
            found.extend(match file_text_split(instruction) {
                Some((name, value, at)) => {
                    assignment_sensitive(&name, &value, Span::new(keyword.start + at, written.end))
                }
                None => {
                    let value: Vec<&str> =
                        instruction.words.iter().map(|w| w.text.as_str()).collect();
                    assignment_sensitive(&instruction.keyword, &value.join(" "), rest)
                }
            });
        }
    }
    found
}

/// A keyword written as `NAME=value…`: the name, the value (with the rest of the line) and
/// the value's offset from the keyword's start.
fn file_text_split(
    instruction: &crate::formats::dockerfile::Instruction,
) -> Option<(String, String, usize)> {
    let first = instruction.keyword_written();
    let (name, value) = first.split_once('=')?;
    let mut whole = value.to_owned();
    for word in &instruction.words {
        whole.push(' ');
        whole.push_str(&word.text);
    }
    Some((name.to_owned(), whole.trim().to_owned(), name.len() + 1))
}

/// In JavaScript/TypeScript (PM2 files, server files): string literals given to a secret
/// ([`crate::secrets::js_secret_kind`]: `secret: '…'`, `jwt.sign(p, '…')`, the default of
/// `process.env.JWT_SECRET || '…'`) and literals that look like generated credentials.
pub fn javascript_sensitive(module: &JsModule) -> Vec<Sensitive> {
    module
        .strings
        .iter()
        .filter(|s| !s.value.is_empty())
        .filter(|s| crate::secrets::js_secret_kind(&s.name).is_some() || looks_like_token(&s.value))
        .map(|s| Sensitive {
            span: s.span,
            value: s.value.clone(),
        })
        .collect()
}

/// In `package.json`: secrets on script command lines (`JWT_SECRET=… node server.js`,
/// URLs with passwords), as on any command line.
pub fn package_json_sensitive(package: &PackageJson, text: &str) -> Vec<Sensitive> {
    let mut found = Vec::new();
    for script in &package.scripts {
        let Some(command) = script.value.as_str() else {
            continue;
        };
        let span = script.value.span;
        // Offsets map one to one when the literal has no escapes; otherwise mask it whole.
        let exact = text.get(span.range()).map(str::len) == Some(command.len() + 2);
        let locate = |start: usize, end: usize| {
            if exact {
                Span::new(span.start + 1 + start, span.start + 1 + end)
            } else {
                span
            }
        };
        found.extend(command_sensitive(command, &locate));
    }
    found
}

/// In host state from a live snapshot: secrets on process command lines (as in crontabs)
/// and private-key blocks in certificate files. Other command output holds addresses,
/// names and times, not credentials.
pub fn host_output_sensitive(
    output: &crate::formats::host::HostOutput,
    source: &crate::source::SourceFile,
) -> Vec<Sensitive> {
    use crate::formats::host::HostOutput;
    match output {
        HostOutput::Processes(list) => list
            .processes
            .iter()
            .flat_map(|p| {
                let base = p.args_span.start;
                command_sensitive(&p.args, &|from, to| Span::new(base + from, base + to))
            })
            .collect(),
        HostOutput::Certificate(file) => file
            .private_keys
            .iter()
            .map(|&span| Sensitive {
                span,
                value: source.slice(span).to_owned(),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// In Compose files: what [`yaml_sensitive`] finds, the literal defaults of secret
/// variables (`${DB_PASSWORD:-changeme}`: `changeme` is scrubbed from messages on its own),
/// and secrets on `command:`/`entrypoint:` lines (`redis-server --requirepass …`).
pub fn compose_sensitive(
    file: &crate::formats::compose::ComposeFile,
    text: &str,
) -> Vec<Sensitive> {
    let mut found = yaml_sensitive(&file.yaml, text);
    // Image references (`postgres:16.4-alpine`) can look random, but are never secrets, and
    // the findings about them must show them.
    found.retain(|s| {
        !file
            .services
            .iter()
            .any(|service| service.image.as_ref().is_some_and(|i| i.span == s.span))
    });
    for service in &file.services {
        for var in service.environment.iter().chain(&service.build_args) {
            let Some(value) = &var.value else { continue };
            for (default, range) in value.template().literal_fallbacks() {
                found.extend(assignment_sensitive(
                    &var.name,
                    &default,
                    value.span_of(range),
                ));
            }
        }
        for command in &service.command {
            found.extend(command_sensitive(&command.text, &|start, end| {
                command.span_of(start..end)
            }));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_secret_keys_url_passwords_and_tokens_only() {
        let text = "JWT_SECRET=abcdef\nNODE_ENV=production\nDATABASE_URL=postgres://u:pw123@h/db\nX=sk_live_51HxYz9Kq2Lm8Np4Rt\n";
        let env = EnvFile::parse(text);
        let spans: Vec<Span> = env_sensitive(&env, text)
            .into_iter()
            .map(|s| s.span)
            .collect();
        let masked = mask(text, 0, &spans);
        assert_eq!(
            masked,
            "JWT_SECRET=******\nNODE_ENV=production\nDATABASE_URL=postgres://u:*****@h/db\nX=**************************\n"
        );
    }

    #[test]
    fn scrubber_replaces_secrets_longest_first() {
        let scrubber = Scrubber::new(vec!["hunter2".into(), "hunter2hunter2".into(), "ab".into()]);
        assert_eq!(
            scrubber.scrub("ab hunter2hunter2 hunter2!"),
            "ab [redacted] [redacted]!"
        );
        assert_eq!(scrubber.mask("x=hunter2"), "x=*******");
    }
}
