//! SSH007–SSH011: broken or weak cryptography. The lists are CIS's (OpenSSH benchmark
//! items "only strong Ciphers / MAC algorithms / Key Exchange algorithms") and ssh-audit's
//! failures; only values written in the configuration are judged (see the rules' known
//! problems about OpenSSH's default MAC list). SSH019 and SSH020: what ssh-audit fails or
//! warns about beyond those (the NIST P-curves, encrypt-and-MAC), at a lower severity.

use crate::formats::sshd::effective::{default_of, wildcard, Origin, SshdConfig};
use crate::message::{Message, Quote};
use crate::msg;
use crate::rules::sshd::with_effective;
use crate::rules::Context;

/// Ciphers: CBC modes (plaintext recovery, Terrapin with EtM), RC4, 3DES, Blowfish, CAST.
const WEAK_CIPHERS: &[&str] = &["*-cbc", "rijndael-cbc@lysator.liu.se", "arcfour*", "none"];
/// MACs: MD5, RIPEMD-160, SHA-1 and 64-bit tags.
const WEAK_MACS: &[&str] = &["hmac-md5*", "hmac-ripemd160*", "hmac-sha1*", "umac-64*"];
/// Key exchange: SHA-1 based and the 1024-bit group 1.
const WEAK_KEX: &[&str] = &[
    "diffie-hellman-group1-sha1",
    "diffie-hellman-group14-sha1",
    "diffie-hellman-group-exchange-sha1",
    "gss-*-sha1-*",
];
/// Host key signatures: SHA-1 RSA and DSA.
const WEAK_HOST_KEYS: &[&str] = &[
    "ssh-rsa",
    "ssh-dss",
    "ssh-rsa-cert-v01@openssh.com",
    "ssh-dss-cert-v01@openssh.com",
];

/// Key exchange and host key signatures on the NIST P-curves.
const NIST_KEX: &[&str] = &["ecdh-sha2-nistp*"];
const NIST_HOST_KEYS: &[&str] = &["ecdsa-sha2-nistp*", "sk-ecdsa-sha2-nistp256*"];
/// MACs computed over the plaintext: those without `-etm`, the weak ones aside (SSH008).
const ENCRYPT_AND_MAC: &[&str] = &["hmac-sha2-256", "hmac-sha2-512", "umac-128@openssh.com"];

/// Reports the weak entries of the algorithm list `name` (as the manual spells it), when it
/// is written somewhere.
fn weak_list(
    cx: &mut Context<'_, SshdConfig>,
    name: &'static str,
    weak: &[&str],
    fix: &'static str,
) {
    judged_list(cx, name, weak, ["is weak", "are weak"], fix);
}

/// Reports the entries of the algorithm list `name` that match `weak`, saying of them
/// `said` (of one, of several).
fn judged_list(
    cx: &mut Context<'_, SshdConfig>,
    name: &'static str,
    weak: &[&str],
    said: [&'static str; 2],
    fix: &'static str,
) {
    let keyword = name.to_ascii_lowercase();
    with_effective(cx, &keyword, |cx, setting| {
        let Origin::Set(statement) = setting.origin else {
            return;
        };
        let found: Vec<&str> = setting
            .value
            .split(',')
            .filter(|a| weak.iter().any(|w| wildcard(w, a)))
            .collect();
        if found.is_empty() {
            return;
        }
        // A weak algorithm of OpenSSH's default list (kept by `+…` or `-…`) is named as
        // preflight knows it; one the line adds is quoted from the line.
        let defaults: Vec<&'static str> = default_of(&keyword).unwrap_or("").split(',').collect();
        let line = cx.content.line(statement);
        let source = cx.content.source(statement);
        let names = found
            .iter()
            .map(|a| match defaults.iter().find(|d| *d == a) {
                Some(known) => Message::from(*known),
                None => Quote::derived_in(source, line.value_span(), *a).into(),
            });
        let problem = msg!(
            "`{}` {}; {}",
            Message::join(names, "`, `"),
            said[usize::from(found.len() > 1)],
            fix
        );
        cx.report_setting(name, setting, problem);
    });
}

/// SSH007: weak `Ciphers`.
pub fn weak_ciphers(cx: &mut Context<'_, SshdConfig>) {
    weak_list(cx, "Ciphers", WEAK_CIPHERS,
        "write `Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes192-ctr,aes128-ctr`");
}

/// SSH008: weak `MACs`.
pub fn weak_macs(cx: &mut Context<'_, SshdConfig>) {
    weak_list(cx, "MACs", WEAK_MACS,
        "write `MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,umac-128-etm@openssh.com`");
}

/// SSH009: weak `KexAlgorithms`.
pub fn weak_kex(cx: &mut Context<'_, SshdConfig>) {
    weak_list(cx, "KexAlgorithms", WEAK_KEX,
        "write `KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group-exchange-sha256`");
}

/// SSH010: weak `HostKeyAlgorithms`.
pub fn weak_host_keys(cx: &mut Context<'_, SshdConfig>) {
    weak_list(cx, "HostKeyAlgorithms", WEAK_HOST_KEYS,
        "write `HostKeyAlgorithms ssh-ed25519,rsa-sha2-512,rsa-sha2-256` (or delete the line: OpenSSH's default is sound)");
}

/// SSH019: NIST P-curves in `KexAlgorithms` or `HostKeyAlgorithms`.
pub fn nist_curves(cx: &mut Context<'_, SshdConfig>) {
    judged_list(cx, "KexAlgorithms", NIST_KEX, ["uses a NIST P-curve", "use NIST P-curves"],
        "write `KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512`");
    judged_list(
        cx,
        "HostKeyAlgorithms",
        NIST_HOST_KEYS,
        [
            "signs with a NIST P-curve (ECDSA)",
            "sign with NIST P-curves (ECDSA)",
        ],
        "write `HostKeyAlgorithms ssh-ed25519,rsa-sha2-512,rsa-sha2-256`",
    );
}

/// SSH020: encrypt-and-MAC `MACs`.
pub fn mac_not_etm(cx: &mut Context<'_, SshdConfig>) {
    judged_list(cx, "MACs", ENCRYPT_AND_MAC,
        ["authenticates the plaintext (encrypt-and-MAC)", "authenticate the plaintext (encrypt-and-MAC)"],
        "write `MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,umac-128-etm@openssh.com`");
}

/// SSH011: `Protocol 1` (or `1,2`), the SSH-1 protocol broken since 2001.
pub fn protocol_1(cx: &mut Context<'_, SshdConfig>) {
    with_effective(cx, "protocol", |cx, setting| {
        if setting.value.split(',').any(|p| p.trim() == "1") {
            cx.report_setting("Protocol", setting,
                "SSH-1 is broken; OpenSSH 7.4 and later ignore the line and no longer speak SSH-1, so a config that asks for it was written for a server too old to be trusted; delete the line (and upgrade the server if it still honours it)");
        }
    });
}
