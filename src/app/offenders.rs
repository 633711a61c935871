//! The province's offender index in memory, searchable offline: exact lookup by identifier
//! (a branch's 13-digit tax code finds its parent's entries too) and fuzzy lookup by name
//! through [`crate::domain::matching`]. Built for a million entries: identifiers in a hash
//! map; names through an inverted index of (province, word), reading only the postings of
//! the query's two rarest words in its province (a name alike enough to match shares at
//! least one of them, and names match only within a province).
//!
//! Also a generator of realistic entries (Vietnamese company and person names, real admin
//! units) for the benchmark and the tests.

use std::collections::HashMap;

use crate::domain::AdminUnits;
use crate::domain::matching::{Match, NameKey, SubjectFacts, compare_keyed, normalise_identifier};
use crate::protocol::{EntryKind, OffenderEntry};

/// The index, ready for lookups.
#[derive(Debug, Default)]
pub struct OffenderLookup {
    entries: Vec<OffenderEntry>,
    /// Each entry's name key (legal forms and folded words), made once.
    keys: Vec<NameKey>,
    /// Normalised identifier (and, for tax codes, the 10-digit parent) → entries.
    by_identifier: HashMap<Box<str>, Vec<u32>>,
    /// (province, folded name word) → entries of that province whose name has it. A name
    /// alone matches only within a province (same commune, or same name in the province).
    by_word: HashMap<(u16, Box<str>), Vec<u32>>,
}

impl OffenderLookup {
    pub fn new(entries: Vec<OffenderEntry>) -> OffenderLookup {
        OffenderLookup::build(entries, |_| {})
    }

