"""
Tests for imaginary.accounts: the naming rule, look-alike names, password
hashing bounds, account creation, and the login throttle.
"""

import bcrypt
import pytest
from twisted.internet.task import Clock
from hypothesis import given, strategies as st

from imaginary.accounts import (
    MAX_KEYS, MAX_PASSWORD, Account, KeyRefused, LoginThrottle, NameRefused,
    authorizeKey, checkName, checkPassword, createAccount, findAccount,
    hashPassword, listKeys, looksLike, nameKey, removeKey, skeleton)
from imaginary.store import Store


@pytest.mark.parametrize("name, why", [
    ("a", "2 to 20 characters"),
    ("x" * 21, "2 to 20 characters"),
    ("Robert'); DROP TABLE", "right parenthesis is not allowed"),
    ("ali\u200bce", r"invisible characters \(zero width space\)"),
    ("\u202eecila", r"invisible characters \(right-to-left override\)"),
    ("alice\u3164", r"invisible characters \(hangul jungseong filler\)"),
    ("\u3164\u3164\u3164", "invisible characters"),
    ("\u0430lice", r"one alphabet, not a mix \(Cyrillic, Latin\)"),
    ("\u13aalice", r"one alphabet, not a mix \(Cherokee, Latin\)"),
    ("\ua4eelice", r"one alphabet, not a mix \(Latin, Lisu\)"),
    ("\u5c71\u7530\u305f\u308d\u3046", None),   # kanji and kana
    ("\uae40\ucca0\uc218", None),                  # hangul
    ("bob  ", None),                      # trailing space collapsed: fine
    ("-bob", "hyphen-minus is not allowed"),
    ("bob--smith", "hyphen-minus is not allowed"),
    ("bob3", "digit three is not allowed"),
    ("Zoë O'Neil", None),
    ("Ægir", None),
    ("\u0410\u043b\u0438\u0441\u0430", None),   # Cyrillic letters
])
def test_the_naming_rule(name, why):
    if why is None:
        assert checkName(name) == " ".join(name.split())
    else:
        with pytest.raises(NameRefused, match=why):
            checkName(name)


def test_look_alike_names_share_a_key():
    latin = "alice"
    cyrillic = "\u0430lice"           # Cyrillic a
    assert nameKey(latin) == nameKey(cyrillic) == nameKey("ALICE")
    assert nameKey("Zoë") == nameKey("zoe")
    assert nameKey("ﬀion") == nameKey("ffion")   # NFKC ligature
    assert nameKey("bob") != nameKey("rob")


@given(st.text(max_size=30))
def test_a_name_is_accepted_only_in_a_clean_form(name):
    try:
        clean = checkName(name)
    except NameRefused as e:
        assert str(e)
        return
    assert clean == checkName(clean)
    assert all(c.isalpha() or c in " -'" for c in clean)
    assert 2 <= len(clean) <= 20


def test_one_account_per_look_alike_name():
    store = Store()
    digest = hashPassword("secret99", 4)
    alice = createAccount(store, "alice", digest)
    # A look-alike of another script is refused for mixing alphabets;
    # one all of Cyrillic letters that folds to the same key is taken.
    with pytest.raises(NameRefused, match="not a mix"):
        createAccount(store, "\u0430lice", digest)
    with pytest.raises(NameRefused, match="is taken"):
        createAccount(store, "\u0430\u04cf\u0456\u0441\u0435", digest)
    with pytest.raises(NameRefused, match="is taken"):
        createAccount(store, "ALICE", digest)
    assert findAccount(store, "\u0430LICE") is alice
    assert store.count(Account) == 1
    with pytest.raises(ValueError, match="unknown level"):
        createAccount(store, "bob", digest, level="emperor")


@pytest.mark.parametrize("lookAlike", [
    "AIice",                    # capital I for l
    "Al\u0131ce",               # Turkish dotless i
    "\u1d00lice",               # small capital A
    "\u0251lice",               # Latin alpha
    "\u13aalice",               # Cherokee A
    "\ua4eelice",               # Lisu A
])
def test_look_alike_letters_are_refused_by_skeleton(lookAlike):
    store = Store()
    digest = hashPassword("secret99", 4)
    createAccount(store, "Alice", digest)
    assert skeleton(lookAlike) == skeleton("Alice")
    with pytest.raises(NameRefused) as refused:
        createAccount(store, lookAlike, digest)
    # Caught by the skeleton, by the name key (dotless i folds to i) or,
    # first of all, as a mix of alphabets.
    assert str(refused.value) in (
        f"The name '{lookAlike}' looks too much like 'Alice', which is "
        f"taken.", f"The name '{lookAlike}' is taken.") or \
        "not a mix" in str(refused.value)
    assert store.count(Account) == 1


