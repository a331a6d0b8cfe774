//! "Did you mean": the closest known word to one a user typed, for hints. Two strengths: a
//! config's own vocabulary (keys, events, scopes: a short list, so a looser match helps) and names
//! against Salesforce's schema (thousands of fields, so only a close match is offered).

/// The closest candidate to `input` (Jaro-Winkler ≥ 0.8, or a case-insensitive match).
pub fn did_you_mean<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    best(input, candidates, 0.8, false)
}

/// The closest candidate to `name`, for "did you mean": a case-insensitive match first, else the
/// best Jaro-Winkler similarity of at least 0.85 (ties go to the smaller edit distance).
pub fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    best(name, candidates, 0.85, true).map(str::to_string)
}

/// A case-insensitive match, else the candidate most similar to `input` (Jaro-Winkler, at least
/// `min`); between equal scores the first, or with `ties_by_distance` the smaller edit distance.
fn best<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    min: f64,
    ties_by_distance: bool,
) -> Option<&'a str> {
    let lower = input.to_ascii_lowercase();
    let mut best: Option<(&str, f64, usize)> = None;
    for c in candidates {
        if c.eq_ignore_ascii_case(input) {
            return Some(c);
        }
        let cl = c.to_ascii_lowercase();
        let score = strsim::jaro_winkler(&lower, &cl);
        if score < min {
            continue;
        }
        let dist = if ties_by_distance { strsim::damerau_levenshtein(&lower, &cl) } else { 0 };
        let better = match best {
            None => true,
            Some((_, s, _)) if !ties_by_distance => score > s,
            Some((_, s, d)) => score > s + 1e-9 || ((score - s).abs() <= 1e-9 && dist < d),
        };
        if better {
            best = Some((c, score, dist));
        }
    }
    best.map(|(c, _, _)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_and_schema_strengths() {
        let words = ["endpoint", "events", "headers"];
        assert_eq!(did_you_mean("endpiont", words), Some("endpoint"));
        assert_eq!(did_you_mean("ENDPOINT", words), Some("endpoint"));
        assert_eq!(did_you_mean("zzz", words), None);
        let fields = ["LastName", "FirstName", "Email"];
        assert_eq!(closest("lastnam", fields.into_iter()).as_deref(), Some("LastName"));
        assert_eq!(closest("Emial", fields.into_iter()).as_deref(), Some("Email"));
        assert_eq!(closest("Phone", fields.into_iter()), None);
    }
}
