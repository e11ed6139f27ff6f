"""The brief archive: every brief handed out, kept as it was (meeting, entity, release, who,
when, each file's SHA-256 and bytes), with its audit record, in one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from pipelines.audit import record
from pipelines.warehouse import snapshot_id, transaction


def archive_brief(
    con,
    meeting: dt.date,
    entity: str | None,
    release_id: str,
    files: dict[str, bytes],
    actor: str,
    role: str | None,
    data_snapshot: int | None = None,
) -> str:
    """Keep the files of one brief production with the DuckLake snapshot it read (default: the
    store's latest); returns its archive id."""
    archive_id = f"B{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"
    if data_snapshot is None:
        data_snapshot = snapshot_id(con)
    with transaction(con, claim=False):  # appends only: never conflicts with another write
        for name, data in files.items():
            con.execute(
                """insert into brief_archive (archive_id, meeting_date, entity, release_id, file_name,
                       sha256, content, produced_by, role, produced_at, data_snapshot)
                   values ($id, $meeting, $entity, $release, $name, $sha, $content, $actor, $role,
                       current_timestamp, $snapshot)""",
                {
                    "id": archive_id,
                    "meeting": meeting,
                    "entity": entity,
                    "release": release_id,
                    "name": name,
                    "sha": hashlib.sha256(data).hexdigest(),
                    "content": data,
                    "actor": actor,
                    "role": role,
                    "snapshot": data_snapshot,
                },
            )
        record(
            con,
            actor,
            role,
            "brief_archived",
            archive_id=archive_id,
            meeting=meeting,
            entity=entity,
            release_id=release_id,
            snapshot=data_snapshot,
            files=sorted(files),
        )
    return archive_id


def archived_file(con, archive_id: str, file_name: str) -> bytes:
    return con.sql(
        "select content from brief_archive where archive_id = $id and file_name = $name",
        params={"id": archive_id, "name": file_name},
    ).fetchall()[0][0]
