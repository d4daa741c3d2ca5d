//! NODE007–NODE013 and NODE015: Express/Nest server files. Calls are recognised by the
//! name their module is imported under (`const corsMiddleware = require('cors')` works) or
//! by the package's usual name, and option objects are followed through `const` names.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use crate::document::Document;
use crate::formats::javascript::{Call, JsModule, JsNode, JsValue};
use crate::msg;
use crate::rules::{Context, FactsContext, ScanFacts};
use crate::source::{FileRef, Span};

/// Whether `call` calls the default export of `package` (by its local or usual name).
fn calls_package(module: &JsModule, call: &Call, package: &str, usual: &[&str]) -> bool {
    !call.is_new
        && (module.local_name_of(package) == Some(call.callee.as_str())
            || usual.contains(&call.callee.as_str())
            || call
                .callee
                .strip_prefix("require().")
                .is_some_and(|name| name == package))
}

/// The object an argument is, following `const` names.
fn object_arg<'a>(module: &'a JsModule, call: &'a Call, index: usize) -> Option<&'a JsNode> {
    let arg = module.resolve(call.args.get(index)?);
    matches!(arg.value, JsValue::Object(_)).then_some(arg)
}

/// CORS configurations: `cors(options)`, Nest's `app.enableCors(options)` and
/// `NestFactory.create(Module, { cors })`, as (call, options; `None` = no options).
fn cors_configs(module: &JsModule) -> Vec<(&Call, Option<&JsNode>)> {
    let mut found = Vec::new();
    for call in &module.calls {
        if calls_package(module, call, "cors", &["cors"]) || call.method() == "enableCors" {
            found.push((call, call.args.first().map(|a| module.resolve(a))));
        } else if call.callee == "NestFactory.create" {
            if let Some(cors) = object_arg(module, call, 1).and_then(|o| o.get("cors")) {
                let cors = module.resolve(cors);
                match cors.value {
                    JsValue::Bool(true) => found.push((call, None)),
                    JsValue::Object(_) => found.push((call, Some(cors))),
                    _ => {}
                }
            }
        }
    }
    found
}

/// NODE007: CORS open to every origin (`cors()` without options, `origin: '*'`).
pub fn cors_wildcard(cx: &mut Context<'_, JsModule>) {
    let module = cx.content;
    for (call, options) in cors_configs(module) {
        let origin = options
            .and_then(|o| o.get("origin"))
            .map(|o| module.resolve(o));
        let at = match (options, origin) {
            (None, _) => call.span,
            (Some(o), None) if matches!(o.value, JsValue::Object(_)) => o.span,
            (Some(_), Some(origin)) if is_wildcard(origin) => origin.span,
            _ => continue,
        };
        cx.report(at, "cors.origin",
            "CORS allows every origin (`Access-Control-Allow-Origin: *`, the default of `cors()` without an `origin`): any website can read this API's responses from its visitors' browsers; list the allowed origins (`origin: ['https://app.example.com']`, or from an environment variable)");
    }
}

/// `'*'` or a list holding it.
fn is_wildcard(origin: &JsNode) -> bool {
    match &origin.value {
        JsValue::Str(s) => s == "*",
        JsValue::Array(items) => items.iter().any(|i| i.as_str() == Some("*")),
        _ => false,
    }
}

/// NODE008: CORS reflecting any origin (`origin: true`) with `credentials: true`.
pub fn cors_reflect_credentials(cx: &mut Context<'_, JsModule>) {
    let module = cx.content;
    for (_, options) in cors_configs(module) {
        let Some(options) = options else { continue };
        let origin = options.get("origin").map(|o| module.resolve(o));
        let credentials = options
            .get("credentials")
            .map(|c| module.resolve(c))
            .and_then(JsNode::as_bool);
        if let (Some(origin), Some(true)) = (origin, credentials) {
            if origin.as_bool() == Some(true) {
                cx.report(origin.span, "cors.origin",
                    "CORS reflects every origin (`origin: true`) and allows credentials: any website can make requests with the visitor's cookies and read the answers (account takeover through a malicious page); list the allowed origins explicitly");
            }
        }
    }
}

