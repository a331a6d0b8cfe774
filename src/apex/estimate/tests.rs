use super::*;
use crate::metadata::ComponentKey;

fn src(ty: &str, name: &str, text: &str) -> Source {
    let (dir, ext) = if ty == "ApexClass" { ("classes", "cls") } else { ("triggers", "trigger") };
    Source { key: ComponentKey::new(ty, name), file: format!("{dir}/{name}.{ext}"), text: text.into() }
}

fn unit<'a>(a: &'a Analysis, name: &str) -> &'a UnitCoverage {
    a.units.iter().find(|u| u.name == name).unwrap_or_else(|| panic!("no unit {name}: {a:#?}"))
}

#[test]
fn counts_statement_lines_not_braces_comments_or_debug() {
    let a = analyze_sources(&[src(
        "ApexClass",
        "Calc",
        "public class Calc {\n    // comment\n    public static Integer twice(Integer x) {\n        System.debug(x);\n        Integer y;\n        return x * 2;\n    }\n}\n",
    )]);
    let u = unit(&a, "Calc");
    assert_eq!(u.total_lines, 1, "{u:?}");
    assert_eq!(u.uncovered, vec![6]);
}

#[test]
fn tested_and_untested_methods_and_branches() {
    let a = analyze_sources(&[
        src(
            "ApexClass",
            "Calc",
            "public class Calc {\n    @TestVisible static Boolean flag = false;\n    public static Integer a(Integer x) {\n        if (flag) {\n            return 1;\n        }\n        return x;\n    }\n    public static Integer b() {\n        return 2;\n    }\n}\n",
        ),
        src(
            "ApexClass",
            "CalcTest",
            "@IsTest\nprivate class CalcTest {\n    @IsTest static void t() {\n        Calc.flag = true;\n        Assert.areEqual(1, Calc.a(3));\n    }\n}\n",
        ),
    ]);
    let u = unit(&a, "Calc");
    // flag decl (2), if (4), return 1 (5) covered; return x (7) and return 2 (10) not.
    assert_eq!(u.total_lines, 5, "{u:?}");
    assert_eq!(u.uncovered, vec![7, 10], "{u:?}");
    assert!(a.tests.iter().all(|t| t.asserts));
}

#[test]
fn trigger_fired_by_dml_in_test() {
    let a = analyze_sources(&[
        src("ApexTrigger", "AccT", "trigger AccT on Account (before insert) {\n    for (Account a : Trigger.new) {\n        a.Description = 'x';\n    }\n}\n"),
        src("ApexTrigger", "CaseT", "trigger CaseT on Case (before insert) {\n    Integer i = 1;\n}\n"),
        src(
            "ApexClass",
            "T",
            "@IsTest\nclass T {\n    @IsTest static void t() {\n        List<Account> accs = new List<Account>{ new Account(Name = 'a') };\n        insert accs;\n    }\n}\n",
        ),
    ]);
    assert_eq!(unit(&a, "AccT").percent, 100.0);
    assert_eq!(unit(&a, "CaseT").percent, 0.0);
    assert!(a.triggers.iter().any(|t| t.name == "AccT" && t.fired));
    assert!(a.triggers.iter().any(|t| t.name == "CaseT" && !t.fired));
    assert!(a.tests.iter().all(|t| !t.asserts));
}

#[test]
fn static_initialiser_blocks_run_when_the_class_is_used() {
    let a = analyze_sources(&[
        src(
            "ApexClass",
            "Config",
            "public class Config {\n    static Map<String, String> values;\n    static {\n        values = new Map<String, String>();\n        values.put('a', 'b');\n    }\n    public static String get(String k) {\n        return values.get(k);\n    }\n}\n",
        ),
        src("ApexClass", "ConfigTest", "@IsTest\nclass ConfigTest {\n    @IsTest static void t() {\n        Assert.areEqual('b', Config.get('a'));\n    }\n}\n"),
    ]);
    let u = unit(&a, "Config");
    assert_eq!((u.covered_lines, u.total_lines), (3, 3), "{u:?}");
}

#[test]
fn expected_exception_takes_the_last_unknown_throwing_branch() {
    let a = analyze_sources(&[
        src(
            "ApexClass",
            "Svc",
            "public class Svc {\n    public static void run(String key, Integer n) {\n        if (String.isBlank(key)) {\n            throw new SvcException('no key');\n        }\n        Integer m = n + 1;\n        if (m > limitOf()) {\n            throw new SvcException('too many');\n        }\n    }\n    static Integer limitOf() {\n        return [SELECT COUNT() FROM Account];\n    }\n    public class SvcException extends Exception {}\n}\n",
        ),
        src(
            "ApexClass",
            "SvcTest",
            "@IsTest\nclass SvcTest {\n    @IsTest static void t() {\n        try {\n            Svc.run('k', 5);\n            Assert.fail('must throw');\n        } catch (Svc.SvcException e) {\n            Assert.isTrue(true);\n        }\n    }\n}\n",
        ),
    ]);
    let u = unit(&a, "Svc");
    // The key branch (4) is not taken; the limit branch (8) is.
    assert_eq!(u.uncovered, vec![4], "{u:?}");
}

