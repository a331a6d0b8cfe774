//! The program: every class, interface, enum and trigger of the package (lowered), plus the
//! platform's exceptions, enums and interfaces the runtime models as classes, indexed by
//! case-insensitive name, with instance-field layouts and method tables. Built once per run and
//! shared (read-only) by every test.

use super::ast::*;
use super::lower;
use super::values::{ClassId, Ty};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// One Apex source file of the package.
#[derive(Debug, Clone)]
pub struct FileInfo {
    /// `ApexClass` or `ApexTrigger`.
    pub type_name: String,
    /// Class or trigger name.
    pub name: String,
    /// Path (mdapi).
    pub path: String,
    /// Whether its class is a test class (its lines are not counted).
    pub is_test: bool,
    /// Executable lines ([`crate::apex::lines`]).
    pub exec: BTreeSet<usize>,
    /// A compile error: (line, column, message).
    pub error: Option<(u32, u32, String)>,
    /// The source text (ApexClass.Body / ApexTrigger.Body).
    pub text: std::sync::Arc<str>,
}

/// A class as the runtime uses it.
#[derive(Debug)]
pub struct Class {
    /// Its declaration.
    pub decl: ClassDecl,
    /// Full name as Apex prints it (`Outer.Inner`, `System.DmlException`).
    pub full: Arc<str>,
    /// The enclosing class.
    pub outer: Option<ClassId>,
    /// The superclass.
    pub superclass: Option<ClassId>,
    /// Resolved interfaces (and their super-interfaces, transitively).
    pub interfaces: Vec<ClassId>,
    /// Lower-case names of every interface named (resolved or not), transitively.
    pub interface_names: Vec<String>,
    /// The file (none for a platform class).
    pub file: Option<u32>,
    /// Whether this is a platform class the runtime models (exceptions, enums, interfaces).
    pub platform: bool,
    /// Whether it is (in) a test class.
    pub is_test: bool,
    /// Instance-field layout: (declaring class, index in its `decl.fields`).
    pub layout: Vec<(ClassId, usize)>,
    /// Lower-case field name → layout index.
    pub layout_index: HashMap<String, usize>,
    /// Lower-case static field name → index in `decl.fields`.
    pub statics: HashMap<String, usize>,
    /// Lower-case method name → indexes in `decl.methods`.
    pub methods: HashMap<String, Vec<usize>>,
    /// Lower-case inner class name → id.
    pub inner: HashMap<String, ClassId>,
}

impl Class {
    /// Whether this is an exception class (it or an ancestor is `Exception`).
    pub fn is_interface(&self) -> bool {
        self.decl.kind == ClassKind::Interface
    }
}

/// A trigger.
#[derive(Debug)]
pub struct Trigger {
    /// Its declaration.
    pub decl: TriggerDecl,
    /// Its file.
    pub file: u32,
}

/// Everything the interpreter runs.
#[derive(Debug, Default)]
pub struct Program {
    /// Source files, by index ([`Loc::file`]).
    pub files: Vec<FileInfo>,
    /// Classes (package and platform).
    pub classes: Vec<Class>,
    /// Lower-case names → class (`webhook`, `webhook.webhookexception`, `system.dmlexception`,
    /// `dmlexception`).
    pub by_name: HashMap<String, ClassId>,
    /// Triggers.
    pub triggers: Vec<Trigger>,
    /// Lower-case object name → triggers on it.
    pub triggers_by_object: HashMap<String, Vec<usize>>,
    /// The `Exception` class.
    pub exception: ClassId,
}

