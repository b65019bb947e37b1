"""Agreement benchmark: the agreement figures of a double-annotated article of 500 paragraphs.

What is measured
----------------
An article is generated in memory (no database, no server): ``--paragraphs`` paragraphs (default 500) of
Arabic recombined from the seed articles (runs of 30–90 consecutive tokens of ``seeds/``, so with their
punctuation, proclitics and digits), each with an English text of words from news templates. Annotator a
tags ``--entities`` Arabic entities (default 3,000: six a paragraph) and as many English ones, each one to
three whole tokens with at least two free tokens between them, labels drawn from the default eight, and
links each Arabic entity to the English one of the same rank. Annotator b's layer is a's with realistic
disagreement: 85% of the entities kept as they are, the rest one of shifted by one token (a boundary
moved), relabelled, or missing (with one of b's own elsewhere instead); links follow b's entities. b's
English is a's in half the paragraphs (``--same-english``) and differs by one to four substituted words in
the others (two independent post-edits of one machine draft), English entities staying on the same words.

Timed in this process (``time.perf_counter``, ``--repeats`` runs, default 21, from scratch ``--scratch-repeats``, default 5; p50 and p90):

* stored       ``agreement.article_agreement`` over the whole article given each paragraph's translation
               statistics (``ParagraphPair.translation``), as a caller that stored them when both
               annotators submitted does; the module's caches emptied before each run
               (``clear_caches``), so the tokens are read again. The figure the target is judged on.
* warm         the same call without stored statistics in a process that computed them before (TER
               and token counts remembered per text): a later request for the same article.
* from scratch the same with the caches emptied: sacrebleu's TER of every paragraph whose English texts
               differ, 2-10 ms each, dominates; what a caller that stores nothing pays the first time.
* parts        the Arabic entities and κ alone, chrF statistics alone, TER alone (from scratch), and the
               one-off ``translation_statistics`` of the whole article.

Baseline, measured in the same run on the same spans
----------------------------------------------------
seqeval 1.2.2 and scikit-learn, as an NER engineer would compute the same figures: the spans of each side
turned into IOB2 tags over Mizan's tokens (the paragraphs whose English texts are equal, for English),
then seqeval's ``f1_score``, ``precision_score``, ``recall_score`` and per-label
``precision_recall_fscore_support`` (strict IOB2) and sklearn's ``cohen_kappa_score`` on the token labels,
for both sides. Its translation part, sacrebleu's ``corpus_chrf``, ``corpus_ter`` and ``sentence_chrf`` of
every paragraph, is timed on its own (``--baseline-repeats``, default 3; seconds). Ratios are baseline /
Mizan (how many times faster Mizan is). The run also checks that the Arabic F1, precision, recall and κ
are the same as the baseline's (every generated span covers whole tokens and no two of an annotator's
overlap, so seqeval sees exactly the same entities).

Target (from the issue): agreement for a 500-paragraph article with 3,000 entities per annotator
<= 200 ms. Reported PASS/MISS for the computation, cold and warm (the API call adds reading both layers
from the database); the script exits non-zero only if the benchmark itself fails (figures differing from
the baseline's).

Over HTTP
---------
``--http`` serves the same article and times ``GET /api/v1/articles/<id>/agreement`` (target <= 200 ms p50)
as a client sees it: a throwaway instance (a temporary folder; with ``--database-url`` PostgreSQL too, as the
other benchmarks) is migrated and the article written into it as two annotators' layers would leave it (a's
English as the machine draft, each annotator's English as their own approved revision, their Arabic and
English entities and links in their layer, both assignments submitted: rows inserted directly, as
bench/review_bench.py does, since 12,000 entities through the services would take minutes); then the
second submission's one-off work runs through the real service (``store_translation_statistics``, timed),
waitress serves ``wsgi:app`` as ``make run`` does (8 threads) and ``--samples`` GETs (default 50, after 3
untimed) each open a new connection with an admin's Bearer token. The answer is checked to equal the
in-process figures of the generated article. Also timed in-process on the same database: the whole
``agreement_of_article`` (reading both layers + the figures), so the HTTP overhead shows.

``--url http://host:port --article ID --token TOKEN [--curation-path PATH]`` times a running server instead
(``measure_http``); the curation view (target <= 300 ms) comes with adjudication (issue 18, part C2).

Usage::

    .venv/bin/python bench/agreement_bench.py
    .venv/bin/python bench/agreement_bench.py --paragraphs 1000 --entities 6000 --repeats 11
    .venv/bin/python bench/agreement_bench.py --http [--database-url postgresql+psycopg://...]
"""
from __future__ import annotations

