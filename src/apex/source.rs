//! The Apex a package holds: every class and trigger body, within the platform's size bounds.
//! Both the static estimator and the runtime read their Apex from here.

use crate::metadata::{ComponentKey, Tree};

/// One Apex source handed to the estimator.
#[derive(Debug, Clone)]
pub struct Source {
    /// `ApexClass:Name` or `ApexTrigger:Name`.
    pub key: ComponentKey,
    /// The body file's mdapi path.
    pub file: String,
    /// The Apex text.
    pub text: String,
}

/// Most characters of one class or trigger body the platform accepts: "Limit: 1 million
/// characters" (Object Reference, ApexClass `Body`; ApexTrigger likewise; Apex Developer Guide,
/// "Execution Governors and Limits", static Apex limits). A larger file is not Apex the platform
/// takes: it is a finding (`apex-size`), never parsed.
pub const MAX_APEX_CHARS: usize = 1_000_000;

/// Most characters of Apex the estimator parses in one run: well over an org's Apex code limit
/// (6 000 000 characters by default, tests and comments excepted), so a real project is always
/// estimated whole; past it the remaining classes are not estimated (a warning, `apex-size`), so
/// a package built to amplify cannot make `check` take minutes and gigabytes.
pub const MAX_TOTAL_APEX_CHARS: usize = 16_000_000;

/// A body file the estimator does not parse, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// `ApexClass:Name` or `ApexTrigger:Name`.
    pub key: ComponentKey,
    /// The body file's mdapi path.
    pub file: String,
    /// Its length in characters.
    pub chars: usize,
    /// `true` when over [`MAX_APEX_CHARS`] (the platform refuses it); `false` when over the
    /// total bound [`MAX_TOTAL_APEX_CHARS`].
    pub too_large: bool,
}

/// The Apex sources of a tree: every `ApexClass` and `ApexTrigger` body file, within
/// [`MAX_APEX_CHARS`] each and [`MAX_TOTAL_APEX_CHARS`] in all (see [`bounded_sources`]).
pub fn sources(tree: &Tree) -> Vec<Source> {
    bounded_sources(tree).0
}

/// The Apex sources of a tree, and the body files left out: those over [`MAX_APEX_CHARS`], and
/// those past [`MAX_TOTAL_APEX_CHARS`] (in key order). Lengths are counted without decoding more
/// than the bound of any file.
pub fn bounded_sources(tree: &Tree) -> (Vec<Source>, Vec<Skipped>) {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    let mut total = 0usize;
    for c in tree.iter() {
        let suffix = match c.key.type_name.as_str() {
            "ApexClass" => ".cls",
            "ApexTrigger" => ".trigger",
            _ => continue,
        };
        for f in &c.files {
            if !f.path.ends_with(suffix) {
                continue;
            }
            // Characters, as the platform counts them (a byte count would overstate non-ASCII
            // text); UTF-8 continuation bytes are not characters.
            let chars = f.bytes.iter().filter(|b| (**b & 0xC0) != 0x80).count();
            let skip = |too_large| Skipped { key: c.key.clone(), file: f.path.clone(), chars, too_large };
            if chars > MAX_APEX_CHARS {
                skipped.push(skip(true));
                continue;
            }
            if total + chars > MAX_TOTAL_APEX_CHARS {
                skipped.push(skip(false));
                continue;
            }
            total += chars;
            out.push(Source {
                key: c.key.clone(),
                file: f.path.clone(),
                text: String::from_utf8_lossy(&f.bytes).into_owned(),
            });
        }
    }
    (out, skipped)
}

#[cfg(test)]
mod bound_tests {
    use super::*;
    use crate::metadata::{Component, MetadataFile};

    /// Finding 8 of issue 12: what the estimator parses is bounded per file and in total.
    #[test]
    fn finding_08_sources_are_bounded_per_file_and_in_total() {
        let mut tree = Tree::new();
        let body = |n: usize| {
            let head = "public class C {}";
            format!("{head}{}", " ".repeat(n - head.len())).into_bytes()
        };
        tree.insert(Component::new(
            ComponentKey::new("ApexClass", "AHuge"),
            vec![MetadataFile::new("classes/AHuge.cls", body(MAX_APEX_CHARS + 1))],
        ));
        // Multi-byte characters count once: 1 000 000 'é' (2 000 000 bytes) is within the bound.
        tree.insert(Component::new(
            ComponentKey::new("ApexClass", "BAccents"),
            vec![MetadataFile::new("classes/BAccents.cls", "é".repeat(MAX_APEX_CHARS).into_bytes())],
        ));
        for i in 0..16 {
            tree.insert(Component::new(
                ComponentKey::new("ApexClass", format!("C{i:02}")),
                vec![MetadataFile::new(format!("classes/C{i:02}.cls"), body(MAX_APEX_CHARS))],
            ));
        }
        let (kept, skipped) = bounded_sources(&tree);
        let names = |v: Vec<&ComponentKey>| v.into_iter().map(|k| k.full_name.clone()).collect::<Vec<_>>();
        assert_eq!(names(skipped.iter().filter(|s| s.too_large).map(|s| &s.key).collect()), ["AHuge"]);
        let total: usize = kept.iter().map(|s| s.text.chars().count()).sum();
        assert!(total <= MAX_TOTAL_APEX_CHARS, "{total}");
        assert_eq!(kept.len(), 16, "BAccents and 15 of the 16 others fit");
        assert_eq!(names(skipped.iter().filter(|s| !s.too_large).map(|s| &s.key).collect()), ["C15"]);
    }
}
