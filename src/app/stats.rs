//! The team's statistics over this laptop's cases (`crate::stats` computes them).

use std::collections::HashMap;

use crate::domain::CaseSummary;
use crate::domain::summary::CaseFacts;
pub use crate::stats::*;

impl super::Workspace {
    /// Every case's list row with its facts, newest first.
    pub fn rows_with_facts(&self) -> Result<Vec<(CaseSummary, CaseFacts)>, super::AppError> {
        let mut facts: HashMap<uuid::Uuid, CaseFacts> = self.store.facts()?.into_iter().map(|f| (f.id, f)).collect();
        Ok(self
            .list_cases()?
            .into_iter()
            .map(|row| {
                let f = facts.remove(&row.id).unwrap_or_else(|| CaseFacts { id: row.id, ..Default::default() });
                (row, f)
            })
            .collect())
    }

    /// The statistics of this laptop's cases for `query`.
    pub fn stats(&self, query: &Query) -> Result<Stats, super::AppError> {
        let rows = self.rows_with_facts()?;
        let members = self.unit().map(|u| u.members.as_slice()).unwrap_or_default();
        Ok(compute(rows.iter().map(|(r, f)| (r, f)), &self.reference, members, query))
    }
}
