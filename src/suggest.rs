//! "Did you mean": the closest known word to one a user typed, for hints. Two strengths: a
//! config's own vocabulary (keys, events, scopes: a short list, so a looser match helps) and names
//! against Salesforce's schema (thousands of fields, so only a close match is offered).

/// The closest candidate to `input` (Jaro-Winkler ≥ 0.8, or a case-insensitive match).
pub fn did_you_mean<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(&str, f64)> = None;
    for c in candidates {
        if c.eq_ignore_ascii_case(input) {
            return Some(c);
        }
        let score = strsim::jaro_winkler(&input.to_ascii_lowercase(), &c.to_ascii_lowercase());
        if score >= 0.8 && best.is_none_or(|(_, s)| score > s) {
            best = Some((c, score));
        }
    }
    best.map(|(c, _)| c)
}

/// The closest candidate to `name`, for "did you mean": a case-insensitive match first, else the
/// best Jaro-Winkler similarity of at least 0.85 (ties go to the smaller edit distance).
pub fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    let mut best: Option<(&str, f64, usize)> = None;
    for c in candidates {
        if c.eq_ignore_ascii_case(name) {
            return Some(c.to_string());
        }
        let cl = c.to_ascii_lowercase();
        let score = strsim::jaro_winkler(&lower, &cl);
        if score < 0.85 {
            continue;
        }
        let dist = strsim::damerau_levenshtein(&lower, &cl);
        let better = match best {
            None => true,
            Some((_, s, d)) => score > s + 1e-9 || ((score - s).abs() <= 1e-9 && dist < d),
        };
        if better {
            best = Some((c, score, dist));
        }
    }
    best.map(|(c, _, _)| c.to_string())
}
