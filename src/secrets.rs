//! What a secret looks like, and what a weak one looks like.
//!
//! Shared by the rules (which judge secrets) and by redaction (which hides them from every
//! report), so that anything a rule treats as a secret is also never printed.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use regex::Regex;

/// What a secret-like key is used for; it decides how long and random its value must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    /// Keys that sign or encrypt (JWT/session secrets, `SECRET_KEY`, peppers): 32+ chars.
    Signing,
    /// Passwords and passphrases: 12+ chars.
    Password,
    /// API keys, tokens, credentials issued by a service: 16+ chars.
    Token,
}

impl SecretKind {
    /// The shortest value accepted for this kind of secret.
    pub const fn min_len(self) -> usize {
        match self {
            Self::Signing => 32,
            Self::Password => 12,
            Self::Token => 16,
        }
    }

    /// The least estimated entropy (bits) accepted for this kind of secret.
    pub const fn min_bits(self) -> f64 {
        match self {
            Self::Signing => 100.0,
            Self::Password => 40.0,
            Self::Token => 60.0,
        }
    }

    /// A word for messages.
    pub const fn noun(self) -> &'static str {
        match self {
            Self::Signing => "signing/encryption secret",
            Self::Password => "password",
            Self::Token => "API key or token",
        }
    }
}

/// Last name parts that make a key describe a secret rather than hold one
/// (`SSL_KEY_PATH`, `JWT_EXPIRES_IN`, `AWS_ACCESS_KEY_ID`, `PASSWORD_MIN_LENGTH`).
const NON_SECRET_SUFFIXES: &[&str] = &[
    "PATH",
    "FILE",
    "DIR",
    "ID",
    "URL",
    "URI",
    "HOST",
    "PORT",
    "USER",
    "USERNAME",
    "NAME",
    "TTL",
    "EXPIRY",
    "EXPIRES",
    "IN",
    "EXPIRATION",
    "LENGTH",
    "LEN",
    "ALGORITHM",
    "ALG",
    "TYPE",
    "REGION",
    "LIFETIME",
    "TIMEOUT",
    "ENABLED",
    "ENABLE",
    "HEADER",
    "PREFIX",
    "FORMAT",
    "VERSION",
    "COUNT",
    "SIZE",
    "ROUNDS",
    "ITERATIONS",
    "COST",
    "AGE",
    "DAYS",
    "HOURS",
    "MINUTES",
    "SECONDS",
    "MS",
    "NAMESPACE",
    "ISSUER",
    "AUDIENCE",
    "LOCATION",
    "MODE",
    "POLICY",
    "ENDPOINT",
    "DOMAIN",
    "SCOPE",
    "EMAIL",
    "FIELD",
    "PARAM",
    "SERVICE",
    "PROVIDER",
    "STRATEGY",
    "STORE",
    "BACKEND",
    "ENGINE",
    "ENV",
    "LIMIT",
    "MIN",
    "MAX",
    "REQUIRED",
    "RESET",
    "ROTATION",
    "POLICY",
    "CHARS",
    "HASH",
    "FINGERPRINT",
    "FINGERPRINTS",
    "CHECKSUM",
    "CHECKSUMS",
    "DIGEST",
    "SHA",
    "SHA1",
    "SHA256",
    "SHA512",
    "SHA256SUM",
    "SHASUM",
    "MD5",
    "HASHER",
    "HASHERS",
    "VALIDATORS",
];

/// Words one of which every name [`secret_kind`] takes for a secret contains, in any case.
/// Most names a scan meets (every key of every YAML file) contain none, and are let go
/// without the allocations of the full classification.
static SECRET_NAME_WORDS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(SECRET_NAME_WORD_LIST)
        .expect("fixed words")
});

/// The words of [`SECRET_NAME_WORDS`]; [`has_secret_name_word`] spells them out again, and a
/// test holds the two to the same list.
const SECRET_NAME_WORD_LIST: [&str; 10] = [
    "PASS",
    "PW",
    "SECRET",
    "PEPPER",
    "SALT",
    "SIGNING",
    "HMAC",
    "KEY",
    "TOKEN",
    "CREDENTIAL",
];

/// Classifies an environment variable name: `Some` when its value is a secret.
pub fn secret_kind(key: &str) -> Option<SecretKind> {
    if !has_secret_name_word(key) {
        return None;
    }
    classified_before(key, classify_name)
}

/// Names of at most this many bytes are remembered by [`classified_before`].
const REMEMBERED_NAME_BYTES: usize = 64;

/// Each thread remembers up to this many names, and forgets them all when full.
const REMEMBERED_NAMES: usize = 1024;

/// `classify(key)`, remembered per thread: a scan asks about the same few names over and
/// over (`DB_PASSWORD` in every `.env`, Compose file and manifest, by the parser, the
/// masking of snippets and the rules), and the full classification upper-cases and splits
/// the name each time. Bounded: long names are not kept, and the table is emptied when it
/// holds [`REMEMBERED_NAMES`].
fn classified_before(
    key: &str,
    classify: impl FnOnce(&str) -> Option<SecretKind>,
) -> Option<SecretKind> {
    use std::cell::RefCell;
    use std::collections::HashMap;
    thread_local! {
        static KNOWN: RefCell<HashMap<Box<str>, Option<SecretKind>>> =
            RefCell::new(HashMap::new());
    }
    if key.len() > REMEMBERED_NAME_BYTES {
        return classify(key);
    }
    KNOWN.with(|known| {
        if let Some(kind) = known.borrow().get(key) {
            return *kind;
        }
        let kind = classify(key);
        let mut known = known.borrow_mut();
        if known.len() >= REMEMBERED_NAMES {
            known.clear();
        }
        known.insert(key.into(), kind);
        kind
    })
}

/// Whether `key` holds one of [`SECRET_NAME_WORDS`]. Names are short: a look at each byte's
/// letter is cheaper than setting up the automaton's search for each of them.
fn has_secret_name_word(key: &str) -> bool {
    let bytes = key.as_bytes();
    let rest_is = |at: usize, word: &[u8]| {
        bytes
            .get(at..at + word.len())
            .is_some_and(|b| b.eq_ignore_ascii_case(word))
    };
    // `| 0x20` lower-cases an ASCII letter and makes no other byte a letter.
    bytes.iter().enumerate().any(|(i, &b)| match b | 0x20 {
        b'p' => rest_is(i + 1, b"w") || rest_is(i + 1, b"ass") || rest_is(i + 1, b"epper"),
        b's' => rest_is(i + 1, b"ecret") || rest_is(i + 1, b"alt") || rest_is(i + 1, b"igning"),
        b'h' => rest_is(i + 1, b"mac"),
        b'k' => rest_is(i + 1, b"ey"),
        b't' => rest_is(i + 1, b"oken"),
        b'c' => rest_is(i + 1, b"redential"),
        _ => false,
    })
}