/// The calls that create the web application: `express()` and `NestFactory.create(…)`.
fn app_creations(module: &JsModule) -> Vec<&Call> {
    module
        .calls
        .iter()
        .filter(|c| {
            calls_package(module, c, "express", &["express"])
                || c.callee == "NestFactory.create"
                || c.callee.ends_with(".NestFactory.create")
        })
        .collect()
}

/// Whether a module uses helmet (imports it or calls a `helmet` function).
fn uses_helmet(module: &JsModule) -> bool {
    module.imports("helmet")
        || module
            .calls
            .iter()
            .any(|c| c.callee == "helmet" || c.method() == "helmet")
}

/// What one file tells NODE009: a `package.json` marks a project's folder; a server module
/// says whether it listens, whether it uses helmet, and where it creates apps.
pub enum Helmet {
    /// The folder of a scanned `package.json`.
    Project(PathBuf),
    /// A server module.
    Module {
        source: FileRef,
        listens: bool,
        uses_helmet: bool,
        apps: Vec<Span>,
    },
}

impl ScanFacts for Helmet {
    type Kind = Document;

    fn collect(doc: &Document, _: &Document) -> Option<Self> {
        if doc.as_package_json().is_some() {
            return Some(Self::Project(doc.source.path.parent()?.to_path_buf()));
        }
        let module = doc.as_javascript()?;
        Some(Self::Module {
            source: doc.file_ref(),
            listens: module.calls.iter().any(|c| c.method() == "listen"),
            uses_helmet: uses_helmet(module),
            apps: app_creations(module).iter().map(|c| c.span).collect(),
        })
    }

    /// NODE009: an Express or Nest app, in a project where some file listens, and no file
    /// of the project uses helmet. Per project (the files under the nearest scanned
    /// `package.json`, or the whole scan without one): the app is often created in
    /// `app.js` and started in `server.js`, and helmet may be applied in either.
    fn judge(facts: Vec<Self>, cx: &mut FactsContext<'_>) {
        let roots: HashSet<&Path> = facts
            .iter()
            .filter_map(|f| match f {
                Self::Project(root) => Some(root.as_path()),
                Self::Module { .. } => None,
            })
            .collect();
        // The nearest folder above the module holding a scanned `package.json`: a look-up
        // per folder up the path, so grouping costs O(modules × depth), not
        // O(modules × roots).
        let project_of = |source: &FileRef| {
            source
                .path()
                .ancestors()
                .skip(1)
                .find_map(|dir| roots.get(dir).copied())
        };
        type Member<'f> = (&'f FileRef, bool, bool, &'f [Span]);
        let mut projects: BTreeMap<Option<&Path>, Vec<Member>> = BTreeMap::new();
        for fact in &facts {
            if let Self::Module {
                source,
                listens,
                uses_helmet,
                apps,
            } = fact
            {
                projects.entry(project_of(source)).or_default().push((
                    source,
                    *listens,
                    *uses_helmet,
                    apps,
                ));
            }
        }
        for members in projects.into_values() {
            let listens = members.iter().any(|m| m.1);
            if !listens || members.iter().any(|m| m.2) {
                continue;
            }
            for (source, _, _, apps) in members {
                for &span in apps {
                    cx.report_in(source, span, "helmet",
                        "no helmet anywhere in this server: responses go out without the baseline security headers (Content-Security-Policy, Strict-Transport-Security, X-Content-Type-Options, frame protection) and with `X-Powered-By: Express`; add `app.use(helmet())` right after creating the app");
                }
            }
        }
    }
}

