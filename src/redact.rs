//! Keeping secret values out of every output, by position.
//!
//! Documents name the byte ranges that hold secrets ([`crate::formats::Format::sensitive`]);
//! the engine masks those ranges in code frames and hides any quote of a message that
//! touches one (see [`crate::message`]), and the snapshot writer replaces them. Nothing
//! searches for a secret's text: a short or common value blanks out nothing else.

use crate::source::Span;

/// `spans` sorted and merged, as [`mask`] and [`crate::message::overlaps`] expect.
pub use crate::source::merged;

/// Replaces every character inside `spans` (absolute offsets, sorted and merged by
/// [`merged`]) of `text` (which starts at absolute offset `base`) with `*`, keeping line
/// breaks so the frame keeps its shape. One pass over the text and the spans.
pub fn mask(text: &str, base: usize, spans: &[Span]) -> String {
    let spans = &spans[spans.partition_point(|s| s.end <= base)..];
    // Most snippets hold no secret: copied whole rather than a character at a time.
    if spans.first().is_none_or(|s| s.start >= base + text.len()) {
        return text.to_owned();
    }
    let mut spans = spans.iter().peekable();
    text.char_indices()
        .map(|(i, c)| {
            let at = base + i;
            while spans.peek().is_some_and(|s| s.end <= at) {
                spans.next();
            }
            if c != '\n' && spans.peek().is_some_and(|s| s.start <= at) {
                '*'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::dotenv::EnvFile;
    use crate::formats::Format;
    use crate::source::SourceFile;

    #[test]
    fn masks_secret_keys_url_passwords_and_tokens_only() {
        let text = "JWT_SECRET=abcdef\nNODE_ENV=production\nDATABASE_URL=postgres://u:pw123@h/db\nX=sk_live_51HxYz9Kq2Lm8Np4Rt\n";
        let source = SourceFile::from_bytes(".env".into(), ".env".into(), text.into());
        let env = EnvFile::parse(text);
        let spans = merged(Format::sensitive(&env, &source).into_iter().map(|s| s.span));
        let masked = mask(text, 0, &spans);
        assert_eq!(
            masked,
            "JWT_SECRET=******\nNODE_ENV=production\nDATABASE_URL=postgres://u:*****@h/db\nX=**************************\n"
        );
    }

    #[test]
    fn spans_are_merged_and_masked_in_one_pass() {
        let spans = merged([
            Span::new(8, 10),
            Span::new(2, 4),
            Span::new(3, 5),
            Span::new(6, 6),
        ]);
        assert_eq!(spans, [Span::new(2, 5), Span::new(8, 10)]);
        assert_eq!(mask("abcdefghijkl", 0, &spans), "ab***fgh**kl");
        assert_eq!(mask("efghij\nkl", 4, &spans), "*fgh**\nkl");
        // Text before, between or after the spans is shown as it is.
        assert_eq!(mask("ab", 0, &spans), "ab");
        assert_eq!(mask("fgh", 5, &spans), "fgh");
        assert_eq!(mask("klé\n", 10, &spans), "klé\n");
        assert_eq!(mask("hij", 7, &spans), "h**");
    }
}
