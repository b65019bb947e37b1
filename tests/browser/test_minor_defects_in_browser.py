"""Issue 15's minor defects 5–9 and 12, as an admin or a reviewer meets them in a real browser, each at a desk
(1440×900) and on a phone (390×844, with touch, in chromium's mobile emulation):

5. the same person as reviewer and second reviewer: an error beside the control, and nobody assigned;
6. an approved paragraph's entities change only after reopening it (mouse, tap, keyboard, the entity's menu);
7. after a newer model, "Translate all untranslated" and an approved article's "Translate" leave approved and
   translated work alone, and no new draft appears before the reviewer;
8. the glossary form refuses an "Arabic" term without an Arabic letter and a 5,000-character term, beside the
   fields; a number in the glossary (٤٫٢٪ → 4.2%) is never suggested as an entity;
9. an admin cannot deactivate their own account, nor can the last active admin be deactivated another way;
12. an imported article shows no web separators (|) in the workspace.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Article, AuditEvent, Entity, GlossaryTerm, Label, Paragraph, TranslationJob, User
from tests.browser.conftest import log_in
from tests.browser.test_entities_in_browser import (
    AR, arrange, entities, select_text, tag, teach_by_approval, utf16, wait_for_status, wait_until_served,
)
from tests.browser.test_live_workspace_in_browser import approve_as
from tests.browser.test_tagging_by_touch import CHAR_CENTRE

pytestmark = pytest.mark.slow

OVERRIDE = "Checked against the source."


def press(page, locator) -> None:
    """A tap on a phone, a click at a desk."""
    locator.scroll_into_view_if_needed()
    if page.phone:
        locator.tap()
    else:
        locator.click()


def press_and_wait(page, locator) -> None:
    with page.expect_navigation():
        press(page, locator)


def flashes(page) -> str:
    return " ".join(page.locator(".flashes").all_inner_texts())


# --- 5: the same person twice ----------------------------------------------------------------------------

def test_admin_who_picks_one_person_as_both_reviewers_sees_why_beside_the_control_and_nobody_is_assigned(
        screen, live_server, world):
    page = screen
    article_id = world.unassigned[0]
    log_in(page, "admin")
    page.goto(f"/admin/articles/{article_id}")
    page.get_by_label("Reviewer", exact=True).select_option("rev1")
    page.get_by_label("Second reviewer (optional)").select_option("rev1")
    press_and_wait(page, page.get_by_role("button", name="Save assignment"))

    second = page.get_by_label("Second reviewer (optional)")
    assert second.get_attribute("aria-invalid") == "true"
    beside = page.locator(f"#{second.get_attribute('aria-describedby')}")
    assert "must be different people" in beside.inner_text()
    assert page.locator(".field.has-error").filter(has=second).count() == 1  # in the control's own field
    assert "Assignment saved" not in flashes(page)

    page.goto(f"/admin/articles/{article_id}")  # after a reload: nobody
    assert page.get_by_label("Reviewer", exact=True).input_value() == ""
    assert page.get_by_label("Second reviewer (optional)").input_value() == ""
    assert "assignment.create" not in page.locator("ol.events, p.empty").last.inner_text()
    with live_server.services():
        assert not db.session.scalars(select(AuditEvent).where(
            AuditEvent.object_type == "article", AuditEvent.object_id == article_id,
            AuditEvent.action == "assignment.create")).all()


# --- 6: an approved paragraph's entities -----------------------------------------------------------------

def touch_or_select_word(page, pid: int, text: str, word: str) -> None:
    """A tap on the word on a phone; a mouse selection of it at a desk."""
    cell = f'[data-paragraph-id="{pid}"] p.ar'
    start = text.index(word)
    if page.phone:
        page.locator(cell).scroll_into_view_if_needed()
        point = page.evaluate(CHAR_CENTRE, [cell, utf16(text, start + len(word) // 2)])
        page.touchscreen.tap(point["x"], point["y"])
    else:
        select_text(page, cell, text, start, start + len(word))


LOCKED = "reopen it to change its entities"


def test_reviewer_cannot_change_an_approved_paragraphs_entities_until_reopening_it(screen, live_server):
    page = screen
    article_id, pid = arrange(live_server)
    tag(live_server, pid, "ar", AR, "بوتيـــن", "PER")
    approve_as(live_server, "rev1", [pid], OVERRIDE)
    log_in(page, "rev1")
    page.goto(f"/articles/{article_id}")
    page.locator(f'[data-paragraph-id="{pid}"][data-entities-rendered]').wait_for()
    row = page.locator(f'[data-paragraph-id="{pid}"]')
    palette = page.locator("#label-palette")
    status = page.locator("#workspace-status")

    # Words selected (or tapped): no palette, the page says why.
    touch_or_select_word(page, pid, AR, "مُوسْكُو")
    status.filter(has_text=LOCKED).wait_for()
    page.wait_for_timeout(200)
    assert palette.is_hidden()

    # The keyboard's word cursor: refused alike.
    page.evaluate("document.getElementById('workspace-status').textContent = ''")
    page.evaluate("(id) => document.querySelector(`[data-paragraph-id=\"${id}\"]`).focus()", pid)
    page.keyboard.press("t")
    status.filter(has_text=LOCKED).wait_for()
    assert "word-cursor" not in (row.locator("p.ar").get_attribute("class") or "")
    assert palette.is_hidden()

    # The entity's menu names it and offers neither relabelling nor deleting.
    press(page, row.locator("p.ar span.ent"))
    menu = page.locator("#entity-menu")
    menu.wait_for()
    assert "بوتيـــن" in menu.inner_text()
    assert menu.get_by_role("button", name="Delete").count() == 0
    assert menu.locator("[data-label]").count() == 0
    page.keyboard.press("Escape")
    assert entities(live_server, pid) == [("ar", AR.index("بوتيـــن"), AR.index("بوتيـــن") + len("بوتيـــن"), "PER",
                                           "بوتيـــن")]

    # Reopened, it tags again.
    press(page, row.get_by_role("button", name="Reopen"))
    page.get_by_role("status").filter(has_text="Reopened.").wait_for()
    touch_or_select_word(page, pid, AR, "مُوسْكُو")
    palette.wait_for()
    press(page, palette.locator('[data-label="LOC"]'))
    wait_for_status(page, "Tagged")
    start = AR.index("مُوسْكُو")
    assert entities(live_server, pid)[-1] == ("ar", start, start + len("مُوسْكُو"), "LOC", "مُوسْكُو")


# --- 7: a newer model and approved work ------------------------------------------------------------------

@pytest.fixture(scope="session")
def model_files(tmp_path_factory):
    from tests.support.tiny_argos import build_argos_package

    older = build_argos_package(tmp_path_factory.mktemp("older-model"))
    newer = build_argos_package(tmp_path_factory.mktemp("newer-model"), name="translate-ar_en-newer", seed=7)
    return older, newer


def translate(live_server, article_id: int, package) -> None:
    from app.services import mt, mt_engine

    job = mt.create_translation_job(db.session.get(Article, article_id), package, actor=None).job
    mt.run_translation_job(job.id, live_server.app.instance_path,
                           lambda p: mt_engine.get_translator(p, mt_engine.EngineOptions(compute_type="float32")))


def test_after_a_newer_model_translate_all_and_translate_leave_approved_and_translated_articles_alone(
        screen, live_server, world, model_files):
    from app.services import mt_packages, workflow
    from app.services import users as user_service

    page = screen
    approved_id, translated_id = world.assigned["rev1"]
    with live_server.services():
        older = mt_packages.install_package(model_files[0], live_server.app.instance_path)
        translate(live_server, approved_id, older)
        translate(live_server, translated_id, older)
        approved_ids = [p.id for p in db.session.get(Article, approved_id).paragraphs]
    approve_as(live_server, "rev1", approved_ids, OVERRIDE)
    with live_server.services():
        workflow.submit_article(db.session.get(Article, approved_id), user_service.get_user_by_username("rev1"))
        workflow.approve_article(db.session.get(Article, approved_id), user_service.get_user_by_username("admin"))
        approved_english = {p.id: p.current_revision.text for p in db.session.get(Article, approved_id).paragraphs}
        newer = mt_packages.install_package(model_files[1], live_server.app.instance_path)
        untranslated = sorted(set(world.articles) - {approved_id, translated_id})

    log_in(page, "admin")
    page.goto("/admin/")
    press_and_wait(page, page.get_by_role("button", name="Translate all untranslated"))
    assert f"Translation queued for {len(untranslated)} article(s)." in flashes(page)
    with live_server.services():
        queued = db.session.scalars(select(TranslationJob.article_id).where(
            TranslationJob.model_id == newer.model_id).order_by(TranslationJob.article_id)).all()
        assert queued == untranslated  # neither the approved nor the translated article

    # The approved article's own Translate: a message, and nothing queued.
    page.goto(f"/admin/articles/{approved_id}")
    press_and_wait(page, page.get_by_role("button", name="Translate", exact=True))
    assert "This article is approved: its English is final, so no machine translation was queued." in flashes(page)
    with live_server.services():
        assert not db.session.scalar(select(func.count()).select_from(TranslationJob).where(
            TranslationJob.article_id == approved_id, TranslationJob.model_id == newer.model_id))

    # Its reviewer sees the English approved, and no new draft beside it.
    page.context.clear_cookies()
    log_in(page, "rev1")
    page.goto(f"/articles/{approved_id}")
    assert page.locator(".machine").count() == 0
    shown = {int(pid): text for pid, text in page.evaluate(
        "Array.from(document.querySelectorAll('[data-paragraph-id]'))"
        ".map(r => [r.dataset.paragraphId, r.querySelector('[data-en-text]').textContent.trim()])")}
    assert shown == approved_english


# --- 8: the glossary ---------------------------------------------------------------------------------------

def test_glossary_page_refuses_a_term_without_arabic_letters_and_a_5000_character_term_beside_the_fields(
        screen, live_server):
    page = screen
    log_in(page, "admin")
    page.goto("/admin/glossary")
    arabic, english = page.get_by_label("Arabic form"), page.get_by_label("English form")

    arabic.fill("Gazprom")
    english.fill("Gazprom")
    press_and_wait(page, page.get_by_role("button", name="Save term"))
    arabic = page.get_by_label("Arabic form")
    assert arabic.get_attribute("aria-invalid") == "true"
    assert "must contain Arabic letters" in page.locator(f"#{arabic.get_attribute('aria-describedby')}").inner_text()

    # 5,000 characters pasted, or sent by a page that does not limit them (maxlength set aside).
    page.evaluate("document.querySelectorAll('input[maxlength]').forEach(i => i.removeAttribute('maxlength'))")
    page.get_by_label("Arabic form").fill("منظمة" * 1000)
    page.get_by_label("English form").fill("Organisation" * 417)
    press_and_wait(page, page.get_by_role("button", name="Save term"))
    for name in ("Arabic form", "English form"):
        field = page.get_by_label(name)
        assert field.get_attribute("aria-invalid") == "true", name
        assert "200 characters" in page.locator(f"#{field.get_attribute('aria-describedby')}").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    with live_server.services():
        assert db.session.scalar(select(func.count()).select_from(GlossaryTerm)) == 0


NUMBER_AR = "وارتفعت أرباح شركة غازبروم بنسبة ٤٫٢٪ هذا العام."
NUMBER_EN = "Gazprom's profits rose by 4.2% this year."


def test_reviewer_is_never_offered_a_number_from_the_glossary_as_an_entity(screen, live_server):
    from app.services import glossary

    page = screen
    article_id, pid = arrange(live_server, NUMBER_AR, NUMBER_EN)
    with live_server.services():
        for other in db.session.scalars(select(Paragraph).where(Paragraph.article_id == article_id,
                                                                Paragraph.id != pid)):
            other.ar = "فقرة أخرى."
        # A number in the glossary, as the glossary learned them before it refused them.
        db.session.add(GlossaryTerm(ar="٤٫٢٪", en="4.2%", origin="learned",
                                    label_id=db.session.scalar(select(Label.id).where(Label.name == "PERCENT"))))
        db.session.commit()
        glossary.create_term("غازبروم", "Gazprom", "ORG")
    # …and learned from an approved link, as it would be now.
    teach_by_approval(live_server, "ارتفع المؤشر ٤٫٢٪ اليوم", "The index rose 4.2% today", "٤٫٢٪", "4.2%", "PERCENT")

    log_in(page, "rev1")
    ar_start, en_start = NUMBER_AR.index("غازبروم"), NUMBER_EN.index("Gazprom")
    gazprom_ar = {"paragraph_id": pid, "lang": "ar", "start": ar_start, "end": ar_start + len("غازبروم"),
                  "text": "غازبروم", "label": "ORG", "source": "glossary", "link_to": None}
    gazprom_en = {"paragraph_id": pid, "lang": "en", "start": en_start, "end": en_start + len("Gazprom"),
                  "text": "Gazprom", "label": "ORG", "source": "glossary",
                  "link_to": {"lang": "ar", "start": gazprom_ar["start"], "end": gazprom_ar["end"]}}
    wait_until_served(page, article_id, [gazprom_ar, gazprom_en])

    page.goto(f"/articles/{article_id}")
    page.locator(f'[data-paragraph-id="{pid}"][data-entities-rendered]').wait_for()
    dashed = page.locator(f'[data-paragraph-id="{pid}"] span.ent-suggestion')
    dashed.first.wait_for()
    assert sorted(dashed.all_inner_texts()) == ["Gazprom", "غازبروم"]
    with live_server.services():
        assert not db.session.scalars(select(Entity).where(Entity.paragraph_id == pid)).all()


# --- 9: an admin's own account ----------------------------------------------------------------------------

def test_admin_cannot_deactivate_themselves_nor_the_last_active_admin_by_another_route(screen, live_server):
    page = screen
    with live_server.services():
        admin_id = db.session.scalar(select(User.id).where(User.username == "admin"))
    log_in(page, "admin")
    page.goto(f"/admin/users/{admin_id}")
    assert page.get_by_role("button", name="Deactivate").count() == 0
    assert "You cannot deactivate your own account" in page.locator("main").inner_text()

    # The form the page no longer shows, sent anyway (with the page's CSRF token): refused, with a message.
    with page.expect_navigation():
        page.evaluate("""(action) => {
          const form = document.createElement('form');
          form.method = 'post';
          form.action = action;
          form.appendChild(document.querySelector('input[name=csrf_token]').cloneNode());
          document.body.appendChild(form);
          form.submit();
        }""", f"/admin/users/{admin_id}/deactivate")
    assert "You cannot deactivate your own account" in flashes(page)
    assert "deactivated" not in page.locator("dl.meta").inner_text()

    # The server's command line: the last active admin stays.
    result = live_server.app.test_cli_runner().invoke(args=["users", "deactivate", "admin"])
    assert result.exit_code != 0 and "last active admin" in result.output
    with live_server.services():
        assert db.session.get(User, admin_id).active
    page.goto("/admin/users")  # still logged in
    assert page.url.endswith("/admin/users")


# --- 12: web separators -----------------------------------------------------------------------------------

IMPORTED = "\n\n".join([
    "لافروف يبحث مع نظيره الكازاخستاني التعاون الثقافي",
    "وأكد الوزيران على أهمية الحوار بين الشعوب، وفي احترام التنوع الثقافي. |",
    "وقال لافروف إن البلدين يعملان معا في منظمة شنغهاي للتعاون.",
    "مصدر | وكالة تسنيم للأنباء |",
]) + "\n"


def test_an_article_imported_on_the_page_shows_no_web_separators_in_the_workspace(screen, live_server):
    page = screen
    log_in(page, "admin")
    page.goto("/admin/import")
    page.get_by_label("Article files (.txt, UTF-8)").set_input_files(
        files=[{"name": "tasnim.txt", "mimeType": "text/plain", "buffer": IMPORTED.encode("utf-8")}])
    press_and_wait(page, page.get_by_role("button", name="Import"))
    assert "1 of 1 files imported." in flashes(page)
    with live_server.services():
        article_id = db.session.scalar(select(func.max(Article.id)))

    page.goto(f"/articles/{article_id}")
    # Their text, whether or not on screen (rows off screen are not rendered: content-visibility: auto).
    arabic = page.locator("[data-paragraph-id] p.ar").all_text_contents()
    assert arabic[1].strip().endswith("احترام التنوع الثقافي.")
    assert arabic[-1].strip() == "مصدر: وكالة تسنيم للأنباء"
    assert not [text for text in arabic if "|" in text]
