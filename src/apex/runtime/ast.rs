//! The runtime's own syntax tree: what [`super::lower`] makes of tree-sitter's concrete tree.
//! Every node carries its file and line ([`Loc`]); names keep their spelling (messages) and a
//! lower-case form (Apex names are case-insensitive). Locals are resolved to frame slots while
//! lowering; everything else (fields, types, methods) by [`super::program`] and at run time.

use std::sync::Arc;

/// Where a node is: file index (into [`super::program::Program::files`]), 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Loc {
    /// Index of the file.
    pub file: u32,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
}

/// A type as written: `List<Map<String, Object>>`, `Schema.SObjectType`, `Integer[]`.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeRef {
    /// Dotted name parts as written (`Schema`, `SObjectType`).
    pub parts: Vec<String>,
    /// Type arguments.
    pub args: Vec<TypeRef>,
    /// `[]` dimensions (an Apex array is a List).
    pub array: u8,
}

impl TypeRef {
    /// A plain name.
    pub fn named(name: &str) -> TypeRef {
        TypeRef { parts: vec![name.to_string()], args: Vec::new(), array: 0 }
    }

    /// The dotted name in lower case, without arguments.
    pub fn lname(&self) -> String {
        self.parts.iter().map(|p| p.to_ascii_lowercase()).collect::<Vec<_>>().join(".")
    }

    /// As written (`List<String>`).
    pub fn display(&self) -> String {
        let mut s = self.parts.join(".");
        if !self.args.is_empty() {
            s.push('<');
            s.push_str(&self.args.iter().map(TypeRef::display).collect::<Vec<_>>().join(", "));
            s.push('>');
        }
        for _ in 0..self.array {
            s.push_str("[]");
        }
        s
    }
}

/// Binary operators (`&&`, `||` and `??` are their own expressions: they short-circuit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%` (not Apex; parsed, refused)
    Rem,
    /// `==`
    Eq,
    /// `!=` / `<>`
    Ne,
    /// `===`
    ExactEq,
    /// `!==`
    ExactNe,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `&`
    BitAnd,
    /// `|`
    BitOr,
    /// `^`
    BitXor,
    /// `<<`
    Shl,
    /// `>>`
    Shr,
    /// `>>>`
    UShr,
}

/// DML verbs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DmlOp {
    /// insert
    Insert,
    /// update
    Update,
    /// upsert
    Upsert,
    /// delete
    Delete,
    /// undelete
    Undelete,
    /// merge
    Merge,
}

impl DmlOp {
    /// The verb as Apex writes it.
    pub fn name(self) -> &'static str {
        match self {
            DmlOp::Insert => "insert",
            DmlOp::Update => "update",
            DmlOp::Upsert => "upsert",
            DmlOp::Delete => "delete",
            DmlOp::Undelete => "undelete",
            DmlOp::Merge => "merge",
        }
    }
}

/// An expression and where it is.
#[derive(Debug, Clone)]
pub struct Expr {
    /// What it is.
    pub kind: E,
    /// Where.
    pub loc: Loc,
}

