"""
Tests of imaginary.frontends.local: `imaginary play` in a real terminal
(a PTY under pexpect), continued the next day on the same store.
"""

import sys

import pexpect

from liveserver import ENV, ROOT


def play(store, term="dumb"):
    return pexpect.spawn(sys.executable, ["-m", "imaginary.cli", "play",
                                          "--store", store],
                         cwd=ROOT, env=dict(ENV, TERM=term),
                         encoding="utf-8", timeout=15, dimensions=(24, 50))


def test_a_game_continues_the_next_day(tmp_path):
    store = str(tmp_path / "store")
    child = play(store)
    child.expect("Created the local account player.")
    child.expect("Character: ")
    child.sendline("create Solo female")
    child.expect(r"\[ Town Square \]")
    child.expect("> ")
    # Wrapped to the terminal's 50 columns.
    assert max(len(l) for l in child.before.split("\r\n")) <= 50
    child.sendline("take coin")
    child.expect("You take the coin.")
    child.sendline("north")
    child.expect(r"\[ [^\]]+ \]")
    room = child.after
    child.expect("> ")
    # The password is typed without echo on a terminal.
    child.sendline("password")
    child.expect(r"New password \(6 or more characters\): ")
    child.sendline("hidden99")
    child.expect("Type it again: ")
    child.sendline("hidden99")
    child.expect("Your password is changed.")
    assert "hidden99" not in child.before
    child.sendline("quit")
    child.expect("Goodbye")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    again = play(store, term="xterm-256color")
    again.expect("Your characters: Solo.")
    again.expect("Character: ")
    again.sendline("Solo")
    again.expect("> ")
    assert room in again.before          # where she stopped
    assert "\x1b[" in again.before       # colours for a colour terminal
    again.sendline("inventory")
    again.expect("You are carrying a coin.")
    again.sendeof()                      # ^D ends the game too
    again.expect(pexpect.EOF)
    again.close()
    assert again.exitstatus == 0
