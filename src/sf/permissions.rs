//! Salesforce's permission rules, used by both sides: `generate` refuses a config that breaks
//! them (`section::permission_set`), `check` reports a package that does (`check::rules`).
//!
//! Object permissions depend on each other: Create, Edit and Delete need Read, Delete needs
//! Edit, View All needs Read, Modify All needs View All and Delete; a deploy that grants one
//! without what it needs fails with a permission dependency error (Salesforce Help, "Object
//! Permissions"; Metadata API Developer Guide, PermissionSet, ObjectPermissions). Field-level
//! security does not apply to universally required standard fields (a deploy that names one
//! fails: "You cannot deploy to a required field"), nor to system fields and a custom object's
//! Name, whose access the platform sets (Salesforce Help, "What Determines Field Access?").

/// One object permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectPerm {
    /// Read (`allowRead`).
    Read,
    /// Create (`allowCreate`).
    Create,
    /// Edit (`allowEdit`).
    Edit,
    /// Delete (`allowDelete`).
    Delete,
    /// View All (`viewAllRecords`).
    ViewAll,
    /// Modify All (`modifyAllRecords`).
    ModifyAll,
}

impl ObjectPerm {
    /// The word a config uses (`"objects": {"Account": ["read", "edit"]}`).
    pub fn config_word(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Create => "create",
            Self::Edit => "edit",
            Self::Delete => "delete",
            Self::ViewAll => "viewAll",
            Self::ModifyAll => "modifyAll",
        }
    }

    /// The `objectPermissions` element that grants it.
    pub fn xml_flag(self) -> &'static str {
        match self {
            Self::Read => "allowRead",
            Self::Create => "allowCreate",
            Self::Edit => "allowEdit",
            Self::Delete => "allowDelete",
            Self::ViewAll => "viewAllRecords",
            Self::ModifyAll => "modifyAllRecords",
        }
    }

    /// Its name in Setup.
    pub fn label(self) -> &'static str {
        match self {
            Self::Read => "Read",
            Self::Create => "Create",
            Self::Edit => "Edit",
            Self::Delete => "Delete",
            Self::ViewAll => "View All",
            Self::ModifyAll => "Modify All",
        }
    }
}

/// (a permission, one it needs), in the order they are reported.
pub const OBJECT_PERMISSION_DEPENDENCIES: &[(ObjectPerm, ObjectPerm)] = &[
    (ObjectPerm::Create, ObjectPerm::Read),
    (ObjectPerm::Edit, ObjectPerm::Read),
    (ObjectPerm::Delete, ObjectPerm::Read),
    (ObjectPerm::Delete, ObjectPerm::Edit),
    (ObjectPerm::ViewAll, ObjectPerm::Read),
    (ObjectPerm::ModifyAll, ObjectPerm::ViewAll),
    (ObjectPerm::ModifyAll, ObjectPerm::Delete),
];

/// The dependencies that `has` breaks: each (granted, missing).
pub fn missing_object_permissions(has: impl Fn(ObjectPerm) -> bool) -> Vec<(ObjectPerm, ObjectPerm)> {
    OBJECT_PERMISSION_DEPENDENCIES.iter().copied().filter(|(p, need)| has(*p) && !has(*need)).collect()
}

/// User permissions that only work together with others (Setup enables them for you; a
/// deploy refuses them alone).
pub const USER_PERMISSION_DEPENDENCIES: &[(&str, &[&str])] = &[
    ("ApexRestServices", &["ApiEnabled"]),
    ("ApiUserOnly", &["ApiEnabled"]),
    ("ModifyAllData", &["ViewAllData", "ApiEnabled"]),
    ("ViewAllData", &["ViewSetup"]),
];

/// Standard fields that cannot carry field-level security: universally required fields,
/// system fields and auto-numbers. A deploy rejects `fieldPermissions` naming them.
pub const NON_FLS_FIELDS: &[&str] = &[
    "Account.Name",
    "Case.CaseNumber",
    "Case.Status",
    "Contact.LastName",
    "Event.DurationInMinutes",
    "Event.StartDateTime",
    "Event.Subject",
    "Lead.Company",
    "Lead.LastName",
    "Lead.Status",
    "Opportunity.CloseDate",
    "Opportunity.Name",
    "Opportunity.StageName",
    "Task.Priority",
    "Task.Status",
    "Task.Subject",
];

/// Fields present on every object that cannot carry field-level security.
pub const NON_FLS_SYSTEM_FIELDS: &[&str] = &[
    "Id",
    "CreatedById",
    "CreatedDate",
    "IsDeleted",
    "LastModifiedById",
    "LastModifiedDate",
    "OwnerId",
    "SystemModstamp",
    "Name",
];

/// Why a standard `Object.Field` cannot carry field-level security.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoFls {
    /// A universally required standard field: always readable and editable, and a deploy that
    /// names it fails.
    Required,
    /// A custom object's Name field: always readable and editable; an entry has no effect.
    CustomObjectName,
    /// A system field: the platform sets its access; an entry has no effect.
    System,
}

/// Whether field-level security cannot apply to `object.field` by Salesforce's own rules
/// (names compared without regard to case, as Salesforce compares API names).
pub fn no_fls(object: &str, field: &str) -> Option<NoFls> {
    let full_matches = |f: &&str| {
        f.split_once('.').is_some_and(|(o, n)| o.eq_ignore_ascii_case(object) && n.eq_ignore_ascii_case(field))
    };
    if NON_FLS_FIELDS.iter().any(full_matches) {
        return Some(NoFls::Required);
    }
    if field.eq_ignore_ascii_case("Name") && object.to_ascii_lowercase().ends_with("__c") {
        return Some(NoFls::CustomObjectName);
    }
    if NON_FLS_SYSTEM_FIELDS.iter().any(|f| f.eq_ignore_ascii_case(field)) {
        return Some(NoFls::System);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependencies_are_reported_in_order_and_only_when_broken() {
        let all = |_| true;
        assert!(missing_object_permissions(all).is_empty());
        let modify_all_edit_read = |p| matches!(p, ObjectPerm::ModifyAll | ObjectPerm::Edit | ObjectPerm::Read);
        assert_eq!(
            missing_object_permissions(modify_all_edit_read),
            [(ObjectPerm::ModifyAll, ObjectPerm::ViewAll), (ObjectPerm::ModifyAll, ObjectPerm::Delete)]
        );
        let create_only = |p| p == ObjectPerm::Create;
        assert_eq!(missing_object_permissions(create_only), [(ObjectPerm::Create, ObjectPerm::Read)]);
    }

    #[test]
    fn fls_rules_ignore_case_as_salesforce_does() {
        assert_eq!(no_fls("account", "NAME"), Some(NoFls::Required));
        assert_eq!(no_fls("Invoice__c", "name"), Some(NoFls::CustomObjectName));
        assert_eq!(no_fls("Contact", "createddate"), Some(NoFls::System));
        assert_eq!(no_fls("Contact", "Email"), None);
    }

    #[test]
    fn tables_are_sorted_and_unique_where_order_does_not_matter() {
        let mut f: Vec<String> = NON_FLS_FIELDS.iter().map(|s| s.to_ascii_lowercase()).collect();
        let before = f.clone();
        f.sort();
        f.dedup();
        assert_eq!(f, before, "NON_FLS_FIELDS: keep it sorted and unique");
    }
}