def test_skeletons_keep_plain_names_apart():
    # Lowercase ASCII letters map to themselves: no chain of symbols
    # joins two ordinary names.
    for a, b in [("Bill", "Bili"), ("Bob", "Rob"), ("Mara", "Maria"),
                 ("Eve", "Ewe"), ("Tom", "Torn")]:
        assert not looksLike(a, b), (a, b)
    assert looksLike("Zoë", "zoe") and looksLike("ALICE", "alice")


def test_passwords_are_bcrypt_and_bounded():
    digest = hashPassword("secret99", 4)
    assert digest.startswith(b"$2b$04$")
    assert bcrypt.checkpw(b"secret99", digest)
    with pytest.raises(ValueError, match="at least 6"):
        checkPassword("short")
    with pytest.raises(ValueError, match=f"at most {MAX_PASSWORD} bytes"):
        checkPassword("\u00e9" * 40)        # 80 bytes



def test_throttle_per_address_and_per_account():
    clock = Clock()
    clock.advance(1000)
    throttle = LoginThrottle(limit=5, window=300, accountLimit=10,
                             clock=clock.seconds)
    for _ in range(5):
        assert throttle.waitFor("10.0.0.1", "alice") == 0
        throttle.failed("10.0.0.1", "alice")
    assert throttle.waitFor("10.0.0.1", "alice") == pytest.approx(300)
    assert throttle.waitFor("10.0.0.1", "bob") == pytest.approx(300)
    assert throttle.waitFor("10.0.0.2", "alice") == 0
    # Ten failures on one account from many addresses: those addresses
    # wait, a new address does not.
    for n in range(5):
        throttle.failed(f"10.0.1.{n}", "alice")
    assert throttle.waitFor("10.0.1.0", "alice") > 0
    assert throttle.waitFor("10.0.9.9", "alice") == 0
    clock.advance(301)
    assert throttle.waitFor("10.0.0.1", "alice") == 0
    throttle.failed("10.0.0.3", "carol")
    throttle.succeeded("10.0.0.3", "carol")
    assert throttle.waitFor("10.0.0.3", "carol") == 0


def keyAccount():
    store = Store()
    return createAccount(store, "alice", hashPassword("secret99", 4))


def test_keys_are_stored_numbered_and_removed_by_number():
    account = keyAccount()
    first = authorizeKey(account, b"blob-one", "one@test")
    authorizeKey(account, b"blob-two")
    assert [(k.blob, k.comment) for k in listKeys(account)] == [
        (b"blob-one", "one@test"), (b"blob-two", "")]
    assert first.account is account
    assert removeKey(account, 1) == b"blob-one"
    with pytest.raises(KeyRefused, match="no key number 2"):
        removeKey(account, 2)
    with pytest.raises(KeyRefused, match="no key number 0"):
        removeKey(account, 0)
    assert [k.blob for k in listKeys(account)] == [b"blob-two"]


def test_a_key_is_stored_once_and_an_account_holds_at_most_max_keys():
    account = keyAccount()
    authorizeKey(account, b"same")
    with pytest.raises(KeyRefused, match="already authorized"):
        authorizeKey(account, b"same")
    for n in range(MAX_KEYS - 1):
        authorizeKey(account, f"blob {n}".encode())
    with pytest.raises(KeyRefused, match=f"at most {MAX_KEYS} keys"):
        authorizeKey(account, b"one too many")
    # A refusal leaves nothing behind.
    assert len(account.keys()) == MAX_KEYS
    with pytest.raises(KeyRefused):
        authorizeKey(account, b"")


def test_a_success_clears_only_its_own_failures():
    from twisted.internet.task import Clock
    clock = Clock()
    throttle = LoginThrottle(clock=clock.seconds)
    for _ in range(4):
        throttle.failed("10.0.0.1", "victim")
    # The attacker logs in to an account of their own...
    throttle.succeeded("10.0.0.1", "attacker")
    throttle.failed("10.0.0.1", "victim")
    # ...which did not wipe the four guesses at the victim's.
    assert throttle.waitFor("10.0.0.1", "victim") > 0


def test_turkish_dotted_and_dotless_i_compare_as_players_expect():
    assert nameKey("Işıl") == nameKey("isil") == nameKey("ISIL")
    assert nameKey("İbrahim") == nameKey("ibrahim")
    assert nameKey("Zoë") == nameKey("zoe")
