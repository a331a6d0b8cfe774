//! Facts about Apex source that need no parser: whether a class is a test class; and the
//! `-meta.xml` beside a class or trigger.

/// Whether the Apex class `source` is a test class: `@IsTest` (any case, with or without
/// arguments) among the annotations before its `class` keyword. Comments and string literals are
/// skipped, so a class whose comment or string mentions `@isTest` is not one.
pub fn is_test_class(source: &[u8]) -> bool {
    let text = String::from_utf8_lossy(source);
    let mut chars = text.char_indices().peekable();
    let mut word = String::new();
    let mut annotation = false;
    let mut seen_test = false;
    let flush = |word: &mut String, annotation: &mut bool, seen_test: &mut bool| -> Option<bool> {
        if word.is_empty() {
            *annotation = false;
            return None;
        }
        let w = word.to_ascii_lowercase();
        word.clear();
        if *annotation {
            *annotation = false;
            if w == "istest" {
                *seen_test = true;
            }
            return None;
        }
        matches!(w.as_str(), "class" | "interface" | "enum" | "trigger").then_some(*seen_test)
    };
    let mut depth = 0usize;
    while let Some((_, c)) = chars.next() {
        match c {
            '/' if chars.peek().map(|p| p.1) == Some('/') => {
                if let Some(r) = flush(&mut word, &mut annotation, &mut seen_test) {
                    return r;
                }
                for (_, c) in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek().map(|p| p.1) == Some('*') => {
                if let Some(r) = flush(&mut word, &mut annotation, &mut seen_test) {
                    return r;
                }
                chars.next();
                let mut prev = ' ';
                for (_, c) in chars.by_ref() {
                    if prev == '*' && c == '/' {
                        break;
                    }
                    prev = c;
                }
            }
            '\'' => {
                if let Some(r) = flush(&mut word, &mut annotation, &mut seen_test) {
                    return r;
                }
                let mut escaped = false;
                for (_, c) in chars.by_ref() {
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '\'' {
                        break;
                    }
                }
            }
            '@' if depth == 0 => {
                if let Some(r) = flush(&mut word, &mut annotation, &mut seen_test) {
                    return r;
                }
                annotation = true;
            }
            '(' => {
                if let Some(r) = flush(&mut word, &mut annotation, &mut seen_test) {
                    return r;
                }
                depth += 1;
            }
            ')' => depth = depth.saturating_sub(1),
            c if c.is_alphanumeric() || c == '_' => {
                if depth == 0 {
                    word.push(c);
                }
            }
            _ => {
                if depth == 0 {
                    if let Some(r) = flush(&mut word, &mut annotation, &mut seen_test) {
                        return r;
                    }
                }
            }
        }
    }
    false
}

/// The `-meta.xml` of an Apex class or trigger (`root` is `ApexClass` or `ApexTrigger`): its API
/// version, active.
pub fn apex_meta(root: &str, version: &super::api::ApiVersion) -> String {
    super::xml::Element::new(root)
        .child(super::xml::Element::text("apiVersion", version.to_string()))
        .child(super::xml::Element::text("status", "Active"))
        .to_document()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_annotation_not_a_mention() {
        assert!(is_test_class(b"@IsTest\nprivate class ATest {}"));
        assert!(is_test_class(b"@isTest(SeeAllData=false) public with sharing class ATest {}"));
        assert!(is_test_class(b"/* header */ @TestVisible @ISTEST private class T { }"));
        assert!(!is_test_class(b"// not @isTest\npublic class A { void m() { System.debug('@isTest'); } }"));
        assert!(!is_test_class(b"/** Tested by @isTest classes */ public class A {}"));
        assert!(!is_test_class(b"public class A { @IsTest static void m() {} }"));
        assert!(!is_test_class(b"@SuppressWarnings('PMD') public class A {}"));
    }
}