    /// Builds the index, telling `progress` the share done (0 to 1) every 1 % or so.
    pub fn build(entries: Vec<OffenderEntry>, progress: impl Fn(f32)) -> OffenderLookup {
        let mut lookup = OffenderLookup {
            by_identifier: HashMap::with_capacity(entries.len()),
            keys: Vec::with_capacity(entries.len()),
            ..Default::default()
        };
        let step = (entries.len() / 100).max(1);
        for (i, entry) in entries.iter().enumerate() {
            if i % step == 0 {
                progress(i as f32 / entries.len() as f32);
            }
            let i = i as u32;
            if let Some(id) = entry.identifier.as_deref().map(normalise_identifier).filter(|s| !s.is_empty()) {
                if id.len() == 13 && id.bytes().all(|b| b.is_ascii_digit()) {
                    lookup.by_identifier.entry(id[..10].into()).or_default().push(i);
                }
                lookup.by_identifier.entry(id.into()).or_default().push(i);
            }
            let key = NameKey::of(&entry.name);
            if let Some(province) = entry.province {
                let mut words: Vec<&String> = key.words.iter().collect();
                words.sort();
                words.dedup();
                for word in words {
                    match lookup.by_word.get_mut(&(province, word.as_str().into())) {
                        Some(postings) => postings.push(i),
                        None => {
                            lookup.by_word.insert((province, word.as_str().into()), vec![i]);
                        }
                    }
                }
            }
            lookup.keys.push(key);
        }
        lookup.entries = entries;
        lookup.by_identifier.shrink_to_fit();
        lookup.by_word.values_mut().for_each(Vec::shrink_to_fit);
        progress(1.0);
        lookup
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn entries(&self) -> &[OffenderEntry] {
        &self.entries
    }

    /// Entries with this identifier (spaces and dashes ignored); a 13-digit tax code also
    /// finds its 10-digit parent's entries, and a parent finds its branches'.
    pub fn by_identifier(&self, identifier: &str) -> Vec<&OffenderEntry> {
        let id = normalise_identifier(identifier);
        let mut found: Vec<u32> = self.by_identifier.get(id.as_str()).cloned().unwrap_or_default();
        if id.len() == 13 && id.bytes().all(|b| b.is_ascii_digit()) {
            found.extend(self.by_identifier.get(&id[..10]).into_iter().flatten());
        }
        found.sort_unstable();
        found.dedup();
        found.into_iter().map(|i| &self.entries[i as usize]).collect()
    }

    /// Entries likely of the same subject as `facts`, best first, with why.
    pub fn matches(&self, facts: &SubjectFacts) -> Vec<(Match, &OffenderEntry)> {
        let mut candidates: Vec<u32> = Vec::new();
        for id in [&facts.tax_code, &facts.personal_id, &facts.registration_number].into_iter().flatten() {
            let id = normalise_identifier(id);
            candidates.extend(self.by_identifier.get(id.as_str()).into_iter().flatten());
            if id.len() >= 10 && id.bytes().all(|b| b.is_ascii_digit()) {
                candidates.extend(self.by_identifier.get(&id[..10]).into_iter().flatten());
            }
        }
        let key = NameKey::of(&facts.name);
        let province = facts.province.unwrap_or(u16::MAX);
        let mut words: Vec<(usize, &Vec<u32>)> = key
            .words
            .iter()
            .filter_map(|w| self.by_word.get(&(province, w.as_str().into())))
            .map(|postings| (postings.len(), postings))
            .collect();
        words.sort_by_key(|(n, _)| *n);
        for (_, postings) in words.iter().take(2) {
            candidates.extend(postings.iter());
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut found: Vec<(Match, &OffenderEntry)> = candidates
            .into_iter()
            .filter_map(|i| {
                let entry = &self.entries[i as usize];
                let other = SubjectFacts {
                    province: entry.province,
                    commune: entry.commune,
                    ..SubjectFacts::from_identifier("", entry.identifier.as_deref())
                };
                compare_keyed(facts, &key, &other, &self.keys[i as usize]).map(|m| (m, entry))
            })
            .collect();
        found.sort_by(|a, b| b.0.score.total_cmp(&a.0.score));
        found
    }
}

const FAMILY: &[&str] = &[
    "Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Lê", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
    "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đào", "Đoàn", "Vương", "Trịnh", "Trương", "Lâm", "Mai", "Tạ", "Cao",
    "Lương", "Nông", "Triệu", "Hà", "Tô", "Quách",
];
const MIDDLE: &[&str] =
    &["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Thu", "Kim", "Xuân", "Hoàng", "Gia", "Bảo", "Thế"];
const GIVEN: &[&str] = &[
    "An", "Anh", "Bình", "Châu", "Chi", "Cường", "Dũng", "Dương", "Đạt", "Giang", "Hà", "Hải", "Hạnh", "Hằng", "Hiếu",
    "Hoa", "Hòa", "Hùng", "Hương", "Hường", "Khánh", "Khoa", "Lan", "Linh", "Loan", "Long", "Lộc", "Mai", "Minh",
    "Nam", "Nga", "Ngân", "Nhung", "Phong", "Phúc", "Phương", "Quang", "Quân", "Sơn", "Tâm", "Thắng", "Thảo", "Thủy",
    "Tiến", "Trang", "Trung", "Tuấn", "Vân", "Việt", "Yến",
];
const SYLLABLES: &[&str] = &[
    "Đại",
    "Phát",
    "Hưng",
    "Thịnh",
    "An",
    "Khang",
    "Phú",
    "Quý",
    "Tân",
    "Thành",
    "Hoàng",
    "Long",
    "Minh",
    "Việt",
    "Nam",
    "Bắc",
    "Đông",
    "Tây",
    "Sơn",
    "Hà",
    "Hải",
    "Bình",
    "Phúc",
    "Lộc",
    "Thọ",
    "Trường",
    "Gia",
    "Kim",
    "Ngọc",
    "Bảo",
    "Thái",
    "Dương",
    "Trung",
    "Tín",
    "Nghĩa",
    "Đức",
    "Toàn",
    "Cầu",
    "Hòa",
    "Vạn",
    "Xuân",
    "Thuận",
    "Lợi",
    "Hợp",
    "Nhất",
    "Quang",
    "Huy",
    "Hồng",
    "Lam",
    "Thiên",
];
const TRADES: &[&str] = &[
    "Thương mại",
    "Thương mại và Dịch vụ",
    "Xuất nhập khẩu",
    "Sản xuất và Thương mại",
    "Đầu tư",
    "Dược phẩm",
    "Thực phẩm",
    "Mỹ phẩm",
    "Vật tư Nông nghiệp",
    "Xăng dầu",
];
const FORMS: &[&str] = &["Công ty TNHH", "Công ty Cổ phần", "Doanh nghiệp tư nhân", "Hộ kinh doanh"];

/// `count` plausible index entries: one in three an organisation with a tax code (some
/// branches), the rest household businesses and individuals with 12-digit personal IDs,
/// spread over the real communes of `units`.
pub fn synthetic(count: usize, seed: u64, units: &AdminUnits) -> Vec<OffenderEntry> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let communes: Vec<(u16, u32)> =
        units.provinces().iter().flat_map(|p| units.communes_of(p.code).map(move |c| (p.code, c.code))).collect();
    let pick = |rng: &mut fastrand::Rng, list: &[&'static str]| list[rng.usize(..list.len())];
    let start = chrono::NaiveDate::from_ymd_opt(2022, 1, 1).expect("valid date");
    (0..count)
        .map(|i| {
            let (province, commune) = communes[rng.usize(..communes.len())];
            let (name, identifier) = match rng.u8(..3) {
                0 => {
                    let form = pick(&mut rng, FORMS);
                    let brand = format!("{} {}", pick(&mut rng, SYLLABLES), pick(&mut rng, SYLLABLES));
                    let trade = pick(&mut rng, TRADES);
                    let code = format!("{:010}", rng.u64(100_000_000..9_999_999_999));
                    let code = if rng.u8(..10) == 0 { format!("{code}-{:03}", rng.u16(1..20)) } else { code };
                    (format!("{form} {trade} {brand}"), code)
                }
                1 => {
                    let person =
                        format!("{} {} {}", pick(&mut rng, FAMILY), pick(&mut rng, MIDDLE), pick(&mut rng, GIVEN));
                    (format!("Hộ kinh doanh {person}"), format!("{:03}{:09}", province, rng.u64(..1_000_000_000)))
                }
                _ => {
                    let person =
                        format!("{} {} {}", pick(&mut rng, FAMILY), pick(&mut rng, MIDDLE), pick(&mut rng, GIVEN));
                    (person, format!("{:03}{:09}", province, rng.u64(..1_000_000_000)))
                }
            };
            OffenderEntry {
                identifier: Some(identifier),
                folded_name: crate::domain::text::fold(&name),
                name,
                province: Some(province),
                commune: Some(commune),
                team_id: format!("T{:02}-D{}", province, rng.u8(1..6)),
                case_id: uuid::Uuid::from_u128(i as u128 + 1),
                act: "Kinh doanh hàng giả".into(),
                provision: "điểm a khoản 1 Điều 9 Nghị định 98/2020/NĐ-CP".into(),
                decided_on: start + chrono::Duration::days(rng.i64(0..1500)),
                fine_vnd: Some(rng.u64(1..100) * 1_000_000),
                kind: EntryKind::Sanction,
                unit: None,
                decision: None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::matching::MatchReason;

    fn units() -> AdminUnits {
        crate::app::Reference::embedded().admin_units
    }

    #[test]
    fn planted_subjects_are_found_by_identifier_and_by_a_name_typed_differently() {
        let mut entries = synthetic(20_000, 3, &units());
        let commune = entries[0].commune;
        let mut planted = entries[0].clone();
        planted.name = "Công ty TNHH Thương mại Quang Thiên Lộc".into();
        planted.identifier = Some("4922302780-002".into());
        entries.push(planted.clone());
        let lookup = OffenderLookup::new(entries);

        let by_parent = lookup.by_identifier("492 230 2780");
        assert!(by_parent.iter().any(|e| e.name == planted.name), "a branch is found from its parent");
        assert_eq!(lookup.by_identifier("4922302780-002").len(), 1);

        let typed = SubjectFacts {
            name: "CTY TNHH THUONG MAI QUANG THIEN LOC".into(),
            commune,
            province: planted.province,
            ..Default::default()
        };
        let found = lookup.matches(&typed);
        assert_eq!(
            found.first().map(|(m, e)| (m.reason, e.name.as_str())),
            Some((MatchReason::SimilarNameSameCommune, planted.name.as_str()))
        );

        let elsewhere = SubjectFacts { commune: Some(u32::MAX), ..typed };
        assert!(lookup.matches(&elsewhere).iter().all(|(_, e)| e.name != planted.name), "not in another commune");
    }
}
