//! Salesforce's executable-line rules: which lines of an Apex class or trigger count towards
//! code coverage. One set of rules for the static estimator ([`crate::apex::estimate`]) and the
//! runtime ([`crate::apex::runtime`]), so an estimated and a measured figure count the same
//! lines.
//!
//! Counted: expression statements, declarations *with* an initialiser (locals and fields),
//! `return`, `throw`, `break`, `continue`, `this(...)`/`super(...)`, and the *condition/header*
//! of `if`, `for`, `while`, `do`, `switch on`. Not counted: braces, `else`, `try`/`finally`/
//! `catch (...)` lines, comments, signatures, declarations without initialiser,
//! `System.debug(...)` statements, test classes (`@IsTest`). A statement spread over several
//! lines counts every line holding one of its tokens other than punctuation (`(`, `)`, `{`,
//! `}`, `;`, `,`, `.`, `[`, `]`); a line holding only `);` does not count. Inner classes count
//! towards their top-level class. (The hand counts of `fixtures/coverage/*/COUNT.md` follow
//! these rules.)

use std::collections::BTreeSet;
use tree_sitter::Node;

const PUNCT: &[&str] = &["(", ")", "{", "}", ";", ",", ".", "[", "]"];

/// Lines holding a non-punctuation token of `n` (1-based).
fn token_lines(n: Node, out: &mut BTreeSet<usize>) {
    if n.child_count() == 0 {
        if !PUNCT.contains(&n.kind()) && !n.kind().contains("comment") {
            out.insert(n.start_position().row + 1);
        }
        return;
    }
    if n.kind().contains("comment") {
        return;
    }
    let mut c = n.walk();
    for ch in n.children(&mut c) {
        token_lines(ch, out);
    }
}

fn lower(n: Node, src: &str) -> String {
    src.get(n.byte_range()).unwrap_or("").to_ascii_lowercase()
}

/// Whether an expression statement is a `System.debug(...)` call (never counted).
fn is_debug(stmt: Node, src: &str) -> bool {
    let Some(e) = stmt.named_child(0) else { return false };
    if e.kind() != "method_invocation" {
        return false;
    }
    let obj = e.child_by_field_name("object").map(|o| lower(o, src));
    let name = e.child_by_field_name("name").map(|o| lower(o, src));
    obj.as_deref() == Some("system") && name.as_deref() == Some("debug")
}

/// The executable lines (1-based) of one statement node, or `None` when it is not executable
/// itself (its children may be).
pub fn exec_lines(stmt: Node, src: &str) -> Option<Vec<usize>> {
    let mut set = BTreeSet::new();
    match stmt.kind() {
        "expression_statement" => {
            if is_debug(stmt, src) {
                return None;
            }
            token_lines(stmt, &mut set);
        }
        "local_variable_declaration" | "field_declaration" => {
            let mut c = stmt.walk();
            let decls: Vec<Node> = stmt.children_by_field_name("declarator", &mut c).collect();
            if !decls.iter().any(|d| d.child_by_field_name("value").is_some()) {
                return None;
            }
            if let Some(t) = stmt.child_by_field_name("type") {
                token_lines(t, &mut set);
            }
            for d in decls {
                token_lines(d, &mut set);
            }
        }
        "return_statement"
        | "throw_statement"
        | "break_statement"
        | "continue_statement"
        | "explicit_constructor_invocation" => token_lines(stmt, &mut set),
        "if_statement" | "while_statement" | "do_statement" | "switch_expression" => {
            let cond = stmt.child_by_field_name("condition")?;
            token_lines(cond, &mut set);
        }
        "for_statement" => {
            for f in ["init", "condition", "update"] {
                let mut c = stmt.walk();
                for n in stmt.children_by_field_name(f, &mut c) {
                    token_lines(n, &mut set);
                }
            }
        }
        "enhanced_for_statement" => {
            for f in ["type", "name", "value"] {
                if let Some(n) = stmt.child_by_field_name(f) {
                    token_lines(n, &mut set);
                }
            }
        }
        _ => return None,
    }
    if set.is_empty() {
        None
    } else {
        Some(set.into_iter().collect())
    }
}

/// Every executable line of a parsed file: the union of [`exec_lines`] over its nodes (the
/// denominator of its coverage; a test class's lines are not counted by the caller). Iterative,
/// so a deeply nested file cannot exhaust the stack.
pub fn all_exec_lines(root: Node, src: &str) -> BTreeSet<usize> {
    let mut out = BTreeSet::new();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        if let Some(lines) = exec_lines(n, src) {
            out.extend(lines);
        }
        let mut c = n.walk();
        stack.extend(n.named_children(&mut c));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(src: &str) -> Vec<usize> {
        let mut p = tree_sitter::Parser::new();
        p.set_language(&tree_sitter_sfapex::apex::LANGUAGE.into()).unwrap();
        let t = p.parse(src, None).unwrap();
        all_exec_lines(t.root_node(), src).into_iter().collect()
    }

    #[test]
    fn counts_statements_conditions_and_initialised_declarations_only() {
        let src = "public class C {\n\
                   static Integer a = 1;\n\
                   static Integer b;\n\
                   static void m(Integer x) {\n\
                   if (x > 0) {\n\
                   System.debug('no');\n\
                   foo(\n\
                   x\n\
                   );\n\
                   } else {\n\
                   return;\n\
                   }\n\
                   }\n\
                   }\n";
        assert_eq!(lines(src), vec![2, 5, 7, 8, 11]);
    }
}
