//! DKR011–DKR013, DKR016: how the final image starts.

use crate::formats::dockerfile::{Arguments, Dockerfile, Instruction};
use crate::message::Quote;
use crate::msg;
use crate::rules::dockerfile::{final_instructions, last_in_final};
use crate::rules::Context;

/// DKR011: `NODE_ENV` set to something other than `production` in the final image (its last
/// value): Express then shows stack traces, and caching and other optimisations stay off.
pub fn node_env(cx: &mut Context<'_, Dockerfile>) {
    let last = final_instructions(cx.content)
        .into_iter()
        .rev()
        .filter(|i| i.keyword == "ENV")
        .flat_map(|i| i.pairs.iter().rev())
        .find(|p| p.key == "NODE_ENV");
    let Some(pair) = last else { return };
    let (Some(value), Some(span)) = (&pair.value, pair.value_span) else {
        return;
    };
    if value != "production" && !value.starts_with('$') {
        cx.report(span, "NODE_ENV", msg!(
            "`NODE_ENV={}` in the final image: Express and many libraries then print stack traces to clients, skip caching and enable development helpers; set `ENV NODE_ENV=production` in the final stage",
            Quote::derived(span, value.as_str())));
    }
}

/// Words of a command that only development servers use.
fn dev_server(words: &[String]) -> Option<&'static str> {
    let has = |w: &str| words.iter().any(|x| x == w);
    let program = |w: &str| words.iter().any(|x| x.rsplit('/').next() == Some(w));
    if program("nodemon") {
        Some("`nodemon` restarts the app on file changes, a development tool")
    } else if has("runserver") {
        Some("`manage.py runserver` is Django's development server, not built for production traffic")
    } else if words.iter().any(|w| w.starts_with("--inspect")) {
        Some("`--inspect` opens Node's debugger port, which runs any code sent to it")
    } else if (program("npm") || program("yarn") || program("pnpm")) && has("dev") {
        Some("the `dev` script starts a development server")
    } else if program("next") && has("dev") {
        Some("`next dev` is Next.js's development server")
    } else {
        None
    }
}

/// DKR012: the final image's `CMD` or `ENTRYPOINT` starts a development server (`nodemon`,
/// `runserver`, `--inspect`, `npm run dev`).
pub fn dev_server_command(cx: &mut Context<'_, Dockerfile>) {
    for keyword in ["ENTRYPOINT", "CMD"] {
        let Some(instruction) = last_in_final(cx.content, keyword) else {
            continue;
        };
        let words: Vec<String> = instruction.words.iter().map(|w| w.text.clone()).collect();
        if let Some(why) = dev_server(&words) {
            cx.report(instruction.arguments_span(), keyword, msg!(
                "the image starts with a development server: {}; start the production server (`node dist/main.js`, `gunicorn app.wsgi`) and keep development commands in docker-compose.override.yml",
                why));
        }
    }
}

/// Programs that serve until stopped: an image whose command runs one of them is a
/// service, which a health check is for.
const SERVERS: &[&str] = &[
    "node",
    "nodejs",
    "npm",
    "yarn",
    "pnpm",
    "bun",
    "deno",
    "pm2-runtime",
    "gunicorn",
    "uvicorn",
    "hypercorn",
    "daphne",
    "waitress-serve",
    "celery",
    "python",
    "python3",
    "java",
    "php",
    "php-fpm",
    "ruby",
    "rails",
    "puma",
    "bundle",
    "nginx",
    "httpd",
    "apache2",
    "httpd-foreground",
    "apache2-foreground",
    "caddy",
    "traefik",
    "envoy",
    "haproxy",
    "redis-server",
    "postgres",
    "mysqld",
    "mongod",
    "dotnet",
    "supervisord",
    "flask",
];

/// Whether the final image is a service: it `EXPOSE`s a port, names no command of its own
/// (the base image's, a server for every base a service is built on), or its command runs
/// a server, an application script or says where it listens. An image whose command is a CLI or a script without a port (`docker/compose`:
/// `ENTRYPOINT ["sh", "entrypoint.sh"]`) runs once and exits: a health check means nothing.
fn is_service(file: &Dockerfile) -> bool {
    if last_in_final(file, "EXPOSE").is_some() {
        return true;
    }
    let commands: Vec<&Instruction> = ["ENTRYPOINT", "CMD"]
        .iter()
        .filter_map(|k| last_in_final(file, k))
        .collect();
    commands.is_empty()
        || commands.iter().any(|instruction| {
            instruction
                .words
                .iter()
                .flat_map(|w| w.text.split_whitespace())
                .any(|w| {
                    let program = w.rsplit('/').next().unwrap_or(w);
                    SERVERS.contains(&program)
                        || SCRIPTS.iter().any(|ext| program.ends_with(ext))
                        || LISTENING.iter().any(|flag| w.starts_with(flag))
                })
        })
}

/// Files an interpreter runs as the application (`CMD ["server.js"]` on a distroless Node
/// image, `java -jar app.jar`).
const SCRIPTS: &[&str] = &[
    ".js", ".mjs", ".cjs", ".ts", ".py", ".jar", ".rb", ".php", ".dll",
];

/// Arguments that say the command listens (`jupyterhub --ip 0.0.0.0`, `--port 8000`).
const LISTENING: &[&str] = &["0.0.0.0", "--port", "--ip", "--host", "--bind", "--listen"];

/// DKR013: no `HEALTHCHECK` in the final image of a service (`HEALTHCHECK NONE` is a
/// decision and is accepted): Docker and Compose cannot tell a hung container from a
/// healthy one.
pub fn no_healthcheck(cx: &mut Context<'_, Dockerfile>) {
    let file = cx.content;
    let Some(stage) = file.final_stage() else {
        return;
    };
    if last_in_final(cx.content, "HEALTHCHECK").is_some() || !is_service(file) {
        return;
    }
    let Some(from) = file.from_of(stage) else {
        return;
    };
    cx.report(from.span, "HEALTHCHECK",
        "the final stage has no `HEALTHCHECK`: Docker, Compose and Swarm see a hung or half-started application as running and keep sending it traffic; add `HEALTHCHECK --interval=30s --timeout=3s CMD wget -qO- http://localhost:3000/health || exit 1`");
}

/// DKR016: the final image's `CMD`/`ENTRYPOINT` in shell form: `/bin/sh -c` becomes PID 1
/// and does not forward `SIGTERM`, so `docker stop` kills the app after the timeout.
pub fn shell_form_command(cx: &mut Context<'_, Dockerfile>) {
    for keyword in ["ENTRYPOINT", "CMD"] {
        let Some(instruction) = last_in_final(cx.content, keyword) else {
            continue;
        };
        let Arguments::Shell(line) = &instruction.arguments else {
            continue;
        };
        if line.is_empty() || line.starts_with("exec ") {
            continue;
        }
        cx.report(instruction.arguments_span(), keyword, msg!(
            "`{}` in shell form runs the app under `/bin/sh -c`, which does not pass `SIGTERM` on: `docker stop` waits its timeout and then kills the app without a graceful shutdown (open requests and transactions are cut); write the JSON form: `{} [\"node\", \"server.js\"]`",
            keyword, keyword));
    }
}
