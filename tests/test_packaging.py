"""
Imaginary as someone who installs it gets it: the wheel built from this
checkout, installed into a brand new virtualenv, started from a folder
that has nothing to do with the checkout.

Nothing here reaches the network.  The wheel is built without build
isolation (setuptools comes from the test extras), and the new venv gets
Imaginary from the wheel alone (``--no-deps --no-index``); its
dependencies come from this venv through a ``.pth`` line.  That line makes
this venv's site-packages an ordinary path entry, so its own ``.pth``
files, among them the editable install's, which would put the checkout
on sys.path, are not processed: what runs is the wheel, and the tests
check it.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import zipfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# What the wheel is built from; copied, because setuptools writes build/
# and *.egg-info next to the sources and others share this working tree.
SOURCES = ["pyproject.toml", "setup.py", "README.md", "imaginary", "world",
           "plugins", "twisted"]
BANNER = b"Welcome to Imaginary"
BUILT = "built the default world"


def freePort():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cleanEnv():
    """
    The environment for the installed programs: nothing that would point
    them back at the checkout or at extra plugins.
    """
    env = dict(os.environ)
    for name in ("PYTHONPATH", "IMAGINARY_PLUGIN_PATH", "VIRTUAL_ENV",
                 "PYTHONHOME"):
        env.pop(name, None)
    return env


def run(args, **kw):
    """Run a command to completion; fail the test with its output if it
    fails."""
    done = subprocess.run(args, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=120,
                          **kw)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel built from a copy of this checkout's sources."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    source.mkdir()
    junk = shutil.ignore_patterns("__pycache__", "*.pyc", "dropin.cache",
                                  "*.egg-info", "build")
    for name in SOURCES:
        path = os.path.join(ROOT, name)
        if os.path.isdir(path):
            shutil.copytree(path, source / name, ignore=junk)
        else:
            shutil.copy(path, source / name)
    out = work / "dist"
    # -v: setuptools' own warnings (a deprecated license table, say) are
    # what a first run used to print by the screenful; keep them to check.
    BUILD_OUTPUT.append(run([
        sys.executable, "-m", "pip", "wheel", "--no-deps",
        "--no-build-isolation", "--no-index", "-v", "-w", str(out),
        str(source)]))
    [built] = out.glob("imaginary-*.whl")
    return built


BUILD_OUTPUT = []


def test_building_warns_of_nothing(wheel):
    """The first run's screenful of packaging warnings is gone."""
    [output] = BUILD_OUTPUT
    assert "Warning" not in output and "deprecated" not in output.lower(), \
        [line for line in output.splitlines() if "arn" in line or
         "eprecat" in line]


@pytest.fixture(scope="module")
def venv(tmp_path_factory, wheel):
    """
    A new virtualenv holding the wheel, with this venv's site-packages
    after its own for the dependencies.  Returns its folder.
    """
    home = tmp_path_factory.mktemp("venv") / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(home)])
    python = str(home / "bin" / "python")
    # pip --python installs into that interpreter's environment; the .pth
    # is written only afterwards, so pip sees no other Imaginary there.
    run([sys.executable, "-m", "pip", "--python", python, "install",
         "--no-deps", "--no-index", "--quiet", str(wheel)])
    site = run([python, "-c", "import sysconfig;"
                "print(sysconfig.get_paths()['purelib'])"]).strip()
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    with open(os.path.join(site, "imaginary_test_deps.pth"), "w") as f:
        f.write("".join(path + "\n" for path in sorted(ours)))
    return home


