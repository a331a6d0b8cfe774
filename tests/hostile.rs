//! Hostile archives and folders against every command that reads one: `diff --org`,
//! `package --include`, `check --package` and `convert --from`.
//!
//! The corpus is built here, programmatically (zip slip, absolute/drive/backslash paths, `..`,
//! symlinks in zips and folders, duplicate and case-colliding entries, zip bombs by ratio and by
//! absolute size with the env caps, lying headers, non-UTF-8 names, huge and deeply nested
//! XML, entity expansion and external entities). Every case must be refused by every command:
//! exit 2, an error that names the entry, no output file created, nothing written outside the
//! target.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
use std::path::Path;
use support::zip::{entry, Entry};
use support::{root, write, Sfgen, CLASS_META};

const CONFIG: &str = "fixtures/contact-webhook/sfgen.json";

// ---------------------------------------------------------------------------------------------
// Valid metadata to surround the hostile entry with.

const PACKAGE: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Package xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <types>\n        <members>*</members>\n        <name>ApexClass</name>\n    </types>\n    <types>\n        <members>*</members>\n        <name>RemoteSiteSetting</name>\n    </types>\n    <version>62.0</version>\n</Package>\n";

fn remote_site(body: &str) -> String {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<RemoteSiteSetting xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <isActive>true</isActive>\n    <url>{body}</url>\n</RemoteSiteSetting>\n")
}

fn base_entries() -> Vec<Entry> {
    vec![
        entry("package.xml", PACKAGE.as_bytes()),
        entry("classes/Good.cls", b"public class Good {}\n"),
        entry("classes/Good.cls-meta.xml", CLASS_META.as_bytes()),
    ]
}

fn deep_xml(depth: usize) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<RemoteSiteSetting xmlns=\"http://soap.sforce.com/2006/04/metadata\">{}{}</RemoteSiteSetting>\n",
        "<url>".repeat(depth),
        "</url>".repeat(depth)
    )
}

const LAUGHS: &str = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\"><!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">]>\n<RemoteSiteSetting xmlns=\"http://soap.sforce.com/2006/04/metadata\"><url>&lol2;</url></RemoteSiteSetting>\n";
const XXE: &str = "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<RemoteSiteSetting xmlns=\"http://soap.sforce.com/2006/04/metadata\"><url>&xxe;</url></RemoteSiteSetting>\n";

/// One hostile input: how to build it, env caps to apply, and what the error must mention.
struct Case {
    name: &'static str,
    /// A zip (entries) or a folder (built by `folder`).
    input: Input,
    env: &'static [(&'static str, &'static str)],
    /// Substrings of the error that identify the entry (all must appear).
    mentions: &'static [&'static str],
}

enum Input {
    Zip(fn() -> Vec<Entry>),
    Folder(fn(&Path)),
}

fn with(mut extra: Vec<Entry>) -> Vec<Entry> {
    let mut v = base_entries();
    v.append(&mut extra);
    v
}

