//! The look-back rules applied to what the lookups found, and the sentences told.

use super::*;

/// The acts of a case that repeat-offence checks compare: its violation records, or,
/// without one, the provision of a sanction decision made without a record.
pub fn acts_of(case: &Case, today: NaiveDate) -> Vec<ViolationFact> {
    let mut acts = violations_of(case);
    if acts.is_empty() {
        acts.extend(
            case.documents
                .iter()
                .filter(|d| matches!(d.kind, DocumentKind::QdXuPhat | DocumentKind::QdXuPhatKhongLapBienBan))
                .filter(|d| d.is_active())
                .filter_map(|d| {
                    let provision = d.fields.get("dieu_khoan").filter(|p| !p.trim().is_empty())?.clone();
                    let on = d.finalised_at.map_or(today, |at| at.date());
                    let catalogue = crate::domain::summary::catalogue_key(d);
                    let act = d.fields.get("hanh_vi").cloned().unwrap_or_default();
                    Some(ViolationFact { on, act, provision, catalogue })
                }),
        );
    }
    acts
}

/// What the warnings are asked about: a subject, the case in hand (left out of the earlier
/// cases), its acts (for tái phạm and vi phạm nhiều lần), the team asking, and the day that
/// dates the "recently" of other teams' inspections.
pub struct WarningQuery<'a> {
    pub subject: &'a SubjectFacts,
    pub this_case: Option<Uuid>,
    pub acts: &'a [ViolationFact],
    pub own_team: &'a str,
    pub today: NaiveDate,
}

/// The warnings for a subject, from the two lookups; `facts_of` reads an earlier case's
/// facts (the texts of its sanctions and acts) when its row's marks say an act may repeat.
pub fn warnings_for(
    q: &WarningQuery,
    local: &LocalSubjects,
    province: Option<&ProvinceIndex>,
    facts_of: &dyn Fn(Uuid) -> Option<CaseFacts>,
) -> Vec<Warning> {
    let mut told = Told { out: Vec::new(), earlier: Vec::new(), seen: q.this_case.into_iter().collect() };
    repeated_within_case(q.acts, &mut told.out);
    laptop_warnings(q, local, facts_of, &mut told);
    if let Some(index) = province {
        province_warnings(q, local, index, &mut told);
    }
    let Told { mut out, mut earlier, .. } = told;
    earlier.sort_by(|a, b| b.score.unwrap_or(0.0).total_cmp(&a.score.unwrap_or(0.0)).then(b.on.cmp(&a.on)));
    earlier.truncate(MAX_EARLIER);
    out.extend(earlier);
    out
}

/// What has been told so far: the warnings, the earlier cases (sorted and cut at the end),
/// and the cases already told of (a case is told once).
struct Told {
    out: Vec<Warning>,
    earlier: Vec<Warning>,
    seen: std::collections::BTreeSet<Uuid>,
}

/// The cases on this laptop found for the subject (and the subjects a leader merged with it).
fn laptop_matches(q: &WarningQuery, local: &LocalSubjects) -> Vec<(Match, OffenderEntry)> {
    let subject = q.subject;
    let mut matched = local.lookup.matches(subject);
    // Subjects a leader merged with this one count whatever their names.
    let key = subject_key(
        &subject.name,
        subject.tax_code.as_deref().or(subject.personal_id.as_deref()).or(subject.registration_number.as_deref()),
        subject.commune,
    );
    if let Some(group) = local.group_of.get(&key) {
        for id in local.cases_of.get(group).into_iter().flatten() {
            if let Some(&i) = local.index_of.get(id)
                && !matched.iter().any(|(_, e)| e.case_id == *id)
            {
                matched.push((Match { score: 1.0, reason: MatchReason::Merged }, local.lookup.entry(i)));
            }
        }
    }
    matched
}