/// The platform's exception types (System namespace), from the Apex Reference's "Exception
/// Class and Built-In Exceptions" page.
pub const PLATFORM_EXCEPTIONS: &[&str] = &[
    "AsyncException",
    "AssertException",
    "AuraHandledException",
    "BigObjectException",
    "CalloutException",
    "DataWeaveScriptException",
    "DmlException",
    "DuplicateMessageException",
    "EmailException",
    "ExternalObjectException",
    "FinalException",
    "FlowException",
    "HandledException",
    "IllegalArgumentException",
    "InvalidHeaderException",
    "InvalidParameterValueException",
    "JSONException",
    "LicenseException",
    "LimitException",
    "ListException",
    "MathException",
    "NoAccessException",
    "NoDataFoundException",
    "NoSuchElementException",
    "NullPointerException",
    "QueryException",
    "RequiredFeatureMissingException",
    "SearchException",
    "SecurityException",
    "SerializationException",
    "SObjectException",
    "StringException",
    "TypeException",
    "UnexpectedException",
    "VisualforceException",
    "XmlException",
];

/// Platform enums the runtime models: (full name, constants). Sources: the Apex Reference pages
/// of each enum.
pub const PLATFORM_ENUMS: &[(&str, &[&str])] = &[
    (
        "System.TriggerOperation",
        &[
            "BEFORE_INSERT",
            "BEFORE_UPDATE",
            "BEFORE_DELETE",
            "AFTER_INSERT",
            "AFTER_UPDATE",
            "AFTER_DELETE",
            "AFTER_UNDELETE",
        ],
    ),
    ("System.LoggingLevel", &["NONE", "ERROR", "WARN", "INFO", "DEBUG", "FINE", "FINER", "FINEST"]),
    ("System.RoundingMode", &["CEILING", "DOWN", "FLOOR", "HALF_DOWN", "HALF_EVEN", "HALF_UP", "UP", "UNNECESSARY"]),
    ("System.AccessType", &["CREATABLE", "READABLE", "UPDATABLE", "UPSERTABLE"]),
    ("System.AccessLevel", &["SYSTEM_MODE", "USER_MODE"]),
    ("System.ParentJobResult", &["SUCCESS", "UNHANDLED_EXCEPTION"]),
    // Parameters of SObjectType.getDescribe(options): how much of the describe loads up front,
    // not what it answers (Apex Reference, "SObjectDescribeOptions Enum", "FieldDescribeOptions Enum").
    ("Schema.SObjectDescribeOptions", &["DEFAULT", "DEFERRED", "FULL"]),
    ("Schema.FieldDescribeOptions", &["DEFAULT", "FULL_DESCRIBE"]),
    (
        "System.Quiddity",
        &[
            "ANONYMOUS",
            "AURA",
            "BATCH_ACS",
            "BATCH_APEX",
            "BATCH_CHUNK_PARALLEL",
            "BATCH_CHUNK_SERIAL",
            "BULK_API",
            "COMMERCE_INTEGRATION",
            "DISCOVERABLE_LOGIN",
            "FLOW",
            "FUNCTION_CALLBACK",
            "INBOUND_EMAIL_SERVICE",
            "FUTURE",
            "INVOCABLE_ACTION",
            "IOT",
            "NEWSITES",
            "PLATFORM_EVENT_PUBLISH_CALLBACK",
            "POST_INSTALL_SCRIPT",
            "QUEUEABLE",
            "QUICK_ACTION",
            "REMOTE_ACTION",
            "REST",
            "RUNTEST_ASYNC",
            "RUNTEST_DEPLOY",
            "RUNTEST_SYNC",
            "SCHEDULED",
            "SOAP",
            "SYNCHRONOUS",
            "TRANSACTION_FINALIZER_QUEUEABLE",
            "VF",
        ],
    ),
    (
        "System.JSONToken",
        &[
            "END_ARRAY",
            "END_OBJECT",
            "FIELD_NAME",
            "NOT_AVAILABLE",
            "START_ARRAY",
            "START_OBJECT",
            "VALUE_EMBEDDED_OBJECT",
            "VALUE_FALSE",
            "VALUE_NULL",
            "VALUE_NUMBER_FLOAT",
            "VALUE_NUMBER_INT",
            "VALUE_STRING",
            "VALUE_TRUE",
        ],
    ),
    (
        "Schema.DisplayType",
        &[
            "ADDRESS",
            "ANYTYPE",
            "BASE64",
            "BOOLEAN",
            "COMBOBOX",
            "COMPLEXVALUE",
            "CURRENCY",
            "DATACATEGORYGROUPREFERENCE",
            "DATE",
            "DATETIME",
            "DOUBLE",
            "EMAIL",
            "ENCRYPTEDSTRING",
            "ID",
            "INTEGER",
            "JSON",
            "LOCATION",
            "LONG",
            "MULTIPICKLIST",
            "PERCENT",
            "PHONE",
            "PICKLIST",
            "REFERENCE",
            "SOBJECT",
            "STRING",
            "TEXTAREA",
            "TIME",
            "URL",
        ],
    ),
    (
        "Schema.SoapType",
        &[
            "ADDRESS",
            "ANYTYPE",
            "BASE64BINARY",
            "BOOLEAN",
            "DATE",
            "DATETIME",
            "DOUBLE",
            "ID",
            "INTEGER",
            "LOCATION",
            "STRING",
            "TIME",
        ],
    ),
    (
        "System.DomainType",
        &["CONTENT_DOMAIN", "EXPERIENCE_CLOUD_SITES_DOMAIN", "LIGHTNING_DOMAIN", "MY_DOMAIN", "SITE_DOMAIN"],
    ),
    (
        "System.StatusCode",
        &[
            "ALL_OR_NONE_OPERATION_ROLLED_BACK",
            "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY",
            "DELETE_FAILED",
            "DUPLICATE_VALUE",
            "ENTITY_IS_DELETED",
            "FIELD_CUSTOM_VALIDATION_EXCEPTION",
            "FIELD_INTEGRITY_EXCEPTION",
            "INVALID_CROSS_REFERENCE_KEY",
            "INVALID_EMAIL_ADDRESS",
            "INVALID_FIELD",
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            "INVALID_ID_FIELD",
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            "INVALID_TYPE",
            "MALFORMED_ID",
            "MISSING_ARGUMENT",
            "REQUIRED_FIELD_MISSING",
            "STRING_TOO_LONG",
            "UNABLE_TO_LOCK_ROW",
            "UNKNOWN_EXCEPTION",
        ],
    ),
    ("Database.DuplicateRuleHeader", &[]),
];

