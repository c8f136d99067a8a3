//! "Did you mean …?" — fuzzy matching over the names a user could have meant.

/// Returns the candidate closest to `input`, if one is close enough to be a plausible typo.
pub fn did_you_mean<'a, I>(input: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let input_lower = input.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&input_lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["routine_share", "difficulty", "manuals"];
        assert_eq!(did_you_mean("routine_shar", names), Some("routine_share"));
        assert_eq!(did_you_mean("dificulty", names), Some("difficulty"));
        assert_eq!(did_you_mean("zzz", names), None);
    }
}