/// Earlier cases on this laptop: one warning per case (its best match), and the repeat
/// offences and repeated violations its sanctions and records show.
fn laptop_warnings(
    q: &WarningQuery,
    local: &LocalSubjects,
    facts_of: &dyn Fn(Uuid) -> Option<CaseFacts>,
    told: &mut Told,
) {
    let act_marks: Vec<Mark> = q.acts.iter().map(|a| Mark::of(&a.provision, &a.catalogue, a.on, false)).collect();
    for (m, entry) in &laptop_matches(q, local) {
        let m = *m;
        if !told.seen.insert(entry.case_id) {
            continue;
        }
        let Some(row) = local.rows.get(&entry.case_id) else { continue };
        // Read the texts only when a mark says an act may repeat.
        let relevant =
            row.sanction_marks.iter().chain(&row.violation_marks).any(|m| act_marks.iter().any(|a| a.same_act(m)));
        let facts = if relevant { facts_of(row.id).unwrap_or_default() } else { CaseFacts::default() };
        for sanction in &facts.sanctions {
            let number = sanction.number.as_deref().unwrap_or("không số");
            let by = Sanctioned {
                vi: format!("đã bị xử phạt theo Quyết định {number}"),
                en: format!("sanctioned by decision {number}"),
                on: sanction.decided_on,
                provision: &sanction.provision,
                acts: &sanction.catalogue,
                warning_only: sanction.warning_only,
            };
            told.out.extend(repeat_offences(&by, q.acts, Source::ThisLaptop, (m, entry)));
        }
        if row.sanction_marks.is_empty() {
            told.out.extend(repeated_violations(&facts.violations, q.acts, (m, entry)));
        }
        told.earlier.push(
            Warning::new(
                WarningKind::EarlierCase,
                Source::ThisLaptop,
                format!(
                    "Có vụ việc khác ngày {} với {}{}",
                    dmy(row.opened_at.date()),
                    row.subject_name,
                    row.latest_number.as_deref().map(|n| format!(" (văn bản mới nhất số {n})")).unwrap_or_default()
                ),
                format!("earlier case on {} with {}", row.opened_at.date(), row.subject_name),
            )
            .matched(m, entry),
        );
    }
}

/// The province index: sanctions (anywhere in the province) and recent inspections by
/// other teams. Entries of cases already told here are not told twice.
fn province_warnings(q: &WarningQuery, local: &LocalSubjects, index: &ProvinceIndex, told: &mut Told) {
    // Sanctions first: a case both inspected and sanctioned is told as sanctioned.
    let mut found = index.lookup.matches(q.subject);
    found.sort_by_key(|(_, e)| e.kind != EntryKind::Sanction);
    for (m, entry) in &found {
        let m = *m;
        if told.seen.contains(&entry.case_id) && entry.kind == EntryKind::Inspection {
            continue;
        }
        let team = holder_vi(entry, q.own_team);
        let team_en = entry.unit.clone().unwrap_or_else(|| format!("team {}", entry.team_id));
        match entry.kind {
            EntryKind::Sanction => {
                if local.rows.contains_key(&entry.case_id) || Some(entry.case_id) == q.this_case {
                    continue;
                }
                let by = Sanctioned {
                    vi: format!("{team} đã xử phạt"),
                    en: format!("{team_en} sanctioned"),
                    on: entry.decided_on,
                    provision: &entry.provision,
                    acts: &[],
                    warning_only: entry.fine_vnd.unwrap_or(0) == 0,
                };
                told.out.extend(repeat_offences(&by, q.acts, Source::ProvinceIndex, (m, entry)));
                if !told.seen.insert(entry.case_id) {
                    continue;
                }
                let mut w = Warning::new(
                    WarningKind::EarlierCase,
                    Source::ProvinceIndex,
                    format!(
                        "{team} đã xử phạt {} ngày {}{}: {}",
                        entry.name,
                        dmy(entry.decided_on),
                        entry.decision.as_deref().map(|n| format!(" (QĐ số {n})")).unwrap_or_default(),
                        entry.act
                    ),
                    format!("{team_en} sanctioned {} on {}", entry.name, entry.decided_on),
                )
                .matched(m, entry);
                w.provision = Some(entry.provision.clone());
                told.earlier.push(w);
            }
            EntryKind::Inspection => {
                let recent = q.today - Duration::days(RECENT_INSPECTION_DAYS);
                let own = entry.unit.is_none() && entry.team_id == q.own_team;
                if own || entry.decided_on < recent || Some(entry.case_id) == q.this_case {
                    continue;
                }
                told.seen.insert(entry.case_id);
                told.out.push(
                    Warning::new(
                        WarningKind::OtherTeamInspection,
                        Source::ProvinceIndex,
                        format!(
                            "{team} đã kiểm tra {} ngày {}: cân nhắc tránh kiểm tra trùng",
                            entry.name,
                            dmy(entry.decided_on)
                        ),
                        format!("{team_en} inspected {} on {}", entry.name, entry.decided_on),
                    )
                    .matched(m, entry),
                );
            }
        }
    }
}