fn base_folder(root: &Path) {
    write(root, "package.xml", PACKAGE.as_bytes());
    write(root, "classes/Good.cls", b"public class Good {}\n");
    write(root, "classes/Good.cls-meta.xml", CLASS_META.as_bytes());
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "zip-slip",
            input: Input::Zip(|| with(vec![entry("classes/../../../../h4-slip-evil.cls", b"x")])),
            env: &[],
            mentions: &["h4-slip-evil.cls", ".."],
        },
        Case {
            name: "dotdot",
            input: Input::Zip(|| with(vec![entry("../h4-dotdot-evil.cls", b"x")])),
            env: &[],
            mentions: &["h4-dotdot-evil.cls"],
        },
        Case {
            name: "absolute",
            input: Input::Zip(|| with(vec![entry("/tmp/h4-absolute-evil.cls", b"x")])),
            env: &[],
            mentions: &["/tmp/h4-absolute-evil.cls", "absolute"],
        },
        Case {
            name: "drive",
            input: Input::Zip(|| with(vec![entry("C:/Windows/h4-drive-evil.cls", b"x")])),
            env: &[],
            mentions: &["h4-drive-evil.cls", "drive"],
        },
        Case {
            name: "backslash",
            input: Input::Zip(|| with(vec![entry("classes\\..\\..\\h4-backslash-evil.cls", b"x")])),
            env: &[],
            mentions: &["h4-backslash-evil.cls", "backslash"],
        },
        Case {
            name: "zip-symlink",
            input: Input::Zip(|| {
                let mut e = entry("classes/Link.cls", b"/etc/passwd");
                e.mode = 0o120777;
                with(vec![e])
            }),
            env: &[],
            mentions: &["classes/Link.cls", "symbolic link"],
        },
        Case {
            name: "duplicate",
            input: Input::Zip(|| with(vec![entry("classes/Good.cls", b"public class Good { Integer x; }\n")])),
            env: &[],
            mentions: &["classes/Good.cls", "duplicate"],
        },
        Case {
            name: "case-duplicate",
            input: Input::Zip(|| with(vec![entry("classes/good.cls", b"public class good {}\n")])),
            env: &[],
            mentions: &["classes/good.cls", "case"],
        },
        Case {
            name: "bomb-ratio",
            input: Input::Zip(|| {
                let mut e = entry("staticresources/bomb.resource", &vec![0u8; 8 << 20]);
                e.deflate = true;
                with(vec![e])
            }),
            env: &[],
            mentions: &["bomb.resource", "ratio"],
        },
        Case {
            name: "bomb-ratio-env",
            input: Input::Zip(|| {
                let mut e = entry("staticresources/bomb.resource", &vec![b'a'; 3 << 20]);
                e.deflate = true;
                with(vec![e])
            }),
            env: &[("SFGEN_MAX_RATIO", "10")],
            mentions: &["bomb.resource", "SFGEN_MAX_RATIO"],
        },
        Case {
            name: "bomb-absolute-env",
            input: Input::Zip(|| {
                let mut e = entry("staticresources/big.resource", &vec![7u8; 300_000]);
                e.deflate = true;
                with(vec![e])
            }),
            env: &[("SFGEN_MAX_FILE_BYTES", "100000")],
            mentions: &["big.resource", "SFGEN_MAX_FILE_BYTES"],
        },
        Case {
            name: "bomb-total-env",
            input: Input::Zip(|| {
                with(
                    (0..8)
                        .map(|i| {
                            let mut e = entry(&format!("classes/Part{i}.cls"), &[b'/'; 50_000]);
                            e.deflate = true;
                            e
                        })
                        .collect(),
                )
            }),
            env: &[("SFGEN_MAX_TOTAL_BYTES", "200000")],
            mentions: &["SFGEN_MAX_TOTAL_BYTES", "Part"],
        },
        Case {
            name: "bomb-lying-header",
            input: Input::Zip(|| {
                let mut e = entry("staticresources/liar.resource", &vec![0u8; 4 << 20]);
                e.deflate = true;
                e.declared = Some(100);
                with(vec![e])
            }),
            env: &[],
            mentions: &["liar.resource"],
        },
        Case {
            name: "too-many-entries-env",
            input: Input::Zip(|| {
                with((0..6).map(|i| entry(&format!("classes/C{i}.cls"), b"public class C {}\n")).collect())
            }),
            env: &[("SFGEN_MAX_ENTRIES", "5")],
            mentions: &["SFGEN_MAX_ENTRIES"],
        },
        Case {
            name: "non-utf8-name",
            input: Input::Zip(|| {
                let mut e = entry("x", b"public class X {}\n");
                e.name = b"classes/h4\xff\xfe.cls".to_vec();
                with(vec![e])
            }),
            env: &[],
            mentions: &["UTF-8", "classes/h4"],
        },
        Case {
            name: "huge-xml",
            input: Input::Zip(|| {
                let body = "x".repeat(3 << 20);
                with(vec![entry("remoteSiteSettings/Huge.remoteSite", remote_site(&body).as_bytes())])
            }),
            env: &[("SFGEN_MAX_FILE_BYTES", "1048576")],
            mentions: &["Huge.remoteSite"],
        },
        Case {
            name: "deep-xml",
            input: Input::Zip(|| with(vec![entry("remoteSiteSettings/Deep.remoteSite", deep_xml(50_000).as_bytes())])),
            env: &[],
            mentions: &["Deep.remoteSite"],
        },
        Case {
            name: "billion-laughs",
            input: Input::Zip(|| with(vec![entry("remoteSiteSettings/Lol.remoteSite", LAUGHS.as_bytes())])),
            env: &[],
            mentions: &["Lol.remoteSite"],
        },
        Case {
            name: "external-entity",
            input: Input::Zip(|| with(vec![entry("remoteSiteSettings/Xxe.remoteSite", XXE.as_bytes())])),
            env: &[],
            mentions: &["Xxe.remoteSite"],
        },
        Case {
            name: "external-entity-package-xml",
            input: Input::Zip(|| {
                let pkg = PACKAGE.replacen(
                    "<Package",
                    "<!DOCTYPE p [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<Package",
                    1,
                );
                vec![
                    entry("package.xml", pkg.as_bytes()),
                    entry("classes/Good.cls", b"public class Good {}\n"),
                    entry("classes/Good.cls-meta.xml", CLASS_META.as_bytes()),
                ]
            }),
            env: &[],
            mentions: &["package.xml"],
        },
        Case {
            name: "meta-xml-entity",
            input: Input::Zip(|| {
                let meta = CLASS_META.replacen("<ApexClass", "<!DOCTYPE a [<!ENTITY e \"x\">]>\n<ApexClass", 1);
                vec![
                    entry("package.xml", PACKAGE.as_bytes()),
                    entry("classes/Good.cls", b"public class Good {}\n"),
                    entry("classes/Good.cls-meta.xml", meta.as_bytes()),
                ]
            }),
            env: &[],
            mentions: &["Good.cls-meta.xml"],
        },
        Case {
            name: "folder-file-symlink",
            input: Input::Folder(|root| {
                base_folder(root);
                std::os::unix::fs::symlink("/etc/passwd", root.join("classes/Link.cls")).unwrap();
            }),
            env: &[],
            mentions: &["classes/Link.cls", "symbolic link"],
        },
        Case {
            name: "folder-dir-symlink",
            input: Input::Folder(|root| {
                base_folder(root);
                let outside = root.parent().unwrap().join("outside");
                write(&outside, "Stolen.cls", b"public class Stolen {}\n");
                write(&outside, "Stolen.cls-meta.xml", CLASS_META.as_bytes());
                std::os::unix::fs::symlink(&outside, root.join("triggers")).unwrap();
            }),
            env: &[],
            mentions: &["triggers", "symbolic link"],
        },
        Case {
            name: "folder-package-dir-symlink",
            input: Input::Folder(|root| {
                write(root, "sfdx-project.json", support::SFDX_PROJECT_JSON);
                let outside = root.parent().unwrap().join("outside-project");
                write(&outside, "main/default/classes/Stolen.cls", b"public class Stolen {}\n");
                write(&outside, "main/default/classes/Stolen.cls-meta.xml", CLASS_META.as_bytes());
                std::os::unix::fs::symlink(&outside, root.join("force-app")).unwrap();
            }),
            env: &[],
            mentions: &["force-app", "link"],
        },
        Case {
            name: "folder-case-duplicate",
            input: Input::Folder(|root| {
                base_folder(root);
                write(root, "classes/good.cls", b"public class good {}\n");
            }),
            env: &[],
            mentions: &["good.cls", "case"],
        },
        Case {
            name: "folder-non-utf8-name",
            input: Input::Folder(|root| {
                use std::os::unix::ffi::OsStrExt;
                base_folder(root);
                let name = std::ffi::OsStr::from_bytes(b"h4\xff.cls");
                std::fs::write(root.join("classes").join(name), b"public class X {}\n").unwrap();
            }),
            env: &[],
            mentions: &["UTF-8", "h4"],
        },
        Case {
            name: "folder-fifo",
            input: Input::Folder(|root| {
                base_folder(root);
                let ok =
                    std::process::Command::new("mkfifo").arg(root.join("classes/Pipe.cls")).status().unwrap().success();
                assert!(ok, "mkfifo");
            }),
            env: &[],
            mentions: &["classes/Pipe.cls"],
        },
        Case {
            name: "folder-huge-file",
            input: Input::Folder(|root| {
                base_folder(root);
                write(root, "remoteSiteSettings/Huge.remoteSite", remote_site(&"x".repeat(300_000)).as_bytes());
            }),
            env: &[("SFGEN_MAX_FILE_BYTES", "100000")],
            mentions: &["Huge.remoteSite", "SFGEN_MAX_FILE_BYTES"],
        },
        Case {
            name: "folder-deep-xml",
            input: Input::Folder(|root| {
                base_folder(root);
                write(root, "remoteSiteSettings/Deep.remoteSite", deep_xml(50_000).as_bytes());
            }),
            env: &[],
            mentions: &["Deep.remoteSite"],
        },
        Case {
            name: "folder-billion-laughs",
            input: Input::Folder(|root| {
                base_folder(root);
                write(root, "remoteSiteSettings/Lol.remoteSite", LAUGHS.as_bytes());
            }),
            env: &[],
            mentions: &["Lol.remoteSite"],
        },
        Case {
            name: "source-folder-external-entity",
            input: Input::Folder(|root| {
                support::sfdx_project_with_class(root);
                write(root, "force-app/main/default/remoteSiteSettings/Xxe.remoteSite-meta.xml", XXE.as_bytes());
            }),
            env: &[],
            mentions: &["Xxe.remoteSite-meta.xml"],
        },
        Case {
            name: "source-package-dir-escapes",
            input: Input::Folder(|root| {
                write(root, "sfdx-project.json", br#"{"packageDirectories":[{"path":"../h4-escape","default":true}]}"#);
            }),
            env: &[],
            mentions: &["h4-escape", ".."],
        },
    ]
}

