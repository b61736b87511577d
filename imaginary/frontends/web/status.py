"""
Public status: /status.json and /status, the facts MSSP gives MUD lists.

Name, version and player count come from C{server.mssp()} itself, so the
two never disagree; connections are counted per front end from the
server's open connections.  No names of players are shown.
"""

import html
import json
import time

from twisted.web.resource import Resource

from .headers import securePage


def frontEndName(connection):
    """
    Which front end an open connection came through (IFrontEnd.kind): a
    line front end's dialogue holds its front end, the web's socket is
    one itself.
    """
    return getattr(connection, "frontEnd", connection).kind


def statusFacts(server):
    """The public facts, as JSON-ready data."""
    mssp = server.mssp()
    codebase = mssp.get("CODEBASE", "")
    started = int(mssp.get("UPTIME") or server.started)
    connections = {}
    for connection in list(server.connections):
        kind = frontEndName(connection)
        connections[kind] = connections.get(kind, 0) + 1
    return {
        "name": mssp.get("NAME"),
        "version": codebase.rpartition(" ")[2],
        "codebase": codebase,
        "started": started,
        "uptime": max(0, int(time.time()) - started),
        "players": int(mssp.get("PLAYERS") or 0),
        "connections": dict(sorted(connections.items())),
    }


class StatusJSON(Resource):
    """GET /status.json: the facts, for scripts and MUD lists."""

    isLeaf = True

    def __init__(self, server):
        super().__init__()
        self.imaginary = server  # not "server": putChild sets that

    def render_GET(self, request):
        """The public facts as JSON."""
        securePage(request, b"application/json; charset=utf-8")
        return json.dumps(statusFacts(self.imaginary)).encode("utf-8")


class StatusPage(Resource):
    """GET /status: the same facts as a small HTML page."""

    isLeaf = True

    def __init__(self, server):
        super().__init__()
        self.imaginary = server  # not "server": putChild sets that

    def render_GET(self, request):
        """The public facts as an HTML page."""
        facts = statusFacts(self.imaginary)
        e = html.escape
        rows = "".join(
            f"<tr><th scope=\"row\">{e(kind)}</th><td>{count}</td></tr>"
            for kind, count in facts["connections"].items())
        hours, rest = divmod(facts["uptime"], 3600)
        page = f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(facts["name"] or "")} status</title></head>
<body>
<h1>{e(facts["name"] or "")} status</h1>
<p>Version {e(facts["version"])}; up {hours} h {rest // 60} min.</p>
<p>Players online: {facts["players"]}.</p>
<table><caption>Connections per front end</caption>
{rows or '<tr><td colspan="2">none</td></tr>'}
</table>
</body>
</html>
"""
        securePage(request, b"text/html; charset=utf-8")
        return page.encode("utf-8")
