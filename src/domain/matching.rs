//! Telling whether two subject records are the same organisation or person, with a score
//! and a reason an inspector can read ("cùng mã số thuế", "tên gần giống, cùng phường"),
//! and whether an earlier sanction still makes a new violation a repeat offence.
//!
//! Identity goes by the strongest identifier both records have (tax code, personal ID,
//! registration number); names are compared only when identifiers cannot decide, after
//! folding accents and case, unifying the legal-form abbreviations ("Công ty TNHH", "CTY
//! TNHH", "Cty trách nhiệm hữu hạn"), ignoring word order and tolerating small typos.

use chrono::{Months, NaiveDate};

use super::admin::Address;
use super::subject::Subject;
use super::summary::CaseSummary;
use super::text::fold;

/// The legal form written at the front of a name, unified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LegalForm {
    /// Công ty trách nhiệm hữu hạn (TNHH), one or more members.
    Tnhh,
    /// Công ty cổ phần.
    CoPhan,
    /// Công ty hợp danh.
    HopDanh,
    /// Doanh nghiệp tư nhân.
    TuNhan,
    /// Hộ kinh doanh.
    HoKinhDoanh,
    /// Hợp tác xã.
    HopTacXa,
    /// Chi nhánh (a branch) — kept apart so a branch and its parent are told apart by name.
    ChiNhanh,
    /// "Công ty" with no further form.
    CongTy,
}

/// Spellings of legal forms after folding, longest first so "cong ty tnhh" wins over
/// "cong ty". Each is a run of whole words.
const FORMS: &[(&str, LegalForm)] = &[
    ("cong ty trach nhiem huu han", LegalForm::Tnhh),
    ("cty trach nhiem huu han", LegalForm::Tnhh),
    ("cong ty tnhh", LegalForm::Tnhh),
    ("cty tnhh", LegalForm::Tnhh),
    ("ct tnhh", LegalForm::Tnhh),
    ("tnhh", LegalForm::Tnhh),
    ("cong ty co phan", LegalForm::CoPhan),
    ("cty co phan", LegalForm::CoPhan),
    ("cong ty cp", LegalForm::CoPhan),
    ("cty cp", LegalForm::CoPhan),
    ("ctcp", LegalForm::CoPhan),
    ("cong ty hop danh", LegalForm::HopDanh),
    ("doanh nghiep tu nhan", LegalForm::TuNhan),
    ("dntn", LegalForm::TuNhan),
    ("ho kinh doanh ca the", LegalForm::HoKinhDoanh),
    ("ho kinh doanh", LegalForm::HoKinhDoanh),
    ("hkd", LegalForm::HoKinhDoanh),
    ("hop tac xa", LegalForm::HopTacXa),
    ("htx", LegalForm::HopTacXa),
    ("chi nhanh", LegalForm::ChiNhanh),
    ("cong ty", LegalForm::CongTy),
    ("cty", LegalForm::CongTy),
];

/// A name reduced for matching: its legal form and its other words, folded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameKey {
    pub forms: Vec<LegalForm>,
    pub words: Vec<String>,
}

impl NameKey {
    pub fn of(name: &str) -> NameKey {
        NameKey::of_folded(&fold(name))
    }

    /// The key of a name already folded ([`fold`]).
    pub fn of_folded(folded: &str) -> NameKey {
        let cleaned: String = folded.chars().map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect();
        let words: Vec<&str> = cleaned.split_whitespace().collect();
        static SPLIT_FORMS: std::sync::LazyLock<Vec<(Vec<&'static str>, LegalForm)>> =
            std::sync::LazyLock::new(|| FORMS.iter().map(|(s, f)| (s.split(' ').collect(), *f)).collect());
        let mut forms = Vec::new();
        let mut rest = Vec::new();
        let mut i = 0;
        'words: while i < words.len() {
            for (parts, form) in SPLIT_FORMS.iter() {
                // A typo in a long word of the form ("doanh ngiep tu nhan") still reads as it.
                let alike = words.len() - i >= parts.len()
                    && parts.iter().zip(&words[i..]).all(|(p, w)| {
                        p == w || (p.as_bytes().first() == w.as_bytes().first() && word_similarity(p, w) > 0.0)
                    });
                if alike {
                    forms.push(*form);
                    i += parts.len();
                    continue 'words;
                }
            }
            rest.push(words[i].to_string());
            i += 1;
        }
        // "Công ty" said alone adds nothing when a fuller form is there.
        if forms.len() > 1 {
            forms.retain(|f| *f != LegalForm::CongTy);
        }
        forms.sort_by_key(|f| *f as u8);
        forms.dedup();
        NameKey { forms, words: rest }
    }

