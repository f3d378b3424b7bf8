"""PostgreSQL and RabbitMQ servers of a test's own, for the faults that stop, restart or
cut off a server. Each lives in its own directory with its own ports (and, for
RabbitMQ, its own node name and Erlang cookie) and is removed afterwards, so no test
ever stops, restarts or cuts off the machine's shared servers. This module is the
only place in the tests that runs a server's control tools (tests/unit/test_isolation.py
holds the rest of the tree to that)."""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from bench.stack import free_port

# initdb and postgres refuse to run as root: as root, the cluster belongs to this user.
POSTGRES_OS_USER = "postgres"
WAIT_SECONDS = 120  # for a server to start or stop, on a slow and busy machine


def _postgres_bin() -> Path:
    """Debian keeps each major version's server programs in its own directory."""
    configured = os.environ.get("LIAISON_TEST_POSTGRES_BIN")
    if configured:
        return Path(configured)
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    assert found, "PostgreSQL's server programs (initdb, pg_ctl) are needed"
    return found[-1].parent


def _rabbitmq_bin() -> Path:
    """The scripts themselves, not Debian's wrappers in /usr/sbin (which switch to the
    rabbitmq user, and so to the shared node's cookie)."""
    configured = os.environ.get("LIAISON_TEST_RABBITMQ_BIN")
    if configured:
        return Path(configured)
    server = shutil.which("rabbitmq-server", path=f"{os.environ.get('PATH', '')}:/usr/sbin")
    assert server, "RabbitMQ's server scripts (rabbitmq-server, rabbitmqctl) are needed"
    return Path(server).resolve().parent


def _run(args: list[str], env: dict[str, str] | None = None, log: Path | None = None) -> None:
    """Runs a control command; on failure, says why with the server's log (whose
    directory is gone by the time anyone reads the report)."""
    # Past the tools' own timeouts, so that they report first.
    done = subprocess.run(
        args, env=env, capture_output=True, text=True, timeout=WAIT_SECONDS + 30, check=False
    )
    if done.returncode != 0:
        logged = log.read_text(errors="replace")[-4000:] if log and log.exists() else ""
        raise AssertionError(f"{' '.join(args)} failed: {done.stdout}{done.stderr}{logged}")


@dataclass
class PrivatePostgres:
    """A throwaway cluster: trust authentication, superuser ``postgres``, listening on
    127.0.0.1 at its own port, its socket in its own directory."""

    root: Path
    port: int
    as_owner: list[str]  # the prefix that runs a program as the cluster's owner

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def admin(self) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"

    def database(self, name: str = "liaison") -> str:
        """Creates a database; its URL."""
        with psycopg.connect(self.admin, autocommit=True, connect_timeout=5) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def terminate_connections(self, database: str) -> None:
        """What a failover or an administrator's kill looks like to clients."""
        with psycopg.connect(self.admin, autocommit=True, connect_timeout=5) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (database,),
            )

    def start(self) -> None:
        """Starts the server and returns once it accepts connections."""
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root}"
        log = self.root / "server.log"
        _run(_pg_ctl(self, "start", "-l", str(log), "-o", options), log=log)

    def stop(self, mode: str = "fast") -> None:
        _run(_pg_ctl(self, "stop", "-m", mode))


def _pg_ctl(server: PrivatePostgres, *args: str) -> list[str]:
    """pg_ctl, always on this cluster's own directory."""
    pg_ctl = str(_postgres_bin() / "pg_ctl")
    waiting = ["-w", "-t", str(WAIT_SECONDS)]
    return [*server.as_owner, pg_ctl, "-D", str(server.data), *waiting, *args]