/// [`secret_kind`] without its quick test.
fn classify_name(key: &str) -> Option<SecretKind> {
    let upper = key.to_ascii_uppercase();
    let parts: Vec<&str> = upper
        .split(['_', '.', '-'])
        .filter(|p| !p.is_empty())
        .collect();
    let last = *parts.last()?;
    // `MYSQL_RANDOM_ROOT_PASSWORD=yes`, `ALLOW_EMPTY_PASSWORD=yes` (Docker images' flags)
    // say how a secret is made, and hold none.
    if NON_SECRET_SUFFIXES.contains(&last)
        || parts.iter().any(|p| {
            matches!(
                *p,
                "PUBLIC" | "PUBLISHABLE" | "PUB" | "ALLOW" | "EMPTY" | "RANDOM"
            )
        })
    {
        return None;
    }
    let has = |word: &str| parts.contains(&word);
    // `GPG_KEY`, `PGP_KEYS`: the fingerprints of the public keys a download is verified
    // with (Docker's official images set `ENV GPG_KEY <fingerprint>`); a private key or its
    // passphrase is named so (`GPG_PRIVATE_KEY`, `GPG_PASSPHRASE`).
    if ["GPG", "PGP", "GNUPG"].iter().any(|w| has(w))
        && !["PRIVATE", "SECRET", "PASSPHRASE", "PASSWORD"]
            .iter()
            .any(|w| parts.iter().any(|p| p.contains(w)))
    {
        return None;
    }
    if parts
        .iter()
        .any(|p| p.contains("PASSWORD") || p.contains("PASSWD"))
        || has("PASS")
        || has("PWD")
        || has("PW")
        || has("PASSPHRASE")
    {
        return Some(SecretKind::Password);
    }
    if has("CLIENT") && parts.iter().any(|p| p.contains("SECRET")) {
        return Some(SecretKind::Token);
    }
    if parts.iter().any(|p| p.contains("SECRET"))
        || has("PEPPER")
        || has("SALT")
        || has("SIGNING")
        || has("HMAC")
        || (has("KEY")
            && (has("ENCRYPTION")
                || has("ENCRYPT")
                || has("APP")
                || has("MASTER")
                || has("SESSION")
                || has("COOKIE")
                || has("JWT")))
    {
        return Some(SecretKind::Signing);
    }
    // `CACHE_KEY=v2`, `SORT_KEY=created_at`, `ROUTING_KEY=orders.*`: a key that looks a
    // value up or orders it, not one that opens anything.
    let lookup_key = |i: usize| {
        i > 0
            && matches!(
                parts[i - 1],
                "CACHE"
                    | "SORT"
                    | "PARTITION"
                    | "PRIMARY"
                    | "FOREIGN"
                    | "ROUTING"
                    | "SHARD"
                    | "IDEMPOTENCY"
                    | "INDEX"
                    | "LOOKUP"
                    | "OBJECT"
            )
    };
    let credential_key = parts
        .iter()
        .enumerate()
        .any(|(i, p)| *p == "KEY" && !lookup_key(i));
    if parts.iter().any(|p| p.contains("TOKEN"))
        || credential_key
        || has("APIKEY")
        || parts.iter().any(|p| p.starts_with("CREDENTIAL"))
    {
        return Some(SecretKind::Token);
    }
    None
}

/// Values that point at a secret kept elsewhere rather than being one.
pub fn is_indirection(value: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "/",
        "./",
        "../",
        "~/",
        "file:",
        "op://",
        "vault:",
        "arn:aws:",
        "secret://",
        "sm://",
        "projects/",
        "azurekeyvault:",
        "doppler:",
        "${",
        "$(",
    ];
    PREFIXES.iter().any(|p| value.starts_with(p))
}

/// Words that descriptive placeholder text is made of (`your_very_secure_jwt_secret_64_chars`).
const PLACEHOLDER_WORDS: &[&str] = &[
    "a",
    "access",
    "admin",
    "api",
    "app",
    "auth",
    "change",
    "characters",
    "chars",
    "database",
    "db",
    "default",
    "email",
    "encryption",
    "enter",
    "generate",
    "generated",
    "grafana",
    "here",
    "insert",
    "jwt",
    "key",
    "long",
    "mail",
    "me",
    "min",
    "minimum",
    "my",
    "new",
    "pass",
    "passphrase",
    "password",
    "put",
    "qr",
    "random",
    "redis",
    "refresh",
    "replace",
    "s3",
    "secret",
    "secure",
    "session",
    "set",
    "smtp",
    "some",
    "string",
    "strong",
    "super",
    "the",
    "this",
    "to",
    "token",
    "user",
    "value",
    "very",
    "with",
    "your",
    "yours",
];

/// A placeholder marker and how a message describes a value containing it: the marker
/// without the `_` that ties it to a word, written out here so that the description is
/// preflight's own text and never a slice of the value.
macro_rules! marker {
    ($marker:literal, $shown:literal) => {
        (
            $marker,
            concat!("contains the placeholder text `", $shown, "`"),
        )
    };
}

/// Substrings that only placeholder text contains, with their descriptions.
const PLACEHOLDER_MARKERS: &[(&str, &str)] = &[
    marker!("change_this", "change_this"),
    marker!("changethis", "changethis"),
    marker!("change_me", "change_me"),
    marker!("changeme", "changeme"),
    marker!("changeit", "changeit"),
    marker!("change_it", "change_it"),
    marker!("replace_me", "replace_me"),
    marker!("replaceme", "replaceme"),
    marker!("your_", "your"),
    marker!("_here", "here"),
    marker!("xxxx", "xxxx"),
    marker!("example", "example"),
    marker!("todo", "todo"),
    marker!("fixme", "fixme"),
    marker!("placeholder", "placeholder"),
    marker!("dummy", "dummy"),
    marker!("lorem", "lorem"),
    marker!("insert_", "insert"),
    marker!("put_your", "put_your"),
    marker!("...", "..."),
];

/// All markers in one automaton: a value is searched once, not once per marker.
static PLACEHOLDER_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    let alternatives: Vec<String> = PLACEHOLDER_MARKERS
        .iter()
        .map(|(m, _)| regex::escape(m))
        .collect();
    Regex::new(&alternatives.join("|")).expect("markers are literals")
});

/// Passwords every cracking list starts with.
const COMMON_PASSWORDS: &[&str] = &[
    "password",
    "passw0rd",
    "pass",
    "secret",
    "admin",
    "root",
    "test",
    "testing",
    "default",
    "changeme",
    "letmein",
    "welcome",
    "qwerty",
    "123456",
    "12345678",
    "123456789",
    "1234567890",
    "postgres",
    "mysql",
    "redis",
    "guest",
    "master",
    "toor",
    "abc123",
    "iloveyou",
    "dragon",
    "monkey",
    "trustno1",
    "p@ssw0rd",
    "p@ssword",
    "secret123",
    "password1",
    "password123",
    "admin123",
    "django-insecure",
    "keyboard cat",
    "supersecret",
    "mysecret",
    "s3cr3t",
];

/// Credentials published in vendors' own documentation: valid-looking, known to everyone.
const VENDOR_EXAMPLES: &[(&str, &str)] = &[
    ("AKIAIOSFODNN7EXAMPLE", "AWS documentation access key id"),
    (
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AWS documentation secret access key",
    ),
    ("AKIAI44QH8DHBEXAMPLE", "AWS documentation access key id"),
    (
        "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
        "AWS documentation secret access key",
    ),
    (
        "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
        "Stripe documentation test key",
    ),
    (
        "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
        "Stripe documentation test key",
    ),
    (
        "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
        "GitHub documentation token",
    ),
    (
        "xoxb-not-a-real-token-this-will-not-work",
        "Slack documentation token",
    ),
    (
        "django-insecure-",
        "development key Django's `startproject` generates (`django-insecure-…`)",
    ),
];

