"""
The `imaginary` command: serve, play, account, world, check.

Usage::

    imaginary serve [--store PATH] [--telnet ENDPOINT] [--ssh ENDPOINT] ...
    imaginary play [--store PATH] [--account NAME]
    imaginary account create [--admin|--builder] NAME [--password-file F]
    imaginary check [--store PATH]

No front end is named here: `serve` gets one --NAME ENDPOINT option per
installed front end (IFrontEndType plugins), and commands that belong to
a front end (`play` for the local terminal, `account add-key` for SSH)
are ICommand plugins, added to the parser like the built-in ones.

Passwords are read from a prompt (without echo) or from a file, never from
the command line, where other users could read them in the process list.
"""

import argparse
import gc
import getpass
import os
import sys

from zope.interface import Attribute, Interface

DEFAULT_STORE = "imaginary.store"


def _serve(args):
    from twisted.internet import reactor
    from twisted.logger import (
        FilteringLogObserver, LogLevel, LogLevelFilterPredicate,
        globalLogBeginner, jsonFileLogObserver, textFileLogObserver)
    from imaginary.server import ImaginaryServer
    # The bridge's configuration, then the store: a file or a store that
    # is unfit is refused in one line before anything else happens.
    bridge = None
    if args.irc_bridge:
        from imaginary.bridge.config import ConfigError, loadConfig
        try:
            bridge = loadConfig(args.irc_bridge)
        except ConfigError as e:
            print(f"imaginary: --irc-bridge {e}", file=sys.stderr)
            return 2
    store = openStore(args.store)
    if args.log_json:
        observer = jsonFileLogObserver(open(args.log_json, "a"))
    else:
        observer = textFileLogObserver(sys.stdout)
    # Conch and the reactor log every packet at debug level; operators
    # ask for that with --log-level debug.
    level = LogLevel.levelWithName(args.log_level)
    observer = FilteringLogObserver(observer, [LogLevelFilterPredicate(
        defaultLogLevel=level)])
    globalLogBeginner.beginLoggingTo([observer], redirectStandardIO=False)
    from imaginary.server import frontEndTypes
    listen = {kind.name: getattr(args, "frontend_" + kind.name)
              for kind in frontEndTypes()}
    server = ImaginaryServer(args.store, listen=listen, reactor=reactor,
                             policy=args.connections, store=store,
                             ircBridge=bridge)
    try:
        d = server.startService()
    except BaseException:
        _closeQuietly(store)
        raise
    status = []

    def failed(f):
        print(f"imaginary: {f.getErrorMessage()}", file=sys.stderr)
        status.append(2)
        if reactor.running:
            reactor.stop()      # the shutdown trigger closes the store
    d.addErrback(failed)
    if status:
        # Nothing listens (TCP endpoints answer at once): no reactor to
        # run, nothing was built.
        _closeQuietly(store)
        return status[0]
    reactor.addSystemEventTrigger("before", "shutdown", server.stopService)
    reactor.callWhenRunning(_stopOnSignals, reactor)
    # The world loaded at start lives as long as the process: moved out of
    # the collector's reach, a full collection no longer walks it (a
    # shorter pause in a crowded room; docs/load.md has the figures).
    gc.collect()
    gc.freeze()
    reactor.run()
    return status[0] if status else 0


def _stopOnSignals(reactor):
    """
    SIGTERM and SIGINT stop the server once.  (Twisted's own handlers call
    reactor.stop() again for a second signal during the shutdown, which
    logs a critical ReactorNotRunning error: an operator pressing Ctrl-C
    twice, or a supervisor that signals the process group, sees a
    traceback for a clean stop.)
    """
    import signal
    stopping = []

    def stop(signum, frame):
        if not stopping:
            stopping.append(signum)
            reactor.callFromThread(reactor.stop)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


def openStore(path):
    """The store at C{path}, or exit 2 saying in one line why it can't be
    opened."""
    from imaginary.store import Store, StoreError
    try:
        return Store(path)
    except (StoreError, OSError) as e:
        print(f"imaginary: {storeRefusal(path, e)}", file=sys.stderr)
        raise SystemExit(2)


