//! The script of a demo case: how far it goes, and the events that take it there.

use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::id_at;
use crate::domain::{Case, DocumentKind as K, Event};

/// How far a demo case goes.
#[derive(Debug, Clone, Copy)]
pub(super) enum Plan {
    Opened,
    Decided,
    Inspected,
    NoViolation,
    /// The violation recorded; the sanction decision drafted, waiting for the leader, or not yet.
    Recorded {
        decision_drafted: bool,
    },
    Sanctioned {
        seized: bool,
    },
    OnTheSpot,
    Cancelled,
}

/// The plans of the newest demo cases, newest first: every state appears.
pub(super) const NEWEST: [Plan; 9] = [
    Plan::Opened,
    Plan::Decided,
    Plan::Inspected,
    Plan::Recorded { decision_drafted: false },
    Plan::Sanctioned { seized: true },
    Plan::NoViolation,
    Plan::Cancelled,
    Plan::OnTheSpot,
    Plan::Recorded { decision_drafted: true },
];

/// How far a case got. A case opened more than six weeks before the newest one has ended
/// (as a real team's would): only recent cases are still under way.
pub(super) fn plan(rng: &mut fastrand::Rng, recent: bool) -> Plan {
    if !recent {
        return match rng.u32(0..100) {
            0..35 => Plan::NoViolation,
            35..65 => Plan::Sanctioned { seized: false },
            65..88 => Plan::Sanctioned { seized: true },
            88..95 => Plan::OnTheSpot,
            _ => Plan::Cancelled,
        };
    }
    match rng.u32(0..100) {
        0..5 => Plan::Opened,
        5..15 => Plan::Decided,
        15..25 => Plan::Inspected,
        25..45 => Plan::NoViolation,
        45..55 => Plan::Recorded { decision_drafted: rng.bool() },
        55..75 => Plan::Sanctioned { seized: false },
        75..90 => Plan::Sanctioned { seized: true },
        90..95 => Plan::OnTheSpot,
        _ => Plan::Cancelled,
    }
}

/// Writes the events of one demo case: the decision in the office, the records on the
/// inspection day minutes apart, the sanction decision some days later, in working hours.
struct Script<'r> {
    rng: &'r mut fastrand::Rng,
    at: NaiveDateTime,
    out: Vec<Event>,
}

impl Script<'_> {
    fn later(&mut self, minutes: std::ops::Range<i64>) -> NaiveDateTime {
        self.at += Duration::minutes(self.rng.i64(minutes));
        self.at
    }

    /// Moves to a working hour (08:00–10:59) some days later.
    fn days_later(&mut self, days: std::ops::Range<i64>) {
        let day = (self.at + Duration::days(self.rng.i64(days))).date();
        self.at = day.and_hms_opt(self.rng.u32(8..11), self.rng.u32(0..60), 0).expect("valid time");
    }

    fn document(&mut self, kind: K, finalise: bool) {
        let at = self.later(10..40);
        let id = id_at(self.rng, at);
        self.out.push(Event::StartDocument { id, kind, at });
        if finalise {
            let at = self.later(5..30);
            self.out.push(Event::FinaliseDocument { id, number: None, at });
        }
    }
}

/// The events that take a new case to `plan`.
pub(super) fn events(
    rng: &mut fastrand::Rng,
    case: &Case,
    plan: Plan,
    seizure_record_first: impl Fn(NaiveDate) -> bool,
) -> Vec<Event> {
    let mut s = Script { rng, at: case.opened_at, out: Vec::new() };
    match plan {
        Plan::OnTheSpot => s.document(K::QdXuPhatKhongLapBienBan, true),
        Plan::Opened => s.document(K::QdKiemTra, false),
        Plan::Cancelled => {
            s.document(K::QdKiemTra, true);
            let at = s.later(60..600);
            s.out.push(Event::CancelCase {
                reason: "Đối tượng ngừng kinh doanh trước ngày kiểm tra".into(), at
            });
        }
        Plan::Decided => {
            s.document(K::QdKiemTra, true);
            s.days_later(1..4);
            s.document(K::BbKiemTra, false);
        }
        Plan::Inspected | Plan::NoViolation | Plan::Recorded { .. } | Plan::Sanctioned { .. } => {
            s.document(K::QdKiemTra, true);
            s.days_later(1..4);
            s.document(K::BangKe, true);
            s.document(K::BbKiemTra, true);
            if let Plan::NoViolation = plan {
                let at = s.later(30..120);
                s.out.push(Event::CloseNoViolation { at });
            }
            if let Plan::Sanctioned { seized: true } = plan {
                // Judged on the seizure's day (the inspection's, in working hours), not the case's.
                let seizure = if seizure_record_first(s.at.date()) {
                    [K::BbTamGiu, K::QdTamGiu, K::BbNiemPhong, K::TemNiemPhong]
                } else {
                    [K::QdTamGiu, K::BbTamGiu, K::BbNiemPhong, K::TemNiemPhong]
                };
                for kind in seizure {
                    s.document(kind, true);
                }
            }
            if let Plan::Recorded { .. } | Plan::Sanctioned { .. } = plan {
                s.document(K::BbViPham, true);
            }
            // Half the recorded cases have their sanction decision drafted, waiting for the
            // leader to sign it (always one of the newest).
            if let Plan::Recorded { decision_drafted: true } = plan {
                s.days_later(1..3);
                s.document(K::QdXuPhat, false);
            }
            if let Plan::Sanctioned { .. } = plan {
                s.days_later(2..7);
                s.document(K::QdXuPhat, true);
                // Most fines are paid within days; the team records the receipt.
                if s.rng.u8(0..4) > 0 {
                    s.days_later(1..4);
                    s.document(K::XacNhanNopPhat, true);
                }
            }
        }
    }
    s.out
}
