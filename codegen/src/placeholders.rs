//! `{name}` placeholders in spec strings.

/// Names of the `{name}` placeholders in `text`, in order: braces around a
/// non-empty run of characters that `is_name_char` accepts. Braces around
/// anything else (JSON, say) are left alone.
pub fn names(text: &str, is_name_char: impl Fn(char) -> bool) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        if let Some(close) = rest.find('}') {
            let name = &rest[..close];
            if !name.is_empty() && name.chars().all(&is_name_char) {
                names.push(name);
                rest = &rest[close + 1..];
            }
        }
    }
    names
}
