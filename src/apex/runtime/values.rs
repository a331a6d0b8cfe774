//! Apex values: primitives, collections, records (SObjects), instances of the package's classes
//! and platform objects. Collections and objects are shared references (`Rc<RefCell<..>>`):
//! Apex passes them by reference. A test runs on one thread, so nothing here is `Send`.

use indexmap::IndexMap;
use rust_decimal::Decimal;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// Index of a class in [`super::program::Program::classes`].
pub type ClassId = u32;

/// A runtime type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ty {
    /// `void`
    Void,
    /// `Object`
    Object,
    /// `Boolean`
    Boolean,
    /// `Integer`
    Integer,
    /// `Long`
    Long,
    /// `Double`
    Double,
    /// `Decimal`
    Decimal,
    /// `String`
    String,
    /// `Id`
    Id,
    /// `Date`
    Date,
    /// `Datetime`
    Datetime,
    /// `Time`
    Time,
    /// `Blob`
    Blob,
    /// `SObject` (None) or a concrete object (its API name as the schema spells it).
    SObject(Option<Rc<str>>),
    /// `List<T>` (and `T[]`).
    List(Box<Ty>),
    /// `Set<T>`.
    Set(Box<Ty>),
    /// `Map<K, V>`.
    Map(Box<Ty>, Box<Ty>),
    /// A class, interface or enum of the package, or a modelled platform one (exceptions,
    /// platform enums and interfaces).
    Class(ClassId),
    /// A platform type the standard library models natively, by lower-case full name
    /// (`system.httprequest`, `schema.sobjecttype`).
    Native(Rc<str>),
}

impl Ty {
    /// Whether this is a number type.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Ty::Integer | Ty::Long | Ty::Double | Ty::Decimal)
    }
}

/// An Apex value.
#[derive(Debug, Clone, Default)]
pub enum Value {
    /// `null`
    #[default]
    Null,
    /// Boolean.
    Bool(bool),
    /// Integer (32-bit, wrapping).
    Int(i32),
    /// Long.
    Long(i64),
    /// Double.
    Double(f64),
    /// Decimal.
    Dec(Decimal),
    /// String.
    Str(Rc<str>),
    /// Id, always the 18-character form.
    Id(Rc<str>),
    /// Date: days since 1970-01-01.
    Date(i32),
    /// Datetime: milliseconds since the epoch, GMT.
    Datetime(i64),
    /// Time: milliseconds since midnight.
    Time(i64),
    /// Blob.
    Blob(Rc<Vec<u8>>),
    /// List (and arrays).
    List(Rc<RefCell<ListV>>),
    /// Set.
    Set(Rc<RefCell<SetV>>),
    /// Map.
    Map(Rc<RefCell<MapV>>),
    /// A record.
    SObject(Rc<RefCell<SObj>>),
    /// An instance of a class (exceptions included).
    Obj(Rc<RefCell<Obj>>),
    /// An enum constant: its class and ordinal.
    Enum(ClassId, u32),
    /// `Schema.SObjectType` of an object.
    SType(Rc<str>),
    /// `Schema.SObjectField`: (object, field).
    SField(Rc<(Rc<str>, Rc<str>)>),
    /// `System.Type`.
    Type(Rc<Ty>),
    /// A platform object.
    Native(Rc<RefCell<Native>>),
}

/// A list and its element type.
#[derive(Debug, Clone)]
pub struct ListV {
    /// Element type.
    pub elem: Ty,
    /// Elements.
    pub items: Vec<Value>,
}

/// A set: insertion-ordered, hashed by [`Key`].
#[derive(Debug, Clone)]
pub struct SetV {
    /// Element type.
    pub elem: Ty,
    /// Elements by key.
    pub items: IndexMap<Key, Value>,
}

