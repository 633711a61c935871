//! Who is typing: the team members' accounts on the shared laptop (argon2 password
//! hashes), signing in and out, and what each role may do. The journal records the
//! signed-in member as the actor of every change.
//!
//! A workspace without accounts (the demo unit) has no logins and no restrictions; once
//! a unit is set up every member has an account, decisions (QĐ kiểm tra, QĐ tạm giữ,
//! QĐ xử phạt, gia hạn) are finalised only by a leader, and so are merging subjects,
//! rotating the signing key and resetting a password.

use serde::{Deserialize, Serialize};

use super::{AppError, Workspace};
use crate::domain::{Bilingual, DocumentKind, Member, Role};

/// The meta key of the accounts.
const ACCOUNTS_KEY: &str = "accounts";

/// The meta key of the last member to sign in.
const LAST_SIGN_IN_KEY: &str = "last_sign_in";

/// Shortest password a member may choose.
pub const MIN_PASSWORD: usize = 8;

/// One member's account: the password's argon2id hash (PHC string), and whether the
/// password was given to them (at set-up, or reset by the leader) and must be changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub card_number: String,
    pub password_hash: String,
    pub must_change: bool,
    /// A member who left the team: kept (their name stays on the documents they made)
    /// but can no longer sign in.
    pub disabled: bool,
}

/// An account for each `(card, password, must_change)` (set-up), the password hashed;
/// `must_change` when the password was made for the member rather than typed by them.
pub(crate) fn new_accounts(accounts: &[(String, String, bool)]) -> Vec<Account> {
    accounts
        .iter()
        .map(|(card, password, must_change)| Account {
            card_number: card.clone(),
            password_hash: hash_password(password),
            must_change: *must_change,
            disabled: false,
        })
        .collect()
}

pub use crate::password::{hash as hash_password, temporary as temporary_password, verify as verify_password};

/// Something only some members may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Finalise a decision of this kind (its number is taken and it is signed).
    Finalise(DocumentKind),
    MergeSubjects,
    RotateKey,
    ResetPassword,
    /// Replace the laptop's data with a backup (everyone's work).
    Restore,
    /// Add a member, or disable one who left.
    ManageMembers,
    /// Record or end a delegation (giao quyền) to a deputy.
    Delegate,
    /// Change where and how the laptop sends (the province's server, its certificate, the
    /// key its receipts are checked with) or when the screen locks.
    Settings,
    /// Pin the law key or apply a law pack (forms, deadlines, ceilings, holidays).
    Law,
}

impl Permission {
    /// What is being done, in Vietnamese and English, for the refusal.
    fn words(self) -> (String, String) {
        let (vi, en): (&str, &str) = match self {
            Permission::Finalise(kind) => {
                return (format!("hoàn tất {}", kind.title_vi()), format!("finalise {}", kind.code()));
            }
            Permission::MergeSubjects => ("gộp đối tượng", "merge subjects"),
            Permission::RotateKey => ("đổi khóa ký của máy", "rotate the signing key"),
            Permission::ResetPassword => ("cấp lại mật khẩu", "reset a password"),
            Permission::Restore => ("khôi phục dữ liệu từ bản sao lưu", "restore a backup"),
            Permission::ManageMembers => ("thêm hoặc khóa tài khoản thành viên", "add or disable members"),
            Permission::Delegate => ("ghi quyết định giao quyền cho cấp phó", "record a delegation to a deputy"),
            Permission::Law => {
                ("cài đặt quy định mới (gói quy định, khóa ký quy định)", "apply a law pack or pin the law key")
            }
            Permission::Settings => (
                "đổi thiết lập máy chủ Chi cục hoặc thời gian khóa màn hình",
                "change the server settings or the screen lock",
            ),
        };
        (vi.into(), en.into())
    }

    /// Whether a member of `role` may do it.
    pub fn allowed(self, role: Role) -> bool {
        match self {
            Permission::Finalise(kind) => role == Role::Leader || !kind.is_decision(),
            Permission::MergeSubjects
            | Permission::RotateKey
            | Permission::ResetPassword
            | Permission::Restore
            | Permission::ManageMembers
            | Permission::Delegate
            | Permission::Settings
            | Permission::Law => role == Role::Leader,
        }
    }
}

