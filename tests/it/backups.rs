//! "Backups present" (BAK001) judges a whole project tree: these tests build real trees and
//! run the binary on them. The first two are the acceptance case verbatim.

use crate::common::{self, json_report, tree};

const COMPOSE: &str = "\
services:
  app:
    image: node:20-alpine
    environment:
      DATABASE_URL: postgresql://app:${POSTGRES_PASSWORD}@db:5432/app
  db:
    image: postgres:16-alpine
    volumes:
      - pgdata:/var/lib/postgresql/data
volumes:
  pgdata:
";

const PG_DUMP_CRONTAB: &str = "\
0 3 * * * docker compose exec -T db pg_dump -U app app | gzip > /var/backups/app-$(date +\\%F).sql.gz && find /var/backups -name 'app-*.sql.gz' -mtime +14 -delete
";

/// The BAK001 findings of a scan of `files`.
fn backup_findings(files: &[(&str, &[u8])]) -> Vec<serde_json::Value> {
    let dir = tree(files);
    let (report, _) = json_report(dir.path(), &["."]);
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == "BAK001")
        .cloned()
        .collect()
}

#[test]
fn compose_postgres_without_any_backup_job_gets_exactly_one_finding_at_its_image() {
    let found = backup_findings(&[("docker-compose.yml", COMPOSE.as_bytes())]);
    assert_eq!(found.len(), 1, "{found:#?}");
    let finding = &found[0];
    assert_eq!(finding["location"]["path"], "docker-compose.yml");
    assert_eq!(finding["location"]["start_line"], 7);
    assert_eq!(finding["location"]["start_column"], 12);
    let message = finding["message"].as_str().unwrap();
    assert!(message.contains("pg_dump"), "{message}");
    assert!(message.contains("-mtime +14 -delete"), "{message}");
    assert!(message.contains("exec -T db"), "{message}");
}

#[test]
fn the_same_tree_with_a_crontab_running_pg_dump_gets_none() {
    let found = backup_findings(&[
        ("docker-compose.yml", COMPOSE.as_bytes()),
        ("deploy/crontab", PG_DUMP_CRONTAB.as_bytes()),
    ]);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn many_database_definitions_still_give_one_finding_with_the_others_related() {
    let found = backup_findings(&[
        ("docker-compose.yml", COMPOSE.as_bytes()),
        (
            "docker-compose.prod.yml",
            b"services:\n  cache:\n    image: redis:7\n",
        ),
        ("config/postgresql.conf", b"# tuned\nshared_buffers = 1GB\n"),
        (".env", b"DATABASE_URL=postgresql://app:x@localhost/app\n"),
    ]);
    assert_eq!(found.len(), 1, "{found:#?}");
    // The PostgreSQL image, although Redis comes first in path order: a database proper
    // before a cache.
    assert_eq!(found[0]["location"]["path"], "docker-compose.yml");
    assert_eq!(found[0]["location"]["start_line"], 7);
    assert_eq!(found[0]["related"].as_array().unwrap().len(), 3);
}

#[test]
fn a_systemd_backup_service_counts_only_when_a_timer_starts_it() {
    let service: &[u8] =
        b"[Service]\nUser=postgres\nExecStart=/usr/bin/pg_dumpall -f /var/backups/all.sql\n";
    let without_timer = backup_findings(&[
        ("docker-compose.yml", COMPOSE.as_bytes()),
        ("deploy/db-backup.service", service),
    ]);
    assert_eq!(
        without_timer.len(),
        1,
        "a service nobody starts is no schedule"
    );
    let with_timer = backup_findings(&[
        ("docker-compose.yml", COMPOSE.as_bytes()),
        ("deploy/db-backup.service", service),
        (
            "deploy/db-backup.timer",
            b"[Timer]\nOnCalendar=daily\nPersistent=true\n",
        ),
    ]);
    assert!(with_timer.is_empty(), "{with_timer:#?}");
    let timer_for_another_unit = backup_findings(&[
        ("docker-compose.yml", COMPOSE.as_bytes()),
        ("deploy/db-backup.service", service),
        (
            "deploy/nightly.timer",
            b"[Timer]\nOnCalendar=daily\nUnit=other.service\n",
        ),
    ]);
    assert_eq!(timer_for_another_unit.len(), 1);
}

#[test]
fn other_evidence_of_a_database_and_other_backup_jobs() {
    // A deployed .env naming a local database, and a cron.d file running a backup script.
    let env: &[u8] = b"DATABASE_URL=postgresql://app:x@localhost:5432/app\n";
    assert_eq!(backup_findings(&[(".env", env)]).len(), 1);
    assert!(backup_findings(&[
        (".env", env),
        ("etc/cron.d/backup", b"0 2 * * * root /opt/backup-db.sh\n"),
    ])
    .is_empty());
    // A backup service in the Compose file itself.
    let with_sidecar = COMPOSE.replace(
        "volumes:\n  pgdata:",
        "  backup:\n    image: prodrigestivill/postgres-backup-local:16\nvolumes:\n  pgdata:",
    );
    assert!(backup_findings(&[("compose.yaml", with_sidecar.as_bytes())]).is_empty());
    // A redis.conf is a database too.
    assert_eq!(
        backup_findings(&[("etc/redis/redis.conf", b"bind 127.0.0.1\n")]).len(),
        1
    );
}

#[test]
fn no_database_or_a_database_elsewhere_gives_no_finding() {
    assert!(backup_findings(&[(
        "docker-compose.yml",
        b"services:\n  web:\n    image: nginx:1.27\n",
    )])
    .is_empty());
    assert!(backup_findings(&[(
        ".env.production",
        b"DATABASE_URL=postgresql://app:x@db.abc123.eu-west-1.rds.amazonaws.com/app\nPOSTGRES_PASSWORD=x\n",
    )])
    .is_empty());
    // Templates and development files do not deploy anything.
    assert!(backup_findings(&[(
        ".env.example",
        b"DATABASE_URL=postgresql://app:x@localhost/app\n"
    )])
    .is_empty());
    // A crontab that only renews certificates is no backup.
    assert_eq!(
        backup_findings(&[
            ("docker-compose.yml", COMPOSE.as_bytes()),
            ("crontab", b"0 12 * * * /usr/bin/certbot renew --quiet\n"),
        ])
        .len(),
        1
    );
}

#[test]
fn a_compose_file_that_is_not_yaml_is_a_parse_error_not_a_crash() {
    let dir = tree(&[(
        "docker-compose.yml",
        b"services:\n  db:\n    image: postgres\n  bad: [\n\xff\xfe",
    )]);
    let (report, _) = json_report(dir.path(), &["."]);
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"PF001"), "{rules:?}");
    assert!(rules.contains(&"BAK001"), "read up to the error: {rules:?}");
}

#[test]
fn fixture_trees_bad_ones_get_exactly_one_finding_ok_ones_none() {
    let base = common::root().join("fixtures/backups");
    let mut checked = 0;
    for entry in std::fs::read_dir(&base).expect("fixtures/backups") {
        let path = entry.expect("entry").path();
        if !path.is_dir() {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let (report, _) = json_report(&path, &["."]);
        let found: Vec<&serde_json::Value> = report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["rule_id"] == "BAK001")
            .collect();
        let want = usize::from(name.starts_with("bad-"));
        assert_eq!(found.len(), want, "{name}: {found:#?}");
        checked += 1;
    }
    assert!(checked >= 5, "fixture trees missing");
}
