//! Apex's syntax tree as tree-sitter gives it, and what both the estimator and the runtime ask of
//! it before they walk it.

/// Depth of the syntax tree and the line of its deepest node, without recursion.
pub fn nesting(tree: &tree_sitter::Tree) -> (usize, usize) {
    let mut cursor = tree.walk();
    let (mut depth, mut max, mut line) = (0usize, 0usize, 1usize);
    loop {
        if depth > max {
            max = depth;
            line = cursor.node().start_position().row + 1;
        }
        if cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return (max, line);
            }
            depth -= 1;
        }
    }
}
