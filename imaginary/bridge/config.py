"""
The IRC bridge's configuration, and the irc:// URLs admins link with.

The operator writes an INI file and names it with
C{imaginary serve --irc-bridge FILE}::

    [bridge]
    nick = GameBridge            ; the default nick on every network
    networks = listed            ; or "any": unlisted networks may be
                                 ; linked too (default nick, no SASL)

    [network libera]             ; "libera" is the name players see
    host = irc.libera.chat
    port = 6697                  ; optional: any port of that host
    nick = MyGameBridge
    sasl_username = mygame
    sasl_password_file = /etc/imaginary/libera.pass
    tls = auto                   ; auto (by the port), yes or no
    ca_file = /etc/ssl/my-ca.pem ; optional: trust this CA (PEM) instead
                                 ; of the system's; verify = no: none

Credentials live here (or in a file it names), not in the store and not
in a verb: the store is the world's, and admins in the game need not be
the machine's operators.
"""

import configparser
import os
from urllib.parse import urlsplit

import attr

TLS_PORTS = (6697, 7000, 7070, 9999)   # ports that conventionally mean TLS
DEFAULT_PORT = {"irc": 6667, "ircs": 6697}
RETRY_MAX = 300.0       # seconds between attempts at most
KEEP_LINES = 100        # lines kept toward a network that is down


class ConfigError(Exception):
    """The configuration file is unfit; the message says where and why."""


@attr.s(frozen=True)
class Network:
    """How to reach and log in to one IRC network."""

    name = attr.ib()                # what players see: Nick@name
    host = attr.ib()
    port = attr.ib(default=None)    # None: any port of the host
    nick = attr.ib(default="ImaginaryBridge")
    saslUsername = attr.ib(default=None)
    saslPassword = attr.ib(default=None, repr=False)
    tls = attr.ib(default="auto")   # "auto", "yes" or "no"
    verify = attr.ib(default=True)  # check the server's certificate
    caPEM = attr.ib(default=None, repr=False)   # trust this CA, not the
                                                # system's (ca_file)

    @property
    def sasl(self):
        """Whether this network is logged in to with SASL PLAIN."""
        return bool(self.saslUsername)


@attr.s(frozen=True)
class Target:
    """Where a link points: a channel on a host and port."""

    host = attr.ib()
    port = attr.ib()
    channel = attr.ib()     # "#chan", as given
    tls = attr.ib()         # the URL's own opinion: ircs://, or the port

    @property
    def key(self):
        """One string per IRC channel (hosts and channels ignore case)."""
        return f"{self.host.lower()}:{self.port}/{self.channel.lower()}"


@attr.s(frozen=True)
class BridgeConfig:
    """The whole configuration: the networks and the defaults."""

    nick = attr.ib(default="ImaginaryBridge")
    anyNetwork = attr.ib(default=False)
    networks = attr.ib(default=())      # Network, in the file's order
    retryMax = attr.ib(default=RETRY_MAX)
    keepLines = attr.ib(default=KEEP_LINES)
    realname = attr.ib(default="Imaginary channel bridge")

    def networkFor(self, target):
        """
        The Network a Target is reached through, or ValueError when the
        configuration doesn't allow it.
        """
        for network in self.networks:
            if network.host.lower() == target.host.lower() and \
                    network.port in (None, target.port):
                return network
        if self.anyNetwork:
            return Network(name=target.host, host=target.host,
                           nick=self.nick)
        raise ValueError(
            f"The IRC bridge may not go to {target.host}:{target.port}: "
            f"the server's configuration lists the networks it may "
            f"reach.")

    def useTLS(self, network, target):
        """Whether to connect with TLS: the network's 'tls', or else the
        URL (ircs://, or a TLS port such as 6697)."""
        if network.tls in ("yes", "no"):
            return network.tls == "yes"
        return target.tls


