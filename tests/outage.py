"""A database that goes away and comes back, for tests of what the app does meanwhile.

On SQLite the file is moved away and a directory put in its place, so every new connection fails
with "unable to open database file"; connections already open would still read the moved file,
so the outage closes the engine's, as a database restart closes a server's connections. Moving
the file back is the database returning.

On PostgreSQL the app is given the address of a :class:`TcpForwarder` instead of the server's:
stopping the forwarder closes every connection the app has and refuses new ones ("Connection
refused"), as a server that died or restarts does; starting it again is the server returning.
Nothing is mocked: the app's driver meets a real missing file, or real closed sockets and
refusals. The test itself, like another host, still reaches the database.

Importable from any test module (``pythonpath = ["tests"]`` in pyproject.toml).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

from databases import BACKEND, TestDatabases
from sqlalchemy import Engine, make_url

__all__ = ["Outage", "TcpForwarder", "outage_database"]


class Outage:
    """A database that :meth:`start` takes away from the app and :meth:`end` brings back."""

    #: The database as the app reaches it: give the app this URL.
    app_url: str
    #: The database as the test reaches it while it is up.
    url: str
    #: The database as a host the outage does not cut off reaches it while it is down (on
    #: SQLite the file moved away).
    elsewhere_url: str
    #: Words the app's error carries while the database is down.
    reason: str
    #: What an error shown to clients must not give away: the database's address, a password.
    secrets: tuple[str, ...]
    #: Whether it is down now.
    down = False
    #: On SQLite, the app's engine, whose open connections would still read the moved file: the
    #: outage closes them, as a restart of a server closes its connections.
    engine: Engine | None = None

    def start(self) -> None:
        raise NotImplementedError

    def end(self) -> None:
        raise NotImplementedError


class _FileOutage(Outage):
    reason = "unable to open database file"

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.away = path, path.with_name(path.name + ".away")
        self.app_url = self.url = f"sqlite:///{path}"
        self.elsewhere_url = f"sqlite:///{self.away}"
        self.secrets = ("sqlite:", str(path))

    def start(self) -> None:
        if self.path.exists():  # a database not made yet can be away too
            self.path.rename(self.away)
        self.path.mkdir()  # nothing can create a database here while it is down
        self.down = True
        if self.engine is not None:
            self.engine.dispose()

    def end(self) -> None:
        self.path.rmdir()
        if self.away.exists():
            self.away.rename(self.path)
        self.down = False


class _ServerOutage(Outage):
    reason = "Connection refused"

    def __init__(self, url: str) -> None:
        server = make_url(url)
        assert server.host, f"the forwarder needs a TCP address, not a socket folder: {server!r}"
        self.forwarder = TcpForwarder((server.host, server.port or 5432))
        self.forwarder.start()
        forwarded = server.set(host="127.0.0.1", port=self.forwarder.port)
        self.app_url = forwarded.render_as_string(hide_password=False)
        self.url = self.elsewhere_url = url
        self.secrets = ("postgresql", f":{server.password}@", str(server.database))

    def start(self) -> None:
        self.forwarder.stop()
        self.down = True

    def end(self) -> None:
        self.forwarder.start()
        self.down = False


@contextlib.contextmanager
def outage_database(databases: TestDatabases, path: Path) -> Iterator[Outage]:
    """A new, empty database (on SQLite the file at ``path``, made on use) that the test can take
    away; brought back and dropped at the end of the ``with`` block."""
    if BACKEND == "sqlite":
        outage: Outage = _FileOutage(path)
    else:
        outage = _ServerOutage(databases.new(path))
    try:
        yield outage
    finally:
        if outage.down:
            outage.end()
        if isinstance(outage, _ServerOutage):
            outage.forwarder.stop()
            databases.drop(outage.url)


class TcpForwarder:
    """Pipes connections made to a loopback port on to ``target``, until :meth:`stop`.

    The port stays the same across :meth:`stop` and :meth:`start`, so a URL naming it keeps
    working once the forwarder is started again.
    """

    def __init__(self, target: tuple[str, int]) -> None:
        self._target = target
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._acceptor: threading.Thread | None = None
        self._sockets: list[socket.socket] = []
        self._pumps: list[threading.Thread] = []
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            #: The loopback port it listens on.
            self.port: int = probe.getsockname()[1]

    def start(self) -> None:
        """Accept connections again (the server is back)."""
        assert self._listener is None, "already running"
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # The port's old connections may linger in TIME_WAIT after a stop.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self._listener = listener
        self._acceptor = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._acceptor.start()

    def stop(self) -> None:
        """Refuse new connections and close every open one (the server is gone)."""
        listener, acceptor = self._listener, self._acceptor
        assert listener is not None and acceptor is not None, "not running"
        self._listener = self._acceptor = None
        # Shutting a listening socket down wakes the accept() blocked on it (Linux).
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)
        acceptor.join(timeout=5)
        listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, []
            pumps, self._pumps = self._pumps, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes the pumps' recv()
        for pump in pumps:
            pump.join(timeout=5)
        for sock in sockets:
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # stopped
            try:
                upstream = socket.create_connection(self._target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            pumps = [
                threading.Thread(target=_pump, args=(client, upstream), daemon=True),
                threading.Thread(target=_pump, args=(upstream, client), daemon=True),
            ]
            with self._lock:
                self._sockets += [client, upstream]
                self._pumps += pumps
            for pump in pumps:
                pump.start()


def _pump(source: socket.socket, target: socket.socket) -> None:
    """Copy ``source`` to ``target`` until either closes; then pass the end on."""
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            target.sendall(data)
    with contextlib.suppress(OSError):
        target.shutdown(socket.SHUT_WR)
