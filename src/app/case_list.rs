//! The case list as the window shows it: every case's row, the list's marks (repeat
//! offenders, earlier cases), the next deadline of each open case, how many decisions wait
//! for a leader; and the search, filters and sorting over them. A read model of `app`: the
//! window draws it and never computes a deadline or a badge itself.

use super::warnings::{Badge, SubjectLink, list_badges};
use super::{AppError, Reference, Workspace};
use crate::domain::deadlines::{Deadline, DeadlineState, deadlines_of, next_open};
use crate::domain::{CaseSummary, Stage, text::fold};

/// A period of opening dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Period {
    #[default]
    All,
    Last30Days,
    ThisMonth,
    ThisYear,
}

impl Period {
    pub const ALL: [Period; 4] = [Period::All, Period::Last30Days, Period::ThisMonth, Period::ThisYear];

    pub fn vi(self) -> &'static str {
        match self {
            Period::All => "Mọi lúc",
            Period::Last30Days => "30 ngày qua",
            Period::ThisMonth => "Tháng này",
            Period::ThisYear => "Năm nay",
        }
    }

    fn contains(self, opened: chrono::NaiveDate, today: chrono::NaiveDate) -> bool {
        use chrono::Datelike;
        match self {
            Period::All => true,
            Period::Last30Days => opened > today - chrono::Duration::days(30),
            Period::ThisMonth => opened.year() == today.year() && opened.month() == today.month(),
            Period::ThisYear => opened.year() == today.year(),
        }
    }
}

/// The column the list is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Opened,
    Stage,
    Subject,
    Identifier,
    Number,
    Field,
    /// The next open deadline, soonest first.
    Due,
}

/// What the rows are filtered and sorted by.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filters {
    pub stage: Option<Stage>,
    /// Lĩnh vực code.
    pub field: Option<String>,
    /// Card number of the head of the inspection team.
    pub lead: Option<String>,
    pub period: Period,
    /// Only cases with a deadline overdue or due within one working day (the leader's view).
    pub due_only: bool,
    /// Only cases with a decision drafted and waiting for a leader to finalise it.
    pub awaiting_leader: bool,
    pub sort: SortKey,
    /// Newest, last, Z first when true (the default for the opening date).
    pub descending: bool,
}

/// What the list screen keeps between frames.
#[derive(Debug, Default)]
pub struct CaseList {
    pub rows: Vec<CaseSummary>,
    pub search: String,
    pub filters: Filters,
    /// Indices into `rows` that pass the search and filters, in display order.
    pub(crate) visible: Vec<usize>,
    /// The search and filters `visible` was computed for.
    computed_for: Option<(String, Filters)>,
    /// Repeat offenders and subjects with earlier cases, and each open case's next
    /// deadline (None until computed: the window computes them after its first frame).
    marks: Option<ListMarks>,
    /// How many rows have a decision waiting for a leader (counted on load, not per frame).
    awaiting: usize,
}

/// What the list shows beside its rows, computed from all of them: the marks (repeat
/// offender, earlier cases) and each open case's next deadline as of the day computed.
#[derive(Debug, Default)]
pub struct ListMarks {
    pub(crate) badges: std::collections::HashMap<uuid::Uuid, Badge>,
    pub(crate) deadlines: std::collections::HashMap<uuid::Uuid, Deadline>,
}

impl ListMarks {
    pub fn of(rows: &[CaseSummary], reference: &Reference, links: &[SubjectLink]) -> ListMarks {
        let today = super::now().date();
        let deadlines = rows
            .iter()
            .filter(|r| !r.stage.is_closed())
            .filter_map(|r| {
                let all = deadlines_of(r, &reference.deadline_rules, &reference.calendar, today);
                next_open(&all).cloned().map(|d| (r.id, d))
            })
            .collect();
        ListMarks { badges: list_badges(rows, links), deadlines }
    }
}

impl CaseList {
    pub fn new(rows: Vec<CaseSummary>, reference: &Reference, links: &[SubjectLink]) -> Self {
        let mut state = CaseList::unmarked(rows);
        state.set_marks(ListMarks::of(&state.rows, reference, links));
        state
    }

    /// The rows alone, their marks and deadlines to come ([`CaseList::set_marks`]).
    pub fn unmarked(rows: Vec<CaseSummary>) -> Self {
        let mut state = CaseList { filters: Filters { descending: true, ..Filters::default() }, ..Default::default() };
        state.awaiting = rows.iter().filter(|r| r.awaits_leader()).count();
        state.rows = rows;
        state
    }

    /// Replaces the rows (after a change), keeping the search and filters.
    pub fn reload(&mut self, rows: Vec<CaseSummary>, reference: &Reference, links: &[SubjectLink]) {
        self.marks = Some(ListMarks::of(&rows, reference, links));
        self.awaiting = rows.iter().filter(|r| r.awaits_leader()).count();
        self.rows = rows;
        self.computed_for = None;
    }