def storeRefusal(path, error):
    """
    The sentence for a store that could not be opened: in use, read-only,
    from a newer version, or damaged.  SQLite reports a store it may not
    write as "disk I/O error", which reads as damage and invites a repair
    of a healthy store, so permissions are looked at first.
    """
    from imaginary.store.errors import NoUpgradePathAvailable, StoreInUse
    if isinstance(error, StoreInUse):
        return (f"{path} is in use by another process (a running server "
                f"or command); stop it first")
    unwritable = [p for p in (path, os.path.join(path, "db.sqlite"))
                  if os.path.exists(p) and not os.access(p, os.W_OK)]
    if not os.path.exists(path):
        parent = os.path.dirname(os.path.abspath(path))
        if os.path.isdir(parent) and not os.access(parent, os.W_OK):
            unwritable.append(parent)
    if unwritable:
        return (f"{path} is read-only: cannot write to {unwritable[0]} "
                f"(check its owner and permissions, and that its disk is "
                f"mounted read-write)")
    if isinstance(error, PermissionError):
        return f"{path}: permission denied ({error})"
    if isinstance(error, NoUpgradePathAvailable) and "newer" in str(error):
        return (f"{path} was written by a newer version of Imaginary "
                f"({error}); run that version")
    if "has store format" in str(error):
        return (f"{path} was written by another version of Imaginary "
                f"({error})")
    if isinstance(error, OSError):
        return f"cannot open {path}: {error.strerror or error}"
    return str(error)


def _closeQuietly(store):
    # On the way out after a failure or Ctrl-C: a store caught mid-
    # transaction refuses to close, and SQLite's journal keeps it sound.
    try:
        store.close()
    except Exception:
        pass


def _readPassword(args):
    if args.password_file:
        try:
            with open(args.password_file, encoding="utf-8") as f:
                return f.readline().rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as e:
            raise SystemExit(f"imaginary: cannot read the password file: "
                             f"{e}")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise SystemExit("imaginary: the passwords differ")
    return first


def _account(args):
    from imaginary.accounts import (
        NameRefused, checkPassword, createAccount, findAccount, hashPassword)
    store = openStore(args.store)
    try:
        if args.action == "create":
            level = "admin" if args.admin else (
                "builder" if args.builder else "player")
            if findAccount(store, args.name) is not None:
                raise SystemExit(f"imaginary: the account '{args.name}' "
                                 f"exists")
            password = _readPassword(args)
            try:
                checkPassword(password)
                account = createAccount(store, args.name,
                                        hashPassword(password), level)
            except (NameRefused, ValueError) as e:
                raise SystemExit(f"imaginary: {e}")
            print(f"created {level} account {account.username}")
        elif args.action == "list":
            from imaginary.accounts import Account
            for account in store.query(Account,
                                       sort=Account.username.ascending):
                flags = " (banned)" if account.banned else ""
                print(f"{account.username}\t{account.level}{flags}")
    finally:
        store.close()
    return 0


def _check(args):
    from imaginary.store.check import checkStore, scheduledFailures
    store = openStore(args.store)
    try:
        problems = checkStore(store)
        failures = scheduledFailures(store)
    finally:
        store.close()
    for problem in problems:
        print(problem)
    if failures:
        print(f"{len(failures)} scheduled call(s) failed (recorded as "
              f"TimedEventFailureLog items):")
        for line in failures:
            print("  " + line)
    print("store is sound" if not problems else
          f"{len(problems)} problem(s) found")
    return 0 if not problems else 1


def _world(args):
    from imaginary import worldfile
    from imaginary.simulation.world import ImaginaryWorld
    store = openStore(args.store)
    try:
        if args.action == "export":
            if store.findFirst(ImaginaryWorld) is None:
                raise SystemExit("imaginary: the store holds no world")
            worldfile.dump(store, args.file)
            print(f"exported the world to {args.file}")
        else:
            if store.findFirst(ImaginaryWorld) is not None:
                raise SystemExit("imaginary: the store already holds a world")
            try:
                worldfile.load(store, args.file)
            except (worldfile.WorldFileError, ValueError, KeyError) as e:
                raise SystemExit(f"imaginary: {args.file}: {e}")
            print(f"built the world from {args.file}")
    finally:
        store.close()
    return 0


def main(argv=None):
    """Entry point of the `imaginary` console script."""
    # Ctrl-C while the program starts (finding plugins, opening a store,
    # building a world) is an ordinary stop: one line, no traceback.
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("imaginary: interrupted; stopped", file=sys.stderr)
        return 130


