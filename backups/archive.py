"""Backups that restore: the whole database and every stored file in one archive, with a
manifest of sha256 hashes; and the way back, which checks everything before it changes anything.

The archive is a gzip-compressed tar file::

    manifest.json          what is in it: the database dump and every file, each with its size
                           in bytes and sha256 (hex); the database's vendor; when it was made
    manifest.json.sha256   the sha256 of manifest.json (hex)
    database/<dump>        the database dump
    files/<name>           every file of the default storage (uploaded essays and materials,
                           generated PDFs), under its storage name

The database dump is made by django-dbbackup's connector for the database (dbbackup.db):
pg_dump --format=custom on PostgreSQL (restored with pg_restore --single-transaction --clean
--if-exists; the PostgreSQL client tools on PATH must be as new as the server), the SQLite
online-backup API on SQLite (a consistent copy of a database in use). What this module adds is
the single archive, the manifest, the checks on restore, the refusal to overwrite a site that
has data, and restoring SQLite through the same backup API (the connector would overwrite the
database file, which is unsafe under WAL and impossible for an in-memory database).

The hashes catch an archive that was cut short, damaged, or changed in part (a file's bytes, or
the manifest without its checksum). They are not a signature: someone who rewrites a file, the
manifest and its checksum together is not caught. Keep archives where only the operators can
write, encrypted (README, "Backups").
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import logging
import os
import shutil
import sqlite3
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import DEFAULT_DB_ALIAS, connections

FORMAT = 1
MANIFEST = "manifest.json"
MANIFEST_SUM = "manifest.json.sha256"
DATABASE_DIR = "database"
FILES_DIR = "files"
CHUNK = 1024 * 1024
# Tables `migrate` fills by itself: a freshly migrated database has rows there and is still empty.
FILLED_BY_MIGRATE = {"contenttypes.ContentType", "auth.Permission"}


class ArchiveError(Exception):
    """An archive that cannot be restored (truncated, damaged, changed, another database
    vendor), or a target that is not empty; str() is the message for the operator. Raised
    before anything has been changed."""


@dataclass(frozen=True)
class BackupSummary:
    """What `write_archive` wrote: the archive's path, its size in bytes, the number of stored
    files and the database dump's size in bytes."""

    path: Path
    size: int
    files: int
    database_bytes: int


@dataclass(frozen=True)
class VerifiedArchive:
    """An archive whose every member matched the manifest, unpacked into `workdir`:
    `database` is the dump's path there, `files` maps each storage name to its unpacked path."""

    manifest: dict
    workdir: Path
    database: Path
    files: dict[str, Path]


def sha256_file(path: Path) -> str:
    """The sha256 (hex) of the file at `path`."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def storage_names(storage: Storage = default_storage, folder: str = "") -> Iterator[str]:
    """Every file name in `storage`, walking its folders (storage.listdir), sorted."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from storage_names(storage, f"{folder}/{sub}" if folder else sub)


def database_rows(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """The rows in each table of the installed models that has any, as {"app.Model": count};
    the tables `migrate` fills by itself (content types, permissions) are left out, so a freshly
    migrated database gives {}. A table that does not exist yet (no migrate run) counts as
    empty."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    rows: dict[str, int] = {}
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label
        if label in FILLED_BY_MIGRATE or model._meta.db_table not in existing:
            continue
        count = model._base_manager.using(using).count()
        if count:
            rows[label] = count
    return rows


def _connector(using: str):
    """django-dbbackup's connector for the database `using` (its engine's default)."""
    from dbbackup.db.base import get_connector

    # dbbackup.db.base sets this logger to DEBUG when imported, which prints every pg_dump and
    # pg_restore command line to the console (and into cron's mail); its failures still raise.
    logging.getLogger("dbbackup.command").setLevel(logging.WARNING)
    return get_connector(using)


def dump_database(target: Path, using: str = DEFAULT_DB_ALIAS) -> None:
    """Write a dump of the database `using` to `target`, with django-dbbackup's connector for
    its engine (pg_dump --format=custom on PostgreSQL, the SQLite backup API on SQLite).
    Raises dbbackup.db.exceptions.CommandConnectorError when pg_dump fails (its stderr)."""
    dump = _connector(using).create_dump()
    try:
        dump.seek(0)
        with open(target, "wb") as out:
            shutil.copyfileobj(dump, out, CHUNK)
    finally:
        dump.close()


def default_archive_name(now: datetime.datetime | None = None) -> str:
    """studygroup-backup-YYYYmmdd-HHMMSS.tar.gz, in UTC."""
    now = now or datetime.datetime.now(datetime.UTC)
    return f"studygroup-backup-{now:%Y%m%d-%H%M%S}.tar.gz"


def write_archive(path: Path, *, using: str = DEFAULT_DB_ALIAS,
                  storage: Storage = default_storage) -> BackupSummary:
    """Write one archive at `path` with the database `using` and every file of `storage`.

    The database is dumped first, then the files are read: a file uploaded meanwhile may be in
    the archive without its row, never a row without its file (unless the file is deleted
    meanwhile: it is then left out). The archive is written next to `path` under a temporary
    name and renamed when complete, so an interrupted backup never leaves a file that looks
    whole. Raises OSError (disk full, no permission) and the connector's errors."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = connections[using]
    with tempfile.TemporaryDirectory(prefix="studygroup-backup-") as scratch:
        dump_path = Path(scratch) / "dump"
        dump_database(dump_path, using)
        dump_name = f"{DATABASE_DIR}/{connection.vendor}.dump"
        manifest: dict = {
            "format": FORMAT,
            "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "database": {
                "vendor": connection.vendor,
                "name": dump_name,
                "size": dump_path.stat().st_size,
                "sha256": sha256_file(dump_path),
            },
            "files": [],
        }
        partial = path.with_name(f".{path.name}.partial")
        try:
            with tarfile.open(partial, "w:gz") as tar:
                tar.add(dump_path, arcname=dump_name, recursive=False)
                for name in storage_names(storage):
                    entry = _add_stored_file(tar, storage, name)
                    if entry:
                        manifest["files"].append(entry)
                manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                _add_bytes(tar, MANIFEST, manifest_bytes)
                _add_bytes(tar, MANIFEST_SUM, hashlib.sha256(manifest_bytes).hexdigest().encode())
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    return BackupSummary(path=path, size=path.stat().st_size, files=len(manifest["files"]),
                         database_bytes=manifest["database"]["size"])


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.datetime.now(datetime.UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))