    /// The legal forms as a set of bits, one per [`LegalForm`] (equal sets, equal bits).
    pub fn form_bits(&self) -> u16 {
        self.forms.iter().fold(0, |bits, form| bits | 1 << (*form as u8))
    }
}

/// Levenshtein distance between two short words (by characters).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// How alike two words are, 0 to 1: equal 1; one typo in a word of 5 or more letters, or
/// two in one of 9 or more, 0.8; otherwise 0.
fn word_similarity(a: &str, b: &str) -> f32 {
    if a == b {
        return 1.0;
    }
    let (la, lb) = (a.chars().count(), b.chars().count());
    let longest = la.max(lb);
    let allowed = match longest {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    };
    if la.abs_diff(lb) <= allowed && allowed > 0 && edit_distance(a, b) <= allowed { 0.8 } else { 0.0 }
}

/// How alike two names are, 0 to 1, whatever the word order: each word of the shorter
/// name is paired with its best unused partner in the other; the score is the share of
/// both names' words that paired (Dice), times a penalty when the legal forms differ.
pub fn name_similarity(a: &NameKey, b: &NameKey) -> f32 {
    words_similarity(&a.words, a.form_bits(), &b.words, b.form_bits())
}

/// [`name_similarity`] of two names given as their words and their legal forms' bits
/// ([`NameKey::form_bits`]): how an index keeps them.
pub fn words_similarity<A: AsRef<str>, B: AsRef<str>>(a: &[A], a_forms: u16, b: &[B], b_forms: u16) -> f32 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let paired = if a.len() <= b.len() { paired_words(a, b) } else { paired_words(b, a) };
    let dice = 2.0 * paired / (a.len() + b.len()) as f32;
    let forms_differ = a_forms != 0 && b_forms != 0 && a_forms != b_forms;
    if forms_differ { dice * 0.6 } else { dice }
}

/// The sum of the scores of each word of `short` paired with its best unused partner in `long`.
fn paired_words<S: AsRef<str>, L: AsRef<str>>(short: &[S], long: &[L]) -> f32 {
    let mut used = vec![false; long.len()];
    let mut total = 0.0;
    for word in short {
        let best = long
            .iter()
            .enumerate()
            .filter(|(j, _)| !used[*j])
            .map(|(j, other)| (j, word_similarity(word.as_ref(), other.as_ref())))
            .max_by(|x, y| x.1.total_cmp(&y.1));
        if let Some((j, score)) = best.filter(|(_, s)| *s > 0.0) {
            used[j] = true;
            total += score;
        }
    }
    total
}

/// An identifier with spaces, dots and dashes removed, letters upper case.
pub fn normalise_identifier(raw: &str) -> String {
    raw.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect()
}

/// What matching reads of a subject record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubjectFacts {
    pub name: String,
    pub tax_code: Option<String>,
    pub personal_id: Option<String>,
    pub registration_number: Option<String>,
    /// Admin unit codes of the address, when known.
    pub province: Option<u16>,
    pub commune: Option<u32>,
}

impl SubjectFacts {
    /// What matching reads of a case's subject.
    pub fn of(subject: &Subject) -> SubjectFacts {
        let (province, commune) = match &subject.address {
            Address::Coded { province_code, commune_code, .. } => (Some(*province_code), Some(*commune_code)),
            Address::Legacy { .. } => (None, None),
        };
        SubjectFacts {
            name: subject.name.clone(),
            tax_code: subject.tax_code.as_ref().map(|t| t.as_str().to_string()),
            personal_id: subject
                .personal_id
                .as_ref()
                .map(|p| p.as_str().to_string())
                .or(subject.old_id_card.as_ref().map(|c| c.as_str().to_string())),
            registration_number: subject.registration_number.clone(),
            province,
            commune,
        }
    }

    /// What matching reads of a case-list row (its identifier's kind told by its shape).
    pub fn of_summary(summary: &CaseSummary) -> SubjectFacts {
        SubjectFacts {
            province: summary.subject_province,
            commune: summary.subject_commune,
            ..SubjectFacts::from_identifier(&summary.subject_name, summary.subject_identifier.as_deref())
        }
    }

