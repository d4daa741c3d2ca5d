//! BAK001: a project that runs a database but backs it up nowhere. One finding per scan,
//! not per file: the question is about the deployment as a whole.

use std::collections::HashSet;
use std::path::Path;

use crate::backup::recognise;
use crate::document::{Content, Document};
use crate::formats::dbconf::{DatabaseConfigFile, DatabaseEngine};
use crate::formats::systemd::UnitKind;
use crate::formats::yaml::YamlNode;
use crate::formats::Target;
use crate::message::{Message, Quote};
use crate::msg;
use crate::rules::backup::jobs;
use crate::rules::{FactsContext, ScanFacts};
use crate::secrets::parse_url;
use crate::source::{FileRef, Span};

/// A place that says the deployment runs a database.
struct Database {
    source: FileRef,
    span: Span,
    engine: DatabaseEngine,
    /// How the message names it (`the Compose service \`db\` (postgres:16)`).
    label: Message,
    /// The Compose service's name, for `docker compose exec` in the suggested job.
    service: Option<Quote>,
}

/// `services:` of a Compose file, as `(name, where the name is written, service)`.
fn compose_services(doc: &Document) -> Vec<(&str, Span, &YamlNode)> {
    let Some(yaml) = doc.as_compose() else {
        return Vec::new();
    };
    yaml.documents
        .iter()
        .filter_map(|d| d.get("services"))
        .flat_map(|s| s.entries())
        .filter_map(|(k, v)| Some((k.as_str()?, k.span, v)))
        .collect()
}

/// A Compose service that runs backups: a backup image (`prodrigestivill/postgres-backup-
/// local`, `offen/docker-volume-backup`) or a command that is a backup job.
fn compose_backs_up(doc: &Document) -> bool {
    compose_services(doc).iter().any(|(_, _, service)| {
        let image_is_backup = service
            .get("image")
            .and_then(YamlNode::as_str)
            .is_some_and(|i| i.to_ascii_lowercase().contains("backup"));
        let command_is_backup = ["command", "entrypoint"].iter().any(|key| {
            service.get(key).is_some_and(|c| {
                let line = match c.as_str() {
                    Some(line) => line.to_owned(),
                    None => c
                        .items()
                        .iter()
                        .filter_map(YamlNode::as_str)
                        .collect::<Vec<_>>()
                        .join(" "),
                };
                recognise(&line).is_some()
            })
        });
        image_is_backup || command_is_backup
    })
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_owned()
}

/// The service a timer starts: its `[Timer]` `Unit=`, or the timer's own name.
fn timed_service(doc: &Document) -> Option<String> {
    let unit = doc.as_systemd()?;
    if unit.kind != UnitKind::Timer {
        return None;
    }
    match unit.last("Timer", "Unit") {
        Some(entry) => Some(entry.value.clone()),
        None => {
            let stem = doc.source.path.file_stem()?.to_str()?;
            Some(format!("{stem}.service"))
        }
    }
}

/// A Kubernetes CronJob whose container runs a backup job (its `command` and `args`
/// joined as the shell would see them, `sh -c "…"` included).
fn kubernetes_backs_up(doc: &Document) -> bool {
    let Some(manifests) = doc.as_kubernetes() else {
        return false;
    };
    manifests
        .objects
        .iter()
        .filter(|o| o.kind == "CronJob")
        .flat_map(|o| o.pod.iter().flat_map(|p| &p.containers))
        .any(|container| {
            let words: Vec<&str> = ["command", "args"]
                .iter()
                .filter_map(|k| container.node.get(k))
                .flat_map(|v| match v.as_str() {
                    Some(line) => vec![line],
                    None => v.items().iter().filter_map(YamlNode::as_str).collect(),
                })
                .collect();
            recognise(&words.join(" ")).is_some() || words.iter().any(|w| recognise(w).is_some())
        })
}

