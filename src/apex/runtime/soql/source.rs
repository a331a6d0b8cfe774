//! What the executor needs from the interpreter's in-memory org ([`DataSource`]), how it is
//! told about the running user ([`ExecContext`]), and what a query gives back ([`QueryResult`]).

use super::value::{Datetime, FixedZone, Value, Zone};

/// The in-memory org, as the SOQL engine sees it. Names passed in are canonical (as the
/// describe spells them) except for [`DataSource::describe`], which resolves any case.
pub trait DataSource {
    /// The object named `name` (any case), or `None` when the org has no such object.
    fn describe(&self, name: &str) -> Option<ObjectDescribe>;

    /// The Ids of the object's records, oldest first; with `include_deleted` (ALL ROWS), the
    /// records in the recycle bin too.
    fn records(&self, object: &str, include_deleted: bool) -> Vec<String>;

    /// The value of `field` (canonical name) on record `id` of `object`: `Value::Null` when unset.
    /// A lookup's value is the parent's Id (`Value::Id`); a multi-select picklist is its values
    /// joined by `;`.
    fn value(&self, object: &str, id: &str, field: &str) -> Value;

    /// The object a record Id belongs to (canonical name), for polymorphic lookups (`What`,
    /// `Owner`); `None` when no record of the org has it.
    fn object_of(&self, id: &str) -> Option<String>;

    /// The label of a picklist value, for `toLabel()`; `None` keeps the value.
    fn picklist_label(&self, _object: &str, _field: &str, _value: &str) -> Option<String> {
        None
    }
}

/// One object's describe.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ObjectDescribe {
    /// API name as the org spells it (`Account`, `Invoice__c`).
    pub name: String,
    /// Its fields (`Id` is assumed when missing).
    pub fields: Vec<FieldDescribe>,
    /// Child relationships (`Contacts` on Account).
    pub child_relationships: Vec<ChildRelationship>,
}

impl ObjectDescribe {
    /// The field of that name, case-insensitively.
    pub fn field(&self, name: &str) -> Option<&FieldDescribe> {
        self.fields.iter().find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// The lookup whose relationship name this is (`Account` → `AccountId`, `Parent__r` →
    /// `Parent__c`), case-insensitively.
    pub fn field_by_relationship(&self, rel: &str) -> Option<&FieldDescribe> {
        self.fields.iter().find(|f| f.relationship_name.as_deref().is_some_and(|r| r.eq_ignore_ascii_case(rel)))
    }

    /// The child relationship of that name, case-insensitively.
    pub fn child_relationship(&self, name: &str) -> Option<&ChildRelationship> {
        self.child_relationships.iter().find(|c| c.name.eq_ignore_ascii_case(name))
    }
}

/// One field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDescribe {
    /// API name as the org spells it.
    pub name: String,
    /// Its type.
    pub field_type: FieldType,
    /// For a lookup, the objects it may point to (several, or none listed, for a polymorphic one).
    pub reference_to: Vec<String>,
    /// For a lookup, its relationship name (`Account`, `Parent__r`).
    pub relationship_name: Option<String>,
}

impl FieldDescribe {
    /// A field of `field_type` with no relationship.
    pub fn new(name: &str, field_type: FieldType) -> FieldDescribe {
        FieldDescribe { name: name.to_string(), field_type, reference_to: Vec::new(), relationship_name: None }
    }

    /// A lookup to `targets` through relationship `rel`.
    pub fn lookup(name: &str, rel: &str, targets: &[&str]) -> FieldDescribe {
        FieldDescribe {
            name: name.to_string(),
            field_type: FieldType::Reference,
            reference_to: targets.iter().map(|s| s.to_string()).collect(),
            relationship_name: Some(rel.to_string()),
        }
    }
}

/// A child relationship: `Contacts` on Account is the Contacts whose `AccountId` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildRelationship {
    /// The relationship name.
    pub name: String,
    /// The child object.
    pub child_object: String,
    /// The child's lookup field.
    pub field: String,
}

/// Field types, as far as SOQL's semantics tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// The record's own Id.
    Id,
    /// A lookup or master-detail (an Id).
    Reference,
    /// Text, picklist, email, phone, URL, text area, ...
    String,
    /// A multi-select picklist (`INCLUDES`/`EXCLUDES`, `=` on the set of values).
    MultiPicklist,
    /// Checkbox.
    Boolean,
    /// Integer.
    Integer,
    /// Long.
    Long,
    /// Double.
    Double,
    /// Currency, number, percent (Apex Decimal).
    Decimal,
    /// Date.
    Date,
    /// Date/time.
    Datetime,
    /// Time.
    Time,
    /// Anything else (Blob, compound fields): selectable, not comparable.
    Other,
}

impl FieldType {
    /// The type of a field whose Apex type is `apex_type` (`String`, `Id`, `Boolean`, `Date`,
    /// `Datetime`, `Time`, `Decimal`, `Integer`, `Long`, `Double`), as `src/sf/schema.rs` and
    /// the package's object files give it. A lookup is `Id` with a relationship: use
    /// [`FieldType::Reference`] for those.
    pub fn from_apex_type(apex_type: &str) -> FieldType {
        match apex_type.to_ascii_lowercase().as_str() {
            "id" => FieldType::Id,
            "string" => FieldType::String,
            "boolean" => FieldType::Boolean,
            "integer" => FieldType::Integer,
            "long" => FieldType::Long,
            "double" => FieldType::Double,
            "decimal" => FieldType::Decimal,
            "date" => FieldType::Date,
            "datetime" => FieldType::Datetime,
            "time" => FieldType::Time,
            _ => FieldType::Other,
        }
    }

