"""Putting a nightly copy (``storage/backup.py``) back in place of the SQLite database.

The copy is read through SQLite, not copied as bytes: its integrity is checked and it is
written out under a staging name beside the database before the database is touched, so a
corrupt copy or a full disk changes nothing. The database is then moved aside with its
``-wal`` and ``-shm`` under one timestamped name (never deleted: a ``-wal`` left by a killed
bot holds its last writes, and applied to the restored copy it would damage it), and the
staged copy is renamed into place. The caller holds the bot's lock meanwhile.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from storage.backup import BACKUP_PREFIX, BACKUP_SUFFIX

#: The files SQLite keeps beside a database in WAL mode, which belong to that one file.
SIDE_FILES = ("-wal", "-shm")
STAGING_SUFFIX = ".restoring"
ASIDE_INFIX = ".before-restore-"


class RestoreError(RuntimeError):
    """The copy cannot be restored (missing, corrupt, not the bot's); nothing was moved."""


@dataclass(frozen=True)
class Copy:
    path: Path
    taken_at: datetime
    size: int


@dataclass(frozen=True)
class Restored:
    database: Path
    aside: Path
    moved: tuple[str, ...]
    """What was moved to ``aside``: "" for the database file, "-wal", "-shm"; () for none."""


def copies(folder: Path) -> list[Copy]:
    """The nightly copies in ``folder``, newest first, with when they were taken (their
    name says, in UTC) and their size; a file with another name is not one of them."""
    found = []
    for path in folder.glob(f"{BACKUP_PREFIX}*{BACKUP_SUFFIX}"):
        stamp = path.name.removeprefix(BACKUP_PREFIX).removesuffix(BACKUP_SUFFIX)
        with contextlib.suppress(ValueError):
            taken_at = datetime.strptime(stamp, "%Y%m%d-%H%M%S").replace(tzinfo=UTC)
            found.append(Copy(path, taken_at, path.stat().st_size))
    return sorted(found, key=lambda copy: copy.taken_at, reverse=True)


def restore(copy: Path, database: Path, *, now: datetime) -> Restored:
    """Put ``copy`` in place of ``database``; RestoreError, with nothing moved, when it
    cannot be read as a sound bot database or written out beside the database."""
    staging = database.with_name(database.name + STAGING_SUFFIX)
    aside = _free_name(database.with_name(f"{database.name}{ASIDE_INFIX}{now:%Y%m%d-%H%M%S}"))
    _remove_with_side_files(staging)  # left by a restore cut short
    try:
        _stage(copy, staging)
        moved = _move_aside(database, aside)
    except BaseException:
        _remove_with_side_files(staging)
        raise
    staging.replace(database)
    return Restored(database, aside, moved)


def _stage(copy: Path, staging: Path) -> None:
    """Check ``copy`` and write it out as ``staging`` (with what a ``-wal`` beside the copy
    holds, when the copy is a database an earlier restore moved aside). Reading a copy in WAL
    mode (that database: the undo) makes SQLite create a ``-wal`` and ``-shm`` beside it that
    a read-only connection cannot remove; those it created are removed once it is closed."""
    created = [end for end in SIDE_FILES if not _side(copy, end).exists()]
    try:
        _copy_checked(copy, staging)
    finally:
        for end in created:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(_side(copy, end))


def _side(path: Path, end: str) -> Path:
    return path.with_name(path.name + end)


def _copy_checked(copy: Path, staging: Path) -> None:
    try:
        source = sqlite3.connect(f"{copy.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise RestoreError(f"{copy} cannot be opened: {error}") from None
    try:
        try:
            verdict = [row[0] for row in source.execute("PRAGMA integrity_check")]
            source.execute("SELECT version_num FROM alembic_version").fetchall()
        except sqlite3.Error as error:  # not a database, malformed, or not the bot's
            raise RestoreError(f"{copy} cannot be read as the bot's database: {error}") from None
        if verdict != ["ok"]:
            raise RestoreError(f"{copy} is damaged (integrity check: {verdict[0]})")
        target = sqlite3.connect(staging)
        try:
            source.backup(target)
        except sqlite3.Error as error:  # a full disk
            raise RestoreError(f"{staging} cannot be written: {error}") from None
        finally:
            target.close()
    finally:
        source.close()


def _free_name(aside: Path) -> Path:
    """``aside``, or with ``-2``, ``-3``… added when a restore in the same second (an undo
    at once) already took it, with any of its side files."""
    taken = 1
    candidate = aside
    while any(candidate.with_name(candidate.name + end).exists() for end in ("", *SIDE_FILES)):
        taken += 1
        candidate = aside.with_name(f"{aside.name}-{taken}")
    return candidate


def _move_aside(database: Path, aside: Path) -> tuple[str, ...]:
    """Rename the database and its side files to ``aside`` plus the same suffixes, so that
    SQLite still pairs them; the suffixes moved."""
    moved = []
    for end in ("", *SIDE_FILES):
        source = database.with_name(database.name + end)
        if source.exists():
            source.replace(aside.with_name(aside.name + end))
            moved.append(end)
    return tuple(moved)


def _remove_with_side_files(path: Path) -> None:
    for end in ("", *SIDE_FILES):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path.with_name(path.name + end))