import argparse
import datetime
import http.client
import os
import random
import sys
import time
import unicodedata
import warnings
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.machine import Databases, closing_line, cpu_steal, engines, machine_line  # noqa: E402

SEEDS_DIR = PROJECT_ROOT / "seeds"
LABELS = ("PER", "LOC", "ORG", "DATE", "MONEY", "PERCENT", "EVENT", "MISC")
TARGET_MS, TARGET_HTTP_MS, TARGET_CURATION_MS = 200.0, 200.0, 300.0
ENGLISH_TEMPLATES = (  # as bench/tm_bench.py's
    "The {org} said on {day} that talks with {place} on {topic} would resume within {n} days.",
    "{person} met the delegation of {place} in the capital and discussed {topic} and trade worth {n} million dollars.",
    "According to the {org}, exports to {place} grew by {n} percent last year.",
    "The agreement signed by {person} covers {topic}, energy and transport until {year}.",
    "Officials from {place} and the {org} will meet again in {year} to review {topic}.",
)
FILLERS = {
    "org": ["Foreign Ministry", "Eurasian Economic Union", "central bank", "ministry of economy", "United Nations"],
    "day": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
    "place": ["Turkmenistan", "Russia", "Iran", "Kazakhstan", "Egypt", "Turkey"],
    "topic": ["economic cooperation", "regional security", "gas supplies", "investment", "customs rules"],
    "person": ["Vladimir Putin", "Serdar Berdimuhamedov", "the foreign minister", "the prime minister"],
}
POST_EDITS = ("the", "new", "talks", "said", "reported", "capital", "officials", "agreed", "minister", "Moscow")


def english(rng: random.Random, words: int) -> str:
    """Sentences of the templates, about `words` words in all."""
    sentences: list[str] = []
    while sum(len(s.split()) for s in sentences) < words:
        sentences.append(rng.choice(ENGLISH_TEMPLATES).format(
            **{k: rng.choice(v) for k, v in FILLERS.items()}, n=rng.randint(2, 900), year=rng.randint(2020, 2030)))
    return " ".join(sentences)


def post_edit(rng: random.Random, text: str) -> str:
    """One to four whole words replaced (words of letters only, so the tokens stay where they were)."""
    words = text.split()
    plain = [i for i, w in enumerate(words) if w.isalpha()]
    for i in rng.sample(plain, min(len(plain), rng.randint(1, 4))):
        words[i] = rng.choice([w for w in POST_EDITS if w != words[i]])
    return " ".join(words)


# --- the article ------------------------------------------------------------------------------------------

def seed_tokens() -> list[str]:
    from app.services.export.conll import tokens

    found: list[str] = []
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))
        found += [t for t in tokens(text) if not t.isascii() or t.isdigit()]
    return found


def place_entities(rng: random.Random, spans: list[tuple[int, int]], count: int) -> list[tuple[int, int, str]]:
    """`count` entities of 1-3 whole tokens (token index ranges) with at least two free tokens between them."""
    chosen: list[tuple[int, int, str]] = []
    position = 1
    for _ in range(count):
        length = rng.choice((1, 1, 2, 3))
        room = len(spans) - position - 5 * (count - len(chosen))  # 3 tokens and a gap of 2 kept for each
        if room < 0:
            break
        first = position + rng.randint(0, min(room, 6))
        chosen.append((first, first + length, rng.choice(LABELS)))
        position = first + length + 2
    return chosen