/// A map: insertion-ordered, hashed by [`Key`].
#[derive(Debug, Clone)]
pub struct MapV {
    /// Key type.
    pub key: Ty,
    /// Value type.
    pub val: Ty,
    /// Entries by key: (the key value, the value).
    pub items: IndexMap<Key, (Value, Value)>,
    /// String keys compare ignoring case (the maps of `getGlobalDescribe()` and
    /// `fields.getMap()`, Apex Reference, "Schema Class").
    pub ci: bool,
}

impl MapV {
    /// The hashing key of a map key (lower case for a case-insensitive map).
    pub fn key(&self, k: &Value) -> Key {
        match (self.ci, k) {
            (true, Value::Str(s)) => Key::Str(s.to_lowercase().into()),
            _ => key_of(k),
        }
    }
}

/// A record: its object and the fields set or queried, by lower-case name.
#[derive(Debug, Clone, Default)]
pub struct SObj {
    /// The object's API name.
    pub ty: Rc<str>,
    /// Fields by lower-case name: (name as written, value). Relationship fields hold records
    /// (`Account`) or lists (`Contacts`).
    pub fields: IndexMap<Rc<str>, (Rc<str>, Value)>,
    /// Whether the record came from a query (reading a field it did not select throws).
    pub queried: bool,
    /// Errors added with `addError` (message, field).
    pub errors: Vec<(String, Option<String>)>,
}

impl SObj {
    /// A new empty record.
    pub fn new(ty: &str) -> SObj {
        SObj { ty: ty.into(), ..SObj::default() }
    }

    /// The value of a field (by any case), if present.
    pub fn get(&self, field: &str) -> Option<&Value> {
        self.fields.get(field.to_ascii_lowercase().as_str()).map(|(_, v)| v)
    }

    /// Sets a field.
    pub fn put(&mut self, field: &str, v: Value) {
        let l: Rc<str> = field.to_ascii_lowercase().into();
        match self.fields.get_mut(&l) {
            Some(slot) => slot.1 = v,
            None => {
                self.fields.insert(l, (field.into(), v));
            }
        }
    }

    /// The record's Id, if it has one.
    pub fn id(&self) -> Option<Rc<str>> {
        match self.get("id") {
            Some(Value::Id(s)) | Some(Value::Str(s)) => Some(s.clone()),
            _ => None,
        }
    }
}

/// An instance of a class.
#[derive(Debug, Clone)]
pub struct Obj {
    /// Its class.
    pub class: ClassId,
    /// Instance fields, by layout index ([`super::program::Class::layout`]).
    pub fields: Vec<Value>,
    /// What an exception carries.
    pub exc: Option<Box<ExcData>>,
    /// A `Test.createStub` stand-in: the `StubProvider` its method calls go to.
    pub stub: Option<Value>,
}

/// What an exception carries besides its fields.
#[derive(Debug, Clone, Default)]
pub struct ExcData {
    /// The message (`getMessage()`).
    pub message: Option<String>,
    /// The cause.
    pub cause: Option<Value>,
    /// The stack trace, innermost first, in Salesforce's format.
    pub stack: Vec<String>,
    /// The line it was thrown at.
    pub line: u32,
    /// The column it was thrown at.
    pub col: u32,
    /// Whether `catch` may not catch it (LimitException, AssertException).
    pub uncatchable: bool,
    /// DML failures: (row index, status code, message, fields, id).
    pub dml: Vec<DmlError>,
    /// Whether the stack was filled in.
    pub thrown: bool,
    /// Whether `setMessage` was called.
    pub message_set: bool,
}

/// One failed row of a DML statement.
#[derive(Debug, Clone)]
pub struct DmlError {
    /// Index of the row in the DML's list.
    pub index: usize,
    /// `System.StatusCode` name (`REQUIRED_FIELD_MISSING`).
    pub status: String,
    /// The message.
    pub message: String,
    /// Fields concerned.
    pub fields: Vec<String>,
    /// The record's Id, when it has one.
    pub id: Option<Rc<str>>,
}

