"""Entity suggestions from the glossary and from approved entities (app/services/suggestions.py)."""
import hashlib
import math
import threading
import time

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Article, Entity, EntityLink, Label, Paragraph, SuggestionRejection, Translation
from app.services import NotFound, ServiceError
from app.services import glossary
from app.services.suggestions import Suggestion, article_suggestions, build_known_forms, reject_suggestion
from tests.conftest import make_config


def make_article(paragraphs: list[tuple[str, str | None]], *, approved: bool = False) -> list[Paragraph]:
    """An article whose paragraphs have this Arabic and (current) English."""
    raw = "\n".join(ar for ar, _ in paragraphs).encode()
    number = db.session.scalar(select(func.count()).select_from(Article))
    article = Article(title=paragraphs[0][0], original_filename="t.txt", raw_bytes=raw,
                      checksum=hashlib.sha256(raw + str(number).encode()).hexdigest())
    article.paragraphs = [Paragraph(position=i, kind="body", ar=ar) for i, (ar, _) in enumerate(paragraphs)]
    db.session.add(article)
    db.session.flush()
    for paragraph, (_, english) in zip(article.paragraphs, paragraphs):
        if english is not None:
            revision = Translation(paragraph_id=paragraph.id, text=english, origin="human")
            db.session.add(revision)
            db.session.flush()
            paragraph.current_revision_id = revision.id
            if approved:
                paragraph.approved_revision_id = revision.id
                paragraph.status = "approved"
    db.session.commit()
    return article.paragraphs


def label_id(name: str) -> int:
    return db.session.scalar(select(Label.id).where(Label.name == name))


def add_entity(paragraph: Paragraph, lang: str, surface: str, label: str, *, occurrence: int = 0) -> Entity:
    text = paragraph.ar if lang == "ar" else db.session.get(Translation, paragraph.current_revision_id).text
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(surface, start + 1)
    entity = Entity(paragraph_id=paragraph.id, lang=lang, start=start, end=start + len(surface),
                    label_id=label_id(label), text=surface,
                    translation_id=paragraph.current_revision_id if lang == "en" else None)
    db.session.add(entity)
    db.session.commit()
    return entity


def link(ar: Entity, en: Entity) -> None:
    db.session.add(EntityLink(ar_entity_id=ar.id, en_entity_id=en.id))
    db.session.commit()


def compact(suggestions: list[Suggestion]) -> list[tuple]:
    return [(s.lang, s.text, s.label, s.source, s.link_to) for s in suggestions]


def test_glossary_terms_are_suggested_with_proclitics_and_diacritics(app):
    glossary.create_term("روسيا", "Russia", "LOC")
    glossary.create_term("الاتحاد الاقتصادي الأوراسي", "Eurasian Economic Union", "ORG")
    arabic = "تعاون بين رُوسيا وتركمانستان وروسـيا بالاتحاد الاقتصادي الاوراسي"
    (paragraph,) = make_article([(arabic, None)])
    suggestions = article_suggestions(paragraph.article_id)
    assert compact(suggestions) == [
        ("ar", "رُوسيا", "LOC", "glossary", None),
        ("ar", "روسـيا", "LOC", "glossary", None),
        ("ar", "الاتحاد الاقتصادي الاوراسي", "ORG", "glossary", None),
    ]
    for s in suggestions:
        assert arabic[s.start:s.end] == s.text and s.paragraph_id == paragraph.id
    assert suggestions[1].start == arabic.index("وروسـيا") + 1  # without the و
    assert suggestions[0].as_dict() == {
        "paragraph_id": paragraph.id, "lang": "ar", "start": 10, "end": 16, "label": "LOC", "text": "رُوسيا",
        "source": "glossary", "link_to": None}


def test_english_form_of_a_suggestion_is_suggested_and_pre_linked(app):
    glossary.create_term("تركمانستان", "Turkmenistan", "LOC")
    (paragraph,) = make_article([("وصل رئيس تركمانستان", "The president of TURKMENISTAN arrived.")])
    arabic, english = article_suggestions(paragraph.article_id)
    assert (arabic.lang, arabic.text) == ("ar", "تركمانستان")
    assert (english.lang, english.text, english.label, english.source) == ("en", "TURKMENISTAN", "LOC", "glossary")
    assert english.link_to == {"lang": "ar", "start": arabic.start, "end": arabic.end}
    assert "The president of TURKMENISTAN arrived."[english.start:english.end] == "TURKMENISTAN"


