"""
/status.json and /status over real HTTP: the facts MSSP gives, and the
connections of each front end (a telnet and a web player connected).
"""

import time

from liveserver import newPlayer
from webkit import Browser, WebServer


def test_status(tmp_path):
    server = WebServer(str(tmp_path / "store")).start()
    try:
        browser = Browser(server)
        status, facts = browser.request("GET", "/status.json")
        assert status == 200
        assert facts["name"] == "Imaginary"
        assert facts["version"] == "0.1.0"
        assert facts["codebase"] == "Imaginary 0.1.0"
        assert facts["players"] == 0
        assert facts["connections"] == {}
        assert 0 <= facts["uptime"] < 120
        assert abs(facts["started"] + facts["uptime"] - time.time()) < 5
        telnet = newPlayer(server, "bob", "Bob")
        player = Browser(server)
        player.newAccount("alice")
        player.createCharacter("Alice")
        ws = player.websocket()
        ws.play("Alice")
        ws.until(lambda m: m["type"] == "prompt")
        status, facts = browser.request("GET", "/status.json")
        assert facts["players"] == 2
        assert facts["connections"] == {"telnet": 1, "web": 1}
        # No names: the page is public.
        assert "Alice" not in str(facts) and "Bob" not in str(facts)
        status, page = browser.request("GET", "/status")
        page = page.decode()
        assert status == 200
        assert "Players online: 2." in page
        assert "<th scope=\"row\">telnet</th><td>1</td>" in page
        assert browser.lastHeaders["Content-Security-Policy"]
        ws.close()
        telnet.close()
    finally:
        server.stop()