/// Platform interfaces (lower-case full name), so that `implements` and `instanceof` resolve.
pub const PLATFORM_INTERFACES: &[&str] = &[
    "System.Queueable",
    "System.Schedulable",
    "System.Finalizer",
    "System.HttpCalloutMock",
    "System.WebServiceMock",
    "System.Comparable",
    "System.Comparator",
    "System.StubProvider",
    "System.Callable",
    "System.Iterable",
    "System.Iterator",
    "System.SandboxPostCopy",
    "System.InstallHandler",
    "System.UninstallHandler",
    "Database.Batchable",
    "Database.AllowsCallouts",
    "Database.Stateful",
    "Database.RaisesPlatformEvents",
    "Messaging.InboundEmailHandler",
    "Cache.CacheBuilder",
    "Process.Plugin",
    "Auth.RegistrationHandler",
    "Metadata.DeployCallback",
];

impl Program {
    /// Lowers every source and indexes the result. A file that does not parse is recorded with
    /// its error (its tests end as `CompileFail`).
    pub fn build(sources: &[(String, String, String, String)]) -> Program {
        let mut p = Program::default();
        p.add_platform();
        let mut pending: Vec<(ClassDecl, Option<ClassId>, Option<u32>)> = Vec::new();
        for (type_name, name, path, text) in sources {
            let file = p.files.len() as u32;
            let mut info = FileInfo {
                type_name: type_name.clone(),
                name: name.clone(),
                path: path.clone(),
                is_test: false,
                exec: BTreeSet::new(),
                error: None,
                text: text.as_str().into(),
            };
            match lower::lower_file(text, file) {
                Ok(lowered) => {
                    info.is_test = lowered.classes.iter().any(|c| c.mods.is_test);
                    info.exec = exec_lines_of(text);
                    for c in lowered.classes {
                        pending.push((c, None, Some(file)));
                    }
                    for t in lowered.triggers {
                        let idx = p.triggers.len();
                        p.triggers_by_object.entry(t.object.to_ascii_lowercase()).or_default().push(idx);
                        p.triggers.push(Trigger { decl: t, file });
                    }
                }
                Err(e) => {
                    info.error = Some((e.line, e.col, e.message));
                    // A test class that does not compile still has test methods the run must
                    // report (as compile failures): find their names leniently.
                    if let Some(decl) = broken_test_class(name, text, file) {
                        info.is_test = true;
                        pending.push((decl, None, Some(file)));
                    }
                }
            }
            p.files.push(info);
        }
        // Flatten inner classes: each gets an id, its outer's id and its full name.
        while let Some((mut decl, outer, file)) = pending.pop() {
            let inner = std::mem::take(&mut decl.inner);
            let id = p.classes.len() as ClassId;
            let full: Arc<str> = match outer {
                Some(o) => format!("{}.{}", p.classes[o as usize].full, decl.name).into(),
                None => decl.name.clone(),
            };
            let outer_test = outer.is_some_and(|o| p.classes[o as usize].is_test);
            let is_test = decl.mods.is_test || outer_test;
            p.by_name.insert(full.to_ascii_lowercase(), id);
            if let Some(o) = outer {
                p.classes[o as usize].inner.insert(decl.name.to_ascii_lowercase(), id);
            }
            p.classes.push(Class {
                decl,
                full,
                outer,
                superclass: None,
                interfaces: Vec::new(),
                interface_names: Vec::new(),
                file,
                platform: false,
                is_test,
                layout: Vec::new(),
                layout_index: HashMap::new(),
                statics: HashMap::new(),
                methods: HashMap::new(),
                inner: HashMap::new(),
            });
            for i in inner {
                pending.push((i, Some(id), file));
            }
        }
        p.link();
        p
    }

