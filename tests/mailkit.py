"""
Mail test helpers: a real SMTP relay (aiosmtpd, in a thread) that keeps
what it is given or answers as told, a store with a world and characters
whose mail settings point at it, and spinning the reactor until
something is true.
"""

import datetime
import email
import email.policy
import ipaddress
import time

from aiosmtpd.controller import Controller
from twisted.internet import reactor

from imaginary.language.grammar import FEMALE, MALE
from imaginary.mail import model
from imaginary.simulation.world import ImaginaryWorld
from imaginary.store import IScheduler, Store

from liveserver import freePort


class Relay:
    """
    An aiosmtpd handler: envelopes it accepted, and the replies it gives
    instead of accepting (C{rcptReply}, C{dataReply}) when set.
    """

    def __init__(self):
        self.envelopes = []
        self.rcptReply = None
        self.dataReply = None
        self.logins = []

    async def handle_RCPT(self, server, session, envelope, address, options):
        if self.rcptReply:
            return self.rcptReply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.dataReply:
            return self.dataReply
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self):
        """The accepted messages, parsed."""
        return [email.message_from_bytes(e.original_content,
                                         policy=email.policy.default)
                for e in self.envelopes]


def startRelay(relay, port=None, **kwargs):
    """An aiosmtpd Controller for C{relay} on 127.0.0.1, started."""
    controller = Controller(relay, hostname="127.0.0.1",
                            port=port or freePort(), **kwargs)
    controller.start()
    return controller


def spinUntil(predicate, timeout=10.0):
    """Run the reactor until C{predicate()} is true (or fail)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("not true in time: " + repr(predicate))
        reactor.iterate(0.01)


def spinFor(seconds):
    """Run the reactor for C{seconds}."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        reactor.iterate(0.01)


class Game:
    """A store with a world, Alice and Bob, mail at game.example."""

    def __init__(self, path=None, port=None, **config):
        self.store = Store(path) if path else Store()
        world = ImaginaryWorld.get(self.store)
        self.world = world
        self.alice = model.characterNamed(self.store, "Alice") or \
            world.createCharacter("Alice", FEMALE)
        self.bob = model.characterNamed(self.store, "Bob") or \
            world.createCharacter("Bob", MALE)
        settings = dict(domain="game.example", relayHost="127.0.0.1",
                        relayPort=port or freePort(), relaySecurity="plain",
                        retryDelays="0.3,0.3,0.3", attemptTimeout=5,
                        allowOutside=True)
        settings.update(config)

        def configure():
            mail = model.settings(self.store)
            for name, value in settings.items():
                setattr(mail, name, value)
        self.store.transact(configure)
        self.scheduler = IScheduler(self.store)
        self.scheduler.startService(reactor)

    def close(self):
        self.scheduler.stopService()
        self.store.close()


def selfSignedCertificate():
    """(certificate PEM, key PEM) for 127.0.0.1 and localhost."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None),
                       critical=True)
        .sign(key, hashes.SHA256()))
    return (certificate.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM,
                              serialization.PrivateFormat.TraditionalOpenSSL,
                              serialization.NoEncryption()))


def rsaKey():
    """A fresh RSA private key, PEM (for DKIM)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key, key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption())


__all__ = ["FEMALE", "MALE", "Game", "Relay", "rsaKey",
           "selfSignedCertificate", "spinFor", "spinUntil", "startRelay"]
