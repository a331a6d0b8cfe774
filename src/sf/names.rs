//! Salesforce's naming rules and the fixed vocabularies sfgen checks against (API versions are in
//! [`super::api`], OAuth in [`super::oauth`]).

/// User permission names known at API 61 (from Salesforce's `PermissionSet` SObject, one per
/// line, without the `Permissions` prefix).
pub fn user_permissions() -> impl Iterator<Item = &'static str> {
    include_str!("data/user_permissions.txt").lines().filter(|l| !l.is_empty())
}

/// Test-record defaults for standard objects: values that satisfy the platform's required
/// fields (`{n}` keeps names unique so duplicate rules do not trip on bulk inserts).
pub fn default_test_record(sobject: &str) -> Option<&'static [(&'static str, &'static str)]> {
    Some(match sobject {
        "Account" => &[("Name", "sfgen Test Account {n}")],
        "Contact" => &[("Email", "sfgen.test{n}@example.com"), ("LastName", "sfgen Test {n}")],
        "Lead" => &[("Company", "sfgen Test Co {n}"), ("LastName", "sfgen Test {n}")],
        "Case" => &[("Origin", "Web"), ("Subject", "sfgen Test Case {n}")],
        "Opportunity" => {
            &[("CloseDate", "$today+30"), ("Name", "sfgen Test Opportunity {n}"), ("StageName", "Prospecting")]
        }
        _ => return None,
    })
}

/// Whether `s` is a Salesforce API (developer) name: starts with a letter, only letters,
/// digits and single underscores, does not end with an underscore.
pub fn is_api_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.contains("__")
        && !s.ends_with('_')
}

/// Longest custom object or field name before its suffix (`__c`), and longest namespace
/// prefix: 40 and 15 characters (Salesforce Help, knowledge article 000381913).
pub const MAX_CUSTOM_NAME: usize = 40;
/// Longest namespace prefix.
pub const MAX_NAMESPACE: usize = 15;
/// Longest standard object or field name sfgen accepts (standard names are far shorter; this
/// only keeps a runaway string out of the Apex and the metadata).
pub const MAX_STANDARD_NAME: usize = 80;

/// Longest Apex class name: `ApexClass.Name` is a string of 255 characters (Salesforce Field
/// Reference, ApexClass:
/// <https://developer.salesforce.com/docs/platform/field-reference/references/field-reference/salesforce-field-reference-apexclass.html>).
pub const MAX_CLASS_NAME: usize = 255;
/// Longest permission set API name: `PermissionSet.Name`, 80 characters (Salesforce Field
/// Reference, PermissionSet).
pub const MAX_PERMISSION_SET_NAME: usize = 80;
/// Longest record type API name: `RecordType.DeveloperName`, 80 characters (Salesforce Field
/// Reference, RecordType:
/// <https://developer.salesforce.com/docs/platform/field-reference/references/field-reference/salesforce-field-reference-recordtype.html>).
pub const MAX_RECORD_TYPE_NAME: usize = 80;

/// Why `name` is too long to deploy (`what` names it), if it is more than `max` characters; the
/// message shows only the start of a runaway name.
pub fn too_long(what: &str, name: &str, max: usize) -> Option<String> {
    let n = name.chars().count();
    (n > max).then(|| {
        let start: String = name.chars().take(40).collect();
        format!("{what} \"{}...\" is {n} characters; Salesforce allows {max}", start.escape_debug())
    })
}

/// `name` as a message shows it: whole, or its first 60 characters and its length.
pub fn shown_name(name: &str) -> String {
    let n = name.chars().count();
    if n <= 60 {
        return name.escape_debug().to_string();
    }
    let start: String = name.chars().take(60).collect();
    format!("{}... ({n} characters)", start.escape_debug())
}

/// Whether `s` is an SObject or field API name: an API name, optionally with a namespace
/// prefix and a custom suffix (`ns__Invoice__c`, `Invoice__c`, `Amount__c`), within
/// Salesforce's lengths.
pub fn is_sobject_name(s: &str) -> bool {
    let parts: Vec<&str> = s.split("__").collect();
    let syntax = match parts.as_slice() {
        [name] => is_api_name(name),
        [name, suffix] => is_api_name(name) && is_custom_suffix(suffix),
        [ns, name, suffix] => is_api_name(ns) && is_api_name(name) && is_custom_suffix(suffix),
        _ => false,
    };
    syntax && sobject_name_length(s).is_none()
}