    fn add_class(&mut self, full: &str, decl: ClassDecl, aliases: &[String]) -> ClassId {
        let id = self.classes.len() as ClassId;
        self.by_name.insert(full.to_ascii_lowercase(), id);
        for a in aliases {
            self.by_name.entry(a.to_ascii_lowercase()).or_insert(id);
        }
        self.classes.push(Class {
            decl,
            full: full.into(),
            outer: None,
            superclass: None,
            interfaces: Vec::new(),
            interface_names: Vec::new(),
            file: None,
            platform: true,
            is_test: false,
            layout: Vec::new(),
            layout_index: HashMap::new(),
            statics: HashMap::new(),
            methods: HashMap::new(),
            inner: HashMap::new(),
        });
        id
    }

    fn add_platform(&mut self) {
        let blank = |name: &str, kind: ClassKind, sup: Option<&str>| ClassDecl {
            name: name.into(),
            kind,
            mods: Modifiers { is_virtual: true, ..Modifiers::default() },
            superclass: sup.map(TypeRef::named),
            interfaces: Vec::new(),
            fields: Vec::new(),
            methods: Vec::new(),
            ctors: Vec::new(),
            static_blocks: Vec::new(),
            instance_blocks: Vec::new(),
            enum_values: Vec::new(),
            inner: Vec::new(),
            loc: Loc::default(),
        };
        self.exception =
            self.add_class("Exception", blank("Exception", ClassKind::Class, None), &["System.Exception".into()]);
        for e in PLATFORM_EXCEPTIONS {
            let full = format!("System.{e}");
            self.add_class(&full, blank(e, ClassKind::Class, Some("Exception")), &[e.to_string()]);
        }
        for (full, values) in PLATFORM_ENUMS {
            let short = full.rsplit('.').next().unwrap_or(full);
            let mut d = blank(short, ClassKind::Enum, None);
            d.enum_values = values.iter().map(|v| Arc::<str>::from(*v)).collect();
            // System and Schema types are named without their namespace too.
            let aliases = if full.starts_with("System.") || full.starts_with("Schema.") {
                vec![short.to_string()]
            } else {
                vec![]
            };
            self.add_class(full, d, &aliases);
        }
        for full in PLATFORM_INTERFACES {
            let short = full.rsplit('.').next().unwrap_or(full);
            let aliases = if full.starts_with("System.") { vec![short.to_string()] } else { vec![] };
            self.add_class(full, blank(short, ClassKind::Interface, None), &aliases);
        }
    }

