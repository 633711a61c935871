//! The catalogue of violations read against the decree texts (`tests/data/decrees/`, copies of
//! `../shared/law/decrees/`): for every covered article, on every day its content changes, the
//! article is rebuilt from the original decree with the amendments then in force applied in
//! order, and every entry must be found in the point it cites — the act's wording, the fine
//! bracket, the value band, the multiplying cases, the penalties and remedies — and every
//! point of the article must be in the catalogue or listed as not covered.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::collections::BTreeSet;

use anchi::domain::catalogue::{Article, Catalogue};
use anchi::domain::text::{fold, format_vnd};

fn decree_text(file: &str) -> String {
    let path = format!("{}/tests/data/decrees/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    // The compiler's note block ends at the first line of "=".
    let start = text.find("\n==========").map(|i| i + 11).unwrap_or(0);
    text[start..].to_string()
}

/// A clause: its number, its opening words, its points (letter, text).
#[derive(Debug, Clone)]
struct Clause {
    no: String,
    head: String,
    points: Vec<(String, String)>,
}

fn unquote(line: &str) -> &str {
    let line = line.trim().trim_start_matches('“');
    let line = line.strip_suffix("”;").or_else(|| line.strip_suffix("”.")).unwrap_or(line);
    line.strip_suffix('”').unwrap_or(line)
}

fn is_heading(line: &str) -> bool {
    let l = line.trim_start_matches('“');
    l.strip_prefix("Điều ").and_then(|r| r.split_once('.')).is_some_and(|(n, _)| n.chars().all(char::is_alphanumeric))
        || l.starts_with("Mục ")
        || l.starts_with("Chương ")
}

fn parse_clauses(lines: &[&str]) -> Vec<Clause> {
    let mut clauses: Vec<Clause> = Vec::new();
    for raw in lines {
        let line = unquote(raw);
        if line.is_empty() {
            continue;
        }
        let (num, rest) = line.split_once(". ").unwrap_or(("", ""));
        if !num.is_empty() && num.chars().all(|c| c.is_ascii_digit()) {
            clauses.push(Clause { no: num.to_string(), head: rest.to_string(), points: Vec::new() });
            continue;
        }
        let (letter, rest) = line.split_once(") ").unwrap_or(("", ""));
        let last = clauses.last_mut().expect("a clause before any point");
        if letter.chars().count() == 1 && letter.chars().all(|c| c.is_lowercase()) {
            last.points.push((letter.to_string(), rest.to_string()));
        } else if let Some(p) = last.points.last_mut() {
            p.1.push(' ');
            p.1.push_str(line);
        } else {
            last.head.push(' ');
            last.head.push_str(line);
        }
    }
    clauses
}

/// The lines of article `n` in `text`, from the first heading after the line `after`.
fn article_lines<'a>(text: &'a str, n: &str, after: Option<&str>) -> Vec<&'a str> {
    let mut lines = text.lines();
    if let Some(marker) = after {
        lines.by_ref().find(|l| l.trim() == marker).unwrap_or_else(|| panic!("no line {marker:?}"));
    }
    let heading = format!("Điều {n}.");
    lines
        .skip_while(|l| !l.trim_start_matches('“').starts_with(&heading))
        .skip(1)
        .take_while(|l| !is_heading(l))
        .collect()
}

/// The quoted block after the line `after`: through the line that closes the quote.
fn quoted_after<'a>(text: &'a str, after: &str) -> Vec<&'a str> {
    let mut lines = text.lines().skip_while(|l| l.trim() != after).skip(1);
    let mut out = Vec::new();
    for l in lines.by_ref() {
        out.push(l);
        if l.trim_end().ends_with("”;") || l.trim_end().ends_with("”.") || l.trim_end().ends_with('”') {
            break;
        }
    }
    assert!(!out.is_empty(), "no quoted text after {after:?}");
    out
}

