//! SOQL in the interpreter: inline queries (`[SELECT ...]`, with their binds) and dynamic ones
//! (`Database.query`), run by the SOQL engine ([`super::soql`]) over the in-memory org (this
//! module's [`OrgView`] implements its `DataSource`). Queried records remember they were
//! queried: reading a field the query did not select throws `System.SObjectException` ("SObject
//! row was retrieved via SOQL without querying the requested field"), as on the platform.
//! Limits: 100 queries (200 async), "Too many SOQL queries: 101"; 50 000 rows, "Too many query
//! rows: 50001" (Apex Developer Guide, "Execution Governors and Limits").

use super::db::schema::{FieldType as Ft, Schema};
use super::db::Db;
use super::interp::{Interp, R};
use super::limits::max;
use super::soql;
use super::values::*;
use std::rc::Rc;

/// The in-memory org as the SOQL engine sees it.
pub struct OrgView<'a> {
    /// Stored records.
    pub db: &'a Db,
    /// Schema.
    pub schema: &'a Schema,
}

fn field_type(t: &Ft) -> soql::FieldType {
    match t {
        Ft::Id => soql::FieldType::Id,
        Ft::Reference(_) => soql::FieldType::Reference,
        Ft::Text(_) => soql::FieldType::String,
        Ft::Number(_) => soql::FieldType::Decimal,
        Ft::Integer => soql::FieldType::Integer,
        Ft::Double => soql::FieldType::Double,
        Ft::Checkbox => soql::FieldType::Boolean,
        Ft::Date => soql::FieldType::Date,
        Ft::DateTime => soql::FieldType::Datetime,
        Ft::Time => soql::FieldType::Time,
        Ft::EntityRef(_) => soql::FieldType::Reference,
        Ft::Other => soql::FieldType::Other,
    }
}

/// An interpreter value as the engine's.
pub fn to_soql(v: &Value) -> soql::Value {
    match v {
        Value::Null => soql::Value::Null,
        Value::Bool(b) => soql::Value::Boolean(*b),
        Value::Int(i) => soql::Value::Integer(*i),
        Value::Long(l) => soql::Value::Long(*l),
        Value::Double(d) => soql::Value::Double(*d),
        Value::Dec(d) => soql::Value::Decimal(*d),
        Value::Str(s) => soql::Value::String(s.to_string()),
        Value::Id(s) => soql::Value::Id(s.to_string()),
        Value::Date(d) => soql::Value::Date(soql::Date(*d)),
        Value::Datetime(ms) => soql::Value::Datetime(soql::Datetime(*ms)),
        Value::Time(t) => soql::Value::Time(soql::Time(*t as u32)),
        Value::List(l) => soql::Value::List(l.borrow().items.iter().map(to_soql).collect()),
        Value::Set(s) => soql::Value::List(s.borrow().items.values().map(to_soql).collect()),
        Value::Map(m) => soql::Value::List(m.borrow().items.values().map(|(k, _)| to_soql(k)).collect()),
        Value::SObject(s) => match s.borrow().id() {
            Some(id) => soql::Value::Id(id.to_string()),
            None => soql::Value::Null,
        },
        Value::Enum(..)
        | Value::SType(_)
        | Value::SField(_)
        | Value::Type(_)
        | Value::Obj(_)
        | Value::Native(_)
        | Value::Blob(_) => soql::Value::Null,
    }
}

/// An engine value as the interpreter's.
pub fn from_soql(v: &soql::Value) -> Value {
    match v {
        soql::Value::Null => Value::Null,
        soql::Value::Boolean(b) => Value::Bool(*b),
        soql::Value::Integer(i) => Value::Int(*i),
        soql::Value::Long(l) => Value::Long(*l),
        soql::Value::Decimal(d) => Value::Dec(*d),
        soql::Value::Double(d) => Value::Double(*d),
        soql::Value::String(s) => Value::str(s),
        soql::Value::Id(s) => Value::Id(super::db::ids::to18(s).unwrap_or_else(|| s.clone()).into()),
        soql::Value::Date(d) => Value::Date(d.0),
        soql::Value::Datetime(d) => Value::Datetime(d.0),
        soql::Value::Time(t) => Value::Time(t.0 as i64),
        soql::Value::List(l) => Value::list(Ty::Object, l.iter().map(from_soql).collect()),
    }
}

