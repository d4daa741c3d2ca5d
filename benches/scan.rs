//! Throughput benchmark: `cargo bench --bench scan`.
//!
//! Generates a synthetic project tree (env files among many unrelated files, in nested
//! folders), then runs the real pipeline (walk, read, parse, all rules, finalise) on it
//! several times and prints the median wall time and files per second. Then times the
//! hostile inputs whose speed the tests do not assert (`interpolation_hostile_nesting`).
//!
//! Size with `BENCH_ENV_FILES` (default 5000), `BENCH_NGINX_FILES` (default 3000) and
//! `BENCH_OTHER_FILES` (default 20000);
//! the tree is kept in `target/bench-tree` so the binary can be timed on it too:
//! `hyperfine 'target/release/preflight check target/bench-tree --format json -o /dev/null'`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use preflight::config::DEFAULT_MAX_FILE_SIZE;
use preflight::discover::{exclude_set, WalkOptions};
use preflight::engine;
use preflight::policy::Catalog;

fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A deterministic pseudo-random generator, so every run scans the same tree.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn token(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..len)
            .map(|_| ALPHABET[self.next() as usize % ALPHABET.len()] as char)
            .collect()
    }
}

fn env_file(rng: &mut Lcg, i: usize) -> String {
    let mut text = format!(
        "# service {i}\nNODE_ENV={}\nPORT={}\n",
        if i.is_multiple_of(7) {
            "development"
        } else {
            "production"
        },
        3000 + i % 1000
    );
    text.push_str(&format!(
        "JWT_SECRET={}\n",
        if i.is_multiple_of(5) {
            "CHANGE_THIS_JWT_SECRET".to_owned()
        } else {
            rng.token(48)
        }
    ));
    text.push_str(&format!(
        "SESSION_SECRET={}\n",
        rng.token(if i.is_multiple_of(3) { 12 } else { 40 })
    ));
    text.push_str(&format!(
        "DATABASE_URL=postgresql://app:{}@db{}.internal.example.net:5432/app{}\n",
        rng.token(20),
        i % 13,
        if i.is_multiple_of(2) {
            "?sslmode=require"
        } else {
            ""
        }
    ));
    text.push_str(&format!(
        "REDIS_URL=redis://:{}@cache.example.net:6379\n",
        rng.token(24)
    ));
    for k in 0..20_u32 {
        text.push_str(&format!(
            "FEATURE_{k}_ENABLED={}\nSERVICE_{k}_HOST=svc{k}.internal\n",
            k.is_multiple_of(2)
        ));
    }
    text.push_str("CORS_ORIGIN=https://app.example.org\nexport TZ=UTC\n");
    text
}

/// The TLS settings of a site, written in the site or in an included snippet.
fn tls_settings(i: usize) -> String {
    let protocols = if i.is_multiple_of(7) {
        "TLSv1 TLSv1.1 TLSv1.2"
    } else {
        "TLSv1.2 TLSv1.3"
    };
    format!("ssl_protocols {protocols};\nssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256;\n")
}

/// A realistic site: redirect server, TLS server with headers, a few locations (one with the
/// add_header trap every 5th file, weak protocols every 7th). Every 3rd site is a full
/// configuration: an `nginx.conf` includes the site, which includes its TLS snippet.
fn nginx_site(i: usize) -> String {
    let tls = if i.is_multiple_of(3) {
        "include snippets/tls.conf;\n".to_owned()
    } else {
        tls_settings(i)
    };
    let trap = if i.is_multiple_of(5) {
        "        add_header Cache-Control \"public\";\n"
    } else {
        ""
    };
    format!(
        "server {{\n    listen 80;\n    server_name svc{i}.example.org;\n    return 301 https://$host$request_uri;\n}}\n\n\
         server {{\n    listen 443 ssl;\n    server_name svc{i}.example.org;\n    server_tokens off;\n\
         ssl_certificate /etc/letsencrypt/live/svc{i}/fullchain.pem;\n    ssl_certificate_key /etc/letsencrypt/live/svc{i}/privkey.pem;\n\
         {tls}\
         add_header Strict-Transport-Security \"max-age=63072000\" always;\n    add_header X-Frame-Options DENY always;\n\
         add_header X-Content-Type-Options nosniff always;\n\n    location / {{\n        proxy_pass http://127.0.0.1:{port};\n\
         proxy_set_header Host $host;\n        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n    }}\n\n\
         location /static/ {{\n        alias /srv/svc{i}/static/;\n        expires 7d;\n{trap}    }}\n\n\
         location = /health {{\n        access_log off;\n        return 204;\n    }}\n}}\n",
        port = 4000 + i % 1000
    )
}