def test_entities_of_approved_paragraphs_are_suggested_elsewhere(app):
    (done,) = make_article([("التقى بوتين نظيره", "Putin met his counterpart")], approved=True)
    ar = add_entity(done, "ar", "بوتين", "PER")
    en = add_entity(done, "en", "Putin", "PER")
    link(ar, en)
    (draft,) = make_article([("قال بوتين إن لبوتين رأيا", "Putin said that Putin has a view")])  # not approved
    suggestions = article_suggestions(draft.article_id)
    assert compact(suggestions) == [
        ("ar", "بوتين", "PER", "approved", None),
        ("ar", "بوتين", "PER", "approved", None),
        ("en", "Putin", "PER", "approved", {"lang": "ar", "start": 4, "end": 9}),
        ("en", "Putin", "PER", "approved", {"lang": "ar", "start": 14, "end": 19}),  # k-th with k-th
    ]
    # An entity of a paragraph that is not approved teaches nothing.
    add_entity(draft, "ar", "قال", "MISC")
    (third,) = make_article([("قال بوتين", None)])
    assert [s.text for s in article_suggestions(third.article_id)] == ["بوتين"]


def test_numbers_tagged_in_approved_paragraphs_are_not_suggested_elsewhere(app):
    """A percentage tagged and linked once (٤٫٢٪ → 4.2%) is a figure, not a name: QA compares figures."""
    (done,) = make_article([("ارتفع المؤشر ٤٫٢٪ وقال بوتين", "The index rose 4.2% and Putin said")], approved=True)
    link(add_entity(done, "ar", "٤٫٢٪", "PERCENT"), add_entity(done, "en", "4.2%", "PERCENT"))
    link(add_entity(done, "ar", "بوتين", "PER"), add_entity(done, "en", "Putin", "PER"))
    (draft,) = make_article([("ارتفعت الأسعار ٤٫٢٪ وقال بوتين", "Prices rose 4.2% and Putin said")])
    assert [(s.lang, s.text) for s in article_suggestions(draft.article_id)] == [("ar", "بوتين"), ("en", "Putin")]


def test_the_most_frequent_label_wins(app):
    paragraphs = make_article([("واشنطن وواشنطن", "Washington"), ("واشنطن", "Washington")], approved=True)
    add_entity(paragraphs[0], "ar", "واشنطن", "LOC")
    add_entity(paragraphs[0], "ar", "واشنطن", "ORG", occurrence=1)
    add_entity(paragraphs[1], "ar", "واشنطن", "ORG")
    (other,) = make_article([("زار واشنطن", None)])
    assert compact(article_suggestions(other.article_id)) == [("ar", "واشنطن", "ORG", "approved", None)]
    # A glossary term outranks approved entities.
    glossary.create_term("واشنطن", "Washington", "LOC")
    assert compact(article_suggestions(other.article_id)) == [("ar", "واشنطن", "LOC", "glossary", None)]


def test_existing_entities_are_not_suggested_again_but_linked_from(app):
    glossary.create_term("روسيا", "Russia", "LOC")
    (paragraph,) = make_article([("روسيا وروسيا", "Russia and Russia")])
    first = add_entity(paragraph, "ar", "روسيا", "LOC")
    add_entity(paragraph, "ar", "وروسيا", "LOC")  # tagged with its proclitic: it still covers the suggestion
    suggestions = article_suggestions(paragraph.article_id)
    assert compact(suggestions) == [
        ("en", "Russia", "LOC", "glossary", {"ar_entity_id": first.id}),
        ("en", "Russia", "LOC", "glossary", {"ar_entity_id": first.id + 1}),
    ]
    # The same span with another label is still suggested.
    (other,) = make_article([("روسيا", None)])
    add_entity(other, "ar", "روسيا", "ORG")
    assert compact(article_suggestions(other.article_id)) == [("ar", "روسيا", "LOC", "glossary", None)]
    # An English entity of the current revision with the label covers its suggestion.
    add_entity(paragraph, "en", "Russia", "LOC")
    assert [s.start for s in article_suggestions(paragraph.article_id)] == [len("Russia and ")]


