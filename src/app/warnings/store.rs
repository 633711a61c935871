//! The store-backed lookups behind [`Workspace`]: the laptop's cases (cached by the store's
//! row generation), merged subjects, the province's index in memory, the reports.

use super::local::{LINKS_KEY, row_key};
use super::*;
use crate::app::index_copy::IndexState;
use crate::app::sync::SettingError;
use crate::store::IndexCopy;

/// Why two subjects cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeProblem {
    #[error("the two cases already have the same subject")]
    Already,
    #[error("tax codes {0} and {1} belong to two different enterprises")]
    TaxCodes(String, String),
}

impl crate::domain::Bilingual for MergeProblem {
    fn vi(&self) -> String {
        match self {
            MergeProblem::Already => "Hai vụ việc đã là cùng một đối tượng".into(),
            MergeProblem::TaxCodes(a, b) => {
                format!("Mã số thuế {a} và {b} là của hai doanh nghiệp khác nhau, không gộp được")
            }
        }
    }
}

impl Workspace {
    /// The team code this laptop's records carry (the unit's code).
    pub(crate) fn own_team(&self) -> String {
        self.unit().map(|u| u.code.clone()).unwrap_or_default()
    }

    /// The laptop's cases as a lookup, made again only when the store changed.
    pub fn local_subjects(&self) -> Result<Arc<LocalSubjects>, AppError> {
        let links = self.subject_links()?;
        let generation = (self.store.generation(), links.len());
        let mut cache = self.subjects.local.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((seen, local)) = cache.as_ref()
            && *seen == generation
        {
            return Ok(local.clone());
        }
        let local = Arc::new(LocalSubjects::new(self.store.summaries()?, &self.own_team(), &links));
        *cache = Some((generation, local.clone()));
        Ok(local)
    }

    /// The subjects a leader merged, oldest first.
    pub fn subject_links(&self) -> Result<Vec<SubjectLink>, AppError> {
        Ok(self.store.meta::<Vec<SubjectLink>>(LINKS_KEY)?.unwrap_or_default())
    }

    /// Records that the subjects of cases `a` and `b` are the same organisation or person
    /// (journalled on both cases). Refused, with nothing stored, when they already are,
    /// or when their tax codes name two different enterprises.
    pub fn merge_subjects(&self, a: Uuid, b: Uuid) -> Result<SubjectLink, AppError> {
        self.require(crate::app::users::Permission::MergeSubjects)?;
        let (ca, cb) = (self.case(a)?, self.case(b)?);
        let (ra, rb) = (CaseSummary::of(&ca), CaseSummary::of(&cb));
        let keys = [row_key(&ra), row_key(&rb)];
        let mut links = self.subject_links()?;
        let groups = link_groups(&links);
        let group = |k: &String| groups.get(k).cloned().unwrap_or_else(|| k.clone());
        let refuse = |problem: MergeProblem| {
            let mut report = crate::domain::ValidationReport::default();
            report.error("subject", &problem);
            Err(AppError::Invalid(report))
        };
        if group(&keys[0]) == group(&keys[1]) {
            return refuse(MergeProblem::Already);
        }
        if let (Some(x), Some(y)) = (&ca.subject.tax_code, &cb.subject.tax_code)
            && x.parent() != y.parent()
        {
            return refuse(MergeProblem::TaxCodes(x.as_str().to_string(), y.as_str().to_string()));
        }
        let link = SubjectLink {
            keys,
            names: [ca.subject.name.clone(), cb.subject.name.clone()],
            cases: [a, b],
            at: crate::app::now(),
        };
        links.push(link.clone());
        let action = format!("subject.merge {} = {}", link.keys[0], link.keys[1]);
        self.store.write(&self.actor(), |w| -> Result<(), AppError> {
            w.put_meta(LINKS_KEY, &links, &action)?;
            w.note_case(a, "subject.merge")?;
            w.note_case(b, "subject.merge")?;
            Ok(())
        })?;
        Ok(link)
    }

    /// The status of the province index as loaded, with the dates of the copy as the last
    /// sync left it when the lookup holds that copy (a sync that changed nothing still
    /// renews them; a lookup behind its copy keeps the dates it was loaded with).
    pub fn index_status(&self) -> Option<IndexStatus> {
        let province = self.province_index()?;
        let mut status = province.status.clone();
        if let Ok(Some(state)) = self.store.index_state::<IndexState>(IndexCopy::Held)
            && province.loaded_from == Some((state.epoch.clone(), state.generation))
        {
            (status.generated_at, status.expires_at) = (state.generated_at, state.expires_at);
        }
        status.expired = status.expires_at < Utc::now();
        Some(status)
    }

    /// Whether the lookup in memory is behind the copy in use (a sync, whole or cut
    /// half-way, changed it since it was loaded): it is to be loaded again.
    pub fn index_outdated(&self) -> bool {
        let Some(province) = self.province_index() else { return false };
        match self.store.index_state::<IndexState>(IndexCopy::Held) {
            Ok(Some(state)) => province.loaded_from != Some((state.epoch, state.generation)),
            _ => false,
        }
    }

