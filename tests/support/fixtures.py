"""Fixtures and helpers that several test modules share, loaded for every test as a pytest plugin
(`pytest_plugins` in tests/conftest.py): test modules never import fixtures from each other.

- Review: an assigned, machine-translated seed article (`article`), API tokens of its reviewer, second
  reviewer and admin (`rami`, `salma`, `amina`), and what the MT worker would store (`add_machine_draft`).
- Workspace: an article of any length with drafts (`make_article`), assigned to both reviewers (`assigned`).
- Exports: the first seed article reviewed, tagged, linked and approved (`corpus`), a second one
  (`two_approved_articles`), and a corpus user (`corpus_user`).
"""
from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Article, Paragraph, Translation
from app.services import assignment as assignment_service
from app.services import entities as entity_service
from app.services import review as review_service
from app.services import users as user_service
from tests.conftest import PASSWORD, bearer

# --- review ----------------------------------------------------------------------------------------

API = "/api/v1"
MODEL_ID = "tiny@1.0+sha256:0000000000000000"
# Placeholder drafts name paragraphs by letter: digits would (rightly) fail the numbers check.
LETTERS = [chr(code) for code in range(ord("A"), ord("Z") + 1)] + [f"Z{chr(code)}" for code in range(ord("A"), ord("Z") + 1)]
MACHINE_DRAFT = "Russia and Turkmenistan work to develop the cooperation using the capacities of Eurasian Union."


def add_machine_draft(paragraph: Paragraph, text: str = MACHINE_DRAFT) -> Translation:
    """What the MT worker stores (tests of the worker itself are in test_translation_worker)."""
    draft = Translation(paragraph_id=paragraph.id, text=text, origin="machine", engine="ctranslate2",
                        engine_version="test", model_id=MODEL_ID, source_hash="x")
    db.session.add(draft)
    db.session.flush()
    paragraph.current_revision_id = draft.id
    paragraph.version += 1
    db.session.commit()
    return draft


@pytest.fixture
def article(app, seeded, admin, reviewer, other_reviewer) -> Article:
    """The first seed article, machine-translated, with `rami` as reviewer and `salma` as second reviewer."""
    article = machine_translated(seeded[0], lambda p: f"Draft of paragraph {LETTERS[p.position]}.")
    assignment_service.assign_article(article, reviewer, "reviewer", actor=admin)
    assignment_service.assign_article(article, other_reviewer, "second_reviewer", actor=admin)
    return article


def machine_translated(article_id: int, draft_of) -> Article:
    """The article with a machine draft, `draft_of(paragraph)`, on every paragraph, and status translated."""
    article = db.session.get(Article, article_id)
    for paragraph in article.paragraphs:
        add_machine_draft(paragraph, draft_of(paragraph))
    article.status = "translated"
    db.session.commit()
    return article


@pytest.fixture
def rami(reviewer) -> dict:
    return bearer(user_service.issue_api_token(reviewer))


@pytest.fixture
def salma(other_reviewer) -> dict:
    return bearer(user_service.issue_api_token(other_reviewer))


@pytest.fixture
def amina(admin) -> dict:
    return bearer(user_service.issue_api_token(admin))


def first_paragraph(article: Article) -> Paragraph:
    db.session.expire_all()
    return db.session.scalar(select(Paragraph).where(Paragraph.article_id == article.id).order_by(Paragraph.position))


def save(client, headers, paragraph_id, text, version, **extra):
    return client.put(f"{API}/paragraphs/{paragraph_id}/translation",
                      json={"text": text, "version": version, **extra}, headers=headers)


def approve(client, headers, paragraph_id, version, **extra):
    return client.post(f"{API}/paragraphs/{paragraph_id}/approve", json={"version": version, **extra}, headers=headers)


# --- workspace -------------------------------------------------------------------------------------