#[test]
fn trigger_handler_framework_dispatches_to_the_subclass_with_trigger_context() {
    let a = analyze_sources(&[
        src(
            "ApexClass",
            "TriggerHandler",
            "public virtual class TriggerHandler {\n    public void run() {\n        if (Trigger.isBefore && Trigger.isInsert) {\n            this.beforeInsert();\n        } else if (Trigger.isUpdate) {\n            beforeUpdate();\n        }\n    }\n    protected virtual void beforeInsert() {\n        Integer base = 1;\n    }\n    protected virtual void beforeUpdate() {\n        Integer base = 2;\n    }\n}\n",
        ),
        src(
            "ApexClass",
            "AccountHandler",
            "public class AccountHandler extends TriggerHandler {\n    protected override void beforeInsert() {\n        for (Account a : (List<Account>) Trigger.new) {\n            a.Description = 'x';\n        }\n    }\n}\n",
        ),
        src("ApexTrigger", "AccountTrigger", "trigger AccountTrigger on Account (before insert, before update) {\n    new AccountHandler().run();\n}\n"),
        src(
            "ApexClass",
            "AccountTest",
            "@IsTest\nclass AccountTest {\n    @IsTest static void t() {\n        Account a = new Account(Name = 'x');\n        insert a;\n        Assert.isNotNull(a.Id);\n    }\n}\n",
        ),
    ]);
    // Insert only: the override runs (not the base method); the `else if` condition (5) is
    // never evaluated and the update branch (6) never runs.
    assert_eq!(unit(&a, "AccountHandler").percent, 100.0, "{a:#?}");
    assert_eq!(unit(&a, "TriggerHandler").uncovered, vec![5, 6, 10, 13], "{:?}", unit(&a, "TriggerHandler"));
    assert_eq!(unit(&a, "AccountTrigger").percent, 100.0);
}

#[test]
fn dml_on_a_factory_method_result_fires_the_trigger() {
    let a = analyze_sources(&[
        src("ApexTrigger", "ContactT", "trigger ContactT on Contact (after insert) {\n    Integer n = Trigger.new.size();\n}\n"),
        src(
            "ApexClass",
            "Factory",
            "@IsTest\npublic class Factory {\n    public static List<Contact> contacts(Integer n) {\n        return new List<Contact>();\n    }\n}\n",
        ),
        src("ApexClass", "T", "@IsTest\nclass T {\n    @IsTest static void t() {\n        insert Factory.contacts(3);\n        Assert.isTrue(true);\n    }\n}\n"),
    ]);
    assert_eq!(unit(&a, "ContactT").percent, 100.0, "{a:#?}");
}

#[test]
fn switch_on_operation_type_takes_the_fired_event_only() {
    let a = analyze_sources(&[
        src(
            "ApexTrigger",
            "LeadT",
            "trigger LeadT on Lead (before insert, before update, after delete) {\n    switch on Trigger.operationType {\n        when BEFORE_INSERT, BEFORE_UPDATE {\n            Integer a = 1;\n        }\n        when else {\n            Integer b = 2;\n        }\n    }\n}\n",
        ),
        src("ApexClass", "T", "@IsTest\nclass T {\n    @IsTest static void t() {\n        Lead l = new Lead(LastName = 'x', Company = 'y');\n        insert l;\n        Assert.isNotNull(l);\n    }\n}\n"),
    ]);
    assert_eq!(unit(&a, "LeadT").uncovered, vec![7], "{a:#?}");
}

#[test]
fn deep_nesting_is_analysed_up_to_the_cap_and_reported_beyond() {
    let nested = |n: usize| {
        format!(
            "public class Deep {{\n    public static Integer m() {{\n        return {}1{};\n    }}\n}}\n",
            "(".repeat(n),
            ")".repeat(n)
        )
    };
    let test = src(
        "ApexClass",
        "DeepTest",
        "@IsTest\nclass DeepTest {\n    @IsTest static void t() {\n        Assert.areEqual(1, Deep.m());\n    }\n}\n",
    );
    let ok = analyze_sources(&[src("ApexClass", "Deep", &nested(200)), test.clone()]);
    assert_eq!(unit(&ok, "Deep").percent, 100.0);
    assert!(ok.parse_errors.is_empty());
    let deep = analyze_sources(&[src("ApexClass", "Deep", &nested(5000)), test]);
    assert!(deep.units.iter().all(|u| u.name != "Deep"));
    assert_eq!(deep.parse_errors.len(), 1, "{:?}", deep.parse_errors);
    assert!(deep.parse_errors[0].2.contains("nested deeper"));
}