    /// Takes in the marks computed for the current rows.
    pub fn set_marks(&mut self, marks: ListMarks) {
        self.marks = Some(marks);
        self.computed_for = None;
    }

    /// Whether the marks and deadlines are still being computed.
    pub fn marks_pending(&self) -> bool {
        self.marks.is_none()
    }

    /// The mark of a case's row, if any.
    pub fn badge(&self, id: &uuid::Uuid) -> Option<&Badge> {
        self.marks.as_ref()?.badges.get(id)
    }

    /// The next open deadline of a case's row, if any (none while being computed).
    pub fn deadline(&self, id: &uuid::Uuid) -> Option<&Deadline> {
        self.marks.as_ref()?.deadlines.get(id)
    }

    /// How many cases have a deadline overdue or due within one working day.
    pub fn pressing(&self) -> usize {
        let Some(marks) = &self.marks else { return 0 };
        marks.deadlines.values().filter(|d| d.state <= DeadlineState::DueSoon).count()
    }

    /// How many cases have a decision waiting for a leader.
    pub fn awaiting_leader(&self) -> usize {
        self.awaiting
    }

    /// Recomputes the visible rows when the search or a filter changed.
    fn refresh(&mut self) {
        let key = (fold(&self.search), self.filters.clone());
        if self.computed_for.as_ref() == Some(&key) {
            return;
        }
        let query = key.0.replace('-', "");
        let f = &key.1;
        let today = super::now().date();
        let empty = std::collections::HashMap::new();
        let deadlines = self.marks.as_ref().map_or(&empty, |m| &m.deadlines);
        let pressing = |id| deadlines.get(id).is_some_and(|d: &Deadline| d.state <= DeadlineState::DueSoon);
        self.visible = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                f.stage.is_none_or(|s| r.stage == s)
                    && f.field.as_ref().is_none_or(|code| &r.field == code)
                    && f.lead.as_ref().is_none_or(|card| r.lead_member.as_ref() == Some(card))
                    && f.period.contains(r.opened_at.date(), today)
                    && (!f.due_only || pressing(&r.id))
                    && (!f.awaiting_leader || r.awaits_leader())
                    && r.matches(&query)
            })
            .map(|(i, _)| i)
            .collect();
        let rows = &self.rows;
        let order = |a: &usize, b: &usize| {
            let (a, b) = (&rows[*a], &rows[*b]);
            match f.sort {
                SortKey::Opened => a.opened_at.cmp(&b.opened_at),
                SortKey::Stage => a.stage.cmp(&b.stage),
                SortKey::Subject => fold(&a.subject_name).cmp(&fold(&b.subject_name)),
                SortKey::Identifier => a.subject_identifier.cmp(&b.subject_identifier),
                SortKey::Number => a.latest_number.cmp(&b.latest_number),
                SortKey::Field => a.field.cmp(&b.field),
                // Cases without an open deadline after those with one.
                SortKey::Due => {
                    let due = |r: &CaseSummary| deadlines.get(&r.id).map_or(chrono::NaiveDate::MAX, |d| d.due);
                    due(a).cmp(&due(b))
                }
            }
        };
        if f.descending {
            self.visible.sort_by(|a, b| order(b, a));
        } else {
            self.visible.sort_by(order);
        }
        self.computed_for = Some(key);
    }

    pub fn visible_count(&mut self) -> usize {
        self.refresh();
        self.visible.len()
    }

    /// The summary shown at a position of the list.
    pub fn visible_row(&mut self, index: usize) -> Option<&CaseSummary> {
        self.refresh();
        self.visible.get(index).map(|&i| &self.rows[i])
    }
}

impl Workspace {
    /// The case list of this laptop, sorted newest first.
    pub fn case_list(&self) -> Result<CaseList, AppError> {
        Ok(CaseList::new(self.list_cases()?, &self.reference, &self.subject_links()?))
    }

    /// The case list's rows alone, for the window's first frame: their marks and deadlines
    /// come from [`Workspace::list_marks`].
    pub fn case_list_unmarked(&self) -> Result<CaseList, AppError> {
        Ok(CaseList::unmarked(self.list_cases()?))
    }

    /// The marks and deadlines of the stored rows (read again: this runs beside the
    /// window's first frames, on another thread).
    pub fn list_marks(&self) -> Result<ListMarks, AppError> {
        self.marks_of(&self.list_cases()?)
    }

    /// The marks and deadlines of these rows.
    pub fn marks_of(&self, rows: &[CaseSummary]) -> Result<ListMarks, AppError> {
        Ok(ListMarks::of(rows, &self.reference, &self.subject_links()?))
    }

    /// Brings `list` up to date with the store, keeping its search and filters.
    pub fn refresh_case_list(&self, list: &mut CaseList) -> Result<(), AppError> {
        list.reload(self.list_cases()?, &self.reference, &self.subject_links()?);
        Ok(())
    }
}
