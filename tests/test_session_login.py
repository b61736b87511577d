"""
One portal for every front end: passwords behind one throttle (per address
and per account), tokens, banned accounts, and the realm's IPlayer.
"""

from twisted.cred.checkers import ICredentialsChecker
from twisted.cred.portal import IRealm
from twisted.internet import task
from zope.interface.verify import verifyObject

from imaginary.accounts import LoginThrottle
from imaginary.session import IPlayer
from imaginary.session.login import (
    AccountBanned, AccountPasswordChecker, GameRealm, LoginThrottled,
    PasswordCredentials, ThrottledChecker, TokenChecker, TokenCredentials,
    refusal)

from sessionkit import failureOf, fastHashes, newAccount, server, wait  # noqa

WRONG = "That account name and password don't match."


def login(server, name, password, address="10.0.0.1"):
    return server.portal.login(PasswordCredentials(name, password, address),
                               None, IPlayer)


def test_the_parts_provide_their_interfaces(server):
    assert verifyObject(IRealm, GameRealm(server))
    for checker in (AccountPasswordChecker(server.store),
                    TokenChecker(server.store),
                    ThrottledChecker(AccountPasswordChecker(server.store),
                                     server.throttle)):
        assert verifyObject(ICredentialsChecker, checker)


def test_a_right_password_gives_the_player_avatar(server):
    newAccount(server, "alice", "secret99")
    interface, avatar, logout = wait(login(server, "Alice", "secret99"))
    assert interface is IPlayer
    assert verifyObject(IPlayer, avatar)
    assert avatar.accountName == "alice"
    assert avatar.characters() == []


def test_wrong_password_and_unknown_name_get_the_same_answer(server):
    newAccount(server, "alice", "secret99")
    wrong = failureOf(login(server, "alice", "nope-nope"))
    unknown = failureOf(login(server, "nobody", "secret99"))
    assert refusal(wrong) == refusal(unknown) == WRONG


def test_five_failures_throttle_that_address_only(server):
    newAccount(server, "alice", "secret99")
    for _ in range(5):
        assert refusal(failureOf(login(server, "alice", "bad-one",
                                       "10.0.0.1"))) == WRONG
    throttled = failureOf(login(server, "alice", "secret99", "10.0.0.1"))
    assert throttled.check(LoginThrottled)
    assert refusal(throttled).startswith(
        "Too many failed logins; wait 30")
    assert refusal(throttled).endswith(" seconds before trying again.")
    # The owner, elsewhere, is not held back.
    assert wait(login(server, "alice", "secret99", "10.0.0.2"))[0] is IPlayer


def test_an_attack_from_many_addresses_is_throttled_per_account(server):
    clock = task.Clock()
    server.throttle = LoginThrottle(clock=clock.seconds)
    for checker in server.portal.checkers.values():
        if isinstance(checker, ThrottledChecker):
            checker.throttle = server.throttle
    newAccount(server, "alice", "secret99")
    for n in range(10):
        failureOf(login(server, "alice", "guess", f"10.1.0.{n}"))
    again = failureOf(login(server, "alice", "secret99", "10.1.0.3"))
    assert again.check(LoginThrottled)
    # An address that never failed on the account still gets in.
    assert wait(login(server, "alice", "secret99", "10.9.9.9"))[0] is IPlayer
    clock.advance(301)
    assert wait(login(server, "alice", "secret99", "10.1.0.3"))[0] is IPlayer


def test_a_banned_account_is_refused_without_counting_a_failure(server):
    account = newAccount(server, "alice", "secret99")
    server.store.transact(setattr, account, "banned", True)
    for _ in range(6):
        failure = failureOf(login(server, "alice", "secret99"))
        assert failure.check(AccountBanned)
        assert refusal(failure) == "This account is banned."
    assert server.throttle.waitFor("10.0.0.1", "alice") == 0


def test_a_token_logs_in_once(server):
    newAccount(server, "alice", "secret99")
    token = server.tokens.issue("alice")
    credentials = TokenCredentials(token, "10.0.0.1")
    assert wait(server.portal.login(credentials, None, IPlayer))[0] is IPlayer
    again = failureOf(server.portal.login(credentials, None, IPlayer))
    assert refusal(again) == "That login has expired; log in again."


def test_credentials_never_show_the_password(server):
    text = repr(PasswordCredentials("alice", "hunter22", "10.0.0.1"))
    assert "hunter22" not in text and "alice" in text


def test_guesses_sent_at_once_are_throttled_too(server):
    newAccount(server, "alice", "secret99")
    # Twenty guesses before any of them is decided (bcrypt in threads).
    pending = [login(server, "alice", f"guess-{n}", "10.0.0.7")
               for n in range(20)]
    answers = [refusal(failureOf(d)) for d in pending]
    assert answers.count(WRONG) == 5
    assert sum(a.startswith("Too many failed logins") for a in answers) == 15


def test_a_name_typed_with_spaces_counts_as_the_same_account(server):
    newAccount(server, "alice", "secret99")
    for n in range(10):
        failureOf(login(server, "alice", "guess", f"10.2.0.{n}"))
    for variant in ("alice ", " Alice", "ALICE  "):
        failure = failureOf(login(server, variant, "guess", "10.2.0.3"))
        assert failure.check(LoginThrottled), variant


def test_tokens_expire(server):
    from twisted.internet import task
    clock = task.Clock()
    server.tokens.clock = clock.seconds
    token = server.tokens.issue("alice", lifetime=60)
    newAccount(server, "alice", "secret99")
    clock.advance(61)
    failure = failureOf(server.portal.login(TokenCredentials(token), None,
                                            IPlayer))
    assert refusal(failure) == "That login has expired; log in again."


def test_players_behind_one_address_logging_in_at_once_all_get_in(server):
    for n in range(12):
        newAccount(server, "player" + "abcdefghijkl"[n], "secret99")
    pending = [login(server, "player" + "abcdefghijkl"[n], "secret99",
                     "10.0.0.8") for n in range(12)]
    assert [wait(d)[0] for d in pending] == [IPlayer] * 12
