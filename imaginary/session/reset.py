"""
Password reset by mail, at a line front end's login prompt.

Typing C{reset} at the account prompt asks for the account's name and,
when that account has a verified address (imaginary/mail/accountmail.py),
mails it a six-digit code that works once within 30 minutes.  The code
typed at the next prompt lets the player choose a new password (asked
twice).  What is said never reveals whether an account exists or has an
address, and an account gets at most one reset mail every few minutes.

A mixin of LineDialogue (dialogue.py): its states are "reset-name",
"reset-code", "reset-password" and "reset-repeat".
"""

from epsilon.extime import Time
from twisted.logger import Logger

from imaginary.accounts import checkPassword, findAccount, hashPasswordLater
from imaginary.mail import accountmail, api, model
from imaginary.mail.outbound import MailRefused

log = Logger()

RESET_NAME_PROMPT = "Account name to reset: "
RESET_CODE_PROMPT = "The code from the mail: "
RESET_PASSWORD_PROMPT = "New password (6 or more characters): "
RESET_REPEAT_PROMPT = "Type it again: "
ACCOUNT_PROMPT = "Account name (or 'new'): "
RESEND_SECONDS = 300        # one reset mail per account this often
SENT = ("If that account has a verified mail address, a code is on its "
        "way to it; it works once, for 30 minutes.")


def mailEnabled(store):
    """Whether this game sends mail outside (a relay is configured)."""
    found = store.findFirst(model.MailSettings)
    return found is not None and bool(found.relayHost)


def _recentlySent(account, now):
    reset = account.store.findFirst(accountmail.PasswordReset,
                                    accountmail.PasswordReset.account ==
                                    account)
    if reset is None:
        return False
    made = reset.expires.asPOSIXTimestamp() - accountmail.CODE_SECONDS
    return now.asPOSIXTimestamp() - made < RESEND_SECONDS


def mailResetCode(store, account):
    """Make and mail a reset code for C{account} (in a transaction)."""
    now = Time()
    if _recentlySent(account, now):
        return False
    code = accountmail.startReset(account, now)
    if code is None:
        return False
    config = model.settings(store)
    api.systemMail(
        store, accountmail.verifiedAddress(account),
        "Your password reset code",
        f"Someone asked to reset the password of the account "
        f"{account.username} at {config.domain}.\n\nThe code is {code}. "
        f"Type it at the login prompt within 30 minutes; it works once.\n\n"
        f"If it was not you, ignore this mail: your password is unchanged.")
    return True


class PasswordResetSteps:
    """The reset states of a LineDialogue."""

    _resetAccount = None

    def _offerReset(self):
        """After a refused password: say how to reset it, if mail works."""
        if mailEnabled(self.server.store):
            self.tell("Forgotten your password? Type 'reset' at the account "
                      "prompt to get a code by mail.")

    def _startReset(self):
        if not mailEnabled(self.server.store):
            self.tell("This game sends no mail, so passwords can't be "
                      "reset by mail; ask its operator.")
            self.prompt(ACCOUNT_PROMPT)
            return
        self.state = "reset-name"
        self.prompt(RESET_NAME_PROMPT)

    def _state_reset_name(self, line):
        store = self.server.store
        account = findAccount(store, line.strip()) if line.strip() else None
        self._resetAccount = account
        if account is not None:
            try:
                store.transact(mailResetCode, store, account)
            except MailRefused as e:
                log.info("no reset mail for {name}: {why}",
                         name=account.username, why=str(e))
        self.tell(SENT)
        self.state = "reset-code"
        self.prompt(RESET_CODE_PROMPT)

    def _state_reset_code(self, line):
        account, store = self._resetAccount, self.server.store
        if account is None or not store.transact(
                accountmail.useReset, account, line):
            self._resetAccount = None
            self.tell("That code is wrong or has expired.")
            self.state = "account"
            self.prompt(ACCOUNT_PROMPT)
            return
        self.state = "reset-password"
        self.frontEnd.setPasswordMode(True)
        self.prompt(RESET_PASSWORD_PROMPT)

    def _state_reset_password(self, line):
        try:
            checkPassword(line)
        except ValueError as e:
            self.tell(str(e))
            self.prompt(RESET_PASSWORD_PROMPT)
            return
        self._password = line
        self.state = "reset-repeat"
        self.prompt(RESET_REPEAT_PROMPT)

    def _state_reset_repeat(self, line):
        password, self._password = self._password, None
        if line != password:
            self.tell("The passwords differ; let's try again.")
            self.state = "reset-password"
            self.prompt(RESET_PASSWORD_PROMPT)
            return
        account, self._resetAccount = self._resetAccount, None
        store = self.server.store

        def hashed(digest):
            store.transact(setattr, account, "passwordHash", digest)
            if self.state == "closed":
                return
            self.frontEnd.setPasswordMode(False)
            self.tell(f"The password of {account.username} is changed; "
                      f"log in with it now.")
            self.state = "account"
            self.prompt(ACCOUNT_PROMPT)
        return hashPasswordLater(line).addCallback(hashed)