/// Databases named by a deployed `.env`: a `DATABASE_URL` to this host or a Compose
/// service (`localhost`, `db`), or the official images' `POSTGRES_*`/`MYSQL_*`/`MARIADB_*`/
/// `MONGO_INITDB_*` variables when no database URL points elsewhere.
fn env_databases(doc: &Document, file: &dyn Fn() -> FileRef) -> Vec<Database> {
    let Some(env) = doc.as_env() else {
        return Vec::new();
    };
    if doc.target != Target::Env {
        return Vec::new();
    }
    // A database URL to another host says the database runs elsewhere (and is backed up
    // there); the official images' variables then only configure the client.
    let remote = env.effective_entries().any(|entry| {
        let key = entry.key.to_ascii_uppercase();
        (key.ends_with("DATABASE_URL") || key.ends_with("DB_URL"))
            && entry
                .value
                .as_ref()
                .and_then(|v| parse_url(&v.text))
                .is_some_and(|url| !url.host_is_local())
    });
    let mut found = Vec::new();
    for entry in env.effective_entries() {
        let Some(value) = entry.value.as_ref().filter(|v| !v.text.is_empty()) else {
            continue;
        };
        let key = entry.key.to_ascii_uppercase();
        let engine = if key.ends_with("DATABASE_URL") || key.ends_with("DB_URL") {
            parse_url(&value.text)
                .filter(|url| url.host_is_local())
                .and_then(|url| DatabaseEngine::from_url_scheme(&url.scheme))
                .filter(|e| *e != DatabaseEngine::Redis)
        } else if remote {
            None
        } else if key.starts_with("POSTGRES_") {
            Some(DatabaseEngine::Postgres)
        } else if key.starts_with("MYSQL_") || key.starts_with("MARIADB_") {
            Some(DatabaseEngine::Mysql)
        } else if key.starts_with("MONGO_INITDB_") {
            Some(DatabaseEngine::Mongo)
        } else {
            None
        };
        if let Some(engine) = engine {
            let file = file();
            found.push(Database {
                span: entry.key_span,
                engine,
                label: msg!(
                    "`{}` in `{}`",
                    Quote::derived_in(&file, entry.key_span, entry.key.as_str()),
                    &file
                ),
                source: file,
                service: None,
            });
        }
    }
    found
}

/// A database server's own configuration file: the analyzed `postgresql.conf` and
/// `redis.conf`, or another engine's file that is only recognised (`my.cnf`, `mongod.conf`).
fn server_config(doc: &Document) -> Option<DatabaseConfigFile> {
    let engine = match &doc.content {
        Content::Postgres(_) => DatabaseEngine::Postgres,
        Content::Redis(_) => DatabaseEngine::Redis,
        _ => doc.as_database_config()?.engine,
    };
    Some(DatabaseConfigFile::parse(&doc.source.text, engine))
}

/// The Compose services of `doc` that run a database image.
fn compose_databases(doc: &Document, file: &dyn Fn() -> FileRef) -> Vec<Database> {
    let mut found = Vec::new();
    for (name, name_span, service) in compose_services(doc) {
        let Some(image) = service.get("image") else {
            continue;
        };
        let Some(engine) = image.as_str().and_then(DatabaseEngine::from_image) else {
            continue;
        };
        let file = file();
        let name = Quote::derived_in(&file, name_span, name);
        found.push(Database {
            span: image.span,
            engine,
            label: msg!(
                "the Compose service `{}` (`{}`)",
                &name,
                Quote::derived_in(&file, image.span, image.as_str().unwrap_or_default())
            ),
            service: Some(name),
            source: file,
        });
    }
    found
}

/// The database server `doc` configures, as a place that runs a database.
fn config_database(doc: &Document, file: &dyn Fn() -> FileRef) -> Option<Database> {
    let config = server_config(doc)?;
    let file = file();
    Some(Database {
        span: config.first_setting,
        engine: config.engine,
        label: msg!("`{}`", &file),
        service: None,
        source: file,
    })
}

/// What one document tells BAK001: the places in it that say the deployment runs a
/// database, and whether it schedules a backup. Only these are kept, not the document.
pub struct Backups {
    /// Compose services running a database image.
    compose: Vec<Database>,
    /// A database server's own configuration file.
    config: Option<Database>,
    /// Database variables of a deployed `.env`.
    env: Vec<Database>,
    /// A crontab line, Compose service or Kubernetes CronJob that is a backup job.
    schedules: bool,
    /// The service this timer starts.
    timer_starts: Option<String>,
    /// This service unit's file name, when it runs a backup job: a backup once a timer
    /// starts it.
    service_with_job: Option<String>,
}

impl ScanFacts for Backups {
    type Kind = Document;

