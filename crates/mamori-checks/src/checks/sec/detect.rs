//! Secret detectors shared by the `SEC` checks: small, documented patterns
//! for well-known credential formats, a rule for values stored under
//! secret-looking names, and a Shannon-entropy test for free-form text.
//!
//! Findings never repeat a secret: [`redact`] keeps its first four
//! characters and its length.

use regex::Regex;
use std::sync::LazyLock;

/// What a detector matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detection {
    /// Stable detector id (`aws-access-key-id`).
    pub detector: &'static str,
    /// What it is, in words ("an AWS access key id").
    pub what: String,
    /// The matched text, redacted.
    pub shown: String,
}

/// A detector for a credential format that is recognisable on its own.
struct Pattern {
    id: &'static str,
    what: &'static str,
    /// The secret is capture group 1.
    re: &'static str,
}

/// Well-known formats, from the issuers' own documentation.
const PATTERNS: &[Pattern] = &[
    // AWS: long-term (AKIA) and temporary (ASIA) access key ids.
    Pattern {
        id: "aws-access-key-id",
        what: "an AWS access key id",
        re: r"\b((?:AKIA|ASIA)[0-9A-Z]{16})\b",
    },
    // AWS secret access key: 40 base64 characters, recognisable only next
    // to a name that says so (`aws_secret_access_key = ...`).
    Pattern {
        id: "aws-secret-access-key",
        what: "an AWS secret access key",
        re: r#"(?i)aws_?[a-z_]{0,12}secret[a-z_]{0,12}["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+]|$)"#,
    },
    // GitHub personal, OAuth, user-to-server, server-to-server and refresh
    // tokens, and fine-grained personal access tokens.
    Pattern {
        id: "github-token",
        what: "a GitHub token",
        re: r"\b(gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})\b",
    },
    // Slack bot, app, user, refresh and legacy tokens, and webhooks.
    Pattern {
        id: "slack-token",
        what: "a Slack token",
        re: r"\b(xox[baprs]-[A-Za-z0-9-]{10,})",
    },
    Pattern {
        id: "slack-webhook",
        what: "a Slack incoming-webhook URL",
        re: r"(https://hooks\.slack\.com/services/T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/[A-Za-z0-9]{20,})",
    },
    Pattern {
        id: "google-api-key",
        what: "a Google API key",
        re: r"\b(AIza[0-9A-Za-z_-]{35})",
    },
    // Stripe live secret and restricted keys (test keys are harmless).
    Pattern {
        id: "stripe-live-key",
        what: "a Stripe live secret key",
        re: r"\b((?:sk|rk)_live_[0-9A-Za-z]{24,})",
    },
    // A JSON Web Token: base64url header and payload (both JSON objects, so
    // both start with `ey`) and a signature.
    Pattern {
        id: "jwt",
        what: "a JSON Web Token",
        re: r"\b(eyJ[A-Za-z0-9_-]{10,}\.ey[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})",
    },
    // Credentials inside a URL: scheme://user:password@host.
    Pattern {
        id: "url-credentials",
        what: "a password inside a URL",
        re: r#"\b[A-Za-z][A-Za-z0-9+.-]{1,15}://[^/\s:@'"]{1,64}:([^/\s@'"]{3,128})@[^\s/'"@]"#,
    },
];

/// A PEM private key header; the body is checked separately, so a header
/// alone (in documentation) is not a key.
static PEM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"-----BEGIN ([A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----").expect("pem regex"));

static COMPILED: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    PATTERNS
        .iter()
        .map(|p| Regex::new(p.re).expect("detector regex"))
        .collect()
});

/// `key: value`, `key = value`, `"key": "value"`, `export KEY=value` lines of
/// configuration files.
static ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^[ \t]*(?:export[ \t]+)?["']?([A-Za-z0-9_.\-]+)["']?[ \t]*[:=][ \t]*["']?([^\s"',;]+)"#)
        .expect("assignment regex")
});

