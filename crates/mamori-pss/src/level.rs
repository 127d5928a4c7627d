//! Levels, policy versions and their textual forms.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The newest policy version in which any check changed. Requests for a newer
/// version, and `latest`, are evaluated as this one (upstream caps them the
/// same way), while messages keep the version as requested.
pub const MAX_POLICY_MINOR: u64 = 37;

/// One of the three Pod Security Standards levels, from least to most strict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Privileged,
    Baseline,
    Restricted,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Privileged, Level::Baseline, Level::Restricted];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Privileged => "privileged",
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }

    /// Parses a level exactly (case-sensitive), as namespace labels and the
    /// admission configuration are parsed upstream.
    pub fn parse(s: &str) -> Result<Level, LevelError> {
        match s {
            "privileged" => Ok(Level::Privileged),
            "baseline" => Ok(Level::Baseline),
            "restricted" => Ok(Level::Restricted),
            _ => Err(LevelError),
        }
    }

    /// The next stricter level, if any.
    pub fn stricter(self) -> Option<Level> {
        match self {
            Level::Privileged => Some(Level::Baseline),
            Level::Baseline => Some(Level::Restricted),
            Level::Restricted => None,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = LevelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Level::parse(s)
    }
}

/// A level string that is not one of the three levels. The Display text is
/// the upstream validation detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be one of privileged, baseline, restricted")]
pub struct LevelError;

/// A policy version: `latest` or `v1.<minor>`.
///
/// The minor is a `u64` rather than a `u32` so that every label upstream
/// accepts (any decimal that fits Go's 64-bit `int`) round-trips.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    Latest,
    V(u64),
}

impl Version {
    /// Parses `latest` or `v1.<minor>` with upstream's grammar
    /// `^v1\.([0-9]|[1-9][0-9]*)$`: no leading zeros, no patch, no missing `v`.
    pub fn parse(s: &str) -> Result<Version, VersionError> {
        if s == "latest" {
            return Ok(Version::Latest);
        }
        let digits = s.strip_prefix("v1.").ok_or(VersionError)?;
        let bytes = digits.as_bytes();
        if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) || (bytes.len() > 1 && bytes[0] == b'0') {
            return Err(VersionError);
        }
        // Go's strconv.Atoi fails beyond the 64-bit signed range.
        match digits.parse::<u64>() {
            Ok(n) if n <= i64::MAX as u64 => Ok(Version::V(n)),
            _ => Err(VersionError),
        }
    }

    /// The minor version whose checks apply: `latest` and anything past the
    /// newest check revision evaluate as [`MAX_POLICY_MINOR`]; `cap` (an
    /// emulated API server minor) lowers that ceiling further.
    pub fn effective_minor(self, cap: Option<u64>) -> u64 {
        let max = match cap {
            Some(c) if c < MAX_POLICY_MINOR => c,
            _ => MAX_POLICY_MINOR,
        };
        match self {
            Version::Latest => max,
            Version::V(n) => n.min(max),
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::Latest => f.write_str("latest"),
            Version::V(n) => write!(f, "v1.{n}"),
        }
    }
}

impl FromStr for Version {
    type Err = VersionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Version::parse(s)
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// `latest` is newer than every numbered version, as upstream orders them.
impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Version::Latest, Version::Latest) => Ordering::Equal,
            (Version::Latest, _) => Ordering::Greater,
            (_, Version::Latest) => Ordering::Less,
            (Version::V(a), Version::V(b)) => a.cmp(b),
        }
    }
}

impl Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Version::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A version string that upstream would reject. The Display text is the
/// upstream validation detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be \"latest\" or \"v1.x\"")]
pub struct VersionError;

/// A level at a version, printed `level:version` as in every message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LevelVersion {
    pub level: Level,
    pub version: Version,
}

impl LevelVersion {
    pub fn new(level: Level, version: Version) -> Self {
        LevelVersion { level, version }
    }

    /// Upstream treats two privileged policies as the same whatever their
    /// versions, since privileged has no checks.
    pub fn equivalent(&self, other: &LevelVersion) -> bool {
        (self.level == Level::Privileged && other.level == Level::Privileged) || self == other
    }
}

impl fmt::Display for LevelVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.level, self.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_with_upstream_grammar() {
        assert_eq!(Version::parse("latest"), Ok(Version::Latest));
        assert_eq!(Version::parse("v1.0"), Ok(Version::V(0)));
        assert_eq!(Version::parse("v1.25"), Ok(Version::V(25)));
        assert_eq!(Version::parse("v1.999"), Ok(Version::V(999)));
        for bad in [
            "",
            "Latest",
            "LATEST",
            "v1.",
            "v1",
            "1.25",
            "v1.025",
            "v1.25.0",
            "v2.1",
            "v1.-1",
            "v1.2a",
            " v1.2",
            "v1.+2",
            "v1.99999999999999999999",
        ] {
            assert_eq!(Version::parse(bad), Err(VersionError), "{bad:?}");
        }
        assert_eq!(VersionError.to_string(), r#"must be "latest" or "v1.x""#);
    }

    #[test]
    fn versions_display_and_order() {
        assert_eq!(Version::V(29).to_string(), "v1.29");
        assert_eq!(Version::Latest.to_string(), "latest");
        assert!(Version::V(100) < Version::Latest);
        assert!(Version::V(9) < Version::V(10));
    }

    #[test]
    fn effective_minor_caps_at_newest_revision() {
        assert_eq!(Version::Latest.effective_minor(None), MAX_POLICY_MINOR);
        assert_eq!(Version::V(99).effective_minor(None), MAX_POLICY_MINOR);
        assert_eq!(Version::V(3).effective_minor(None), 3);
        assert_eq!(Version::Latest.effective_minor(Some(30)), 30);
        assert_eq!(Version::V(33).effective_minor(Some(30)), 30);
        assert_eq!(Version::V(33).effective_minor(Some(90)), 33);
    }

    #[test]
    fn levels_parse_exactly() {
        assert_eq!("baseline".parse::<Level>(), Ok(Level::Baseline));
        assert_eq!(Level::parse("Baseline"), Err(LevelError));
        assert_eq!(
            LevelError.to_string(),
            "must be one of privileged, baseline, restricted"
        );
        assert_eq!(
            LevelVersion::new(Level::Restricted, Version::Latest).to_string(),
            "restricted:latest"
        );
        assert!(Level::Privileged < Level::Baseline && Level::Baseline < Level::Restricted);
    }
}