/// Why a secret value is weak, most specific first.
#[derive(Debug, Clone, PartialEq)]
pub enum Weakness {
    /// A credential from a vendor's documentation.
    VendorExample(&'static str),
    /// Placeholder text (`CHANGE_THIS`, `your_secret_here`) or a well-known password, as a
    /// clause for a message ("is a well-known placeholder").
    Placeholder(&'static str),
    /// Shorter than the kind requires (or empty).
    TooShort { len: usize, min: usize },
    /// Long enough, but predictable: few distinct characters or low estimated entropy.
    LowEntropy { bits: f64, distinct: usize },
}

/// Judges one secret value of the given kind. `None` means it looks like a real secret.
pub fn assess(kind: SecretKind, value: &str) -> Option<Weakness> {
    if let Some(redacted) = Redacted::parse(value) {
        // What the live host's value was judged on, kept by the snapshot; an older marker
        // kept only the length, so the secret is unknown and not judged.
        let facts = redacted.facts?;
        return judged(
            kind,
            facts.weakness,
            redacted.chars,
            facts.distinct,
            facts.bits,
        );
    }
    let flagged = vendor_example(value)
        .map(Weakness::VendorExample)
        .or_else(|| placeholder(value).map(Weakness::Placeholder));
    let len = value.chars().count();
    judged(
        kind,
        flagged,
        len,
        distinct_chars(value),
        entropy_bits(value),
    )
}

/// The judgement on a secret from what it is measured by, so a live value and its
/// redaction in a saved snapshot are judged the same way.
fn judged(
    kind: SecretKind,
    flagged: Option<Weakness>,
    len: usize,
    distinct: usize,
    bits: f64,
) -> Option<Weakness> {
    if flagged.is_some() {
        return flagged;
    }
    if len < kind.min_len() {
        return Some(Weakness::TooShort {
            len,
            min: kind.min_len(),
        });
    }
    if distinct < 5 || bits < kind.min_bits() {
        return Some(Weakness::LowEntropy { bits, distinct });
    }
    None
}

/// The clauses [`placeholder`] says a value is, by number, so a redaction can name one.
fn placeholder_clauses() -> impl Iterator<Item = &'static str> {
    [
        "is a `<…>` placeholder",
        "is placeholder text",
        "is a well-known placeholder",
        "is a well-known default password",
        "is descriptive text",
        "is an instruction to replace it",
    ]
    .into_iter()
    .chain(PLACEHOLDER_MARKERS.iter().map(|(_, described)| *described))
}

/// What a saved host snapshot writes instead of a secret: never a character of it, but what
/// the secret rules judge it by, so a re-checked snapshot reports exactly what the live
/// audit did: its length, its number of distinct characters, its estimated entropy, whether
/// it is a vendor's example or placeholder text (by number), and an identity keyed with
/// `key` (random for each saved snapshot and not kept), so one secret used twice is still
/// seen as reuse, and nothing can be guessed from it. No `:` (which separates the fields of
/// `/etc/shadow` and `/etc/passwd`), no space, quote or `#`.
pub fn redacted_placeholder(secret: &str, key: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let mut identity = Sha256::new();
    identity.update(key);
    identity.update(secret.as_bytes());
    let identity: String = identity.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut out = format!(
        "[redacted-{}chars-id{identity}-{}distinct-{}bits",
        secret.chars().count(),
        distinct_chars(secret),
        entropy_bits(secret)
    );
    if let Some(what) = vendor_example(secret) {
        let number = VENDOR_EXAMPLES.iter().position(|(_, w)| *w == what);
        out.push_str(&format!("-example{}", number.unwrap_or(0)));
    } else if let Some(clause) = placeholder(secret) {
        let number = placeholder_clauses().position(|c| c == clause);
        out.push_str(&format!("-placeholder{}", number.unwrap_or(1)));
    }
    out.push(']');
    out
}

/// A secret as a saved snapshot wrote it ([`redacted_placeholder`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Redacted {
    /// How many characters the secret had.
    pub chars: usize,
    /// What it was judged by; `None` in markers written before 2026-12, which kept only the
    /// length.
    pub facts: Option<RedactedFacts>,
}

/// What a redaction keeps of a secret besides its length.
#[derive(Debug, Clone, PartialEq)]
pub struct RedactedFacts {
    /// The keyed identity: equal for equal secrets of one snapshot.
    pub identity: String,
    pub distinct: usize,
    pub bits: f64,
    /// A vendor's example or placeholder text.
    pub weakness: Option<Weakness>,
}

impl Redacted {
    /// Reads a marker; `None` for any other value.
    pub fn parse(value: &str) -> Option<Self> {
        // `[redacted:N…` is how snapshots saved before 2026-12 wrote it.
        let rest = value
            .strip_prefix("[redacted-")
            .or_else(|| value.strip_prefix("[redacted:"))?
            .strip_suffix(']')?;
        let mut parts = rest.split('-');
        let chars = parts.next()?.strip_suffix("chars")?;
        if chars.is_empty() || !chars.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let chars = chars.parse().ok()?;
        let Some(identity) = parts.next() else {
            return Some(Self { chars, facts: None });
        };
        let identity = identity.strip_prefix("id")?.to_owned();
        let distinct = parts.next()?.strip_suffix("distinct")?.parse().ok()?;
        let bits = parts.next()?.strip_suffix("bits")?.parse().ok()?;
        let weakness = match parts.next() {
            None => None,
            Some(part) => Some(if let Some(n) = part.strip_prefix("example") {
                Weakness::VendorExample(VENDOR_EXAMPLES.get(n.parse::<usize>().ok()?)?.1)
            } else {
                let n = part.strip_prefix("placeholder")?.parse().ok()?;
                Weakness::Placeholder(placeholder_clauses().nth(n)?)
            }),
        };
        if parts.next().is_some() {
            return None;
        }
        Some(Self {
            chars,
            facts: Some(RedactedFacts {
                identity,
                distinct,
                bits,
                weakness,
            }),
        })
    }
}

/// Whether `value` is what [`redacted_placeholder`] wrote.
pub fn is_redacted_placeholder(value: &str) -> bool {
    Redacted::parse(value).is_some()
}

/// Which vendor's documentation a value was copied from, if any. Checked on every value,
/// not only secret-like keys: `SMTP_USER=AKIAIOSFODNN7EXAMPLE` is still AWS's example.
pub fn vendor_example(value: &str) -> Option<&'static str> {
    // The first example of the list the value holds: all are looked for in one search, and
    // the lowest-numbered one found is the first.
    VENDOR_EXAMPLE_SEARCH
        .find_overlapping_iter(value)
        .map(|found| found.pattern().as_usize())
        .min()
        .map(|i| VENDOR_EXAMPLES[i].1)
}

/// All of [`VENDOR_EXAMPLES`] in one automaton, found overlapping so that none hides another.
static VENDOR_EXAMPLE_SEARCH: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::new(VENDOR_EXAMPLES.iter().map(|(example, _)| example)).expect("fixed examples")
});

/// [`vendor_example`] one example at a time, as it was first written.
#[cfg(test)]
fn vendor_example_one_by_one(value: &str) -> Option<&'static str> {
    VENDOR_EXAMPLES
        .iter()
        .find(|(v, _)| v.len() <= value.len() && value.contains(v))
        .map(|(_, what)| *what)
}