def _add_stored_file(tar: tarfile.TarFile, storage: Storage, name: str) -> dict | None:
    """Add the stored file `name` under files/; its manifest entry, or None if it vanished."""
    try:
        handle = storage.open(name, "rb")
    except FileNotFoundError:
        return None
    with handle, tempfile.TemporaryFile() as copy:
        digest = hashlib.sha256()
        size = 0
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            copy.write(chunk)
            size += len(chunk)
        copy.seek(0)
        info = tarfile.TarInfo(f"{FILES_DIR}/{name}")
        info.size = size
        info.mtime = int(datetime.datetime.now(datetime.UTC).timestamp())
        tar.addfile(info, copy)
    return {"name": name, "size": size, "sha256": digest.hexdigest()}


def _safe_member_name(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return bool(parts) and not name.startswith("/") and ".." not in parts and "\\" not in name


def read_archive(path: Path, workdir: Path) -> VerifiedArchive:
    """Unpack the archive at `path` into `workdir` and check it against its manifest: the
    manifest against its checksum, then every member against the manifest (present, same size
    and sha256, nothing extra). Members are written under numbered names, never their own, so
    no name in the archive can write outside `workdir`.

    Raises ArchiveError naming the first problem (a truncated or damaged archive, a member
    changed, missing or not listed)."""
    path = Path(path)
    if not path.is_file():
        raise ArchiveError(f"{path} is not a file.")
    unpacked: dict[str, tuple[Path, int, str]] = {}
    try:
        with tarfile.open(path, "r:gz") as tar:
            for number, member in enumerate(tar):
                if not member.isfile() or not _safe_member_name(member.name):
                    raise ArchiveError(
                        f"{path} holds {member.name!r}, which a backup never does: "
                        "it was not made by `manage.py backup` or was changed."
                    )
                if member.name in unpacked:
                    raise ArchiveError(f"{path} holds {member.name!r} twice.")
                target = workdir / f"member-{number}"
                digest = hashlib.sha256()
                size = 0
                source = tar.extractfile(member)
                with source, open(target, "wb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                        size += len(chunk)
                unpacked[member.name] = (target, size, digest.hexdigest())
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise ArchiveError(
            f"{path} cannot be read to the end ({error}): it is truncated or damaged, "
            "or not a backup archive."
        ) from error

    for name in (MANIFEST, MANIFEST_SUM):
        if name not in unpacked:
            raise ArchiveError(f"{path} has no {name}: it is not a backup made by "
                               "`manage.py backup`, or it was cut short.")
    manifest_path, _, manifest_sha = unpacked.pop(MANIFEST)
    recorded = unpacked.pop(MANIFEST_SUM)[0].read_text(encoding="ascii", errors="replace").strip()
    if manifest_sha != recorded:
        raise ArchiveError(f"{path}: {MANIFEST} does not match its checksum in {MANIFEST_SUM}; "
                           "the manifest was changed after the backup was made.")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        database = manifest["database"]
        listed = {database["name"]: database} | {
            f"{FILES_DIR}/{entry['name']}": entry for entry in manifest["files"]
        }
        if manifest["format"] != FORMAT:
            raise ArchiveError(f"{path} is in backup format {manifest['format']}; "
                               f"this version reads format {FORMAT}.")
    except (ValueError, KeyError, TypeError) as error:
        raise ArchiveError(f"{path}: {MANIFEST} cannot be read ({error}).") from error

    if missing := sorted(listed.keys() - unpacked.keys()):
        raise ArchiveError(f"{path}: {missing[0]} is listed in the manifest but not in the "
                           f"archive ({len(missing)} missing in all).")
    if unlisted := sorted(unpacked.keys() - listed.keys()):
        raise ArchiveError(f"{path}: {unlisted[0]} is in the archive but not in the manifest "
                           f"({len(unlisted)} unlisted in all).")
    for name, (_, size, sha) in sorted(unpacked.items()):
        entry = listed[name]
        if sha != entry["sha256"] or size != entry["size"]:
            raise ArchiveError(
                f"{path}: {name} does not match its sha256 in the manifest "
                f"({size} bytes, sha256 {sha[:12]}…; the manifest says {entry['size']} bytes, "
                f"{str(entry['sha256'])[:12]}…). The archive was changed or damaged."
            )
    return VerifiedArchive(
        manifest=manifest,
        workdir=workdir,
        database=unpacked[database["name"]][0],
        files={name[len(FILES_DIR) + 1:]: unpacked[name][0]
               for name in unpacked if name.startswith(f"{FILES_DIR}/")},
    )


@dataclass(frozen=True)
class Replaced:
    """What a forced restore replaces: rows per model ({"app.Model": count}) and stored files."""

    rows: dict[str, int]
    files: list[str]

    def __bool__(self) -> bool:
        return bool(self.rows or self.files)

    def describe(self) -> str:
        """One paragraph for the operator: the row counts per model and the file count."""
        parts = []
        if self.rows:
            tables = ", ".join(f"{label} {count}" for label, count in sorted(self.rows.items()))
            parts.append(f"{sum(self.rows.values())} rows in {len(self.rows)} tables ({tables})")
        if self.files:
            parts.append(f"{len(self.files)} stored files")
        return " and ".join(parts)


def present_contents(using: str = DEFAULT_DB_ALIAS,
                     storage: Storage = default_storage) -> Replaced:
    """What the database `using` and `storage` hold now that a restore would replace."""
    return Replaced(rows=database_rows(using), files=list(storage_names(storage)))


def restore_archive(archive: VerifiedArchive, *, using: str = DEFAULT_DB_ALIAS,
                    storage: Storage = default_storage, force: bool = False,
                    before_replacing: Callable[[Replaced], None] | None = None) -> Replaced:
    """Restore a verified archive into the database `using` and `storage`; what was replaced.

    Refuses (ArchiveError, nothing changed) a dump of another database vendor, and a database
    or storage that holds anything unless `force`. With `force`, every stored file is deleted
    and the database is overwritten: SQLite as a whole (backup API), PostgreSQL object by
    object (pg_restore --clean --if-exists, in one transaction), so tables the dump does not
    have are kept. The database is restored before the files; a failure while writing files
    (disk full) leaves the database restored and the files partly written, and is raised.
    `before_replacing(present)` is called, when there is something to replace, before anything
    is changed (the command says what it is about to replace)."""
    vendor = connections[using].vendor
    made_from = archive.manifest["database"]["vendor"]
    if made_from != vendor:
        raise ArchiveError(f"The archive was made from a {made_from} database; this site uses "
                           f"{vendor}. Restore it into a {made_from} database.")
    present = present_contents(using, storage)
    if present and not force:
        raise ArchiveError(
            f"The site is not empty: it holds {present.describe()}. Restore into an empty "
            "database and storage, or add --force to replace them."
        )
    if present and before_replacing:
        before_replacing(present)
    # The database first: pg_restore runs in one transaction, so when it fails no file has
    # been deleted yet either.
    _restore_database(archive.database, using)
    for name in present.files:
        storage.delete(name)
    for name, source in sorted(archive.files.items()):
        with open(source, "rb") as handle:
            saved = storage.save(name, File(handle, name=name))
        if saved != name:
            raise RuntimeError(f"{name} was stored as {saved}: the storage renamed it.")
    return present


def _restore_database(dump: Path, using: str) -> None:
    connection = connections[using]
    if connection.vendor == "sqlite":
        # The backup API in reverse: page by page into the open database, which SQLite
        # handles under WAL and for an in-memory database alike.
        connection.ensure_connection()
        source = sqlite3.connect(dump)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return
    # pg_restore drops and creates tables: no open transaction of ours may hold a lock on them.
    connection.close()
    with open(dump, "rb") as handle:
        _connector(using).restore_dump(handle)
