//! `upward build`: a complete site whose links resolve, byte-identical rebuilds, privacy,
//! sanitizing and the output-folder rules.

mod common;

use common::{Run, TestVault, assert_same_as_fresh, files, upward};
use std::path::{Path, PathBuf};

fn build(vault: &TestVault, out: &Path) -> Run {
    vault.run(&["build", "--out", out.to_str().unwrap()])
}

/// Every `href="…"` and `src="…"` of an HTML text.
fn references(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(start) = rest.find(attribute) {
            rest = &rest[start + attribute.len()..];
            let end = rest.find('"').unwrap();
            found.push(rest[..end].replace("&amp;", "&"));
            rest = &rest[end..];
        }
    }
    found
}

fn decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&path[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// Resolves a relative reference from a page to a file of the site, or `None` when it leaves
/// the site (an external URL).
fn target(page: &str, reference: &str) -> Option<(PathBuf, Option<String>)> {
    if reference.contains("://") || reference.starts_with("mailto:") {
        return None;
    }
    let (path, fragment) = match reference.split_once('#') {
        Some((p, f)) => (p, Some(f.to_owned())),
        None => (reference, None),
    };
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                assert!(
                    parts.pop().is_some(),
                    "{reference} from {page} leaves the site"
                );
            }
            other => parts.push(other),
        }
    }
    let mut file = parts.join("/");
    if path.is_empty() {
        file = page.to_owned();
    } else if path.ends_with('/') || file.is_empty() {
        file = format!("{}/index.html", file)
            .trim_start_matches('/')
            .to_owned();
    }
    Some((PathBuf::from(decode(&file)), fragment))
}

#[test]
fn the_sample_site_is_complete_and_every_internal_link_resolves() {
    let vault = TestVault::sample();
    let out = vault.path().join("_site");
    let run = vault.run(&["build"]).code(0);
    assert!(run.stderr.contains("built "), "{}", run.stderr);
    let site = files(&out);
    for page in [
        "index.html",
        "meetings/index.html",
        "meetings/2026-05-26-dana-whitaker/index.html",
        "requests/index.html",
        "requests/promo-case/index.html",
        "requests/status/open/index.html",
        "follow-ups/fu-runbook/index.html",
        "wins/index.html",
        "decisions/index.html",
        "people/dana-whitaker/index.html",
        "tags/oncall/index.html",
        "notes/career-goals/index.html",
        "data.json",
        "style.css",
        "filter.js",
        "404.html",
    ] {
        assert!(site.contains_key(page), "{page} is built");
    }
    let mut checked = 0;
    for (page, bytes) in site
        .iter()
        .filter(|(p, _)| p.ends_with(".html") && *p != "404.html")
    {
        let html = String::from_utf8(bytes.clone()).unwrap();
        checked += assert_links_resolve(&site, page, &html, &[]);
    }
    assert!(checked > 1000, "only {checked} links checked");
}

/// Asserts that every link of `html` (the page at `page` of `site`) within the site leads to
/// a file, and to an element with its `#fragment`, but for the fragments in `missing`; gives
/// how many links it held.
fn assert_links_resolve(
    site: &std::collections::BTreeMap<String, Vec<u8>>,
    page: &str,
    html: &str,
    missing: &[&str],
) -> usize {
    let mut checked = 0;
    for reference in references(html) {
        let Some((file, fragment)) = target(page, &reference) else {
            continue;
        };
        let file = file.to_string_lossy().into_owned();
        let linked = site
            .get(&file)
            .unwrap_or_else(|| panic!("{page} links to {reference}: no {file}"));
        if let Some(fragment) = fragment.filter(|f| !f.is_empty() && !missing.contains(&&**f)) {
            let linked = String::from_utf8_lossy(linked);
            assert!(
                linked.contains(&format!("id=\"{fragment}\"")),
                "{page} links to {reference}: no #{fragment} in {file}"
            );
        }
        checked += 1;
    }
    checked
}

#[test]
fn the_ledger_shows_every_request_with_its_history() {
    let vault = TestVault::sample();
    let out = vault.path().join("_site");
    vault.run(&["build"]).code(0);
    let ledger = std::fs::read_to_string(out.join("requests/index.html")).unwrap();
    for id in [
        "promo-case",
        "oncall-hc",
        "cutover-date",
        "retry-review",
        "staging-db",
    ] {
        assert!(
            ledger.contains(&format!("href=\"../requests/{id}/\"")),
            "{id} in the ledger"
        );
    }
    let promo = std::fs::read_to_string(out.join("requests/promo-case/index.html")).unwrap();
    // One mention is in an unpublished note: the site counts the 18 published ones.
    assert!(
        promo.contains("<dt>Times raised</dt><dd>18</dd>"),
        "{promo}"
    );
    assert_eq!(promo.matches("<li class=\"event").count(), 18);
    let open = std::fs::read_to_string(out.join("requests/status/open/index.html")).unwrap();
    assert!(open.contains("promo-case") && !open.contains("href=\"../../../requests/oncall-hc/\""));
}