/// Free-form values must carry at least this many bits of Shannon entropy
/// per character to count as secrets. Random base64 of 16 or more
/// characters scores about 4 to 5.5, random hex about 3.7 to 4; words,
/// host names and identifiers of that length mostly score below 3.5.
pub const ENTROPY_THRESHOLD: f64 = 3.5;
/// ... and be at least this long.
pub const ENTROPY_MIN_LEN: usize = 16;

/// Shannon entropy of `s` in bits per character.
pub fn shannon_entropy(s: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    let mut n = 0usize;
    for ch in s.chars() {
        *counts.entry(ch).or_insert(0usize) += 1;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    counts
        .values()
        .map(|&c| {
            let p = c as f64 / n as f64;
            -p * p.log2()
        })
        .sum()
}

/// A random-looking token: long enough, entropy over the threshold, letters
/// and digits, and not a path, URL or host name.
pub fn is_high_entropy(v: &str) -> bool {
    let v = v.trim();
    v.chars().count() >= ENTROPY_MIN_LEN
        && !v.contains(char::is_whitespace)
        && v.chars().any(|c| c.is_ascii_digit())
        && v.chars().any(|c| c.is_ascii_alphabetic())
        && !looks_like_location(v)
        && !looks_like_identifier(v)
        && shannon_entropy(v) >= ENTROPY_THRESHOLD
}

/// Words and numbers joined by `-`, `_` or `.` (`my-production-database-1`,
/// `redis_master_0`): names, however varied their letters.
fn looks_like_identifier(v: &str) -> bool {
    let parts: Vec<&str> = v.split(['-', '_', '.']).collect();
    parts.len() > 1
        && parts
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_digit()) || p.chars().all(|c| c.is_ascii_alphabetic()))
}

/// Paths, URLs without credentials, host names and `host:port`: they say
/// where something is, not what it is.
pub fn looks_like_location(v: &str) -> bool {
    if v.starts_with('/') || v.starts_with("./") || v.starts_with("~/") {
        return true;
    }
    if let Some((_, rest)) = v.split_once("://") {
        return !rest.split('/').next().unwrap_or("").contains('@');
    }
    let host = v.split(':').next().unwrap_or(v);
    host.contains('.')
        && host
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
}