fn generate(root: &Path, env_files: usize, nginx_files: usize, other_files: usize) {
    let marker = root.join(format!(
        ".generated-v2-{env_files}-{nginx_files}-{other_files}"
    ));
    if marker.exists() {
        return;
    }
    let _ = std::fs::remove_dir_all(root);
    let mut rng = Lcg(42);
    for i in 0..env_files {
        let dir = root.join(format!("team{}/svc{}/deploy", i % 50, i));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let name = if i.is_multiple_of(4) {
            ".env"
        } else {
            ".env.production"
        };
        std::fs::write(dir.join(name), env_file(&mut rng, i)).expect("write");
    }
    for i in 0..nginx_files {
        let dir = root.join(format!("team{}/svc{}/nginx", i % 50, i));
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("site.conf"), nginx_site(i)).expect("write");
        if i.is_multiple_of(3) {
            std::fs::create_dir_all(dir.join("snippets")).expect("mkdir");
            std::fs::write(dir.join("snippets/tls.conf"), tls_settings(i)).expect("write");
            let main =
                "events {}\nhttp {\n    server_tokens off;\n    include /etc/nginx/site.conf;\n}\n";
            std::fs::write(dir.join("nginx.conf"), main).expect("write");
        }
    }
    for i in 0..other_files {
        let dir = root.join(format!("team{}/svc{}/src", i % 50, i % env_files.max(1)));
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join(format!("module{i}.js")), "export const x = 1;\n").expect("write");
    }
    std::fs::create_dir_all(root.join("node_modules/big")).expect("mkdir");
    std::fs::write(marker, "").expect("marker");
}

fn main() {
    let env_files = env_count("BENCH_ENV_FILES", 5000);
    let nginx_files = env_count("BENCH_NGINX_FILES", 3000);
    let other_files = env_count("BENCH_OTHER_FILES", 20000);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-tree");
    let started = Instant::now();
    generate(&root, env_files, nginx_files, other_files);
    println!(
        "tree: {env_files} env + {nginx_files} nginx + {other_files} other files in {} (ready in {:.1?})",
        root.display(),
        started.elapsed()
    );

    let catalog = Catalog::builtin().expect("catalog");
    let options = WalkOptions {
        exclude: Vec::new(),
        exclude_base: root.clone(),
        respect_gitignore: false,
        max_file_size: DEFAULT_MAX_FILE_SIZE,
        helm: None,
    };
    let excludes = exclude_set(&[]).expect("empty set");
    let mut times: Vec<Duration> = Vec::new();
    let mut findings = 0;
    let mut checked = 0;
    for _ in 0..7 {
        let t = Instant::now();
        let outcome = engine::scan(std::slice::from_ref(&root), &options, &excludes, &catalog);
        times.push(t.elapsed());
        findings = outcome.findings.len();
        checked = outcome.files_checked;
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "scan: median {median:.1?} (min {:.1?}, max {:.1?}) over {} runs; {checked} files checked, {findings} findings",
        times[0],
        times[times.len() - 1],
        times.len()
    );
    println!(
        "throughput: {:.0} files/s checked",
        checked as f64 / median.as_secs_f64()
    );
    hostile_interpolation();
}

/// Compose interpolation nested 100,000 levels deep and 200,000 unclosed `${A:-`: the parser
/// must stay linear (the unit test checks it does not overflow the stack; the time is here).
fn hostile_interpolation() {
    use preflight::formats::interpolation::Template;
    let deep = format!("{}x{}", "${A:-".repeat(100_000), "}".repeat(100_000));
    let unclosed = "${A:-".repeat(200_000);
    let started = Instant::now();
    for text in [&deep, &unclosed] {
        let _ = Template::parse(text).unset_value();
    }
    println!(
        "interpolation_hostile_nesting: {:.1?} for 100,000 nested and 200,000 unclosed `${{A:-`",
        started.elapsed()
    );
}