// ---------------------------------------------------------------------------------------------

/// The commands that read an untrusted input, given the input and an empty output folder.
fn commands(input: &Path, out: &Path) -> Vec<(&'static str, Vec<String>)> {
    let i = input.to_string_lossy().into_owned();
    let o = |rel: &str| out.join(rel).to_string_lossy().into_owned();
    let c = CONFIG.to_string();
    vec![
        (
            "diff --org",
            vec![
                "diff".into(),
                "-c".into(),
                c.clone(),
                "--org".into(),
                i.clone(),
                "--delta-out".into(),
                o("delta.zip"),
            ],
        ),
        (
            "diff --org (folder delta)",
            vec!["diff".into(), "-c".into(), c.clone(), "--org".into(), i.clone(), "--delta-out".into(), o("delta")],
        ),
        (
            "package --include",
            vec![
                "package".into(),
                "-c".into(),
                c.clone(),
                "--include".into(),
                i.clone(),
                "--out".into(),
                o("deploy.zip"),
            ],
        ),
        ("check --package", vec!["check".into(), "--package".into(), i.clone(), "--junit".into(), o("junit.xml")]),
        (
            "convert --from (source)",
            vec![
                "convert".into(),
                "--from".into(),
                i.clone(),
                "--to".into(),
                o("converted"),
                "--format".into(),
                "source".into(),
            ],
        ),
        (
            "convert --from (mdapi)",
            vec![
                "convert".into(),
                "--from".into(),
                i.clone(),
                "--to".into(),
                o("converted-mdapi"),
                "--format".into(),
                "mdapi".into(),
            ],
        ),
        ("manifest --include", vec!["manifest".into(), "-c".into(), c, "--include".into(), i]),
    ]
}

