"""
The IRC front end end to end: the real server (a subprocess, --irc on a
free loopback port) and raw sockets, for what only a real socket shows:
registration cut into TCP segments anywhere, a UTF-8 character split
across two writes, 600-byte lines, unknown commands, wrong passwords and
the shared throttle, and two players talking.
"""

import ssl
import subprocess
import time

import pytest

from irckit import RawIRC, startIRCServer

ALL = ("sasl", "server-time", "message-tags", "echo-message", "batch")


@pytest.fixture(scope="module")
def game(tmp_path_factory):
    store = str(tmp_path_factory.mktemp("irclive") / "store")
    server, port = startIRCServer(store, ["alice", "bob", "carol"])
    yield port
    log = server.stop()
    assert "Traceback" not in log, log[-3000:]


def test_registration_cut_anywhere_with_a_split_character(game):
    client = RawIRC(game)
    # The whole registration, one byte per write: a character of the nick
    # (the ë of Zoë) arrives in two segments.
    from irckit import sasl
    data = ("CAP LS 302\r\nNICK Zoë\r\nUSER alice 0 * :Z\r\n"
            "CAP REQ :sasl\r\nAUTHENTICATE PLAIN\r\n").encode()
    for i in range(len(data)):
        client.write(data[i:i + 1])
        time.sleep(0.001)
    client.expect(lambda line: line.text == "AUTHENTICATE +")
    client.send("AUTHENTICATE " + sasl("alice"), "CAP END")
    lines = client.expect(lambda line: line.command == "376")
    assert [line.command for line in lines if line.command.isdigit()][:3] \
        == ["900", "903", "001"]
    assert lines[-1].params[0] == "Zoë"
    client.send("PRIVMSG *game :create Zoë female")
    topic = client.expectCommand("332")
    assert topic.params[1:] == ("&here",
                                "Town Square (exits: north, east, west)")
    # 600 bytes: refused with 417, and the connection goes on.
    client.send("PRIVMSG &here :" + "x" * 600, "FROB a b", "PING :alive")
    assert client.expectCommand("417").params[-1] == \
        "Input line was too long"
    assert client.expectCommand("421").params[1] == "FROB"
    assert client.expectCommand("PONG").params[-1] == "alive"
    client.send("QUIT :done")
    assert client.expectCommand("ERROR").params[0] == "Quit: done"


def test_two_players_talk_in_here_and_by_tells(game):
    alice, bob = RawIRC(game), RawIRC(game)
    alice.register("alice", "Alice", ALL)
    alice.expectCommand("376")
    # Zoë (the first test) is alice's character; make another.
    alice.send("PRIVMSG *game :create Alice female")
    alice.expectCommand("366")
    bob.register("bob", "Bob")
    bob.expectCommand("376")
    bob.send("PRIVMSG *game :create Bob male")
    names = bob.expect(lambda line: line.command == "353")[-1]
    assert names.params[-1].split() == ["Bob", "Alice"]
    join = alice.expect(lambda line: line.command == "JOIN" and
                        line.source.startswith("Bob!"))[-1]
    assert join.params == ("&here",) and "time" in join.tags
    alice.send("PRIVMSG &here :hello, Bob")
    said = bob.expectCommand("PRIVMSG")
    assert said.source.startswith("Alice!") and said.params == (
        "&here", "hello, Bob")
    echo = alice.expectCommand("PRIVMSG")
    assert echo.params == ("&here", "hello, Bob") and "time" in echo.tags
    bob.send("PRIVMSG Alice :\u00fcber secret")
    told = alice.expectCommand("PRIVMSG")
    assert told.source.startswith("Bob!") and told.params == (
        "Alice", "über secret")
    alice.send("QUIT")
    bob.send("QUIT")
    alice.expectCommand("ERROR")
    bob.expectCommand("ERROR")


def test_tls_with_an_ssl_endpoint(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj",
         "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60)
    server, port = startIRCServer(str(tmp_path / "store"), ["alice"],
                                  tls=(cert, key))
    try:
        context = ssl.create_default_context(cafile=str(cert))
        client = RawIRC(port, tls=context)
        client.register("alice", "Alice")
        assert client.expectCommand("001").params[0] == "Alice"
        client.send("PRIVMSG *game :create Alice female")
        assert client.expectCommand("332").params[-1].startswith(
            "Town Square")
        client.send("QUIT")
        client.expectCommand("ERROR")
    finally:
        server.stop()


def test_wrong_passwords_are_904_then_throttled(game):
    # Last in this module: the throttle then holds back every login from
    # 127.0.0.1 for a while.
    texts = []
    for attempt in range(6):
        client = RawIRC(game)
        client.register("carol", "Carol", password="not it")
        texts.append(client.expectCommand("904").params[-1])
        client.close()
    assert "don't match" in texts[0]
    assert "Too many failed logins" in texts[-1]
