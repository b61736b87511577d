"""Tests for imaginary.verbs.base: parsing, phrases, arbitrary input."""

from hypothesis import HealthCheck, given, settings, strategies as st

from imaginary.simulation.thing import Thing
from imaginary.verbs.base import parsePhrase
from transcript import Transcript


def dump(store):
    tables = [r[0] for r in store._conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
    return {t: store._conn.execute(f'SELECT * FROM "{t}" ORDER BY 1')
            .fetchall() for t in tables}


def test_parse_phrase():
    assert parsePhrase("second coin") == ("coin", 2, False)
    assert parsePhrase("coin 2") == ("coin", 2, False)
    assert parsePhrase("all coins") == ("coins", None, True)
    assert parsePhrase("all") == ("", None, True)
    assert parsePhrase("the lamp") == ("lamp", None, False)
    assert parsePhrase("second") == ("second", None, False)


WORDS = st.sampled_from([
    "look", "take", "get", "drop", "put", "in", "from", "all", "it", "them",
    "me", "here", "coin", "lamp", "second", "2", "say", "'", ":", "go",
    "north", "n", "dig", "create", "named", "thing", "give", "to", "bob",
    "open", "close", "wear", "remove", "eat", "hit", "set", "of", "help",
    "describe", "as", "lock", "with", "tell", "whisper", "destroy",
    "\x1b[31m", "\x00", "é", "🙂", "x" * 300])
lines = st.one_of(st.text(max_size=200),
                  st.lists(WORDS, max_size=6).map(" ".join))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.booleans(), lines), min_size=1, max_size=4))
def test_any_input_gets_an_answer_and_refusals_change_nothing(commands):
    t = Transcript()
    t.store.transact(lambda: [Thing(store=t.store, name=n, location=t.room)
                              for n in ("gold coin", "copper coin", "lamp")])
    for byBuilder, line in commands:
        player = t.actor if byBuilder else t.observer
        before = dump(t.store)
        ok = player.do(line)
        out = player.output() + t.actor.output() + t.observer.output()
        for text in out:
            assert isinstance(text, str)
            assert "\x1b" not in text and "Traceback" not in text
            assert "Something went wrong" not in text, (line, out)
        if not ok:
            assert dump(t.store) == before, line