#[test]
fn instance_fields_set_by_the_constructor_decide_branches() {
    let a = analyze_sources(&[
        src(
            "ApexClass",
            "Sender",
            "public class Sender {\n    private Boolean dryRun;\n    private Integer sent = 0;\n    public Sender(Boolean dryRun) {\n        this.dryRun = dryRun;\n    }\n    public Integer send() {\n        if (dryRun) {\n            return 0;\n        }\n        sent = sent + 1;\n        return sent;\n    }\n}\n",
        ),
        src(
            "ApexClass",
            "SenderTest",
            "@IsTest\nclass SenderTest {\n    @IsTest static void t() {\n        Sender s = new Sender(true);\n        Assert.areEqual(0, s.send());\n    }\n}\n",
        ),
    ]);
    // dryRun is true: the early return (9) runs, 11-12 do not.
    let u = unit(&a, "Sender");
    assert_eq!(u.uncovered, vec![11, 12], "{u:?}");
}

#[test]
fn cache_builder_iterable_and_properties_are_run_by_the_platform() {
    let a = analyze_sources(&[
        src(
            "ApexClass",
            "Regions",
            "public class Regions implements Cache.CacheBuilder {\n    public Object doLoad(String key) {\n        return key.toUpperCase();\n    }\n}\n",
        ),
        src(
            "ApexClass",
            "Pages",
            "public class Pages implements Iterable<Integer> {\n    public Iterator<Integer> iterator() {\n        return new It();\n    }\n    public class It implements Iterator<Integer> {\n        Integer i = 0;\n        public Boolean hasNext() {\n            return i < 2;\n        }\n        public Integer next() {\n            i++;\n            return i;\n        }\n    }\n}\n",
        ),
        src(
            "ApexClass",
            "Shape",
            "public class Shape {\n    public Integer sides {\n        get {\n            return 4;\n        }\n        set {\n            sides = value;\n        }\n    }\n}\n",
        ),
        src(
            "ApexClass",
            "PlatformTest",
            "@IsTest\nclass PlatformTest {\n    @IsTest static void t() {\n        Object v = Cache.Org.get(Regions.class, 'north');\n        for (Integer p : new Pages()) {\n            Assert.isNotNull(p);\n        }\n        Shape s = new Shape();\n        s.sides = 3;\n        Assert.areEqual(4, s.sides);\n    }\n}\n",
        ),
    ]);
    // doLoad runs on a miss (a test's cache is empty): likely, so unknown but counted.
    let r = unit(&a, "Regions");
    assert_eq!((r.covered_lines, r.unknown_lines, r.total_lines), (0, 1, 1), "{r:?}");
    assert_eq!(r.percent, 100.0);
    // iterator() for sure, hasNext() for sure, next() when there is an element.
    let p = unit(&a, "Pages");
    assert!(p.uncovered.is_empty(), "{p:?}");
    assert!(p.covered.contains(&3) && p.covered.contains(&8), "{p:?}");
    // Both accessors ran.
    let s = unit(&a, "Shape");
    assert_eq!((s.covered_lines, s.total_lines), (2, 2), "{s:?}");
}

#[test]
fn a_branch_on_an_unknown_value_is_a_range_and_merges_what_its_arms_set() {
    let a = analyze_sources(&[
        src(
            "ApexClass",
            "Flag",
            "public class Flag {\n    public static Boolean on = false;\n    public static Integer run(Integer n) {\n        if ([SELECT COUNT() FROM Account] > n) {\n            on = true;\n        }\n        if (on) {\n            return 1;\n        }\n        return 0;\n    }\n}\n",
        ),
        src("ApexClass", "FlagTest", "@IsTest\nclass FlagTest {\n    @IsTest static void t() {\n        Assert.areEqual(0, Flag.run(5));\n    }\n}\n"),
    ]);
    let u = unit(&a, "Flag");
    // 2, 4, 7 certain; 5 on an unknown branch; after it `on` is unknown, so 8 and (after the
    // early return) 10 are unknown too: nothing is proven not covered.
    assert_eq!(u.covered, vec![2, 4, 7], "{u:?}");
    assert_eq!(u.unknown, vec![5, 8, 10], "{u:?}");
    assert!(u.uncovered.is_empty());
    assert_eq!((u.low, u.high), (50.0, 100.0));
}

#[test]
fn cyclic_hierarchies_end() {
    let a = analyze_sources(&[
        src("ApexClass", "A", "public virtual class A extends B {\n    public A() {\n        Integer x = 1;\n    }\n}\n"),
        src("ApexClass", "B", "public virtual class B extends A {\n    public B() {\n        Integer y = 2;\n    }\n}\n"),
        src("ApexClass", "I1", "public interface I1 extends I2 {\n    void m();\n}\n"),
        src("ApexClass", "I2", "public interface I2 extends I1 {\n    void m();\n}\n"),
        src(
            "ApexClass",
            "T",
            "@IsTest\nclass T {\n    @IsTest static void t() {\n        A a = new A();\n        I1 i = (I1) Type.forName('X').newInstance();\n        i.m();\n        Assert.isNotNull(a);\n    }\n}\n",
        ),
    ]);
    assert_eq!(unit(&a, "A").covered_lines, 1, "{a:#?}");
}