def parseTarget(url):
    """
    The Target an C{irc://host:port/#chan} (or C{ircs://}) URL names;
    ValueError saying what is wrong.  '#' may be written '%23' (some
    clients escape it), and the channel may be given without it.
    """
    shown = url[:80]
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise ValueError(f"'{shown}' is not an irc:// address.")
    if parts.scheme.lower() not in DEFAULT_PORT or not parts.hostname:
        raise ValueError(f"'{shown}' is not an irc:// address: write "
                         f"irc://host:port/#channel.")
    channel = (parts.path.lstrip("/") + ("#" + parts.fragment
                                          if parts.fragment else ""))
    channel = channel.replace("%23", "#")
    if not channel.startswith(("#", "&")):
        channel = "#" + channel
    if len(channel) < 2 or len(channel) > 50 or any(
            c in channel for c in " ,\x07\r\n/"):
        raise ValueError(f"'{shown}' names no IRC channel: write "
                         f"irc://host:port/#channel.")
    scheme = parts.scheme.lower()
    if port is None:
        port = DEFAULT_PORT[scheme]
    return Target(host=parts.hostname, port=port, channel=channel,
                  tls=scheme == "ircs" or port in TLS_PORTS)


def loadConfig(path):
    """The BridgeConfig in the file at C{path}; ConfigError if unfit."""
    parser = configparser.ConfigParser(inline_comment_prefixes=(";",))
    try:
        with open(path, encoding="utf-8") as f:
            parser.read_file(f)
    except (OSError, UnicodeDecodeError, configparser.Error) as e:
        raise ConfigError(f"{path}: {e}")
    bridge = parser["bridge"] if parser.has_section("bridge") else {}
    nick = bridge.get("nick", "ImaginaryBridge").strip()
    _checkNick(path, "bridge", nick)
    which = bridge.get("networks", "listed").strip().lower()
    if which not in ("listed", "any"):
        raise ConfigError(f"{path}: [bridge] networks is 'listed' or "
                          f"'any', not {which!r}")
    networks = []
    for section in parser.sections():
        if section == "bridge":
            continue
        kind, _, name = section.partition(" ")
        if kind != "network" or not name.strip():
            raise ConfigError(f"{path}: unknown section [{section}] "
                              f"(expected [bridge] or [network NAME])")
        networks.append(_network(path, name.strip(), parser[section], nick))
    try:
        retryMax = float(bridge.get("retry_max", RETRY_MAX))
        keepLines = int(bridge.get("keep_lines", KEEP_LINES))
    except ValueError as e:
        raise ConfigError(f"{path}: [bridge]: {e}")
    return BridgeConfig(nick=nick, anyNetwork=which == "any",
                        networks=tuple(networks), retryMax=retryMax,
                        keepLines=max(0, keepLines))


def _network(path, name, section, defaultNick):
    where = f"{path}: [network {name}]"
    host = section.get("host", "").strip()
    if not host:
        raise ConfigError(f"{where}: no host")
    port = section.get("port", "").strip()
    if port and not port.isdigit():
        raise ConfigError(f"{where}: port {port!r} is not a number")
    nick = section.get("nick", defaultNick).strip()
    _checkNick(path, f"network {name}", nick)
    tls = section.get("tls", "auto").strip().lower()
    if tls not in ("auto", "yes", "no"):
        raise ConfigError(f"{where}: tls is auto, yes or no")
    user = section.get("sasl_username", "").strip() or None
    password = section.get("sasl_password", None)
    passwordFile = section.get("sasl_password_file", "").strip()
    if passwordFile:
        try:
            with open(os.path.expanduser(passwordFile),
                      encoding="utf-8") as f:
                password = f.readline().rstrip("\r\n")
        except OSError as e:
            raise ConfigError(f"{where}: sasl_password_file: {e}")
    caPEM = None
    caFile = section.get("ca_file", "").strip()
    if caFile:
        try:
            with open(os.path.expanduser(caFile), encoding="ascii") as f:
                caPEM = f.read()
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigError(f"{where}: ca_file: {e}")
        if "BEGIN CERTIFICATE" not in caPEM:
            raise ConfigError(f"{where}: ca_file {caFile} holds no PEM "
                              f"certificate")
    if user and not password:
        raise ConfigError(f"{where}: sasl_username without a password "
                          f"(sasl_password or sasl_password_file)")
    return Network(name=name, host=host, port=int(port) if port else None,
                   nick=nick, saslUsername=user, saslPassword=password,
                   tls=tls, caPEM=caPEM, verify=section.get("verify", "yes").strip()
                   .lower() not in ("no", "false", "0"))


def _checkNick(path, section, nick):
    if not nick or len(nick) > 30 or any(
            c in nick for c in " ,*?!@#:\r\n") or nick[0].isdigit():
        raise ConfigError(f"{path}: [{section}] nick {nick!r} is not an IRC "
                          f"nick")