def test_english_entities_of_an_older_revision_do_not_hide_suggestions(app):
    glossary.create_term("روسيا", "Russia", "LOC")
    (paragraph,) = make_article([("روسيا", "Russia")])
    add_entity(paragraph, "en", "Russia", "LOC")
    newer = Translation(paragraph_id=paragraph.id, text="Russia", origin="human")
    db.session.add(newer)
    db.session.flush()
    paragraph.current_revision_id = newer.id
    db.session.commit()
    assert [s.lang for s in article_suggestions(paragraph.article_id)] == ["ar", "en"]


def test_rejected_suggestions_are_not_suggested_again(app, reviewer):
    glossary.create_term("روسيا", "Russia", "LOC")
    (paragraph,) = make_article([("روسيا وروسيا", "Russia and Russia")])
    ar_first, ar_second, en_first, en_second = article_suggestions(paragraph.article_id)
    rejection = reject_suggestion(paragraph.id, "ar", ar_first.start, ar_first.end, "LOC", actor=reviewer)
    again = reject_suggestion(paragraph.id, "ar", ar_first.start, ar_first.end, "LOC", actor=reviewer)
    assert again.id == rejection.id and rejection.text == "روسيا" and rejection.user_id == reviewer.id
    reject_suggestion(paragraph.id, "en", en_second.start, en_second.end, "LOC", actor=reviewer)
    left = article_suggestions(paragraph.article_id)
    assert [(s.lang, s.start) for s in left] == [("ar", ar_second.start), ("en", en_first.start)]
    assert db.session.scalar(select(func.count()).select_from(SuggestionRejection)) == 2
    # Rejections are per paragraph: the same text elsewhere is still suggested.
    (other,) = make_article([("روسيا وروسيا", None)])
    assert len(article_suggestions(other.article_id)) == 2


def test_a_rejection_only_hides_the_text_it_was_made_for(app, reviewer):
    glossary.create_term("روسيا", "Russia", "LOC")
    (paragraph,) = make_article([("روسيا", "Russia is big")])
    english = article_suggestions(paragraph.article_id)[1]
    reject_suggestion(paragraph.id, "en", english.start, english.end, "LOC", actor=reviewer)
    assert [s.lang for s in article_suggestions(paragraph.article_id)] == ["ar"]
    newer = Translation(paragraph_id=paragraph.id, text="Russia", origin="human")  # same span, same word
    db.session.add(newer)
    db.session.flush()
    paragraph.current_revision_id = newer.id
    db.session.commit()
    assert [s.lang for s in article_suggestions(paragraph.article_id)] == ["ar"]


@pytest.mark.parametrize("lang, start, end, label, message", [
    ("fr", 0, 1, "LOC", "lang must be"),
    ("ar", 3, 3, "LOC", "does not lie inside"),
    ("ar", 0, 99, "LOC", "does not lie inside"),
    ("ar", 0, 2, "PLACE", "Unknown label"),
])
def test_rejections_are_checked(app, reviewer, lang, start, end, label, message):
    (paragraph,) = make_article([("روسيا", None)])
    with pytest.raises(ServiceError, match=message):
        reject_suggestion(paragraph.id, lang, start, end, label, actor=reviewer)
    with pytest.raises(ServiceError, match="no English yet"):
        reject_suggestion(paragraph.id, "en", 0, 1, "LOC", actor=reviewer)
    with pytest.raises(NotFound):
        reject_suggestion(paragraph.id + 100, "ar", 0, 1, "LOC", actor=reviewer)


def test_known_forms_follow_changes_and_can_be_passed_in(app):
    (paragraph,) = make_article([("موسكو عاصمة روسيا", None)])
    assert article_suggestions(paragraph.article_id) == []
    term = glossary.create_term("موسكو", "Moscow", "LOC")
    assert [s.text for s in article_suggestions(paragraph.article_id)] == ["موسكو"]
    glossary.update_term(term.id, ar="روسيا", en="Russia", label="LOC")
    assert [s.text for s in article_suggestions(paragraph.article_id)] == ["روسيا"]
    forms = build_known_forms()
    glossary.delete_term(term.id)
    assert article_suggestions(paragraph.article_id) == []
    assert [s.text for s in article_suggestions(paragraph.article_id, glossary_matcher=forms)] == ["روسيا"]
    # Retired labels are not suggested.
    glossary.create_term("موسكو", "Moscow", "EVENT")
    db.session.get(Label, label_id("EVENT")).retired = True
    db.session.commit()
    assert article_suggestions(paragraph.article_id) == []


