//! Database server configuration files (`postgresql.conf`, `redis.conf`, `my.cnf`,
//! `mongod.conf`), recognised by name. Their settings are not read yet; that such a file is
//! shipped at all says the deployment runs that database, which the "backups present"
//! policy needs to know.

use std::path::Path;

use crate::formats::Target;
use crate::formats::{Classification, FileName, Format, ParseContext};
use crate::source::SourceFile;
use crate::source::Span;
use std::sync::Arc;

/// A database engine a deployment can run, and that needs its own kind of dump.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DatabaseEngine {
    /// PostgreSQL (and PostGIS, TimescaleDB).
    Postgres,
    /// MySQL, MariaDB, Percona.
    Mysql,
    /// MongoDB.
    Mongo,
    /// Redis, Valkey, KeyDB.
    Redis,
}

impl DatabaseEngine {
    /// The name people use for it.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Postgres => "PostgreSQL",
            Self::Mysql => "MySQL/MariaDB",
            Self::Mongo => "MongoDB",
            Self::Redis => "Redis",
        }
    }

    /// The engine a container image runs, from its repository name (`postgres:16-alpine`,
    /// `docker.io/library/mariadb:11`, `bitnami/redis`, `postgis/postgis`).
    pub fn from_image(image: &str) -> Option<Self> {
        let without_digest = image.split('@').next().unwrap_or(image);
        let repository = without_digest
            .rsplit_once(':')
            .filter(|(_, tag)| !tag.contains('/'))
            .map_or(without_digest, |(repo, _)| repo);
        let name = repository
            .rsplit('/')
            .next()
            .unwrap_or(repository)
            .to_ascii_lowercase();
        let starts = |prefixes: &[&str]| prefixes.iter().any(|p| name.starts_with(p));
        // Tools around a database are not the database: backup sidecars, exporters, admin
        // UIs (`mongo-express`, `redis-commander`, `pgadmin`), proxies and operators.
        let tool = ["backup", "exporter", "admin", "commander", "insight"]
            .iter()
            .any(|t| name.contains(t))
            || name.split(['-', '_']).skip(1).any(|part| {
                matches!(
                    part,
                    "express" | "ui" | "web" | "router" | "proxy" | "operator" | "client"
                )
            });
        if tool {
            None
        } else if starts(&[
            "postgres",
            "postgis",
            "timescaledb",
            "pgvector",
            "supabase-postgres",
        ]) {
            Some(Self::Postgres)
        } else if starts(&["mysql", "mariadb", "percona"]) {
            Some(Self::Mysql)
        } else if starts(&["mongo"]) {
            Some(Self::Mongo)
        } else if starts(&["redis", "valkey", "keydb"]) {
            Some(Self::Redis)
        } else {
            None
        }
    }

    /// The engine a connection URL's scheme names.
    pub fn from_url_scheme(scheme: &str) -> Option<Self> {
        match scheme.to_ascii_lowercase().split('+').next().unwrap_or("") {
            "postgres" | "postgresql" | "postgis" | "pgsql" => Some(Self::Postgres),
            "mysql" | "mysql2" | "mariadb" => Some(Self::Mysql),
            "mongodb" => Some(Self::Mongo),
            "redis" | "rediss" => Some(Self::Redis),
            _ => None,
        }
    }
}

/// A database server's configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseConfigFile {
    /// Which database it configures.
    pub engine: DatabaseEngine,
    /// The first line that is not blank or a comment (the file's start when there is none):
    /// where a finding about the database as a whole points.
    pub first_setting: Span,
}

impl DatabaseConfigFile {
    /// The engine a file name belongs to, if it is a database configuration.
    pub fn engine_of(path: &Path) -> Option<DatabaseEngine> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        match name.as_str() {
            "postgresql.conf" => Some(DatabaseEngine::Postgres),
            "my.cnf" | "mysqld.cnf" | "mariadb.cnf" | "50-server.cnf" => {
                Some(DatabaseEngine::Mysql)
            }
            "mongod.conf" => Some(DatabaseEngine::Mongo),
            "redis.conf" | "valkey.conf" => Some(DatabaseEngine::Redis),
            _ => None,
        }
    }

    /// Reads a configuration of `engine`.
    pub fn parse(text: &str, engine: DatabaseEngine) -> Self {
        let mut offset = 0;
        let mut first_setting = Span::new(0, 0);
        for line in text.split_inclusive('\n') {
            let trimmed = line.trim();
            if !trimmed.is_empty() && !trimmed.starts_with(['#', ';']) {
                let lead = line.len() - line.trim_start().len();
                first_setting = Span::new(offset + lead, offset + lead + trimmed.len());
                break;
            }
            offset += line.len();
        }
        Self {
            engine,
            first_setting,
        }
    }
}

impl Format for DatabaseConfigFile {
    /// Database server configurations by name (see [`DatabaseConfigFile::engine_of`]).
    /// Addresses and modes, not credentials.
    fn classify(name: &FileName) -> Option<Classification> {
        Self::engine_of(name.path).and(Classification::certain(Target::DatabaseConfig))
    }

    fn parse(source: &Arc<SourceFile>, _: &ParseContext) -> Self {
        Self::parse(
            &source.text,
            Self::engine_of(&source.path).unwrap_or(DatabaseEngine::Postgres),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_name_their_engine() {
        for (image, want) in [
            ("postgres:16-alpine", Some(DatabaseEngine::Postgres)),
            ("docker.io/library/postgres", Some(DatabaseEngine::Postgres)),
            ("postgis/postgis:15-3.4", Some(DatabaseEngine::Postgres)),
            ("mariadb:11", Some(DatabaseEngine::Mysql)),
            ("bitnami/redis:7.2", Some(DatabaseEngine::Redis)),
            ("localhost:5000/mongo:7", Some(DatabaseEngine::Mongo)),
            ("prodrigestivill/postgres-backup-local", None),
            ("prometheuscommunity/postgres-exporter", None),
            ("rediscommander/redis-commander", None),
            ("mongo-express:1", None),
            ("redis/redisinsight", None),
            ("mysql/mysql-router", None),
            (
                "bitnami/postgresql-repmgr:16",
                Some(DatabaseEngine::Postgres),
            ),
            ("node:20", None),
        ] {
            assert_eq!(DatabaseEngine::from_image(image), want, "{image}");
        }
    }
}