def make_article(paragraph_count: int, title: str = "مقال تجريبي") -> Article:
    """An article of `paragraph_count` paragraphs, each with a machine draft and a human edit."""
    article = Article(title=title, original_filename=f"{title}.txt", raw_bytes=title.encode(),
                      checksum=hashlib.sha256(f"{title}{paragraph_count}".encode()).hexdigest(), status="translated")
    db.session.add(article)
    db.session.flush()
    paragraphs = [Paragraph(article_id=article.id, position=position, kind="body", ar=f"فقرة رقم {position}")
                  for position in range(paragraph_count)]
    db.session.add_all(paragraphs)
    db.session.flush()
    drafts = [Translation(paragraph_id=p.id, text=f"Paragraph number {p.position}.", origin="machine",
                          engine="ctranslate2", engine_version="test", model_id=MODEL_ID, source_hash="x")
              for p in paragraphs]
    db.session.add_all(drafts)
    db.session.flush()
    for paragraph, draft in zip(paragraphs, drafts):
        paragraph.current_revision_id = draft.id
        paragraph.version = 2
    db.session.commit()
    return article


@pytest.fixture
def assigned(app, admin, reviewer, other_reviewer) -> Article:
    article = make_article(3)
    assignment_service.assign_article(article, reviewer, "reviewer", actor=admin)
    assignment_service.assign_article(article, other_reviewer, "second_reviewer", actor=admin)
    return article


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


# --- exports ---------------------------------------------------------------------------------------

TITLE_EN = 'Russia and Turkmenistan work to develop cooperation using the capacities of the "Eurasian Economic Union"'


def tag(paragraph_id: int, lang: str, text: str, surface: str, label: str, actor, occurrence: int = 0):
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(surface, start + 1)
    return entity_service.create_entity(paragraph_id, lang, start, start + len(surface), label, actor=actor)


@pytest.fixture
def corpus(app, seeded, admin, reviewer):
    """The first seed article reviewed by rami: drafts, an edited and tagged title, everything approved.

    The other four seed articles stay untranslated. Returns the article.
    """
    article = machine_translated(seeded[0], lambda p: f"Machine draft of paragraph {chr(ord('A') + p.position % 26)}.")
    assignment_service.assign_article(article, reviewer, "reviewer", actor=admin)
    title = article.paragraphs[0]
    saved = review_service.save_translation(title.id, TITLE_EN, title.version, actor=reviewer, seconds=42)
    russia_ar = tag(title.id, "ar", title.ar, "روسيا", "LOC", reviewer)
    turkmenistan_ar = tag(title.id, "ar", title.ar, "تركمانستان", "LOC", reviewer)  # inside وتركمانستان
    union_ar = tag(title.id, "ar", title.ar, "الاتحاد الاقتصادي الأوراسي", "ORG", reviewer)
    russia_en = tag(title.id, "en", TITLE_EN, "Russia", "LOC", reviewer)
    turkmenistan_en = tag(title.id, "en", TITLE_EN, "Turkmenistan", "LOC", reviewer)
    union_en = tag(title.id, "en", TITLE_EN, "Eurasian Economic Union", "ORG", reviewer)
    tag(title.id, "en", TITLE_EN, "Eurasian", "MISC", reviewer)  # overlaps the ORG: IOB2 keeps one
    for ar, en in ((russia_ar, russia_en), (turkmenistan_ar, turkmenistan_en), (union_ar, union_en)):
        entity_service.create_link(ar.id, en.id, actor=reviewer)
    assert saved.version
    for paragraph in db.session.scalars(select(Paragraph).where(Paragraph.article_id == article.id)):
        review_service.approve_paragraph(paragraph.id, paragraph.version, actor=reviewer,
                                         override_reason="Placeholder draft in an export test.")
    return article


@pytest.fixture
def two_approved_articles(corpus, seeded, admin, reviewer):
    """`corpus` plus the second seed article, drafted and approved: a parallel export has two halves."""
    second = db.session.get(Article, seeded[1])
    for paragraph in second.paragraphs:
        add_machine_draft(paragraph, f"Draft of the second article, paragraph {chr(ord('A') + paragraph.position % 26)}.")
    db.session.commit()
    for paragraph in second.paragraphs:
        review_service.approve_paragraph(paragraph.id, paragraph.version, actor=admin, override_reason="test")
    return [corpus, second]


@pytest.fixture
def corpus_user(app):
    return user_service.create_user("carla", PASSWORD, "corpus", display_name="Carla Corpus")