    /// The province index as loaded, if it was.
    pub fn province_index(&self) -> Option<Arc<ProvinceIndex>> {
        self.subjects.province.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Loads the offender index last fetched (checking the hub's signature when its key is
    /// configured) into memory, telling `progress` the share done. None when no index was
    /// ever fetched.
    pub fn load_offender_index(&self, progress: impl Fn(f32)) -> Result<Option<IndexStatus>, AppError> {
        // What the hub told in its answers to live status (`app::live`) joins the index.
        let told: Vec<OffenderEntry> = self.store.meta(crate::app::live::TOLD_KEY)?.unwrap_or_default();
        let Some(state) = self.index_state()? else {
            if told.is_empty() {
                return Ok(None);
            }
            let now = Utc::now();
            return Ok(Some(self.keep_index((now, now), None, LookupBuilder::default(), told, progress)));
        };
        progress(0.0);
        let pinned = self.server_settings()?.hub_key.and_then(|k| minisign::PublicKey::from_base64(&k).ok());
        let pinned = pinned.map(|k| k.to_base64());
        if pinned.is_some() && state.checked_with != pinned {
            let problem = "the copy was not checked with the hub key set now";
            let vi = "bản đang giữ không được kiểm tra bằng khóa của Chi cục đang đặt; cần đồng bộ lại";
            return Err(SettingError::new("offender_index", vi, problem).into());
        }
        // Read case by case into the lookup: the entries as stored are never all held.
        let today = crate::app::now().date();
        let mut entries = LookupBuilder::default();
        let mut done = 0u64;
        self.store.each_index_case(|count, case: Vec<OffenderEntry>| {
            case.iter().filter(|e| crate::protocol::listed(e, today)).for_each(|e| entries.push(e));
            done += 1;
            if done.is_multiple_of(4096) || done == count {
                progress(0.8 * done as f32 / count as f32);
            }
            Ok(())
        })?;
        let loaded_from = Some((state.epoch, state.generation));
        Ok(Some(self.keep_index((state.generated_at, state.expires_at), loaded_from, entries, told, progress)))
    }

    /// Puts the index and the entries told since into memory; its status.
    fn keep_index(
        &self,
        (generated_at, expires_at): (DateTime<Utc>, DateTime<Utc>),
        loaded_from: Option<(Option<String>, u64)>,
        mut entries: LookupBuilder,
        told: Vec<OffenderEntry>,
        progress: impl Fn(f32),
    ) -> IndexStatus {
        if !told.is_empty() {
            let key = |e: &OffenderEntry| (e.case_id, e.kind, e.decided_on);
            let told_keys: std::collections::HashSet<_> = told.iter().map(key).collect();
            let known: std::collections::HashSet<_> = entries.keys().filter(|k| told_keys.contains(k)).collect();
            told.iter().filter(|e| !known.contains(&key(e))).for_each(|e| entries.push(e));
        }
        let status = IndexStatus { generated_at, expires_at, entries: entries.len(), expired: expires_at < Utc::now() };
        let lookup = entries.finish(|share| progress(0.8 + 0.2 * share));
        *self.subjects.province.write().unwrap_or_else(|e| e.into_inner()) =
            Some(Arc::new(ProvinceIndex { status: status.clone(), lookup, loaded_from }));
        status
    }

    /// The warnings for any subject facts, from the laptop's cases and the province index
    /// as far as it is in memory ([`Workspace::load_offender_index`] puts it there).
    pub fn subject_report(
        &self,
        subject: &SubjectFacts,
        this_case: Option<Uuid>,
        acts: &[ViolationFact],
    ) -> Result<SubjectReport, AppError> {
        let local = self.local_subjects()?;
        let province = self.province_index();
        let index = self.index_status();
        let facts_of = |id| self.store.facts_of(id).ok().flatten();
        let own_team = self.own_team();
        let query = WarningQuery { subject, this_case, acts, own_team: &own_team, today: crate::app::now().date() };
        let warnings = warnings_for(&query, &local, province.as_deref(), &facts_of);
        Ok(SubjectReport { warnings, index })
    }

    /// The warnings for a case's subject and acts.
    pub fn case_warnings(&self, case_id: Uuid) -> Result<SubjectReport, AppError> {
        let case = self.case(case_id)?;
        self.subject_report(&SubjectFacts::of(&case.subject), Some(case.id), &acts_of(&case, crate::app::now().date()))
    }

    /// The warnings for a subject as typed so far into the new-case form, before the case
    /// exists (the typing need not be valid yet: a half-typed name finds nothing).
    pub fn new_case_report(&self, input: &crate::app::NewCase) -> Result<SubjectReport, AppError> {
        let given = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let facts = SubjectFacts {
            name: input.name.clone(),
            tax_code: given(&input.tax_code),
            personal_id: given(&input.personal_id).or(given(&input.old_id_card)),
            registration_number: given(&input.registration_number)
                .filter(|_| input.kind != crate::domain::SubjectKind::Individual),
            province: self.unit().map(|u| u.province_code),
            commune: input.commune_code,
        };
        self.subject_report(&facts, None, &[])
    }
}
