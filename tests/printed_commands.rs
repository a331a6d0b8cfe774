//! The commands sfgen prints are shell that pastes: the printed text of every fixture passes
//! `bash -n`, the text and the JSON say the same commands, `--target-org` and `SF_TARGET_ORG`
//! fill in the org, and hostile values (paths, aliases, names) reach the command as one word
//! each, never as shell syntax or raw control characters (issue 12, finding 7).

mod support;
use std::path::Path;
use std::process::Command;
use support::{root, sfgen_in, Output, Sfgen};

/// The `$ ` lines of a text report.
fn dollar_lines(text: &str) -> Vec<String> {
    text.lines().filter_map(|l| l.trim_start().strip_prefix("$ ")).map(str::to_string).collect()
}

/// Every command in a JSON `result`, in the order the text prints them.
fn json_commands(result: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    for step in result["nextSteps"].as_array().into_iter().flatten() {
        for c in step["commands"].as_array().into_iter().flatten() {
            out.push(c.as_str().expect("string").to_string());
        }
    }
    out
}

/// The runs whose printed text is checked: every fixture, both formats, the zip, each env.
fn runs() -> Vec<(String, Vec<String>)> {
    let mut runs = Vec::new();
    for fixture in ["contact-webhook", "integration-user", "signed-webhook", "hostile/nasty-strings"] {
        let cfg = root().join("fixtures").join(fixture).join("sfgen.json");
        let cfg = cfg.to_str().expect("utf8").to_string();
        for env in [None, Some("sandbox")] {
            if env.is_some() && !std::fs::read_to_string(&cfg).expect("cfg").contains("\"sandbox\": {") {
                continue;
            }
            for (n, cmd) in [
                ("source", vec!["generate", "--format", "source", "--out"]),
                ("mdapi", vec!["generate", "--format", "mdapi", "--out"]),
                ("zip", vec!["package", "--out"]),
            ] {
                let mut args: Vec<String> = cmd.into_iter().map(str::to_string).collect();
                args.push(format!("{}-{n}{}", fixture.replace('/', "-"), if n == "zip" { ".zip" } else { "" }));
                args.extend(["-c".to_string(), cfg.clone()]);
                if let Some(e) = env {
                    args.extend(["--env".to_string(), e.to_string()]);
                }
                runs.push((format!("{fixture} {n} {env:?}"), args));
            }
        }
    }
    runs
}

#[test]
fn printed_text_of_every_fixture_passes_bash_n_and_matches_the_json() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut script = String::new();
    for (name, args) in runs() {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = sfgen_in(tmp.path(), &args);
        assert!(o.success(), "{name}: {}", o.stderr);
        let text = o.stdout;
        let printed = dollar_lines(&text);
        assert!(printed.iter().any(|c| c.contains("sf project deploy")), "{name}: no deploy command in\n{text}");
        let out = args[args.iter().position(|a| *a == "--out").expect("--out") + 1];
        let mut json_args = args.clone();
        json_args.push("--json");
        // Same output path: write it again into a second folder for the JSON run.
        let alt = format!("{out}.json-run");
        let pos = json_args.iter().position(|a| *a == out).expect("out");
        json_args[pos] = &alt;
        let j = sfgen_in(tmp.path(), &json_args);
        let v: serde_json::Value = serde_json::from_str(&j.stdout).expect("envelope");
        let from_json: Vec<String> = json_commands(&v["result"]).into_iter().map(|c| c.replace(&alt, out)).collect();
        assert_eq!(printed, from_json, "{name}: the text and the JSON print different commands");
        for c in &printed {
            script.push_str(c);
            script.push('\n');
        }
    }
    let file = tmp.path().join("pasted.sh");
    std::fs::write(&file, &script).expect("write");
    let o = Command::new("bash").arg("-n").arg(&file).output().expect("bash");
    assert!(
        o.status.success(),
        "bash -n refuses the printed commands:\n{}\n{script}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn target_org_and_sf_target_org_fill_in_every_sf_command() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cfg = root().join("fixtures/integration-user/sfgen.json");
    let cfg = cfg.to_str().expect("utf8");
    let check = |o: Output, alias: &str| {
        assert!(o.success(), "{}", o.stderr);
        let cmds: Vec<String> = dollar_lines(&o.stdout).into_iter().filter(|c| c.contains("sf ")).collect();
        assert!(cmds.len() >= 5, "{cmds:?}");
        for c in &cmds {
            if c.starts_with("sf ") || c.contains("&& sf ") {
                assert!(c.contains(&format!("--target-org {alias}")), "{c}");
            }
            assert!(!c.contains("ORG_ALIAS"), "{c}");
        }
    };
    check(sfgen_in(tmp.path(), &["package", "-c", cfg, "--out", "a.zip", "--target-org", "uat"]), "uat");
    check(sfgen_in(tmp.path(), &["generate", "-c", cfg, "--out", "b", "-o", "my-prod"]), "my-prod");
    let o = Sfgen::new()
        .args(["generate", "-c", cfg, "--out", "c", "--format", "mdapi"])
        .current_dir(tmp.path())
        .env("SF_TARGET_ORG", "from-env@example.com")
        .run();
    check(o, "from-env@example.com");
    // Without one: the placeholder, a plain word, and how to fill it in.
    let o = sfgen_in(tmp.path(), &["generate", "-c", cfg, "--out", "d"]);
    let text = o.stdout;
    assert!(text.contains("--target-org ORG_ALIAS"), "{text}");
    assert!(
        text.contains("replace ORG_ALIAS with the org's alias or username, or run sfgen with --target-org ALIAS"),
        "{text}"
    );
}

