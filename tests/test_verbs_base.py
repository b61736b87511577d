"""
Tests for imaginary.verbs.base: parsing a line, dispatching it, noun
phrases, and arbitrary input from two players.
"""

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from imaginary.simulation.thing import Thing
from imaginary.verbs.base import ParseFailure, parsePhrase
from transcript import Transcript, registry


def dump(store):
    """Every row of every table, to compare the store before and after."""
    tables = [r[0] for r in store._conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
    return {t: store._conn.execute(f'SELECT * FROM "{t}" ORDER BY 1')
            .fetchall() for t in tables}


def withThings(*names):
    t = Transcript()
    t.store.transact(lambda: [Thing(store=t.store, name=n, location=t.room)
                              for n in names])
    return t


# Dispatch

def test_unknown_verb_suggests_a_close_one():
    t = Transcript()
    assert t.actor.do("lok") is False
    assert t.actor.output() == [
        "I don't know how to 'lok'. Did you mean 'look'?"]
    assert t.observer.output() == []


def test_suggestion_never_names_a_verb_the_player_may_not_use():
    # The builder (actor) is offered 'dig'; the player without builder
    # permission (observer) is not, for the same typo.
    t = Transcript()
    t.check("dgi", actor=["I don't know how to 'dgi'. Did you mean 'dig'?"])
    assert t.observer.do("dgi") is False
    assert t.observer.output() == [
        "I don't know how to 'dgi'. Type 'actions' for a list."]


def test_unknown_verb_without_a_close_one():
    t = Transcript()
    t.check("xyzzy plugh",
            actor=["I don't know how to 'xyzzy'. Type 'actions' for a list."])


def test_unknown_verb_is_shown_without_controls_and_shortened():
    t = Transcript()
    t.check("\x1b[31mfoo", actor=[
        "I don't know how to 'foo'. Type 'actions' for a list."])
    t.check("y" * 40, actor=[
        "I don't know how to '" + "y" * 30 + "...'. Type 'actions' for a "
        "list."])


def test_blank_line_says_nothing():
    t = Transcript()
    for line in ("", "   ", "\t"):
        assert t.actor.do(line) is False
        assert t.actor.output() == []


def test_known_verb_that_does_not_fit_shows_its_patterns():
    t = Transcript()
    t.check("take", actor=[
        "That doesn't make sense. Try: take <thing>; take <thing> from "
        "<container>; take off <thing>."])


def test_verb_words_ignore_case():
    t = withThings("lamp")
    t.check("TAKE Lamp", actor=["You take the lamp."],
            observer=["Alice takes a lamp."])


def test_quote_and_colon_shortcuts():
    t = Transcript()
    t.check("'hello there", actor=["You say, 'hello there'"],
            observer=["Alice says, 'hello there'"])
    t.check(":waves.", actor=["Alice waves."], observer=["Alice waves."])


def test_parse_picks_the_pattern_and_fills_slots():
    verb, slots = registry().parse("get gold coin from old chest")
    assert type(verb).__name__ == "Take"
    assert slots == {"target": "gold coin", "container": "old chest"}
    verb, slots = registry().parse("take off hat")
    assert type(verb).__name__ == "Remove"
    assert slots == {"target": "hat"}
    verb, slots = registry().parse("\"  hi   there")
    assert type(verb).__name__ == "Say"
    assert slots == {"text": "hi there"}


def test_parse_failure_for_nothing():
    with pytest.raises(ParseFailure):
        registry().parse("   ")


def test_permission_is_checked_before_running():
    t = Transcript()
    before = dump(t.store)
    assert t.observer.do("dig north Hall") is False
    assert t.observer.output() == [
        "You need builder permission to use 'dig'."]
    assert t.actor.output() == []
    assert t.actor.do("shutdown") is False
    assert t.actor.output() == ["You need admin permission to use 'shutdown'."]
    assert dump(t.store) == before


def test_refused_verb_changes_nothing():
    t = withThings("lamp")
    before = dump(t.store)
    assert t.actor.do("take unicorn") is False
    assert t.actor.output() == ["You don't see that here."]
    assert t.observer.output() == []
    assert dump(t.store) == before


def test_describe_with_a_nul_is_cleaned_or_refused():
    t = withThings("lamp")
    t.actor.do("describe lamp as a\x00b")
    assert t.actor.output() in (["You describe the lamp."],
                                ["A description must be printable text."])


def test_successful_verb_returns_true_and_changes_the_store():
    t = withThings("lamp")
    before = dump(t.store)
    assert t.actor.do("take lamp") is True
    assert dump(t.store) != before


# Noun phrases

@pytest.mark.parametrize("phrase, parsed", [
    ("coin", ("coin", None, False)),
    ("gold coin", ("gold coin", None, False)),
    ("  the   old   lamp  ", ("old lamp", None, False)),
    ("the lamp", ("lamp", None, False)),
    ("a coin", ("coin", None, False)),
    ("an apple", ("apple", None, False)),
    ("The Lamp", ("Lamp", None, False)),
    ("a", ("a", None, False)),
    ("the", ("the", None, False)),
    ("theatre", ("theatre", None, False)),
    ("another coin", ("another coin", None, False)),
    ("second coin", ("coin", 2, False)),
    ("Third gold coin", ("gold coin", 3, False)),
    ("tenth coin", ("coin", 10, False)),
    ("3rd coin", ("coin", 3, False)),
    ("second", ("second", None, False)),
    ("coin 2", ("coin", 2, False)),
    ("gold coin 12", ("gold coin", 12, False)),
    ("2", ("2", None, False)),
    ("all", ("", None, True)),
    ("ALL coins", ("coins", None, True)),
    ("all of the coins", ("coins", None, True)),
    ("all the coins", ("coins", None, True)),
    ("all of", ("", None, True)),
    ("", ("", None, False)),
])
def test_parse_phrase(phrase, parsed):
    assert parsePhrase(phrase) == parsed


def test_parse_phrase_article_then_ordinal():
    assert parsePhrase("the second coin") == ("coin", 2, False)


def test_parse_phrase_superscript_digit_is_a_name():
    assert parsePhrase("coin ²") == ("coin ²", None, False)


def test_ordinals_and_numbers_pick_among_many():
    t = withThings("gold coin", "copper coin")
    t.check("take coin", actor=[
        "Which coin do you mean: the gold coin or the copper coin?"])
    t.check("take coin 3", actor=["There aren't 3 of those here."])
    t.check("take third coin", actor=["There aren't 3 of those here."])
    t.check("take coin 0", actor=["You don't see that here."])
    t.check("take second coin", actor=["You take the copper coin."],
            observer=["Alice takes a copper coin."])
    t.check("take all coins", actor=["You take the gold coin."],
            observer=["Alice takes a gold coin."])


def test_all_takes_every_thing_but_people():
    t = withThings("lamp")
    t.check("take all", actor=["You take the lamp."],
            observer=["Alice takes a lamp."])


def test_one_thing_at_a_time():
    t = withThings("lamp", "coin")
    t.check("look at all", actor=[
        "You can only do that to one thing at a time."])


def test_it_before_anything_was_mentioned():
    t = withThings("lamp")
    t.check("take it", actor=["I don't know what 'it' refers to."])
    t.check("take lamp", actor=["You take the lamp."],
            observer=["Alice takes a lamp."])
    t.check("drop it", actor=["You drop the lamp."],
            observer=["Alice drops a lamp."])


# Arbitrary input from two players

WORDS = st.sampled_from([
    "look", "l", "take", "get", "drop", "put", "in", "from", "all", "it",
    "them", "me", "here", "coin", "gold", "lamp", "second", "2", "0",
    "say", "'", ":", "go", "north", "n", "dig", "create", "named", "thing",
    "torch", "box", "the", "give", "to", "bob", "alice", "open", "close",
    "wear", "remove", "eat", "hit", "set", "of", "gender", "proper",
    "weight", "help", "describe", "as", "lock", "with", "tell", "whisper",
    "destroy", "rename", "teleport", "illuminate", "i", "eq", "who",
    "shutdown", "wall", "\x1b[31m", "\x1b]0;t\x07", "\x00", "\r", "\t",
    "\u202e", "é", "🙂", "{actor}", "{x:be}", "x" * 300])
# Verbs that store or show what they are given, with anything as the text.
WITH_TEXT = st.sampled_from([
    "create torch named ", "create the box named ", "rename lamp to ",
    "rename gold coin as ", "describe lamp as ", "describe here as ",
    "dig north ", "say ", "'", ":", "emote ", "shout ", "tell bob ",
    "whisper to alice ", "set gender of lamp to ", "set weight of lamp to ",
    "teleport to ", "take ", "look at ", "put lamp in ", "help "])
lines = st.one_of(
    st.text(max_size=200),
    st.lists(WORDS, max_size=6).map(" ".join),
    st.tuples(WITH_TEXT, st.text(max_size=40)).map("".join))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.booleans(), lines), min_size=1, max_size=4))
