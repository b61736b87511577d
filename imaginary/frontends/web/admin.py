"""
The operator's page: /admin (HTML) and /admin.json, for admins only.

Both show the same facts (C{adminFacts}): the open connections (account,
character, front end, address, idle time, bytes each way), per-verb
command counts and timings since start, the slowest commands, the
reactor's lag, the store's size on disk and last checkpoint, and the
scheduler's next events.  They are read-only: nothing here changes the
game, and the store is only queried.

Who may look is decided by the web login (the signed session cookie of
pages.py): no login is 401, a login whose account's level is not "admin"
(or that is banned) is 403.  The level is read from the account on every
request, so an account demoted while logged in loses the page at once.
The HTML page is built on the server with every value through
C{html.escape}; it needs no script and no style, which the
Content-Security-Policy of headers.py would refuse inline anyway.
"""

import html
import os
import time

from imaginary.store.scheduler import Scheduler, TimedEvent

from .headers import answer, refuse, securePage
from .pages import PageBase
from .status import frontEndName

NEXT_EVENTS = 10        # scheduled events shown
STORE_FILES = ("db.sqlite", "db.sqlite-wal", "db.sqlite-shm")

NOT_LOGGED_IN = ("You are not logged in. Log in on the game's page "
                 "(/) with an admin account, then come back to /admin.")


def notAdmin(account):
    """The 403 sentence for a logged-in account that isn't an admin."""
    return (f"The account {account.username} may not see this page: it "
            f"is only for the game's administrators.")


def permission(page, request):
    """
    (None, None) when the request's login is an admin's, else the
    (status, sentence) to refuse it with.
    """
    session = page.loggedIn(request)
    if session is None:
        return 401, NOT_LOGGED_IN
    account = session.avatar.account
    if account.store is None:           # deleted since it logged in
        return 401, NOT_LOGGED_IN
    if account.banned or account.level != "admin":
        return 403, notAdmin(account)
    return None, None


# -- the facts -------------------------------------------------------------

def connectionFacts(connection, now):
    """One open connection (a line dialogue or a web socket), as data."""
    frontEnd = getattr(connection, "frontEnd", connection)
    account = getattr(connection, "account", None)
    attachment = getattr(connection, "attachment", None)
    character = attachment.character if attachment is not None else None
    # Telnet's transport, SSH's channel counter, the web socket itself
    # (see docs/operating.md, "The admin page"); the local terminal has
    # none.
    traffic = getattr(frontEnd, "traffic", frontEnd)
    lastInput = getattr(traffic, "lastInput", None)
    return {
        "account": account.username if account is not None else None,
        "character": character.name if character is not None else None,
        "frontEnd": frontEndName(connection),
        "address": str(getattr(frontEnd, "address", "")),
        "idleSeconds": (round(max(0.0, now - lastInput), 1)
                        if lastInput is not None else None),
        "bytesIn": getattr(traffic, "bytesIn", None),
        "bytesOut": getattr(traffic, "bytesOut", None),
    }


def storeFacts(store):
    """The store's files and their sizes, and its last checkpoint."""
    path = store.path
    if path is None:
        return {"path": None, "bytes": 0, "files": {},
                "lastCheckpoint": None}
    files = {}
    for name in STORE_FILES:
        try:
            files[name] = os.stat(os.path.join(path, name)).st_size
        except OSError:
            pass
    try:
        # In WAL mode SQLite writes the main database file only when it
        # checkpoints (copies the WAL back into it), so its modification
        # time is the last checkpoint's.
        checkpoint = os.stat(os.path.join(path, STORE_FILES[0])).st_mtime
    except OSError:
        checkpoint = None
    return {"path": path, "bytes": sum(files.values()), "files": files,
            "lastCheckpoint": checkpoint}


def describeRunnable(runnable):
    """What a scheduled call will run: its type, store id and owner."""
    if runnable is None:
        return "(deleted)"
    what = f"{type(runnable).__name__} #{runnable.storeID}"
    owner = getattr(runnable, "thing", None)
    name = getattr(owner, "name", None) or getattr(runnable, "name", None)
    return f"{what} ({name})" if isinstance(name, str) else what


def schedulerFacts(store, clock, limit=NEXT_EVENTS):
    """
    The scheduler's state and its next C{limit} events, by queries only:
    IScheduler(store) would install a scheduler in a store without one.
    """
    scheduler = store.findFirst(Scheduler)
    now = clock.seconds()
    events = []
    for event in store.query(TimedEvent, sort=TimedEvent.time.ascending,
                             limit=limit):
        at = event.time.asPOSIXTimestamp()
        events.append({"at": at, "inSeconds": round(at - now, 1),
                       "runs": describeRunnable(event.runnable)})
    return {"running": bool(scheduler is not None and scheduler.running),
            "eventsRun": scheduler.eventsRun if scheduler is not None else 0,
            "pending": store.count(TimedEvent),
            "next": events}


