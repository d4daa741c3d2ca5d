//! Canary secrets planted in every place a secret can hide must not appear in any output
//! format: not in messages, snippets, related locations, suppression reasons or summaries.

mod common;

use common::{preflight_in, tree};

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
    "cnry11Dj4Kq8Wz2Xv6Bn0Mm3Ll7Pp1Oo5Ii9Uu3Yy7Tt1Rr5Ee9Ww3Qq7Aa1Ss5",
    "cnry12weak",
    "cnry13DbPw",
    "cnry14old",
];

/// Django: a strong hardcoded key (DJ003), a weak fallback key inherited from a base module
/// (DJ004, reported with the base line as a related location) and a database password.
const DJANGO_BASE: &str = "\
SECRET_KEY = 'cnry12weak'
SECRET_KEY_FALLBACKS = ['cnry14old']
DEBUG = True
DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'PASSWORD': 'cnry13DbPw'}}
";
const DJANGO_PRODUCTION: &str = "\
from .base import *
SECRET_KEY = 'cnry11Dj4Kq8Wz2Xv6Bn0Mm3Ll7Pp1Oo5Ii9Uu3Yy7Tt1Rr5Ee9Ww3Qq7Aa1Ss5'
";

/// nginx: a credential header and a token-like argument on lines that have findings.
const NGINX: &str = "\
location /api/ {
    proxy_set_header Host $http_host; proxy_set_header Authorization \"Basic cnry9Basic\";
    proxy_set_header Host $arg_h; set $token cnry10Zt5Yr7Xq3Wp9Vn2Mb8;
}
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
        ("shop/settings/base.py", DJANGO_BASE.as_bytes()),
        ("shop/settings/production.py", DJANGO_PRODUCTION.as_bytes()),
    ]);
    for format in ["human", "json", "sarif", "github", "markdown"] {
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
