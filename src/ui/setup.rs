//! "Thiết lập đơn vị": the set-up of a team laptop in the window — the province and the
//! unit's names, the members with their roles and passwords, the signing key's passphrase,
//! and (optionally) the provincial server. It builds the same profile as
//! `anchi init --profile`, so both are checked by the same rules.

use std::collections::BTreeMap;

use eframe::egui::{self, RichText};

use super::command::{Choose, Command};
use super::theme;
use super::typing::{secret_edit, text_edit};
use crate::app::setup::{Profile, ProfileServer, ProfileUnit};
use crate::domain::{AdminUnits, Member, Role, UnitNames, ValidationReport};

/// One member's row.
#[derive(Debug, Clone)]
pub struct MemberRow {
    pub full_name: String,
    pub title: String,
    pub card_number: String,
    pub role: Role,
    pub password: String,
    pub again: String,
}

impl MemberRow {
    fn new(role: Role) -> MemberRow {
        let title = if role == Role::Leader { "Đội trưởng" } else { "Kiểm soát viên thị trường" };
        MemberRow {
            full_name: String::new(),
            title: title.into(),
            card_number: String::new(),
            role,
            password: String::new(),
            again: String::new(),
        }
    }
}

/// What the set-up screen holds.
#[derive(Debug)]
pub struct SetupForm {
    pub province: u16,
    pub code: String,
    pub parent_body: String,
    pub chi_cuc: String,
    pub doi: String,
    pub abbreviation: String,
    pub members: Vec<MemberRow>,
    pub passphrase: String,
    pub passphrase_again: String,
    pub server_url: String,
    pub ca_file: String,
    pub hub_key: String,
    /// The law key law packs are signed with (optional).
    pub law_key: String,
    /// Problems of the last attempt, by field.
    pub report: ValidationReport,
    /// The names proposed from the province (replaced when the province changes, unless edited).
    proposed: (String, String),
}

impl Default for SetupForm {
    fn default() -> SetupForm {
        SetupForm {
            province: 0,
            code: String::new(),
            parent_body: String::new(),
            chi_cuc: String::new(),
            doi: "ĐỘI QUẢN LÝ THỊ TRƯỜNG SỐ 1".into(),
            abbreviation: String::new(),
            members: vec![MemberRow::new(Role::Leader), MemberRow::new(Role::Inspector)],
            passphrase: String::new(),
            passphrase_again: String::new(),
            server_url: String::new(),
            ca_file: String::new(),
            hub_key: String::new(),
            law_key: String::new(),
            report: ValidationReport::default(),
            proposed: Default::default(),
        }
    }
}

/// What the screen asks the app to do with a complete form.
#[derive(Debug, Clone, PartialEq)]
pub struct SetupRequest {
    pub profile: Profile,
    pub passphrase: String,
    /// The passwords members typed, by card number (the others get temporary ones).
    pub passwords: BTreeMap<String, String>,
}

impl SetupForm {
    /// Proposes the parent body and the Chi cục from the province's name, unless typed over.
    fn propose_names(&mut self, units: &AdminUnits) {
        let Some(p) = units.province(self.province) else { return };
        let place = if p.name.starts_with("Thành phố") { p.name.clone() } else { format!("Tỉnh {}", p.name) };
        let place = place.to_uppercase();
        let parent = format!("SỞ CÔNG THƯƠNG {place}");
        let chi_cuc = format!("CHI CỤC QUẢN LÝ THỊ TRƯỜNG {place}");
        if self.parent_body.is_empty() || self.parent_body == self.proposed.0 {
            self.parent_body = parent.clone();
        }
        if self.chi_cuc.is_empty() || self.chi_cuc == self.proposed.1 {
            self.chi_cuc = chi_cuc.clone();
        }
        self.proposed = (parent, chi_cuc);
    }

    /// The profile the form describes, or the problems only the form can see (passwords
    /// typed twice differently).
    pub fn request(&self, today: chrono::NaiveDate) -> Result<SetupRequest, ValidationReport> {
        let mut report = ValidationReport::default();
        let differ = |report: &mut ValidationReport, field: String| {
            report.error(field, &Mismatch);
        };
        let mut passwords = BTreeMap::new();
        for (i, m) in self.members.iter().enumerate() {
            if m.password != m.again {
                differ(&mut report, format!("members[{i}].password"));
            } else if !m.password.is_empty() {
                passwords.insert(m.card_number.trim().to_string(), m.password.clone());
            }
        }
        if self.passphrase != self.passphrase_again {
            differ(&mut report, "passphrase".into());
        }
        if !report.is_ok() {
            return Err(report);
        }
        let server = (!self.server_url.trim().is_empty()).then(|| ProfileServer {
            url: self.server_url.trim().to_string(),
            ca_file: self.ca_file.trim().to_string(),
            hub_key: Some(self.hub_key.trim().to_string()).filter(|k| !k.is_empty()),
        });
        let profile = Profile {
            law_key: Some(self.law_key.trim().to_string()).filter(|k| !k.is_empty()),
            unit: ProfileUnit {
                code: self.code.trim().to_string(),
                province_code: self.province,
                names: vec![UnitNames {
                    valid_from: today,
                    parent_body: self.parent_body.trim().to_string(),
                    chi_cuc: self.chi_cuc.trim().to_string(),
                    doi: self.doi.trim().to_string(),
                    abbreviation: self.abbreviation.trim().to_string(),
                }],
            },
            members: self
                .members
                .iter()
                .map(|m| Member {
                    full_name: m.full_name.trim().to_string(),
                    title: m.title.trim().to_string(),
                    card_number: m.card_number.trim().to_string(),
                    role: m.role,
                })
                .collect(),
            server,
        };
        Ok(SetupRequest { profile, passphrase: self.passphrase.clone(), passwords })
    }

