//! Metadata API versions: the ones sfgen knows and the one it writes when nothing says.

/// API versions sfgen knows: 56.0 (the `Assert` class the generated tests use) to 66.0 (the
/// WSDL sfgen's output is validated against).
pub const API_VERSIONS: std::ops::RangeInclusive<u16> = 56..=66;

/// API version used when neither a config nor an included input says.
pub const DEFAULT_API_VERSION: &str = "62.0";

/// A Metadata API version such as `62.0`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ApiVersion {
    /// The major number (56 to 66).
    pub major: u16,
}

impl std::fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.0", self.major)
    }
}
