//! Rules of a chain's segment tree: a segment's parent is in the same chain and the tree has no cycles.

use crate::registry::Id;

/// Whether giving `segment` the parent `new_parent` keeps the tree a tree. `parent_of` answers each segment's
/// current parent; the walk is bounded by `limit` steps so corrupt data cannot loop forever.
pub fn would_create_cycle(
    segment: Id,
    new_parent: Id,
    parent_of: impl Fn(Id) -> Option<Id>,
    limit: usize,
) -> bool {
    let mut current = Some(new_parent);
    let mut steps = 0;
    while let Some(node) = current {
        if node == segment || steps > limit {
            return true;
        }
        current = parent_of(node);
        steps += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn tree() -> HashMap<Id, Id> {
        // 1 ← 2 ← 3, and 4 alone
        HashMap::from([(2, 1), (3, 2)])
    }

    #[test]
    fn moving_a_segment_under_its_own_descendant_is_a_cycle() {
        let t = tree();
        assert!(would_create_cycle(1, 3, |n| t.get(&n).copied(), 100));
    }

    #[test]
    fn moving_a_segment_under_itself_is_a_cycle() {
        let t = tree();
        assert!(would_create_cycle(2, 2, |n| t.get(&n).copied(), 100));
    }

    #[test]
    fn moving_a_segment_under_an_unrelated_one_is_fine() {
        let t = tree();
        assert!(!would_create_cycle(3, 4, |n| t.get(&n).copied(), 100));
        assert!(!would_create_cycle(4, 3, |n| t.get(&n).copied(), 100));
    }
}
