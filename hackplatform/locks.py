"""Row locks that lock only the row asked for.

On PostgreSQL `SELECT ... FOR UPDATE` locks a row of every table in the query. A model's default ordering
brings joins (a phase orders by its challenge, which orders by its event), and so does `select_related`:
`Phase.objects.select_for_update().filter(pk=...).first()` locked the phase, its challenge and its event,
so every upload (team lock) and every leaderboard update (phase lock) of an event waited on the one event
row. Lock with `lock_row`, or pass `of=SELF` when the query must join.
"""

from __future__ import annotations

from django.db import models

# `select_for_update(of=SELF)`: lock the queried model's rows only, not the rows of the joined tables.
SELF = ("self",)


def lock_row(model: type[models.Model], pk, *, no_key: bool = True) -> bool:
    """Lock one row until the transaction ends (FOR NO KEY UPDATE unless `no_key` is False: foreign-key
    checks of rows pointing at it need not wait); reads its id only. False when there is no such row."""
    rows = model._default_manager.select_for_update(no_key=no_key).filter(pk=pk).order_by().values_list("pk", flat=True)
    return bool(list(rows))
