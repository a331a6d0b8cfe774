//! What one untrusted input may hold ([`Limits`], from the environment) and how an entry is
//! refused: every refusal names the input and the entry and says how to get past it.

use crate::error::{Error, Result};
use crate::relpath::folded_name;
use std::collections::HashMap;
use std::path::Path;

/// Caps on what one input may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most files (zip entries, including folders) per input.
    pub max_entries: usize,
    /// Most uncompressed bytes per file.
    pub max_file_bytes: u64,
    /// Most uncompressed bytes per input.
    pub max_total_bytes: u64,
    /// Highest uncompressed/compressed ratio of a zip entry larger than 1 MiB, and of a whole zip
    /// larger than 64 MiB uncompressed.
    pub max_ratio: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_entries: 1_000_000, max_file_bytes: 64 << 20, max_total_bytes: 8 << 30, max_ratio: 200 }
    }
}

/// The bounds an environment override must stay within (what sfgen can honour without overflow).
const ENV_BOUNDS: [(&str, u64); 4] = [
    ("SFGEN_MAX_ENTRIES", 100_000_000),
    ("SFGEN_MAX_FILE_BYTES", 1 << 40),
    ("SFGEN_MAX_TOTAL_BYTES", 1 << 50),
    ("SFGEN_MAX_RATIO", 1_000_000_000),
];

impl Limits {
    /// The defaults, overridden by `SFGEN_MAX_ENTRIES`, `SFGEN_MAX_FILE_BYTES`,
    /// `SFGEN_MAX_TOTAL_BYTES` and `SFGEN_MAX_RATIO` when set (positive integers within bounds).
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Like [`Limits::from_env`], reading variables through `get` (testable).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let d = Self::default();
        let read = |name: &str, default: u64| -> Result<u64> {
            let max = ENV_BOUNDS.iter().find(|(n, _)| *n == name).map_or(u64::MAX, |(_, m)| *m);
            match get(name) {
                None => Ok(default),
                Some(v) => match v.trim().parse::<u64>() {
                    Ok(n) if n > 0 && n <= max => Ok(n),
                    // The value itself is not echoed: environment values stay out of output.
                    Ok(n) if n > max => Err(Error::Input {
                        message: format!("{name} is larger than sfgen can honour (at most {max})"),
                        hint: Some(format!("unset {name} or give a number from 1 to {max}, e.g. {default}")),
                    }),
                    _ => Err(Error::Input {
                        message: format!("{name} is not a positive integer"),
                        hint: Some(format!("unset {name} or give a number from 1 to {max}, e.g. {default}")),
                    }),
                },
            }
        };
        Ok(Self {
            max_entries: usize::try_from(read("SFGEN_MAX_ENTRIES", d.max_entries as u64)?).unwrap_or(usize::MAX),
            max_file_bytes: read("SFGEN_MAX_FILE_BYTES", d.max_file_bytes)?,
            max_total_bytes: read("SFGEN_MAX_TOTAL_BYTES", d.max_total_bytes)?,
            max_ratio: read("SFGEN_MAX_RATIO", d.max_ratio)?,
        })
    }
}

pub(crate) fn refuse(input: &Path, entry: &str, why: &str, hint: &str) -> Error {
    Error::Input {
        message: format!("{}: refusing entry {:?}: {why}", input.display(), crate::ui::printable(entry)),
        hint: Some(hint.to_string()),
    }
}

/// Refuses duplicates, exact or colliding on case-insensitive or normalising file systems.
pub(crate) struct Names {
    seen: HashMap<String, String>,
}

impl Names {
    pub(crate) fn new() -> Self {
        Self { seen: HashMap::new() }
    }

    pub(crate) fn add(&mut self, input: &Path, name: &str) -> Result<()> {
        let folded = folded_name(name);
        if let Some(prev) = self.seen.get(&folded) {
            let why = if prev == name {
                "duplicate entry".to_string()
            } else {
                format!(
                    "collides with {:?} on case-insensitive or normalising file systems (macOS, Windows)",
                    crate::ui::printable(prev)
                )
            };
            return Err(refuse(input, name, &why, "keep exactly one of them"));
        }
        self.seen.insert(folded, name.to_string());
        Ok(())
    }
}

pub(super) fn over_limit(input: &Path, what: &str, var: &str) -> Error {
    Error::Input {
        message: format!("{}: {what}", input.display()),
        hint: Some(format!("if the input is trusted and really this large, raise {var}")),
    }
}
