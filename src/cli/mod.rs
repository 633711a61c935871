//! The command line: a thin face over [`crate::app`]. It parses arguments, calls one use
//! case, and prints the result for people or, with `--json`, for scripts.

/// Prints a line to standard output; a closed pipe (`anchi case list | head`) ends the
/// output quietly instead of panicking.
macro_rules! emit {
    ($($arg:tt)*) => {{
        use std::io::Write;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

mod audit;
mod case;
mod catalogue;
mod delegation;
mod law;
mod package;
mod report;
mod subject;
mod sync;
mod user;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use uuid::Uuid;

use crate::app::{AppError, Workspace, default_data_dir};
use crate::domain::Bilingual;

/// Exit status for input that was refused (bad file, forbidden step).
pub const EXIT_REFUSED: u8 = 2;

#[derive(Debug, Parser)]
#[command(name = "anchi", version, about = "Hồ sơ vụ việc điện tử của Đội Quản lý thị trường")]
pub struct Cli {
    /// The data directory (database, attachments). Default: ANCHI_DATA_DIR, else the platform's data folder.
    #[arg(long, global = true, env = "ANCHI_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Act as this member (card number); the password from ANCHI_PASSWORD or the terminal.
    /// Needed on a set-up unit for what only a leader may do.
    #[arg(long, global = true, env = "ANCHI_USER", value_name = "CARD")]
    pub user: Option<String>,
    /// Open the window on this case (from a shortcut, or after `anchi case list`).
    #[arg(long, value_name = "CASE_ID")]
    pub open_case: Option<Uuid>,
    /// …and on this document of it, in its wizard.
    #[arg(long, value_name = "DOC_ID", requires = "open_case")]
    pub open_doc: Option<Uuid>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make a demo unit with realistic cases in every workflow state.
    Demo {
        #[arg(long, default_value_t = 200)]
        cases: usize,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Cases: list, show, export, import.
    #[command(subcommand)]
    Case(CaseCommand),
    /// The tamper-evident journal.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Legal form definitions.
    #[command(subcommand)]
    Forms(FormsCommand),
    /// Documents: render to PDF.
    #[command(subcommand)]
    Doc(DocCommand),
    /// This laptop's signing key: init, show, rotate.
    #[command(subcommand)]
    Key(package::KeyCommand),
    /// Signed case packages: export, verify, import, show.
    #[command(subcommand)]
    Package(package::PackageCommand),
    /// Send every case the provincial server has not acknowledged; fetch the offender index.
    Sync {
        /// One pass, then exit (otherwise a pass every 5 minutes, sooner then further apart while
        /// the server cannot be reached, until stopped or refused for good: exit 2).
        #[arg(long)]
        once: bool,
        /// The server's address, instead of server.url.
        #[arg(long)]
        server: Option<String>,
        /// The province's CA certificate (PEM), instead of server.ca.
        #[arg(long)]
        ca: Option<PathBuf>,
    },
    /// Settings of this laptop: the provincial server.
    #[command(subcommand)]
    Config(sync::ConfigCommand),
    /// Subjects: find earlier cases and sanctions of an organisation or a person.
    #[command(subcommand)]
    Subject(subject::SubjectCommand),
    /// Every open legal deadline of the cases: rule, start, due date, state.
    Deadlines {
        #[arg(long)]
        json: bool,
        /// The day to judge by (default today).
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<chrono::NaiveDate>,
    },
    /// The working-day calendar: count a time limit by hand.
    #[command(subcommand)]
    Calendar(report::CalendarCommand),
    /// The team's figures: inspections, violations, sanctions, fines, seized goods.
    Stats {
        #[command(flatten)]
        period: report::PeriodArgs,
        /// How the period breakdown groups the cases.
        #[arg(long, value_enum, default_value = "month")]
        by: PeriodBy,
        #[arg(long)]
        json: bool,
    },
    /// Reports: Excel workbook, CSV register, national database export.
    #[command(subcommand)]
    Export(report::ExportCommand),
    /// An encrypted backup of the data directory (database, attachments, form overrides),
    /// consistent while the program runs. Passphrase: terminal, or ANCHI_BACKUP_PASSPHRASE.
    ///
    /// With --enable-auto DIR: back up every day into DIR (a USB stick), keeping the newest
    /// --keep; with --auto: run that automatic backup now (from cron or Task Scheduler).
    #[command(group(clap::ArgGroup::new("what").required(true).args(["out", "enable_auto", "auto"])))]
    Backup {
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long, value_name = "DIR")]
        enable_auto: Option<PathBuf>,
        #[arg(long, default_value_t = 7, requires = "enable_auto")]
        keep: usize,
        #[arg(long)]
        auto: bool,
    },
    /// Set this laptop up from a profile (unit, names, members, server): see docs/setup-profile.md.
    /// The key passphrase: terminal, or ANCHI_KEY_PASSPHRASE.
    Init {
        #[arg(long)]
        profile: PathBuf,
    },
    /// Restore a backup into the data directory, after checking it all; the current
    /// database is kept aside as anchi.redb.truoc-khoi-phuc-<time>.
    Restore { file: PathBuf },
    /// Members' accounts: list, change your password, reset a member's (leader).
    #[command(subcommand)]
    User(user::UserCommand),
    /// Delegations (giao quyền) to deputies: list, add, end.
    #[command(subcommand)]
    Delegation(delegation::DelegationCommand),
    /// The law in force (forms, deadlines, ceilings, holidays) and law packs: show, verify,
    /// import from a USB stick, and for its maintainer keygen and build (docs/law-pack.md).
    #[command(subcommand)]
    Law(law::LawCommand),
    /// The catalogue of violations of the law in force: find an act, show one with its
    /// brackets, penalties and remedies (docs/violation-catalogue.md).
    #[command(subcommand)]
    Catalogue(catalogue::CatalogueCommand),
}

/// `--by` of `anchi stats`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum PeriodBy {
    Month,
    Quarter,
    Year,
}

#[derive(Debug, Subcommand)]
pub enum DocCommand {
    /// Render one document (--doc) to a PDF file, or every document of the case (--all) into a folder.
    Render {
        #[arg(long = "case")]
        case_id: Uuid,
        #[arg(long = "doc", conflicts_with = "all", required_unless_present = "all")]
        document_id: Option<Uuid>,
        #[arg(long)]
        all: bool,
        /// The PDF file (with --doc) or the folder (with --all).
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// Every case, newest first.
    List {
        #[arg(long)]
        json: bool,
    },
    /// One case with its documents and history.
    Show {
        id: Uuid,
        #[arg(long)]
        json: bool,
    },
    /// The case as a JSON file on standard output (docs/case-format.md).
    Export { id: Uuid },
    /// Import a case JSON file; a bad file is refused whole, with the JSON path of each problem.
    Import { file: PathBuf },
    /// The case's parties (witness, commune representative, injured party, interpreter),
    /// entered once and offered to each document: shown, or changed with --set path=value.
    Parties {
        id: Uuid,
        /// An entry to change, e.g. --set witness.name="Trần Văn Bình" (empty clears it).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Attach photos or scans to a case (JPEG, PNG, WebP, TIFF, HEIC, PDF); prints each SHA-256.
    Attach {
        id: Uuid,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// The last changes on this laptop: when, who, what, which case.
    Log {
        #[arg(long, default_value_t = 50)]
        last: usize,
        #[arg(long)]
        json: bool,
    },
    /// Walk the journal's hash chain and report the first broken link.
    Verify {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum FormsCommand {
    /// Check every form definition file.
    Check,
    /// List the forms: code, ký hiệu, title, legal source.
    List,
}

/// Runs a subcommand and turns its outcome into an exit status.
pub fn run(data_dir: Option<PathBuf>, user: Option<String>, command: Command) -> ExitCode {
    let data_dir = data_dir.unwrap_or_else(default_data_dir);
    match execute(&data_dir, user.as_deref(), command) {
        Ok(code) => code,
        Err(e) => {
            report_error(&e);
            if e.is_refusal() { ExitCode::from(EXIT_REFUSED) } else { ExitCode::FAILURE }
        }
    }
}

fn report_error(e: &AppError) {
    match e {
        AppError::Invalid(report) => {
            eprintln!("Dữ liệu bị từ chối, không có gì được lưu / input refused, nothing stored:");
            for p in &report.problems {
                eprintln!("  {}: {} ({})", p.field, p.message_vi, p.message_en);
            }
        }
        other => eprintln!("Lỗi: {}\nerror: {other}", other.vi()),
    }
}

fn execute(data_dir: &std::path::Path, user: Option<&str>, command: Command) -> Result<ExitCode, AppError> {
    if let Some(done) = without_workspace(data_dir, &command) {
        return done;
    }
    // A member's sign-in is recorded in the store (the last sign-in): with --user the file
    // is opened for writing.
    let mut ws = if user.is_none() && reads_only(&command) {
        Workspace::open_for_reading(data_dir)?
    } else {
        Workspace::open(data_dir)?
    };
    let password = match user {
        Some(card) => Some(user::sign_in(&ws, card, matches!(command, Command::User(user::UserCommand::Passwd)))?),
        None => None,
    };
    match command {
        Command::User(c) => user::user(&mut ws, c, password.as_deref())?,
        Command::Delegation(c) => delegation::delegation(&ws, c)?,
        Command::Law(c) => law::law(&ws, c)?,
        Command::Catalogue(c) => catalogue::catalogue(&ws, c)?,
        Command::Key(key) => package::key(&ws, key)?,
        Command::Package(p) => package::package(&ws, p)?,
        Command::Config(c) => sync::config(&ws, c)?,
        Command::Subject(c) => subject::subject(&ws, c)?,
        Command::Deadlines { json, as_of } => report::deadlines(&ws, json, as_of)?,
        Command::Calendar(c) => report::calendar(&ws.reference, &c),
        Command::Stats { period, by, json } => {
            let by = match by {
                PeriodBy::Month => crate::app::stats::Period::Month,
                PeriodBy::Quarter => crate::app::stats::Period::Quarter,
                PeriodBy::Year => crate::app::stats::Period::Year,
            };
            report::stats(&ws, period, by, json)?
        }
        Command::Export(c) => report::export(&ws, c)?,
        Command::Init { profile } => init(&mut ws, &profile, data_dir)?,
        Command::Backup { out, enable_auto, keep, auto } => backup(&ws, out, enable_auto, keep, auto)?,
        Command::Restore { .. } => unreachable!("restored before the workspace opens"),
        Command::Sync { once, server, ca } => {
            if !sync::sync(&ws, once, server, ca)? {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Demo { cases, seed } => {
            let made = ws.make_demo(cases, seed)?;
            emit!("Đã tạo {made} vụ việc mẫu trong {}", data_dir.display());
        }
        Command::Case(c) => case::case(&ws, c)?,
        Command::Audit(c) => return audit::audit(&ws, c),
        Command::Forms(_) => unreachable!("handled before opening the workspace"),
        Command::Doc(DocCommand::Render { case_id, document_id, all: _, out }) => {
            for path in case::render(&ws, case_id, document_id, &out)? {
                emit!("{}", path.display());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether `command` only reads the data directory's database: it is then opened read-only
/// (no write to the file, no wait for the disk on opening and closing it). Each subcommand
/// is named, so that one added later is opened for writing until it is listed here. (A
/// package's verification and display open no database at all: `without_workspace`.)
fn reads_only(command: &Command) -> bool {
    match command {
        Command::Doc(DocCommand::Render { .. })
        | Command::Case(CaseCommand::List { .. } | CaseCommand::Show { .. } | CaseCommand::Export { .. })
        | Command::Audit(AuditCommand::Log { .. } | AuditCommand::Verify { .. })
        | Command::Deadlines { .. }
        | Command::Calendar(report::CalendarCommand::Due { .. })
        | Command::Stats { .. }
        | Command::Export(
            report::ExportCommand::Xlsx { .. }
            | report::ExportCommand::Csv { .. }
            | report::ExportCommand::National { .. },
        )
        | Command::Catalogue(catalogue::CatalogueCommand::Find { .. } | catalogue::CatalogueCommand::Show { .. })
        | Command::Law(law::LawCommand::Show { .. } | law::LawCommand::Verify { .. })
        | Command::Subject(subject::SubjectCommand::Find { .. })
        | Command::Delegation(
            delegation::DelegationCommand::List { .. } | delegation::DelegationCommand::Print { .. },
        )
        | Command::User(user::UserCommand::List)
        | Command::Key(package::KeyCommand::Show { .. }) => true,
        Command::Case(CaseCommand::Parties { set, .. }) => set.is_empty(),
        _ => false,
    }
}

/// The commands that need no workspace (forms, restore, a package's inspection, a law
/// key): done here before the database is opened.
fn without_workspace(data_dir: &std::path::Path, command: &Command) -> Option<Result<ExitCode, AppError>> {
    if let Command::Forms(forms) = command {
        let forms_in_use = match crate::app::forms_in_use(data_dir) {
            Ok(f) => f,
            Err(e) => return Some(Err(e)),
        };
        match forms {
            FormsCommand::Check => emit!("forms: {} definitions OK", forms_in_use.len()),
            FormsCommand::List => {
                for i in &forms_in_use {
                    let gazetted = i.gazetted.as_deref().unwrap_or("—");
                    emit!(
                        "{:<32} {:<7} {:<10} {}  ({}, từ {})",
                        i.id,
                        gazetted,
                        i.ky_hieu,
                        i.title,
                        i.source,
                        i.valid_from.format("%d/%m/%Y")
                    );
                }
            }
        }
        return Some(Ok(ExitCode::SUCCESS));
    }
    if let Command::Restore { file } = command {
        let restored = backup_passphrase(false).and_then(|p| crate::app::backup::restore(file, data_dir, &p));
        let (summary, aside) = match restored {
            Ok(r) => r,
            Err(e) => return Some(Err(e)),
        };
        emit!("Đã khôi phục {} vụ việc, {} tệp vào {}", summary.cases, summary.files, data_dir.display());
        if let Some(aside) = aside {
            emit!("Cơ sở dữ liệu cũ được giữ lại: {}", aside.display());
        }
        return Some(Ok(ExitCode::SUCCESS));
    }
    if let Command::Law(c) = command
        && let Some(result) = law::without_workspace(c)
    {
        return Some(result.map(|()| ExitCode::SUCCESS));
    }
    if let Command::Package(p) = command
        && let Some(result) = package::inspect(p)
    {
        return Some(result.map(|()| ExitCode::SUCCESS));
    }
    None
}

/// `anchi init --profile`: the unit set up from a profile file, its members' temporary
/// passwords and the key to enrol.
fn init(ws: &mut Workspace, profile: &std::path::Path, data_dir: &std::path::Path) -> Result<(), AppError> {
    let parsed = crate::app::setup::Profile::read(profile)?;
    let dir = profile.parent().unwrap_or(std::path::Path::new("."));
    let made = ws.init_from_profile(&parsed, dir, &package::passphrase(true)?, &Default::default())?;
    let e = ws.enrolment()?;
    emit!("Đã thiết lập {} trong {}", e.team_id, data_dir.display());
    emit!("Mật khẩu tạm của từng người (chỉ hiện một lần; đổi khi đăng nhập lần đầu):");
    for (member, password) in &made.passwords {
        emit!("password: {} {}  ({}, {})", member.card_number, password, member.full_name, member.title);
    }
    emit!("Gửi Chi cục để đăng ký máy:\nteam_id: {}\nkey_id: {}\npublic_key: {}", e.team_id, e.key_id, e.public_key);
    Ok(())
}

/// `anchi backup`: now to a file, or the automatic daily backup enabled or run.
fn backup(
    ws: &Workspace,
    out: Option<PathBuf>,
    enable_auto: Option<PathBuf>,
    keep: usize,
    auto: bool,
) -> Result<(), AppError> {
    let (out, summary) = if let Some(folder) = enable_auto {
        ws.enable_auto_backup(&folder, keep, &backup_passphrase(true)?)?;
        emit!(
            "Đã bật sao lưu tự động hằng ngày vào {} (giữ {keep} bản mới nhất; tệp khóa {} đi kèm)",
            folder.display(),
            crate::app::backup::KEY_FILE
        );
        ws.run_auto_backup()?
    } else if auto {
        ws.run_auto_backup()?
    } else {
        let out = out.expect("clap requires one of the group");
        let summary = ws.backup(&out, &backup_passphrase(true)?)?;
        (out, summary)
    };
    emit!("Đã sao lưu {} vụ việc, {} tệp ({} byte) vào {}", summary.cases, summary.files, summary.bytes, out.display());
    Ok(())
}

/// The backup passphrase: `ANCHI_BACKUP_PASSPHRASE`, or typed on the terminal (twice to make one).
fn backup_passphrase(confirm: bool) -> Result<String, AppError> {
    use crate::app::backup::BackupError;
    secret("ANCHI_BACKUP_PASSPHRASE", "Mật khẩu sao lưu / backup passphrase: ", confirm).map_err(|e| match e {
        SecretError::Missing => {
            BackupError::File("no passphrase: set ANCHI_BACKUP_PASSPHRASE or run in a terminal".into()).into()
        }
        SecretError::Differ => BackupError::File("the two passphrases differ / hai lần nhập khác nhau".into()).into(),
    })
}

/// Why a secret could not be had.
pub(crate) enum SecretError {
    /// Neither the variable nor a terminal.
    Missing,
    /// Typed twice, differently.
    Differ,
}

/// A secret (passphrase, password) from the environment variable `env`, else typed on the
/// terminal without echo after `prompt` (twice when `confirm`).
pub(crate) fn secret(env: &str, prompt: &str, confirm: bool) -> Result<String, SecretError> {
    use std::io::IsTerminal;
    if let Ok(value) = std::env::var(env) {
        return Ok(value);
    }
    if !std::io::stdin().is_terminal() {
        return Err(SecretError::Missing);
    }
    let first = rpassword::prompt_password(prompt).map_err(|_| SecretError::Missing)?;
    if confirm && rpassword::prompt_password("Nhập lại / again: ").map_err(|_| SecretError::Missing)? != first {
        return Err(SecretError::Differ);
    }
    Ok(first)
}

/// Loads the province's offender index for warnings; one that cannot be used (its
/// signature fails, it is damaged) is left out with a warning: the laptop keeps working.
pub(super) fn load_index_or_warn(ws: &Workspace) {
    if let Err(e) = ws.load_offender_index(|_| {}) {
        eprintln!(
            "Cảnh báo: bỏ qua danh sách đối tượng của Chi cục (không dùng được: {}); chỉ đối chiếu với vụ việc trên máy này.\nwarning: offender index ignored: {e}",
            e.vi()
        );
    }
}
