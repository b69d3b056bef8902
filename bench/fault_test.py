"""Load and fault test: statements posted through a proxy while workers, the database and SMTP fail.

On PostGIS, N statements (default 10,000) are posted by C concurrent clients (default 200)
through a reverse proxy (bench/proxy.py, nginx's behaviour: it appends the client's address to
X-Forwarded-For; TRUSTED_PROXIES=127.0.0.1) to gunicorn with 2 web workers. Every statement comes
from its own loopback address (127.1.x.y), so the per-address rate limit (on, counted in Redis)
sees distinct citizens. Meanwhile, triggered by progress:

- a web worker is killed (SIGKILL) at 20 % of the statements,
- the task worker is killed (SIGKILL) mid-batch at 35 % and restarted after a few seconds,
- every database connection is terminated once (pg_terminate_backend) at 50 %,
- the SMTP server (aiosmtpd on a free port, recording every message) is down for a minute at 60 %.

A client whose request fails (connection error, 5xx) re-sends the same form (same token, same
text) a few times, as a citizen would. Afterwards, once the task worker has drained the queue,
it checks: every statement answered with success is stored exactly once (matched by the unique
marker in its text), nothing is stored twice, and every stored statement's confirmation mail
reached the SMTP server exactly once. It prints a summary and exits 1 when a check failed.

The task worker is `manage.py run_worker` if that command exists, else `manage.py db_worker`.
A worker that exits by itself is counted as a failure and restarted (as systemd would).

Run: `BENCH=fault_test make bench` or `python -m bench.fault_test`. Not part of the test suite.
Settings (environment): BENCH_QUICK=1 (1,000 statements, 50 clients, SMTP down 10 s),
BENCH_FAULT_STATEMENTS, BENCH_FAULT_CLIENTS, BENCH_FAULT_SMTP_DOWN (seconds),
BENCH_FAULT_WORKER_DOWN (seconds before the task worker restarts), BENCH_FAULT_SMTP_DELAY (seconds
per message, simulates a real mail server), BENCH_FAULT_DRAIN_TIMEOUT and BENCH_FAULT_DRAIN_IDLE
(seconds to wait for the queue; give up after no progress for IDLE), BENCH_FAULT_VISIBILITY_TIMEOUT
(passed as TASKS_VISIBILITY_TIMEOUT), BENCH_DATABASE_URL, BENCH_REDIS_URL (default DB 7).
"""

import asyncio
import collections
import email
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

from .common import (
    DEFAULT_DATABASE_URL,
    OUT,
    ROOT,
    free_port,
    gunicorn_server,
    load_average,
    percentile,
    quick,
    reproduce_command,
    write_result,
)


def _setting(name: str, full: float, short: float) -> float:
    return float(os.environ.get(name, short if quick() else full))


DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
STATEMENTS = int(_setting("BENCH_FAULT_STATEMENTS", 10_000, 1_000))
CLIENTS = int(_setting("BENCH_FAULT_CLIENTS", 200, 50))
SMTP_DOWN = _setting("BENCH_FAULT_SMTP_DOWN", 60, 10)
WORKER_DOWN = _setting("BENCH_FAULT_WORKER_DOWN", 5, 3)
SMTP_DELAY = _setting("BENCH_FAULT_SMTP_DELAY", 0.01, 0.01)
DRAIN_TIMEOUT = _setting("BENCH_FAULT_DRAIN_TIMEOUT", 900, 300)
DRAIN_IDLE = _setting("BENCH_FAULT_DRAIN_IDLE", 120, 60)
VISIBILITY_TIMEOUT = int(_setting("BENCH_FAULT_VISIBILITY_TIMEOUT", 30, 20))
HOLD_SECONDS = 5.0  # how long the armed SMTP server keeps the worker waiting for its 250
ATTEMPTS = 5  # per statement: the first post and up to four re-sends of the same form
REQUEST_TIMEOUT = 90.0
LOGS = OUT / "fault"
TASK_PATH = "participation.tasks.send_confirmation_mail"