    /// Resolves superclasses and interfaces, then builds layouts and method tables.
    fn link(&mut self) {
        let n = self.classes.len();
        for i in 0..n {
            let c = &self.classes[i];
            let ctx = i as ClassId;
            let sup = c.decl.superclass.clone();
            let ifs = c.decl.interfaces.clone();
            let sup_id = sup.as_ref().and_then(|t| self.class_named(&t.lname(), Some(ctx)));
            let mut if_ids = Vec::new();
            let mut if_names = Vec::new();
            for t in &ifs {
                if_names.push(t.lname());
                if let Some(id) = self.class_named(&t.lname(), Some(ctx)) {
                    if_ids.push(id);
                }
            }
            let c = &mut self.classes[i];
            // A custom exception without `extends` is still an exception only if it says so; the
            // platform requires `extends Exception` for classes named *Exception.
            c.superclass = sup_id.filter(|s| *s != ctx);
            c.interfaces = if_ids;
            c.interface_names = if_names;
        }
        // Transitive interfaces.
        for i in 0..n {
            let mut seen: Vec<ClassId> = Vec::new();
            let mut names: Vec<String> = Vec::new();
            let mut stack: Vec<ClassId> = vec![i as ClassId];
            let mut guard = 0;
            while let Some(c) = stack.pop() {
                guard += 1;
                if guard > 10_000 {
                    break;
                }
                let cl = &self.classes[c as usize];
                for n in &cl.interface_names {
                    if !names.contains(n) {
                        names.push(n.clone());
                    }
                }
                for &x in &cl.interfaces {
                    if !seen.contains(&x) {
                        seen.push(x);
                        stack.push(x);
                    }
                }
            }
            self.classes[i].interfaces = seen;
            self.classes[i].interface_names = names;
        }
        // Layouts, superclass first (a cycle stops at the repeat).
        for i in 0..n {
            let mut chain = vec![i as ClassId];
            let mut at = self.classes[i].superclass;
            while let Some(s) = at {
                if chain.contains(&s) || chain.len() > 100 {
                    break;
                }
                chain.push(s);
                at = self.classes[s as usize].superclass;
            }
            let mut layout = Vec::new();
            let mut index = HashMap::new();
            for &c in chain.iter().rev() {
                for (fi, f) in self.classes[c as usize].decl.fields.iter().enumerate() {
                    if !f.mods.is_static {
                        index.insert(f.lname.to_string(), layout.len());
                        layout.push((c, fi));
                    }
                }
            }
            let cl = &mut self.classes[i];
            cl.layout = layout;
            cl.layout_index = index;
            cl.statics = cl
                .decl
                .fields
                .iter()
                .enumerate()
                .filter(|(_, f)| f.mods.is_static)
                .map(|(i, f)| (f.lname.to_string(), i))
                .collect();
            let mut methods: HashMap<String, Vec<usize>> = HashMap::new();
            for (mi, m) in cl.decl.methods.iter().enumerate() {
                methods.entry(m.lname.to_string()).or_default().push(mi);
            }
            cl.methods = methods;
        }
    }

