//! Strings in a `const fn`: `==`, slicing, `starts_with` and the iterators are not callable
//! there, so names are compared byte by byte by these, for the compiler's constant evaluator
//! (`schema!`'s check) and, as the same functions, at run time.

/// Where `part` ends if `name` holds it at byte `at`: the step every recogniser takes.
pub(crate) const fn match_part(name: &[u8], at: usize, part: &str) -> Option<usize> {
    let part = part.as_bytes();
    let mut i = 0;
    while i < part.len() {
        if at + i >= name.len() || name[at + i] != part[i] {
            return None;
        }
        i += 1;
    }
    Some(at + part.len())
}

/// Whether `name` is `parts` concatenated, compared byte by byte (`==` on `str` and slicing
/// are not callable in a `const fn`).
pub const fn is_concat(name: &str, parts: &[&str]) -> bool {
    let mut at = 0;
    let mut p = 0;
    while p < parts.len() {
        at = match match_part(name.as_bytes(), at, parts[p]) {
            Some(end) => end,
            None => return false,
        };
        p += 1;
    }
    at == name.len()
}

/// Whether two strings are equal; `==` on `str` is not callable in a `const fn`.
pub const fn same(a: &str, b: &str) -> bool {
    is_concat(a, &[b])
}

/// Whether `list` holds `name`.
pub const fn contains(list: &[&str], name: &str) -> bool {
    let mut i = 0;
    while i < list.len() {
        if same(list[i], name) {
            return true;
        }
        i += 1;
    }
    false
}

/// Whether `name` starts with `prefix`.
pub const fn starts_with(name: &str, prefix: &str) -> bool {
    let (name, prefix) = (name.as_bytes(), prefix.as_bytes());
    if prefix.len() > name.len() {
        return false;
    }
    let mut i = 0;
    while i < prefix.len() {
        if name[i] != prefix[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Whether `name` ends with `suffix`.
pub const fn ends_with(name: &str, suffix: &str) -> bool {
    let (name, suffix) = (name.as_bytes(), suffix.as_bytes());
    if suffix.len() > name.len() {
        return false;
    }
    let start = name.len() - suffix.len();
    let mut i = 0;
    while i < suffix.len() {
        if name[start + i] != suffix[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// `name` without its last `suffix_len` bytes: the table a derived key name was made from.
/// Empty when the cut is not at a character boundary.
pub const fn without_suffix(name: &str, suffix_len: usize) -> &str {
    if suffix_len > name.len() {
        return "";
    }
    let (head, _) = name.as_bytes().split_at(name.len() - suffix_len);
    match std::str::from_utf8(head) {
        Ok(head) => head,
        Err(_) => "",
    }
}
