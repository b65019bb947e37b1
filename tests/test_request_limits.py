"""Request bodies have limits route by route (issue 14, item 5): a few MB for JSON and forms, the article
import and the model upload their own; a larger body is refused with 413 and a clear message before the
server reads it, and nothing changes."""
from __future__ import annotations

import io

import pytest

from app import create_app
from app.extensions import db
from app.models import Paragraph
from tests.conftest import csrf_token_from, log_in, make_config
from tests.support.fixtures import API, first_paragraph

MiB = 1024 * 1024


class UnreadBody(io.RawIOBase):
    """A request body of `size` bytes (never held in memory) that counts how much of it the server reads."""

    def __init__(self, size: int, chunk: bytes = b" "):
        self.size, self.chunk, self.position, self.read_bytes = size, chunk, 0, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:  # the test client measures the body by seeking to its end
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self.position = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence] + offset
        return self.position

    def tell(self) -> int:
        return self.position

    def readinto(self, buffer) -> int:
        count = max(0, min(len(buffer), self.size - self.position))
        buffer[:count] = self.chunk * count
        self.position += count
        self.read_bytes += count
        return count


def test_a_100_mb_json_save_is_refused_unread_and_changes_nothing(client, article, rami):
    paragraph = first_paragraph(article)
    version, revision = paragraph.version, paragraph.current_revision_id
    body = UnreadBody(100 * MiB)

    response = client.put(f"{API}/paragraphs/{paragraph.id}/translation", input_stream=body,
                          headers={**rami, "Content-Type": "application/json", "Content-Length": str(body.size)})

    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "request_entity_too_large"
    assert "100 MiB sent, at most 4 MiB" in error["message"]
    assert body.read_bytes == 0
    db.session.expire_all()
    assert (db.session.get(Paragraph, paragraph.id).version,
            db.session.get(Paragraph, paragraph.id).current_revision_id) == (version, revision)


def test_a_json_body_just_under_the_limit_is_read_as_usual(client, article, rami):
    paragraph = first_paragraph(article)
    text = "Draft. " + " " * (4 * MiB - 200)

    response = client.put(f"{API}/paragraphs/{paragraph.id}/translation", headers=rami,
                          json={"text": text, "version": paragraph.version})

    assert response.status_code != 413


def test_an_oversized_form_gets_a_page_saying_so_and_no_comment_is_stored(client, article, reviewer):
    from app.models import Comment

    log_in(client, reviewer.username)
    token = csrf_token_from(client.get(f"/articles/{article.id}").get_data(as_text=True))
    body = UnreadBody(10 * MiB, b"a")

    response = client.post(f"/articles/{article.id}/comments", input_stream=body,
                           headers={"Content-Type": "application/x-www-form-urlencoded",
                                    "Content-Length": str(body.size), "X-CSRFToken": token})

    assert response.status_code == 413 and response.mimetype == "text/html"
    assert "10 MiB sent, at most 4 MiB accepted here" in response.get_data(as_text=True)
    assert body.read_bytes == 0
    assert db.session.query(Comment).count() == 0


def test_a_login_form_of_5_mib_is_refused_before_the_csrf_check_reads_it(client):
    body = UnreadBody(5 * MiB, b"a")

    response = client.post("/login", input_stream=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(body.size)})

    assert response.status_code == 413
    assert body.read_bytes == 0


@pytest.fixture
def small_limits_app(instance_path):
    """Mizan with a 64 KiB limit for JSON and forms, to show the uploads keep their own larger ones."""
    app = create_app(make_config(instance_path, MAX_CONTENT_LENGTH=64 * 1024))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def admin_of(app):
    from app.services import users as user_service
    from tests.conftest import PASSWORD

    user_service.create_user("amina", PASSWORD, "admin", display_name="Amina Admin")
    client = app.test_client()
    assert log_in(client, "amina").status_code == 302
    return client


def test_the_article_import_keeps_its_own_larger_limit(small_limits_app):
    client = admin_of(small_limits_app)
    token = csrf_token_from(client.get("/admin/import").get_data(as_text=True))
    news = ("اجتمع الرئيسان في موسكو اليوم لبحث التعاون بين البلدين. " * 2000).encode()  # about 200 KB
    assert 64 * 1024 < len(news) < 500 * 1024

    response = client.post("/admin/import", content_type="multipart/form-data",
                           data={"csrf_token": token, "files": [(io.BytesIO(news), "long.txt")]})

    assert response.status_code == 200
    assert "1 of 1 files imported." in response.get_data(as_text=True)


def test_the_model_upload_keeps_its_own_larger_limit(small_limits_app):
    client = admin_of(small_limits_app)
    token = csrf_token_from(client.get("/admin/models").get_data(as_text=True))

    response = client.post("/admin/models", content_type="multipart/form-data",
                           data={"csrf_token": token, "package": (io.BytesIO(b"x" * 200_000), "m.argosmodel")})

    assert response.status_code == 422  # read and judged: not a zip
    assert "not a zip archive" in response.get_data(as_text=True)


def test_an_upload_over_its_own_limit_is_refused_with_its_limit_named(instance_path):
    app = create_app(make_config(instance_path, MODEL_UPLOAD_MAX_BYTES=100 * 1024))
    with app.app_context():
        try:
            client = admin_of(app)
            token = csrf_token_from(client.get("/admin/models").get_data(as_text=True))
            body = UnreadBody(2 * MiB, b"a")
            response = client.post("/admin/models", input_stream=body, headers={
                "Content-Type": "multipart/form-data; boundary=x", "Content-Length": str(body.size),
                "X-CSRFToken": token})

            assert response.status_code == 413
            assert "The upload is too large: 2 MiB sent, at most 100 KiB accepted here" in response.get_data(
                as_text=True)
            assert body.read_bytes == 0
        finally:
            db.session.remove()
            db.engine.dispose()