@pytest.fixture
def elsewhere(tmp_path):
    """An empty folder unrelated to the checkout, to start programs in."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


def test_wheelContents(wheel):
    """
    The wheel holds every package of imaginary/, the default world and the
    content plugins inside the imaginary package, and the twistd plugin in
    Twisted's plugins folder; no top-level world or plugins package.
    """
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
    folders = {os.path.dirname(name) for name in names}
    missing = []
    for here, dirs, files in os.walk(os.path.join(ROOT, "imaginary")):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        if "__init__.py" in files:
            relative = os.path.relpath(here, ROOT)
            if relative not in folders:
                missing.append(relative.replace(os.sep, "."))
    assert not missing, (
        f"packages missing from the wheel: {missing} (setup.py lists them)")
    assert "imaginary/shipped/world/default.json" in names
    assert "imaginary/shipped/world/default.py" in names
    for plugin in os.listdir(os.path.join(ROOT, "plugins")):
        if plugin.endswith(".py"):
            assert f"imaginary/shipped/plugins/{plugin}" in names
    assert "twisted/plugins/imaginary_twistd.py" in names
    assert "twisted/plugins/__init__.py" not in names   # Twisted's own
    topLevel = {name.split("/")[0] for name in names
                if not name.split("/")[0].endswith(".dist-info")}
    assert topLevel == {"imaginary", "twisted"}


def test_installedImports(venv, elsewhere):
    """
    From another folder the new venv imports Imaginary from the wheel, finds
    the shipped world and plugins there, and has no top-level world.
    """
    probe = (
        "import os, imaginary, imaginary.plugins\n"
        "from imaginary import shipped\n"
        "print(imaginary.__file__)\n"
        "print(shipped.folder('world'))\n"
        "print(shipped.folder('plugins'))\n"
        "print(shipped.defaultWorld().__file__)\n"
        "print(shipped.folder('plugins') in imaginary.plugins.__path__)\n"
        "try:\n"
        "    import world\n"
        "    print('world is importable:', world.__file__)\n"
        "except ImportError:\n"
        "    print('no top-level world')\n")
    lines = run([str(venv / "bin" / "python"), "-c", probe],
                cwd=elsewhere, env=cleanEnv()).splitlines()
    site = str(venv)
    imported, world, plugins, default, onPath, topWorld = lines
    assert imported.startswith(site), (
        f"imaginary came from {imported}, not the wheel in {site}")
    assert world.startswith(site) and plugins.startswith(site)
    assert default.startswith(world)
    assert onPath == "True"
    assert topWorld == "no top-level world"


class Running:
    """A server process started from a command, its log in a file."""

    def __init__(self, args, cwd, logPath):
        self.logPath = logPath
        self._log = open(logPath, "w")
        self.process = subprocess.Popen(
            args, cwd=cwd, env=cleanEnv(), stdout=self._log,
            stderr=subprocess.STDOUT)

    def log(self):
        """Everything the server printed so far."""
        with open(self.logPath) as f:
            return f.read()

    def banner(self, port, timeout=20):
        """
        Connect to C{port} until it answers, and return what it sends
        until the welcome banner (or what came before the time ran out).
        """
        deadline = time.monotonic() + timeout
        while True:
            assert self.process.poll() is None, (
                f"the server exited:\n{self.log()}")
            try:
                conn = socket.create_connection(("127.0.0.1", port), 1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError(
                        f"nothing listens on {port}:\n{self.log()}")
                time.sleep(0.1)
        received = b""
        with conn:
            conn.settimeout(max(1, deadline - time.monotonic()))
            try:
                while BANNER not in received:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    received += chunk
            except socket.timeout:
                pass
        return received

    def stop(self):
        """SIGTERM, as an operator stops it; returns the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(
                f"the server ignored SIGTERM:\n{self.log()}")
        finally:
            self._log.close()


def checkServes(args, cwd, logPath, port, stopped=(0,)):
    """
    Start C{args}, see the banner on C{port} and the default world built,
    then stop it cleanly: with an exit status in C{stopped}.
    """
    server = Running(args, cwd, logPath)
    try:
        received = server.banner(port)
        assert BANNER in received, (
            f"no banner; received {received!r}\n{server.log()}")
    finally:
        status = server.stop()
    log = server.log()
    assert BUILT in log, log
    assert "Traceback" not in log, log
    assert status in stopped, log


def test_serveFromAnotherFolder(venv, elsewhere, tmp_path):
    """
    `imaginary serve`, installed from the wheel and started in an unrelated
    folder, builds the default world (whose things come from the shipped
    plugins) and greets a telnet connection.
    """
    port = freePort()
    checkServes(
        [str(venv / "bin" / "imaginary"), "serve",
         "--store", str(tmp_path / "game.store"),
         "--telnet", f"tcp:{port}:interface=127.0.0.1"],
        elsewhere, tmp_path / "serve.log", port)


def test_twistdFromAnotherFolder(venv, elsewhere, tmp_path):
    """
    twistd in the new venv finds the installed twistd plugin and serves the
    default world from an unrelated folder.
    """
    port = freePort()
    # Twisted itself is in this venv, so the new venv has no twistd script
    # of its own: run twistd's entry point with the new venv's python.
    twistd = "import sys; from twisted.scripts.twistd import run; run()"
    checkServes(
        [str(venv / "bin" / "python"), "-c", twistd, "-n", "--pidfile=",
         "imaginary", "--store", str(tmp_path / "game.store"),
         "--telnet", f"tcp:{port}:interface=127.0.0.1"],
        elsewhere, tmp_path / "twistd.log", port,
        # twistd ends by re-sending itself the signal that stopped it, so
        # its parent sees how it ended; that is its clean stop.
        stopped=(0, -signal.SIGTERM))