/// Why a value is placeholder text, as a clause for a message ("contains the placeholder
/// text `your`"), never quoting the value.
pub fn placeholder(value: &str) -> Option<&'static str> {
    let lower = value.to_ascii_lowercase().replace(['-', ' '], "_");
    if lower.starts_with('<') && lower.ends_with('>') {
        return Some("is a `<…>` placeholder");
    }
    if let Some(found) = PLACEHOLDER_MARKER.find(&lower) {
        let (marker, described) = PLACEHOLDER_MARKERS
            .iter()
            .find(|(m, _)| *m == found.as_str())
            .copied()
            .unwrap_or(("", "is placeholder text"));
        // When the marker is the whole value, naming it would print the value.
        return Some(if lower.trim_matches('_') == marker.trim_matches('_') {
            "is a well-known placeholder"
        } else {
            described
        });
    }
    let bare = lower.trim_matches(|c: char| c.is_ascii_digit() || c == '!' || c == '_');
    if COMMON_PASSWORDS.contains(&lower.as_str()) || COMMON_PASSWORDS.contains(&bare) {
        return Some("is a well-known default password");
    }
    let words: Vec<&str> = lower.split(['_', '.']).filter(|w| !w.is_empty()).collect();
    let all_words = words
        .iter()
        .all(|w| PLACEHOLDER_WORDS.contains(w) || w.chars().all(|c| c.is_ascii_digit()));
    if words.len() >= 2 && all_words && words.iter().any(|w| !w.chars().all(|c| c.is_ascii_digit()))
    {
        return Some("is descriptive text");
    }
    is_instruction(value).then_some("is an instruction to replace it")
}

/// Words that open a sentence telling the reader what to write instead
/// ("replace this with a long random string", "Set your own key here.").
const INSTRUCTION_VERBS: &[&str] = &[
    "add", "change", "enter", "fill", "generate", "insert", "paste", "provide", "put", "replace",
    "set", "update", "use", "write",
];

/// Whether `value` is a sentence of three words or more (letters only, ending punctuation
/// aside) that starts with an instruction: a placeholder whatever its length. A passphrase
/// (`correct horse battery staple`) does not start with one.
fn is_instruction(value: &str) -> bool {
    let words: Vec<&str> = value.split_whitespace().collect();
    let first = words.first().map(|w| w.to_ascii_lowercase());
    words.len() >= 3
        && first.is_some_and(|w| INSTRUCTION_VERBS.contains(&w.as_str()))
        && words.iter().all(|w| {
            w.trim_end_matches(['.', ',', '!', ':', ';'])
                .chars()
                .all(|c| c.is_alphabetic() || c == '-' || c == '\'')
        })
}

/// How many different characters a value has (Django refuses `SECRET_KEY`s with fewer than 5).
pub fn distinct_chars(value: &str) -> usize {
    // Nearly every value is ASCII: a bit per byte value counts them without sorting.
    if value.is_ascii() {
        let seen = value.bytes().fold(0u128, |seen, b| seen | 1 << b);
        return seen.count_ones() as usize;
    }
    distinct_chars_by_sorting(value)
}

/// [`distinct_chars`] for any value.
fn distinct_chars_by_sorting(value: &str) -> usize {
    let mut seen: Vec<char> = value.chars().collect();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

/// Shannon entropy of the value's characters times its length: a rough upper bound on how
/// many bits an attacker has to guess, good enough to tell `aaaa…` from random output.
pub fn entropy_bits(value: &str) -> f64 {
    if value.is_empty() {
        return 0.0;
    }
    let n = value.chars().count() as f64;
    let term = |count: usize| {
        let p = count as f64 / n;
        -p * p.log2()
    };
    // The counts of the distinct characters in ascending order, summed in that order. An
    // ASCII value (nearly every one) is counted by byte, without collecting and sorting.
    let per_char: f64 = if value.is_ascii() {
        let mut counts = [0usize; 128];
        for byte in value.bytes() {
            counts[usize::from(byte)] += 1;
        }
        counts.into_iter().filter(|&c| c > 0).map(term).sum()
    } else {
        let mut sorted: Vec<char> = value.chars().collect();
        sorted.sort_unstable();
        sorted
            .chunk_by(|a, b| a == b)
            .map(|run| term(run.len()))
            .sum()
    };
    // One repeated character sums to -0.0, which would print as "-0 bits".
    (per_char * n).abs()
}

/// Whether an unlabelled value looks like a generated credential (used to redact values of
/// keys that do not look secret, e.g. `STRIPE=sk_live_…`).
pub fn looks_like_token(value: &str) -> bool {
    // Asked of nearly every value of a scan. Fewer than 20 bytes is fewer than 20 characters.
    if value.len() < 20 {
        return false;
    }
    let Some(chars) = token_shaped(value) else {
        return false;
    };
    chars >= 20
        && !is_public_digest(value)
        && !value.contains("://")
        && !is_indirection(value)
        && entropy_bits(value) / chars as f64 >= 3.5
}

/// How many characters `value` has, when it has no blank, a digit and a letter.
fn token_shaped(value: &str) -> Option<usize> {
    if !value.is_ascii() {
        let shaped = !value.contains(char::is_whitespace)
            && value.chars().any(|c| c.is_ascii_digit())
            && value.chars().any(|c| c.is_ascii_alphabetic());
        return shaped.then(|| value.chars().count());
    }
    // An ASCII value's bytes are its characters: one pass over them finds a blank (which
    // rules it out), a digit and a letter, without decoding characters three times.
    let (mut digit, mut letter) = (false, false);
    for byte in value.bytes() {
        match byte {
            // What `char::is_whitespace` is true of below 0x80.
            b'\t'..=b'\r' | b' ' => return None,
            b'0'..=b'9' => digit = true,
            b'a'..=b'z' | b'A'..=b'Z' => letter = true,
            _ => {}
        }
    }
    (digit && letter).then_some(value.len())
}

/// [`looks_like_token`] as it was first written, character by character: what the test
/// holds the one above to.
#[cfg(test)]
fn looks_like_token_by_chars(value: &str) -> bool {
    if value.len() < 20 || value.contains(char::is_whitespace) {
        return false;
    }
    let len = value.chars().count();
    len >= 20
        && !is_public_digest(value)
        && !value.contains("://")
        && !is_indirection(value)
        && value.chars().any(|c| c.is_ascii_digit())
        && value.chars().any(|c| c.is_ascii_alphabetic())
        && entropy_bits(value) / len as f64 >= 3.5
}

/// Whether an unlabelled value is a content digest in the form that says so:
/// `sha256:<hex>` (or -384, -512) or an image pinned by digest (`nginx@sha256:<hex>`).
/// Bare hex stays a token: `openssl rand -hex 32` writes secrets that look exactly like a
/// SHA-256 checksum, and a value is masked unless it is known not to be a secret.
pub fn is_public_digest(value: &str) -> bool {
    // Asked of most long values, nearly all without a `:`: one byte search lets them go.
    if memchr::memchr(b':', value.as_bytes()).is_none() {
        return false;
    }
    let hex = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit());
    let digest = value.rsplit_once('@').map_or(value, |(_, d)| d);
    match digest.split_once(':') {
        Some(("sha256", h)) => hex(h, 64),
        Some(("sha384", h)) => hex(h, 96),
        Some(("sha512", h)) => hex(h, 128),
        _ => false,
    }
}