#[test]
fn a_meeting_page_shows_highlights_fields_and_heading_links_as_obsidian_does() {
    let vault = TestVault::new()
        .file("upward.yaml", "meetings: 1-1s/\n")
        .file(
            "1-1s/2026-11-02.md",
            "---\ntype: one-on-one\ndate: 2026-11-02\nwith: \"[[Dana]]\"\n---\n\
             ## What do you need from me?\n\
             - [x] Headcount for on-call [done:: 2026-11-30] ^oncall-hc\n\
             - [ ] A budget ==**decision**== (due:: 2026-12-05) ^budget\n\
             \n\
             Status:: green, see [[Dana#Goals#Q1]]. Not a field:: here.\n",
        )
        .file(
            "Dana.md",
            "---\npublish: true\n---\n# Goals\n## Q1\nShip it.\n",
        );
    let out = vault.path().join("_site");
    build(&vault, &out).code(0);
    let page = std::fs::read_to_string(out.join("meetings/2026-11-02/index.html")).unwrap();
    for shown in [
        "Headcount for on-call <span class=\"field\"><span class=\"field-key\">done</span> \
         2026-11-30</span>",
        "A budget <mark><strong>decision</strong></mark> <span class=\"field\">2026-12-05</span>",
        "<span class=\"field-key\">Status</span> green, see \
         <a href=\"../../notes/dana/#q1\">Dana &gt; Goals &gt; Q1</a>. Not a field:: here.",
    ] {
        assert!(page.contains(shown), "{shown}\nnot in\n{page}");
    }
    assert!(!page.contains("[done::") && !page.contains("=="), "{page}");
    // The ledger reads the same items: the dates are the fields', the texts are without them.
    let done = std::fs::read_to_string(out.join("requests/oncall-hc/index.html")).unwrap();
    assert!(done.contains("<time datetime=\"2026-11-30\">"), "{done}");
    let budget = std::fs::read_to_string(out.join("requests/budget/index.html")).unwrap();
    assert!(
        budget.contains("A budget <mark><strong>decision</strong></mark></p>"),
        "{budget}"
    );
}

#[test]
fn data_json_holds_the_ledger_in_the_shape_of_requests_json() {
    let vault = TestVault::sample();
    let out = vault.path().join("_site");
    vault.run(&["build"]).code(0);
    let data: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("data.json")).unwrap()).unwrap();
    // The private 1:1 is removed from a copy, and `requests --json` on it must match.
    let published = TestVault::sample();
    std::fs::remove_file(published.path().join("1-1s/2026-10-06 Dana Whitaker.md")).unwrap();
    let cli = published.run(&["requests", "--json"]).code(0).json();
    assert_eq!(data["requests"], cli);
    assert!(data["meetings"].as_array().unwrap().len() > 20);
    assert!(data["wins"].as_array().unwrap().len() > 10);
}

#[test]
fn two_builds_are_byte_identical_and_the_second_rewrites_nothing() {
    let vault = TestVault::sample();
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    build(&vault, &a).code(0);
    build(&vault, &b).code(0);
    assert_eq!(files(&a), files(&b));
    let index = a.join("index.html");
    let before = std::fs::metadata(&index).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let run = build(&vault, &a).code(0);
    assert!(run.stderr.contains(" 0 written,"), "{}", run.stderr);
    assert_eq!(
        std::fs::metadata(&index).unwrap().modified().unwrap(),
        before
    );
}

#[test]
fn pages_no_longer_produced_are_removed_and_nothing_else() {
    let vault = TestVault::sample();
    let out = vault.path().join("_site");
    vault.run(&["build"]).code(0);
    std::fs::remove_file(vault.path().join("notes/Career goals.md")).unwrap();
    let run = vault.run(&["build"]).code(0);
    // The note's page, and the page of the tag only it had.
    assert!(run.stderr.contains("2 removed"), "{}", run.stderr);
    assert!(!out.join("notes/career-goals").exists());
    assert!(!out.join("tags/career").exists());
    assert!(out.join("index.html").exists());
}

const SECRETS: [&str; 9] = [
    "SECRET-UNPUBLISHED",
    "SECRET-AFTER-COMMENT",
    "SECRET-INNER",
    "SECRET-COMMENT",
    "SECRET-CALLOUT",
    "SECRET-NESTED",
    "secret-tag",
    "secret-photo",
    "SECRET-DRAFT",
];

fn adversarial_vault() -> TestVault {
    TestVault::new()
        .file(
            "1-1s/2026-11-10 Dana.md",
            "---\ndate: 2026-11-10\nwith: \"[[Dana]]\"\n---\n## Wins\n- Shipped %% SECRET-COMMENT %% the thing ^w1\n\
             - See [[Secret Person Note]] and [[Plan|the plan]]\n\
             %%\n- [ ] SECRET-COMMENT block ^hidden\n%%\n\
             > [!private] SECRET-CALLOUT title\n> SECRET-CALLOUT body #secret-tag\n> > [!note]\n> > SECRET-NESTED\n\n\
             > [!tip] Kept tip\n> visible tip text\n\
             > > [!PRIVATE]- SECRET-INNER title **SECRET-INNER bold**\n> > SECRET-INNER body\n\
             > tip text after the private one\n\n\
             %% a note to self %% > [!private] SECRET-AFTER-COMMENT title\n> SECRET-AFTER-COMMENT body\n\n\
             ## Help\n- [ ] Budget ^budget\n",
        )
        .file(
            "1-1s/2026-11-03 Dana.md",
            "---\ndate: 2026-11-03\nwith: \"[[Dana]]\"\npublish: false\n---\n## Help\n- [ ] SECRET-UNPUBLISHED ask ^budget\n\
             ![[secret-photo.png]] #secret-tag\n",
        )
        .file("1-1s/2026-11-04 Dana.md", "---\ndate: 2026-11-04\nwith: Dana\ndraft: true\n---\nSECRET-DRAFT\n")
        .file("notes/Secret Person Note.md", "SECRET-UNPUBLISHED body of a private note\n")
        .file("notes/Plan.md", "---\npublish: true\n---\nThe plan. ![[shared.png]]\n")
        .file("assets/secret-photo.png", b"\x89PNG secret")
        .file("assets/shared.png", b"\x89PNG shared")
        .file("assets/unused.png", b"\x89PNG unused")
}