def test_any_input_gets_an_answer_and_refusals_change_nothing(commands):
    t = withThings("gold coin", "copper coin", "lamp")
    for byBuilder, line in commands:
        player = t.actor if byBuilder else t.observer
        before = dump(t.store)
        ok = player.do(line)
        assert ok is True or ok is False
        out = t.actor.output() + t.observer.output()
        for text in out:
            assert isinstance(text, str)
            assert "\x1b" not in text, (line, out)
            assert "Something went wrong" not in text, (line, out)
        if not ok:
            assert dump(t.store) == before, line
    # Whatever was made or named, looking shows it safely to both.
    for player in (t.actor, t.observer):
        player.do("look")
        for text in t.actor.output() + t.observer.output():
            assert "\x1b" not in text and "Something went wrong" not in text


def test_hints_are_written_for_people():
    t = Transcript()
    t.check("unlock", actor=[
        "That doesn't make sense. Try: unlock <thing>; unlock <thing> "
        "with <key>."])
    t.check("tell", actor=[
        "That doesn't make sense. Try: tell <player> <text>."])
    t.check("help quit", actor=[
        "quit: leave the game; your character rests where it is and comes "
        "back there when you log in again."])
    t.actor.do("actions")
    listed = t.actor.output()[0]
    assert "password" in listed and "quit" in listed
    t.actor.do("help")
    assert "lamp" not in t.actor.output()[0]