/// A platform object the standard library models natively.
#[derive(Debug, Clone)]
pub enum Native {
    /// `HttpRequest`
    HttpRequest(HttpMsg),
    /// `HttpResponse`
    HttpResponse(HttpMsg),
    /// `Http`
    Http,
    /// `Database.SaveResult` / `DeleteResult` / `UpsertResult` / `UndeleteResult`.
    DmlResult {
        /// Which: `saveresult`, `deleteresult`, `upsertresult`, `undeleteresult`.
        kind: &'static str,
        /// The record's Id.
        id: Option<Rc<str>>,
        /// Errors (empty: success).
        errors: Vec<DmlError>,
        /// Upsert: whether the record was created.
        created: bool,
    },
    /// `Database.Error`
    DbError(DmlError),
    /// A context handed to async work: `queueablecontext`, `finalizercontext`,
    /// `batchablecontext`, `schedulablecontext`.
    Context {
        /// Which.
        kind: &'static str,
        /// The job's Id.
        job: Rc<str>,
        /// FinalizerContext: the exception the job ended with.
        exception: Option<Value>,
    },
    /// `AsyncOptions`
    AsyncOptions {
        /// `MinimumQueueableDelayInMinutes`
        delay: Value,
        /// `DuplicateSignature`
        signature: Value,
        /// `MaximumQueueableStackDepth`
        depth: Value,
    },
    /// `QueueableDuplicateSignature.Builder` / the built signature: its parts.
    Signature {
        /// Whether this is the builder (else the built signature).
        builder: bool,
        /// The parts added.
        parts: Vec<String>,
    },
    /// `System.Savepoint`
    Savepoint(usize),
    /// `Pattern`
    Pattern(Rc<str>),
    /// `Matcher`
    Matcher(MatcherState),
    /// `Schema.DescribeSObjectResult`
    DescribeSObject(Rc<str>),
    /// `Schema.DescribeFieldResult`
    DescribeField(Rc<str>, Rc<str>),
    /// `Schema.PicklistEntry` (value, label, default, active).
    PicklistEntry(Rc<str>, Rc<str>, bool),
    /// The `fields` of a describe (`Schema.SObjectType.Account.fields`).
    FieldsOf(Rc<str>),
    /// `JSONGenerator`
    JsonGenerator(JsonGen),
    /// `JSONParser`
    JsonParser(JsonParserState),
    /// `System.Url`
    Url(Rc<str>),
    /// A platform object held as a bag of properties (`Messaging.SingleEmailMessage`, ...).
    Bag(Rc<str>, HashMap<String, Value>),
    /// `Test.getEventBus()`
    EventBus,
    /// `System.Request` (`Request.getCurrent()`).
    Request,
}

/// An HTTP request or response.
#[derive(Debug, Clone, Default)]
pub struct HttpMsg {
    /// Method (request).
    pub method: String,
    /// Endpoint (request).
    pub endpoint: String,
    /// Headers in order (case-insensitive names).
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Option<Vec<u8>>,
    /// Timeout in milliseconds (request).
    pub timeout: i32,
    /// Status code (response).
    pub status_code: i32,
    /// Status text (response).
    pub status: String,
    /// Compressed (request).
    pub compressed: bool,
}

impl HttpMsg {
    /// A header by name, case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Sets a header (replacing one of the same name).
    pub fn set_header(&mut self, name: &str, value: &str) {
        match self.headers.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(name)) {
            Some(h) => h.1 = value.to_string(),
            None => self.headers.push((name.to_string(), value.to_string())),
        }
    }
}

/// A regex matcher's state.
#[derive(Debug, Clone, Default)]
pub struct MatcherState {
    /// The pattern.
    pub pattern: Rc<str>,
    /// The input.
    pub input: Rc<str>,
    /// Groups of the last match: (start, end) in characters, `None` when a group did not take part.
    pub groups: Vec<Option<(usize, usize)>>,
    /// Where the next `find` starts (characters).
    pub pos: usize,
}