# --- SMTP server that records every message --------------------------------------------------


class RecordingHandler:
    """aiosmtpd handler: count every accepted message per recipient.

    When armed, the next message is held before the server answers 250, so that the task worker can
    be killed while it is sending; a message whose sender went away before the 250 is not accepted
    (aiosmtpd cancels the handler) and not counted.
    """

    def __init__(self, delay: float):
        self.delay = delay
        self.recipients: collections.Counter = collections.Counter()
        self.subjects: collections.Counter = collections.Counter()
        self.subject_of: dict[str, str] = {}  # recipient -> subject of their last message (to explain strays)
        self.hold_next = threading.Event()
        self.holding = threading.Event()
        self.held: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        await asyncio.sleep(self.delay)
        if self.hold_next.is_set():
            self.hold_next.clear()
            self.held.extend(envelope.rcpt_tos)
            self.holding.set()
            await asyncio.sleep(HOLD_SECONDS)
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        self.subjects[str(message.get("Subject", ""))] += 1
        for recipient in envelope.rcpt_tos:
            self.recipients[recipient.lower()] += 1
            self.subject_of[recipient.lower()] = str(message.get("Subject", ""))
        return "250 Message accepted for delivery"


class MailServer:
    """An aiosmtpd server on a fixed port that can be stopped and started again (the outage)."""

    def __init__(self, port: int, handler: RecordingHandler):
        self.port, self.handler, self.controller = port, handler, None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


# --- The task worker --------------------------------------------------------------------------


class TaskWorker:
    """The task worker process: started, killed, restarted; exits it did not ask for are recorded."""

    def __init__(self, env: dict, log):
        self.env, self.log = env, log
        self.command = [sys.executable, "manage.py", worker_command(env)]
        self.process: subprocess.Popen | None = None
        self.starts = 0
        self.self_exits: list[dict] = []

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=self.log, stderr=self.log)
        self.starts += 1

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
        self.process = None

    def exited_by_itself(self) -> int | None:
        """Return the exit code if the worker ended without being killed by us (and forget the process)."""
        if self.process is None or self.process.poll() is None:
            return None
        code = self.process.returncode
        self.process = None
        return code

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None


def worker_command(env: dict) -> str:
    """Return `run_worker` when the project has that command, else django-tasks' `db_worker`."""
    listed = subprocess.run(
        [sys.executable, "manage.py", "help", "--commands"], cwd=ROOT, env=env, capture_output=True, text=True
    ).stdout.split()
    return "run_worker" if "run_worker" in listed else "db_worker"


# --- Clients ----------------------------------------------------------------------------------


def client_address(index: int) -> str:
    """Return the loopback address statement `index` is sent from (127.1.0.1 onwards; never 127.0.0.1)."""
    return f"127.{1 + index // (254 * 256)}.{index // 254 % 256}.{index % 254 + 1}"


def marker(index: int) -> str:
    return f"s{index:05d}"


def statement_email(run_id: str, index: int) -> str:
    return f"fault.{run_id}.{index}@example.org"


async def fetch_form(proxy_port: int, plan_url: str) -> tuple[dict, str]:
    """GET the plan page through the proxy; return the statement form's hidden fields and the CSRF cookie."""
    import httpx

    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{proxy_port}", timeout=60) as client:
        response = await client.get(plan_url)
        response.raise_for_status()
        fields = {
            name: re.search(rf'name="{name}" value="([^"]*)"', response.text).group(1)
            for name in ("content_type", "object_pk", "timestamp", "security_hash", "csrfmiddlewaretoken")
        }
        return fields, client.cookies["csrftoken"]