/// Cookie options in a file: express-session's `cookie`, cookie-session's options and
/// `res.cookie(name, value, options)`.
struct CookieOptions<'a> {
    /// What sets them, for messages.
    what: &'static str,
    /// The options object, when there is one.
    options: Option<&'a JsNode>,
    /// Where to report when an option is absent.
    at: Span,
    /// Whether the library sends `HttpOnly` unless told otherwise.
    http_only_by_default: bool,
}

/// Whether argument `index` of `call` is given but is no object literal preflight can read
/// (`session(sessionOptions())`): its options are unknown, and judging them absent is wrong.
fn opaque_arg(module: &JsModule, call: &Call, index: usize) -> bool {
    call.args.get(index).is_some() && object_arg(module, call, index).is_none()
}

/// Cookie options of every cookie whose options can be read; one built by code elsewhere
/// (`cookie: setupCookie()`) is left alone.
fn cookie_options(module: &JsModule) -> Vec<CookieOptions<'_>> {
    let mut found = Vec::new();
    for call in &module.calls {
        if calls_package(
            module,
            call,
            "express-session",
            &["session", "expressSession"],
        ) {
            if opaque_arg(module, call, 0) {
                continue;
            }
            let options = object_arg(module, call, 0);
            let cookie = options
                .and_then(|o| o.get("cookie"))
                .map(|c| module.resolve(c));
            if cookie.is_some_and(|c| !matches!(c.value, JsValue::Object(_))) {
                continue;
            }
            found.push(CookieOptions {
                what: "the express-session cookie",
                options: cookie.filter(|c| matches!(c.value, JsValue::Object(_))),
                at: cookie.or(options).map_or(call.span, |n| n.span),
                http_only_by_default: true,
            });
        } else if calls_package(module, call, "cookie-session", &["cookieSession"]) {
            if opaque_arg(module, call, 0) {
                continue;
            }
            let options = object_arg(module, call, 0);
            found.push(CookieOptions {
                what: "the cookie-session cookie",
                options,
                at: options.map_or(call.span, |o| o.span),
                http_only_by_default: true,
            });
        } else if call.method() == "cookie"
            && matches!(
                crate::secrets::last_part(call.receiver()),
                "res" | "response" | "reply"
            )
            && call.args.len() >= 2
            && !opaque_arg(module, call, 2)
        {
            let options = object_arg(module, call, 2);
            found.push(CookieOptions {
                what: "this cookie",
                options,
                at: options.map_or(call.span, |o| o.span),
                http_only_by_default: false,
            });
        }
    }
    found
}

/// The option `key` of cookie options, resolved.
fn option<'a>(module: &'a JsModule, c: &CookieOptions<'a>, key: &str) -> Option<&'a JsNode> {
    c.options
        .and_then(|o| o.get(key))
        .map(|v| module.resolve(v))
}

/// NODE010: a session or cookie without `secure: true`.
pub fn cookie_not_secure(cx: &mut Context<'_, JsModule>) {
    let module = cx.content;
    for c in cookie_options(module) {
        let secure = option(module, &c, "secure");
        let insecure = matches!(secure.map(|s| &s.value), None | Some(JsValue::Bool(false)));
        if insecure {
            let at = secure.map_or(c.at, |s| s.span);
            cx.report(at, "cookie.secure",
                msg!("{} is sent without `Secure`: browsers also send it over plain HTTP, where anyone on the network can steal the session; set `secure: true` (with `app.set('trust proxy', 1)` behind a TLS-terminating proxy)", c.what));
        }
    }
}

/// NODE011: a session or cookie readable from JavaScript (`httpOnly: false`, or a
/// `res.cookie` without `httpOnly: true`).
pub fn cookie_not_http_only(cx: &mut Context<'_, JsModule>) {
    let module = cx.content;
    for c in cookie_options(module) {
        let http_only = option(module, &c, "httpOnly");
        let readable = match http_only.map(|h| &h.value) {
            None => !c.http_only_by_default,
            Some(JsValue::Bool(false)) => true,
            _ => false,
        };
        if readable {
            let at = http_only.map_or(c.at, |h| h.span);
            cx.report(at, "cookie.httpOnly",
                msg!("{} is readable from JavaScript (no `HttpOnly`): one XSS bug is enough to steal it; set `httpOnly: true`", c.what));
        }
    }
}