def disagree(rng: random.Random, entities: list[tuple[int, int, str]], ntokens: int,
             agree: float) -> list[tuple[int, int, str]]:
    """b's token ranges: `agree` of a's kept, the rest shifted by a token, relabelled or missing."""
    result = []
    for first, last, label in entities:
        if rng.random() < agree:
            result.append((first, last, label))
            continue
        kind = rng.choice(("shift", "relabel", "missing"))
        if kind == "shift":  # into the free tokens around it, never onto a neighbour
            result.append(rng.choice(((first, last + 1), (first - 1, last) if first > 0 else (first, last + 1),
                                      (first + 1, last) if last - first > 1 else (first, last + 1))) + (label,))
        elif kind == "relabel":
            result.append((first, last, rng.choice([x for x in LABELS if x != label])))
        # missing: nothing
    return [(f, min(t, ntokens), lab) for f, t, lab in result if f < min(t, ntokens)]


def to_offsets(spans: list[tuple[int, int]], ranges) -> list[tuple[int, int, str]]:
    return [(spans[first][0], spans[last - 1][1], label) for first, last, label in ranges]


def build_article(paragraphs: int, entities: int, same_english: float, seed: int = 20261206):
    from app.services.agreement import Annotation, ParagraphPair
    from app.services.export.conll import word_spans

    rng = random.Random(seed)
    pool = seed_tokens()
    per_paragraph = [entities // paragraphs + (1 if i < entities % paragraphs else 0) for i in range(paragraphs)]
    article = []
    for number, count in enumerate(per_paragraph):
        length = rng.randint(max(30, 5 * count + 6), max(90, 5 * count + 6))
        start = rng.randrange(0, max(1, len(pool) - length))
        arabic = unicodedata.normalize("NFC", " ".join(pool[start:start + length]))
        ar_spans = word_spans(arabic)
        english_a = english(rng, max(len(ar_spans) * 13 // 10, 5 * count + 6))
        en_spans_a = word_spans(english_a)
        if rng.random() < same_english:
            english_b, en_spans_b = english_a, en_spans_a
        else:
            english_b = post_edit(rng, english_a)
            en_spans_b = word_spans(english_b)
            assert len(en_spans_b) == len(en_spans_a)
        ar_a = place_entities(rng, ar_spans, count)
        en_a = place_entities(rng, en_spans_a, count)
        ar_b = disagree(rng, ar_a, len(ar_spans), 0.85)
        en_b = disagree(rng, en_a, len(en_spans_b), 0.85)

        def layer(english, en_spans, ar_ranges, en_ranges, ar_spans=ar_spans):
            ar = to_offsets(ar_spans, ar_ranges)
            en = to_offsets(en_spans, en_ranges)
            links = [((s, e), (es, ee)) for (s, e, _), (es, ee, _) in zip(ar, en)]
            return Annotation(english, [("ar", *x) for x in ar] + [("en", *x) for x in en], links)

        article.append(ParagraphPair(number, arabic, layer(english_a, en_spans_a, ar_a, en_a),
                                     layer(english_b, en_spans_b, ar_b, en_b)))
    return article


# --- the baseline -----------------------------------------------------------------------------------------

def iob2(text: str, entities) -> tuple[list[str], list[str]]:
    """IOB2 tags and plain token labels over Mizan's tokens (the generated spans cover whole tokens)."""
    from app.services.export.conll import word_spans

    spans = word_spans(text)
    tags, labels = ["O"] * len(spans), ["O"] * len(spans)
    starts = {s: i for i, (s, _) in enumerate(spans)}
    ends = {e: i for i, (_, e) in enumerate(spans)}
    for start, end, label in entities:
        first, last = starts[start], ends[end]
        tags[first] = f"B-{label}"
        labels[first] = label
        for i in range(first + 1, last + 1):
            tags[i], labels[i] = f"I-{label}", label
    return tags, labels


def baseline_entities(article) -> dict:
    """seqeval + sklearn over both sides, from the spans (conversion to IOB2 included)."""
    from seqeval.metrics import f1_score, precision_score, recall_score
    from seqeval.metrics.v1 import precision_recall_fscore_support
    from seqeval.scheme import IOB2
    from sklearn.metrics import cohen_kappa_score

    result = {}
    for side in ("ar", "en"):
        tags_a, tags_b, labels_a, labels_b = [], [], [], []
        for p in article:
            if side == "en" and p.a.english != p.b.english:
                continue
            text = p.arabic if side == "ar" else p.a.english
            ta, la = iob2(text, [e[1:] for e in p.a.entities if e[0] == side])
            tb, lb = iob2(text, [e[1:] for e in p.b.entities if e[0] == side])
            tags_a.append(ta)
            tags_b.append(tb)
            labels_a += la
            labels_b += lb
        kwargs = {"mode": "strict", "scheme": IOB2, "zero_division": 0}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result[side] = {
                "f1": f1_score(tags_a, tags_b, **kwargs), "precision": precision_score(tags_a, tags_b, **kwargs),
                "recall": recall_score(tags_a, tags_b, **kwargs),
                "by_label": precision_recall_fscore_support(tags_a, tags_b, average=None, scheme=IOB2,
                                                            zero_division=0),
                "kappa": cohen_kappa_score(labels_a, labels_b)}
    return result


def baseline_translation(article) -> None:
    import sacrebleu

    pairs = [(p.a.english, p.b.english) for p in article if p.a.english.split() or p.b.english.split()]
    references, hypotheses = [a for a, _ in pairs], [b for _, b in pairs]
    sacrebleu.corpus_chrf(hypotheses, [references])
    sacrebleu.corpus_ter(hypotheses, [references])
    for reference, hypothesis in pairs:
        sacrebleu.sentence_chrf(hypothesis, [reference])


# --- timing -----------------------------------------------------------------------------------------------

def timed(function, repeats: int, before=None) -> list[float]:
    """Milliseconds of `repeats` calls of function(), `before()` untimed before each."""
    result = []
    for _ in range(repeats):
        if before:
            before()
        started = time.perf_counter()
        function()
        result.append((time.perf_counter() - started) * 1000)
    return result


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure_http(url: str, path: str, token: str | None, samples: int, headers: dict | None = None) -> list[float]:
    """Milliseconds of `samples` GETs of url + path, a new connection each, with a Bearer token if given (and
    `headers`: a page's session cookie, bench/curation_bench.py)."""
    parts = urlsplit(url)
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    headers = {"Connection": "close", **({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
    result = []
    for _ in range(samples):
        started = time.perf_counter()
        connection = connection_class(parts.netloc, timeout=60)
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        connection.close()
        if response.status != 200:
            raise SystemExit(f"GET {path} answered {response.status}")
        result.append((time.perf_counter() - started) * 1000)
    return result


def fmt(value: float | None) -> str:
    return "null" if value is None else f"{value:.4f}"


# --- over HTTP: the article in a throwaway instance, served by waitress -----------------------------------

PASSWORD = "bench-password-not-secret-1"  # only ever used on a throwaway instance
ANNOTATORS = ["annotator-a", "annotator-b"]


def build_instance(dbs: Databases, instance: Path, article) -> tuple[int, str, float]:
    """The generated article in a new migrated instance, both layers submitted; (article id, an admin's token,
    milliseconds of store_translation_statistics)."""
    dbs.new(instance)
    dbs.use(instance)
    import hashlib

    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from app import create_app
    from app.extensions import db
    from app.models import Article, Assignment, Entity, EntityLink, Label, Paragraph, ParagraphLayer, Translation
    from app.models import utcnow
    from app.services import article_agreement
    from app.services import assignment
    from app.services import users as user_service

    app = create_app()
    with app.app_context():
        upgrade()
        admin = user_service.create_user("admin", PASSWORD, "admin", display_name="Amina Admin")
        annotators = [user_service.create_user(name, PASSWORD, "reviewer") for name in ANNOTATORS]
        labels = {name: label_id for name, label_id in db.session.execute(select(Label.name, Label.id))}
        raw = "\n\n".join(p.arabic for p in article).encode()
        row = Article(title=article[0].arabic[:80], original_filename="agreement-bench.txt", raw_bytes=raw,
                      checksum=hashlib.sha256(raw).hexdigest(), status="translated")
        row.paragraphs = [Paragraph(position=i, kind="body", ar=p.arabic) for i, p in enumerate(article)]
        db.session.add(row)
        db.session.flush()
        drafts = [Translation(paragraph_id=p.id, text=pair.a.english, origin="machine", engine="ctranslate2",
                              engine_version="bench", model_id="bench@1.0", source_hash="x")
                  for p, pair in zip(row.paragraphs, article)]
        db.session.add_all(drafts)
        db.session.flush()
        for paragraph, draft in zip(row.paragraphs, drafts):
            paragraph.current_revision_id, paragraph.version = draft.id, 2
        db.session.commit()
        assignment.assign_article(row, annotators[0], "reviewer", actor=admin)
        assignment.assign_article(row, annotators[1], "independent", actor=admin)
        for user, side in zip(annotators, ("a", "b")):
            revisions = [Translation(paragraph_id=p.id, text=getattr(pair, side).english, origin="human",
                                     author_id=user.id, parent_id=draft.id, layer_user_id=user.id)
                         for p, pair, draft in zip(row.paragraphs, article, drafts)]
            db.session.add_all(revisions)
            db.session.flush()
            db.session.execute(insert(ParagraphLayer), [
                {"paragraph_id": p.id, "user_id": user.id, "status": "approved", "version": 3,
                 "current_revision_id": r.id, "approved_revision_id": r.id, "pending_seconds": 0}
                for p, r in zip(row.paragraphs, revisions)])
            links = []
            for paragraph, pair, revision in zip(row.paragraphs, article, revisions):
                layer = getattr(pair, side)
                made = {}
                for lang, start, end, label in layer.entities:
                    text = paragraph.ar if lang == "ar" else layer.english
                    made[(lang, start, end)] = Entity(
                        paragraph_id=paragraph.id, lang=lang, translation_id=revision.id if lang == "en" else None,
                        start=start, end=end, label_id=labels[label], text=text[start:end], author_id=user.id,
                        layer_user_id=user.id)
                db.session.add_all(made.values())
                links += [(made[("ar", *ar)], made[("en", *en)]) for ar, en in layer.links
                          if ("ar", *ar) in made and ("en", *en) in made]
            db.session.flush()
            db.session.execute(insert(EntityLink), [{"ar_entity_id": ar.id, "en_entity_id": en.id,
                                                     "author_id": user.id} for ar, en in links])
        for assigned in db.session.scalars(select(Assignment).where(Assignment.article_id == row.id)):
            if assigned.role in ("reviewer", "independent"):
                assigned.submitted_at = utcnow()
        row.status = "submitted"
        started = time.perf_counter()
        article_agreement.store_translation_statistics(row.id)  # what the second submission does
        db.session.commit()
        statistics_ms = (time.perf_counter() - started) * 1000
        token = user_service.issue_api_token(admin)
        article_id = row.id
        db.session.remove()
        db.engine.dispose()
    return article_id, token, statistics_ms


def in_process_ms(dbs: Databases, instance: Path, article_id: int, repeats: int) -> tuple[list[float], dict]:
    """agreement_of_article in this process on the instance (both layers read, the figures computed)."""
    from app import create_app
    from app.extensions import db
    from app.services import agreement, article_agreement

    dbs.use(instance)
    app = create_app()
    with app.app_context():
        figures = article_agreement.agreement_of_article(article_id)
        values = timed(lambda: article_agreement.agreement_of_article(article_id), repeats,
                       before=agreement.clear_caches)
        db.session.remove()
        db.engine.dispose()
    return values, figures


def measure_over_http(article, args) -> list[tuple[bool, str]]:
    """Build, serve and time the agreement API on each engine; the targets' lines."""
    import json
    import shutil
    import tempfile

    from app.services import agreement
    from bench.review_bench import Server

    expected = json.loads(json.dumps(agreement.article_agreement(ANNOTATORS, article)))
    targets = []
    for dbs in engines(args.database_url, args.queue_url):
        with dbs:
            work = Path(tempfile.mkdtemp(prefix="mizan-agreement-bench-"))
            try:
                started = time.perf_counter()
                article_id, token, statistics_ms = build_instance(dbs, work / "instance", article)
                print(f"\n{dbs.label}: instance built in {time.perf_counter() - started:.1f} s; the second "
                      f"submission's store_translation_statistics took {statistics_ms:.0f} ms")
                local, figures = in_process_ms(dbs, work / "instance", article_id, args.repeats)
                served = {k: v for k, v in figures.items() if k != "paragraphs"}
                if served != {k: v for k, v in expected.items() if k != "paragraphs"} or \
                        [p["entities_f1"] for p in figures["paragraphs"]] != \
                        [p["entities_f1"] for p in expected["paragraphs"]]:
                    raise SystemExit("the figures read from the database differ from the generated article's")
                server = Server("wsgi:app", dbs.settings(work / "instance"), work / "waitress.log", "/login")
                try:
                    path = f"/api/v1/articles/{article_id}/agreement"
                    url = f"http://127.0.0.1:{server.port}"
                    measure_http(url, path, token, 3)  # untimed: the server's first imports
                    api = measure_http(url, path, token, args.samples)
                    answer = server.request("GET", path, headers={"Authorization": f"Bearer {token}"}).json()
                finally:
                    server.stop()
                if {k: v for k, v in answer.items() if k != "paragraphs"} != served:
                    raise SystemExit("the API's answer differs from the in-process figures")
                print(f"{'over HTTP (' + dbs.label + '), ms':<58} {'n':>4} {'p50':>9} {'p90':>9}")
                print(f"{'  agreement_of_article in-process (read + figures)':<58} {len(local):>4} "
                      f"{p(local, 0.5):9.1f} {p(local, 0.9):9.1f}")
                print(f"{'  GET ' + path + ', new connection each':<58} {len(api):>4} "
                      f"{p(api, 0.5):9.1f} {p(api, 0.9):9.1f}")
                targets.append((p(api, 0.5) <= TARGET_HTTP_MS, f"agreement API over HTTP ({dbs.label}) p50 <= "
                                f"{TARGET_HTTP_MS:.0f} ms: {p(api, 0.5):.1f} ms"))
            finally:
                shutil.rmtree(work, ignore_errors=True)
    return targets


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--paragraphs", type=int, default=500, help="paragraphs (default 500)")
    parser.add_argument("--entities", type=int, default=3000,
                        help="entities a tags on each side (default 3,000 Arabic and 3,000 English)")
    parser.add_argument("--same-english", type=float, default=0.5,
                        help="share of paragraphs whose two English texts are equal (default 0.5)")
    parser.add_argument("--repeats", type=int, default=21, help="timed runs of Mizan's computation (default 21)")
    parser.add_argument("--scratch-repeats", type=int, default=5,
                        help="timed runs from scratch (sacrebleu's TER of every paragraph; default 5)")
    parser.add_argument("--baseline-repeats", type=int, default=3,
                        help="timed runs of the baselines (default 3)")
    parser.add_argument("--http", action="store_true",
                        help="also serve the article from a throwaway instance and time the API (see 'Over HTTP')")
    parser.add_argument("--database-url", default=os.environ.get("MIZAN_BENCH_DATABASE_URL"),
                        help="with --http: a PostgreSQL server on which to measure too (default "
                             "$MIZAN_BENCH_DATABASE_URL)")
    parser.add_argument("--queue-url", default=os.environ.get("MIZAN_BENCH_QUEUE_URL"),
                        help="with --http and --database-url: Redis for the server (default $MIZAN_BENCH_QUEUE_URL)")
    parser.add_argument("--url", help="a running Mizan server, for the HTTP figures (see 'Over HTTP')")
    parser.add_argument("--article", type=int, help="with --url: the double-annotated article's id")
    parser.add_argument("--token", help="with --url: an API token of an admin")
    parser.add_argument("--curation-path", help="with --url: the curation view's path, once it exists")
    parser.add_argument("--samples", type=int, default=50, help="with --url: requests per figure (default 50)")
    args = parser.parse_args()
    if args.paragraphs < 1 or args.entities < 0 or args.repeats < 1 or args.baseline_repeats < 1 \
            or args.scratch_repeats < 1:
        parser.error("--paragraphs and every --*repeats must be at least 1")
    if args.url and not args.article:
        parser.error("--url needs --article")

    from app.services import agreement

    started, steal_before = time.perf_counter(), cpu_steal()
    import sacrebleu
    import seqeval
    import sklearn

    print(f"Mizan agreement benchmark, {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(machine_line(f"sacrebleu {sacrebleu.__version__}", f"seqeval {getattr(seqeval, '__version__', '1.2.2')}",
                       f"scikit-learn {sklearn.__version__}"))
    print(f"Load average before: {os.getloadavg()[0]:.2f} (other work on the 2 cores skews the times)")
    article = build_article(args.paragraphs, args.entities, args.same_english)
    count = {side: sum(1 for p in article for e in p.a.entities if e[0] == side) for side in ("ar", "en")}
    count_b = {side: sum(1 for p in article for e in p.b.entities if e[0] == side) for side in ("ar", "en")}
    same = sum(p.a.english == p.b.english for p in article)
    print(f"Article: {len(article)} paragraphs, {sum(len(p.arabic) for p in article):,} Arabic characters; "
          f"a: {count['ar']:,} Arabic + {count['en']:,} English entities, b: {count_b['ar']:,} + {count_b['en']:,}; "
          f"{same} paragraphs with the same English in both layers")

    def mizan():
        return agreement.article_agreement(["a", "b"], article)

    untranslated = [replace(p, a=replace(p.a, english=""), b=replace(p.b, english="")) for p in article]
    entities_only = [replace(p, a=replace(p.a, entities=[e for e in p.a.entities if e[0] == "ar"], links=[]),
                             b=replace(p.b, entities=[e for e in p.b.entities if e[0] == "ar"], links=[]))
                     for p in untranslated]
    clear = agreement.clear_caches
    mizan(), baseline_entities(article[:5]), baseline_translation(article[:5])  # imports, untimed
    cold = timed(mizan, args.scratch_repeats, before=clear)
    warm = timed(mizan, args.repeats)
    clear()
    started_statistics = time.perf_counter()
    stored = [replace(p, translation=agreement.translation_statistics(p.a.english, p.b.english)) for p in article]
    statistics_ms = (time.perf_counter() - started_statistics) * 1000
    clear()
    with_stored = timed(lambda: agreement.article_agreement(["a", "b"], stored), args.repeats, before=clear)
    if agreement.article_agreement(["a", "b"], stored) != mizan():
        raise SystemExit("the figures from stored translation statistics differ from those computed")
    arabic_only = timed(lambda: agreement.article_agreement(["a", "b"], entities_only), args.repeats, before=clear)
    chrf_only = timed(lambda: [agreement.chrf_statistics(p.b.english, p.a.english) for p in article], args.repeats)
    ter_only = timed(lambda: [agreement._ter_statistics(p.b.english, p.a.english) for p in article],
                     args.scratch_repeats, before=clear)
    base_entities = timed(lambda: baseline_entities(article), args.baseline_repeats)
    base_translation = timed(lambda: baseline_translation(article), args.baseline_repeats)

    result, expected = mizan(), baseline_entities(article)
    print()
    header = f"{'in-process, ms':<58} {'n':>4} {'p50':>9} {'p90':>9}"
    print(header)
    print("-" * len(header))
    for label, values in (("Mizan, translation statistics stored: the whole agreement", with_stored),
                          ("Mizan, warm process: the whole agreement", warm),
                          ("Mizan from scratch (caches emptied): the whole agreement", cold),
                          ("  Arabic entities and κ alone (no English, no links)", arabic_only),
                          ("  chrF statistics alone", chrf_only),
                          ("  TER alone, from scratch", ter_only),
                          ("baseline seqeval + sklearn (entities and κ, both sides)", base_entities),
                          ("baseline sacrebleu (corpus chrF, TER, sentence chrF)", base_translation)):
        print(f"{label:<58} {len(values):>4} {p(values, 0.5):9.1f} {p(values, 0.9):9.1f}")
    cold_p50, warm_p50, stored_p50 = p(cold, 0.5), p(warm, 0.5), p(with_stored, 0.5)
    print(f"The translation statistics of the article, computed once (translation_statistics of each paragraph, "
          f"what a caller stores when both submitted): {statistics_ms:.0f} ms")
    print(f"\nRatios (baseline / Mizan, p50): seqeval + sklearn / Mizan with stored statistics "
          f"{p(base_entities, 0.5) / stored_p50:.1f}x, / Mizan warm {p(base_entities, 0.5) / warm_p50:.1f}x; "
          f"(seqeval + sklearn + sacrebleu) / Mizan from scratch "
          f"{(p(base_entities, 0.5) + p(base_translation, 0.5)) / cold_p50:.1f}x")

    ar, base = result["entities"]["ar"], expected["ar"]
    print(f"\nFigures: Arabic F1 {ar['f1']:.4f} precision {ar['precision']:.4f} recall {ar['recall']:.4f} "
          f"κ {ar['kappa']:.4f}; English F1 {result['entities']['en']['f1']:.4f} "
          f"κ {fmt(result['entities']['en']['kappa'])}; links F1 {result['links']['f1']:.4f}; "
          f"chrF {result['translation']['chrf']:.2f}, TER {result['translation']['ter']:.2f}")
    differences = [name for name in ("f1", "precision", "recall", "kappa") if abs(ar[name] - base[name]) > 1e-9]
    print(f"Arabic F1, precision, recall and κ equal seqeval's and sklearn's: {'yes' if not differences else 'NO'}"
          + (f" ({', '.join(differences)} differ)" if differences else ""))

    http_targets = measure_over_http(article, args) if args.http else []
    if args.url:
        print()
        api = measure_http(args.url, f"/api/v1/articles/{args.article}/agreement", args.token, args.samples)
        print(f"GET /api/v1/articles/{args.article}/agreement over HTTP: p50 {p(api, 0.5):.1f} ms, "
              f"p90 {p(api, 0.9):.1f} ms")
        http_targets.append((p(api, 0.5) <= TARGET_HTTP_MS,
                             f"agreement API p50 <= {TARGET_HTTP_MS:.0f} ms: {p(api, 0.5):.1f} ms"))
        if args.curation_path:
            view = measure_http(args.url, args.curation_path, args.token, args.samples)
            print(f"GET {args.curation_path}: p50 {p(view, 0.5):.1f} ms, p90 {p(view, 0.9):.1f} ms")
            http_targets.append((p(view, 0.5) <= TARGET_CURATION_MS,
                                 f"curation view p50 <= {TARGET_CURATION_MS:.0f} ms: {p(view, 0.5):.1f} ms"))

    print("\nTargets (from the issue; reported, not enforced):")
    for ok, text in [(stored_p50 <= TARGET_MS, f"agreement computed with stored translation statistics p50 <= "
                                               f"{TARGET_MS:.0f} ms: {stored_p50:.1f} ms"),
                     (warm_p50 <= TARGET_MS, f"agreement computed in a warm process p50 <= {TARGET_MS:.0f} ms: "
                                             f"{warm_p50:.1f} ms"),
                     (cold_p50 <= TARGET_MS, f"agreement computed from scratch p50 <= {TARGET_MS:.0f} ms: "
                                             f"{cold_p50:.1f} ms"),
                     *http_targets]:
        print(f"  {'PASS' if ok else 'MISS'}  {text}")
    if not args.url and not args.http:
        print("  (not measured: the agreement API over HTTP; see --http)")
    print(closing_line(started, steal_before))
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