impl OrgView<'_> {
    /// A field of a synthetic `EntityDefinition` (id: the object's API name) or `FieldDefinition`
    /// (id: `Object.Field`) row.
    fn definition_value(&self, table: &str, id: &str, field: &str) -> soql::Value {
        let s = |v: &str| soql::Value::String(v.to_string());
        let f = field.to_ascii_lowercase();
        if table == "entitydefinition" {
            let Some(o) = self.schema.object(id) else { return soql::Value::Null };
            return match f.as_str() {
                "id" | "durableid" | "qualifiedapiname" => s(&o.name),
                "developername" => s(o.name.strip_suffix("__c").unwrap_or(&o.name)),
                "label" | "masterlabel" => s(&o.label),
                "plurallabel" => s(&o.plural),
                "keyprefix" => s(&o.prefix),
                _ => soql::Value::Null,
            };
        }
        let Some((obj, fname)) = id.split_once('.') else { return soql::Value::Null };
        let Some(o) = self.schema.object(obj) else { return soql::Value::Null };
        let Some(fi) = o.field(fname) else { return soql::Value::Null };
        match f.as_str() {
            "id" | "durableid" => s(&format!("{}.{}", o.name, fi.name)),
            "qualifiedapiname" => s(&fi.name),
            "developername" => s(fi.name.strip_suffix("__c").unwrap_or(&fi.name)),
            "label" | "masterlabel" => s(&fi.label),
            "entitydefinitionid" => s(&o.name),
            _ => soql::Value::Null,
        }
    }
}

impl soql::DataSource for OrgView<'_> {
    fn describe(&self, name: &str) -> Option<soql::ObjectDescribe> {
        let text = |n: &str| soql::FieldDescribe::new(n, soql::FieldType::String);
        if name.eq_ignore_ascii_case("entitydefinition") {
            let fields = [
                "DurableId",
                "QualifiedApiName",
                "DeveloperName",
                "Label",
                "MasterLabel",
                "KeyPrefix",
                "NamespacePrefix",
                "PluralLabel",
            ]
            .iter()
            .map(|n| text(n))
            .chain([soql::FieldDescribe::new("Id", soql::FieldType::Id)])
            .collect();
            return Some(soql::ObjectDescribe {
                name: "EntityDefinition".into(),
                fields,
                child_relationships: Vec::new(),
            });
        }
        if name.eq_ignore_ascii_case("fielddefinition") {
            let mut fields: Vec<soql::FieldDescribe> = [
                "DurableId",
                "QualifiedApiName",
                "DeveloperName",
                "Label",
                "MasterLabel",
                "DataType",
                "NamespacePrefix",
            ]
            .iter()
            .map(|n| text(n))
            .collect();
            fields.push(soql::FieldDescribe::new("Id", soql::FieldType::Id));
            fields.push(soql::FieldDescribe::lookup("EntityDefinitionId", "EntityDefinition", &["EntityDefinition"]));
            return Some(soql::ObjectDescribe {
                name: "FieldDefinition".into(),
                fields,
                child_relationships: Vec::new(),
            });
        }
        let o = self.schema.object(name)?;
        let fields = o
            .fields
            .values()
            .map(|f| soql::FieldDescribe {
                name: f.name.to_string(),
                field_type: field_type(&f.ty),
                reference_to: match &f.ty {
                    Ft::Reference(t) => t.iter().map(|x| x.to_string()).collect(),
                    Ft::EntityRef(t) => vec![t.to_string()],
                    _ => Vec::new(),
                },
                relationship_name: if matches!(f.ty, Ft::Reference(_) | Ft::EntityRef(_)) {
                    f.relationship.as_ref().map(|r| r.to_string())
                } else {
                    None
                },
            })
            .collect();
        let child_relationships = o
            .children
            .values()
            .map(|(name, child, field)| soql::ChildRelationship {
                name: name.to_string(),
                child_object: child.to_string(),
                field: field.to_string(),
            })
            .collect();
        Some(soql::ObjectDescribe { name: o.name.to_string(), fields, child_relationships })
    }

    fn records(&self, object: &str, include_deleted: bool) -> Vec<String> {
        let table = object.to_ascii_lowercase();
        if table == "entitydefinition" {
            let mut names: Vec<String> = self.schema.objects.values().map(|o| o.name.to_string()).collect();
            names.sort();
            return names;
        }
        if table == "fielddefinition" {
            let mut out = Vec::new();
            for o in self.schema.objects.values() {
                for f in o.fields.values() {
                    out.push(format!("{}.{}", o.name, f.name));
                }
            }
            out.sort();
            return out;
        }
        let mut out: Vec<String> = self.db.rows(&table).filter_map(|r| r.id()).map(|i| i.to_string()).collect();
        if include_deleted {
            out.extend(self.db.recycle.iter().filter(|(_, (t, _))| *t == table).map(|(id, _)| id.to_string()));
        }
        out
    }

    fn value(&self, object: &str, id: &str, field: &str) -> soql::Value {
        let table = object.to_ascii_lowercase();
        if table == "entitydefinition" || table == "fielddefinition" {
            return self.definition_value(&table, id, field);
        }
        let row = self.db.row(&table, id).or_else(|| self.db.recycle.get(id).map(|(_, r)| r));
        match row.and_then(|r| r.get(field)) {
            Some(v) => to_soql(v),
            None if field.eq_ignore_ascii_case("isdeleted") => soql::Value::Boolean(self.db.recycle.contains_key(id)),
            None => soql::Value::Null,
        }
    }

    fn object_of(&self, id: &str) -> Option<String> {
        let id18 = super::db::ids::to18(id)?;
        if let Some((t, _)) = self.db.find(&id18) {
            return self.schema.object(t).map(|o| o.name.to_string());
        }
        self.schema.object_by_prefix(id18.get(..3)?).map(|o| o.to_string())
    }

    fn picklist_label(&self, object: &str, field: &str, value: &str) -> Option<String> {
        let f = self.schema.object(object)?.field(field)?;
        f.picklist.iter().find(|(v, _, _)| &**v == value).map(|(_, l, _)| l.to_string())
    }
}

