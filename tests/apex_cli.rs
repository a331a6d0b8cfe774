//! `sfgen test` as a user runs it: the real binary, its flags, outputs, reports and exit codes.

mod support;

use std::path::Path;
use support::{sfgen, Output};

const VERDICTS: &str = "fixtures/apex/verdicts/package";
const LANGUAGE: &str = "fixtures/apex/language/package";

#[test]
fn all_passing_exits_0_with_a_terminal_report() {
    let Output { code, stdout: out, stderr: err, .. } = sfgen(&["test", "--package", LANGUAGE]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("LanguageTest\n  pass    inheritanceAndOverridesPositive"), "{out}");
    assert!(out.contains("Apex code coverage (measured by running the tests)"), "{out}");
    assert!(out.contains("ApexClass    Shapes"), "{out}");
    assert!(out.contains("8 passed, 0 failed, 0 skipped"), "{out}");
}

#[test]
fn a_failure_exits_1_and_names_message_and_stack() {
    let Output { code, stdout: out, .. } =
        sfgen(&["test", "--package", VERDICTS, "--tests", "VerdictsTest.uncaughtNullPointer"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAIL    uncaughtNullPointer"), "{out}");
    assert!(out.contains("System.NullPointerException: Attempt to de-reference a null object"), "{out}");
    assert!(out.contains("at Class.Verdicts.length: line 7, column 9"), "{out}");
    assert!(out.contains("0 passed, 1 failed, 0 skipped"), "{out}");
}

#[test]
fn tests_flag_takes_classes_and_methods_case_insensitively() {
    let Output { code, stdout: out, .. } = sfgen(&[
        "--json",
        "test",
        "--package",
        VERDICTS,
        "--tests",
        "verdictstest.dmlPartialSuccessPositive",
        "--tests",
        "VerdictsTest.CALLOUTAFTERSTARTTESTPOSITIVE",
    ]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("ok");
    let names: Vec<&str> =
        v["result"]["tests"].as_array().expect("ok").iter().map(|t| t["MethodName"].as_str().expect("ok")).collect();
    assert_eq!(names, ["dmlPartialSuccessPositive", "calloutAfterStartTestPositive"]);
}

#[test]
fn unknown_test_names_are_bad_input() {
    let Output { code, stdout: out, stderr: err, .. } =
        sfgen(&["test", "--package", VERDICTS, "--tests", "NoSuchTest", "--tests", "VerdictsTest.nope"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("no test class named NoSuchTest"), "{err}");
    assert!(err.contains("no test method nope in VerdictsTest"), "{err}");
    let Output { code, stdout: out, .. } = sfgen(&["--json", "test", "--package", VERDICTS, "--tests", "NoSuchTest"]);
    assert_eq!(code, 2);
    let v: serde_json::Value = serde_json::from_str(&out).expect("ok");
    assert_eq!(v["exitCode"], 2, "{v}");
}

#[test]
fn json_has_the_shape_of_sf_apex_run_test() {
    let Output { code, stdout: out, .. } = sfgen(&["--json", "test", "--package", VERDICTS, "--tests", "VerdictsTest"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("ok");
    let r = &v["result"];
    let s = &r["summary"];
    assert_eq!(s["outcome"], "Failed");
    assert_eq!(
        s["testsRan"].as_u64().expect("ok"),
        s["passing"].as_u64().expect("ok") + s["failing"].as_u64().expect("ok")
    );
    assert_eq!(s["skipped"], 2);
    assert!(s["passRate"].as_str().expect("ok").ends_with('%'));
    assert!(s["testRunCoverage"].as_str().expect("ok").ends_with('%'));
    let t = &r["tests"][0];
    for key in ["FullName", "MethodName", "Outcome", "Message", "StackTrace", "RunTime", "ApexClass"] {
        assert!(t.get(key).is_some(), "tests[] lacks {key}: {t}");
    }
    assert_eq!(t["ApexClass"]["Name"], "VerdictsTest");
    let c = &r["coverage"]["coverage"][0];
    assert_eq!(c["name"], "Verdicts");
    assert_eq!(c["totalLines"], 17);
    assert_eq!(c["lines"]["7"], 1, "{c}");
    assert!(c["coveredPercent"].is_number());
}

#[test]
fn reports_are_written() {
    let dir = tempfile::tempdir().expect("ok");
    let p = |n: &str| dir.path().join(n).to_string_lossy().into_owned();
    let Output { code, stdout: out, stderr: err, .. } = sfgen(&[
        "test",
        "--package",
        LANGUAGE,
        "--junit",
        &p("junit.xml"),
        "--cobertura",
        &p("cov.xml"),
        "--lcov",
        &p("lcov.info"),
        "--html",
        &p("cov.html"),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let read = |n: &str| std::fs::read_to_string(dir.path().join(n)).expect("ok");
    let junit = read("junit.xml");
    assert!(junit.contains("<testsuite name=\"LanguageTest\" tests=\"8\" failures=\"0\" skipped=\"0\""), "{junit}");
    assert!(read("cov.xml").contains("<class name=\"Shapes\""));
    assert!(read("lcov.info").contains("SF:classes/Shapes.cls"));
    assert!(read("cov.html").contains("Shapes"));
}

#[test]
fn a_package_with_apex_and_no_tests_is_not_a_pass() {
    let dir = tempfile::tempdir().expect("ok");
    let classes = dir.path().join("classes");
    std::fs::create_dir_all(&classes).expect("ok");
    std::fs::write(
        classes.join("Lonely.cls"),
        "public class Lonely {\n    public static Integer one() {\n        return 1;\n    }\n}\n",
    )
    .expect("ok");
    std::fs::write(
        classes.join("Lonely.cls-meta.xml"),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ApexClass xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <apiVersion>62.0</apiVersion>\n    <status>Active</status>\n</ApexClass>\n",
    )
    .expect("ok");
    std::fs::write(
        dir.path().join("package.xml"),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Package xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <types>\n        <members>Lonely</members>\n        <name>ApexClass</name>\n    </types>\n    <version>62.0</version>\n</Package>\n",
    )
    .expect("ok");
    let Output { code, stdout: out, .. } = sfgen(&["test", "--package", dir.path().to_str().expect("ok")]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("No test methods in the package"), "{out}");
    assert!(out.contains("Lonely") && out.contains("0%"), "{out}");
}

#[test]
fn bad_package_path_is_exit_2() {
    let Output { code, stderr: err, .. } = sfgen(&["test", "--package", "fixtures/apex/does-not-exist"]);
    assert_eq!(code, 2, "{err}");
    assert!(Path::new(&support::root()).exists());
}
