//! Canary secrets planted in every place a secret can hide must not appear in any output
//! format: not in messages, snippets, related locations, suppression reasons or summaries.

use crate::common::{self, preflight_in, tree};

const CANARIES: &[&str] = &[
    "cnry1Qx7vTz9Lw2Pk4Mj",
    "cnry2hunter",
    "cnry3Rb8Nc5Vd2Xf6Gh1Jk4Lm7Pq0Sw3Ty6Uz9",
    "cnry4Up",
    "cnry5Wq2Er4Ty6Ui8Op0As",
    "cnry6Zx9Cv7Bn5Mm3",
    "cnry7Ab",
    "cnry8Gf4Hd6Js8Ka0Lq",
    "cnry9Basic",
    "cnry10Zt5Yr7Xq3Wp9Vn2Mb8",
    "cnry11Redis",
    "cnry12Master",
    "cnry13Renamed",
    "cnry14AclUser",
    "cnry15Conninfo",
    "cnry16Broken",
    "cnry21SysDbPw",
    "cnry22UnitUrlPw",
    "cnry23CronPgPw",
    "cnry24MysqlPw",
    "cnry25ComposePw",
    "cnry26CronVarPw",
    "cnry27YamlErrorLine",
    "cnry31Dj4Kq8Wz2Xv6Bn0Mm3Ll7Pp1Oo5Ii9Uu3Yy7Tt1Rr5Ee9Ww3Qq7Aa1Ss5",
    "cnry32weak",
    "cnry33DbPw",
    "cnry34old",
    "cnry5xArgToken7Hq2",
    "cnry5xEnvDbPw",
    "cnry5xUrlPw",
    "cnry5xLegacyForm",
    "cnry5xRunPw",
    "cnry5xHeredocPw",
    "cnry5xStrayLine",
    "cnry4xJwtSignLiteral9Qm2Vn7Bx4Kp8Lz3Wr6Ty1",
    "cnry4xSessionKeyboardCat",
    "cnry4xFallbackDev",
    "cnry4xCookieParser",
    "cnry4xPm2Secret",
    "cnry4xScriptSecret",
    "cnry4xNestConstant",
];

/// redis.conf: the password, the replica's password, an ACL user's password and a renamed
/// command's new name, on lines with findings (RDS003 on `bind`, RDS004 on the last rename).
/// The `bind` line's words are more addresses (Redis has no trailing comments): not secrets,
/// shown as written even when one equals the password (masking is by position, not value).
const REDIS: &str = "\
bind 0.0.0.0 # words (Redis has no trailing comments: these are more bind addresses)
requirepass cnry11Redis
masterauth \"cnry12Master\"
protected-mode no
rename-command FLUSHALL cnry13Renamed
";

/// redis.conf with ACL users: a `>password` rule on a line with a finding (RDS001).
const REDIS_ACL: &str = "user default on nopass >cnry14AclUser ~* +@all\n";

/// postgresql.conf: a replication password in `primary_conninfo`, and one on a line the
/// parser cannot read (PF001 shows that line).
const POSTGRES: &str = "\
listen_addresses = '*'
primary_conninfo = 'host=primary.internal port=5432 user=replication password=cnry15Conninfo'
primary_conninfo = 'host=primary.internal password=cnry16Broken' extra
";

/// A unit with secrets in `Environment=` (on a continuation line too) and on `ExecStart=`.
const UNIT: &str = "\
[Service]
Environment=NODE_ENV=production \\
  \"DB_PASSWORD=cnry21SysDbPw\" DATABASE_URL=postgresql://app:cnry22UnitUrlPw@db.internal/app
ExecStart=/usr/bin/app --db-password=cnry21SysDbPw
";

/// A crontab with a secret variable, `PGPASSWORD=` and mysql's glued `-p`, on finding lines.
const CRONTAB: &str = "\
DB_PASSWORD=cnry26CronVarPw
0 2 * * * PGPASSWORD=cnry23CronPgPw pg_dump app | gzip > /b/app.sql.gz
0 3 * * * mysqldump -pcnry24MysqlPw shop > /b/shop.sql
";

