"""
The web front end from the outside, for end-to-end tests: the real server
(tests/liveserver.py) with ``--web`` on a free loopback port, a small
browser made of http.client that keeps its cookie and CSRF token, and
websockets opened with the ``websockets`` client (it can send the Origin
and Cookie headers a browser sends; Twisted's own client sends neither).
"""

import http.client
import json
import socket
import time
import urllib.parse
from http.cookies import SimpleCookie

from websockets.sync.client import connect

from liveserver import Server, freePort

from imaginary.testing import PASSWORD


class WebServer(Server):
    """The real server listening for telnet and for the web."""

    def __init__(self, store, env=None, options=()):
        self.webPort = freePort()
        Server.__init__(self, store, env=env, options=list(options) + [
            "--web", f"tcp:{self.webPort}:interface=127.0.0.1"])

    def start(self):
        Server.start(self)
        deadline = time.time() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.webPort),
                                         1).close()
                return self
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError(self.stop())
                time.sleep(0.05)

    @property
    def origin(self):
        return f"http://127.0.0.1:{self.webPort}"


class Browser:
    """
    What a browser does with our pages: keeps the session cookie, sends
    the Origin header, and sends the CSRF token the pages gave it.
    """

    def __init__(self, server, origin=None):
        self.server = server
        self.origin = origin or server.origin
        self.cookie = None      # the session cookie's value
        self.csrf = None
        self.lastHeaders = None

    def request(self, method, path, form=None, csrf=True, origin=True,
                headers=None):
        """(status, JSON or text body); remembers a new cookie."""
        conn = http.client.HTTPConnection("127.0.0.1", self.server.webPort,
                                          timeout=15)
        sent = dict(headers or {})
        if self.cookie:
            sent["Cookie"] = f"imaginary_session={self.cookie}"
        if origin and method == "POST":
            sent["Origin"] = self.origin
        body = None
        if form is not None or method == "POST":
            form = dict(form or {})
            if csrf and self.csrf:
                sent["X-CSRF-Token"] = self.csrf
            body = urllib.parse.urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        data = response.read()
        conn.close()
        self.lastHeaders = response.headers
        for header in response.headers.get_all("Set-Cookie") or ():
            jar = SimpleCookie()
            jar.load(header)
            if "imaginary_session" in jar:
                self.cookie = jar["imaginary_session"].value
        if response.headers.get("Content-Type", "").startswith(
                "application/json"):
            data = json.loads(data)
            if isinstance(data, dict) and data.get("csrf"):
                self.csrf = data["csrf"]
        return response.status, data

    def start(self):
        """Open the site: a cookie and a CSRF token."""
        status, body = self.request("GET", "/session")
        assert status == 200, body
        return body

    def newAccount(self, account, password=PASSWORD):
        if self.csrf is None:
            self.start()
        status, body = self.request(
            "POST", "/account", {"account": account, "password": password})
        assert status == 200, body
        return body

    def login(self, account, password=PASSWORD):
        if self.csrf is None:
            self.start()
        return self.request("POST", "/login",
                            {"account": account, "password": password})

    def createCharacter(self, name, gender="female"):
        status, body = self.request("POST", "/characters", {
            "action": "create", "name": name, "gender": gender})
        assert status == 200, body
        return body

    def websocket(self, origin=None, cookie=True):
        """A websocket to /ws, opened as this browser's page would."""
        headers = {}
        if cookie and self.cookie:
            headers["Cookie"] = f"imaginary_session={self.cookie}"
        return Socket(connect(
            f"ws://127.0.0.1:{self.server.webPort}/ws",
            origin=origin or self.origin, additional_headers=headers,
            open_timeout=10, max_size=None, compression=None,
            legacy=True,
            # No keepalive thread: its pings draw from the global random
            # module, which hypothesis then reports ("Do not use the
            # random module inside strategies") in whatever test runs.
            ping_interval=None))


class Socket:
    """A websocket speaking the game's JSON messages."""

    def __init__(self, ws):
        self.ws = ws
        self.seen = []          # every message received, in order

    def send(self, **message):
        self.ws.send(json.dumps(message))

    def play(self, character, since=None, session=None):
        self.send(type="play", character=character, since=since,
                  session=session)

    def say(self, line):
        self.send(type="line", text=line)

    def next(self, timeout=10):
        message = json.loads(self.ws.recv(timeout=timeout))
        self.seen.append(message)
        return message

    def until(self, test, timeout=10):
        """Messages up to and including the first that passes C{test}."""
        deadline = time.time() + timeout
        got = []
        while True:
            left = deadline - time.time()
            if left <= 0:
                raise AssertionError(f"not seen; got {got!r}")
            got.append(self.next(left))
            if test(got[-1]):
                return got

    def untilText(self, text, timeout=10):
        """Messages up to the output containing C{text}."""
        return self.until(lambda m: m["type"] == "output" and
                          text in outputText(m), timeout)

    def session(self):
        """The session token of the last "playing" message seen."""
        return [m for m in self.seen if m["type"] == "playing"][-1][
            "session"]

    def lastSeq(self):
        seqs = [m["seq"] for m in self.seen
                if m.get("seq") is not None]
        return max(seqs) if seqs else None

    def close(self):
        self.ws.close()


def outputText(message):
    """The plain text of an output message."""
    return "".join(run["text"] for run in message["runs"])


def texts(messages):
    """The texts of the output messages among C{messages}."""
    return [outputText(m) for m in messages if m["type"] == "output"]