@contextmanager
def throwaway_postgres() -> Iterator[PrivatePostgres]:
    root = Path(tempfile.mkdtemp(prefix="liaison-postgres-"))
    as_owner: list[str] = []
    if os.geteuid() == 0:
        owner = pwd.getpwnam(POSTGRES_OS_USER)
        os.chown(root, owner.pw_uid, owner.pw_gid)
        as_owner = ["runuser", "-u", POSTGRES_OS_USER, "--"]
    server = PrivatePostgres(root, free_port(), as_owner)
    try:
        initdb = str(_postgres_bin() / "initdb")
        options = ["-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]
        _run([*as_owner, initdb, "-D", str(server.data), *options])
        server.start()
        yield server
    finally:
        if (server.data / "postmaster.pid").exists():
            subprocess.run(
                _pg_ctl(server, "stop", "-m", "immediate"),
                capture_output=True,
                timeout=WAIT_SECONDS + 30,
                check=False,
            )
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class PrivateRabbitMQ:
    """A RabbitMQ node of its own: its own node name, AMQP and distribution ports,
    data, logs and configuration (no plugins; guest from loopback only, the default),
    and its own Erlang cookie, so its control tool cannot even reach another node."""

    node: str
    port: int
    env: dict[str, str]

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/%2F"

    def stop_app(self) -> None:
        self._ctl("stop_app")

    def start_app(self) -> None:
        """Starts the broker again and returns once it is up."""
        self._ctl("start_app")
        self._ctl("await_startup", "--timeout", str(WAIT_SECONDS))

    def close_all_connections(self) -> None:
        """What a broker restart looks like to clients (every connection dropped)."""
        self._ctl("close_all_connections", "liaison test: simulated broker failure")

    def _ctl(self, *args: str) -> None:
        _run(_rabbitmqctl(self.node, *args), self.env)


def _rabbitmqctl(node: str, *args: str) -> list[str]:
    """rabbitmqctl, always naming this node (run with its own $HOME and cookie)."""
    return [str(_rabbitmq_bin() / "rabbitmqctl"), "-n", node, *args]


@contextmanager
def throwaway_rabbitmq() -> Iterator[PrivateRabbitMQ]:
    root = Path(tempfile.mkdtemp(prefix="liaison-rabbitmq-"))
    node = f"liaison-test-{secrets.token_hex(6)}@localhost"
    port = free_port()
    (root / "rabbitmq.conf").write_text("log.console = false\n")
    (root / "enabled_plugins").write_text("[].\n")
    (root / "rabbitmq-env.conf").write_text("")  # instead of the shared node's /etc one
    cookie = root / ".erlang.cookie"  # the server and rabbitmqctl find it in $HOME
    cookie.write_text(secrets.token_hex(20).upper())
    cookie.chmod(0o400)
    env = dict(os.environ) | {
        "HOME": str(root),
        "RABBITMQ_NODENAME": node,
        "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
        "RABBITMQ_NODE_PORT": str(port),
        "RABBITMQ_DIST_PORT": str(free_port()),
        "RABBITMQ_MNESIA_BASE": str(root / "mnesia"),
        "RABBITMQ_LOG_BASE": str(root / "log"),
        "RABBITMQ_PID_FILE": str(root / "rabbitmq.pid"),
        "RABBITMQ_CONFIG_FILE": str(root / "rabbitmq.conf"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(root / "enabled_plugins"),
        "RABBITMQ_CONF_ENV_FILE": str(root / "rabbitmq-env.conf"),
        "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
        "ERL_EPMD_ADDRESS": "127.0.0.1",
    }
    with (root / "server.log").open("ab") as log:
        # Its own session: at the end its process group is this node's processes only.
        process = subprocess.Popen(
            [str(_rabbitmq_bin() / "rabbitmq-server")],
            env=env,
            cwd=root,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        # Returns once the node is up; fails as soon as its process dies.
        waiting = ["wait", "--pid", str(process.pid), "--timeout", str(WAIT_SECONDS)]
        _run(_rabbitmqctl(node, *waiting), env, log=root / "log" / f"{node}.log")
        yield PrivateRabbitMQ(node, port, env)
    finally:
        subprocess.run(
            _rabbitmqctl(node, "stop"),
            env=env,
            capture_output=True,
            timeout=WAIT_SECONDS + 30,
            check=False,
        )
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=30)
        with suppress(ProcessLookupError):  # what is left of this node, and only of it
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)