/// Why signing in, a password change or an action was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserError {
    #[error("wrong card number or password")]
    WrongPassword,
    #[error("the password must have at least {MIN_PASSWORD} characters")]
    TooShort,
    #[error("the new password must differ from the one given")]
    Unchanged,
    #[error("nobody is signed in; sign in first (--user CARD)")]
    NotSignedIn,
    #[error("{member} (inspector) may not {action_en}; a leader must")]
    NotAllowed { member: String, action_vi: String, action_en: String },
    #[error("no member with card number {0}")]
    UnknownMember(String),
    #[error("no password: set ANCHI_PASSWORD (and ANCHI_NEW_PASSWORD to change it) or run in a terminal")]
    NoPassword,
    #[error("the two passwords differ")]
    PasswordsDiffer,
    #[error("this password was given to you; change it first (anchi --user CARD user passwd)")]
    MustChange,
    #[error("too many wrong passwords for this card; try again in {seconds} s")]
    TooManyAttempts { seconds: u64 },
}

impl Bilingual for UserError {
    fn vi(&self) -> String {
        match self {
            UserError::WrongPassword => "Sai số thẻ hoặc mật khẩu".into(),
            UserError::TooShort => format!("Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự"),
            UserError::Unchanged => "Mật khẩu mới phải khác mật khẩu được cấp".into(),
            UserError::NotSignedIn => "Cần đăng nhập trước (dòng lệnh: --user SỐ_THẺ)".into(),
            UserError::NotAllowed { member, action_vi, .. } => {
                format!("{member} không có quyền {action_vi}: việc này do Đội trưởng (lãnh đạo đội) thực hiện")
            }
            UserError::UnknownMember(card) => format!("Không có thành viên số thẻ {card}"),
            UserError::NoPassword => "Chưa có mật khẩu (ANCHI_PASSWORD, hoặc chạy trong cửa sổ dòng lệnh)".into(),
            UserError::PasswordsDiffer => "Hai lần nhập mật khẩu khác nhau".into(),
            UserError::MustChange => "Mật khẩu này là mật khẩu tạm; hãy đổi mật khẩu trước".into(),
            UserError::TooManyAttempts { seconds } => {
                format!("Nhập sai mật khẩu nhiều lần; thử lại sau {seconds} giây")
            }
        }
    }
}

/// The member signed in on this workspace (None: nobody, e.g. a script or the demo), and
/// the failed sign-ins per card number since the last success.
#[derive(Debug, Default)]
pub(crate) struct Session {
    member: std::sync::RwLock<Option<Member>>,
    failures: std::sync::Mutex<std::collections::HashMap<String, Failures>>,
}

/// Failed sign-ins of one card, and until when further attempts are refused.
#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    until: Option<std::time::Instant>,
}

/// Wrong passwords allowed before attempts are spaced out.
const FREE_ATTEMPTS: u32 = 5;

/// The wait after `count` failures: 30 s after the fifth, doubling, at most 15 minutes.
fn wait_after(count: u32) -> std::time::Duration {
    let doublings = count.saturating_sub(FREE_ATTEMPTS).min(5);
    std::time::Duration::from_secs(30 << doublings).min(std::time::Duration::from_secs(15 * 60))
}

impl Session {
    fn get(&self) -> Option<Member> {
        self.member.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set(&self, member: Option<Member>) {
        *self.member.write().unwrap_or_else(|e| e.into_inner()) = member;
    }

    /// How long `card` must still wait before another attempt, if at all.
    fn blocked(&self, card: &str) -> Option<std::time::Duration> {
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let until = failures.get(card)?.until?;
        until.checked_duration_since(std::time::Instant::now())
    }

    fn failed(&self, card: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let entry = failures.entry(card.to_string()).or_insert(Failures { count: 0, until: None });
        entry.count += 1;
        if entry.count >= FREE_ATTEMPTS {
            entry.until = Some(std::time::Instant::now() + wait_after(entry.count));
        }
    }

    fn succeeded(&self, card: &str) {
        self.failures.lock().unwrap_or_else(|e| e.into_inner()).remove(card);
    }
}

/// The journal's name for a member: card number and name.
pub fn actor_of(member: &Member) -> String {
    format!("{} {}", member.card_number, member.full_name)
}

impl Workspace {
    /// Every account on this laptop.
    pub fn accounts(&self) -> Result<Vec<Account>, AppError> {
        Ok(self.store.meta::<Vec<Account>>(ACCOUNTS_KEY)?.unwrap_or_default())
    }