    fn collect(doc: &Document, _: &Document) -> Option<Self> {
        // Named once, and only when some place needs it (naming digests the text).
        let named = std::cell::OnceCell::new();
        let file = || named.get_or_init(|| doc.file_ref()).clone();
        let facts = Self {
            compose: compose_databases(doc, &file),
            config: config_database(doc, &file),
            env: env_databases(doc, &file),
            schedules: match doc.target {
                Target::Cron => !jobs(doc).is_empty(),
                Target::Compose => compose_backs_up(doc),
                Target::Kubernetes => kubernetes_backs_up(doc),
                _ => false,
            },
            timer_starts: timed_service(doc),
            service_with_job: (doc.target == Target::Systemd && !jobs(doc).is_empty())
                .then(|| file_name(&doc.source.path)),
        };
        let telling = !facts.compose.is_empty()
            || facts.config.is_some()
            || !facts.env.is_empty()
            || facts.schedules
            || facts.timer_starts.is_some()
            || facts.service_with_job.is_some();
        telling.then_some(facts)
    }

    /// BAK001: the scan holds a database and no scheduled backup job (crontab line,
    /// systemd service started by a timer, Compose backup service). Reported once, at the
    /// most telling place that defines a database; the other places are related locations.
    fn judge(facts: Vec<Self>, cx: &mut FactsContext<'_>) {
        let timed: HashSet<&str> = facts
            .iter()
            .filter_map(|f| f.timer_starts.as_deref())
            .collect();
        let scheduled = facts.iter().any(|f| {
            f.schedules
                || f.service_with_job
                    .as_deref()
                    .is_some_and(|service| timed.contains(service))
        });
        if scheduled {
            return;
        }
        // A live host whose crontabs or units could not be read may schedule its backup
        // there: the host is partly audited (its note names them), and "no backup job"
        // would be a guess.
        if cx.unseen(Target::Cron).is_some() || cx.unseen(Target::Systemd).is_some() {
            return;
        }
        // The most telling first: Compose services, then server configuration files, then
        // `.env` variables; Redis (often a cache) after the databases proper.
        let mut found: Vec<&Database> = facts
            .iter()
            .flat_map(|f| &f.compose)
            .chain(facts.iter().filter_map(|f| f.config.as_ref()))
            .chain(facts.iter().flat_map(|f| &f.env))
            .collect();
        found.sort_by_key(|db| db.engine == DatabaseEngine::Redis);
        let Some((first, others)) = found.split_first() else {
            return;
        };
        let message = msg!(
            "{} runs {}, but no backup job was found in any scanned crontab, systemd timer, Compose service or Kubernetes CronJob; schedule one, e.g. the crontab line {}",
            &first.label,
            first.engine.name(),
            suggested_job(first)
        );
        let finding = cx.report_in(&first.source, first.span, "backups", message);
        for other in others.iter().take(4) {
            finding.related_in(
                &other.source,
                other.span,
                msg!("{} points at {} too", &other.label, other.engine.name()),
            );
        }
    }
}

/// A crontab line that backs `db` up and keeps two weeks.
fn suggested_job(db: &Database) -> Message {
    let run = db
        .service
        .as_ref()
        .map(|service| msg!("docker compose exec -T {} ", service));
    let (dump, ext) = match db.engine {
        DatabaseEngine::Postgres => ("pg_dump -U app app |", "sql"),
        DatabaseEngine::Mysql => ("mysqldump --single-transaction app |", "sql"),
        DatabaseEngine::Mongo => ("mongodump --archive |", "archive"),
        // On the host, `redis-cli --rdb FILE` fetches a snapshot into FILE; in a container
        // the snapshot is taken there and copied out.
        DatabaseEngine::Redis => {
            let save = match &db.service {
                Some(service) => msg!(
                    "{}redis-cli SAVE && docker compose cp {}:/data/dump.rdb",
                    run,
                    service
                ),
                None => Message::from("redis-cli --rdb"),
            };
            return msg!(
                "`0 3 * * * {} /var/backups/redis-$(date +\\%F).rdb && find /var/backups -name 'redis-*.rdb' -mtime +14 -delete`",
                save
            );
        }
    };
    msg!(
        "`0 3 * * * {}{} gzip > /var/backups/app-$(date +\\%F).{}.gz && find /var/backups -name 'app-*.{}.gz' -mtime +14 -delete`",
        run,
        dump,
        ext,
        ext
    )
}