def adminFacts(game):
    """Everything the admin page shows, as JSON-ready data."""
    server = game.server
    metrics = server.metrics
    now = time.monotonic()
    connections = [connectionFacts(c, now) for c in list(server.connections)]
    connections.sort(key=lambda c: (c["account"] or "", c["frontEnd"],
                                    c["address"]))
    verbs = []
    for name, timings in metrics.commands.byVerb():
        row = {"verb": name}
        row.update(timings.asDict())
        verbs.append(row)
    return {
        "now": time.time(),
        "started": server.started,
        "uptime": round(time.time() - server.started, 1),
        "connections": connections,
        "verbs": verbs,
        "slowest": metrics.commands.slowest(),
        "reactorLag": metrics.lag.asDict(),
        "store": storeFacts(server.store),
        "scheduler": schedulerFacts(server.store, server.reactor),
    }


# -- the pages -------------------------------------------------------------

class AdminJSON(PageBase):
    """GET /admin.json: the admin page's facts as data."""

    def render_GET(self, request):
        """
        The operator's facts as JSON, for an admin's login only (401 or 403
        otherwise).
        """
        code, sentence = permission(self, request)
        if code is not None:
            return refuse(request, code, sentence)
        return answer(request, 200, adminFacts(self.game))


class AdminPage(PageBase):
    """GET /admin: the facts as a read-only HTML page."""

    def render_GET(self, request):
        """
        The admin page, for an admin's login only (otherwise a page saying to
        log in, or that it is not allowed).
        """
        code, sentence = permission(self, request)
        securePage(request, b"text/html; charset=utf-8")
        if code is not None:
            request.setResponseCode(code)
            title = "Log in first" if code == 401 else "Not allowed"
            return _page(title, f"<p>{_e(sentence)}</p>\n"
                                f'<p><a href="/">The game\'s page</a></p>')
        return _page("Imaginary: the admin page",
                     renderFacts(adminFacts(self.game)))


def _e(value):
    """A value as escaped HTML text ("-" for None)."""
    return html.escape("-" if value is None else str(value), quote=True)


def _page(title, body):
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title></head>
<body>
<main>
<h1>{_e(title)}</h1>
{body}
</main>
</body>
</html>
""".encode("utf-8")


def _table(caption, headers, rows, empty):
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in headers)
    if rows:
        body = "\n".join("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in row)
                         + "</tr>" for row in rows)
    else:
        body = f'<tr><td colspan="{len(headers)}">{_e(empty)}</td></tr>'
    return (f"<table>\n<caption>{_e(caption)}</caption>\n"
            f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n"
            f"</table>\n")


def _when(posix):
    if posix is None:
        return None
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(posix))


def _duration(seconds):
    if seconds is None:
        return None
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {seconds} s"
    return f"{seconds} s"


def renderFacts(facts):
    """The HTML of the admin page's body, every value escaped."""
    parts = [f"<p>Up {_e(_duration(facts['uptime']))}, since "
             f"{_e(_when(facts['started']))}; this page was made at "
             f"{_e(_when(facts['now']))}.</p>"]
    parts.append(_table(
        "Connections",
        ["Account", "Character", "Front end", "Address", "Idle",
         "Bytes in", "Bytes out"],
        [(c["account"], c["character"], c["frontEnd"], c["address"],
          _duration(c["idleSeconds"]), c["bytesIn"], c["bytesOut"])
         for c in facts["connections"]], "No connections."))
    parts.append(_table(
        "Commands per verb since start (milliseconds)",
        ["Verb", "Count", "p50", "p99", "Max", "Mean"],
        [(v["verb"], v["count"], v["p50Ms"], v["p99Ms"], v["maxMs"],
          v["meanMs"]) for v in facts["verbs"]], "No commands yet."))
    parts.append(_table(
        f"The slowest {len(facts['slowest'])} commands",
        ["Milliseconds", "Verb", "Line", "Who", "When"],
        [(s["ms"], s["verb"], s["line"], s["who"], _when(s["at"]))
         for s in facts["slowest"]], "No commands yet."))
    lag = facts["reactorLag"]
    parts.append(
        f"<h2>Reactor lag</h2>\n<p>How late a timer due every "
        f"{_e(lag['intervalSeconds'])} s ran: over the last "
        f"{_e(lag['samples'])} samples at most {_e(lag['recentMaxMs'])} ms "
        f"(p99 {_e(lag['recentP99Ms'])} ms); at most "
        f"{_e(lag['maxMs'])} ms since start.</p>")
    store = facts["store"]
    files = ", ".join(f"{name} {size} bytes"
                      for name, size in store["files"].items())
    parts.append(
        f"<h2>Store</h2>\n<p>{_e(store['path'] or 'in memory')}: "
        f"{_e(store['bytes'])} bytes ({_e(files or 'no files')}); last "
        f"checkpoint {_e(_when(store['lastCheckpoint']))}.</p>")
    scheduler = facts["scheduler"]
    state = "running" if scheduler["running"] else "not running"
    parts.append(
        f"<h2>Scheduler</h2>\n<p>{_e(state)}; {_e(scheduler['eventsRun'])} "
        f"calls run so far, {_e(scheduler['pending'])} pending.</p>")
    parts.append(_table(
        "The next scheduled calls", ["When", "In", "Runs"],
        [(_when(e["at"]), f"{e['inSeconds']} s", e["runs"])
         for e in scheduler["next"]], "Nothing is scheduled."))
    return "\n".join(parts)
