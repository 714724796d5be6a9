"""manage.py backup and restore: the demo site with its uploads comes back identical (every row,
every file's sha256) in a fresh database and media folder; a truncated or changed archive, and a
site that already has data, are refused with a message and nothing is restored.

The backup runs here, on the test database; each restore runs as `manage.py` in its own process
against a fresh database: a SQLite file on SQLite, a scratch database created on the same server
when the tests run on PostgreSQL (DATABASE_URL=postgres://...), dropped afterwards."""

import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection

from sessions_app.models import ReflectionEssay, SessionMaterial, StudySession
from tests.factories import StudyGroupFactory
from tests.uploads import docx_bytes, pdf_bytes

BASE_DIR = Path(__file__).resolve().parent.parent.parent

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump sees only committed rows


@pytest.fixture
def fresh_database(tmp_path):
    """The DATABASE_URL of a database with nothing in it, on the test database's engine."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    assert connection.vendor == "postgresql", connection.vendor
    name = f"studygroup_restore_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    yield f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{name}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def restored_media(tmp_path):
    folder = tmp_path / "restored-media"
    folder.mkdir()
    return folder


def manage(database_url: str, media: Path, *args: str) -> subprocess.CompletedProcess:
    """manage.py in its own process on the database at `database_url`, storage in `media`."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env.update(DATABASE_URL=database_url, MEDIA_ROOT=str(media),
               DJANGO_SETTINGS_MODULE="studygroup.settings_test")
    return subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env,
                          capture_output=True, text=True, timeout=300)


def table_count(database_url: str, media: Path) -> int:
    script = "from django.db import connection; print(len(connection.introspection.table_names()))"
    result = manage(database_url, media, "shell", "-c", script)
    assert result.returncode == 0, result.stderr
    return int(result.stdout.split()[-1])


def file_hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*")) if path.is_file()
    }


def backup(tmp_path) -> Path:
    archive = tmp_path / "site.tar.gz"
    out = io.StringIO()
    call_command("backup", "-o", str(archive), stdout=out)
    assert f"Wrote {archive}" in out.getvalue()
    return archive


def add_uploads() -> None:
    """Three essays with uploaded files, a session material and a generated PDF, in storage."""
    for number, essay in enumerate(ReflectionEssay.objects.order_by("pk")[:3], start=1):
        essay.file.save(f"心得{number}.docx", ContentFile(docx_bytes([f"学习心得 {number}"])))
    session = StudySession.objects.order_by("pk").first()
    material = SessionMaterial(session=session, title="学习材料", original_filename="材料.pdf")
    material.file.save("材料.pdf", ContentFile(pdf_bytes()))
    default_storage.save("reports/demo/2020H1-summary.pdf", ContentFile(pdf_bytes("总结")))


def small_site_archive(tmp_path) -> Path:
    StudyGroupFactory(name="备份组", slug="backup")
    default_storage.save("essays/1/a.txt", ContentFile("学习心得".encode()))
    default_storage.save("materials/1/2/b.txt", ContentFile(b"material"))
    return backup(tmp_path)


def rewrite(archive: Path, change) -> Path:
    """A copy of `archive` with change(members: dict name -> bytes) applied."""
    with tarfile.open(archive, "r:gz") as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar}
    change(members)
    changed = archive.with_name("changed.tar.gz")
    with tarfile.open(changed, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return changed


def test_the_demo_with_its_uploads_restores_to_an_identical_site(
    tmp_path, media_root, fresh_database, restored_media
):
    call_command("seed_demo", stdout=io.StringIO())
    add_uploads()
    archive = backup(tmp_path)

    result = manage(fresh_database, restored_media, "restore", str(archive))

    assert result.returncode == 0, result.stderr
    # Every file in storage: the uploads, and the demo's documents made ahead at approval and
    # its outline's upload (reports.services.report_files, demo.notices).
    stored = sum(1 for p in Path(media_root).rglob("*") if p.is_file())
    assert f"Restored the database and {stored} stored files" in result.stdout
    original = io.StringIO()
    call_command("dumpdata", "--indent=1", stdout=original)
    restored = manage(fresh_database, restored_media, "dumpdata", "--indent=1")
    assert restored.returncode == 0, restored.stderr
    rows = json.loads(original.getvalue())
    assert {row["model"] for row in rows} >= {
        "sessions_app.reflectionessay", "sessions_app.sessionmaterial", "auth.user"
    }
    assert json.loads(restored.stdout) == rows
    assert len(file_hashes(media_root)) > 5  # the 5 uploads and the documents made ahead
    assert file_hashes(restored_media) == file_hashes(media_root)


def test_the_manifest_lists_the_sha256_of_the_database_dump_and_every_file(tmp_path, media_root):
    archive = small_site_archive(tmp_path)

    with tarfile.open(archive, "r:gz") as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar}
    manifest = json.loads(members["manifest.json"])

    assert members["manifest.json.sha256"].decode() == hashlib.sha256(
        members["manifest.json"]).hexdigest()
    database = manifest["database"]
    assert database["sha256"] == hashlib.sha256(members[database["name"]]).hexdigest()
    assert {f["name"]: f["sha256"] for f in manifest["files"]} == file_hashes(media_root)