/// NODE012: a session or cookie without `sameSite`.
pub fn cookie_no_same_site(cx: &mut Context<'_, JsModule>) {
    let module = cx.content;
    for c in cookie_options(module) {
        let same_site = option(module, &c, "sameSite");
        let none = same_site.is_some_and(|s| {
            matches!(&s.value, JsValue::Bool(false))
                || s.as_str().is_some_and(|v| v.eq_ignore_ascii_case("none"))
        });
        if same_site.is_none() || none {
            let at = same_site.map_or(c.at, |s| s.span);
            cx.report(at, "cookie.sameSite",
                msg!("{} has no `SameSite` restriction: it is sent on cross-site requests, which leaves state-changing routes open to CSRF; set `sameSite: 'lax'` (or `'strict'`)", c.what));
        }
    }
}

/// NODE013: express-session without a `store` (the in-process MemoryStore).
pub fn session_memory_store(cx: &mut Context<'_, JsModule>) {
    let module = cx.content;
    for call in &module.calls {
        if !calls_package(
            module,
            call,
            "express-session",
            &["session", "expressSession"],
        ) {
            continue;
        }
        let store = object_arg(module, call, 0).and_then(|o| o.get("store"));
        if store.is_none() {
            cx.report(call.span, "session.store",
                "express-session has no `store`, so it uses MemoryStore: it leaks memory, loses every session on restart and is not shared between cluster workers or PM2 instances (express-session warns about it in production); use a store such as connect-redis or connect-pg-simple");
        }
    }
}

/// Whether a host argument means every interface.
fn all_interfaces(host: &JsNode) -> Option<bool> {
    match &host.value {
        JsValue::Str(h) => Some(matches!(h.as_str(), "0.0.0.0" | "::" | "" | "[::]")),
        JsValue::Env {
            default: Some(d), ..
        } => all_interfaces(d),
        _ => None,
    }
}

/// NODE015: `listen` on every interface (no host, or `0.0.0.0`) in a file that never sets
/// `trust proxy` (info).
pub fn listen_all_interfaces(cx: &mut Context<'_, JsModule>) {
    let module = cx.content;
    let trusts_proxy = module.calls.iter().any(|c| {
        matches!(c.method(), "set" | "enable")
            && c.args.first().and_then(JsNode::as_str) == Some("trust proxy")
    }) || module.strings.iter().any(|s| s.name == "trustProxy");
    if trusts_proxy {
        return;
    }
    for call in module.calls.iter().filter(|c| c.method() == "listen") {
        let first = call.args.first().map(|a| module.resolve(a));
        let host = match first.map(|f| &f.value) {
            Some(JsValue::Object(_)) => first.and_then(|f| f.get("host")),
            _ => call.args.get(1),
        }
        .map(|h| module.resolve(h));
        let every = match host {
            None => true,
            Some(h) if matches!(h.value, JsValue::Str(_) | JsValue::Env { .. }) => {
                all_interfaces(h).unwrap_or(false)
            }
            // A callback in the host's place: no host given.
            Some(h) => matches!(&h.value, JsValue::Other(k) if k.contains("function")),
        };
        if every {
            cx.report(call.span, "listen",
                "the server listens on every interface (no host, or 0.0.0.0) and the file never sets `trust proxy`: if it runs behind nginx, `req.ip`, `req.protocol` and `secure` cookies see the proxy instead of the client, and the app port is reachable around the proxy; bind to 127.0.0.1 behind a proxy and set `app.set('trust proxy', 1)`");
        }
    }
}