fn row_to_sobject(r: &soql::Row) -> Value {
    let mut s = SObj::new(&r.object);
    s.put("Id", Value::Id(super::db::ids::to18(&r.id).unwrap_or_else(|| r.id.clone()).into()));
    for (k, v) in &r.fields {
        s.put(k, from_soql(v));
    }
    for (rel, p) in &r.parents {
        s.put(rel, p.as_ref().map(row_to_sobject).unwrap_or_default());
    }
    for (rel, kids) in &r.children {
        let ty = kids.first().map(|k| Ty::SObject(Some(k.object.as_str().into()))).unwrap_or(Ty::SObject(None));
        s.put(rel, Value::list(ty, kids.iter().map(row_to_sobject).collect()));
    }
    s.queried = true;
    Value::sobject(s)
}

impl<'p> Interp<'p> {
    fn run_query(&mut self, query: soql::Query, binds: Vec<Value>, count_only: bool) -> R<Value> {
        let from = query.from.name.clone();
        self.ensure_setup_rows(&from);
        // Objects whose rows are the org's own setup, which the runtime does not hold: the app
        // menu, and the field and object permissions of every profile and permission set.
        let org_setup = [
            ("appmenuitem", "the org's app menu"),
            ("fieldpermissions", "the field permissions of the org's profiles and permission sets"),
            ("objectpermissions", "the object permissions of the org's profiles and permission sets"),
        ];
        if let Some((_, what)) = org_setup.iter().find(|(o, _)| from.eq_ignore_ascii_case(o)) {
            return self.unsupported(format!("a query on {from}: {what}, org data the runtime does not hold"));
        }
        if from.eq_ignore_ascii_case("profile") {
            // The runtime's org has the standard profiles by name and user type only: a filter
            // on anything else (their permissions) reads org data it does not hold.
            let filter = format!("{:?}", query.where_);
            let unknown = filter
                .split("path: [\"")
                .skip(1)
                .filter_map(|x| x.split('"').next())
                .find(|f| !["id", "name", "usertype"].contains(&f.to_ascii_lowercase().as_str()));
            if let Some(f) = unknown {
                return self.unsupported(format!(
                    "a query on Profile filtering on {f}: the org's profiles are not modelled beyond their names"
                ));
            }
        }
        if matches!(query.access_mode(), soql::AccessMode::SecurityEnforced | soql::AccessMode::UserMode) {
            super::stdlib::platform::permission_gap(self, "a SOQL query in user mode")?;
        }
        self.lim.queries += 1;
        if self.lim.queries > self.lim.max_queries() {
            let n = self.lim.queries;
            return self.limit(format!("Too many SOQL queries: {n}"));
        }
        let sbinds: Vec<soql::Value> = binds.iter().map(to_soql).collect();
        let now = soql::Datetime(self.now_ms());
        let mut ctx = soql::ExecContext::new(now, &soql::GMT);
        ctx.user_id = Some(self.test.user.to_string());
        let view = OrgView { db: &self.db, schema: self.schema };
        let result = soql::execute(&query, &view, &sbinds, &ctx);
        let result = match result {
            Ok(r) => r,
            Err(e) if e.is_unsupported() => return self.unsupported(format!("SOQL: {e}")),
            // The runtime's EntityDefinition and FieldDefinition hold only some of the
            // platform's fields and relationships: what they lack is not the query's error.
            Err(e) if from.eq_ignore_ascii_case("entitydefinition") || from.eq_ignore_ascii_case("fielddefinition") => {
                return self.unsupported(format!("SOQL on {from} beyond what the runtime's copy holds: {e}"))
            }
            Err(e) => return self.throw("System.QueryException", e.to_string()),
        };
        self.lim.query_rows = self.lim.query_rows.saturating_add(result.query_rows.min(u32::MAX as u64) as u32);
        if self.lim.query_rows > max::QUERY_ROWS {
            let n = self.lim.query_rows;
            return self.limit(format!("Too many query rows: {n}"));
        }
        Ok(match result.data {
            soql::QueryData::Count(n) => {
                let _ = count_only;
                Value::Int(n as i32)
            }
            soql::QueryData::Records(rows) => {
                let obj: Option<Rc<str>> = rows
                    .first()
                    .map(|r| Rc::from(r.object.as_str()))
                    .or_else(|| self.schema.object(&query.from.name).map(|o| Rc::from(&*o.name)));
                let mut items: Vec<Value> = rows.iter().map(row_to_sobject).collect();
                // Blob fields (StaticResource.Body, ContentVersion.VersionData, Attachment.Body):
                // the engine has no Blob value, so they are taken from the stored row.
                for (r, item) in rows.iter().zip(items.iter_mut()) {
                    let Value::SObject(o) = item else { continue };
                    let table = r.object.to_ascii_lowercase();
                    let Some(stored) = self.db.row(&table, &r.id) else { continue };
                    for (k, _) in &r.fields {
                        if let Some(b @ Value::Blob(_)) = stored.get(k) {
                            o.borrow_mut().put(k, b.clone());
                        }
                    }
                }
                self.heap_check(items.len().saturating_mul(64))?;
                Value::list(Ty::SObject(obj), items)
            }
            soql::QueryData::Aggregates(rows) => {
                let items = rows
                    .iter()
                    .map(|r| {
                        let mut s = SObj::new("AggregateResult");
                        for (k, v) in &r.columns {
                            s.put(k, from_soql(v));
                        }
                        Value::sobject(s)
                    })
                    .collect();
                Value::list(Ty::SObject(Some("AggregateResult".into())), items)
            }
        })
    }