def statement_body(fields: dict, run_id: str, index: int) -> bytes:
    """Return the urlencoded statement form, as tests/participation and bench_comments post it."""
    data = {
        **fields,
        "comment": f"fault {run_id} {marker(index)} Die Zufahrt ist zu eng, bitte prüfen.",
        "topic": "traffic",
        "name": f"Fault Nutzer{index}",
        "email": statement_email(run_id, index),
        "privacy_consent": "on",
        "honeypot": "",
        "reply_to": "0",
        "lat": f"{50.3010 + (index % 37) * 0.0001:.6f}",
        "lon": f"{8.5010 + (index % 53) * 0.0001:.6f}",
        "form_token": str(uuid.UUID(int=uuid.UUID(run_id * 4).int ^ index, version=4)),
    }
    return urllib.parse.urlencode(data).encode()


async def post_once(port: int, source: str, head: bytes, body: bytes) -> int | str:
    """Send one POST from `source` on a new connection; return the status code or the error's name."""
    writer = None
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0)), REQUEST_TIMEOUT
        )
        writer.write(head + body)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), REQUEST_TIMEOUT)
        match = re.match(rb"HTTP/1\.[01] (\d{3})", answer)
        return int(match.group(1)) if match else "no_status"
    except (TimeoutError, OSError) as error:
        return type(error).__name__
    finally:
        if writer is not None:
            writer.close()


def is_success(status) -> bool:
    return isinstance(status, int) and 200 <= status < 400


def should_retry(status) -> bool:
    """Re-send after connection errors and server errors; a 4xx answer is final."""
    return not isinstance(status, int) or status >= 500


class Load:
    """Post `count` statements with `clients` concurrent clients; record every answer per statement."""

    def __init__(self, *, port, post_url, plan_url, fields, csrf, run_id, count, clients):
        self.port, self.run_id, self.count, self.clients = port, run_id, count, clients
        self.fields = fields
        self.header = (
            f"POST {post_url} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nCookie: csrftoken={csrf}\r\n"
            f"Referer: http://127.0.0.1:{port}{plan_url}\r\nConnection: close\r\n"
        )
        self.answers: dict[int, list] = {}
        self.latencies: list[float] = []
        self.done = 0

    async def post_statement(self, index: int) -> None:
        body = statement_body(self.fields, self.run_id, index)
        head = (self.header + f"Content-Length: {len(body)}\r\n\r\n").encode()
        answers = self.answers.setdefault(index, [])
        for attempt in range(ATTEMPTS):
            started = time.perf_counter()
            status = await post_once(self.port, client_address(index), head, body)
            self.latencies.append(time.perf_counter() - started)
            answers.append(status)
            if not should_retry(status):
                break
            await asyncio.sleep(0.5 * 2**attempt)
        self.done += 1

    async def run(self) -> float:
        queue: asyncio.Queue = asyncio.Queue()
        for index in range(self.count):
            queue.put_nowait(index)

        async def client():
            while not queue.empty():
                await self.post_statement(queue.get_nowait())

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(self.clients)))
        return time.perf_counter() - started


# --- Faults -----------------------------------------------------------------------------------


