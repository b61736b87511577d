"""The IRC bridge's configuration file and irc:// URLs."""

import pytest

from imaginary.bridge.config import (
    BridgeConfig, ConfigError, Network, loadConfig, parseTarget)


@pytest.mark.parametrize("url, host, port, channel, tls", [
    ("irc://irc.example.net:6667/#game", "irc.example.net", 6667, "#game",
     False),
    ("irc://irc.example.net:6697/#game", "irc.example.net", 6697, "#game",
     True),
    ("irc://irc.example.net/%23game", "irc.example.net", 6667, "#game",
     False),
    ("ircs://irc.example.net/game", "irc.example.net", 6697, "#game", True),
    ("ircs://irc.example.net:7000/#a-b", "irc.example.net", 7000, "#a-b",
     True),
    ("IRC://127.0.0.1:4000/#Ooc", "127.0.0.1", 4000, "#Ooc", False),
])
def test_urls(url, host, port, channel, tls):
    target = parseTarget(url)
    assert (target.host, target.port, target.channel, target.tls) == (
        host, port, channel, tls)


def test_one_key_per_channel_whatever_the_spelling():
    assert parseTarget("irc://Irc.Example.net/%23Game").key == \
        parseTarget("irc://irc.example.net:6667/#game").key
    assert parseTarget("irc://irc.example.net/#game").key != \
        parseTarget("ircs://irc.example.net/#game").key


@pytest.mark.parametrize("url, why", [
    ("http://example.com/#x", "is not an irc:// address"),
    ("irc:///#x", "is not an irc:// address"),
    ("irc://example.com:99999/#x", "is not an irc:// address"),
    ("irc://example.com/", "names no IRC channel"),
    ("irc://example.com/#a,#b", "names no IRC channel"),
    ("irc://example.com/" + "#" + "x" * 60, "names no IRC channel"),
])
def test_bad_urls(url, why):
    with pytest.raises(ValueError, match=why):
        parseTarget(url)


def test_a_file_with_networks(tmp_path):
    secret = tmp_path / "libera.pass"
    secret.write_text("hunter2\n")
    path = tmp_path / "bridge.ini"
    path.write_text(f"""
[bridge]
nick = GameBridge   ; the default
keep_lines = 30

[network libera]
host = irc.libera.chat
nick = MyGame
sasl_username = mygame
sasl_password_file = {secret}

[network local]
host = 127.0.0.1
port = 6667
tls = yes
verify = no
""")
    config = loadConfig(str(path))
    assert config.nick == "GameBridge" and config.keepLines == 30
    libera = config.networkFor(parseTarget("ircs://irc.libera.chat/#g"))
    assert (libera.name, libera.nick, libera.saslUsername,
            libera.saslPassword, libera.sasl) == (
        "libera", "MyGame", "mygame", "hunter2", True)
    assert "hunter2" not in repr(libera)
    local = config.networkFor(parseTarget("irc://127.0.0.1:6667/#g"))
    assert (local.nick, local.sasl, local.verify) == ("GameBridge", False,
                                                      False)
    # TLS: the network's own 'tls' wins; 'auto' goes by the URL.
    assert config.useTLS(local, parseTarget("irc://127.0.0.1:6667/#g"))
    assert config.useTLS(libera, parseTarget("irc://irc.libera.chat:6697/#g"))
    assert not config.useTLS(libera,
                             parseTarget("irc://irc.libera.chat:6667/#g"))
    with pytest.raises(ValueError, match="may not go to 127.0.0.1:6668"):
        config.networkFor(parseTarget("irc://127.0.0.1:6668/#g"))


def test_any_network_when_the_operator_says_so():
    config = BridgeConfig(nick="B", anyNetwork=True, networks=(
        Network(name="n", host="irc.example.net"),))
    other = config.networkFor(parseTarget("irc://irc.other.net/#x"))
    assert (other.name, other.nick, other.sasl) == ("irc.other.net", "B",
                                                    False)


@pytest.mark.parametrize("text, why", [
    ("[bridge]\nnick = 9lives\n", "is not an IRC nick"),
    ("[bridge]\nnetworks = some\n", "'listed' or 'any'"),
    ("[servers]\n", "unknown section"),
    ("[network x]\nport = 1\n", "no host"),
    ("[network x]\nhost = h\nport = six\n", "not a number"),
    ("[network x]\nhost = h\ntls = maybe\n", "tls is auto, yes or no"),
    ("[network x]\nhost = h\nsasl_username = u\n", "without a password"),
    ("[network x]\nhost = h\nsasl_username = u\nsasl_password_file = "
     "/nonexistent/pw\n", "sasl_password_file"),
    ("[bridge]\nretry_max = soon\n", "retry_max|could not convert"),
    ("[network x]\nhost = h\nca_file = /nonexistent/ca.pem\n", "ca_file"),
    ("[network x]\nhost = h\nca_file = /etc/hostname\n",
     "holds no PEM certificate"),
    ("not ini at all", "File contains no section headers"),
])
def test_unfit_files_are_refused_saying_why(tmp_path, text, why):
    path = tmp_path / "bridge.ini"
    path.write_text(text)
    with pytest.raises(ConfigError, match=why):
        loadConfig(str(path))


def test_a_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="No such file"):
        loadConfig(str(tmp_path / "nope.ini"))


def test_serve_refuses_an_unfit_file_in_one_line(tmp_path, capsys):
    from imaginary.cli import main
    path = tmp_path / "bridge.ini"
    path.write_text("[network x]\nport = 1\n")
    store = tmp_path / "store"
    assert main(["serve", "--store", str(store), "--irc-bridge",
                 str(path)]) == 2
    assert capsys.readouterr().err == (
        f"imaginary: --irc-bridge {path}: [network x]: no host\n")
    assert not store.exists()       # refused before the store was made


def test_twistd_takes_the_file_too(tmp_path):
    import importlib.util
    import os
    from twisted.python import usage
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    spec = importlib.util.spec_from_file_location(
        "imaginary_twistd_bridge",
        os.path.join(root, "twisted", "plugins", "imaginary_twistd.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    path = tmp_path / "bridge.ini"
    path.write_text("[bridge]\nnick = TwistdBridge\n")
    options = module.Options()
    options.parseOptions(["--irc-bridge", str(path)])
    service = module.serviceMaker.makeService(options)
    assert service.ircBridgeConfig.nick == "TwistdBridge"
    path.write_text("[bridge]\nnick = 9\n")
    with pytest.raises(usage.UsageError, match="is not an IRC nick"):
        module.Options().parseOptions(["--irc-bridge", str(path)])