    /// An inline query with its bind values (`:__bind0`, ... in the text, in order).
    pub fn soql(&mut self, text: &str, binds: Vec<Value>) -> R<Value> {
        let query = match soql::parse_inline(text) {
            Ok(q) => q,
            Err(e) if e.is_unsupported() => return self.unsupported(format!("SOQL: {e}")),
            Err(e) => return self.compile_error(format!("SOQL: {e}")),
        };
        self.run_query(query, binds, false)
    }

    /// `Database.query(q)` / `countQuery(q)` / `queryWithBinds(q, binds)`: binds name variables
    /// of the calling code ([`Interp::dyn_scope`]) or the map `queryWithBinds` is given.
    pub fn dynamic_soql(&mut self, text: &str, binds: Option<Value>, count: bool) -> R<Value> {
        let query = match soql::parse(text) {
            Ok(q) => q,
            Err(e) if e.is_unsupported() => return self.unsupported(format!("SOQL: {e}")),
            Err(e) => return self.throw("System.QueryException", e.to_string()),
        };
        let mut vals = Vec::with_capacity(query.binds.len());
        for b in &query.binds {
            let name = b.text.trim();
            let v = match &binds {
                Some(Value::Map(m)) => {
                    let k = Value::str(name);
                    let found = m
                        .borrow()
                        .items
                        .iter()
                        .find(|(_, (kv, _))| kv.as_str().is_some_and(|s| s.eq_ignore_ascii_case(name)))
                        .map(|(_, (_, v))| v.clone());
                    let _ = k;
                    match found {
                        Some(v) => v,
                        None => {
                            return self
                                .throw("System.QueryException", format!("Key '{name}' does not exist in the bindMap"))
                        }
                    }
                }
                _ => self.dyn_bind(name)?,
            };
            vals.push(v);
        }
        self.run_query(query, vals, count)
    }

    /// The value of a dynamic query's bind (`:name` or `:obj.field`) from the caller's scope.
    fn dyn_bind(&mut self, expr: &str) -> R<Value> {
        let mut parts = expr.split('.');
        let head = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let scope = self.dyn_scope.clone();
        let mut v = match scope.iter().rev().find(|(n, _)| n.eq_ignore_ascii_case(&head)) {
            Some((_, v)) => v.clone(),
            None => {
                let this = self.dyn_this.clone();
                let found = match (&this, self.dyn_class) {
                    (Some(o), _) => {
                        let cid = o.borrow().class;
                        self.instance_field_get(o.clone(), cid, &head)?
                    }
                    _ => None,
                };
                match found {
                    Some(v) => v,
                    None => {
                        let mut at = self.dyn_class;
                        let mut out = None;
                        while let Some(c) = at {
                            if let Some((owner, idx)) = self.find_static(c, &head) {
                                out = Some(self.static_get(owner, idx)?);
                                break;
                            }
                            at = self.p.classes[c as usize].outer;
                        }
                        match out {
                            Some(v) => v,
                            None => {
                                return self.throw("System.QueryException", format!("Variable does not exist: {head}"))
                            }
                        }
                    }
                }
            }
        };
        for p in parts {
            v = self.field_get(&v, p.trim())?;
        }
        Ok(v)
    }
}