#[test]
fn nothing_private_reaches_any_file_of_the_site() {
    let vault = adversarial_vault();
    let out = vault.path().join("_site");
    vault.run(&["build"]).code(0);
    let site = files(&out);
    for (path, bytes) in &site {
        let text = String::from_utf8_lossy(bytes);
        for secret in SECRETS {
            assert!(!text.contains(secret), "{secret} leaked into {path}");
            assert!(!path.contains(secret), "{secret} names {path}");
        }
    }
    assert!(
        site.contains_key("attachments/assets/shared.png"),
        "a used attachment is copied"
    );
    assert!(
        !site.keys().any(|p| p.contains("unused")),
        "an unused attachment is not"
    );
    let meeting =
        String::from_utf8_lossy(&site["meetings/2026-11-10-dana/index.html"]).into_owned();
    assert!(meeting.contains("visible tip text") && meeting.contains("Kept tip"));
    // A private callout inside the tip is gone, and the tip goes on after it.
    assert!(
        meeting.contains("<p>tip text after the private one</p>\n</div></div>"),
        "{meeting}"
    );
    assert!(
        meeting.contains("<a href=\"../../notes/plan/\">the plan</a>"),
        "{meeting}"
    );
    // The link to the unpublished note is plain text, not a link, and names nothing private.
    assert!(!meeting.contains("notes/secret"), "{meeting}");
    let budget = String::from_utf8_lossy(&site["requests/budget/index.html"]).into_owned();
    assert!(
        budget.contains("<dt>Times raised</dt><dd>1</dd>"),
        "the unpublished mention is not counted"
    );
}

#[test]
fn raw_html_is_sanitized_and_pages_carry_a_strict_policy() {
    let vault = TestVault::new().file(
        "1-1s/2026-11-10 Dana.md",
        "---\ndate: 2026-11-10\nwith: \"<script>alert(1)</script>\"\nmood: \"<img src=x onerror=alert(1)>\"\n\
         related: \"[[Plan]] <script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1))\"\n---\n\
         ## Wins\n- <script>alert('x')</script> shipped\n- <img src=x onerror=\"alert(1)\"> [click](javascript:alert(1))\n\
         - <a href=\"javascript:alert(1)\">link</a> <b onclick=\"alert(1)\">bold</b>\n\
         - [[<svg onload=alert(1)>]] <iframe src=\"https://example.com\"></iframe>\n\
         ## Help\n- [ ] <style>body{display:none}</style> budget ^budget\n",
    );
    let out = vault.path().join("_site");
    vault.run(&["build"]).code(0);
    for (path, bytes) in files(&out) {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        let lower = html.to_lowercase();
        assert!(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'self';"), "{path}");
        // Text may mention anything (escaped); no attribute may carry a script URL.
        for bad in [
            "=\"javascript:",
            "='javascript:",
            "=javascript:",
            "<iframe",
            "<style",
            "<svg onload",
            "alert(1)</script>",
        ] {
            assert!(!lower.contains(bad), "{bad} in {path}");
        }
        for tag in tags(&lower) {
            for attribute in attribute_names(tag) {
                assert!(
                    !attribute.starts_with("on"),
                    "event handler in {path}: <{tag}>"
                );
                assert!(
                    !attribute.starts_with("style"),
                    "inline style in {path}: <{tag}>"
                );
            }
        }
        // Our own pages: scripts only from files, no inline script.
        let mut rest = lower.as_str();
        while let Some(i) = rest.find("<script") {
            let tag = &rest[i..i + rest[i..].find('>').unwrap()];
            assert!(tag.contains(" src="), "inline script in {path}: {tag}");
            rest = &rest[i + 7..];
        }
    }
}

/// The insides of every tag of an HTML text (`a href="x"` of `<a href="x">`).
fn tags(html: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let end = rest.find('>').unwrap_or(rest.len());
        found.push(&rest[..end]);
        rest = &rest[end..];
    }
    found
}

/// The attribute names of a tag's inside, quotes respected.
fn attribute_names(tag: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut quote: Option<char> = None;
    let mut after_space = false;
    let mut current = String::new();
    for c in tag.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c.is_whitespace() => {
                if !current.is_empty() {
                    names.push(std::mem::take(&mut current));
                }
                after_space = true;
            }
            None if c == '=' => {
                if !current.is_empty() {
                    names.push(std::mem::take(&mut current));
                }
                after_space = false;
            }
            None if after_space => current.push(c),
            None => {}
        }
    }
    if !current.is_empty() {
        names.push(current);
    }
    names
}