/// The parts of a connection URL a security rule looks at, with byte offsets into the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlParts<'a> {
    /// Lower-cased scheme (`postgresql`, `rediss`, …): as written when it is (most are).
    pub scheme: std::borrow::Cow<'a, str>,
    /// The host name, without port or brackets.
    pub host: &'a str,
    /// The password, from the userinfo or a `password=` query parameter.
    pub password: Option<(&'a str, std::ops::Range<usize>)>,
    /// The query string, without `?`.
    pub query: &'a str,
}

impl UrlParts<'_> {
    /// The value of a query parameter (case-insensitive name).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            k.eq_ignore_ascii_case(name).then_some(v)
        })
    }

    /// Whether the host is this machine (loopback, a unix socket) or a single-label service
    /// name on a private container network (`postgres`, `redis`), where traffic need not
    /// leave the host.
    pub fn host_is_local(&self) -> bool {
        let host = self.host.trim_start_matches('[').trim_end_matches(']');
        host.is_empty()
            || host.eq_ignore_ascii_case("localhost")
            || host.starts_with("127.")
            || host == "::1"
            || host.starts_with('%')
            || self
                .param("host")
                .is_some_and(|h| h.starts_with('/') || h.starts_with("%2F"))
            || (!host.contains('.') && !host.contains(':'))
    }
}

fn query_password(query: &str, query_start: usize) -> Option<(&str, std::ops::Range<usize>)> {
    let mut offset = query_start;
    for pair in query.split('&') {
        if let Some((k, v)) = pair.split_once('=') {
            let is_password =
                matches!(k.to_ascii_lowercase().as_str(), "password" | "pass" | "pwd");
            if is_password && !v.is_empty() {
                let start = offset + k.len() + 1;
                return Some((v, start..start + v.len()));
            }
        }
        offset += pair.len() + 1;
    }
    None
}

/// Secrets written in free text (a comment, a docstring): a secret-like name followed by `=`,
/// `:` or blanks and a value (`# SECRET_KEY = 'old…'` left commented out, "DB_PASSWORD
/// k3J9…" in a note), as the byte ranges of the values in `text`. Prose is read generously:
/// masking a word of a comment costs nothing, showing a commented-out key costs the key.
pub fn mentioned_secrets(text: &str) -> Vec<std::ops::Range<usize>> {
    // Nearly every pair of words in prose is a mention to the regex, but only a name holding
    // one of SECRET_NAME_WORDS can be a secret's. No class of MENTION admits a `\n` and it
    // neither anchors nor looks around, so a line is read alone as it is within the text:
    // only the lines holding such a word are read.
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(word) = SECRET_NAME_WORDS.find(&text[from..]) {
        let word_at = from + word.start();
        let line_start = memchr::memrchr(b'\n', &bytes[..word_at]).map_or(0, |i| i + 1);
        let line_end = memchr::memchr(b'\n', &bytes[word_at..]).map_or(text.len(), |i| word_at + i);
        push_mentioned_secrets(&text[..line_end], line_start, &mut found);
        from = line_end;
    }
    found
}

/// A secret-like name followed by `=`, `:` or blanks and a value, as [`mentioned_secrets`]
/// reads them.
static MENTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"([A-Za-z_][A-Za-z0-9_.-]*)["']?(?:[ \t]*[:=][ \t]*|[ \t]+)["'`]?([^\s"'`,;(){}\[\]<>]+)"#,
    )
    .expect("valid regex")
});

/// Pushes the values of the mentions in `text` from byte `at` on whose names are secrets'.
fn push_mentioned_secrets(text: &str, mut at: usize, found: &mut Vec<std::ops::Range<usize>>) {
    // Overlapping mentions (`PASSWORD TOKEN value`): each name is looked at.
    while let Some(mention) = MENTION.captures_at(text, at) {
        let (name, value) = (&mention[1], mention.get(2).map_or(0..0, |v| v.range()));
        at = mention.get(1).map_or(text.len(), |n| n.end());
        if secret_kind(name).is_some() {
            found.push(value);
        }
    }
}

/// Splits `scheme://user:password@host:port/path?query` by hand, keeping byte offsets (the
/// `url` crate normalises and would lose where the password is written).
pub fn parse_url(value: &str) -> Option<UrlParts<'_>> {
    // Asked of every value of a scan, most of them no URL. A scheme holds no `:`, so the
    // first `:` starts the `://` or the value is no URL: one byte search decides.
    let colon = memchr::memchr(b':', value.as_bytes())?;
    let (scheme, rest) = (&value[..colon], value[colon..].strip_prefix("://")?);
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        return None;
    }
    let rest_start = scheme.len() + 3;
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_len];
    let (userinfo, hostport) = match authority.rfind('@') {
        Some(at) => (Some(&authority[..at]), &authority[at + 1..]),
        None => (None, authority),
    };
    let host = if hostport.starts_with('[') {
        hostport.split_inclusive(']').next().unwrap_or(hostport)
    } else {
        hostport.rsplit_once(':').map_or(hostport, |(h, _)| h)
    };
    let after_authority = rest_start + authority_len;
    let query_start = value[after_authority..]
        .find('?')
        .map_or(value.len(), |i| after_authority + i + 1);
    let query_end = value[query_start..]
        .find('#')
        .map_or(value.len(), |i| query_start + i);
    let query = &value[query_start..query_end];
    let userinfo_password = userinfo.and_then(|ui| {
        let (_, pw) = ui.split_once(':')?;
        let start = rest_start + ui.len() - pw.len();
        (!pw.is_empty()).then(|| (pw, start..start + pw.len()))
    });
    let password = userinfo_password.or_else(|| query_password(query, query_start));
    Some(UrlParts {
        scheme: if scheme.bytes().any(|b| b.is_ascii_uppercase()) {
            std::borrow::Cow::Owned(scheme.to_ascii_lowercase())
        } else {
            std::borrow::Cow::Borrowed(scheme)
        },
        host,
        password,
        query,
    })
}

/// The part of a dotted name after its last `.` (all of it without one): the method of a
/// JavaScript callee, the property an assignment sets. Asked for every call by every Node
/// rule: `rsplit('.')` went through the generic character searcher, a sixtieth of a scan's
/// instructions. Here, with the names it judges, so the formats and rules that read
/// JavaScript names share it.
pub fn last_part(dotted: &str) -> &str {
    dotted
        .bytes()
        .rposition(|b| b == b'.')
        .map_or(dotted, |dot| &dotted[dot + 1..])
}

/// Whether a JavaScript string is given to a secret, and which kind: a property or variable
/// with a secret-like name (`jwtSecret`, `secret`, `JWT_SECRET`, camelCase split like
/// snake_case), or the secret argument of a signing call (`jwt.sign(payload, secret)`,
/// `jwt.verify(token, secret)`, `cookieParser(secret)`). `name` is a
/// `NamedString` name (see the JavaScript format) (`key` or `callee#index`).
pub fn js_secret_kind(name: &str) -> Option<SecretKind> {
    if let Some((callee, index)) = name.rsplit_once('#') {
        let method = last_part(callee);
        let secret_position = matches!(
            (method, index),
            ("sign" | "verify", "1") | ("cookieParser", "0")
        );
        return secret_position.then_some(SecretKind::Signing);
    }
    // The snake_case form only gains underscores, which join no words: a name without a
    // secret word has none once split, and is let go without building it.
    if !has_secret_name_word(name) {
        return None;
    }
    secret_kind(&snake_case(name))
}

