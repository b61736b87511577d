"""
Integrity check of a store: SQLite's own check plus the store's invariants.

Returns a list of problems (empty when the store is sound): every live
object has its row, every row has its object, and every reference points
at a live item or is NULL.  Also lists the scheduled calls that failed,
which are not damage but are what an operator asks "is anything wrong?"
to find.
"""

from .powerups import STORE_TARGET


def checkStore(store):
    """A list of str, one per problem found."""
    problems = []
    conn = store._conn
    result = conn.execute("PRAGMA integrity_check").fetchall()
    if result != [("ok",)]:
        problems.extend(f"sqlite: {r[0]}" for r in result)
    live = {}
    for oid, typeID in conn.execute(
            "SELECT oid, type_id FROM imaginary_objects WHERE type_id != -1"):
        live[oid] = typeID
    for typeID, info in store._infosByID.items():
        rows = {r[0] for r in conn.execute(f'SELECT oid FROM "{info.table}"')}
        expected = {oid for oid, t in live.items() if t == typeID}
        for oid in sorted(expected - rows):
            problems.append(f"object {oid} ({info.cls.typeName}) has no row")
        for oid in sorted(rows - expected):
            problems.append(f"row {oid} in {info.table} has no object")
        for attr in info.cls.__attributes__:
            if attr.kind != "reference":
                continue
            for oid, ref in conn.execute(
                    f'SELECT oid, "{attr.attrname}" FROM "{info.table}" '
                    f'WHERE "{attr.attrname}" IS NOT NULL'):
                if ref not in live and ref != STORE_TARGET:
                    problems.append(
                        f"{info.cls.typeName} {oid}.{attr.attrname} refers "
                        f"to missing item {ref}")
    return problems


def scheduledFailures(store):
    """
    One line per recorded failure of a scheduled call, oldest first (empty
    when the store never recorded one: the check creates nothing).
    """
    from .scheduler import TimedEventFailureLog
    if TimedEventFailureLog not in store._infos:
        return []
    lines = []
    for failure in store.query(
            TimedEventFailureLog,
            sort=TimedEventFailureLog.actualTime.ascending):
        last = failure.traceback.strip().splitlines()[-1:] or ["?"]
        lines.append(f"{failure.actualTime.asISO8601TimeAndDate()} "
                     f"{failure.runnable!r} (due "
                     f"{failure.desiredTime.asISO8601TimeAndDate()}): "
                     f"{last[0]}")
    return lines