#[test]
fn the_output_folder_rules() {
    let vault = TestVault::sample();
    // The vault itself, and a folder containing it, are refused.
    let run = build(&vault, vault.path()).code(1);
    assert!(
        run.stderr.contains("cannot be the vault itself"),
        "{}",
        run.stderr
    );
    let run = build(&vault, vault.path().parent().unwrap()).code(1);
    assert!(run.stderr.contains("contains the vault"), "{}", run.stderr);
    // A folder with files upward did not write is refused, then built beside with --force,
    // and those files survive every later build.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let run = build(&vault, dir.path()).code(1);
    assert!(run.stderr.contains("notes.txt"), "{}", run.stderr);
    assert!(!dir.path().join("index.html").exists());
    let out = dir.path().to_str().unwrap();
    vault.run(&["build", "--out", out, "--force"]).code(0);
    assert!(dir.path().join("index.html").exists());
    std::fs::remove_dir_all(vault.path().join("1-1s")).unwrap();
    vault.run(&["build", "--out", out, "--force"]).code(0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
        "mine"
    );
    assert!(dir.path().join(".git").is_dir());
    assert!(
        !dir.path()
            .join("meetings/2026-05-26-dana-whitaker")
            .exists()
    );
}

#[test]
fn a_broken_note_still_gives_a_site_and_exit_one() {
    let vault = TestVault::sample().file("1-1s/broken.md", "---\ndate: [\n---\n");
    let run = vault.run(&["build"]).code(1);
    assert!(
        run.stderr
            .contains("1-1s/broken.md:3:1: error: invalid YAML"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("1 error"), "{}", run.stderr);
    assert!(
        vault
            .path()
            .join("_site/requests/promo-case/index.html")
            .exists()
    );
}

#[test]
fn the_output_folder_inside_the_vault_is_not_read_and_files_added_to_it_stay() {
    let vault = TestVault::sample();
    vault.run(&["build"]).code(0);
    vault.write("_site/stray.md", "---\ndate: [\n---\n");
    vault.write("_site/CNAME", "trail.example.com\n");
    // The broken Markdown file in the output is not a note of the vault.
    vault.run(&["check"]).code(0);
    // A folder upward built (it has a manifest) is built again; what was added stays.
    let run = Run::of({
        let mut c = upward();
        c.arg("--vault").arg(vault.path()).arg("build");
        c
    })
    .code(0);
    assert!(run.stderr.contains("0 written"), "{}", run.stderr);
    assert_eq!(vault.read("_site/CNAME"), "trail.example.com\n");
    assert!(vault.path().join("_site/stray.md").exists());
}

#[test]
fn an_incremental_build_renders_few_pages_and_equals_a_fresh_build() {
    let vault = TestVault::sample();
    let out = vault.path().join("_site");
    vault.run(&["build"]).code(0);
    // Resolve a request in the last note: its page, the note's page, the ledger and the
    // summaries change; the other meetings do not.
    let rel = "1-1s/2026-11-17 Dana Whitaker.md";
    let text = vault.read(rel).replace(
        "- [ ] A prod-sized staging Postgres cluster",
        "- [x] A prod-sized staging Postgres cluster",
    );
    vault.write(rel, text);
    let run = vault.run(&["build"]).code(0);
    let total = files(&out).keys().filter(|p| p.ends_with(".html")).count();
    let rendered = pages_rendered(&run);
    assert!(
        rendered * 2 < total,
        "{rendered} of {total} pages rendered: {}",
        run.stderr
    );
    let staging = std::fs::read_to_string(out.join("requests/staging-db/index.html")).unwrap();
    assert!(
        staging.contains("status-done"),
        "the request's page follows"
    );
    assert_same_as_fresh(&vault, &out, "a status change");
    // More kinds of edit, each checked against a fresh build.
    type Edit = Box<dyn Fn(&TestVault)>;
    let edits: [(&str, Edit); 5] = [
        (
            "prose only",
            Box::new(|v: &TestVault| v.write(rel, v.read(rel) + "\nA closing thought.\n")),
        ),
        (
            "a new outcome and tag",
            Box::new(|v: &TestVault| {
                v.write(
                    rel,
                    v.read(rel).replace(
                        "## Outcomes\n",
                        "## Outcomes\n- Decision: we ship on Friday #release\n",
                    ),
                )
            }),
        ),
        (
            "a reworded request",
            Box::new(|v: &TestVault| {
                v.write(
                    rel,
                    v.read(rel).replace(
                        "The promotion-case conversation",
                        "The promotion conversation",
                    ),
                )
            }),
        ),
        (
            "a new meeting with a new person",
            Box::new(|v: &TestVault| {
                v.write("1-1s/2026-11-24 Lee Park.md", "---\ntype: one-on-one\ndate: 2026-11-24\nwith: \"[[Lee Park]]\"\n---\n## Wins\n- First week done #release\n## Help\n- [ ] Laptop ^laptop\n")
            }),
        ),
        (
            "a person note edited",
            Box::new(|v: &TestVault| {
                v.write(
                    "people/Dana Whitaker.md",
                    v.read("people/Dana Whitaker.md") + "\nPrefers written agendas.\n",
                )
            }),
        ),
    ];
    for (what, edit) in edits {
        edit(&vault);
        vault.run(&["build"]).code(0);
        assert_same_as_fresh(&vault, &out, what);
    }
    // A new request is the most common edit of all: it adds a page and changes the ledgers,
    // and leaves the other meetings' and requests' pages alone.
    vault.write(
        rel,
        vault.read(rel).replace(
            "- [x] A prod-sized staging Postgres cluster",
            "- [ ] A budget for the on-call pager ^pager-budget\n- [x] A prod-sized staging Postgres cluster",
        ),
    );
    let run = vault.run(&["build"]).code(0);
    let rendered = pages_rendered(&run);
    assert!(
        rendered * 2 < total,
        "{rendered} of {total} pages rendered for one new request: {}",
        run.stderr
    );
    assert!(out.join("requests/pager-budget/index.html").is_file());
    assert_same_as_fresh(&vault, &out, "a new request");
}

/// How many pages a build says it rendered.
fn pages_rendered(run: &Run) -> usize {
    run.stderr
        .split(" pages rendered")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{}", run.stderr))
}

#[test]
fn the_vaults_own_site_templates_replace_the_built_in_ones() {
    let vault = TestVault::sample().file(
        "templates/site/note.html",
        "{% extends \"base.html\" %}{% block main %}<h1 class=\"mine\">{{ title }}</h1>{{ body | safe }}{% endblock %}",
    );
    vault.run(&["build"]).code(0);
    let page =
        std::fs::read_to_string(vault.path().join("_site/notes/career-goals/index.html")).unwrap();
    assert!(
        page.contains("<h1 class=\"mine\">Career goals</h1>"),
        "{page}"
    );
    // A broken template is reported at its file and line, and nothing is built with it.
    vault.write(
        "templates/site/note.html",
        "{% extends \"base.html\" %}\n{% block main %}{{ body | safe }\n",
    );
    let run = vault.run(&["build"]).code(1);
    assert!(
        run.stderr
            .contains("templates/site/note.html:2: error: syntax error"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_navigation_is_one_template_and_marks_each_pages_section() {
    let vault = TestVault::sample().file(
        "templates/site/nav.html",
        "<nav class=\"mine\">{% for item in nav %}<a href=\"{{ root }}{{ item.url }}\"\
         {% if item.key == section %} class=\"here\"{% endif %}>{{ item.label }}</a>{% endfor %}</nav>",
    );
    vault.run(&["build"]).code(0);
    let page = |path: &str| vault.read(&format!("_site/{path}"));
    // Pages of other sections and depths each get the navigation made for them.
    let dashboard = page("index.html");
    assert!(dashboard.contains("<nav class=\"mine\"><a href=\"index.html\" class=\"here\">Dashboard</a><a href=\"meetings/\">Meetings</a>"), "{dashboard}");
    let ledger = page("requests/index.html");
    assert!(
        ledger.contains("<a href=\"../index.html\">Dashboard</a>"),
        "{ledger}"
    );
    assert!(
        ledger.contains("<a href=\"../requests/\" class=\"here\">Requests</a>"),
        "{ledger}"
    );
    // The same depth in another section.
    let meetings = page("meetings/index.html");
    assert!(
        meetings.contains("<a href=\"../meetings/\" class=\"here\">Meetings</a>")
            && meetings.contains("<a href=\"../requests/\">Requests</a>"),
        "{meetings}"
    );
    let meeting = page("meetings/2026-05-26-dana-whitaker/index.html");
    assert!(
        meeting.contains("<a href=\"../../meetings/\" class=\"here\">Meetings</a>"),
        "{meeting}"
    );
    assert!(!meeting.contains("aria-current"), "{meeting}");
}

#[test]
fn a_ledger_row_links_from_pages_at_every_depth() {
    let vault = TestVault::sample();
    vault.run(&["build"]).code(0);
    let page = |path: &str| vault.read(&format!("_site/{path}"));
    let title = "The promotion-case conversation, before calibration on Dec 3";
    for (path, root) in [
        ("requests/index.html", "../"),
        ("requests/status/open/index.html", "../../../"),
        ("people/dana-whitaker/index.html", "../../"),
        ("people/sam-ortiz/index.html", "../../"),
    ] {
        let html = page(path);
        let link = format!("<a href=\"{root}requests/promo-case/\">{title}</a>");
        assert!(html.contains(&link), "{path} lacks {link}");
        assert!(!html.contains('\u{1}'), "{path} holds a marker");
    }
    for (path, root) in [
        ("meetings/index.html", "../"),
        ("people/dana-whitaker/index.html", "../../"),
        ("index.html", ""),
    ] {
        let link = format!("<a href=\"{root}meetings/2026-11-17-dana-whitaker/\"");
        assert!(page(path).contains(&link), "{path} lacks {link}");
    }
}

#[test]
fn a_row_template_that_tests_its_root_is_rendered_for_each_page() {
    let vault = TestVault::sample().file(
        "templates/site/request-row.html",
        "<tr data-status=\"{{ r.status }}\"><td>{% if root == \"../\" %}on the ledger\
         {% else %}elsewhere{% endif %} <a href=\"{{ root }}{{ r.url }}\">{{ r.title }}</a></td></tr>",
    );
    vault.run(&["build"]).code(0);
    let page = |path: &str| vault.read(&format!("_site/{path}"));
    let ledger = page("requests/index.html");
    assert!(
        ledger.contains("on the ledger <a href=\"../requests/promo-case/\">"),
        "{ledger}"
    );
    assert!(!ledger.contains("elsewhere"), "{ledger}");
    for (path, root) in [
        ("requests/status/open/index.html", "../../../"),
        ("people/dana-whitaker/index.html", "../../"),
    ] {
        let html = page(path);
        let row = format!("elsewhere <a href=\"{root}requests/promo-case/\">");
        assert!(html.contains(&row), "{path} lacks {row}");
        assert!(!html.contains("on the ledger"), "{path}");
    }
}

#[cfg(unix)]
#[test]
fn every_file_of_the_site_is_readable_by_a_web_server() {
    use std::os::unix::fs::PermissionsExt;
    let vault = TestVault::sample();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    build(&vault, &out).code(0);
    // Built twice, so files replaced by renaming are checked too.
    vault.write(
        "1-1s/2026-11-24 Dana Whitaker.md",
        "---\ntype: one-on-one\ndate: 2026-11-24\n---\n## Wins\n- Shipped\n",
    );
    build(&vault, &out).code(0);
    for rel in files(&out).keys() {
        let mode = std::fs::metadata(out.join(rel))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o044,
            0o044,
            "{rel} is {mode:o}, not readable by others"
        );
    }
}

/// A meeting that embeds a published note whole, by heading, by block, Markdown-style, in a
/// loop, and an unpublished note.
fn embedding_vault() -> TestVault {
    TestVault::new()
        .file(
            "notes/Plan.md",
            "---\npublish: true\n---\n# Plan\n\nSee [[#Goals|the goals]].\n\n## Goals\n\n\
             - Ship the ledger ^ship\n    - with tests\n- Hire two people\n\n\
             %% plan-comment-secret %%\n\n> [!private]\n> plan-callout-secret\n\n\
             ## Later\n\nLater work. ^later\n\n> A quoted line\n\n^quoted\n",
        )
        .file(
            "notes/Loop.md",
            "---\npublish: true\n---\nLoop text ![[Loop]] then ![[Echo]].\n",
        )
        .file(
            "notes/Echo.md",
            "---\npublish: true\n---\nEcho text, and back: ![[Loop]]\n",
        )
        .file("notes/Secret.md", "unpublished-body-secret\n")
        .file(
            "1-1s/2026-11-20 Dana.md",
            "---\ndate: 2026-11-20\nwith: Dana\n---\n## Goals\n\n![[Plan]]\n\n\
             Before ![[Plan#Goals]] after.\n\n- ![[plan#^SHIP]]\n- ![[Plan#^quoted]]\n\n\
             ![](../notes/Plan.md#later)\n\n![[Secret]]\n\n![[Loop]]\n\n![[Plan#No such heading]]\n",
        )
}

#[test]
fn an_embedded_note_is_shown_in_place_as_obsidian_shows_it() {
    let vault = embedding_vault();
    let out = vault.path().join("_site");
    vault.run(&["build"]).code(0);
    let page = vault.read("_site/meetings/2026-11-20-dana/index.html");
    let embeds: Vec<&str> = page.split("<div class=\"note-embed\">").skip(1).collect();
    // The whole note, its Goals section, two blocks, a Markdown embed of a section, the loop
    // and, inside it, its echo.
    assert_eq!(embeds.len(), 7, "{page}");
    assert!(embeds[0].contains("<h1>Plan</h1>") && embeds[0].contains("Later work."));
    // The note's link to its own heading leads to its own page.
    assert!(
        embeds[0].contains("<a href=\"../../notes/plan/#goals\">the goals</a>"),
        "{page}"
    );
    assert!(
        embeds[1].contains("<h2>Goals</h2>")
            && embeds[1].contains("Hire two people")
            && !embeds[1].contains("Later work"),
        "{page}"
    );
    assert!(
        page.contains("<p>Before </p>\n<div class=\"note-embed\">"),
        "{page}"
    );
    assert!(
        embeds[2].contains("href=\"../../notes/plan/#block-ship\"")
            && embeds[2].contains("Ship the ledger")
            && embeds[2].contains("with tests")
            && !embeds[2].contains("Hire"),
        "{page}"
    );
    assert!(
        embeds[3].contains("<blockquote>") && embeds[3].contains("A quoted line"),
        "{page}"
    );
    assert!(
        embeds[4].contains("<h2>Later</h2>") && !embeds[4].contains("Goals"),
        "{page}"
    );
    // A loop is shown once round: the note met again is a link.
    assert!(embeds[5].contains("Loop text"), "{page}");
    assert!(
        embeds[6].contains("Echo text") && embeds[6].contains("<a class=\"embed\""),
        "{page}"
    );
    // An embed of a heading the note does not have is a link to the note.
    assert!(
        page.contains("<a class=\"embed\" href=\"../../notes/plan/#no-such-heading\">"),
        "{page}"
    );
    // No ID is given twice, and every link of the page resolves.
    let mut ids: Vec<&str> = page
        .split(" id=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    let count = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), count, "{page}");
    // The heading that is not there is the one anchor that is missing, as it is in Obsidian
    // (which opens the note at its top) and as `check` warns.
    let page_path = "meetings/2026-11-20-dana/index.html";
    assert_links_resolve(&files(&out), page_path, &page, &["no-such-heading"]);
}

#[test]
fn an_embedded_note_brings_nothing_private_along() {
    let vault = embedding_vault();
    let out = vault.path().join("_site");
    vault.run(&["build"]).code(0);
    for (path, bytes) in files(&out) {
        let text = String::from_utf8_lossy(&bytes);
        for secret in [
            "plan-comment-secret",
            "plan-callout-secret",
            "unpublished-body-secret",
        ] {
            assert!(!text.contains(secret), "{secret} leaked into {path}");
        }
    }
    let page = vault.read("_site/meetings/2026-11-20-dana/index.html");
    // The unpublished note is named as the embed wrote it, and is no link.
    assert!(
        page.contains("<span class=\"missing-embed\">Secret</span>"),
        "{page}"
    );
}

#[test]
fn editing_an_embedded_note_rebuilds_the_pages_that_show_it() {
    let vault = embedding_vault();
    let out = vault.path().join("_site");
    vault.run(&["build"]).code(0);
    // A note embedded in a note that is embedded: two levels down.
    vault.write(
        "notes/Echo.md",
        "---\npublish: true\n---\nEcho rewritten, and back: ![[Loop]]\n",
    );
    vault.run(&["build"]).code(0);
    let page = vault.read("_site/meetings/2026-11-20-dana/index.html");
    assert!(page.contains("Echo rewritten"), "{page}");
    assert_same_as_fresh(&vault, &out, "an edit of a note embedded two levels down");
    vault.write(
        "notes/Plan.md",
        vault
            .read("notes/Plan.md")
            .replace("Hire two people", "Hire three people"),
    );
    vault.run(&["build"]).code(0);
    assert!(
        vault
            .read("_site/meetings/2026-11-20-dana/index.html")
            .contains("Hire three people")
    );
    assert_same_as_fresh(&vault, &out, "an edit of an embedded note");
    // Unpublishing the note leaves no copy of it in the pages that embedded it.
    vault.write(
        "notes/Plan.md",
        vault
            .read("notes/Plan.md")
            .replace("publish: true", "publish: false"),
    );
    vault.run(&["build"]).code(0);
    let page = vault.read("_site/meetings/2026-11-20-dana/index.html");
    assert!(!page.contains("Hire three people"), "{page}");
    assert_same_as_fresh(&vault, &out, "an embedded note unpublished");
}

#[test]
fn a_build_from_the_note_cache_is_the_build_without_it() {
    // The sample vault, with a note that reading reports problems in, and one that is broken.
    let vault = TestVault::sample()
        .file(
            "1-1s/2026-11-24 Dana Whitaker.md",
            "---\ndate: 2026-11-24\nwith: \"[[Dana Whitaker]]\"\n---\n## Help\n- [ ] An ask with no ID\n\
             - [ ] A twice-used ID ^twice\n- [ ] Again ^twice\n## Wins\n- A win #shipped ==big==\n",
        )
        .file("notes/Broken.md", "---\npublish: true\ndate: [\n---\nBody.\n");
    let dir = tempfile::tempdir().unwrap();
    let out = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    let uncached = vault.run_uncached(&["build", "--out", &out("uncached")]);
    // The first run fills the cache, the second reads every note from it.
    let filling = vault.run(&["build", "--out", &out("filling")]);
    let cached = vault.run(&["build", "--out", &out("cached")]);
    assert!(
        std::fs::read_dir(vault.cache()).unwrap().any(|f| f
            .unwrap()
            .path()
            .to_string_lossy()
            .ends_with(".whole-notes")),
        "the build has its note cache"
    );
    let strip = |run: &Run, name: &str| {
        assert_eq!(run.code, Some(1), "{}", run.stderr);
        // All but the last line (where the site went, how long it took).
        let lines: Vec<&str> = run.stderr.lines().collect();
        lines[..lines.len() - 1].join("\n").replace(&out(name), "")
    };
    let expected = strip(&uncached, "uncached");
    assert!(
        expected.contains("^twice") && expected.contains("Broken.md"),
        "{expected}"
    );
    assert_eq!(strip(&filling, "filling"), expected);
    assert_eq!(strip(&cached, "cached"), expected);
    let site = files(&dir.path().join("uncached"));
    for name in ["filling", "cached"] {
        let other = files(&dir.path().join(name));
        assert_eq!(
            site.keys().collect::<Vec<_>>(),
            other.keys().collect::<Vec<_>>()
        );
        for (path, bytes) in &site {
            assert!(
                path.ends_with(".upward-manifest") || bytes == &other[path],
                "{path} differs in the {name} build"
            );
        }
    }
    // A note edited since is read again.
    let rel = "1-1s/2026-11-17 Dana Whitaker.md";
    vault.write(rel, vault.read(rel).replace("Noor accepted", "Noor signed"));
    vault.run(&["build", "--out", &out("cached")]).code(1);
    let page = std::fs::read_to_string(
        dir.path()
            .join("cached/meetings/2026-11-17-dana-whitaker/index.html"),
    )
    .unwrap();
    assert!(page.contains("Noor signed"), "{page}");
}

/// Notes with the publishing keys of Obsidian Publish and links in their properties.
fn publishing_vault() -> TestVault {
    TestVault::new()
        .file(
            "notes/Plan.md",
            "---\npublish: true\npermalink: /q1-plan/\ndescription: The plan for Q1, <b>in one page</b>.\n\
             cssclasses: [wide, \"print-tight\", \"x\\\"><script>alert(1)</script>\"]\n\
             image: \"[[chart.png]]\"\n\
             related: [\"[[Secret]]\", \"[[Q1 plan]]\", \"[spec](https://example.com/spec)\"]\n\
             owner: \"[[Nobody yet]]\"\n---\n# Plan\n\nText.\n",
        )
        // Its name makes the slug the permalink asked for, and it comes first in the vault:
        // it gives way all the same.
        .file("archive/Q1 plan.md", "---\npublish: true\n---\nAnother [[Plan]].\n")
        .file("notes/Secret.md", "---\npublish: false\n---\nprivate-secret-text\n")
        .file("chart.png", b"\x89PNG\r\n\x1a\nchart")
        .file("unused.png", b"\x89PNG\r\n\x1a\nunused")
        .file(
            "1-1s/2026-11-20 Dana.md",
            "---\ndate: 2026-11-20\nwith: Dana\npermalink: kickoff\ncssclass: agenda\n---\n\
             See [[Plan]].\n",
        )
}

#[test]
fn the_publishing_keys_of_obsidian_publish_set_the_page_and_property_links_resolve() {
    let vault = publishing_vault();
    let out = vault.path().join("_site");
    vault.run(&["build"]).code(0);
    let site = files(&out);
    // The permalink is the page's address in its section; the note whose name made the same
    // slug takes the next one, and links follow both.
    let page = vault.read("_site/notes/q1-plan/index.html");
    assert!(site.contains_key("notes/q1-plan-2/index.html"), "{site:?}");
    assert!(!site.contains_key("notes/plan/index.html"));
    assert!(site.contains_key("meetings/kickoff/index.html"), "{site:?}");
    let meeting = vault.read("_site/meetings/kickoff/index.html");
    assert!(
        meeting.contains("<a href=\"../../notes/q1-plan/\">Plan</a>"),
        "{meeting}"
    );
    assert!(
        meeting.contains("<article class=\"note meeting agenda\">"),
        "{meeting}"
    );
    // The description is the page's, escaped; the classes are those that are class names.
    assert!(
        page.contains(
            "<meta name=\"description\" content=\"The plan for Q1, &lt;b&gt;in one page&lt;/b&gt;.\">"
        ),
        "{page}"
    );
    assert!(
        page.contains(
            "<p class=\"description\">The plan for Q1, &lt;b&gt;in one page&lt;/b&gt;.</p>"
        ),
        "{page}"
    );
    assert!(
        page.contains("<article class=\"note wide print-tight\">"),
        "{page}"
    );
    assert!(
        !page.contains("alert(1)") && !page.contains("<script"),
        "{page}"
    );
    // Publishing keys are not listed as properties; other keys are, their links resolved.
    for key in ["permalink", "description", "cssclasses"] {
        assert!(!page.contains(&format!("<dt>{key}</dt>")), "{key}: {page}");
    }
    assert!(
        page.contains(
            "<dt>image</dt><dd><a href=\"../../attachments/chart.png\">chart.png</a></dd>"
        ),
        "{page}"
    );
    assert!(
        page.contains(
            "<dt>related</dt><dd>Secret, <a href=\"../../notes/q1-plan-2/\">Q1 plan</a>, \
             <a href=\"https://example.com/spec\">spec</a></dd>"
        ),
        "{page}"
    );
    assert!(page.contains("<dt>owner</dt><dd>Nobody yet</dd>"), "{page}");
    // The attachment a property links to is copied; one nothing uses is not, and the
    // unpublished note is nowhere.
    assert!(site.contains_key("attachments/chart.png"));
    assert!(!site.contains_key("attachments/unused.png"));
    for (path, bytes) in &site {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains("private-secret-text"), "{path}");
        assert_links_resolve(&site, path, &text, &[]);
    }
    // A permalink changed moves the page, and the note that gave way takes its own slug
    // back; the rebuild is the fresh build.
    vault.write(
        "notes/Plan.md",
        vault
            .read("notes/Plan.md")
            .replace("/q1-plan/", "plan-2027"),
    );
    vault.run(&["build"]).code(0);
    assert!(out.join("notes/plan-2027/index.html").is_file());
    assert!(
        std::fs::read_to_string(out.join("notes/q1-plan/index.html"))
            .unwrap()
            .contains("Another")
    );
    assert!(!out.join("notes/q1-plan-2").exists());
    assert_same_as_fresh(&vault, &out, "a permalink changed");
    // A note a property links to, published later: the link appears.
    vault.write(
        "notes/Secret.md",
        "---\npublish: true\n---\nnow published\n",
    );
    vault.run(&["build"]).code(0);
    assert!(
        vault
            .read("_site/notes/plan-2027/index.html")
            .contains("<a href=\"../../notes/secret/\">Secret</a>")
    );
    assert_same_as_fresh(&vault, &out, "a note a property links to published");
}

#[test]
fn a_permalink_used_twice_is_warned_of_and_the_second_page_takes_the_next_address() {
    let vault = TestVault::new()
        .file(
            "notes/A.md",
            "---\npublish: true\npermalink: plan\n---\nFirst.\n",
        )
        .file(
            "notes/B.md",
            "---\npublish: true\ntags: [x]\npermalink: Plan\n---\nSecond.\n",
        )
        // Not published, so it takes no address and is not warned of.
        .file("notes/C.md", "---\npermalink: plan\n---\nPrivate.\n")
        // A meeting's permalink is an address among the meetings: no clash.
        .file(
            "1-1s/2026-11-20 Dana.md",
            "---\ndate: 2026-11-20\nwith: Dana\npermalink: plan\n---\nx\n",
        );
    let out = vault.path().join("_site");
    let built = vault.run(&["build"]).code(0);
    let warning = "notes/B.md:4:1: warning: the permalink `Plan` makes the address of `notes/A.md` \
                   too, which keeps it; this page gets `plan-2` or the next free one";
    assert!(built.stderr.contains(warning), "{}", built.stderr);
    assert_eq!(
        built.stderr.matches("warning:").count(),
        1,
        "{}",
        built.stderr
    );
    assert!(
        std::fs::read_to_string(out.join("notes/plan/index.html"))
            .unwrap()
            .contains("First.")
    );
    assert!(
        std::fs::read_to_string(out.join("notes/plan-2/index.html"))
            .unwrap()
            .contains("Second.")
    );
    assert!(out.join("meetings/plan/index.html").is_file());
    let checked = vault.run(&["check"]).code(0);
    assert!(
        checked.stdout.contains(warning),
        "{}{}",
        checked.stdout,
        checked.stderr
    );
}