/// Expression kinds.
#[derive(Debug, Clone)]
pub enum E {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// An Integer literal.
    Int(i32),
    /// A Long literal (`5L`).
    Long(i64),
    /// A Double literal (`1.5d`).
    Double(f64),
    /// A Decimal literal (`1.5`): its text.
    Decimal(String),
    /// A String literal (unescaped).
    Str(Arc<str>),
    /// A local variable or parameter: frame slot and name.
    Local(u32, Arc<str>),
    /// A simple name that is not a local: a field of `this` or of the class, a class, a
    /// namespace, an SObject type (resolved at run time, cached per class).
    Name(Arc<str>),
    /// `obj.name` (`obj?.name` when `safe`).
    Field {
        /// The object (or a type / namespace name chain).
        obj: Box<Expr>,
        /// The member.
        name: Arc<str>,
        /// `?.`
        safe: bool,
    },
    /// A method call: `obj.name(args)`, `name(args)` (obj none), `super.name(args)`.
    Call {
        /// The receiver; `None` for an unqualified call.
        obj: Option<Box<Expr>>,
        /// The method name.
        name: Arc<str>,
        /// Arguments.
        args: Vec<Expr>,
        /// `?.`
        safe: bool,
        /// `super.name(...)`.
        is_super: bool,
    },
    /// `this`
    This,
    /// `new T(args)`
    New {
        /// The type.
        ty: TypeRef,
        /// Arguments.
        args: Vec<Expr>,
    },
    /// `new Account(Name = 'x', ...)`: an SObject with field values.
    NewSObject {
        /// The type.
        ty: TypeRef,
        /// `(field, value)`.
        fields: Vec<(Arc<str>, Expr)>,
    },
    /// `new List<T>{...}`, `new Set<T>{...}`, `new T[]{...}`.
    NewCollection {
        /// The type (a List for arrays).
        ty: TypeRef,
        /// Elements.
        items: Vec<Expr>,
    },
    /// `new T[n]`.
    NewArray {
        /// The element type, as a `List<T>`.
        ty: TypeRef,
        /// The size.
        size: Box<Expr>,
    },
    /// `new Map<K, V>{ k => v, ... }`.
    NewMap {
        /// The type.
        ty: TypeRef,
        /// Pairs.
        pairs: Vec<(Expr, Expr)>,
    },
    /// `a[i]`
    Index {
        /// The list or array.
        obj: Box<Expr>,
        /// The index.
        index: Box<Expr>,
    },
    /// `target = value`, `target += value`, ...
    Assign {
        /// A local, name, field or index.
        target: Box<Expr>,
        /// The compound operator.
        op: Option<BinOp>,
        /// The value.
        value: Box<Expr>,
    },
    /// A binary operation.
    Binary {
        /// The operator.
        op: BinOp,
        /// Left.
        l: Box<Expr>,
        /// Right.
        r: Box<Expr>,
    },
    /// `a && b`
    And(Box<Expr>, Box<Expr>),
    /// `a || b`
    Or(Box<Expr>, Box<Expr>),
    /// `a ?? b`
    Coalesce(Box<Expr>, Box<Expr>),
    /// `!a`
    Not(Box<Expr>),
    /// `-a`
    Neg(Box<Expr>),
    /// `+a`
    Plus(Box<Expr>),
    /// `~a`
    BitNot(Box<Expr>),
    /// `x++`, `++x`, `x--`, `--x`.
    IncDec {
        /// What changes.
        target: Box<Expr>,
        /// `++` (else `--`).
        inc: bool,
        /// Prefix (the new value) or postfix (the old one).
        prefix: bool,
    },
    /// `c ? a : b`
    Ternary(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `(T) e`
    Cast {
        /// The type.
        ty: TypeRef,
        /// The value.
        e: Box<Expr>,
    },
    /// `e instanceof T`
    InstanceOf {
        /// The value.
        e: Box<Expr>,
        /// The type.
        ty: TypeRef,
    },
    /// `T.class`
    ClassLit(TypeRef),
    /// `[SELECT ...]`: the query text with each bind `:expr` replaced by `:__bindN`, and the binds.
    Soql {
        /// The query text.
        text: Arc<str>,
        /// Bind expressions, in order (`:__bind0`, ...).
        binds: Vec<Expr>,
    },
    /// `[FIND ...]` (SOSL: not modelled).
    Sosl,
    /// `insert x`, `upsert x Field`, `merge a b`.
    Dml {
        /// The verb.
        op: DmlOp,
        /// The record or list.
        target: Box<Expr>,
        /// `upsert`'s external id field.
        key: Option<TypeRef>,
        /// `merge`'s second operand.
        merge_with: Option<Box<Expr>>,
        /// `insert as user` (user-mode DML).
        user_mode: bool,
    },
    /// A call that may run a dynamic query (`Database.query(q)`), with the locals in scope by
    /// name (slot), so the query's binds (`:name`) can name them.
    WithScope {
        /// The call.
        call: Box<Expr>,
        /// Locals in scope: (name, slot).
        scope: Vec<(Arc<str>, u32)>,
    },
    /// Syntax the runtime does not model (the reason): raises "unsupported" when evaluated.
    Unsupported(Arc<str>),
}

/// A statement: what it is, where, and its executable lines (coverage; [`crate::apex::lines`]).
#[derive(Debug, Clone)]
pub struct Stmt {
    /// What it is.
    pub kind: S,
    /// Where.
    pub loc: Loc,
    /// Executable lines marked covered when the statement runs.
    pub lines: Box<[u32]>,
}

/// A `catch (T name) { ... }`.
#[derive(Debug, Clone)]
pub struct Catch {
    /// The exception type.
    pub ty: TypeRef,
    /// The slot of the variable.
    pub slot: u32,
    /// The body.
    pub body: Vec<Stmt>,
}

/// One `when` of a `switch on`.
#[derive(Debug, Clone)]
pub struct When {
    /// What it matches.
    pub labels: WhenLabels,
    /// The body.
    pub body: Vec<Stmt>,
    /// Where.
    pub loc: Loc,
}

/// What a `when` matches.
#[derive(Debug, Clone)]
pub enum WhenLabels {
    /// `when else`
    Else,
    /// `when 1, 2` / `when 'a'` / `when RED, GREEN` / `when null`.
    Values(Vec<Expr>),
    /// `when Account a`: an SObject type and the slot of its variable.
    Type(TypeRef, u32),
}

/// Statement kinds.
#[derive(Debug, Clone)]
pub enum S {
    /// An expression statement.
    Expr(Expr),
    /// `T a = x, b;`: (slot, name, initialiser).
    Local {
        /// The declared type.
        ty: TypeRef,
        /// Each declarator.
        vars: Vec<(u32, Arc<str>, Option<Expr>)>,
    },
    /// `{ ... }`
    Block(Vec<Stmt>),
    /// `if`
    If {
        /// Condition.
        cond: Expr,
        /// Then.
        then: Box<Stmt>,
        /// Else.
        otherwise: Option<Box<Stmt>>,
    },
    /// `while`
    While {
        /// Condition.
        cond: Expr,
        /// Body.
        body: Box<Stmt>,
    },
    /// `do ... while`
    DoWhile {
        /// Body.
        body: Box<Stmt>,
        /// Condition.
        cond: Expr,
    },
    /// `for (init; cond; update)`
    For {
        /// Initialisers.
        init: Vec<Stmt>,
        /// Condition.
        cond: Option<Expr>,
        /// Updates.
        update: Vec<Expr>,
        /// Body.
        body: Box<Stmt>,
    },
    /// `for (T x : xs)`
    ForEach {
        /// Element type.
        ty: TypeRef,
        /// Slot of the variable.
        slot: u32,
        /// The collection (or a SOQL query: a SOQL for loop).
        iter: Expr,
        /// Body.
        body: Box<Stmt>,
    },
    /// `return`
    Return(Option<Expr>),
    /// `break`
    Break,
    /// `continue`
    Continue,
    /// `throw`
    Throw(Expr),
    /// `try`
    Try {
        /// Body.
        body: Vec<Stmt>,
        /// Catches in order.
        catches: Vec<Catch>,
        /// Finally.
        finally: Option<Vec<Stmt>>,
    },
    /// `switch on`
    Switch {
        /// The value.
        subject: Expr,
        /// The arms.
        whens: Vec<When>,
    },
    /// `System.runAs(user) { ... }`
    RunAs {
        /// The user.
        user: Expr,
        /// Body.
        body: Vec<Stmt>,
    },
    /// `this(...)` / `super(...)` in a constructor.
    CtorCall {
        /// `this` (else `super`).
        this: bool,
        /// Arguments.
        args: Vec<Expr>,
    },
    /// `;`
    Empty,
}

/// Annotations and modifiers that matter when running.
#[derive(Debug, Clone, Default)]
pub struct Modifiers {
    /// `static`
    pub is_static: bool,
    /// `final`
    pub is_final: bool,
    /// `abstract`
    pub is_abstract: bool,
    /// `virtual`
    pub is_virtual: bool,
    /// `override`
    pub is_override: bool,
    /// `private`
    pub is_private: bool,
    /// `transient`
    pub is_transient: bool,
    /// `@IsTest` or `testMethod`.
    pub is_test: bool,
    /// `@TestSetup`
    pub is_setup: bool,
    /// `SeeAllData=true`
    pub see_all_data: bool,
    /// `@IsTest(isParallel=true)` and others are ignored; `@future`.
    pub is_future: bool,
    /// `@TestVisible`
    pub test_visible: bool,
    /// Lower-case annotation names.
    pub annotations: Vec<String>,
}

/// A method, constructor or accessor body.
#[derive(Debug, Clone)]
pub struct Method {
    /// Name as written.
    pub name: Arc<str>,
    /// Lower-case name.
    pub lname: Arc<str>,
    /// Parameters: (type, name); they take slots `0..params.len()`.
    pub params: Vec<(TypeRef, Arc<str>)>,
    /// Return type (`void`).
    pub ret: TypeRef,
    /// The body (`None`: abstract or interface).
    pub body: Option<Vec<Stmt>>,
    /// Slots the body needs.
    pub nlocals: u32,
    /// The declared type of each slot (assignments convert to it: `acc = [SELECT ...]`).
    pub slot_types: std::sync::Arc<[Option<TypeRef>]>,
    /// Modifiers.
    pub mods: Modifiers,
    /// Where the name is.
    pub loc: Loc,
}

/// A field or property.
#[derive(Debug, Clone)]
pub struct Field {
    /// Name as written.
    pub name: Arc<str>,
    /// Lower-case name.
    pub lname: Arc<str>,
    /// Declared type.
    pub ty: TypeRef,
    /// Modifiers.
    pub mods: Modifiers,
    /// The initialiser, evaluated in a frame of `init_locals` slots.
    pub init: Option<Expr>,
    /// Executable lines of its declaration (covered when the initialiser runs).
    pub lines: Box<[u32]>,
    /// A property's `get { ... }` (none: automatic).
    pub getter: Option<Method>,
    /// A property's `set { ... }` (`value` is slot 0).
    pub setter: Option<Method>,
    /// Where.
    pub loc: Loc,
}

/// What a type declaration is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassKind {
    /// `class`
    Class,
    /// `interface`
    Interface,
    /// `enum`
    Enum,
}