/// A `JSONGenerator`'s output and nesting.
#[derive(Debug, Clone, Default)]
pub struct JsonGen {
    /// Pretty printing.
    pub pretty: bool,
    /// The text so far.
    pub out: String,
    /// Per open container: whether something was written in it already.
    pub stack: Vec<bool>,
    /// Whether a field name was just written.
    pub after_name: bool,
}

/// A `JSONParser`'s tokens and position.
#[derive(Debug, Clone, Default)]
pub struct JsonParserState {
    /// Tokens: (token name, text, field name).
    pub tokens: Vec<(String, String, Option<String>)>,
    /// Index of the current token (`None` before the first `nextToken`).
    pub pos: Option<usize>,
}

/// What a value hashes as in a Set or a Map: Apex hashes by value (Strings case-sensitively,
/// numbers by value, records by their fields, collections by their elements) and instances of
/// the package's classes by identity unless they define `equals`/`hashCode`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    /// null
    Null,
    /// Boolean.
    Bool(bool),
    /// A number, normalised (Integer 1, Long 1 and Decimal 1.0 are one key).
    Num(String),
    /// A Double that is not integral.
    Dbl(u64),
    /// String (case-sensitive).
    Str(Rc<str>),
    /// Id (18 characters).
    Id(Rc<str>),
    /// Date.
    Date(i32),
    /// Datetime.
    Datetime(i64),
    /// Time.
    Time(i64),
    /// Blob.
    Blob(Rc<Vec<u8>>),
    /// Enum constant.
    Enum(ClassId, u32),
    /// SObjectType.
    SType(Rc<str>),
    /// SObjectField (lower case).
    SField(Rc<str>, Rc<str>),
    /// A Type.
    Type(String),
    /// A collection or record, by content.
    Seq(Vec<Key>),
    /// An object by identity.
    Ptr(usize),
    /// A user object's own `hashCode()` and identity-free equality by fields.
    Hashed(i64, Vec<Key>),
}

/// Shorthand constructors.
impl Value {
    /// A String value.
    pub fn str(s: impl AsRef<str>) -> Value {
        Value::Str(s.as_ref().into())
    }

    /// A new list.
    pub fn list(elem: Ty, items: Vec<Value>) -> Value {
        Value::List(Rc::new(RefCell::new(ListV { elem, items })))
    }

    /// A new empty map.
    pub fn map(key: Ty, val: Ty) -> Value {
        Value::Map(Rc::new(RefCell::new(MapV { key, val, items: IndexMap::new(), ci: false })))
    }

    /// A new set.
    pub fn set(elem: Ty, items: Vec<Value>) -> Value {
        let mut s = SetV { elem, items: IndexMap::new() };
        for v in items {
            s.items.insert(key_of(&v), v);
        }
        Value::Set(Rc::new(RefCell::new(s)))
    }

    /// A platform object.
    pub fn native(n: Native) -> Value {
        Value::Native(Rc::new(RefCell::new(n)))
    }

    /// A new record.
    pub fn sobject(s: SObj) -> Value {
        Value::SObject(Rc::new(RefCell::new(s)))
    }

    /// Whether this is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The string in a String or Id.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) | Value::Id(s) => Some(s),
            _ => None,
        }
    }
}