def _main(argv):
    parser = argparse.ArgumentParser(prog="imaginary", description=(
        "Imaginary, a multiplayer text-adventure server."))
    parser.add_argument("--plugins", action="append", default=[],
                        metavar="DIR", help="a world's own plugin folder "
                        "(its verbs, thing types, front ends and commands)")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the server in the foreground")
    serve.add_argument("--store", default=DEFAULT_STORE)
    serve.add_argument("--log-json", default=None, metavar="FILE",
                       help="write twisted.logger JSON lines to FILE")
    serve.add_argument("--log-level", default="info",
                       choices=["debug", "info", "warn", "error"],
                       help="the least important events logged "
                       "(default: %(default)s)")
    serve.add_argument("--plugins", action="append", default=[],
                       metavar="DIR", help="a world's own plugin folder "
                       "(may be repeated)")
    serve.add_argument("--irc-bridge", default=None, metavar="FILE",
                       help="relay channels that admins link to IRC, with "
                       "the networks, nicks and SASL logins in FILE (see "
                       "docs/irc-bridge.md)")
    serve.set_defaults(func=_serve)

    account = sub.add_parser("account", help="manage accounts")
    actions = account.add_subparsers(dest="action", required=True)
    # No abbreviations: '--password X' must not pass for '--password-file'.
    create = actions.add_parser("create", help="create an account",
                                allow_abbrev=False)
    create.add_argument("name")
    create.add_argument("--admin", action="store_true")
    create.add_argument("--builder", action="store_true")
    create.add_argument("--password-file", default=None,
                        help="read the password from this file's first "
                        "line (otherwise a prompt asks for it)")
    listing = actions.add_parser("list", help="list accounts")
    for p in (create, listing):
        p.add_argument("--store", default=DEFAULT_STORE)
        p.set_defaults(func=_account)

    world = sub.add_parser("world", help="export or import a world file")
    world.add_argument("action", choices=["export", "import"])
    world.add_argument("file", help="the JSON world file")
    world.add_argument("--store", default=DEFAULT_STORE)
    world.set_defaults(func=_world)

    check = sub.add_parser("check", help="check a store's integrity")
    check.add_argument("--store", default=DEFAULT_STORE)
    check.set_defaults(func=_check)

    # A world's own plugin folders may hold front ends too: add them before
    # the serve options are made from the installed front ends.
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--plugins", action="append", default=[])
    for folder in early.parse_known_args(argv)[0].plugins:
        if not os.path.isdir(folder):
            parser.error(f"--plugins {folder}: not a directory")
        import imaginary.plugins
        imaginary.plugins.__path__.append(os.path.abspath(folder))
    addFrontEndOptions(serve)
    addPluginCommands({"": sub, "account": actions})
    args = parser.parse_args(argv)
    return args.func(args)


def addFrontEndOptions(parser):
    """
    One --NAME ENDPOINT option per installed front end (telnet, ssh, and
    whatever plugins add), and --connections.
    """
    from imaginary.server import frontEndTypes
    for kind in frontEndTypes():
        default = kind.defaultEndpoint
        parser.add_argument(
            f"--{kind.name}", dest="frontend_" + kind.name, default=default,
            metavar="ENDPOINT", help=kind.description + (
                " (default: %(default)s)" if default else ""))
    parser.add_argument(
        "--connections", choices=["share", "takeover"], default="share",
        help="a character played from a second connection: both play it "
        "(share), or the first is closed (takeover); default: %(default)s")



class ICommand(Interface):
    """
    A command of the `imaginary` program that a plugin contributes (the
    local terminal front end's `play`, the SSH front end's
    `account add-key`), so this module names no front end.
    """

    name = Attribute("'play', or 'account add-key' for an action of an "
                     "existing command.")
    help = Attribute("One line for --help.")

    def configure(parser):
        """Add the command's arguments to its argparse parser."""

    def run(args):
        """Carry the command out; returns the exit status."""


def addPluginCommands(groups):
    """Add every ICommand plugin under its group's subparsers."""
    # Run as `python -m imaginary.cli`, this module is __main__ and the
    # plugins import a second copy: ask for that copy's ICommand.
    from imaginary.cli import ICommand as plugged
    from imaginary.plugin import defaultLoader
    for command in sorted(defaultLoader().provided(plugged),
                          key=lambda c: c.name):
        *group, name = command.name.split()
        parser = groups[" ".join(group)].add_parser(
            name, help=command.help, allow_abbrev=False)
        parser.add_argument("--store", default=DEFAULT_STORE)
        command.configure(parser)
        parser.set_defaults(func=command.run)


if __name__ == "__main__":
    sys.exit(main())