/// An earlier sanction, as the repeat-offence sentence names it: by its decision (this
/// laptop) or by the team that made it (the province's index).
struct Sanctioned<'a> {
    vi: String,
    en: String,
    on: NaiveDate,
    provision: &'a str,
    /// The catalogue's acts it sanctioned (none from the province's index, or typed by hand).
    acts: &'a [String],
    warning_only: bool,
}

/// TÁI PHẠM: one warning per act of the case that repeats the sanctioned act within its
/// look-back window (one sentence, wherever the sanction was found).
fn repeat_offences(
    by: &Sanctioned,
    acts: &[ViolationFact],
    source: Source,
    (m, entry): (Match, &OffenderEntry),
) -> Vec<Warning> {
    acts.iter()
        .filter(|act| same_act(by.provision, by.acts, &act.provision, &act.catalogue))
        .filter(|act| is_repeat(by.on, by.warning_only, act.on))
        .map(|_| {
            let until = repeat_window_end(by.on, by.warning_only);
            let mut w = Warning::new(
                WarningKind::RepeatOffence,
                source,
                format!(
                    "TÁI PHẠM: {} ngày {} về hành vi quy định tại {}; thời hạn tính tái phạm đến hết ngày {}",
                    by.vi,
                    dmy(by.on),
                    by.provision,
                    dmy(until)
                ),
                format!("repeat offence: {} on {} under {}; the window runs to {until}", by.en, by.on, by.provision),
            )
            .matched(m, entry);
            w.on = (source == Source::ThisLaptop).then_some(by.on);
            w.until = Some(until);
            w.provision = Some(by.provision.to_string());
            w
        })
        .collect()
}

/// VI PHẠM NHIỀU LẦN: an act of the case recorded before in another, unsanctioned case,
/// still within the limitation period.
fn repeated_violations(
    earlier: &[ViolationFact],
    acts: &[ViolationFact],
    (m, entry): (Match, &OffenderEntry),
) -> Vec<Warning> {
    let mut out = Vec::new();
    for earlier_act in earlier {
        for act in acts {
            let limit = earlier_act.on.checked_add_months(chrono::Months::new(LIMITATION_MONTHS));
            if same_act(&earlier_act.provision, &earlier_act.catalogue, &act.provision, &act.catalogue)
                && earlier_act.on < act.on
                && limit.is_some_and(|l| act.on <= l)
            {
                let mut w = Warning::new(
                    WarningKind::RepeatedViolation,
                    Source::ThisLaptop,
                    format!(
                        "VI PHẠM NHIỀU LẦN: hành vi quy định tại {} đã được lập biên bản ngày {} \
                         trong vụ việc khác, chưa bị xử phạt",
                        earlier_act.provision,
                        dmy(earlier_act.on)
                    ),
                    format!(
                        "repeated violation: the act under {} was recorded on {} in another case, \
                         not yet sanctioned",
                        earlier_act.provision, earlier_act.on
                    ),
                )
                .matched(m, entry);
                w.on = Some(earlier_act.on);
                w.provision = Some(earlier_act.provision.clone());
                out.push(w);
            }
        }
    }
    out
}

/// The same act recorded twice in the case's own violation records: by the catalogue's act
/// where chosen from it, else by the provision.
fn repeated_within_case(acts: &[ViolationFact], out: &mut Vec<Warning>) {
    let mut by_provision: BTreeMap<String, Vec<&ViolationFact>> = BTreeMap::new();
    for act in acts {
        if act.catalogue.is_empty() {
            by_provision.entry(provision_key(&act.provision)).or_default().push(act);
        }
        for id in &act.catalogue {
            by_provision.entry(format!("act:{id}")).or_default().push(act);
        }
    }
    for group in by_provision.values().filter(|g| g.len() > 1) {
        let provision = &group[0].provision;
        let mut w = Warning::new(
            WarningKind::RepeatedViolation,
            Source::ThisCase,
            format!("VI PHẠM NHIỀU LẦN: {} lần vi phạm quy định tại {} trong vụ việc này", group.len(), provision),
            format!("repeated violation: {} acts under {} in this case", group.len(), provision),
        );
        w.provision = Some(provision.clone());
        out.push(w);
    }
}

/// Who holds an index entry's case: this team, another team of the province, or another
/// province (as the national index names it).
fn holder_vi(entry: &OffenderEntry, own: &str) -> String {
    match &entry.unit {
        Some(unit) => unit.clone(),
        None => team_vi(&entry.team_id, own),
    }
}

fn team_vi(team: &str, own: &str) -> String {
    if team == own { "Đội mình".to_string() } else { format!("Đội {team}") }
}

pub(super) fn dmy(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}
