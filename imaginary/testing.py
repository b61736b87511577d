"""
The telnet login dialogue as data, for tests and benchmarks.

A client logging in over telnet (or any plain-line front end) waits for a
prompt and answers it, a few times over.  The prompts and the answers are
written here once, as a list of C{(prompt to wait for, line to send)}
steps; each test or benchmark keeps its own driver (pexpect, a raw socket,
asyncio) and walks the same steps with C{play}, like this::

    steps = newAccountSteps("alice", "secret99", "Alice")
    play(steps, child.expect_exact, child.sendline)

The prompt texts are the server's exactly, so a driver that matches whole
strings (C{expect_exact}, a substring test on bytes) needs no escaping.
This module imports nothing from the rest of the package: the benchmarks
use it without the tests, and a floor server without the game.
"""

ACCOUNT_PROMPT = "Account name (or 'new'): "
NEW_ACCOUNT_PROMPT = "Choose an account name: "
NEW_PASSWORD_PROMPT = "Choose a password (6 or more characters): "
REPEAT_PASSWORD_PROMPT = "Type it again: "
PASSWORD_PROMPT = "Password: "
CHARACTER_PROMPT = "Character: "
GAME_PROMPT = "> "

PASSWORD = "secret99"
GENDERS = ("male", "female", "neuter", "plural")


def newAccountSteps(account, password=PASSWORD, character=None,
                    gender="female"):
    """
    The steps that create an account and, when C{character} is given, a
    first character on it: C{new}, the account name, the password twice,
    then C{create <character> <gender>} at the character menu.  Without a
    character the steps end by waiting for the character menu's prompt.

    @return: a list of C{(prompt, line)} pairs; the last prompt is the
        one the line answers, not what comes after it (see L{play}).
    """
    if gender not in GENDERS:
        raise ValueError(f"gender must be one of {GENDERS}, not {gender!r}")
    steps = [(ACCOUNT_PROMPT, "new"),
             (NEW_ACCOUNT_PROMPT, account),
             (NEW_PASSWORD_PROMPT, password),
             (REPEAT_PASSWORD_PROMPT, password)]
    if character is not None:
        steps.append((CHARACTER_PROMPT, f"create {character} {gender}"))
    return steps


def loginSteps(account, password=PASSWORD, character=None):
    """
    The steps of a returning login: the account name, its password, then
    (when C{character} is given) that character's name at the menu.

    @return: a list of C{(prompt, line)} pairs, as L{newAccountSteps}.
    """
    steps = [(ACCOUNT_PROMPT, account),
             (PASSWORD_PROMPT, password)]
    if character is not None:
        steps.append((CHARACTER_PROMPT, character))
    return steps


def finalPrompt(steps):
    """
    The prompt that follows the last step: the game prompt after a
    character was chosen or created, the character menu's prompt after an
    account alone.
    """
    last = steps[-1][0] if steps else None
    return GAME_PROMPT if last == CHARACTER_PROMPT else CHARACTER_PROMPT


def play(steps, expect, send, end=True):
    """
    Walk C{steps} with a driver's own C{expect(prompt)} and C{send(line)}
    callables; with C{end}, wait for L{finalPrompt} afterwards too.

    C{expect} receives each prompt as a plain string; a driver that works
    in bytes wraps it (C{lambda p: client.expect(p.encode())}).
    """
    for prompt, line in steps:
        expect(prompt)
        send(line)
    if end:
        expect(finalPrompt(steps))


def typedAhead(steps, ending="\r\n"):
    """
    Every line of C{steps} joined into one string, each ended with
    C{ending}: what a client that types ahead without waiting for the
    prompts sends in one write.
    """
    return "".join(line + ending for _, line in steps)