    /// The class a (lower-case, dotted) name means from inside class `ctx`: an inner class of
    /// `ctx` or of its ancestors and enclosing classes, a top-level class, a platform class
    /// (`System.` optional).
    pub fn class_named(&self, lname: &str, ctx: Option<ClassId>) -> Option<ClassId> {
        let lname = lname.strip_prefix("system.").filter(|_| !self.by_name.contains_key(lname)).unwrap_or(lname);
        let mut at = ctx;
        let mut guard = 0;
        while let Some(c) = at {
            guard += 1;
            if guard > 200 {
                break;
            }
            // Inner classes of c and of its superclasses.
            let mut s = Some(c);
            let mut g2 = 0;
            while let Some(x) = s {
                g2 += 1;
                if g2 > 100 {
                    break;
                }
                let full = format!("{}.{lname}", self.classes[x as usize].full.to_ascii_lowercase());
                if let Some(id) = self.by_name.get(&full) {
                    return Some(*id);
                }
                s = self.classes[x as usize].superclass;
            }
            at = self.classes[c as usize].outer;
        }
        self.by_name.get(lname).copied()
    }

    /// Whether class `c` is `target` or extends or implements it.
    pub fn is_subclass(&self, c: ClassId, target: ClassId) -> bool {
        let mut at = Some(c);
        let mut guard = 0;
        while let Some(x) = at {
            guard += 1;
            if x == target {
                return true;
            }
            if self.classes[x as usize].interfaces.contains(&target) || guard > 100 {
                return self.classes[x as usize].interfaces.contains(&target);
            }
            at = self.classes[x as usize].superclass;
        }
        false
    }

    /// Whether class `c` implements an interface by lower-case name (`queueable`,
    /// `database.batchable`), resolved or not.
    pub fn implements(&self, c: ClassId, lname: &str) -> bool {
        let mut at = Some(c);
        let mut guard = 0;
        while let Some(x) = at {
            guard += 1;
            if guard > 100 {
                break;
            }
            let cl = &self.classes[x as usize];
            if cl.interface_names.iter().any(|n| n == lname || n.strip_prefix("system.") == Some(lname)) {
                return true;
            }
            if cl.interfaces.iter().any(|i| {
                let f = self.classes[*i as usize].full.to_ascii_lowercase();
                f == lname || f.strip_prefix("system.") == Some(lname)
            }) {
                return true;
            }
            at = cl.superclass;
        }
        false
    }

    /// Whether `c` is an exception class.
    pub fn is_exception(&self, c: ClassId) -> bool {
        self.is_subclass(c, self.exception)
    }

    /// The unit (top-level class or trigger name) a class is counted in.
    pub fn top(&self, c: ClassId) -> ClassId {
        let mut at = c;
        let mut guard = 0;
        while let Some(o) = self.classes[at as usize].outer {
            at = o;
            guard += 1;
            if guard > 100 {
                break;
            }
        }
        at
    }

    /// The type a written type means from inside class `ctx` (`None`: a trigger or no class).
    /// Names it cannot place are kept as [`Ty::Native`] (a platform type the runtime may or may
    /// not model; using it decides).
    pub fn resolve_type(&self, t: &TypeRef, ctx: Option<ClassId>, objects: &dyn Fn(&str) -> Option<Arc<str>>) -> Ty {
        let mut base = self.resolve_base(t, ctx, objects);
        for _ in 0..t.array {
            base = Ty::List(Box::new(base));
        }
        base
    }