/// A `sf` stub that records, NUL-separated, the words bash gave it, and a PATH with it first.
fn recording_sf(dir: &Path) -> (String, std::path::PathBuf) {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let record = dir.join("record");
    std::fs::write(
        bin.join("sf"),
        format!("#!/bin/sh\nprintf '%s\\0' \"$@\" >> '{}'\nprintf '\\n' >> '{}'\n", record.display(), record.display()),
    )
    .expect("write");
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(bin.join("sf"), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    (format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default()), record)
}

/// Pastes every `$ sf` line of `text` into bash in `cwd`; returns the words each call got.
fn paste(text: &str, cwd: &Path, path: &str, record: &Path) -> Vec<Vec<String>> {
    let _ = std::fs::remove_file(record);
    for c in dollar_lines(text).into_iter().filter(|c| c.starts_with("sf ") || c.contains("&& sf ")) {
        let o = Command::new("bash").arg("-c").arg(&c).current_dir(cwd).env("PATH", path).output().expect("bash");
        assert!(o.status.success(), "`{c}` did not paste: {}", String::from_utf8_lossy(&o.stderr));
    }
    let bytes = std::fs::read(record).unwrap_or_default();
    String::from_utf8_lossy(&bytes)
        .split("\0\n")
        .filter(|s| !s.is_empty())
        .map(|call| call.split('\0').map(str::to_string).collect())
        .collect()
}

fn value_of<'a>(words: &'a [String], flag: &str) -> Option<&'a str> {
    words.iter().position(|w| w == flag).and_then(|i| words.get(i + 1)).map(String::as_str)
}

#[test]
fn hostile_paths_and_org_aliases_reach_sf_as_one_word_each() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (path, record) = recording_sf(tmp.path());
    let cfg = tmp.path().join("my 'cfg' $(touch pwned).json");
    std::fs::copy(root().join("fixtures/contact-webhook/sfgen.json"), &cfg).expect("copy");
    let alias = "a'b;touch pwned;#";
    for (out, format) in
        [("o u't;$(touch pwned)", "mdapi"), ("-dash `touch pwned`", "source"), ("z;touch pwned.zip", "zip")]
    {
        let out_flag = format!("--out={out}");
        let args: Vec<&str> = if format == "zip" {
            vec!["package", "-c", cfg.to_str().expect("utf8"), &out_flag, "-o", alias]
        } else {
            vec!["generate", "-c", cfg.to_str().expect("utf8"), "--format", format, &out_flag, "-o", alias]
        };
        let o = sfgen_in(tmp.path(), &args);
        assert!(o.success(), "{}", o.stderr);
        let calls = paste(&o.stdout, tmp.path(), &path, &record);
        assert!(calls.len() >= 4, "{calls:?}");
        for words in &calls {
            assert_eq!(value_of(words, "--target-org"), Some(alias), "{words:?}");
            if let Some(dir) = value_of(words, "--metadata-dir") {
                assert_eq!(dir, out, "{words:?}");
            }
            if let Some(dir) = value_of(words, "--source-dir") {
                assert_eq!(dir, "force-app", "{words:?}");
            }
        }
        assert!(!tmp.path().join("pwned").exists(), "a printed command ran shell syntax");
    }
    // The sfgen commands too (the config path is in them).
    let o = sfgen_in(tmp.path(), &["generate", "-c", cfg.to_str().expect("utf8"), "--out", "plain"]);
    let sfgen_lines: Vec<String> = dollar_lines(&o.stdout).into_iter().filter(|c| c.starts_with("sfgen ")).collect();
    assert!(sfgen_lines.iter().all(|l| l.contains("-c ") && l.contains("'\\''")), "{sfgen_lines:?}");
    let path = format!("{}:{path}", support::bin().parent().expect("dir").display());
    let manifest = sfgen_lines.iter().find(|l| l.starts_with("sfgen manifest")).expect("manifest line");
    let m =
        Command::new("bash").arg("-c").arg(manifest).current_dir(tmp.path()).env("PATH", &path).output().expect("bash");
    assert!(m.status.success(), "`{manifest}`: {}", String::from_utf8_lossy(&m.stderr));
    assert!(std::fs::read_to_string(tmp.path().join("package.xml"))
        .expect("package.xml")
        .contains("<members>Webhook</members>"));
    assert!(!tmp.path().join("pwned").exists());
}