fn list(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .follow_links(false)
        .into_iter()
        .flatten()
        .map(|e| e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Cases whose hostility is in a file's content rather than its name, kind or the archive.
fn is_content_case(name: &str) -> bool {
    name.starts_with("folder-") && ["huge", "xml", "laughs", "entity"].iter().any(|w| name.contains(w))
        || name.starts_with("source-folder-")
}

#[test]
fn hostile_corpus_is_refused_by_every_reader() {
    let mut failures = Vec::new();
    let mut runs = 0;
    for case in cases() {
        let work = tempfile::tempdir().unwrap();
        let input = match &case.input {
            Input::Zip(build) => {
                let p = work.path().join(format!("{}.zip", case.name));
                std::fs::write(&p, support::zip::write(&build())).unwrap();
                p
            }
            Input::Folder(build) => {
                let p = work.path().join(case.name);
                std::fs::create_dir_all(&p).unwrap();
                build(&p);
                p
            }
        };
        let out = work.path().join("out");
        std::fs::create_dir_all(&out).unwrap();
        let before = list(work.path());
        for (what, args) in commands(&input, &out) {
            // `manifest` lists names without reading contents (for speed): hostile *content*
            // (size, XML) cannot harm it; hostile names and links must still be refused.
            if what.starts_with("manifest") && is_content_case(case.name) {
                continue;
            }
            // Each command starts from the same state.
            std::fs::remove_dir_all(&out).unwrap();
            std::fs::create_dir_all(&out).unwrap();
            runs += 1;
            let output = Sfgen::new().args(&args).envs(case.env.iter().copied()).run();
            let stderr = &output.stderr;
            let code = output.code;
            let mut problems = Vec::new();
            if code != 2 {
                problems.push(format!("exit {code:?}, not 2"));
            }
            for m in case.mentions {
                if !stderr.contains(m) {
                    problems.push(format!("error does not mention {m:?}"));
                }
            }
            let after = list(work.path());
            if after != before {
                problems.push(format!(
                    "files appeared: {:?}",
                    after.iter().filter(|p| !before.contains(p)).collect::<Vec<_>>()
                ));
            }
            for evil in ["/tmp/h4-slip-evil.cls", "/tmp/h4-absolute-evil.cls", "/h4-slip-evil.cls"] {
                if Path::new(evil).exists() {
                    problems.push(format!("{evil} was written"));
                }
            }
            if !problems.is_empty() {
                failures.push(format!(
                    "{} / {what}: {}\n    stderr: {}",
                    case.name,
                    problems.join("; "),
                    stderr.trim().replace('\n', "\n            ")
                ));
            }
        }
    }
    println!("{runs} hostile runs");
    assert!(
        failures.is_empty(),
        "{} of {runs} hostile runs not refused properly:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The archives committed under fixtures/diff/hostile are refused too.
#[test]
fn committed_hostile_archives_are_refused() {
    let dir = root().join("fixtures/diff/hostile");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let work = tempfile::tempdir().unwrap();
        for (what, args) in commands(&path, work.path()) {
            let output = Sfgen::new().args(&args).run();
            assert_eq!(output.code, 2, "{} / {what}: {}", path.display(), output.stderr);
            assert!(list(work.path()).is_empty(), "{} / {what} wrote {:?}", path.display(), list(work.path()));
        }
    }
}

/// A retrieve holding terminal escape sequences: the text diff shows them escaped, never raw.
#[test]
fn terminal_escapes_in_org_content_are_not_printed_raw() {
    let work = tempfile::tempdir().unwrap();
    let org = work.path().join("org");
    support::copy_dir(&root().join("fixtures/diff/contact-webhook/noise-only/unpackaged"), &org);
    std::fs::write(
        org.join("classes/Webhook.cls"),
        "public class Webhook { String s = '\u{1b}]0;PWNED\u{7}\u{1b}[2J'; }\n",
    )
    .unwrap();
    for color in ["never", "always"] {
        let out = support::sfgen(&["diff", "--color", color, "-c", CONFIG, "--org", &org.to_string_lossy()]);
        let stdout = &out.stdout;
        assert!(stdout.contains("PWNED"), "{stdout}");
        assert!(!stdout.contains("\u{1b}]0;") && !stdout.contains('\u{7}'), "raw escape sequence printed:\n{stdout:?}");
    }
}

/// A symbolic link inside the output folder is never written through.
#[cfg(unix)]
#[test]
fn generate_never_writes_through_a_link_in_the_output() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    let elsewhere = work.path().join("elsewhere");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, out.join("force-app")).unwrap();
    let output = support::sfgen(&["generate", "-c", CONFIG, "--out", &out.to_string_lossy()]);
    let stderr = &output.stderr;
    assert_eq!(output.code, 2, "{stderr}");
    assert!(stderr.contains("force-app") && stderr.contains("symbolic link"), "{stderr}");
    assert!(list(&elsewhere).is_empty(), "wrote through the link: {:?}", list(&elsewhere));
}
