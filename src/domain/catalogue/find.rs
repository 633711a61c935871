//! Finding acts by what an inspector types: words of the act or the article's title, with or
//! without accents, in any order; "điều 15" (or "dieu 15", "Đ15") for an article; an id
//! ("ND98-15-1-b").

use chrono::NaiveDate;

use super::{ActRef, Catalogue};
use crate::domain::text::fold;

/// The acts in force on `on` matching `query`, in the decree's order (all of them for an
/// empty query).
pub fn find<'a>(catalogue: &'a Catalogue, query: &str, on: NaiveDate) -> Vec<ActRef<'a>> {
    let acts = catalogue.acts_on(on);
    if let Some((act, _)) = catalogue.act(query.trim(), on) {
        return vec![act];
    }
    let folded = fold(query);
    let mut words: Vec<&str> = folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    // "điều 15" / "dieu 15" / "đ15" / "d15": the article.
    let mut article: Option<String> = None;
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if (w == "dieu" || w == "d") && i + 1 < words.len() && words[i + 1].starts_with(|c: char| c.is_ascii_digit()) {
            article = Some(words[i + 1].to_string());
            words.drain(i..i + 2);
        } else if let Some(n) = w.strip_prefix('d').filter(|n| n.starts_with(|c: char| c.is_ascii_digit())) {
            article = Some(n.to_string());
            words.remove(i);
        } else {
            i += 1;
        }
    }
    let in_article: Vec<ActRef<'a>> = acts
        .into_iter()
        .filter(|a| article.as_ref().is_none_or(|n| a.article.article.eq_ignore_ascii_case(n)))
        .collect();
    // The act's own words first; the article's title only when they find nothing.
    let by_act: Vec<ActRef<'a>> =
        in_article.iter().copied().filter(|a| has_folded_words(&words, &a.act.folded)).collect();
    if !by_act.is_empty() || words.is_empty() {
        return by_act;
    }
    in_article.into_iter().filter(|a| has_words(&words, &format!("{} {}", a.act.text, a.title()))).collect()
}

/// Whether every word typed starts a word of `text` (folded).
fn has_words(words: &[&str], text: &str) -> bool {
    has_folded_words(words, &fold(text))
}

/// Whether every word typed starts a word of `hay`, already folded.
fn has_folded_words(words: &[&str], hay: &str) -> bool {
    // Searched once per act of the catalogue: the words of `hay` are walked, not collected.
    words.iter().all(|w| hay.split(|c: char| !c.is_alphanumeric()).any(|h| !h.is_empty() && h.starts_with(w)))
}