/// The article as in force on `day`: the original with the amendments then in force applied.
fn article_on(catalogue: &Catalogue, a: &Article, day: chrono::NaiveDate) -> Vec<Clause> {
    let decree = catalogue.decrees.iter().find(|d| d.code == a.decree).unwrap();
    let mut clauses = parse_clauses(&article_lines(&decree_text(&decree.text), &a.article, None));
    let mut amendments: Vec<_> = a.amendments.iter().filter(|m| m.valid_from <= day).collect();
    amendments.sort_by_key(|m| m.valid_from);
    for m in amendments {
        let text = decree_text(&m.text);
        match m.op.as_str() {
            "article" => clauses = parse_clauses(&article_lines(&text, &a.article, Some(&m.after))),
            "replace" => {
                let point = m.point.as_deref().unwrap();
                let block = quoted_after(&text, &m.after);
                match point.split_once('-') {
                    Some((k, letter)) => {
                        let line = unquote(block[0]);
                        let new = line.strip_prefix(&format!("{letter}) ")).expect("the point replaced");
                        let c = clauses.iter_mut().find(|c| c.no == k).unwrap();
                        c.points.iter_mut().find(|(l, _)| l == letter).unwrap().1 = new.to_string();
                    }
                    None => {
                        for new in parse_clauses(&block) {
                            let at = clauses.iter().position(|c| c.no == new.no).unwrap();
                            clauses[at] = new;
                        }
                    }
                }
            }
            "insert" => {
                let words = m.words.as_deref().unwrap();
                assert!(text.contains(words.trim()), "{} does not say {words:?}", m.text);
                let (k, letter) = m.point.as_deref().unwrap().split_once('-').unwrap();
                let c = clauses.iter_mut().find(|c| c.no == k).unwrap();
                let p = &mut c.points.iter_mut().find(|(l, _)| l == letter).unwrap().1;
                let at = p.find(&m.after).unwrap_or_else(|| panic!("no {:?} in {p:?}", m.after)) + m.after.len();
                p.insert_str(at, words);
            }
            other => panic!("unknown amendment {other}"),
        }
    }
    clauses
}

/// The text at a point ("1-b") or clause ("3"), and the clause's opening words.
fn at<'a>(clauses: &'a [Clause], point: &str) -> (&'a str, &'a str) {
    let (k, letter) = point.split_once('-').map_or((point, None), |(k, l)| (k, Some(l)));
    let c = clauses.iter().find(|c| c.no == k).unwrap_or_else(|| panic!("no khoản {k}"));
    match letter {
        None => (&c.head, &c.head),
        Some(l) => {
            (&c.points.iter().find(|(x, _)| x == l).unwrap_or_else(|| panic!("no điểm {l} in khoản {k}")).1, &c.head)
        }
    }
}

fn says(text: &str, words: &str) -> bool {
    fold(text).contains(&fold(words))
}

/// Every disagreement between the catalogue and the decree texts, and how many entries were
/// read.
fn problems(catalogue: &Catalogue) -> (Vec<String>, usize) {
    let mut problems = Vec::new();
    macro_rules! check {
        ($ok:expr, $($why:tt)+) => {
            if !$ok {
                problems.push(format!($($why)+));
            }
        };
    }
    let mut checked = 0;
    for a in &catalogue.articles {
        for day in a.change_days() {
            let on = |d: &anchi::domain::catalogue::Days| {
                d.valid_from.is_none_or(|f| day >= f) && d.valid_to.is_none_or(|t| day <= t)
            };
            let clauses = article_on(catalogue, a, day);
            let whence = format!("Điều {} on {day}", a.article);
            let mut used: BTreeSet<String> = BTreeSet::new();
            for t in a.tiers.iter().filter(|t| on(&t.days)) {
                let (text, _) = at(&clauses, &t.point);
                let bracket = t.as_printed.clone().unwrap_or_else(|| match (t.min_times, t.max_times) {
                    (Some(lo), Some(hi)) => format!("từ {lo:02} lần đến {hi:02} lần giá trị"),
                    _ => format!("từ {} đồng đến {} đồng", format_vnd(t.min_vnd), format_vnd(t.max_vnd)),
                });
                check!(text.contains(&bracket), "{whence}: {} does not fine {bracket}: {text}", t.point);
                check!(text.contains("cảnh cáo") == t.warning, "{whence}: {} warning", t.point);
                if t.from_vnd > 0 {
                    check!(text.contains(&format!("từ {}", format_vnd(t.from_vnd))), "{whence}: {} band from", t.point);
                }
                if let Some(b) = t.below_vnd {
                    check!(text.contains(&format!("dưới {} đồng", format_vnd(b))), "{whence}: {} band below", t.point);
                } else if t.from_vnd > 0 {
                    check!(text.contains("trở lên"), "{whence}: {} open band", t.point);
                }
                used.insert(t.point.clone());
                checked += 1;
            }
            for act in a.acts.iter().filter(|x| on(&x.days)) {
                let (text, _) = at(&clauses, &act.point);
                check!(says(text, &act.text), "{whence}: {} is not {:?}: {text}", act.point, act.text);
                used.insert(act.point.clone());
                checked += 1;
            }
            for d in a.doubles.iter().filter(|x| on(&x.days)) {
                let (text, head) = at(&clauses, &d.point);
                let times = match d.factor {
                    2 => "gấp hai lần",
                    4 => "gấp bốn lần",
                    f => panic!("{whence}: factor {f}"),
                };
                check!(head.contains(times), "{whence}: {} is not {times}: {head}", d.point);
                check!(says(text, &d.text), "{whence}: {} is not {:?}: {text}", d.point, d.text);
                used.insert(d.point.clone());
                checked += 1;
            }
            for (list, heading) in
                [(&a.additional, "Hình thức xử phạt bổ sung"), (&a.remedies, "Biện pháp khắc phục hậu quả")]
            {
                for m in list.iter().filter(|x| on(&x.days)) {
                    let (text, head) = at(&clauses, &m.point);
                    check!(head.starts_with(heading), "{whence}: {} is not under {heading}", m.point);
                    let own = if m.point.contains('-') {
                        text
                    } else {
                        text.trim_start_matches(heading).trim_start_matches(':').trim()
                    };
                    check!(says(own, &m.text), "{whence}: {} is not {:?}: {own}", m.point, m.text);
                    used.insert(m.point.clone());
                    checked += 1;
                }
            }
            used.extend(a.not_covered.iter().map(|n| n.point.clone()));
            // Every clause and point is used, or its clause is (an act of a whole clause), or one
            // of its points is (a clause opening a list).
            for c in &clauses {
                let clause_used = used.contains(&c.no) || used.iter().any(|u| u.starts_with(&format!("{}-", c.no)));
                check!(clause_used, "{whence}: khoản {} is not in the catalogue nor listed as not covered", c.no);
                for (letter, _) in &c.points {
                    let point = format!("{}-{letter}", c.no);
                    check!(
                        used.contains(&point) || used.contains(&c.no),
                        "{whence}: {point} is not in the catalogue nor listed as not covered"
                    );
                }
            }
        }
    }
    (problems, checked)
}