/// `jwtSecret` as `jwt_Secret`: an underscore before each upper-case letter that follows a
/// lower-case letter or a digit, so camelCase names split into words like snake_case ones.
fn snake_case(name: &str) -> String {
    let mut snake = String::with_capacity(name.len() + 4);
    let mut previous_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() && previous_lower {
            snake.push('_');
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        snake.push(c);
    }
    snake
}

#[cfg(test)]
mod tests {

    #[test]
    fn digests_that_say_so_are_public_and_bare_hex_is_not() {
        let sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        for public in [
            format!("sha256:{sha256}"),
            format!("docker.io/library/nginx@sha256:{sha256}"),
        ] {
            assert!(is_public_digest(&public), "{public}");
            assert!(!looks_like_token(&public), "{public}");
        }
        // `openssl rand -hex 32` and `-hex 20` secrets look like checksums and commit ids.
        for token in [
            sha256,
            "3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39",
            "sha256:3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39",
            "sha1:3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39",
        ] {
            assert!(!is_public_digest(token), "{token}");
            assert!(looks_like_token(token), "{token}");
        }
    }

    #[test]
    fn fingerprint_and_checksum_names_hold_no_secret() {
        for name in [
            "GPG_KEY",
            "GPG_KEYS",
            "PGP_KEY",
            "NODE_KEY_FINGERPRINT",
            "GO_SHA256",
            "RUBY_DOWNLOAD_SHA256",
            "REDIS_DOWNLOAD_SHA",
            "TINI_CHECKSUM",
        ] {
            assert_eq!(secret_kind(name), None, "{name}");
        }
        assert_eq!(secret_kind("GPG_PASSPHRASE"), Some(SecretKind::Password));
        assert_eq!(secret_kind("GPG_PRIVATE_KEY"), Some(SecretKind::Token));
        assert_eq!(secret_kind("SIGNING_KEY_SECRET"), Some(SecretKind::Signing));
        assert_eq!(secret_kind("API_KEY"), Some(SecretKind::Token));
        for name in [
            "CACHE_KEY",
            "SORT_KEY",
            "RABBITMQ_ROUTING_KEY",
            "S3_OBJECT_KEY",
        ] {
            assert_eq!(secret_kind(name), None, "{name}");
        }
        assert_eq!(secret_kind("CACHE_KEY_TOKEN"), Some(SecretKind::Token));
        assert_eq!(secret_kind("SESSION_KEY"), Some(SecretKind::Signing));
    }

    #[test]
    fn a_redacted_secret_is_judged_as_the_secret_was() {
        let values = [
            "changeme",
            "AKIAIOSFODNN7EXAMPLE",
            "django-insecure-k3J9xQ2mV8pL5nR7tW1yZ4bC6dF0gH1234567890abcd",
            "short",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "your_api_key_here",
            "Replace this with a long random string",
            "k3J9xQ2mV8pL5nR7tW1yZ4bC6dF0gH-q8Wm3Kp7Rt2Lx9Vn4Bc",
            "",
        ];
        for value in values {
            let marker = redacted_placeholder(value, b"key");
            for kind in [SecretKind::Password, SecretKind::Signing, SecretKind::Token] {
                assert_eq!(
                    assess(kind, &marker),
                    assess(kind, value),
                    "{value} as {kind:?}: {marker}"
                );
            }
            if value.len() >= 4 {
                assert!(!marker.contains(value), "{marker}");
            }
            for bad in [':', ' ', '"', '\'', '#', '='] {
                assert!(!marker.contains(bad), "{marker}");
            }
        }
        // Equal secrets are equal under one key only.
        let same = |a: &str, b: &str, key: &[u8]| {
            let id = |v: &str| {
                Redacted::parse(&redacted_placeholder(v, key))
                    .unwrap()
                    .facts
                    .unwrap()
                    .identity
            };
            id(a) == id(b)
        };
        assert!(same("s3cr3t-value-1", "s3cr3t-value-1", b"k"));
        assert!(!same("s3cr3t-value-1", "s3cr3t-value-2", b"k"));
        assert_ne!(
            redacted_placeholder("s3cr3t", b"k1"),
            redacted_placeholder("s3cr3t", b"k2")
        );
        // Markers written before identities were kept are not judged.
        for old in ["[redacted-20chars]", "[redacted:20chars]"] {
            assert_eq!(
                Redacted::parse(old).map(|r| (r.chars, r.facts)),
                Some((20, None))
            );
            assert_eq!(assess(SecretKind::Password, old), None);
        }
        for not in [
            "[redacted-chars]",
            "[redacted-20chars-x]",
            "[redacted-20chars-idab-3distinct-1bits-placeholder999]",
        ] {
            assert_eq!(Redacted::parse(not), None, "{not}");
        }
    }
    use super::*;

    /// Names without a secret word are let go before their snake_case form is built: the
    /// same answers as building it for every name.
    #[test]
    fn javascript_names_are_judged_as_their_snake_case_form() {
        let snake_then_classify = |name: &str| secret_kind(&snake_case(name));
        let parts = [
            "jwt", "Jwt", "secret", "Secret", "SECRET", "api", "Api", "key", "Key", "KEY", "to",
            "Ken", "token", "Token", "pass", "Word", "word", "cookie", "Cookie", "db", "Db",
            "public", "Public", "x", "X", "2", "_", "salt", "Salt", "pw", "Pw",
        ];
        let mut secrets = 0;
        for a in parts {
            for b in parts {
                for c in ["", "Key", "Secret", "Id", "key", "token", "Url"] {
                    let name = format!("{a}{b}{c}");
                    let want = snake_then_classify(&name);
                    assert_eq!(js_secret_kind(&name), want, "{name}");
                    secrets += usize::from(want.is_some());
                }
            }
        }
        assert!(secrets > 1_000, "{secrets} secret names");
    }

    /// A name is classified once per thread, a long name every time, and a full table is
    /// emptied rather than grown.
    #[test]
    fn names_are_classified_once_within_bounds() {
        use std::cell::Cell;
        let calls = Cell::new(0);
        let counted = |key: &str| {
            calls.set(calls.get() + 1);
            classify_name(key)
        };
        let name = "REMEMBERED_TEST_PASSWORD";
        assert_eq!(classified_before(name, counted), Some(SecretKind::Password));
        assert_eq!(classified_before(name, counted), Some(SecretKind::Password));
        assert_eq!(calls.get(), 1);
        let long = format!("{}_TOKEN", "X".repeat(REMEMBERED_NAME_BYTES));
        classified_before(&long, counted);
        classified_before(&long, counted);
        assert_eq!(calls.get(), 3);
        for i in 0..REMEMBERED_NAMES {
            classified_before(&format!("FILLER_{i}_KEY"), counted);
        }
        let filled = calls.get();
        classified_before(name, counted);
        assert_eq!(calls.get(), filled + 1, "emptied when full, so asked again");
    }