    fn resolve_base(&self, t: &TypeRef, ctx: Option<ClassId>, objects: &dyn Fn(&str) -> Option<Arc<str>>) -> Ty {
        let l = t.lname();
        let l = l.strip_prefix("system.").unwrap_or(&l).to_string();
        let arg = |i: usize| -> Ty { t.args.get(i).map(|a| self.resolve_type(a, ctx, objects)).unwrap_or(Ty::Object) };
        match l.as_str() {
            "void" => return Ty::Void,
            "object" => return Ty::Object,
            "boolean" => return Ty::Boolean,
            "integer" => return Ty::Integer,
            "long" => return Ty::Long,
            "double" => return Ty::Double,
            "decimal" => return Ty::Decimal,
            "string" => return Ty::String,
            "id" => return Ty::Id,
            "date" => return Ty::Date,
            "datetime" => return Ty::Datetime,
            "time" => return Ty::Time,
            "blob" => return Ty::Blob,
            "list" => return Ty::List(Box::new(arg(0))),
            "set" => return Ty::Set(Box::new(arg(0))),
            "map" => return Ty::Map(Box::new(arg(0)), Box::new(arg(1))),
            "sobject" | "schema.sobject" => return Ty::SObject(None),
            _ => {}
        }
        if let Some(c) = self.class_named(&t.lname(), ctx) {
            return Ty::Class(c);
        }
        let obj_name = l.strip_prefix("schema.").unwrap_or(&l);
        if let Some(o) = objects(obj_name) {
            return Ty::SObject(Some(o.to_string().into()));
        }
        Ty::Native(l.into())
    }
}

/// A placeholder for a test class whose file does not parse: its name and the names of the
/// methods that look like test methods (`@IsTest ... void name(` or `testMethod void name(`).
fn broken_test_class(name: &str, text: &str, file: u32) -> Option<ClassDecl> {
    let lower = text.to_ascii_lowercase();
    if !lower.contains("@istest") && !lower.contains("testmethod") {
        return None;
    }
    let mut methods = Vec::new();
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(p) = lower[at..].find("void ") {
        let start = at + p + 5;
        at = start;
        let before = &lower[lower[..start].rfind(['{', '}', ';']).map(|x| x + 1).unwrap_or(0)..start];
        if !(before.contains("@istest") || before.contains("testmethod")) {
            continue;
        }
        let ident: String =
            text[start..].trim_start().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        if ident.is_empty() || bytes.is_empty() {
            continue;
        }
        let line = text[..start].matches('\n').count() as u32 + 1;
        methods.push(Method {
            lname: ident.to_ascii_lowercase().into(),
            name: ident.into(),
            params: Vec::new(),
            ret: TypeRef::named("void"),
            body: Some(Vec::new()),
            nlocals: 0,
            slot_types: Vec::new().into(),
            mods: Modifiers { is_test: true, is_static: true, ..Modifiers::default() },
            loc: Loc { file, line, col: 1 },
        });
    }
    if methods.is_empty() {
        methods.push(Method {
            lname: "(class)".into(),
            name: "(class)".into(),
            params: Vec::new(),
            ret: TypeRef::named("void"),
            body: Some(Vec::new()),
            nlocals: 0,
            slot_types: Vec::new().into(),
            mods: Modifiers { is_test: true, is_static: true, ..Modifiers::default() },
            loc: Loc { file, line: 1, col: 1 },
        });
    }
    Some(ClassDecl {
        name: name.into(),
        kind: ClassKind::Class,
        mods: Modifiers { is_test: true, ..Modifiers::default() },
        superclass: None,
        interfaces: Vec::new(),
        fields: Vec::new(),
        methods,
        ctors: Vec::new(),
        static_blocks: Vec::new(),
        instance_blocks: Vec::new(),
        enum_values: Vec::new(),
        inner: Vec::new(),
        loc: Loc { file, line: 1, col: 1 },
    })
}

/// Every executable line of a source (its coverage denominator).
fn exec_lines_of(text: &str) -> BTreeSet<usize> {
    let mut parser = tree_sitter::Parser::new();
    if parser.set_language(&tree_sitter_sfapex::apex::LANGUAGE.into()).is_err() {
        return BTreeSet::new();
    }
    match parser.parse(text, None) {
        Some(t) => crate::apex::lines::all_exec_lines(t.root_node(), text),
        None => BTreeSet::new(),
    }
}