    /// The SOAP type name error messages use (`string`, `double`, `dateTime`, ...).
    pub(crate) fn soap_name(self) -> &'static str {
        match self {
            FieldType::Id | FieldType::Reference => "id",
            FieldType::String | FieldType::MultiPicklist | FieldType::Other => "string",
            FieldType::Boolean => "boolean",
            FieldType::Integer => "int",
            FieldType::Long => "long",
            FieldType::Double | FieldType::Decimal => "double",
            FieldType::Date => "date",
            FieldType::Datetime => "dateTime",
            FieldType::Time => "time",
        }
    }

    /// The Apex type name bind errors use.
    pub(crate) fn apex_name(self) -> &'static str {
        match self {
            FieldType::Id | FieldType::Reference => "Id",
            FieldType::String | FieldType::MultiPicklist | FieldType::Other => "String",
            FieldType::Boolean => "Boolean",
            FieldType::Integer => "Integer",
            FieldType::Long => "Long",
            FieldType::Double => "Double",
            FieldType::Decimal => "Decimal",
            FieldType::Date => "Date",
            FieldType::Datetime => "Datetime",
            FieldType::Time => "Time",
        }
    }
}

/// Who runs the query, and when.
pub struct ExecContext<'a> {
    /// The current instant (`System.now()` of the run).
    pub now: Datetime,
    /// The running user's time zone: date literals and `convertTimezone()` are in it.
    pub zone: &'a dyn Zone,
    /// The locale's first day of the week, 0 = Sunday (en_US) .. 6.
    pub week_start: u32,
    /// The org's fiscal year start month, 1-12 (1 = the default, January).
    pub fiscal_year_start_month: u32,
    /// Whether the org names a fiscal year by the calendar year it starts in (Salesforce's
    /// default names it by the year it ends in).
    pub fiscal_year_named_by_start: bool,
    /// The running user's Id, for `USING SCOPE Mine`.
    pub user_id: Option<String>,
}

impl<'a> ExecContext<'a> {
    /// A context at `now` for a user in `zone`, with en_US's Sunday weeks and a January fiscal
    /// year.
    pub fn new(now: Datetime, zone: &'a dyn Zone) -> ExecContext<'a> {
        ExecContext {
            now,
            zone,
            week_start: 0,
            fiscal_year_start_month: 1,
            fiscal_year_named_by_start: false,
            user_id: None,
        }
    }
}

/// A GMT zone, for callers with no user zone.
pub static GMT: FixedZone = FixedZone(0);

/// What a query gave.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryResult {
    /// The rows.
    pub data: QueryData,
    /// Rows this query counts against "Total number of records retrieved by SOQL queries"
    /// (the interpreter raises `Too many query rows: 50001`): records and child records returned;
    /// for an aggregate query the rows aggregated, except that a query whose only aggregates
    /// are COUNT counts one row (one per group with GROUP BY), as the Apex Developer Guide's
    /// "Working with SOQL Aggregate Functions" says.
    pub query_rows: u64,
}

/// The rows of a result.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryData {
    /// Records (`List<SObject>`).
    Records(Vec<Row>),
    /// `SELECT COUNT() ...`: an Integer.
    Count(i64),
    /// `AggregateResult[]`.
    Aggregates(Vec<AggregateRow>),
}

/// One record of a result.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Row {
    /// Its object (canonical name).
    pub object: String,
    /// Its Id (always returned, as Apex does).
    pub id: String,
    /// Selected fields (canonical names, or the alias), in SELECT order.
    pub fields: Vec<(String, Value)>,
    /// Parent records reached through selected paths, by relationship name (`None` when the
    /// lookup is empty).
    pub parents: Vec<(String, Option<Row>)>,
    /// Child subqueries' records, by relationship name.
    pub children: Vec<(String, Vec<Row>)>,
}

impl Row {
    /// The value at a dotted path (`Name`, `Account.Owner.Name`), case-insensitively; `None`
    /// when the path was not selected, `Some(Null)` when a lookup on the way is empty.
    pub fn get(&self, path: &str) -> Option<&Value> {
        static NULL: Value = Value::Null;
        match path.split_once('.') {
            None => self.fields.iter().find(|(k, _)| k.eq_ignore_ascii_case(path)).map(|(_, v)| v),
            Some((rel, rest)) => match self.parents.iter().find(|(k, _)| k.eq_ignore_ascii_case(rel))? {
                (_, Some(parent)) => parent.get(rest),
                (_, None) => Some(&NULL),
            },
        }
    }

    /// The child records of a subquery, case-insensitively.
    pub fn children(&self, rel: &str) -> Option<&[Row]> {
        self.children.iter().find(|(k, _)| k.eq_ignore_ascii_case(rel)).map(|(_, v)| v.as_slice())
    }
}

/// One `AggregateResult`: its columns by alias (`expr0`, `expr1`, ... for aggregates without one;
/// a grouped field by its name).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AggregateRow {
    /// Columns in SELECT order.
    pub columns: Vec<(String, Value)>,
}

impl AggregateRow {
    /// `AggregateResult.get(alias)`, case-insensitively.
    pub fn get(&self, alias: &str) -> Option<&Value> {
        self.columns.iter().find(|(k, _)| k.eq_ignore_ascii_case(alias)).map(|(_, v)| v)
    }
}
