"""Admins install Argos packages into the instance folder; anything else is refused and leaves nothing behind."""
import io
import json
import stat
import zipfile

import pytest

from app.services import mt_packages
from app.services.mt_packages import PackageError
from tests.conftest import csrf_token_from

METADATA = {"name": "translate-ar_en", "package_version": "1.9", "from_code": "ar", "to_code": "en",
            "from_name": "Arabic", "to_name": "English", "type": "translate"}


def make_package(path, *, top="translate-ar_en-1_9", metadata=METADATA, files=None, extra=None):
    """A structurally valid package (its model is not loadable; installing never loads it)."""
    members = {
        f"{top}/metadata.json": json.dumps(metadata) if metadata is not None else None,
        f"{top}/model/model.bin": b"not really a model",
        f"{top}/model/config.json": "{}",
        f"{top}/sentencepiece.model": b"spm",
    }
    if files is not None:
        members = {f"{top}/{name}": data for name, data in files.items()}
    members.update(extra or {})
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            if data is not None:
                archive.writestr(name, data)
    return path


def installed_tree(instance):
    root = mt_packages.packages_dir(instance)
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) if root.exists() else []


def test_a_valid_package_is_installed_under_the_instance_folder_with_its_checksum(tmp_path):
    instance = tmp_path / "instance"
    package = mt_packages.install_package(make_package(tmp_path / "ar_en.argosmodel"), instance)
    assert package.path.parent == instance / "argos-packages"
    assert (package.name, package.version, package.from_code, package.to_code) == ("translate-ar_en", "1.9", "ar", "en")
    import hashlib

    assert package.checksum == hashlib.sha256((tmp_path / "ar_en.argosmodel").read_bytes()).hexdigest()
    assert package.model_id == f"translate-ar_en@1.9+sha256:{package.checksum[:16]}"
    assert (package.path / "model" / "model.bin").read_bytes() == b"not really a model"
    assert mt_packages.list_packages(instance) == [package]
    assert mt_packages.find_package(instance) == package


def test_the_same_file_twice_is_refused(tmp_path):
    instance = tmp_path / "instance"
    file = make_package(tmp_path / "a.argosmodel")
    mt_packages.install_package(file, instance)
    with pytest.raises(PackageError, match="already installed"):
        mt_packages.install_package(file, instance)


@pytest.mark.parametrize("build, reason", [
    (lambda p: p.write_bytes(b"PK\x03\x04 but not really"), "not a zip"),
    (lambda p: p.write_text("plain text"), "not a zip"),
    (lambda p: make_package(p, metadata=None), "no metadata.json"),
    (lambda p: make_package(p, metadata={**METADATA, "from_code": "fr"}), "wrong languages"),
    (lambda p: make_package(p, metadata={**METADATA, "to_code": "ar", "from_code": "en"}), "wrong languages"),
    (lambda p: make_package(p, files={"metadata.json": json.dumps(METADATA), "sentencepiece.model": "x"}),
     "no CTranslate2 model"),
    (lambda p: make_package(p, files={"metadata.json": json.dumps(METADATA), "model/model.bin": "x",
                                      "model/config.json": "{}"}), "no sentencepiece.model"),
    (lambda p: make_package(p, files={"metadata.json": "{not json", "model/model.bin": "x"}), "not valid JSON"),
    (lambda p: make_package(p, extra={"../../evil.txt": "x"}), "unsafe path"),
    (lambda p: make_package(p, extra={"/etc/evil": "x"}), "unsafe path"),
    (lambda p: make_package(p, extra={"other-folder/x": "x"}), "exactly one package folder"),
    (lambda p: make_package(p, extra={"loose-file.txt": "x"}), "outside the package folder"),
])
def test_bad_packages_are_refused_with_the_reason_and_nothing_is_left(tmp_path, build, reason):
    instance = tmp_path / "instance"
    file = tmp_path / "bad.argosmodel"
    build(file)
    with pytest.raises(PackageError, match=reason):
        mt_packages.install_package(file, instance)
    assert installed_tree(instance) == []
    assert not (tmp_path / "evil.txt").exists()


def test_a_symlink_in_the_archive_is_refused(tmp_path):
    file = make_package(tmp_path / "link.argosmodel")
    with zipfile.ZipFile(file, "a") as archive:
        info = zipfile.ZipInfo("translate-ar_en-1_9/model/link")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    with pytest.raises(PackageError, match="symbolic link"):
        mt_packages.install_package(file, tmp_path / "instance")
    assert installed_tree(tmp_path / "instance") == []


def test_installed_folder_never_contains_argos_reserved_words(tmp_path):
    metadata = {**METADATA, "name": "translate-ar_en-spacy-stanza"}
    package = mt_packages.install_package(make_package(tmp_path / "p.argosmodel", metadata=metadata), tmp_path / "i")
    assert not any(word in package.path.name.lower() for word in ("spacy", "stanza", "minisbd"))