/// A Compose file whose database has a password and no backup (BAK001 on the image line),
/// and a line the YAML parser cannot read (PF001 shows it).
const COMPOSE: &str = "\
services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: cnry25ComposePw
      - DB_PASSWORD=cnry27YamlErrorLine
";

/// Django: a strong hardcoded key (DJ003), a weak fallback key inherited from a base module
/// (DJ004, reported with the base line as a related location) and a database password.
const DJANGO_BASE: &str = "\
SECRET_KEY = 'cnry32weak'
SECRET_KEY_FALLBACKS = ['cnry34old']
DEBUG = True
DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'PASSWORD': 'cnry33DbPw'}}
";
const DJANGO_PRODUCTION: &str = "\
from .base import *
SECRET_KEY = 'cnry31Dj4Kq8Wz2Xv6Bn0Mm3Ll7Pp1Oo5Ii9Uu3Yy7Tt1Rr5Ee9Ww3Qq7Aa1Ss5'
";

/// Node: a strong JWT literal in `jwt.sign`, a session secret, an environment fallback and a
/// cookie-parser secret (NODE014), a PM2 env secret and a secret on a start script's
/// command line, and a Nest JWT constant.
const NODE_APP: &str = "\
const express = require('express');
const session = require('express-session');
const cookieParser = require('cookie-parser');
const jwt = require('jsonwebtoken');
const app = express();
app.use(cookieParser('cnry4xCookieParser'));
app.use(session({ secret: 'cnry4xSessionKeyboardCat', cookie: { secure: false } }));
const fallback = process.env.JWT_SECRET || 'cnry4xFallbackDev';
app.get('/t', (req, res) => res.send(jwt.sign({ a: 1 }, 'cnry4xJwtSignLiteral9Qm2Vn7Bx4Kp8Lz3Wr6Ty1')));
app.listen(3000);
";
const NODE_PM2: &str = "\
module.exports = { apps: [{ name: 'api', script: 'src/app.js', env: { JWT_SECRET: 'cnry4xPm2Secret' } }] };
";
const NODE_PACKAGE: &str = r#"{ "scripts": { "start": "JWT_SECRET=cnry4xScriptSecret nodemon src/app.js" } }
"#;
const NEST_AUTH: &str = "\
import { JwtModule } from '@nestjs/jwt';
export const jwtConstants = { secret: 'cnry4xNestConstant' };
export const auth = JwtModule.register({ secret: jwtConstants.secret });
";

/// nginx: a credential header and a token-like argument on lines that have findings.
const NGINX: &str = "\
location /api/ {
    proxy_set_header Host $http_host; proxy_set_header Authorization \"Basic cnry9Basic\";
    proxy_set_header Host $arg_h; set $token cnry10Zt5Yr7Xq3Wp9Vn2Mb8;
}
";

/// A Dockerfile with secrets in an `ARG` default, `ENV` pairs (quoted, inside a URL, on a
/// continuation line, in the legacy form), on `RUN` command lines and in a heredoc script,
/// and on a stray line BuildKit refuses (PF001 shows it); every line has a finding.
const DOCKERFILE: &str = "\
ARG NPM_TOKEN=cnry5xArgToken7Hq2
FROM node:latest
ENV NODE_ENV=production \\
    DB_PASSWORD=\"cnry5xEnvDbPw\" DATABASE_URL=postgresql://app:cnry5xUrlPw@db/app
ENV SESSION_SECRET cnry5xLegacyForm
RUN mysql -pcnry5xRunPw -e 'select 1' && curl -fsSL https://get.example.com | sh
RUN <<EOF
PGPASSWORD=cnry5xHeredocPw apt-get install -y postgresql-client
EOF
API_TOKEN=cnry5xStrayLine
";

const ENV: &str = "\
JWT_SECRET=cnry1Qx7vTz9Lw2Pk4Mj
DB_PASSWORD=\"cnry2hunter\"
SESSION_SECRET=cnry3Rb8Nc5Vd2Xf6Gh1Jk4Lm7Pq0Sw3Ty6Uz9
API_TOKEN=cnry3Rb8Nc5Vd2Xf6Gh1Jk4Lm7Pq0Sw3Ty6Uz9
DATABASE_URL=postgresql://app:cnry4Up@db.example.org:5432/app
REDIS_URL=redis://:cnry5Wq2Er4Ty6Ui8Op0As@cache.example.org:6379
export STRIPE=cnry6Zx9Cv7Bn5Mm3k2Lp8
SMTP_PASS=cnry7Ab # preflight: ignore[ENV012] cnry7Ab is rotated hourly
BROKEN LINE=cnry8Gf4Hd6Js8Ka0Lq
";

