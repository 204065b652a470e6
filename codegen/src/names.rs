//! Turning human names from specs into Rust identifiers.

/// Where `name` is among `known` (in order), or the message that says it
/// is none of them: ``unknown implementation `x`; expected one of a, b``.
pub fn position_among<'a>(
    known: impl Iterator<Item = &'a str> + Clone,
    name: &str,
    what: &str,
) -> Result<usize, String> {
    known
        .clone()
        .position(|candidate| candidate == name)
        .ok_or_else(|| {
            format!(
                "unknown {what} `{name}`; expected one of {}",
                known.collect::<Vec<_>>().join(", ")
            )
        })
}

/// `"App V1, Proof V2 (custom fuzz)"` → `"app_v1_proof_v2_custom_fuzz"`.
///
/// Returns an error message when nothing usable is left or the result is a
/// Rust keyword; callers attach the spec location.
pub fn snake_case(name: &str) -> Result<String, String> {
    let mut out = String::with_capacity(name.len());
    let mut pending_separator = false;
    let mut previous_lower = false;
    for ch in name.chars() {
        if ch.is_ascii_alphanumeric() {
            let camel_boundary = ch.is_ascii_uppercase() && previous_lower;
            if (pending_separator || camel_boundary) && !out.is_empty() {
                out.push('_');
            }
            pending_separator = false;
            previous_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
            out.push(ch.to_ascii_lowercase());
        } else {
            pending_separator = true;
            previous_lower = false;
        }
    }
    if out.is_empty() {
        return Err(format!(
            "`{name}` has no letters or digits to build a test name from"
        ));
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "case_");
    }
    if is_keyword(&out) {
        return Err(format!(
            "`{name}` becomes the Rust keyword `{out}`; rename it"
        ));
    }
    Ok(out)
}

fn is_keyword(word: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "extern", "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod",
        "move", "mut", "pub", "ref", "return", "self", "static", "struct", "super", "trait",
        "true", "try", "type", "unsafe", "use", "where", "while", "abstract", "become", "box",
        "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield",
    ];
    KEYWORDS.contains(&word)
}

#[cfg(test)]
mod tests {
    use super::snake_case;

    #[test]
    fn sentences_become_snake_case() {
        assert_eq!(
            snake_case("App V1, Proof V2 (custom fuzz)").as_deref(),
            Ok("app_v1_proof_v2_custom_fuzz")
        );
        assert_eq!(snake_case("s2n-tls").as_deref(), Ok("s2n_tls"));
        assert_eq!(
            snake_case("rustlsToOpenssl").as_deref(),
            Ok("rustls_to_openssl")
        );
        assert_eq!(snake_case("3 parts").as_deref(), Ok("case_3_parts"));
    }

    #[test]
    fn unusable_names_are_errors() {
        assert!(snake_case("!!!").is_err());
        assert!(snake_case("Type").is_err());
    }
}