    /// A name and one identifier of unknown kind: 10 or 13 digits is a tax code, 9 or 12
    /// digits a personal ID (old or new card), anything else a registration number.
    pub fn from_identifier(name: &str, identifier: Option<&str>) -> SubjectFacts {
        let id = identifier.map(normalise_identifier).filter(|s| !s.is_empty());
        let digits = id.as_deref().is_some_and(|s| s.bytes().all(|b| b.is_ascii_digit()));
        let mut facts = SubjectFacts { name: name.to_string(), ..Default::default() };
        match (id, digits) {
            (Some(s), true) if s.len() == 10 || s.len() == 13 => facts.tax_code = Some(s),
            (Some(s), true) if s.len() == 12 || s.len() == 9 => facts.personal_id = Some(s),
            (Some(s), _) => facts.registration_number = Some(s),
            (None, _) => {}
        }
        facts
    }
}

/// A subject's stable key (kept when two subjects are merged): its identifier (a branch's
/// 13-digit tax code by its 10-digit parent), or without one its legal forms, its folded
/// name words in order and its commune.
pub fn subject_key(name: &str, identifier: Option<&str>, commune: Option<u32>) -> String {
    match identifier.map(normalise_identifier).filter(|s| !s.is_empty()) {
        Some(id) if id.len() == 13 && id.bytes().all(|b| b.is_ascii_digit()) => format!("id:{}", &id[..10]),
        Some(id) => format!("id:{id}"),
        None => {
            let key = NameKey::of(name);
            let mut words = key.words;
            words.sort();
            let forms: Vec<String> = key.forms.iter().map(|f| (*f as u8).to_string()).collect();
            format!(
                "ten:{}:{}:{}",
                forms.join(","),
                words.join(" "),
                commune.map(|c| c.to_string()).unwrap_or_default()
            )
        }
    }
}

/// A provision as compared: accents, case, punctuation and spacing ignored, so "điểm a
/// khoản 1 Điều 10" and "Điểm a, khoản 1, điều 10" are the same provision.
pub fn provision_key(provision: &str) -> String {
    fold(provision).split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Whether two recorded acts are the same act, as a repeat offence asks ("lặp lại hành vi
/// vi phạm"): when both were chosen from the catalogue of violations, by the catalogue's
/// act — the same act whatever the tier its goods put it in —; otherwise by the provision
/// cited.
pub fn same_act(a_provision: &str, a_acts: &[String], b_provision: &str, b_acts: &[String]) -> bool {
    if !a_acts.is_empty() && !b_acts.is_empty() {
        a_acts.iter().any(|a| b_acts.contains(a))
    } else {
        provision_key(a_provision) == provision_key(b_provision)
    }
}

/// Why two records are thought to be the same subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchReason {
    SameTaxCode,
    /// One is a branch (13-digit code) of the other, or both of the same parent.
    SameParentTaxCode,
    SamePersonalId,
    SameRegistrationNumber,
    /// Names alike (score ≥ 0.85) and the same commune.
    SimilarNameSameCommune,
    /// Names the same after folding, same province, no commune to compare.
    SameNameSameProvince,
    /// A leader recorded that the two records are the same subject.
    Merged,
}

impl MatchReason {
    pub fn vi(self) -> &'static str {
        match self {
            MatchReason::SameTaxCode => "cùng mã số thuế",
            MatchReason::SameParentTaxCode => "cùng doanh nghiệp (chi nhánh và trụ sở chính)",
            MatchReason::SamePersonalId => "cùng số định danh cá nhân",
            MatchReason::SameRegistrationNumber => "cùng số đăng ký kinh doanh",
            MatchReason::SimilarNameSameCommune => "tên gần giống, cùng phường/xã",
            MatchReason::SameNameSameProvince => "trùng tên, cùng tỉnh",
            MatchReason::Merged => "đã gộp là cùng đối tượng",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            MatchReason::SameTaxCode => "same tax code",
            MatchReason::SameParentTaxCode => "same enterprise (branch and head office)",
            MatchReason::SamePersonalId => "same personal ID",
            MatchReason::SameRegistrationNumber => "same business registration number",
            MatchReason::SimilarNameSameCommune => "similar name, same commune",
            MatchReason::SameNameSameProvince => "same name, same province",
            MatchReason::Merged => "merged as the same subject",
        }
    }
}