#[test]
fn no_output_format_contains_a_canary() {
    let dir = tree(&[
        (".env.production", ENV.as_bytes()),
        (".env.staging", b"JWT_SECRET=cnry1Qx7vTz9Lw2Pk4Mj\n"),
        ("nginx/site.conf", NGINX.as_bytes()),
        ("etc/redis/redis.conf", REDIS.as_bytes()),
        ("etc/redis/acl.redis.conf", REDIS_ACL.as_bytes()),
        (
            "etc/postgresql/16/main/postgresql.conf",
            POSTGRES.as_bytes(),
        ),
        ("deploy/app.service", UNIT.as_bytes()),
        ("deploy/app.crontab", CRONTAB.as_bytes()),
        ("docker-compose.yml", COMPOSE.as_bytes()),
        ("api/src/app.js", NODE_APP.as_bytes()),
        ("api/ecosystem.config.js", NODE_PM2.as_bytes()),
        ("api/package.json", NODE_PACKAGE.as_bytes()),
        ("auth/src/auth.module.ts", NEST_AUTH.as_bytes()),
        ("shop/settings/base.py", DJANGO_BASE.as_bytes()),
        ("shop/settings/production.py", DJANGO_PRODUCTION.as_bytes()),
        ("api/Dockerfile", DOCKERFILE.as_bytes()),
    ]);
    for format in ["human", "json", "sarif", "github", "html"] {
        let output = preflight_in(dir.path())
            .args(["check", ".", "--format", format])
            .output()
            .expect("runs");
        assert_eq!(
            output.status.code(),
            Some(1),
            "{format} should report findings"
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stdout.len() > 500,
            "{format} output suspiciously short: {stdout}"
        );
        for canary in CANARIES {
            assert!(
                !stdout.contains(canary),
                "{format} stdout leaks {canary}:\n{stdout}"
            );
            assert!(
                !stderr.contains(canary),
                "{format} stderr leaks {canary}:\n{stderr}"
            );
        }
    }
}

#[test]
fn findings_still_point_at_the_secrets_they_hide() {
    let dir = tree(&[(".env", ENV.as_bytes())]);
    let (report, _) = common::json_report(dir.path(), &["."]);
    let findings = report["findings"].as_array().unwrap();
    let reused = findings
        .iter()
        .find(|f| f["rule_id"] == "ENV014")
        .expect("reuse found");
    assert_eq!(reused["location"]["start_line"], 4);
    assert_eq!(reused["location"]["start_column"], 11);
    let url = findings
        .iter()
        .find(|f| f["rule_id"] == "ENV012" && f["location"]["start_line"] == 5)
        .expect("short URL password found");
    assert_eq!(url["location"]["start_column"], 31);
    assert!(url["snippet"]["text"]
        .as_str()
        .unwrap()
        .contains("app:*******@db.example.org"));
}

#[test]
fn host_service_secrets_are_masked_in_the_snippets_that_show_them() {
    let dir = tree(&[
        ("redis.conf", REDIS.as_bytes()),
        ("acl.redis.conf", REDIS_ACL.as_bytes()),
        ("postgresql.conf", POSTGRES.as_bytes()),
    ]);
    let (report, _) = common::json_report(dir.path(), &["."]);
    let snippet = |path: &str, rule: &str, line: u64| -> String {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| {
                f["location"]["path"] == path
                    && f["rule_id"] == rule
                    && f["location"]["start_line"] == line
            })
            .unwrap_or_else(|| panic!("{rule} at {path}:{line} in {report}"))["snippet"]["text"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        snippet("redis.conf", "RDS003", 1),
        "bind 0.0.0.0 # words (Redis has no trailing comments: these are more bind addresses)"
    );
    assert_eq!(
        snippet("redis.conf", "RDS004", 5),
        "rename-command FLUSHALL *************"
    );
    assert_eq!(
        snippet("acl.redis.conf", "RDS001", 1),
        "user default on nopass ************** ~* +@all"
    );
    let broken = snippet("postgresql.conf", "PF001", 3);
    assert!(!broken.contains("cnry16"), "{broken}");
    // A line the parser could not read is hidden whole: its first word too.
    assert!(broken.chars().all(|c| c == '*'), "{broken}");
}