/// Why `s` (an SObject or field name) is longer than Salesforce allows, if it is.
pub fn sobject_name_length(s: &str) -> Option<String> {
    let parts: Vec<&str> = s.split("__").collect();
    let (ns, name, custom) = match parts.as_slice() {
        [name] => (None, *name, false),
        [name, _] => (None, *name, true),
        [ns, name, _] => (Some(*ns), *name, true),
        _ => return None,
    };
    if let Some(ns) = ns.filter(|ns| ns.len() > MAX_NAMESPACE) {
        return Some(format!("its namespace prefix is {} characters; Salesforce allows {MAX_NAMESPACE}", ns.len()));
    }
    if custom && name.len() > MAX_CUSTOM_NAME {
        return Some(format!(
            "its name is {} characters before the suffix; a custom object or field name has at most {MAX_CUSTOM_NAME}",
            name.len()
        ));
    }
    if !custom && name.len() > MAX_STANDARD_NAME {
        return Some(format!("it is {} characters; no standard object or field name is that long", name.len()));
    }
    None
}

fn is_custom_suffix(s: &str) -> bool {
    matches!(s, "c" | "mdt" | "e" | "x" | "b" | "r" | "kav" | "Share" | "History")
}

/// Apex reserved words that cannot be class, trigger or field names.
pub const APEX_RESERVED: &[&str] = &[
    "abstract",
    "activate",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "autonomous",
    "begin",
    "bigdecimal",
    "blob",
    "boolean",
    "break",
    "bulk",
    "by",
    "byte",
    "case",
    "cast",
    "catch",
    "char",
    "class",
    "collect",
    "commit",
    "const",
    "continue",
    "currency",
    "date",
    "datetime",
    "decimal",
    "default",
    "delete",
    "desc",
    "do",
    "double",
    "else",
    "end",
    "enum",
    "exception",
    "exit",
    "export",
    "extends",
    "false",
    "final",
    "finally",
    "float",
    "for",
    "from",
    "global",
    "goto",
    "group",
    "having",
    "hint",
    "if",
    "implements",
    "import",
    "in",
    "inner",
    "insert",
    "instanceof",
    "integer",
    "interface",
    "into",
    "join",
    "like",
    "limit",
    "list",
    "long",
    "loop",
    "map",
    "merge",
    "new",
    "not",
    "null",
    "nulls",
    "number",
    "object",
    "of",
    "on",
    "or",
    "outer",
    "override",
    "package",
    "parallel",
    "pragma",
    "private",
    "protected",
    "public",
    "retrieve",
    "return",
    "rollback",
    "select",
    "set",
    "short",
    "sobject",
    "sort",
    "static",
    "string",
    "super",
    "switch",
    "synchronized",
    "system",
    "testmethod",
    "then",
    "this",
    "throw",
    "time",
    "transaction",
    "trigger",
    "true",
    "try",
    "undelete",
    "update",
    "upsert",
    "using",
    "virtual",
    "void",
    "webservice",
    "when",
    "where",
    "while",
];

/// Header names that carry credentials: a literal value would put a secret in Apex source.
pub fn is_credential_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["authorization", "cookie", "token", "secret", "password", "api-key", "apikey", "api_key"]
        .iter()
        .any(|w| n.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_names() {
        assert!(is_api_name("Webhook"));
        assert!(is_api_name("Vendor_Endpoint2"));
        for bad in ["", "1abc", "a__b", "a_", "a-b", "a b", "é"] {
            assert!(!is_api_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn sobject_names() {
        assert!(is_sobject_name("Contact"));
        assert!(is_sobject_name("Invoice__c"));
        assert!(is_sobject_name("acme__Invoice__c"));
        assert!(!is_sobject_name("Invoice__z"));
        assert!(!is_sobject_name("Contact.Name"));
    }

    #[test]
    fn vocabularies_are_sorted_for_review() {
        assert!(user_permissions().any(|p| p == "ApiEnabled"));
        assert!(user_permissions().count() > 300);
    }
}
