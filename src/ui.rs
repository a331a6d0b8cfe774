//! Terminal behaviour shared by every command: whether to colour output and whether to show
//! progress bars.
//!
//! Decided once when the command line is read (`commands::run`) from the global flags (`--color`, `--json`, `--quiet`), the
//! `NO_COLOR` convention and whether stdout/stderr are terminals, so commands never look at the
//! environment themselves. Progress bars go to stderr and only when stderr is a terminal and
//! the output is not `--json`: a pipe or a CI log never sees one.

use std::io::IsTerminal as _;
use std::sync::OnceLock;

/// The decided terminal behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ui {
    /// Colour stdout (diffs, tables).
    pub color: bool,
    /// Show progress bars on stderr.
    pub progress: bool,
}

static UI: OnceLock<Ui> = OnceLock::new();

/// Decides the behaviour from the flags and the environment.
pub fn decide(color: crate::cli::Color, json: bool, quiet: bool) -> Ui {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = match color {
        crate::cli::Color::Always => true,
        crate::cli::Color::Never => false,
        crate::cli::Color::Auto => !no_color && !json && std::io::stdout().is_terminal(),
    };
    let progress = !json && !quiet && std::io::stderr().is_terminal();
    Ui { color, progress }
}

/// Installs the behaviour for this process (first call wins).
pub fn init(ui: Ui) {
    let _ = UI.set(ui);
}

/// The behaviour in force (no colour, no progress when never decided, e.g. in library use).
pub fn get() -> Ui {
    UI.get().copied().unwrap_or(Ui { color: false, progress: false })
}

/// A value shown inside a line of terminal text, made printable ([`crate::printable::field`]:
/// the one policy), under the name the readers call it by.
pub use crate::printable::field as printable;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_never_turn_everything_off() {
        let ui = decide(crate::cli::Color::Never, true, false);
        assert_eq!(ui, Ui { color: false, progress: false });
        assert!(decide(crate::cli::Color::Always, false, false).color);
    }
}