def test_seed_articles_and_restriction_to_some_paragraphs(app, seeded):
    glossary.create_term("روسيا", "Russia", "LOC")
    glossary.create_term("آسيا الوسطى", "Central Asia", "LOC")
    suggestions = article_suggestions(seeded[0])
    paragraphs = {p.id: p.ar for p in db.session.scalars(select(Paragraph).where(Paragraph.article_id == seeded[0]))}
    assert len(suggestions) >= 10
    for s in suggestions:
        assert paragraphs[s.paragraph_id][s.start:s.end] == s.text
    first = suggestions[0].paragraph_id
    assert {s.paragraph_id for s in article_suggestions(seeded[0], paragraph_ids=[first])} == {first}


def test_an_unknown_article_is_not_found(app):
    with pytest.raises(NotFound):
        article_suggestions(12345)


def test_a_longer_english_form_needed_elsewhere_does_not_hide_a_shorter_one(app):
    glossary.create_term("بوتين", "Putin", "PER")
    glossary.create_term("فلاديمير بوتين", "Vladimir Putin", "PER")
    here, elsewhere = make_article([("قال بوتين", "Vladimir Putin said"),
                                    ("قال فلاديمير بوتين", "Vladimir Putin said")])
    suggestions = article_suggestions(here.article_id)
    assert [(s.paragraph_id, s.lang, s.text) for s in suggestions] == [
        (here.id, "ar", "بوتين"), (here.id, "en", "Putin"),
        (elsewhere.id, "ar", "فلاديمير بوتين"), (elsewhere.id, "en", "Vladimir Putin"),
    ]


def test_an_approval_rebuilds_only_the_approved_layer(app):
    from app.services import suggestions

    def cached_forms():
        return suggestions._cache[db.engine.url.render_as_string(hide_password=True)]

    glossary.create_term("روسيا", "Russia", "LOC")
    (paragraph,) = make_article([("زار بوتين روسيا", None)])
    assert [s.text for s in article_suggestions(paragraph.article_id)] == ["روسيا"]
    cached = cached_forms()
    (done,) = make_article([("قال بوتين", "Putin said")], approved=True)
    link(add_entity(done, "ar", "بوتين", "PER"), add_entity(done, "en", "Putin", "PER"))
    assert [s.text for s in article_suggestions(paragraph.article_id)] == ["بوتين", "روسيا"]
    rebuilt = cached_forms()
    assert rebuilt.glossary is cached.glossary and rebuilt.fingerprint[0] == cached.fingerprint[0]
    glossary.create_term("موسكو", "Moscow", "LOC")
    article_suggestions(paragraph.article_id)
    assert cached_forms().glossary is not cached.glossary


def slowed_builds(monkeypatch) -> tuple[list[str], threading.Event, threading.Event]:
    """Builds of the known forms, once they have read the glossary, hold until `release` is set (`entered`
    tells one holds); `names` lists the thread of each build."""
    from app.services import suggestions

    names, entered, release = [], threading.Event(), threading.Event()
    real = suggestions._glossary_part

    def slow(labels):
        names.append(threading.current_thread().name)
        part = real(labels)
        entered.set()
        assert release.wait(10)
        return part

    monkeypatch.setattr(suggestions, "_glossary_part", slow)
    return names, entered, release


def suggest_in_a_thread(app, article_id: int) -> tuple[threading.Thread, list]:
    """article_suggestions as a request would call it, in a thread and an app context of its own."""
    results = []

    def request():
        with app.app_context():
            results.append([s.text for s in article_suggestions(article_id)])

    thread = threading.Thread(target=request)
    thread.start()
    return thread, results


def test_a_request_during_the_warm_up_waits_for_that_build(app, instance_path, monkeypatch):
    from app import create_app
    from app.services import suggestions

    glossary.create_term("روسيا", "Russia", "LOC")
    (paragraph,) = make_article([("زار روسيا", None)])
    server = create_app(make_config(instance_path, KNOWN_FORMS_RECHECK_SECONDS=2.0))  # as a server runs
    suggestions.invalidate_cache()
    builds, entered, release = slowed_builds(monkeypatch)
    try:
        with server.app_context():
            server.test_client().get("/login")  # the first request starts the build in the background
            assert entered.wait(10)
            assert not suggestions.rebuild_in_background()  # never a second build while one runs
        waiting, results = suggest_in_a_thread(server, paragraph.article_id)
        waiting.join(0.3)
        assert waiting.is_alive() and results == []  # it waits for the build in progress...
        release.set()
        waiting.join(10)
        assert results == [["روسيا"]]  # ...and uses what it built: one build in all
        assert builds == ["mizan-known-forms"]
    finally:
        release.set()
        assert suggestions.wait_for_builds(10)
        with server.app_context():
            db.engine.dispose()