    #[test]
    fn the_quick_name_test_lets_every_secret_name_through() {
        // Every word the classification looks at, and some it does not, joined one to three
        // at a time in every way names are written.
        let words = [
            "password",
            "passwd",
            "pass",
            "pwd",
            "pw",
            "passphrase",
            "client",
            "secret",
            "pepper",
            "salt",
            "signing",
            "hmac",
            "key",
            "encryption",
            "encrypt",
            "app",
            "master",
            "session",
            "cookie",
            "jwt",
            "cache",
            "sort",
            "routing",
            "object",
            "token",
            "apikey",
            "credentials",
            "credential",
            "gpg",
            "pgp",
            "private",
            "public",
            "allow",
            "empty",
            "random",
            "id",
            "path",
            "file",
            "db",
            "user",
            "mysql",
            "aws",
            "access",
            "fingerprint",
            "sha256",
            "x",
        ];
        let mut names = Vec::new();
        for a in words {
            names.push(a.to_owned());
            for b in words {
                for sep in ["_", ".", "-", ""] {
                    names.push(format!("{a}{sep}{b}"));
                    for c in ["key", "secret", "id", "pw", "file", "token"] {
                        names.push(format!("{a}{sep}{b}_{c}"));
                    }
                }
            }
        }
        let mut secrets = 0;
        for name in names
            .iter()
            .flat_map(|n| [n.clone(), n.to_ascii_uppercase()])
        {
            let full = classify_name(&name);
            assert_eq!(secret_kind(&name), full, "{name}");
            // Asked again: the answer remembered (until the table fills and is emptied).
            assert_eq!(secret_kind(&name), full, "{name} again");
            secrets += usize::from(full.is_some());
        }
        assert!(
            secrets > 10_000,
            "{secrets} secret names of {}",
            names.len() * 2
        );
    }

    /// Values joined from 1 to 8 of `pieces`, chosen by a fixed pseudo-random sequence.
    fn generated(pieces: &[&str], count: usize, mut seed: u64) -> Vec<String> {
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        (0..count)
            .map(|_| {
                let n = 1 + next() % 8;
                (0..n)
                    .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                    .collect()
            })
            .collect()
    }

    #[test]
    fn the_byte_test_for_secret_name_words_is_the_automatons() {
        let pieces = [
            "pass",
            "PaSs",
            "pas",
            "p",
            "P",
            "w",
            "W",
            "pw",
            "secret",
            "SECRE",
            "t",
            "T",
            "pepper",
            "PEPPE",
            "r",
            "salt",
            "SAL",
            "signing",
            "SIGNIN",
            "g",
            "hmac",
            "HMA",
            "c",
            "key",
            "KE",
            "y",
            "Y",
            "token",
            "TOKE",
            "n",
            "credential",
            "CREDENTIA",
            "l",
            "_",
            ".",
            "-",
            "x",
            "db",
            "user",
            "ü",
            "π",
            "\u{130}",
            "0",
            "@",
            "`",
            "{",
            "[",
            "\u{17f}",
        ];
        let mut values = generated(&pieces, 20_000, 0x9e37_79b9_7f4a_7c15);
        values.extend(pieces.iter().map(|p| p.to_string()));
        // Every word of the list, whatever is added to it later, alone and inside a name.
        for word in SECRET_NAME_WORD_LIST {
            values.push(word.to_owned());
            values.push(format!("x_{}_y", word.to_ascii_lowercase()));
            values.push(word[..word.len() - 1].to_owned());
        }
        values.push(String::new());
        let mut matched = 0;
        for value in &values {
            let want = SECRET_NAME_WORDS.is_match(value);
            assert_eq!(has_secret_name_word(value), want, "{value:?}");
            matched += usize::from(want);
        }
        assert!(
            matched > 1_000 && values.len() - matched > 1_000,
            "{matched}"
        );
    }

    #[test]
    fn tokens_told_by_bytes_are_those_told_by_characters() {
        let pieces = [
            "k3J9xQ2mW8vN5pL7",
            "Zq8vN2pL",
            "aaaa",
            "0123",
            "abcdefgh",
            "ABCDEFGHIJ",
            "sk_live_",
            "://",
            "https://h/",
            "/",
            "./",
            "${",
            "$(",
            "op://",
            "sha256:",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "@",
            " ",
            "\t",
            "\u{b}",
            "\u{c}",
            "\r",
            "\n",
            "\u{1c}",
            "\u{85}",
            "\u{a0}",
            "\u{3000}",
            "ü",
            "🔑",
            "-",
            "_",
            "=",
            "~!",
        ];
        let values = generated(&pieces, 30_000, 0x2545_f491_4f6c_dd1d);
        let mut tokens = 0;
        for value in &values {
            let want = looks_like_token_by_chars(value);
            assert_eq!(looks_like_token(value), want, "{value:?}");
            tokens += usize::from(want);
        }
        assert!(tokens > 1_000 && values.len() - tokens > 1_000, "{tokens}");
    }

    #[test]
    fn distinct_characters_counted_by_bits_are_those_counted_by_sorting() {
        let pieces = [
            "a", "b", "Z", "0", "\u{0}", "\u{7f}", "~", " ", "k3J9xQ", "aaaa", "ü", "🔑", "é",
        ];
        let mut values = generated(&pieces, 5_000, 0x1234_5678_9abc_def1);
        values.push(String::new());
        values.push((0..128u8).map(char::from).collect());
        let mut counts = std::collections::BTreeSet::new();
        for value in &values {
            let want = distinct_chars_by_sorting(value);
            assert_eq!(distinct_chars(value), want, "{value:?}");
            counts.insert(want);
        }
        assert!(counts.len() > 10 && counts.contains(&128), "{counts:?}");
    }

    #[test]
    fn vendor_examples_found_at_once_are_those_found_one_by_one() {
        let mut pieces: Vec<&str> = VENDOR_EXAMPLES.iter().map(|(e, _)| *e).collect();
        // Parts of examples, which are none, and examples that overlap one another.
        pieces.extend(VENDOR_EXAMPLES.iter().map(|(e, _)| &e[..e.len() - 1]));
        pieces.extend(VENDOR_EXAMPLES.iter().map(|(e, _)| &e[1..]));
        pieces.extend(["x", "-", "django-insecure", "AKIAIOSFODNN7", "EXAMPLE", "ü"]);
        let values = generated(&pieces, 20_000, 0x0bad_c0de_dead_beef);
        let mut found = std::collections::BTreeSet::new();
        for value in &values {
            let want = vendor_example_one_by_one(value);
            assert_eq!(vendor_example(value), want, "{value:?}");
            found.insert(want);
        }
        // Every description, and none.
        assert_eq!(found.len(), 7, "{found:?}");
    }

    #[test]
    fn classifies_secret_keys() {
        use SecretKind::*;
        let cases = [
            ("JWT_SECRET", Some(Signing)),
            ("SECRET_KEY", Some(Signing)),
            ("ENCRYPTION_KEY", Some(Signing)),
            ("AUTH_PEPPER", Some(Signing)),
            ("DB_PASSWORD", Some(Password)),
            ("PGADMIN_PW", Some(Password)),
            ("SMTP_PASS", Some(Password)),
            ("GITHUB_TOKEN", Some(Token)),
            ("STRIPE_API_KEY", Some(Token)),
            ("OAUTH_CLIENT_SECRET", Some(Token)),
            ("AWS_SECRET_ACCESS_KEY", Some(Signing)),
            ("AWS_ACCESS_KEY_ID", None),
            ("SSL_KEY_PATH", None),
            ("AUTH_PEPPER_FILE", None),
            ("JWT_EXPIRES_IN", None),
            ("STRIPE_PUBLISHABLE_KEY", None),
            ("KEYFORGE_HOME", None),
            ("PASSWORD_MIN_LENGTH", None),
            ("NODE_ENV", None),
        ];
        for (key, want) in cases {
            assert_eq!(secret_kind(key), want, "{key}");
        }
    }