#[test]
fn control_characters_in_printed_values_are_escaped_not_sent_to_the_terminal() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (path, record) = recording_sf(tmp.path());
    let cfg = root().join("fixtures/integration-user/sfgen.json");
    let out = "out\u{1b}]0;pwned\u{7}\u{1b}[31m";
    let o = sfgen_in(tmp.path(), &["generate", "-c", cfg.to_str().expect("utf8"), "--format", "mdapi", "--out", out]);
    assert!(o.success(), "{}", o.stderr);
    let text = o.stdout;
    assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "raw ESC/BEL reached the terminal: {text:?}");
    assert!(text.contains("$'out\\x1b]0;pwned\\x07\\x1b[31m'"), "{text}");
    // Pasted, the quoted word is the path again.
    let calls = paste(&text, tmp.path(), &path, &record);
    assert!(calls.iter().any(|w| value_of(w, "--metadata-dir") == Some(out)), "{calls:?}");
    // An error naming such a value escapes it too.
    let o = sfgen_in(tmp.path(), &["generate", "-c", "cfg\u{1b}[2J.json", "--out", "x"]);
    assert_eq!(o.code, 2);
    assert!(!o.stderr.contains('\u{1b}'), "{:?}", o.stderr);
}

fn config_with(tmp: &Path, edit: impl FnOnce(&mut serde_json::Value)) -> std::path::PathBuf {
    let mut v: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("fixtures/integration-user/sfgen.json")).expect("cfg"),
    )
    .expect("json");
    edit(&mut v);
    let p = tmp.join("sfgen.json");
    std::fs::write(&p, serde_json::to_string_pretty(&v).expect("ser")).expect("write");
    p
}

#[test]
fn permission_set_name_with_double_underscore_is_still_validated_as_an_api_name() {
    let tmp = tempfile::tempdir().expect("tempdir");
    config_with(tmp.path(), |v| {
        v["integration"]["integrationUser"]["permissionSets"] = serde_json::json!(["x__y;touch${IFS}pwned;#"]);
    });
    let o = sfgen_in(tmp.path(), &["generate", "--out", "out"]);
    assert_eq!(o.code, 2, "{}", o.stdout);
    let err = o.stderr;
    assert!(err.contains("integration.integrationUser.permissionSets[0]"), "{err}");
    assert!(err.contains("is not a permission set API name"), "{err}");
    assert!(!tmp.path().join("out").exists(), "nothing is written on a bad config");
    assert!(!o.stdout.contains("touch"), "{}", o.stdout);
    for bad in ["__x", "x__", "ns__a__b", "toolongnamespace__Set", "x__y z"] {
        config_with(tmp.path(), |v| v["integration"]["integrationUser"]["permissionSets"] = serde_json::json!([bad]));
        assert_eq!(sfgen_in(tmp.path(), &["generate", "--out", "out"]).code, 2, "{bad} was accepted");
    }
}

#[test]
fn namespaced_permission_set_of_a_managed_package_is_accepted_and_printed_as_one_word() {
    let tmp = tempfile::tempdir().expect("tempdir");
    config_with(tmp.path(), |v| {
        v["integration"]["integrationUser"]["permissionSets"] = serde_json::json!(["oa__Order_Automation_User"]);
    });
    let o = sfgen_in(tmp.path(), &["generate", "--out", "out"]);
    assert!(o.success(), "{}", o.stderr);
    let text = o.stdout;
    assert!(text.contains("$ sf org assign permset --name oa__Order_Automation_User --on-behalf-of order-automation@acme.example.com --target-org ORG_ALIAS"), "{text}");
    // The generated sets the user is not given still get an assignment command.
    assert!(text.contains("$ sf org assign permset --name Order_Automation_Integration --name Order_Automation_Minimum --target-org ORG_ALIAS"), "{text}");
}

#[test]
fn escape_and_bel_in_the_integration_username_are_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    config_with(tmp.path(), |v| {
        v["integration"]["integrationUser"]["username"] = serde_json::json!("ops\u{1b}]0;owned\u{7}@acme.example.com");
    });
    let o = sfgen_in(tmp.path(), &["generate", "--out", "out"]);
    assert_eq!(o.code, 2, "{}", o.stdout);
    let err = o.stderr;
    assert!(err.contains("integration.integrationUser.username"), "{err}");
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "raw control characters in the error: {err:?}");
}

#[test]
fn every_generated_permission_set_gets_an_assignment_command() {
    let tmp = tempfile::tempdir().expect("tempdir");
    config_with(tmp.path(), |v| {
        v["integration"].as_object_mut().expect("object").remove("integrationUser");
        // The client credentials flow runs as the integration user: without one, no such flow.
        for app in v["oauthApps"].as_array_mut().into_iter().flatten() {
            app.as_object_mut().expect("object").remove("clientCredentials");
        }
    });
    let o = sfgen_in(tmp.path(), &["package", "--out", "d.zip"]);
    assert!(o.success(), "{}", o.stderr);
    let text = o.stdout;
    assert!(text.contains("$ sf org assign permset --name Order_Automation_Integration --name Order_Automation_Minimum --target-org ORG_ALIAS"), "{text}");
}