    /// Whether members must sign in here (a set-up unit with accounts).
    pub fn has_accounts(&self) -> bool {
        self.accounts().is_ok_and(|a| !a.is_empty())
    }

    /// The member signed in, if any.
    pub fn signed_in(&self) -> Option<Member> {
        self.session.get()
    }

    /// Who the journal names for changes made now: the signed-in member, else the laptop.
    pub(crate) fn actor(&self) -> String {
        self.signed_in().map_or_else(|| super::LOCAL_ACTOR.to_string(), |m| actor_of(&m))
    }

    /// Checks `card_number` and `password`; on success that member is signed in (and the
    /// sign-in journalled). Returns the member and whether they must change the password.
    pub fn sign_in(&self, card_number: &str, password: &str) -> Result<(Member, bool), AppError> {
        let card = card_number.trim();
        if let Some(wait) = self.session.blocked(card) {
            return Err(UserError::TooManyAttempts { seconds: wait.as_secs().max(1) }.into());
        }
        let member = self.unit().and_then(|u| u.member(card)).cloned();
        let account = self.accounts()?.into_iter().find(|a| a.card_number == card);
        // The hash is checked even for an unknown card, so the time taken does not tell
        // which cards exist.
        let hash = account.as_ref().map_or(DUMMY_HASH.as_str(), |a| a.password_hash.as_str());
        let ok = verify_password(hash, password);
        let (Some(member), Some(account), true) = (member, account.filter(|a| !a.disabled), ok) else {
            self.session.failed(card);
            return Err(UserError::WrongPassword.into());
        };
        self.session.succeeded(card);
        self.store.write(&actor_of(&member), |w| w.put_meta(LAST_SIGN_IN_KEY, &card.to_string(), "user.sign_in"))?;
        self.session.set(Some(member.clone()));
        Ok((member, account.must_change))
    }

    /// Nobody is signed in any more (the window locked, or the user left).
    pub fn sign_out(&self) {
        self.session.set(None);
    }

    /// The signed-in member replaces their password (`old` is asked again, so a laptop
    /// left unlocked does not let someone else take the account).
    pub fn change_password(&self, old: &str, new: &str) -> Result<(), AppError> {
        let member = self.signed_in().ok_or(UserError::NotSignedIn)?;
        let mut accounts = self.accounts()?;
        let account =
            accounts.iter_mut().find(|a| a.card_number == member.card_number).ok_or(UserError::NotSignedIn)?;
        if !verify_password(&account.password_hash, old) {
            return Err(UserError::WrongPassword.into());
        }
        check_new_password(old, new)?;
        account.password_hash = hash_password(new);
        account.must_change = false;
        self.store.write(&actor_of(&member), |w| w.put_meta(ACCOUNTS_KEY, &accounts, "user.change_password"))?;
        Ok(())
    }

    /// A leader gives a member a new temporary password (forgotten password): returned
    /// once, to be changed at the next sign-in.
    pub fn reset_password(&self, card_number: &str) -> Result<String, AppError> {
        self.require(Permission::ResetPassword)?;
        let mut accounts = self.accounts()?;
        let account = accounts
            .iter_mut()
            .find(|a| a.card_number == card_number)
            .ok_or_else(|| UserError::UnknownMember(card_number.to_string()))?;
        let password = temporary_password();
        account.password_hash = hash_password(&password);
        account.must_change = true;
        self.store.write(&self.actor(), |w| {
            w.put_meta(ACCOUNTS_KEY, &accounts, &format!("user.reset_password {card_number}"))
        })?;
        Ok(password)
    }

    /// Writes the accounts inside a transaction of the caller's (the set-up).
    pub(crate) fn put_accounts(w: &mut crate::store::Writer, accounts: &[Account]) -> Result<(), AppError> {
        Ok(w.put_meta(ACCOUNTS_KEY, &accounts.to_vec(), "user.create_accounts")?)
    }