def test_a_background_build_gives_its_connection_back_before_it_is_said_done(app, monkeypatch):
    """Whoever waits for a build (a test, a benchmark, a shutdown) may dispose of the engine next: a connection
    the build still held would never be closed (on PostgreSQL, psycopg's "deleted while still open")."""
    from app.services import suggestions

    glossary.create_term("روسيا", "Russia", "LOC")
    suggestions.invalidate_cache()
    db.session.commit()  # this thread holds no connection now
    checked_out_when_done, pool, real_end = [], db.engine.pool, suggestions._end

    def end(database, build):
        if threading.current_thread().name == "mizan-known-forms":
            checked_out_when_done.append(pool.checkedout())
        real_end(database, build)

    monkeypatch.setattr(suggestions, "_end", end)
    assert suggestions.rebuild_in_background()
    assert suggestions.wait_for_builds(10)
    assert checked_out_when_done and set(checked_out_when_done) == {0}


def test_a_change_is_suggested_within_the_recheck_interval_and_a_rebuild_or_two(app, monkeypatch):
    from app.services import suggestions

    def suggested():
        return [s.text for s in article_suggestions(paragraph.article_id)]

    # The interval is measured on suggestions._clock, moved here by hand: no sleeping past a time window, and
    # "moments ago" stays within the interval however slow the machine. Whole seconds and quarters add exactly.
    clock = [float(math.ceil(time.monotonic()))]  # not before any check made on the real clock
    monkeypatch.setattr(suggestions, "_clock", lambda: clock[0])
    app.config["KNOWN_FORMS_RECHECK_SECONDS"] = 0.5
    (paragraph,) = make_article([("موسكو عاصمة روسيا", None)])
    glossary.create_term("روسيا", "Russia", "LOC")
    assert suggested() == ["روسيا"]
    glossary.create_term("موسكو", "Moscow", "LOC")
    clock[0] += 0.25
    assert suggested() == ["روسيا"]  # checked moments ago
    clock[0] += 0.5  # the interval has passed since the last check
    builds, entered, release = slowed_builds(monkeypatch)
    assert suggested() == ["روسيا"]  # the change is seen: this request keeps the forms it had, a thread rebuilds
    assert entered.wait(10)  # that rebuild has read the glossary
    glossary.create_term("عاصمة", "capital", "MISC")  # a change it cannot see
    clock[0] += 0.75
    assert suggested() == ["روسيا"]  # seen, while the rebuild runs: no second build at once
    release.set()
    assert suggestions.wait_for_builds(10)
    # What the first rebuild stored is checked again at once: the second change starts another rebuild.
    assert suggested() == ["موسكو", "روسيا"]
    assert suggestions.wait_for_builds(10)
    assert suggested() == ["موسكو", "عاصمة", "روسيا"]
    assert builds == ["mizan-known-forms"] * 2


def test_a_build_begun_before_invalidate_cache_is_not_kept(app, monkeypatch):
    from sqlalchemy import text

    from app.services import suggestions

    glossary.create_term("روسيا", "Russia", "LOC")
    (paragraph,) = make_article([("موسكو عاصمة روسيا", None)])
    suggestions.invalidate_cache()
    builds, entered, release = slowed_builds(monkeypatch)
    waiting, results = suggest_in_a_thread(app, paragraph.article_id)  # builds, in that thread
    assert entered.wait(10)  # it has read the glossary
    # A change the fingerprint does not see (updated_at left as it was), hence invalidate_cache().
    db.session.execute(text("UPDATE glossary_terms SET ar = 'موسكو', en = 'Moscow'"))
    db.session.commit()
    suggestions.invalidate_cache()
    release.set()
    waiting.join(10)
    assert results == [["روسيا"]]  # that request got what it built, from the data before the change...
    assert [s.text for s in article_suggestions(paragraph.article_id)] == ["موسكو"]  # ...but it was not kept
    assert len(builds) == 2