def test_a_truncated_archive_is_refused_and_nothing_is_restored(
    tmp_path, fresh_database, restored_media
):
    archive = small_site_archive(tmp_path)
    data = archive.read_bytes()
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(data[: len(data) * 2 // 3])

    result = manage(fresh_database, restored_media, "restore", str(truncated))

    assert result.returncode == 1
    assert "cannot be read to the end" in result.stderr
    assert "truncated or damaged" in result.stderr
    assert "Nothing was restored." in result.stderr
    assert table_count(fresh_database, restored_media) == 0
    assert file_hashes(restored_media) == {}


def _flip_a_file_byte(members):
    data = bytearray(members["files/essays/1/a.txt"])
    data[0] ^= 1
    members["files/essays/1/a.txt"] = bytes(data)


def _edit_the_manifest(members):
    manifest = json.loads(members["manifest.json"])
    manifest["files"][0]["sha256"] = "0" * 64
    members["manifest.json"] = json.dumps(manifest).encode()


def _add_an_unlisted_file(members):
    members["files/essays/1/extra.txt"] = b"not in the manifest"


def _drop_a_file(members):
    del members["files/materials/1/2/b.txt"]


@pytest.mark.parametrize(("change", "message"), [
    (_flip_a_file_byte, "files/essays/1/a.txt does not match its sha256 in the manifest"),
    (_edit_the_manifest, "manifest.json does not match its checksum"),
    (_add_an_unlisted_file, "files/essays/1/extra.txt is in the archive but not in the manifest"),
    (_drop_a_file, "files/materials/1/2/b.txt is listed in the manifest but not in the archive"),
])
def test_a_changed_archive_is_refused_and_nothing_is_restored(
    tmp_path, fresh_database, restored_media, change, message
):
    changed = rewrite(small_site_archive(tmp_path), change)

    result = manage(fresh_database, restored_media, "restore", str(changed))

    assert result.returncode == 1
    assert message in result.stderr
    assert "Nothing was restored." in result.stderr
    assert table_count(fresh_database, restored_media) == 0
    assert file_hashes(restored_media) == {}


def test_a_file_that_is_not_an_archive_is_refused(tmp_path, fresh_database, restored_media):
    not_archive = tmp_path / "notes.tar.gz"
    not_archive.write_bytes(gzip.compress(b"just some text"))

    result = manage(fresh_database, restored_media, "restore", str(not_archive))

    assert result.returncode == 1
    assert "Nothing was restored." in result.stderr
    assert table_count(fresh_database, restored_media) == 0


def test_a_site_with_data_is_refused_without_force_and_replaced_with_it(
    tmp_path, fresh_database, restored_media
):
    archive = small_site_archive(tmp_path)
    assert manage(fresh_database, restored_media, "restore", str(archive)).returncode == 0
    (restored_media / "essays" / "1" / "a.txt").write_bytes(b"changed since")
    (restored_media / "later.txt").write_bytes(b"uploaded after the backup")

    refused = manage(fresh_database, restored_media, "restore", str(archive))

    assert refused.returncode == 1
    assert "The site is not empty: it holds" in refused.stderr
    assert "sessions_app.StudyGroup 1" in refused.stderr
    assert "3 stored files" in refused.stderr
    assert "add --force" in refused.stderr
    assert (restored_media / "later.txt").exists()
    assert (restored_media / "essays" / "1" / "a.txt").read_bytes() == b"changed since"

    forced = manage(fresh_database, restored_media, "restore", "--force", str(archive))

    assert forced.returncode == 0, forced.stderr
    assert "--force: replacing 1 rows in 1 tables (sessions_app.StudyGroup 1)" in forced.stdout
    assert "and 3 stored files" in forced.stdout
    assert set(file_hashes(restored_media)) == {"essays/1/a.txt", "materials/1/2/b.txt"}
    assert (restored_media / "essays" / "1" / "a.txt").read_bytes() == "学习心得".encode()