    /// A leader adds a member who joined the team: the member is added to the unit and
    /// gets an account with a temporary password (returned once). Refused with the field
    /// named when a name is empty or the card number is already someone's.
    pub fn add_member(&mut self, member: Member) -> Result<String, AppError> {
        self.require(Permission::ManageMembers)?;
        let member = Member {
            full_name: member.full_name.trim().to_string(),
            title: member.title.trim().to_string(),
            card_number: member.card_number.trim().to_string(),
            role: member.role,
        };
        let mut unit = self.unit().cloned().ok_or(UserError::NotSignedIn)?;
        let mut report = crate::domain::ValidationReport::default();
        super::setup::check_member(&mut report, "", &member, unit.member(&member.card_number).is_some());
        if member.title.is_empty() {
            report.error("title", &MemberProblem::NoTitle);
        }
        if !report.is_ok() {
            return Err(AppError::Invalid(report));
        }
        let password = temporary_password();
        let mut accounts = self.accounts()?;
        accounts.push(Account {
            card_number: member.card_number.clone(),
            password_hash: hash_password(&password),
            must_change: true,
            disabled: false,
        });
        unit.members.push(member.clone());
        let action = format!("user.add {}", member.card_number);
        self.store.write(&self.actor(), |w| {
            w.put_meta(super::UNIT_KEY, &unit, &action)?;
            w.put_meta(ACCOUNTS_KEY, &accounts, &action)
        })?;
        self.unit = Some(unit);
        Ok(password)
    }

    /// A leader disables the account of a member who left (their documents keep their
    /// name); refused for oneself and for the last leader who can sign in.
    pub fn disable_member(&self, card_number: &str) -> Result<(), AppError> {
        self.require(Permission::ManageMembers)?;
        let mut accounts = self.accounts()?;
        let unit = self.unit().ok_or(UserError::NotSignedIn)?;
        let target = unit.member(card_number).ok_or_else(|| UserError::UnknownMember(card_number.to_string()))?;
        let me = self.signed_in().map(|m| m.card_number);
        let active_leaders = unit
            .members
            .iter()
            .filter(|m| m.role == Role::Leader)
            .filter(|m| accounts.iter().any(|a| a.card_number == m.card_number && !a.disabled))
            .count();
        let mut report = crate::domain::ValidationReport::default();
        if me.as_deref() == Some(card_number) {
            report.error("card_number", &MemberProblem::Oneself);
        } else if target.role == Role::Leader && active_leaders <= 1 {
            report.error("card_number", &MemberProblem::LastLeader);
        }
        if !report.is_ok() {
            return Err(AppError::Invalid(report));
        }
        let account = accounts
            .iter_mut()
            .find(|a| a.card_number == card_number)
            .ok_or_else(|| UserError::UnknownMember(card_number.to_string()))?;
        account.disabled = true;
        let action = format!("user.disable {card_number}");
        self.store.write(&self.actor(), |w| w.put_meta(ACCOUNTS_KEY, &accounts, &action))?;
        Ok(())
    }

    /// The members who can sign in (an account, not disabled), in the unit's order.
    pub fn members_who_sign_in(&self) -> Vec<Member> {
        let accounts = self.accounts().unwrap_or_default();
        let members = self.unit().map(|u| u.members.as_slice()).unwrap_or_default();
        members
            .iter()
            .filter(|m| accounts.iter().any(|a| a.card_number == m.card_number && !a.disabled))
            .cloned()
            .collect()
    }

    /// The card number of the last member who signed in here (proposed on the sign-in screen).
    pub fn last_signed_in(&self) -> Option<String> {
        self.store.meta::<String>(LAST_SIGN_IN_KEY).ok().flatten()
    }

    /// Refuses a change to the cases when members sign in here and nobody is (a script
    /// without `--user`): the journal must name who made it. Without accounts (the demo)
    /// anyone may.
    pub fn require_member(&self) -> Result<(), AppError> {
        if self.signed_in().is_none() && self.has_accounts() {
            return Err(UserError::NotSignedIn.into());
        }
        Ok(())
    }

    /// Whether the signed-in member (or, without accounts, anyone) may do `permission`.
    pub fn may(&self, permission: Permission) -> bool {
        self.require(permission).is_ok()
    }

    /// Refuses `permission` unless the signed-in member's role allows it. Without accounts
    /// (the demo unit) everything is allowed.
    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        self.permits().require(permission)
    }