    /// The problems of one field, joined.
    fn problems_of(&self, field: &str) -> Option<String> {
        let list: Vec<&str> = self
            .report
            .errors()
            .filter(|p| p.field == field || p.field.starts_with(&format!("{field}.")))
            .map(|p| p.message_vi.as_str())
            .collect();
        (!list.is_empty()).then(|| list.join("; "))
    }
}

/// Two typings of a password differ.
struct Mismatch;

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the two typings differ")
    }
}

impl crate::domain::Bilingual for Mismatch {
    fn vi(&self) -> String {
        "Hai lần nhập khác nhau".into()
    }
}

/// Width of the labels in front of the fields.
const LABEL_WIDTH: f32 = 330.0;

/// One labelled field on its own row, its problem (if any) beside it.
fn field(ui: &mut egui::Ui, problem: Option<String>, label: &str, value: &mut String, password: bool) {
    ui.horizontal(|ui| {
        let l = theme::row_label(ui, label, LABEL_WIDTH);
        ui.spacing_mut().text_edit_width = 440.0;
        // Passwords and the key's passphrase are taken as typed, never composed.
        let edit =
            if password { secret_edit(ui, value) } else { text_edit(ui, value, |v| egui::TextEdit::singleline(v)) };
        edit.labelled_by(l.id);
        if let Some(problem) = problem {
            ui.label(RichText::new(problem).color(theme::ERROR_FG));
        }
    });
}