    #[test]
    fn recognises_placeholders_from_the_guides() {
        for v in [
            "CHANGE_THIS_STRONG_PASSWORD",
            "your_very_secure_jwt_secret_64_characters_minimum",
            "secure_password",
            "STRONG_PASSWORD",
            "redis-password",
            "your_access_key",
            "pass",
            "<your-token>",
            "replace this with a long random string of at least fifty characters",
            "Generate a strong key and paste it over this sentence.",
        ] {
            assert!(placeholder(v).is_some(), "{v}");
        }
        for v in [
            "k3J9xQ2mW8vN5pL7",
            "correct-horse-battery-staple",
            "correct horse battery staple tangerine",
            "use 9f2K#x1 q",
            "production",
        ] {
            assert_eq!(placeholder(v), None, "{v}");
        }
        // The description names the marker, never the rest of the value.
        assert_eq!(
            placeholder("qzcanary_your_horse"),
            Some("contains the placeholder text `your`")
        );
        assert_eq!(placeholder("changeme"), Some("is a well-known placeholder"));
    }

    #[test]
    fn secrets_mentioned_in_free_text_are_found() {
        let text = "# SECRET_KEY = 'k3J9xQ' (old)\nthe DB_PASSWORD: hunter22 and API_TOKEN qzcanary; DEBUG = True";
        let found: Vec<&str> = mentioned_secrets(text)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(found, ["k3J9xQ", "hunter22", "qzcanary"]);
    }

    /// `mentioned_secrets` reads only the lines holding a secret word; reading the whole text
    /// as one finds the same values in the same order.
    #[test]
    fn mentions_read_line_by_line_are_those_of_the_whole_text() {
        let whole_text = |text: &str| {
            let mut found = Vec::new();
            push_mentioned_secrets(text, 0, &mut found);
            found
        };
        let texts = [
            "",
            "\n\n",
            "no secret words here = at all\nnor: here",
            "# SECRET_KEY = 'k3J9xQ' (old)\nthe DB_PASSWORD: hunter22 and API_TOKEN qzcanary",
            "PASSWORD TOKEN value\nSECRET KEY\nvalue",
            "api_key:\nvalue on the next line",
            "DB_PASSWORD\r\nhunter22\r\nAPI_TOKEN = 'x1'\r\n",
            "db.password = s3cr3t\nsigning-key: abc-def\n\"pw\": \"x\" , token=`t`",
            "monkey business\nsalt and pepper: shaker",
            "Passwort ist geheim; mot de passe: très_secret\nCLÉ_SECRET = värde\nπ_TOKEN = ü",
            "x PASS\tword\n\tPW=1 PW=2 PW=3\nend KEY",
            "key\nkey\nkey = last",
        ];
        for text in texts {
            assert_eq!(mentioned_secrets(text), whole_text(text), "{text:?}");
        }
        // The inputs hold mentions, so the comparison is of something.
        assert!(texts.iter().filter(|t| !whole_text(t).is_empty()).count() >= 8);
    }

    /// Counting ASCII characters by byte sums the same terms in the same order as sorting
    /// the characters: the same bits.
    #[test]
    fn entropy_counted_by_byte_is_that_of_sorted_characters() {
        let by_sorting = |value: &str| {
            let chars: Vec<char> = value.chars().collect();
            if chars.is_empty() {
                return 0.0;
            }
            let mut sorted = chars.clone();
            sorted.sort_unstable();
            let n = chars.len() as f64;
            let per_char: f64 = sorted
                .chunk_by(|a, b| a == b)
                .map(|run| {
                    let p = run.len() as f64 / n;
                    -p * p.log2()
                })
                .sum();
            (per_char * n).abs()
        };
        for value in [
            "",
            "a",
            "aaaa",
            "Zq8vN2pL7xR4tW9mK3jH6gF1dS5aB0cE",
            "sk_live_51HcZ2bLkQ9x~!@#$%^&*()_+{}|:<>?",
            "\u{0}\t\n\u{7f} ",
            "ünïcödé-k3J9xQ2mW8vN5pL7",
            "🔑🔑🔑abc",
        ] {
            assert_eq!(
                entropy_bits(value).to_bits(),
                by_sorting(value).to_bits(),
                "{value:?}"
            );
        }
    }

    #[test]
    fn one_repeated_character_has_no_entropy_not_minus_zero() {
        assert!(entropy_bits("aaaa").is_sign_positive());
    }

    #[test]
    fn judges_strength() {
        let strong = "Zq8vN2pL7xR4tW9mK3jH6gF1dS5aB0cE";
        assert_eq!(assess(SecretKind::Signing, strong), None);
        assert!(matches!(
            assess(SecretKind::Signing, "Zq8vN2pL7xR4"),
            Some(Weakness::TooShort { len: 12, min: 32 })
        ));
        assert!(matches!(
            assess(SecretKind::Signing, &"ab".repeat(20)),
            Some(Weakness::LowEntropy { .. })
        ));
        assert!(matches!(
            assess(SecretKind::Token, "AKIAIOSFODNN7EXAMPLE"),
            Some(Weakness::VendorExample(_))
        ));
    }

    #[test]
    fn finds_url_passwords_and_hosts() {
        let url = "postgresql://app:s3cr3t-Pw@db.example.net:5432/app?sslmode=require";
        let parts = parse_url(url).unwrap();
        assert_eq!(parts.host, "db.example.net");
        let (pw, range) = parts.password.clone().unwrap();
        assert_eq!((pw, &url[range]), ("s3cr3t-Pw", "s3cr3t-Pw"));
        assert_eq!(parts.param("SSLMODE"), Some("require"));
        assert!(!parts.host_is_local());

        let url = "rediss://redis-cluster:6379?password=hunter2hunter2";
        let parts = parse_url(url).unwrap();
        let (_, range) = parts.password.clone().unwrap();
        assert_eq!(&url[range], "hunter2hunter2");
        assert!(parts.host_is_local());

        let parts = parse_url("redis://:pw@[::1]:6379").unwrap();
        assert!(parts.host_is_local());
        assert_eq!(parse_url("not a url"), None);
    }

    /// The scheme is what stands before the first `://` and holds no `:`: looking at the
    /// first `:` only (as `parse_url` does) accepts and splits the same values.
    #[test]
    fn a_url_is_told_by_its_first_colon_as_by_its_first_separator() {
        let by_separator = |value: &str| {
            let (scheme, _) = value.split_once("://")?;
            let valid = !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
            valid.then(|| scheme.to_ascii_lowercase())
        };
        for value in [
            "postgres://u:p@db/app",
            "a:b://x",
            "x:y http://u:p@h",
            "://x",
            "http://",
            "ht tp://a",
            "a:",
            ":",
            "",
            "redis://:pw@[::1]:6379",
            "HTTPS://h",
            "git+ssh://g",
            "a://b://c",
            "ü://x",
            "k=v:http://x",
            "s3://b?x=1#f",
        ] {
            assert_eq!(
                parse_url(value).map(|p| p.scheme.into_owned()),
                by_separator(value),
                "{value:?}"
            );
        }
    }
}