/// The hashing key of a value (see [`Key`]).
pub fn key_of(v: &Value) -> Key {
    match v {
        Value::Null => Key::Null,
        Value::Bool(b) => Key::Bool(*b),
        Value::Int(i) => Key::Num(i.to_string()),
        Value::Long(i) => Key::Num(i.to_string()),
        Value::Dec(d) => Key::Num(d.normalize().to_string()),
        Value::Double(d) => {
            if d.fract() == 0.0 && d.abs() < 1e15 {
                Key::Num(format!("{}", *d as i64))
            } else {
                Key::Dbl(d.to_bits())
            }
        }
        Value::Str(s) => Key::Str(s.clone()),
        Value::Id(s) => Key::Id(s.clone()),
        Value::Date(d) => Key::Date(*d),
        Value::Datetime(d) => Key::Datetime(*d),
        Value::Time(t) => Key::Time(*t),
        Value::Blob(b) => Key::Blob(b.clone()),
        Value::Enum(c, o) => Key::Enum(*c, *o),
        Value::SType(s) => Key::SType(s.to_ascii_lowercase().into()),
        Value::SField(f) => Key::SField(f.0.to_ascii_lowercase().into(), f.1.to_ascii_lowercase().into()),
        Value::Type(t) => Key::Type(format!("{t:?}")),
        Value::List(l) => Key::Seq(l.borrow().items.iter().map(key_of).collect()),
        Value::Set(s) => {
            let mut k: Vec<Key> = s.borrow().items.keys().cloned().collect();
            k.sort();
            Key::Seq(k)
        }
        Value::Map(m) => {
            let mut k: Vec<Key> =
                m.borrow().items.iter().flat_map(|(k, (_, v))| [k.clone(), key_of(v)]).collect::<Vec<_>>();
            k.sort();
            Key::Seq(k)
        }
        Value::SObject(s) => {
            let s = s.borrow();
            let mut k: Vec<Key> = vec![Key::Str(s.ty.to_ascii_lowercase().into())];
            let mut fields: Vec<(&Rc<str>, &Value)> = s.fields.iter().map(|(k, (_, v))| (k, v)).collect();
            fields.sort_by(|a, b| a.0.cmp(b.0));
            for (name, v) in fields {
                k.push(Key::Str(name.clone()));
                k.push(key_of(v));
            }
            Key::Seq(k)
        }
        Value::Obj(o) => Key::Ptr(Rc::as_ptr(o) as *const u8 as usize),
        Value::Native(n) => Key::Ptr(Rc::as_ptr(n) as *const u8 as usize),
    }
}

/// Whether two references are the same object (`===`).
pub fn same_ref(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::List(x), Value::List(y)) => Rc::ptr_eq(x, y),
        (Value::Set(x), Value::Set(y)) => Rc::ptr_eq(x, y),
        (Value::Map(x), Value::Map(y)) => Rc::ptr_eq(x, y),
        (Value::SObject(x), Value::SObject(y)) => Rc::ptr_eq(x, y),
        (Value::Obj(x), Value::Obj(y)) => Rc::ptr_eq(x, y),
        (Value::Native(x), Value::Native(y)) => Rc::ptr_eq(x, y),
        (Value::Null, Value::Null) => true,
        _ => false,
    }
}

/// A deep copy of collections and records (what `clone()` of a list and `deepClone` do; also how
/// a queued job is copied, as the platform serialises it when it is enqueued).
pub fn deep_copy(v: &Value) -> Value {
    match v {
        Value::List(l) => {
            let l = l.borrow();
            Value::list(l.elem.clone(), l.items.iter().map(deep_copy).collect())
        }
        Value::Set(s) => {
            let s = s.borrow();
            Value::Set(Rc::new(RefCell::new(SetV {
                elem: s.elem.clone(),
                items: s.items.iter().map(|(k, v)| (k.clone(), deep_copy(v))).collect(),
            })))
        }
        Value::Map(m) => {
            let m = m.borrow();
            Value::Map(Rc::new(RefCell::new(MapV {
                ci: m.ci,
                key: m.key.clone(),
                val: m.val.clone(),
                items: m.items.iter().map(|(k, (kv, vv))| (k.clone(), (kv.clone(), deep_copy(vv)))).collect(),
            })))
        }
        Value::SObject(s) => {
            let s = s.borrow();
            let mut c = s.clone();
            for (_, (_, fv)) in c.fields.iter_mut() {
                *fv = deep_copy(fv);
            }
            Value::sobject(c)
        }
        other => other.clone(),
    }
}