/// A likely match: how sure (0 to 1) and why.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match {
    pub score: f32,
    pub reason: MatchReason,
}

/// Names at least this alike count as "gần giống".
pub const SIMILAR_NAME: f32 = 0.85;

/// Whether `a` and `b` are likely the same subject. Identifiers decide when both records
/// have one of the same kind: equal is a match, different is not, whatever the names.
pub fn compare(a: &SubjectFacts, b: &SubjectFacts) -> Option<Match> {
    compare_keyed(a, &NameKey::of(&a.name), b, &NameKey::of(&b.name))
}

/// [`compare`] with the names' keys made beforehand.
pub fn compare_keyed(a: &SubjectFacts, a_key: &NameKey, b: &SubjectFacts, b_key: &NameKey) -> Option<Match> {
    compare_with(a, b, || name_similarity(a_key, b_key))
}

/// [`compare`] with the names' similarity told by `similarity` (an index keeps the names'
/// words its own way), asked only when the identifiers leave the question open.
pub fn compare_with(a: &SubjectFacts, b: &SubjectFacts, similarity: impl FnOnce() -> f32) -> Option<Match> {
    let norm = |v: &Option<String>| v.as_deref().map(normalise_identifier).filter(|s| !s.is_empty());
    // A registration number that is the other record's tax code is one number: an
    // enterprise's certificate carries its enterprise code, which is its tax code, and a
    // record kept by one identifier reads a ten-digit one back as a tax code.
    let one_number = |r: &Option<String>, t: &Option<String>| norm(r).is_some_and(|r| norm(t) == Some(r));
    if one_number(&a.registration_number, &b.tax_code) || one_number(&b.registration_number, &a.tax_code) {
        return Some(Match { score: 0.95, reason: MatchReason::SameRegistrationNumber });
    }
    if let (Some(x), Some(y)) = (norm(&a.tax_code), norm(&b.tax_code)) {
        if x == y {
            return Some(Match { score: 1.0, reason: MatchReason::SameTaxCode });
        }
        let parent = |s: &str| s.get(..10).map(str::to_string);
        if x.len() >= 10 && y.len() >= 10 && parent(&x) == parent(&y) {
            return Some(Match { score: 0.9, reason: MatchReason::SameParentTaxCode });
        }
        return None;
    }
    if let (Some(x), Some(y)) = (norm(&a.personal_id), norm(&b.personal_id)) {
        return (x == y).then_some(Match { score: 1.0, reason: MatchReason::SamePersonalId });
    }
    if let (Some(x), Some(y)) = (norm(&a.registration_number), norm(&b.registration_number)) {
        return (x == y).then_some(Match { score: 0.95, reason: MatchReason::SameRegistrationNumber });
    }
    let similarity = similarity();
    match (a.commune, b.commune) {
        (Some(x), Some(y)) if x == y && similarity >= SIMILAR_NAME => {
            Some(Match { score: 0.6 + 0.3 * similarity, reason: MatchReason::SimilarNameSameCommune })
        }
        (Some(_), Some(_)) => None,
        _ if a.province.is_some() && a.province == b.province && similarity >= 0.999 => {
            Some(Match { score: 0.6, reason: MatchReason::SameNameSameProvince })
        }
        _ => None,
    }
}

/// The last day on which a sanction carried out on `carried_out` still makes a new
/// violation a repeat offence (tái phạm): one year later, six months for a warning. A
/// period in months ends on the same day of the month (the last day of a shorter month).
pub fn repeat_window_end(carried_out: NaiveDate, warning_only: bool) -> NaiveDate {
    let months = if warning_only { 6 } else { 12 };
    carried_out.checked_add_months(Months::new(months)).expect("dates stay in range")
}