/// Draws the set-up screen.
pub fn setup_ui(ui: &mut egui::Ui, f: &mut SetupForm, units: &AdminUnits, out: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        ui.heading(theme::bold("Thiết lập đơn vị"));
        if ui.button("Dùng thử với dữ liệu mẫu").on_hover_text("Quay lại danh sách vụ việc mẫu (Esc)").clicked()
        {
            out.push(Command::ShowList);
        }
        let hint = "Máy mới thay máy hỏng hoặc mất: lấy lại toàn bộ dữ liệu của đội từ bản sao lưu";
        if ui.button("Khôi phục từ bản sao lưu…").on_hover_text(hint).clicked() {
            out.push(Command::RestoreDialog);
        }
    });
    ui.label("Thiết lập một lần cho máy của đội. Các vụ việc mẫu không được chuyển sang đơn vị thật.");
    egui::ScrollArea::vertical().auto_shrink(false).show(ui, |ui| {
        ui.add_space(6.0);
        ui.label(theme::bold("1. Đơn vị"));
        ui.vertical(|ui| {
            let options: Vec<(u16, String)> = units.provinces().iter().map(|p| (p.code, p.name.clone())).collect();
            let before = f.province;
            // Typed into (with or without accents), not scrolled through.
            ui.horizontal(|ui| {
                let l = theme::row_label(ui, "Tỉnh, thành phố", LABEL_WIDTH);
                let mut chosen = (f.province != 0).then_some(f.province);
                if super::picker::picker(ui, "setup-province", l.id, &mut chosen, &options, 440.0) {
                    f.province = chosen.unwrap_or(0);
                }
            });
            if let Some(p) = f.problems_of("unit.province_code") {
                ui.label(RichText::new(p).color(theme::ERROR_FG));
            }
            if f.province != before {
                f.propose_names(units);
            }
            let p = f.problems_of("unit.code");
            field(ui, p, "Mã đơn vị (máy chủ Chi cục cấp, ví dụ LS-D1)", &mut f.code, false);
            let p = f.problems_of("unit.names[0].parent_body");
            field(ui, p, "Cơ quan chủ quản", &mut f.parent_body, false);
            let p = f.problems_of("unit.names[0].chi_cuc");
            field(ui, p, "Chi cục", &mut f.chi_cuc, false);
            let p = f.problems_of("unit.names[0].doi");
            field(ui, p, "Đội", &mut f.doi, false);
            let p = f.problems_of("unit.names[0].abbreviation");
            field(ui, p, "Chữ viết tắt trong số văn bản (ví dụ QLTTLS)", &mut f.abbreviation, false);
        });
        ui.add_space(10.0);
        members_ui(ui, f);
        ui.add_space(10.0);
        ui.label(theme::bold("3. Khóa ký của máy"));
        ui.weak("Các gói hồ sơ gửi Chi cục được ký bằng khóa này; mật khẩu khóa do Đội trưởng giữ.");
        ui.vertical(|ui| {
            let p = f.problems_of("passphrase");
            field(ui, p, "Mật khẩu khóa ký", &mut f.passphrase, true);
            field(ui, None, "Nhập lại mật khẩu khóa ký", &mut f.passphrase_again, true);
        });
        ui.add_space(10.0);
        ui.label(theme::bold("4. Máy chủ của Chi cục (có thể bỏ trống, thiết lập sau)"));
        ui.vertical(|ui| {
            let p = f.problems_of("server.url");
            field(ui, p, "Địa chỉ (https://…)", &mut f.server_url, false);
            let p = f.problems_of("server.ca_file");
            field(ui, p, "Chứng chỉ của Chi cục (tệp .pem hoặc .crt)", &mut f.ca_file, false);
            ui.horizontal(|ui| {
                ui.add_space(LABEL_WIDTH);
                if ui.button("Chọn tệp…").clicked() {
                    out.push(Command::Choose(Choose::SetupCaFile));
                }
                ui.weak("Chứng chỉ cho máy biết đúng là máy chủ của Chi cục, không phải máy giả mạo.");
            });
            field(ui, None, "Khóa kiểm tra biên nhận của Chi cục (Chi cục cung cấp)", &mut f.hub_key, false);
            ui.horizontal(|ui| {
                ui.add_space(LABEL_WIDTH);
                ui.weak("Để kiểm tra biên nhận và danh sách đối tượng Chi cục gửi về là thật; có thể bổ sung sau.");
            });
            let p = f.problems_of("law_key");
            field(ui, p, "Khóa ký quy định (cơ quan ban hành cung cấp)", &mut f.law_key, false);
            ui.horizontal(|ui| {
                ui.add_space(LABEL_WIDTH);
                ui.weak("Chỉ nhận bản cập nhật quy định (biểu mẫu, thời hạn, thẩm quyền, ngày nghỉ) ký bằng khóa này.");
            });
        });
        ui.add_space(10.0);
        let other: Vec<String> = f
            .report
            .errors()
            .filter(|p| p.field == "data_dir" || p.field.starts_with("server."))
            .map(|p| p.message_vi.clone())
            .collect();
        for p in other {
            ui.label(RichText::new(p).color(theme::ERROR_FG));
        }
        if !f.report.is_ok() {
            let n = f.report.errors().count();
            ui.label(RichText::new(format!("Còn {n} chỗ cần sửa (ghi bên cạnh từng ô).")).color(theme::ERROR_FG));
        }
        if ui.button(theme::bold("Thiết lập")).clicked() {
            match f.request(crate::app::now().date()) {
                Ok(request) => out.push(Command::SetUp(Box::new(request))),
                Err(report) => f.report = report,
            }
        }
    });
}

/// Section 2: the members of the team, each with a role and a password of his own.
fn members_ui(ui: &mut egui::Ui, f: &mut SetupForm) {
    ui.label(theme::bold("2. Thành viên của đội"));
    ui.weak("Mỗi người tự gõ mật khẩu của mình (ít nhất 8 ký tự). Để trống thì máy cấp mật khẩu tạm, phải đổi khi đăng nhập lần đầu.");
    let whole: Vec<String> = f.report.errors().filter(|e| e.field == "members").map(|e| e.message_vi.clone()).collect();
    for p in whole {
        ui.label(RichText::new(p).color(theme::ERROR_FG));
    }
    let mut remove = None;
    for (i, m) in f.members.iter_mut().enumerate() {
        ui.push_id(i, |ui| {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.vertical(|ui| {
                    field(ui, None, "Họ và tên", &mut m.full_name, false);
                    field(ui, None, "Chức vụ", &mut m.title, false);
                    field(ui, None, "Số thẻ kiểm tra", &mut m.card_number, false);
                    let roles = [
                        (Role::Leader, "Lãnh đạo đội (ký quyết định)".to_string()),
                        (Role::Inspector, "Kiểm soát viên".to_string()),
                    ];
                    theme::choice_row(ui, "Vai trò", LABEL_WIDTH, &format!("role-{i}"), &mut m.role, &roles);
                    field(ui, None, "Mật khẩu", &mut m.password, true);
                    field(ui, None, "Nhập lại mật khẩu", &mut m.again, true);
                });
                let problems: Vec<String> = f
                    .report
                    .errors()
                    .filter(|p| p.field.starts_with(&format!("members[{i}].")))
                    .map(|p| p.message_vi.clone())
                    .collect();
                for p in problems {
                    ui.label(RichText::new(p).color(theme::ERROR_FG));
                }
                if ui.small_button("Bỏ người này").clicked() {
                    remove = Some(i);
                }
            });
        });
    }
    if let Some(i) = remove.filter(|_| f.members.len() > 1) {
        f.members.remove(i);
    }
    if ui.button("Thêm thành viên").clicked() {
        f.members.push(MemberRow::new(Role::Inspector));
    }
}
