"""With 10,000 articles (100,000 paragraphs) the lists stay fast: filtering, sorting and paging happen in
SQL, and only the page's 50 articles are loaded. The bound here is loose (a busy test machine); the figures
printed (`pytest -s`) are what docs/architecture.md quotes."""
from __future__ import annotations

import statistics
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import insert, select

from app.extensions import db
from app.models import Article, Assignment, Paragraph

pytestmark = pytest.mark.slow

ARTICLES = 10_000
PARAGRAPHS_EACH = 10
BOUND_SECONDS = 0.6  # CPU: well over what it takes; a list that loads every article or paragraph fails


def fill(reviewer, other_reviewer, admin) -> None:
    statuses = ("new", "translated", "assigned", "in_review", "submitted", "changes_requested", "approved")
    db.session.execute(insert(Article), [
        {"title": f"مقال رقم {i} Article {i}", "source": ("SANA", "Reuters", "AFP")[i % 3],
         "published": date(2024, 1, 1) + timedelta(days=i % 700), "original_filename": f"{i}.txt",
         "raw_bytes": b"", "checksum": f"{i:064d}", "status": statuses[i % len(statuses)]}
        for i in range(ARTICLES)])
    article_ids = list(db.session.scalars(select(Article.id).order_by(Article.id)))
    db.session.execute(insert(Paragraph), [
        {"article_id": article_id, "position": p, "kind": "body", "ar": "فقرة",
         "status": ("draft", "edited", "approved")[(article_id + p) % 3 if p < article_id % 7 else 0]}
        for article_id in article_ids for p in range(PARAGRAPHS_EACH)])
    db.session.execute(insert(Assignment), [
        {"article_id": article_id, "user_id": (reviewer.id, other_reviewer.id)[n % 2], "role": "reviewer",
         "assigned_by_id": admin.id, "due": date(2026, 1, 1) + timedelta(days=n % 400)}
        for n, article_id in enumerate(article_ids) if n % 5])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":  # the statistics autovacuum would gather after such a load
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")


def timed(client, url: str, runs: int = 5) -> tuple[float, float]:
    """The median time of answering the page, in seconds, on the clock and in this process's CPU (SQLite runs
    in the process; on a busy machine the CPU time is the steadier figure), after one run to warm the caches."""
    assert client.get(url).status_code == 200, url
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        assert response.status_code == 200, url
    return statistics.median(wall), statistics.median(cpu)


def test_the_lists_answer_quickly_with_ten_thousand_articles(app, client, admin, reviewer, other_reviewer):
    from tests.conftest import log_in

    fill(reviewer, other_reviewer, admin)
    log_in(client, admin.username)
    figures = {url: timed(client, url) for url in (
        "/admin/", "/admin/?sort=progress&dir=desc", "/admin/?sort=due", "/admin/?sort=title&page=150",
        "/admin/?overdue=1&source=SANA", "/admin/?q=Article+99&reviewer=rami",
        "/admin/?published_from=2024-06-01&published_to=2024-12-31&status=assigned&sort=published&dir=desc",
    )}
    reviewer_client = app.test_client()
    log_in(reviewer_client, reviewer.username)
    figures.update({url: timed(reviewer_client, url) for url in ("/my-work", "/my-work?sort=progress&dir=desc&page=40")})
    for url, (wall, cpu) in figures.items():
        print(f"{wall * 1000:7.1f} ms ({cpu * 1000:5.1f} ms CPU)  {url}")
    slow = {url: round(cpu, 3) for url, (_, cpu) in figures.items() if cpu > BOUND_SECONDS}
    assert not slow, slow