/// Whether a violation on `violation_on` repeats an offence sanctioned (and carried out) on
/// `carried_out` for the same act.
pub fn is_repeat(carried_out: NaiveDate, warning_only: bool, violation_on: NaiveDate) -> bool {
    violation_on > carried_out && violation_on <= repeat_window_end(carried_out, warning_only)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(name: &str, tax: Option<&str>, commune: Option<u32>, province: u16) -> SubjectFacts {
        SubjectFacts {
            name: name.into(),
            tax_code: tax.map(Into::into),
            commune,
            province: Some(province),
            ..Default::default()
        }
    }

    #[test]
    fn legal_forms_are_unified_and_words_kept() {
        for spelling in [
            "Công ty TNHH Thương mại Đại Phát",
            "CTY TNHH THƯƠNG MẠI ĐẠI PHÁT",
            "Cty trách nhiệm hữu hạn thương mại Đại Phát",
            "Công ty trách nhiệm hữu hạn Thương mại Đại Phát",
        ] {
            let key = NameKey::of(spelling);
            assert_eq!(key.forms, [LegalForm::Tnhh], "{spelling}");
            assert_eq!(key.words, ["thuong", "mai", "dai", "phat"], "{spelling}");
        }
        assert_eq!(NameKey::of("HKD Nguyễn Văn An").forms, [LegalForm::HoKinhDoanh]);
        assert_eq!(NameKey::of("Hộ kinh doanh Nguyễn Văn An").words, ["nguyen", "van", "an"]);
    }

    /// A number typed as the registration number is the same subject as a record holding it
    /// as its tax code, and the other way round; another number is not.
    #[test]
    fn a_registration_number_that_is_the_other_records_tax_code_matches() {
        let recorded = org("Công ty TNHH Ánh Dương", Some("0103000123"), Some(4321), 20);
        let typed = SubjectFacts {
            registration_number: Some("0103 000 123".into()),
            ..org("Cty Ánh Dương", None, Some(1), 20)
        };
        let reason = |a: &SubjectFacts, b: &SubjectFacts| compare(a, b).map(|m| m.reason);
        assert_eq!(reason(&typed, &recorded), Some(MatchReason::SameRegistrationNumber));
        assert_eq!(reason(&recorded, &typed), Some(MatchReason::SameRegistrationNumber));
        let other = SubjectFacts { registration_number: Some("0103000999".into()), ..typed.clone() };
        assert_eq!(reason(&other, &recorded), None);
    }

    /// (a, b, should match, why) — the table the issue asks for.
    #[test]
    fn the_matching_table() {
        let dai_phat = org("Công ty TNHH Thương mại Đại Phát", Some("4922302780"), Some(4321), 20);
        let cases: Vec<(SubjectFacts, SubjectFacts, Option<MatchReason>, &str)> = vec![
            (
                dai_phat.clone(),
                org("CTY TNHH TM DAI PHAT", Some("492 230 2780"), None, 20),
                Some(MatchReason::SameTaxCode),
                "same tax code written with spaces",
            ),
            (
                dai_phat.clone(),
                org("Chi nhánh Công ty TNHH Thương mại Đại Phát", Some("4922302780-001"), Some(9999), 1),
                Some(MatchReason::SameParentTaxCode),
                "a branch and its parent",
            ),
            (
                dai_phat.clone(),
                org("Công ty TNHH Thương mại Đại Phát", Some("0101234567"), Some(4321), 20),
                None,
                "same name, different tax code: different companies",
            ),
            (
                org("Công ty TNHH Thương mại Đại Phát", None, Some(4321), 20),
                org("Cty trach nhiem huu han Dai Phat Thuong mai", None, Some(4321), 20),
                Some(MatchReason::SimilarNameSameCommune),
                "no accents, word order, same commune",
            ),
            (
                org("Công ty TNHH Thương mại Đại Phát", None, Some(4321), 20),
                org("Công ty TNHH Thương mại Đại Phat", None, Some(4321), 20),
                Some(MatchReason::SimilarNameSameCommune),
                "a missing accent",
            ),
            (
                org("Công ty TNHH Thương mại Đại Phát", None, Some(4321), 20),
                org("Công ty TNHH Thuong mại Đai Phát", None, Some(4321), 20),
                Some(MatchReason::SimilarNameSameCommune),
                "typed without some accents",
            ),
            (
                org("Công ty TNHH Thương mại Đại Phát", None, Some(4321), 20),
                org("Công ty TNHH Thương mại Đại Phát", None, Some(7777), 30),
                None,
                "similar names in different provinces",
            ),
            (
                org("Công ty TNHH Thương mại Đại Phát", None, Some(4321), 20),
                org("Công ty Cổ phần Thương mại Đại Phát", None, Some(4321), 20),
                None,
                "TNHH and cổ phần are different companies",
            ),
            (
                org("Công ty TNHH Thương mại Đại Phát", None, Some(4321), 20),
                org("Công ty TNHH Thương mại Đại Thành", None, Some(4321), 20),
                None,
                "one word differs entirely",
            ),
            (
                org("Hộ kinh doanh Nguyễn Văn An", None, Some(10), 20),
                org("HKD Nguyen Van An", None, Some(10), 20),
                Some(MatchReason::SimilarNameSameCommune),
                "household business abbreviation",
            ),
            (
                org("Hộ kinh doanh Nguyễn Văn An", None, None, 20),
                org("Hộ kinh doanh Nguyễn Văn Anh", None, None, 20),
                None,
                "An and Anh are different people",
            ),
            (
                org("Doanh nghiệp tư nhân Thương mại Hoàng Long", None, Some(55), 20),
                org("DOANH NGIEP TU NHAN THUONG MAI HOANG LONG", None, Some(55), 20),
                Some(MatchReason::SimilarNameSameCommune),
                "a typo inside the legal form",
            ),
            (
                org("Công ty TNHH Thương mại Hoàng Long", None, Some(55), 20),
                org("Công ty TNHH Thương mại Hoàng Long", None, Some(56), 20),
                None,
                "same name, another commune of the same province: not told by name alone",
            ),
            (
                org("Nguyễn Văn An", None, None, 20),
                org("Nguyen Van An", None, None, 20),
                Some(MatchReason::SameNameSameProvince),
                "a person without accents, no commune known",
            ),
        ];
        for (a, b, expected, why) in cases {
            let got = compare(&a, &b).map(|m| m.reason);
            assert_eq!(got, expected, "{why}: {} ~ {}", a.name, b.name);
            assert_eq!(compare(&b, &a).map(|m| m.reason), expected, "{why} (reversed)");
        }
    }

    #[test]
    fn provisions_compare_without_accents_punctuation_or_case() {
        assert_eq!(
            provision_key("Điểm a, khoản 1, Điều 10 Nghị định 98/2020/NĐ-CP"),
            provision_key("điểm a khoản 1 điều 10 nghị định 98 2020 nđ cp")
        );
        assert_ne!(provision_key("điểm a khoản 1 Điều 10"), provision_key("điểm b khoản 1 Điều 10"));
    }

    #[test]
    fn an_identifier_of_unknown_kind_is_told_by_its_shape() {
        let f = |id| SubjectFacts::from_identifier("x", Some(id));
        assert_eq!(f("4922302780-001").tax_code.as_deref(), Some("4922302780001"));
        assert_eq!(f("001090012345").personal_id.as_deref(), Some("001090012345"));
        assert_eq!(f("14A8001234").registration_number.as_deref(), Some("14A8001234"));
    }

    #[test]
    fn decomposed_input_matches_composed() {
        use unicode_normalization::UnicodeNormalization;
        let nfd: String = "Công ty TNHH Thương mại Đại Phát".nfd().collect();
        assert_eq!(NameKey::of(&nfd), NameKey::of("Công ty TNHH Thương mại Đại Phát"));
        let person = |id: &str| SubjectFacts { name: "x".into(), personal_id: Some(id.into()), ..Default::default() };
        assert_eq!(
            compare(&person("001 090 012 345"), &person("001090012345")).map(|m| m.reason),
            Some(MatchReason::SamePersonalId)
        );
    }

    #[test]
    fn the_repeat_window_at_its_edges() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let carried_out = d(2025, 3, 10);
        assert_eq!(repeat_window_end(carried_out, false), d(2026, 3, 10));
        assert!(is_repeat(carried_out, false, d(2026, 3, 10)), "the last day is inside");
        assert!(!is_repeat(carried_out, false, d(2026, 3, 11)), "the day after is outside");
        assert!(is_repeat(carried_out, true, d(2025, 9, 10)), "six months for a warning, last day inside");
        assert!(!is_repeat(carried_out, true, d(2025, 9, 11)));
        assert!(!is_repeat(carried_out, false, carried_out), "not before it was carried out");
        assert_eq!(repeat_window_end(d(2024, 2, 29), false), d(2025, 2, 28), "29 February");
        assert_eq!(repeat_window_end(d(2025, 8, 31), true), d(2026, 2, 28), "a shorter month");
    }
}