def test_a_full_disk_is_told_clearly_and_changes_nothing(tmp_path):
    """
    The store's file may grow no more (SQLite's own limit, the same
    SQLITE_FULL a full disk gives): a command that writes is refused with
    a plain sentence, nothing changes, and once there is room again the
    same command works.
    """
    import pytest
    from imaginary.simulation.thing import Thing
    from imaginary.store import Store, StoreFull
    store = Store(str(tmp_path / "small.store"))
    t = Transcript(store)
    conn = store._conn
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    # Fill what room is left in the file's pages, to the last bytes.
    for size in (2000, 200, 20, 0):
        with pytest.raises(StoreFull):
            for n in range(10000):
                store.transact(Thing, store=store, name=f"f{size}.{n}",
                               description="x" * size)
    before = store.query(Thing).count()
    for n in range(3):
        t.check(f"create thing named stone{n}", actor=[
            "The world cannot save right now; nothing was changed."])
    assert store.query(Thing).count() == before
    conn.execute(f"PRAGMA max_page_count = {pages * 100}")
    t.check("create thing named pebble", actor=["You create the pebble."])
    assert store.query(Thing).count() == before + 1
    store.close()


def test_every_verbs_help_is_its_docstring():
    """One place for both: no verb sets help beside its docstring, and
    what help shows is the docstring, written for players."""
    import ast
    import inspect
    import textwrap
    from transcript import registry
    for verb in registry().verbs():
        cls = verb if isinstance(verb, type) else type(verb)
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
        [node] = tree.body
        assigned = {target.id for stmt in node.body
                    if isinstance(stmt, ast.Assign)
                    for target in stmt.targets
                    if isinstance(target, ast.Name)}
        assert "help" not in assigned, cls.__name__
        assert cls.help == " ".join(cls.__doc__.split()), cls.__name__
        assert cls.help.split()[0].rstrip(":") in cls.names + ("<channel>",)\
            or cls.help.startswith(cls.names), cls.__name__


def test_the_screen_width_is_the_narrowest_window_that_says():
    from types import SimpleNamespace

    from imaginary.verbs.base import Context

    def playedIn(*widths):
        session = SimpleNamespace(attachments=[
            SimpleNamespace(frontEnd=SimpleNamespace(width=w))
            for w in widths])
        return Context(actor=None, session=session)
    assert playedIn(120, 50, None).screenWidth() == 50
    assert playedIn(None).screenWidth() == 80           # a browser, IRC
    assert playedIn().screenWidth(default=72) == 72     # not connected
    assert Context(actor=None).screenWidth() == 80      # an NPC