def test_remove_deletes_the_package(tmp_path):
    instance = tmp_path / "instance"
    package = mt_packages.install_package(make_package(tmp_path / "p.argosmodel"), instance)
    assert mt_packages.remove_package(instance, package.model_id) == package
    assert mt_packages.list_packages(instance) == []
    with pytest.raises(PackageError, match="no installed package"):
        mt_packages.remove_package(instance, "translate-ar_en")


def test_cli_installs_lists_and_removes_a_model(app, tmp_path):
    runner = app.test_cli_runner()
    installed = runner.invoke(args=["mt", "install", str(make_package(tmp_path / "m.argosmodel"))])
    assert installed.exit_code == 0, installed.output
    assert "Installed translate-ar_en@1.9+sha256:" in installed.output
    listing = runner.invoke(args=["mt", "list"])
    name, version, languages, size, checksum = listing.stdout.strip().split("\t")
    assert (name, version, languages) == ("translate-ar_en", "1.9", "ar->en")
    assert checksum.startswith("sha256:") and len(checksum) == 7 + 64
    assert runner.invoke(args=["mt", "remove", "translate-ar_en"]).exit_code == 0
    assert runner.invoke(args=["mt", "list"]).stdout == ""


def test_cli_refuses_a_bad_package_with_its_reason(app, tmp_path):
    bad = make_package(tmp_path / "fr.argosmodel", metadata={**METADATA, "from_code": "fr"})
    result = app.test_cli_runner().invoke(args=["mt", "install", str(bad)])
    assert result.exit_code == 1
    assert "wrong languages" in result.output


def test_admin_uploads_a_model_on_the_web(admin_client, app, tmp_path):
    token = csrf_token_from(admin_client.get("/admin/models").get_data(as_text=True))
    data = make_package(tmp_path / "m.argosmodel").read_bytes()
    response = admin_client.post("/admin/models", data={"csrf_token": token, "package": (io.BytesIO(data), "m.argosmodel")},
                                 content_type="multipart/form-data")
    assert response.status_code == 302
    assert [p.name for p in mt_packages.list_packages(app.instance_path)] == ["translate-ar_en"]
    assert not list((tmp_path / "instance").glob(".upload-*"))


def test_web_upload_of_a_bad_package_shows_the_reason(admin_client, app, tmp_path):
    token = csrf_token_from(admin_client.get("/admin/models").get_data(as_text=True))
    response = admin_client.post("/admin/models", data={"csrf_token": token, "package": (io.BytesIO(b"junk"), "x.argosmodel")},
                                 content_type="multipart/form-data")
    assert response.status_code == 422
    assert "not a zip archive" in response.get_data(as_text=True)
    assert mt_packages.list_packages(app.instance_path) == []


def test_without_a_model_the_article_page_says_how_to_install_one(client, app, seeded, admin):
    from tests.conftest import log_in

    log_in(client, "amina")
    html = client.get(f"/articles/{seeded[0]}").get_data(as_text=True)
    assert "No machine translation model is installed" in html
    assert "flask --app wsgi mt install FILE.argosmodel" in html


def test_translate_without_a_model_is_a_clear_409(client, app, seeded, admin):
    from app.services import users as user_service
    from tests.conftest import bearer

    token = user_service.issue_api_token(admin)
    response = client.post(f"/api/v1/articles/{seeded[0]}/translate", headers=bearer(token))
    assert response.status_code == 409
    assert "No machine translation model is installed" in response.get_json()["error"]["message"]


# Zip bombs (issue 14): a package is refused before anything is unpacked -------------------------

ZEROS_200_MIB = 200 * 1024**2


def zip_bomb(path, size=ZEROS_200_MIB):
    """A structurally valid package whose model.bin is `size` zeros (deflated to a few hundred KB)."""
    top = "translate-ar_en-1_9"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{top}/metadata.json", json.dumps(METADATA))
        archive.writestr(f"{top}/model/config.json", "{}")
        archive.writestr(f"{top}/sentencepiece.model", b"spm")
        with archive.open(f"{top}/model/model.bin", "w", force_zip64=True) as member:
            block = bytes(1024**2)
            for _ in range(size // len(block)):
                member.write(block)
    return path


def test_a_zip_bomb_of_200_mib_of_zeros_is_refused_and_nothing_is_installed(tmp_path):
    instance = tmp_path / "instance"
    bomb = zip_bomb(tmp_path / "bomb.argosmodel")
    assert bomb.stat().st_size < 1024**2

    with pytest.raises(PackageError, match=r"model.bin.*more than 20 times.*zip bomb"):
        mt_packages.install_package(bomb, instance)
    assert installed_tree(instance) == []


def test_an_admin_uploading_a_zip_bomb_is_told_why_and_nothing_is_installed(admin_client, app, tmp_path):
    token = csrf_token_from(admin_client.get("/admin/models").get_data(as_text=True))
    data = zip_bomb(tmp_path / "bomb.argosmodel").read_bytes()

    response = admin_client.post("/admin/models", data={"csrf_token": token,
                                                        "package": (io.BytesIO(data), "bomb.argosmodel")},
                                 content_type="multipart/form-data")
    assert response.status_code == 422
    assert "zip bomb" in response.get_data(as_text=True)
    assert mt_packages.list_packages(app.instance_path) == []