/// Values that stand for a secret rather than being one: templates,
/// variable references, well-known dummies, masks and example values.
pub fn is_placeholder(v: &str) -> bool {
    let v = v.trim().trim_matches(|c| c == '"' || c == '\'');
    if v.chars().count() < 4 {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    if v.starts_with('$')
        || v.contains("${")
        || v.contains("$(")
        || v.contains("{{")
        || v.contains("%(")
        || (v.starts_with('<') && v.ends_with('>'))
        || (v.starts_with('[') && v.ends_with(']'))
    {
        return true;
    }
    const DUMMIES: &[&str] = &[
        "admin",
        "changeit",
        "default",
        "foobar",
        "none",
        "null",
        "nil",
        "password",
        "passw0rd",
        "secret",
        "test",
        "testing",
        "todo",
        "tbd",
        "true",
        "false",
        "undefined",
        "empty",
        "unset",
        "yes",
        "no",
    ];
    if DUMMIES.contains(&lower.as_str()) {
        return true;
    }
    const MARKERS: &[&str] = &[
        "changeme",
        "change-me",
        "change_me",
        "replace",
        "example",
        "placeholder",
        "dummy",
        "redacted",
        "your-",
        "your_",
        "yourpassword",
        "xxxx",
        "****",
        "...",
        "fixme",
        "insert",
        "sample",
    ];
    if MARKERS.iter().any(|m| lower.contains(m)) {
        return true;
    }
    // A variable-like name standing for the value: `GOOGLE_API_KEY_VAL`,
    // `YOUR_TOKEN_HERE`.
    if v.contains('_')
        && v.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && v.starts_with(|c: char| c.is_ascii_uppercase())
    {
        return true;
    }
    // One repeated character: `xxxxxxxx`, `00000000`.
    let first = v.chars().next().unwrap_or(' ');
    if v.chars().all(|c| c == first) {
        return true;
    }
    // Short numbers are ports, counts and durations.
    v.len() < 8 && v.chars().all(|c| c.is_ascii_digit())
}

/// Words of a key name: split at non-alphanumerics and camelCase humps.
fn words(key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for ch in key.chars() {
        if !ch.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if ch.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
        cur.push(ch.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// A key name that says its value is a credential (`DB_PASSWORD`,
/// `clientSecret`, `api-key`), and not something about one (`TOKEN_FILE`,
/// `SECRET_NAME`, `PASSWORD_MIN_LENGTH`, `AWS_ACCESS_KEY_ID`).
pub fn secret_kind_of_key(key: &str) -> Option<&'static str> {
    let w = words(key);
    const ABOUT: &[&str] = &[
        "file",
        "files",
        "path",
        "dir",
        "directory",
        "name",
        "names",
        "ref",
        "url",
        "uri",
        "endpoint",
        "host",
        "port",
        "ttl",
        "timeout",
        "expiry",
        "expires",
        "expiration",
        "enabled",
        "enable",
        "disabled",
        "length",
        "len",
        "size",
        "min",
        "max",
        "type",
        "mode",
        "header",
        "field",
        "namespace",
        "id",
        "count",
        "policy",
        "provider",
        "version",
        "location",
        "mount",
        "format",
        "algorithm",
        "alg",
        "issuer",
        "audience",
        "lifetime",
        "duration",
        "interval",
        "period",
        "required",
        "prefix",
        "source",
        "store",
        "method",
        "rotation",
        "secretname",
        "cookie",
        "cache",
        "lookup",
        "validation",
        "regex",
        "pattern",
        "hint",
    ];
    if w.iter().any(|x| ABOUT.contains(&x.as_str())) {
        return None;
    }
    let has = |x: &str| w.iter().any(|y| y == x);
    let pair = |a: &str, b: &str| w.windows(2).any(|p| p[0] == a && p[1] == b);
    if has("password") || has("passwd") || has("pwd") || has("passphrase") || has("pass") && w.len() > 1 {
        Some("a password")
    } else if has("apikey") || pair("api", "key") || has("apitoken") {
        Some("an API key")
    } else if pair("private", "key") || has("privatekey") {
        Some("a private key")
    } else if pair("access", "key")
        || pair("secret", "key")
        || pair("signing", "key")
        || pair("encryption", "key")
        || pair("master", "key")
        || pair("auth", "key")
    {
        Some("a secret key")
    } else if has("secret") || has("clientsecret") || has("secretkey") {
        Some("a secret")
    } else if has("token") || has("accesstoken") || has("authtoken") {
        Some("a token")
    } else if has("credential") || has("credentials") || has("creds") {
        Some("credentials")
    } else {
        None
    }
}

/// Keep the first four characters and the length: enough to find it, not
/// enough to use it.
pub fn redact(s: &str) -> String {
    let n = s.chars().count();
    if n <= 8 {
        format!("{n} characters")
    } else {
        let head: String = s.chars().take(4).collect();
        format!("{head}…, {n} characters")
    }
}

/// Credentials of well-known formats anywhere in `text`.
pub fn scan_text(text: &str) -> Vec<Detection> {
    let mut out = Vec::new();
    for (p, re) in PATTERNS.iter().zip(COMPILED.iter()) {
        for caps in re.captures_iter(text) {
            let m = caps.get(1).expect("group 1").as_str();
            if is_placeholder(m) {
                continue;
            }
            out.push(Detection {
                detector: p.id,
                what: p.what.to_string(),
                shown: redact(m),
            });
        }
    }
    for caps in PEM.captures_iter(text) {
        let whole = caps.get(0).expect("match");
        let label = caps.get(1).expect("label").as_str();
        // A key has a body of base64 lines after the header.
        let body: String = text[whole.end()..]
            .chars()
            .take_while(|&c| c != '-')
            .filter(|c| c.is_ascii_alphanumeric() || *c == '+' || *c == '/')
            .collect();
        if body.len() >= 64 && !is_placeholder(&body) {
            out.push(Detection {
                detector: "private-key",
                what: format!("a PEM private key ({label})"),
                shown: format!("-----BEGIN {label}-----, {} base64 characters", body.len()),
            });
        }
    }
    out
}

/// A value stored under a name: well-known formats, else a non-placeholder
/// value under a secret-looking name (with `require_entropy`, only a
/// random-looking one).
pub fn scan_named(name: &str, value: &str, require_entropy: bool) -> Vec<Detection> {
    let found = scan_text(value);
    if !found.is_empty() {
        return found;
    }
    let Some(kind) = secret_kind_of_key(name) else {
        return found;
    };
    let v = value.trim();
    if is_placeholder(v) || v.contains('\n') || looks_like_location(v) || (require_entropy && !is_high_entropy(v)) {
        return found;
    }
    vec![Detection {
        detector: "secret-named-value",
        what: kind.to_string(),
        shown: redact(v),
    }]
}

/// A configuration file's text: well-known formats, plus assignment lines
/// (`password = ...`) whose key looks secret and whose value is random-looking.
pub fn scan_file(text: &str) -> Vec<Detection> {
    let mut out = scan_text(text);
    // Most lines of a config file have no secret-looking key; a cheap look at
    // the text before the first `:` or `=` skips them before the regex runs
    // (config maps of dashboards are megabytes of JSON).
    let candidates = text.lines().filter(|line| {
        let head = match line.find([':', '=']) {
            Some(i) => &line[..i],
            None => return false,
        };
        let head = head.trim();
        let head = match head.strip_prefix("export") {
            Some(rest) if rest.starts_with([' ', '\t']) => rest.trim(),
            _ => head,
        };
        let key = head.trim_matches(['"', '\'']);
        secret_kind_of_key(key).is_some()
    });
    for line in candidates {
        let Some(caps) = ASSIGNMENT.captures(line) else {
            continue;
        };
        let (key, value) = (&caps[1], &caps[2]);
        let Some(kind) = secret_kind_of_key(key) else { continue };
        if is_placeholder(value) || !is_high_entropy(value) {
            continue;
        }
        let shown = redact(value);
        if out.iter().any(|d: &Detection| d.shown == shown) {
            continue;
        }
        out.push(Detection {
            detector: "secret-named-value",
            what: format!("{kind} under key {key:?}"),
            shown,
        });
    }
    out
}

/// One line naming what was found: "an AWS access key id (AKIA…, 20 characters)".
pub fn describe(found: &[Detection]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for d in found {
        let s = format!("{} ({})", d.what, d.shown);
        if !parts.contains(&s) {
            parts.push(s);
        }
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<&'static str> {
        scan_text(text).into_iter().map(|d| d.detector).collect()
    }

    #[test]
    fn well_known_formats() {
        assert_eq!(ids("key=AKIAZ7VRSQ3JXHNNTW4Q"), ["aws-access-key-id"]);
        // AWS's documentation key is a placeholder.
        assert!(ids("AKIAIOSFODNN7EXAMPLE").is_empty());
        assert!(
            ids("aws_secret_access_key = Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoX").is_empty(),
            "41 characters is not a 40-character key"
        );
        assert_eq!(
            ids("aws_secret_access_key = Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdo"),
            ["aws-secret-access-key"]
        );
        assert_eq!(ids("ghp_R8kVq2LmX9tYb3NcW7pZa1sDf4Gh6Jk0QwEr"), ["github-token"]);
        assert_eq!(ids("xoxb-2649301-5Hq8sLk2Zt"), ["slack-token"]);
        assert_eq!(ids("AIzaSyB3x9Qm2Lk7Vt5Zr8Wp1Nc4Hd6Jf0Gs2Ye"), ["google-api-key"]);
        assert_eq!(ids("sk_live_4eC39HqLyjWDarjtT1zdp7dc"), ["stripe-live-key"]);
        assert!(ids("sk_test_4eC39HqLyjWDarjtT1zdp7dc").is_empty());
        assert_eq!(
            ids("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEyMyJ9.c2lnbmF0dXJlLXZhbHVlLTEyMw"),
            ["jwt"]
        );
        assert_eq!(ids("postgres://app:S3cr3tPw@db:5432/app"), ["url-credentials"]);
        assert!(ids("postgres://app:$(DB_PASSWORD)@db:5432/app").is_empty());
        assert!(ids("http://example.com:8080/path").is_empty());
    }

    #[test]
    fn pem_needs_a_body() {
        assert!(ids("-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----").is_empty());
        let key = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----",
            "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj"
        );
        assert_eq!(ids(&key), ["private-key"]);
        assert!(
            ids("-----BEGIN CERTIFICATE-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n")
                .is_empty()
        );
    }

    #[test]
    fn secret_names() {
        for k in [
            "DB_PASSWORD",
            "clientSecret",
            "api-key",
            "API_KEY",
            "GITHUB_TOKEN",
            "secret",
            "SECRET_KEY",
            "refresh_token",
        ] {
            assert!(secret_kind_of_key(k).is_some(), "{k}");
        }
        for k in [
            "TOKEN_FILE",
            "SECRET_NAME",
            "PASSWORD_MIN_LENGTH",
            "AWS_ACCESS_KEY_ID",
            "tokenUrl",
            "PASSTHROUGH",
            "keyspace",
            "monkey",
        ] {
            assert!(secret_kind_of_key(k).is_none(), "{k}");
        }
    }

    #[test]
    fn placeholders_and_entropy() {
        for v in [
            "",
            "changeme",
            "GOOGLE_API_KEY_VAL",
            "<your-token>",
            "${TOKEN}",
            "$(TOKEN)",
            "{{ .Values.pw }}",
            "xxxxxxxx",
            "password",
            "REDACTED",
            "8080",
        ] {
            assert!(is_placeholder(v), "{v:?}");
        }
        for v in ["hunter2!", "S3cr3tPw", "1234-SECRET-5678"] {
            assert!(!is_placeholder(v), "{v:?}");
        }
        assert!(shannon_entropy("aaaa") < 0.01);
        assert!((shannon_entropy("ab") - 1.0).abs() < 1e-9);
        assert!(is_high_entropy("q8Zr2LkV9tYb3NcW7pZa"));
        assert!(!is_high_entropy("my-production-database-1"));
        assert!(!is_high_entropy("redis-master-0.redis-headless.svc"));
        assert!(!is_high_entropy("/var/run/secrets/kubernetes.io/serviceaccount/token"));
    }

    #[test]
    fn named_values_and_files() {
        assert_eq!(
            scan_named("DB_PASSWORD", "hunter2!", false)[0].detector,
            "secret-named-value"
        );
        assert!(scan_named("DB_PASSWORD", "hunter2!", true).is_empty());
        assert!(scan_named("DB_HOST", "hunter2!", false).is_empty());
        assert!(scan_named("TOKEN_PATH", "/var/run/secrets/token", false).is_empty());
        let file = "db:\n  host: db.svc\n  password: q8Zr2LkV9tYb3NcW7pZa\n  user: app\n";
        assert_eq!(scan_file(file).len(), 1);
        assert!(scan_file("password: changeme\ntoken: ${TOKEN}\n").is_empty());
        assert_eq!(redact("AKIAZ7VRSQ3JXHNNTW4Q"), "AKIA…, 20 characters");
        assert_eq!(redact("short"), "5 characters");
    }
}
