"""The store's snapshot history as the Data-quality page shows it: each DuckLake snapshot (one
committed write) with the loads and releases it committed, so that a figure's snapshot can be
traced to the loads behind it."""

from __future__ import annotations

import polars as pl

from pipelines.store import LAKE

# the loads of the viewer's entity ($entity null: every load, for the administrator)
_OWN = """($entity is null
    or list_contains(list_transform(string_split(m.entities, ','), lambda e: trim(e)), $entity))"""


def snapshot_history(con, entity: str | None, limit: int = 200) -> pl.DataFrame:
    """The latest snapshots, newest first: when, by whom, the loads committed in it (file,
    status) and the releases published in it, from each snapshot's commit information. An
    analyst sees the snapshots of their own entity's loads and of releases; the administrator
    every snapshot, with the audited actions it holds."""
    return con.sql(
        f"""
        with snaps as (
            select snapshot_id, snapshot_time::timestamp as committed_at, author,
                   json_extract_string(try_cast(commit_extra_info as json), '$.loads[*]') as loads,
                   json_extract_string(try_cast(commit_extra_info as json), '$.releases[*]')
                       as releases,
                   json_extract_string(try_cast(commit_extra_info as json), '$.actions[*]')
                       as actions
            from ducklake_snapshots('{LAKE}')
        ),
        loads as (
            select s.snapshot_id,
                   string_agg(m.file_name || ' (' || m.status || ')', '; ' order by m.file_name)
                       as loads
            from snaps s, unnest(s.loads) l(load_id)
            join load_manifest m on m.load_id = l.load_id
            where {_OWN} group by 1
        )
        select s.snapshot_id, s.committed_at, s.author, l.loads,
               array_to_string(s.releases, '; ') as releases,
               case when $entity is null then array_to_string(s.actions, ', ') end as actions
        from snaps s left join loads l using (snapshot_id)
        where $entity is null or l.loads is not null or len(s.releases) > 0
        order by s.snapshot_id desc
        limit {int(limit)}
        """,
        params={"entity": entity},
    ).pl()


def release_snapshot(con, release_id: str) -> int | None:
    """The snapshot that committed a release (its data and the release itself)."""
    row = con.sql(
        f"""select max(snapshot_id) from ducklake_snapshots('{LAKE}')
            where list_contains(
                json_extract_string(try_cast(commit_extra_info as json), '$.releases[*]'), $id)""",
        params={"id": release_id},
    ).fetchall()
    return row[0][0] if row else None
