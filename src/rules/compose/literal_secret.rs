//! CMP003: a secret written into the Compose file, as a value or as an interpolation default.

use crate::formats::compose::{ComposeFile, EnvVar, Service};
use crate::message::{Decimals, Message, Quote};
use crate::msg;
use crate::rules::Context;
use crate::secrets::{assess, is_indirection, parse_url, secret_kind, SecretKind, Weakness};
use crate::source::Span;

/// CMP003: `POSTGRES_PASSWORD: CHANGE_THIS…`, `${DB_PASSWORD:-changeme}` or
/// `command: redis-server --requirepass …` puts a secret into a file that is committed, and the default one is what runs when the deploy
/// host forgets the variable. `${DB_PASSWORD}` and `${DB_PASSWORD:?…}` are not literal.
/// Values are judged by the shared secret checker; they are never printed.
pub fn check(cx: &mut Context<'_, ComposeFile>) {
    for service in &cx.content.services {
        let variables = service.environment.iter().map(|v| (v, Where::Environment));
        let args = service.build_args.iter().map(|v| (v, Where::BuildArgs));
        for (var, place) in variables.chain(args) {
            let Some(value) = &var.value else { continue };
            let template = value.template();
            if template.is_literal() {
                let literal = template.unset_value().unwrap_or_default();
                let written = Literal {
                    var,
                    place,
                    text: &literal,
                    span: value.span,
                    default: false,
                };
                judge(cx, service, written);
            } else {
                for (default, range) in template.literal_fallbacks() {
                    let span = value.span_of(range);
                    let written = Literal {
                        var,
                        place,
                        text: &default,
                        span,
                        default: true,
                    };
                    judge(cx, service, written);
                }
            }
        }
        command_line(cx, service);
    }
}

/// Where a variable is set.
#[derive(Clone, Copy)]
enum Where {
    Environment,
    BuildArgs,
}

/// A literal value written for a variable: its whole value, or a default inside it.
struct Literal<'v> {
    var: &'v EnvVar,
    place: Where,
    text: &'v str,
    span: Span,
    /// Whether it is an interpolation default (`${VAR:-text}`).
    default: bool,
}

/// A password on the `command:` line (`redis-server --requirepass CHANGE_THIS`),
/// found by the same reader of command lines that masks them.
fn command_line(cx: &mut Context<'_, ComposeFile>, service: &Service) {
    let source = cx.source();
    // A word can be found twice (an item read as a word and as a line of its own): one
    // finding per place.
    let spans = crate::redact::merged(
        service
            .command
            .iter()
            .flat_map(|command| command.sensitive().into_iter().map(|s| s.span)),
    );
    for span in spans {
        let written = source.slice(span);
        if written.contains('$') {
            continue;
        }
        let why = describe(SecretKind::Password, written);
        cx.report(span, format!("{}:command", service.name), msg!(
            "the command of service `{}` has a literal password on its command line{}: it is committed with the file and shown by `docker inspect` and `ps` on the host; read it from a file or the environment inside the container (`sh -c 'exec redis-server --requirepass \"$$REDIS_PASSWORD\"'` with `REDIS_PASSWORD` from an `env_file:`), or use the server's config file",
            service.quote(), why));
    }
}

/// Why a literal secret of `kind` is weak, as a clause for a message (empty when it looks
/// like a real secret, which is still one too many in a committed file).
fn describe(kind: SecretKind, literal: &str) -> Message {
    match assess(kind, literal) {
        Some(Weakness::VendorExample(what)) => msg!(", and it is the {}", what),
        Some(Weakness::Placeholder(why)) => msg!(", and it {}", why),
        Some(Weakness::TooShort { len: 0, .. }) => ", and it is empty".into(),
        Some(Weakness::TooShort { len, min }) => msg!(
            ", and it is only {} characters long (a {} needs {})",
            len,
            kind.noun(),
            min
        ),
        Some(Weakness::LowEntropy { bits, .. }) => msg!(
            ", and it is predictable (about {} bits of entropy)",
            Decimals(bits, 0)
        ),
        None => Message::new(),
    }
}

/// Reports `written`, the value of a variable (or a default written inside it), when it
/// is a secret.
fn judge(cx: &mut Context<'_, ComposeFile>, service: &Service, written: Literal) {
    let Literal {
        var,
        place,
        text: literal,
        span,
        default,
    } = written;
    if is_indirection(literal) {
        return;
    }
    let name = &var.name;
    let why = match secret_kind(name) {
        // An empty password or token is unset, as in the `.env` rules; an empty signing key
        // is not.
        Some(kind) if literal.is_empty() && kind != SecretKind::Signing => return,
        Some(kind) => describe(kind, literal),
        None => match parse_url(literal).and_then(|u| u.password) {
            Some((password, _)) if !password.is_empty() => " (a password inside a URL)".into(),
            _ => return,
        },
    };
    let shown = Quote::derived(var.name_span, name.as_str());
    let (label, section, also) = match place {
        Where::Environment => ("", "environment", ""),
        Where::BuildArgs => (
            "the build argument ",
            "build.args",
            ", and a build argument is recorded in `docker history` of the image",
        ),
    };
    let (what, key) = match default {
        false => (
            msg!(
                "{}`{}` of service `{}` is a literal secret written into the Compose file{}{}",
                label,
                &shown,
                service.quote(),
                why,
                also
            ),
            format!("{}:{section}:{name}", service.name),
        ),
        true => (
            msg!(
                "the default of {}`{}` of service `{}` is a literal secret written into the Compose file{}{}; it is what runs when the variable is not set on the deploy host",
                label,
                &shown,
                service.quote(),
                why,
                also
            ),
            format!("{}:{section}:{name}:default", service.name),
        ),
    };
    cx.report(span, key, msg!(
        "{}; the file is committed: take it from the environment with `{}: ${{{}:?set {}}}` (Compose refuses to start without it), an `env_file:` kept out of git, or Compose `secrets:`",
        what, &shown, &shown, &shown
    ));
}