/// A class, interface or enum (top-level or inner).
#[derive(Debug, Clone)]
pub struct ClassDecl {
    /// Name as written.
    pub name: Arc<str>,
    /// Kind.
    pub kind: ClassKind,
    /// Modifiers and annotations.
    pub mods: Modifiers,
    /// `extends`.
    pub superclass: Option<TypeRef>,
    /// `implements` (or an interface's `extends`).
    pub interfaces: Vec<TypeRef>,
    /// Fields and properties, in order.
    pub fields: Vec<Field>,
    /// Methods.
    pub methods: Vec<Method>,
    /// Constructors.
    pub ctors: Vec<Method>,
    /// `static { ... }` blocks, as bodies.
    pub static_blocks: Vec<Method>,
    /// Instance initialiser blocks `{ ... }`.
    pub instance_blocks: Vec<Method>,
    /// Enum constants.
    pub enum_values: Vec<Arc<str>>,
    /// Inner classes.
    pub inner: Vec<ClassDecl>,
    /// Where the name is.
    pub loc: Loc,
}

/// A trigger.
#[derive(Debug, Clone)]
pub struct TriggerDecl {
    /// Name.
    pub name: Arc<str>,
    /// The object, as written.
    pub object: Arc<str>,
    /// Events, lower case with underscores (`before_insert`).
    pub events: Vec<String>,
    /// The body.
    pub body: Method,
    /// Where.
    pub loc: Loc,
}