#[test]
fn every_entry_is_in_the_point_it_cites_and_every_point_is_covered() {
    let catalogue = Catalogue::parse(include_str!("../assets/law/catalogue.toml")).unwrap();
    let (problems, checked) = problems(&catalogue);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked > 150, "only {checked} entries checked");
}

#[test]
fn the_checker_catches_a_wrong_bracket_and_a_point_left_out() {
    let text = include_str!("../assets/law/catalogue.toml");
    // A bracket moved: 1-b of Điều 15 fines 1–2 M, not 1–3 M.
    let start = text.find("article = \"15\"").unwrap();
    let moved = text[start..].replacen(
        "min_vnd = 1_000_000\nmax_vnd = 2_000_000",
        "min_vnd = 1_000_000\nmax_vnd = 3_000_000",
        1,
    );
    let wrong = format!("{}{moved}", &text[..start]);
    let c = Catalogue::parse(&wrong).unwrap();
    let a = c.articles.iter().find(|a| a.article == "15").unwrap();
    let clauses = article_on(&c, a, a.valid_from);
    let t = a.tiers.iter().find(|t| t.point == "1-b").unwrap();
    let (line, _) = at(&clauses, "1-b");
    assert!(!line.contains(&format!("từ {} đồng đến {} đồng", format_vnd(t.min_vnd), format_vnd(t.max_vnd))));
    // The amendments are applied: on 31/01/2022 point b of khoản 4 lost "hoặc tái phạm".
    let before = at(&clauses, "4-b").0.to_string();
    let after = article_on(&c, a, chrono::NaiveDate::from_ymd_opt(2022, 1, 31).unwrap());
    assert!(before.contains("tái phạm") && !at(&after, "4-b").0.contains("tái phạm"));
    let after = article_on(&c, a, chrono::NaiveDate::from_ymd_opt(2025, 2, 21).unwrap());
    assert!(at(&after, "2-c").0.contains("danh mục ngành, nghề đầu tư kinh doanh có điều kiện"));
    let (said, _) = problems(&c);
    assert!(said.iter().any(|p| p.starts_with("Điều 15 on 2020-10-15: 1-b does not fine")), "{said:?}");
    // A point left out: điểm c khoản 3 Điều 15 (cố ý giao nhận) taken away.
    let gone =
        text.replacen("point = \"3-c\"\ntext = \"Cố ý giao nhận hàng hóa nhập lậu\"\ntiers = \"gia-tri\"\n", "", 1);
    assert_ne!(gone, text);
    let (said, _) = problems(&Catalogue::parse(&gone.replace("[[article.act]]\n\n", "")).unwrap());
    assert!(said.iter().any(|p| p.contains("3-c is not in the catalogue nor listed as not covered")), "{said:?}");
}
