//! NODE014: signing secrets written in the source (`jwt.sign(payload, 'secret')`,
//! `JwtModule.register({ secret: '…' })`, `session({ secret: '…' })`, the default of
//! `process.env.JWT_SECRET || '…'`). Whoever reads the repository can forge tokens and
//! sessions. The value is judged with the same classifier as `.env` secrets, and never
//! shown: the engine masks it in every output.

use crate::formats::javascript::JsModule;
use crate::message::{Message, Quote};
use crate::msg;
use crate::rules::Context;
use crate::secrets::{assess, js_secret_kind, SecretKind, Weakness};

/// NODE014: a string literal given to a signing secret.
pub fn hardcoded_secret(cx: &mut Context<'_, JsModule>) {
    for s in &cx.content.strings {
        if s.value.is_empty() || js_secret_kind(&s.name) != Some(SecretKind::Signing) {
            continue;
        }
        let how: Message = match assess(SecretKind::Signing, &s.value) {
            Some(Weakness::VendorExample(what)) => msg!("is {}", what),
            Some(Weakness::Placeholder(why)) => why.into(),
            Some(Weakness::TooShort { len, min }) => {
                msg!("is {} characters long (at least {} needed)", len, min)
            }
            Some(Weakness::LowEntropy { .. }) => "is predictable".into(),
            None => "looks random but is committed with the code".into(),
        };
        let name = s.name.split('#').next().unwrap_or(&s.name);
        cx.report(s.span, format!("secret.{name}"),
            msg!("a signing secret is written in the source (`{}`) and {}: everyone with the repository can forge tokens or session cookies; read it from the environment without a fallback (`process.env.JWT_SECRET`, failing at start when unset)", Quote::derived(s.name_span, name), how));
    }
}