#[test]
fn django_secret_findings_are_reported_with_the_value_masked() {
    let dir = tree(&[
        ("shop/settings/base.py", DJANGO_BASE.as_bytes()),
        ("shop/settings/production.py", DJANGO_PRODUCTION.as_bytes()),
    ]);
    let (report, _) = common::json_report(dir.path(), &["."]);
    let rules = common::active_rules(&report);
    for rule in ["DJ001", "DJ003", "DJ004", "DJ007"] {
        assert!(rules.iter().any(|r| r == rule), "{rule} missing: {rules:?}");
    }
    let hardcoded = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "DJ003")
        .expect("DJ003");
    let snippet = hardcoded["snippet"]["text"].as_str().unwrap();
    assert!(snippet.contains("SECRET_KEY = '*"), "{snippet}");
}

#[test]
fn dockerfile_secrets_are_masked_where_their_findings_point() {
    let dir = tree(&[("Dockerfile", DOCKERFILE.as_bytes())]);
    let (report, _) = common::json_report(dir.path(), &["."]);
    let findings = report["findings"].as_array().unwrap();
    let at = |rule: &str, line: u64| {
        findings
            .iter()
            .find(|f| f["rule_id"] == rule && f["location"]["start_line"] == line)
            .unwrap_or_else(|| panic!("{rule} on line {line} in {report}"))
    };
    // Each secret is found where it is written, and its snippet shows the line masked.
    for (rule, line, column, masked) in [
        ("DKR003", 1, 15, "ARG NPM_TOKEN=*"),
        ("DKR003", 4, 17, "DB_PASSWORD=*"),
        ("DKR003", 5, 20, "ENV SESSION_SECRET *"),
        ("DKR009", 6, 42, "mysql -p*"),
        ("DKR008", 8, 36, "PGPASSWORD=*"),
        ("PF001", 10, 1, "API_TOKEN=*"),
    ] {
        let finding = at(rule, line);
        assert_eq!(finding["location"]["start_column"], column, "{finding}");
        let snippet = finding["snippet"]["text"].as_str().unwrap();
        assert!(snippet.contains(masked), "{rule}: {snippet}");
        assert!(!snippet.contains("cnry5x"), "{rule}: {snippet}");
    }
    let url = at("DKR003", 4);
    assert!(url["snippet"]["text"]
        .as_str()
        .unwrap()
        .contains("postgresql://app:***********@db/app"));
}

#[test]
fn node_secret_literals_are_reported_with_the_value_masked() {
    let dir = tree(&[
        ("api/src/app.js", NODE_APP.as_bytes()),
        ("api/ecosystem.config.js", NODE_PM2.as_bytes()),
        ("api/package.json", NODE_PACKAGE.as_bytes()),
        ("auth/src/auth.module.ts", NEST_AUTH.as_bytes()),
    ]);
    let (report, _) = common::json_report(dir.path(), &["."]);
    let hardcoded: Vec<(String, u64, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "NODE014")
        .map(|f| {
            (
                f["location"]["path"].as_str().unwrap().to_owned(),
                f["location"]["start_line"].as_u64().unwrap(),
                f["snippet"]["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let at = |path: &str, line: u64| {
        hardcoded
            .iter()
            .find(|(p, l, _)| p == path && *l == line)
            .unwrap_or_else(|| panic!("NODE014 at {path}:{line} in {hardcoded:?}"))
            .2
            .clone()
    };
    assert!(at("api/src/app.js", 6).contains("cookieParser(*"));
    assert!(at("api/src/app.js", 7).contains("secret: *"));
    assert!(at("api/src/app.js", 8).contains("|| *"));
    assert!(at("api/src/app.js", 9).contains("{ a: 1 }, *"));
    assert!(at("api/ecosystem.config.js", 1).contains("JWT_SECRET: *"));
    assert!(at("auth/src/auth.module.ts", 2).contains("secret: *"));
}
