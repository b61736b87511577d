"""
Tests for imaginary.frontends.keys: reading OpenSSH public key lines (and
the clear refusals for everything else), fingerprints, the keys conch may
log in with, and the ``keys`` verb.  Storing keys is imaginary.accounts'
(tests/test_accounts.py).
"""

import subprocess

import pytest
from twisted.conch.checkers import IAuthorizedKeysDB
from zope.interface.verify import verifyObject

from imaginary.accounts import (
    MAX_KEYS, KeyRefused, authorizeKey, createAccount, hashPassword,
    listKeys, removeKey)
from imaginary.frontends.keys import (
    AccountKeys, Keys, keyLines, parsePublicKey)
from imaginary.frontends.keys import fingerprint as ours
from imaginary.store import Store

from transcript import Transcript, registry


def addKey(account, text):
    """Authorize a public key line the way the verb and the CLI do."""
    key, comment = parsePublicKey(text)
    return authorizeKey(account, key.blob(), comment)


def newKey(tmp_path, name, kind="ed25519"):
    path = tmp_path / name
    subprocess.run(["ssh-keygen", "-q", "-t", kind, "-N", "", "-C",
                    f"{name}@test", "-f", str(path)], check=True)
    return path.read_text(), (tmp_path / (name + ".pub")).read_text()


@pytest.fixture
def account():
    store = Store()
    return createAccount(store, "alice", hashPassword("secret99", 4))


def test_parse_reads_type_blob_and_comment(tmp_path):
    private, public = newKey(tmp_path, "one")
    key, comment = parsePublicKey(public)
    assert key.sshType() == b"ssh-ed25519"
    assert comment == "one@test"
    fingerprint = subprocess.run(
        ["ssh-keygen", "-lf", str(tmp_path / "one.pub")], check=True,
        capture_output=True, text=True).stdout.split()[1]
    # The same fingerprint OpenSSH shows.
    assert ours(key.blob()) == fingerprint


@pytest.mark.parametrize("text, message", [
    ("", "Give exactly one public key line"),
    ("ssh-ed25519", "A public key line has a type and a base64 blob"),
    ("ssh-ed25519 not-base64!!", "That is not a public key I can read"),
    ("x" * 20000, "far too long"),
])
def test_refusals_say_what_was_wrong(text, message):
    with pytest.raises(KeyRefused, match=message):
        parsePublicKey(text)


def test_a_private_key_is_refused_and_not_stored(tmp_path, account):
    private, public = newKey(tmp_path, "secret")
    with pytest.raises(KeyRefused, match="That is a private key"):
        addKey(account, private)
    assert account.keys() == []


def test_two_keys_on_two_lines_are_refused(tmp_path):
    _, one = newKey(tmp_path, "one")
    _, two = newKey(tmp_path, "two")
    with pytest.raises(KeyRefused, match="exactly one"):
        parsePublicKey(one + two)


def test_a_type_that_lies_is_refused(tmp_path):
    _, public = newKey(tmp_path, "one")
    with pytest.raises(KeyRefused, match="says it is ssh-rsa"):
        parsePublicKey(public.replace("ssh-ed25519", "ssh-rsa", 1))


def test_add_list_remove_and_lookup(tmp_path, account):
    _, one = newKey(tmp_path, "one")
    _, two = newKey(tmp_path, "two", "ecdsa")
    addKey(account, one)
    addKey(account, two.encode())
    with pytest.raises(KeyRefused, match="already authorized"):
        addKey(account, one)
    listed = keyLines(account)
    assert [(n, kind, comment) for n, kind, _, comment in listed] == [
        (1, "ssh-ed25519", "one@test"), (2, "ecdsa-sha2-nistp256", "two@test")]
    db = AccountKeys(account.store)
    assert verifyObject(IAuthorizedKeysDB, db)
    assert len(db.getAuthorizedKeys(b"alice")) == 2
    assert len(db.getAuthorizedKeys(b"ALICE")) == 2   # names fold case
    assert db.getAuthorizedKeys(b"nobody") == []
    assert ours(removeKey(account, 1)) == listed[0][2]
    with pytest.raises(KeyRefused, match="There is no key number 2"):
        removeKey(account, 2)
    assert [k[3] for k in keyLines(account)] == ["two@test"]


def test_an_account_holds_a_bounded_number_of_keys(tmp_path, account):
    for n in range(MAX_KEYS):
        addKey(account, newKey(tmp_path, f"k{n}")[1])
    with pytest.raises(KeyRefused, match=f"at most {MAX_KEYS} keys"):
        addKey(account, newKey(tmp_path, "extra")[1])
    assert len(listKeys(account)) == MAX_KEYS


def test_the_keys_verb_comes_from_the_ssh_plugin():
    # Registered by imaginary/plugins/imaginary_ssh.py, not by imaginary_core.
    assert type(registry().find("keys")) is Keys


class AccountSession:
    """What the verb reads of a session: the account logged in."""

    def __init__(self, collector, account):
        self.collector = collector
        self.account = account

    def send(self, span, event):
        self.collector.send(span, event)


def test_the_keys_verb_adds_lists_and_removes(tmp_path):
    t = Transcript()
    account = createAccount(t.store, "carol", hashPassword("secret99", 4))
    player = t.actor
    player.context.session = AccountSession(player.collector, account)
    _, public = newKey(tmp_path, "one")
    shown = ours(parsePublicKey(public)[0].blob())
    t.check("keys", actor=["No SSH keys may log in to your account. "
                           "'keys add <public key line>' authorizes one."])
    t.check("keys add " + public.strip(),
            actor=[f"Key 1 added: ssh-ed25519 {shown}. You can now log in "
                   f"over SSH as carol with it."])
    t.check("keys", actor=[f"1. ssh-ed25519 {shown} (one@test)"])
    t.check("keys add " + public.strip(),
            actor=["That key is already authorized for this account."])
    t.check("keys remove 2",
            actor=["There is no key number 2; 'keys' lists them."])
    t.check("keys remove 1", actor=[f"Key 1 ({shown}) removed."])
    assert account.keys() == []


def test_the_keys_verb_needs_an_account():
    t = Transcript()
    t.check("keys", actor=["Only a player logged in to an account has "
                           "keys."])


def test_a_key_cut_short_is_refused_clearly():
    from imaginary.frontends.keys import KeyRefused, parsePublicKey
    for text in ("ssh-ed25519 AAAA", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5"):
        with pytest.raises(KeyRefused) as refused:
            parsePublicKey(text)
        assert str(refused.value).startswith(
            "That is not a public key I can read")