class Faults:
    """Trigger the faults by progress of the load; keep a timeline."""

    def __init__(self, *, load, server, worker, mail, database_name, started):
        self.load, self.server, self.worker, self.mail = load, server, worker, mail
        self.database_name, self.started = database_name, started
        self.timeline: list[str] = []
        self.smtp_back = asyncio.Event()

    def note(self, text: str) -> None:
        line = f"t={time.perf_counter() - self.started:6.1f}s  {self.load.done:>6} done  {text}"
        self.timeline.append(line)
        print("  " + line, flush=True)

    async def at(self, fraction: float) -> None:
        while self.load.done < fraction * self.load.count:
            await asyncio.sleep(0.1)

    async def run(self) -> None:
        await self.at(0.20)
        pids = self.server.worker_pids()
        os.kill(pids[0], signal.SIGKILL)
        self.note(f"web worker {pids[0]} killed (SIGKILL); workers were {pids}")
        await self.at(0.35)
        self.mail.handler.hold_next.set()
        sending = await asyncio.to_thread(self.mail.handler.holding.wait, 60)
        pending = await asyncio.to_thread(pending_tasks)
        self.worker.kill()
        where = f"while sending to {self.mail.handler.held[-1]}" if sending else "(it sent nothing for 60 s)"
        self.note(f"task worker killed (SIGKILL) {where}; {pending} tasks pending")
        await asyncio.sleep(WORKER_DOWN)
        self.worker.start()
        self.note("task worker restarted")
        await self.at(0.50)
        terminated = await asyncio.to_thread(terminate_connections, self.database_name)
        self.note(f"{terminated} database connections terminated (pg_terminate_backend)")
        await self.at(0.60)
        await asyncio.to_thread(self.mail.stop)
        self.note(f"SMTP server down for {SMTP_DOWN:.0f} s")
        await asyncio.sleep(SMTP_DOWN)
        await asyncio.to_thread(self.mail.start)
        self.note("SMTP server up again")
        self.smtp_back.set()

    async def supervise(self) -> None:
        """Restart a task worker that exited by itself (as systemd would) and record it."""
        while True:
            code = self.worker.exited_by_itself()
            if code is not None:
                self.worker.self_exits.append({"t": round(time.perf_counter() - self.started, 1), "code": code})
                self.note(f"task worker EXITED BY ITSELF with code {code}; restarting it")
                await asyncio.sleep(2)
                self.worker.start()
            await asyncio.sleep(0.5)


def terminate_connections(database_name: str) -> int:
    out = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-tAc",
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            f"WHERE datname = '{database_name}' AND pid <> pg_backend_pid()",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return int(out.strip() or 0)


# --- Database reads (this process; Django set up by bench_comments.setup_database) -------------


def _fresh():
    from django.db import connections

    connections.close_all()  # our own connections may have been terminated too


def pending_tasks() -> int | None:
    """Return the confirmation-mail tasks not finished yet (READY or RUNNING; database task backend only)."""
    counts = task_statuses()
    return None if counts is None else counts.get("READY", 0) + counts.get("RUNNING", 0)


def _database_tasks(settings) -> bool:
    """Return whether the default task backend keeps its tasks in the database (django-tasks-db or a subclass)."""
    from django.utils.module_loading import import_string
    from django_tasks_db.backend import DatabaseBackend

    return issubclass(import_string(settings.TASKS["default"]["BACKEND"]), DatabaseBackend)


def task_statuses() -> dict | None:
    from django.conf import settings

    if not _database_tasks(settings):
        return None
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    _fresh()
    rows = DBTaskResult.objects.filter(task_path=TASK_PATH).values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def stored_statements(consultation, run_id: str) -> list[tuple[int, str, str]]:
    """Return (id, comment, e-mail) of this run's stored statements."""
    from participation.models import Statement

    _fresh()
    return list(
        Statement.objects.filter(consultation=consultation, comment__startswith=f"fault {run_id} ").values_list(
            "pk", "comment", "user_email"
        )
    )


def mail_tasks_by_statement() -> dict[int, list[str]] | None:
    """Return the statuses of the confirmation-mail tasks per statement id (database task backend only)."""
    from django.conf import settings

    if not _database_tasks(settings):
        return None
    from django_tasks_db.models import DBTaskResult

    _fresh()
    tasks = collections.defaultdict(list)
    for args_kwargs, status in DBTaskResult.objects.filter(task_path=TASK_PATH).values_list("args_kwargs", "status"):
        args, kwargs = args_kwargs.get("args") or [], args_kwargs.get("kwargs") or {}
        tasks[args[0] if args else kwargs.get("statement_id")].append(status)
    return tasks