    /// Who may do what, read from the store at the first check and kept: for work that
    /// checks many permissions without changing the accounts (the demo works out every
    /// case's events on every core, and each read of the accounts would wait on the store).
    pub(crate) fn permits(&self) -> Permits<'_> {
        Permits { workspace: self, read: std::sync::OnceLock::new() }
    }
}

/// Whether the laptop has accounts and who is signed in, read at the first check.
pub(crate) struct Permits<'a> {
    workspace: &'a Workspace,
    read: std::sync::OnceLock<(bool, Option<Member>)>,
}

impl Permits<'_> {
    /// [`Workspace::require`] on what was read.
    pub(crate) fn require(&self, permission: Permission) -> Result<(), AppError> {
        let (accounts, member) = self.read.get_or_init(|| (self.workspace.has_accounts(), self.workspace.signed_in()));
        if !accounts {
            return Ok(());
        }
        let needs_leader = !Permission::allowed(permission, Role::Inspector);
        let Some(member) = member else {
            return if needs_leader { Err(UserError::NotSignedIn.into()) } else { Ok(()) };
        };
        if permission.allowed(member.role) {
            return Ok(());
        }
        let (action_vi, action_en) = permission.words();
        Err(UserError::NotAllowed { member: member.full_name.clone(), action_vi, action_en }.into())
    }
}

/// Why a member cannot be added or disabled.
#[derive(Debug, thiserror::Error)]
enum MemberProblem {
    #[error("title is empty")]
    NoTitle,
    #[error("a leader cannot disable their own account")]
    Oneself,
    #[error("the last leader who can sign in cannot be disabled")]
    LastLeader,
}

impl Bilingual for MemberProblem {
    fn vi(&self) -> String {
        match self {
            MemberProblem::NoTitle => "Chưa ghi chức vụ".into(),
            MemberProblem::Oneself => "Không tự khóa tài khoản của mình".into(),
            MemberProblem::LastLeader => "Không khóa được lãnh đạo cuối cùng còn đăng nhập được".into(),
        }
    }
}

/// Checks a new password: long enough and not the one it replaces.
pub fn check_new_password(old: &str, new: &str) -> Result<(), UserError> {
    if new.chars().count() < MIN_PASSWORD {
        return Err(UserError::TooShort);
    }
    if new == old {
        return Err(UserError::Unchanged);
    }
    Ok(())
}

/// A hash of no member's password, verified against when the card is unknown.
static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| hash_password(&temporary_password()));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("mat-khau-rieng");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&hash, "mat-khau-rieng"));
        assert!(!verify_password(&hash, "mat-khau-khac"));
        assert!(!verify_password("không phải hash", "mat-khau-rieng"));
    }

    #[test]
    fn temporary_passwords_are_readable_and_differ() {
        let (a, b) = (temporary_password(), temporary_password());
        assert_eq!(a.len(), 14);
        assert_ne!(a, b);
        assert!(a.chars().all(|c| c == '-' || c.is_ascii_alphanumeric() && !"01ilo".contains(c)), "{a}");
    }

    #[test]
    fn attempts_are_spaced_out_after_five_wrong_passwords() {
        assert_eq!(wait_after(5), std::time::Duration::from_secs(30));
        assert_eq!(wait_after(6), std::time::Duration::from_secs(60));
        assert_eq!(wait_after(40), std::time::Duration::from_secs(900));
        let session = Session::default();
        for _ in 0..4 {
            session.failed("LS-1");
        }
        assert!(session.blocked("LS-1").is_none(), "four mistakes are free");
        session.failed("LS-1");
        assert!(session.blocked("LS-1").is_some_and(|w| w.as_secs() >= 29));
        assert!(session.blocked("LS-2").is_none(), "per card");
        session.succeeded("LS-1");
        assert!(session.blocked("LS-1").is_none());
    }

    #[test]
    fn only_leaders_finalise_decisions() {
        for kind in DocumentKind::ALL {
            assert!(Permission::Finalise(kind).allowed(Role::Leader));
            assert_eq!(Permission::Finalise(kind).allowed(Role::Inspector), !kind.is_decision(), "{kind}");
        }
        assert!(!Permission::Finalise(DocumentKind::QdXuPhat).allowed(Role::Inspector));
        assert!(Permission::Finalise(DocumentKind::BbViPham).allowed(Role::Inspector));
        assert!(!Permission::MergeSubjects.allowed(Role::Inspector));
    }
}