def clear_rate_limit(redis_url: str) -> int:
    """Delete the rate-limit counters in the bench's Redis database (loopback addresses repeat across runs)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match="*pb:rate:*", count=1000))
    if keys:
        client.delete(*keys)
    return len(keys)


def discard_foreign_tasks() -> int:
    """Delete waiting tasks other than confirmation mails from the bench database; return how many.

    Other benchmarks load the demo data (authority invitations, receipts, alerts) and run no worker, so their
    mails wait in the queue; the fault test's worker would send them and they would count as mails to unknown
    addresses.
    """
    from django.db import connections
    from django_tasks_db.models import DBTaskResult

    deleted, _ = DBTaskResult.objects.filter(status="READY").exclude(task_path=TASK_PATH).delete()
    connections.close_all()
    return deleted


# --- Drain and checks -------------------------------------------------------------------------


async def drain(consultation, run_id: str, mail: RecordingHandler, faults: Faults) -> dict:
    """Wait until every stored statement has its mail and no task is pending, or until no progress for a while."""
    started = time.perf_counter()
    last_change, last_state = started, None
    while True:
        stored = len(await asyncio.to_thread(stored_statements, consultation, run_id))
        pending = await asyncio.to_thread(pending_tasks)
        mailed = len(mail.recipients)
        state = (mailed, pending, sum(mail.recipients.values()))
        now = time.perf_counter()
        if state != last_state:
            last_state, last_change = state, now
        if mailed >= stored and not pending:
            outcome = "drained"
            break
        if now - last_change > DRAIN_IDLE:
            outcome = f"no progress for {DRAIN_IDLE:.0f} s"
            break
        if now - started > DRAIN_TIMEOUT:
            outcome = f"timeout after {DRAIN_TIMEOUT:.0f} s"
            break
        await asyncio.sleep(2)
    await asyncio.sleep(3)  # a last mail in flight
    faults.note(f"queue: {outcome} ({mailed} of {stored} statements mailed, {pending} tasks pending)")
    return {"outcome": outcome, "seconds": round(time.perf_counter() - started, 1)}


def check(load: Load, rows: list, mail: RecordingHandler, tasks: dict | None) -> tuple[dict, list[str]]:
    """Compare answers, stored rows and mails per statement; return the figures and the failed checks."""
    by_marker = collections.Counter(comment.split()[2] for _, comment, _ in rows)
    stored_emails = {address.lower() for _, _, address in rows}
    # Why a stored statement has no mail: the statuses of its mail task(s), e.g. FAILED (SMTP down, no retry).
    unmailed = collections.Counter(
        "+".join(sorted(tasks.get(pk, []))) or "no task" if tasks is not None else "unknown"
        for pk, _, address in rows
        if not mail.recipients[address.lower()]
    )
    succeeded = [index for index, answers in load.answers.items() if any(map(is_success, answers))]
    lost = [index for index in succeeded if by_marker[marker(index)] == 0]
    duplicated = {key: count for key, count in by_marker.items() if count > 1}
    succeeded_set = set(succeeded)
    failed = [index for index in load.answers if index not in succeeded_set]
    stored_unanswered = [index for index in failed if by_marker[marker(index)]]
    mail_counts = [mail.recipients[address] for address in stored_emails]
    no_mail = sum(1 for count in mail_counts if count == 0)
    mailed_twice = sum(1 for count in mail_counts if count > 1)
    unknown = {address: count for address, count in mail.recipients.items() if address not in stored_emails}
    unknown_mail = sum(unknown.values())
    strays = [f"{address} ({mail.subject_of.get(address, '')!r})" for address in sorted(unknown)[:5]]
    answers = collections.Counter(str(status) for answers in load.answers.values() for status in answers)
    final = collections.Counter(str(answers[-1]) for answers in load.answers.values())
    figures = {
        "statements": load.count,
        "answered_success": len(succeeded),
        "not_answered_success": len(failed),
        "final_answers": dict(final),
        "all_answers": dict(answers),
        "resent": sum(len(answers) - 1 for answers in load.answers.values()),
        "stored_rows": len(rows),
        "stored_distinct": len(by_marker),
        "lost": len(lost),
        "duplicated": sum(count - 1 for count in duplicated.values()),
        "stored_without_success_answer": len(stored_unanswered),
        "mails_received": sum(mail.recipients.values()),
        "statements_without_mail": no_mail,
        "statements_without_mail_by_task_status": dict(unmailed),
        "statements_mailed_twice_or_more": mailed_twice,
        "mails_to_unknown_addresses": unknown_mail,
    }
    checks = [
        ("every success answer is a stored statement", not lost, f"{len(lost)} lost, e.g. {lost[:5]}"),
        (
            "nothing stored twice",
            not duplicated,
            f"{figures['duplicated']} duplicate rows, e.g. {list(duplicated.items())[:5]}",
        ),
        ("every stored statement got its confirmation mail", not no_mail, f"{no_mail} without mail"),
        ("no confirmation mail sent twice", not mailed_twice, f"{mailed_twice} statements mailed more than once"),
        ("no mail to an unknown address", not unknown_mail, f"{unknown_mail} mails, e.g. {', '.join(strays)}"),
        (
            f"every statement answered with success within {ATTEMPTS} attempts",
            not failed,
            f"{len(failed)} not, final answers {dict(final)}",
        ),
    ]
    problems = [f"{name}: {detail}" for name, ok, detail in checks if not ok]
    figures["checks"] = {name: "PASS" if ok else "FAIL" for name, ok, _ in checks}
    return figures, problems


# --- Main -------------------------------------------------------------------------------------


async def run(env: dict, consultation, plan_url: str, post_url: str) -> dict:
    from .bench_comments import DATABASE_URL as database_url

    LOGS.mkdir(parents=True, exist_ok=True)
    run_id = uuid.uuid4().hex[:8]
    smtp = RecordingHandler(SMTP_DELAY)
    mail = MailServer(free_port(), smtp)
    mail.start()
    env = {**env, "EMAIL_URL": f"smtp://127.0.0.1:{mail.port}"}
    proxy_port = free_port()
    with (
        open(LOGS / "worker.log", "wb") as worker_log,
        open(LOGS / "proxy.log", "wb") as proxy_log,
        gunicorn_server(
            env=env, workers=2, extra_args=("-k", "gthread", "--threads", "8"), log=LOGS / "gunicorn.log"
        ) as server,
    ):
        proxy = subprocess.Popen(
            [sys.executable, "-m", "bench.proxy", "--listen", f"127.0.0.1:{proxy_port}", "--upstream", server.url[7:]],
            cwd=ROOT,
            stdout=proxy_log,
            stderr=proxy_log,
        )
        worker = TaskWorker({**os.environ, **env}, worker_log)
        worker.start()
        print(f"task worker: manage.py {worker.command[-1]} · SMTP 127.0.0.1:{mail.port} · proxy :{proxy_port}")
        print(f"posting {STATEMENTS} statements with {CLIENTS} clients (run {run_id}) · load {load_average()}")
        try:
            await asyncio.sleep(1)
            fields, csrf = await fetch_form(proxy_port, plan_url)
            load = Load(
                port=proxy_port,
                post_url=post_url,
                plan_url=plan_url,
                fields=fields,
                csrf=csrf,
                run_id=run_id,
                count=STATEMENTS,
                clients=CLIENTS,
            )
            started = time.perf_counter()
            faults = Faults(
                load=load,
                server=server,
                worker=worker,
                mail=mail,
                database_name=database_url.rsplit("/", 1)[-1],
                started=started,
            )
            fault_task = asyncio.create_task(faults.run())
            supervisor = asyncio.create_task(faults.supervise())
            seconds = await load.run()
            faults.note(f"all statements posted in {seconds:.0f} s · load {load_average()}")
            await fault_task
            summary = await drain(consultation, run_id, smtp, faults)
            supervisor.cancel()
            rows = await asyncio.to_thread(stored_statements, consultation, run_id)
            tasks = await asyncio.to_thread(mail_tasks_by_statement)
            statuses = await asyncio.to_thread(task_statuses)
        finally:
            worker.stop()
            proxy.send_signal(signal.SIGTERM)
            proxy.wait(timeout=20)
            mail.stop()
    figures, problems = check(load, rows, smtp, tasks)
    figures["checks"]["the task worker never exited by itself"] = "FAIL" if worker.self_exits else "PASS"
    if worker.self_exits:
        problems.append(f"the task worker never exited by itself: {len(worker.self_exits)} exits {worker.self_exits}")
    return {
        "run_id": run_id,
        "config": {
            "statements": STATEMENTS,
            "clients": CLIENTS,
            "smtp_down_s": SMTP_DOWN,
            "task_worker_down_s": WORKER_DOWN,
            "smtp_delay_s": SMTP_DELAY,
            "worker_command": worker.command[-1],
            "visibility_timeout_s": VISIBILITY_TIMEOUT,
        },
        "posting_seconds": round(seconds, 1),
        "request_ms": {f"p{q}": round(percentile(load.latencies, q) * 1000) for q in (50, 95, 99)},
        "statements_per_s": round(STATEMENTS / seconds, 1),
        "drain": summary,
        "task_statuses": statuses,
        "worker_starts": worker.starts,
        "timeline": faults.timeline,
        "results": figures,
        "problems": problems,
        "passed": not problems,
    }


def main() -> int:
    from .bench_comments import DATABASE_URL as database_url
    from .bench_comments import setup_database

    plan, consultation = setup_database()
    removed = clear_rate_limit(REDIS_URL)
    discarded = discard_foreign_tasks()
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "TRUSTED_PROXIES": "127.0.0.1",
        "PARTICIPATION_RATE_LIMIT_ENABLED": "true",
        "TASKS_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": "http://127.0.0.1",
        "LOG_LEVEL": "ERROR",
    }
    print(f"fault test: {removed} old rate-limit counters removed from {REDIS_URL}")
    print(f"fault test: {discarded} waiting tasks of other kinds discarded (e.g. the demo's invitation mails)")
    result = asyncio.run(
        run(env, consultation, plan.get_absolute_url(), f"/beteiligung/{consultation.pk}/stellungnahme/")
    )
    write_result("fault_test", result)
    print_summary(result)
    return 0 if result["passed"] else 1


def print_summary(result: dict) -> None:
    figures = result["results"]
    print("\n=== load and fault test: summary ===")
    print(
        f"{figures['statements']} statements, {result['config']['clients']} clients, posted in "
        f"{result['posting_seconds']} s ({result['statements_per_s']}/s), request p50/p95/p99 "
        f"{'/'.join(str(v) for v in result['request_ms'].values())} ms; answers {json.dumps(figures['all_answers'])}"
    )
    print(
        f"answered with success: {figures['answered_success']} · stored: {figures['stored_rows']} "
        f"({figures['stored_distinct']} distinct) · lost: {figures['lost']} · duplicated: {figures['duplicated']} "
        f"· stored without a success answer: {figures['stored_without_success_answer']}"
    )
    print(
        f"mails: {figures['mails_received']} received · stored statements without mail: "
        f"{figures['statements_without_mail']} (their tasks: {figures['statements_without_mail_by_task_status']})"
        f" · mailed twice or more: {figures['statements_mailed_twice_or_more']}"
        f" · to unknown addresses: {figures['mails_to_unknown_addresses']}"
    )
    print(f"queue: {result['drain']['outcome']} · task statuses: {result['task_statuses']}")
    for line in result["timeline"]:
        print("  " + line)
    for name, verdict in figures["checks"].items():
        print(f"{verdict}  {name}")
    if result["passed"]:
        print("PASSED: every success stored once, nothing duplicated, every confirmation mail sent exactly once")
    else:
        print("FAILED:")
        for problem in result["problems"]:
            print("  - " + problem)
    print(
        f"logs: {LOGS.relative_to(ROOT)}/ (gunicorn, worker, proxy) · "
        f"reproduce with `{reproduce_command('fault_test')}`"
    )


if __name__ == "__main__":
    sys.exit(main())
