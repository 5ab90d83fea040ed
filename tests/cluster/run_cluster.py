"""`make test-cluster`: two app hosts behind Debian's nginx, on the shared PostgreSQL and Redis,
under locust's mixed traffic; one host is killed (-9, every process of it) mid-run and restarted
a minute later.  Fails unless the money, the search replicas and the 5xx all come out right.

    .venv/bin/python tests/cluster/run_cluster.py        # 3 minutes of load, ~6 minutes in all

Environment: FANWEN_CLUSTER_SECONDS (load, default 180; the kill comes at a third, the restart
at two thirds), FANWEN_CLUSTER_USERS (default 24), FANWEN_CLUSTER_DOCS (generated documents,
default 300), FANWEN_CLUSTER_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/fanwen_cluster,
dropped and created), FANWEN_CLUSTER_REDIS_URL (default redis://127.0.0.1:6379/14, flushed).

Every host is started from deploy/fanwen-web.service and deploy/fanwen-worker.service with
deploy/fanwen.env.example (topology.py); the load balancer is deploy/nginx/fanwen.conf.template
rendered by envsubst.  Results: var/cluster/results.json (and the run's logs beside it)."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import checks
import topology

ROOT = topology.ROOT
RUN = ROOT / "var" / "cluster"
FANWEN = topology.VENV_BIN / "fanwen"
PYTHON = topology.VENV_BIN / "python"
LOCUST = ROOT / ".venv-locust" / "bin" / "locust"
HOSTS = ("127.0.0.2", "127.0.0.3")
PASSWORD = "cluster-" + secrets.token_hex(8)
GROUPS: dict[str, subprocess.Popen[bytes]] = {}  # name → process-group leader (own session)


def say(text: str) -> None:
    print(f"[cluster {time.strftime('%H:%M:%S')}] {text}", flush=True)


def free_port(address: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((address, 0))
        return int(probe.getsockname()[1])


def run(argv: list[str], env: dict[str, str], log: Path, timeout: float = 600) -> str:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    with open(log, "a", encoding="utf-8") as out:
        out.write(f"$ {' '.join(argv)}\n{done.stdout}{done.stderr}\n")
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:3])}… failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return done.stdout


def start_group(name: str, argv: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """A new session and process group, so that the whole of it can be killed at once."""
    log = open(RUN / f"{name}.log", "ab")
    process = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    GROUPS[name] = process
    return process


def group_members(pgid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "-g", str(pgid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def stop_all() -> None:
    for process in list(GROUPS.values()):
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    deadline = time.time() + 10
    for name, process in list(GROUPS.items()):
        try:
            process.wait(timeout=max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        GROUPS.pop(name, None)


def host_get(address: str, port: int, path: str, timeout: float = 5) -> tuple[int, bytes]:
    """Straight to one app host, as nginx would ask it (TLS already terminated)."""
    request = urllib.request.Request(f"http://{address}:{port}{path}",
                                     headers={"Host": "127.0.0.1", "X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_ready(address: str, port: int, limit: float) -> float:
    start = time.time()
    while time.time() - start < limit:
        try:
            if host_get(address, port, "/readyz")[0] == 200:  # database, cache, index lag, outbox
                return time.time() - start
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.3)
    raise TimeoutError(f"host {address}:{port} not ready after {limit:.0f} s (see {RUN}/host-*.log)")


def search_ids(address: str, port: int, query: str) -> list[int] | None:
    try:
        # A generous timeout: on a loaded machine a search can take seconds, and a poll that gave
        # up would only delay the verdict (the time measured includes the answer's own latency).
        status, body = host_get(address, port, "/api/v1/search?" + urllib.parse.urlencode({"q": query}), timeout=20)
    except (OSError, urllib.error.URLError):
        return None
    if status != 200:
        return None
    return sorted(hit["id"] for hit in json.loads(body)["results"])


def indexes_agree(port: int, expect: dict[str, list[int]]) -> bool:
    return all(search_ids(h, port, q) == ids for q, ids in expect.items() for h in HOSTS)


def wait_until(predicate: Any, limit: float, step: float = 0.5) -> float | None:
    start = time.time()
    while time.time() - start < limit:
        if predicate():
            return time.time() - start
        time.sleep(step)
    return None


def marker_document(path: Path, token: str, note: str) -> None:
    path.write_text(
        f"集群校验文档{token}\n一、说明\n{note}检索词{token}出现在标题和免费部分，用来比较两台主机的索引。"
        "本文档由集群测试生成，内容用于检验搜索副本是否一致。\n##paidbegin##\n"
        "二、付费部分\n付费部分只给已购读者阅读，集群测试只检查索引和账目。\n", encoding="utf-8")


def imported_id(output: str) -> int:
    for line in output.splitlines():
        if line.startswith("{"):
            row = json.loads(line)
            if row.get("id"):
                return int(row["id"])
    raise RuntimeError(f"import printed no document id:\n{output}")


def main() -> int:
    seconds = int(os.environ.get("FANWEN_CLUSTER_SECONDS", "180"))
    users = int(os.environ.get("FANWEN_CLUSTER_USERS", "24"))
    docs = int(os.environ.get("FANWEN_CLUSTER_DOCS", "300"))
    dsn = os.environ.get("FANWEN_CLUSTER_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fanwen_cluster")
    redis_url = os.environ.get("FANWEN_CLUSTER_REDIS_URL", "redis://127.0.0.1:6379/14")
    kill_after, down_for = seconds / 3, seconds / 3
    shutil.rmtree(RUN, ignore_errors=True)
    (RUN / "nginx" / "logs").mkdir(parents=True)
    setup_log = RUN / "setup.log"

    # --- shared services: a fresh database, an empty Redis db
    import psycopg
    import redis

    name = urllib.parse.urlsplit(dsn).path.lstrip("/")
    admin = urllib.parse.urlsplit(dsn)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')
        conn.execute(f'create database "{name}"')
    redis.Redis.from_url(redis_url).flushdb()

    # --- the hosts' environment, from deploy/
    web_unit = topology.read_unit(topology.DEPLOY / "fanwen-web.service")
    worker_unit = topology.read_unit(topology.DEPLOY / "fanwen-worker.service")
    env_file = topology.read_env_file(topology.DEPLOY / "fanwen.env.example")
    app_port = free_port()
    http_port, https_port = free_port(), free_port()
    public = f"https://127.0.0.1:{https_port}"
    secret = secrets.token_urlsafe(50)

    def host_env(unit: topology.Unit, index: int) -> dict[str, str]:
        return topology.unit_environment(unit, env_file, {
            "FANWEN_BIND_HOST": HOSTS[index], "FANWEN_BIND_PORT": str(app_port),
            "DATABASE_URL": dsn, "REDIS_URL": redis_url,
            "FANWEN_DATA_DIR": str(RUN / f"host{index + 1}"),
            "FANWEN_SITE_URL": public, "FANWEN_CSRF_TRUSTED_ORIGINS": public,
            "FANWEN_ALLOWED_HOSTS": "127.0.0.1,127.0.0.2,127.0.0.3",
            "FANWEN_TRUSTED_PROXIES": "127.0.0.0/8", "SECRET_KEY": secret,
        })

    def start_host(index: int) -> subprocess.Popen[bytes]:
        """One app host = its web unit and its worker unit, in one process group."""
        web_env, worker_env = host_env(web_unit, index), host_env(worker_unit, index)
        web, worker = topology.command(web_unit, web_env), topology.command(worker_unit, worker_env)
        assert web_env == worker_env, "both units of a host read the same environment"
        script = f"{' '.join(map(_quote, worker))} & exec {' '.join(map(_quote, web))}"
        return start_group(f"host-{index + 1}", ["bash", "-c", script], env=web_env)

    cli_env = host_env(web_unit, 0)  # deploy steps run on host 1, as docs/deploy.md does them

    # --- data: migrate (a deploy step of its own), examples, generated documents, buyers
    say(f"database {name}, redis {redis_url}; migrate and load data")
    run([str(FANWEN), "migrate", "--no-input"], cli_env, setup_log)
    run([str(FANWEN), "loadexamples"], cli_env, setup_log)
    corpus = RUN / "corpus"
    run([str(PYTHON), "bench/gen_corpus.py", "--docs", str(docs), "--out", str(corpus), "--seed", "13",
         "--jobs", "2", "--force"], cli_env, setup_log)
    run([str(FANWEN), "import", str(corpus), "--price", "3", "--no-duplicate-check"],
        cli_env, setup_log, timeout=900)
    token_new, token_gone = f"zqxa{secrets.token_hex(3)}", f"zqxb{secrets.token_hex(3)}"
    marker_document(RUN / "gone.txt", token_gone, "这篇文档将在一台主机停机期间下架。")
    gone_id = imported_id(run([str(FANWEN), "import", str(RUN / "gone.txt"), "--price", "2", "--json"], cli_env, setup_log))
    run([str(FANWEN), "useradd", "buyer001", "--password", PASSWORD], cli_env, setup_log)
    run([str(FANWEN), "credit", "buyer001", "2000", "--reason", "集群测试预充值"], cli_env, setup_log)
    seed_path = RUN / "seed.json"
    run([str(PYTHON), "tests/cluster/seed.py", "--users", str(users), "--first", "2", "--password", PASSWORD,
         "--out", str(seed_path)], cli_env, setup_log)

    # --- the load balancer: a self-signed certificate, the site rendered from deploy/
    cert, key = RUN / "nginx" / "cert.pem", RUN / "nginx" / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    site = RUN / "nginx" / "fanwen.conf"
    site.write_text(topology.render_nginx_site({
        "FANWEN_SERVER_NAME": "127.0.0.1", "FANWEN_APP_1": f"{HOSTS[0]}:{app_port}",
        "FANWEN_APP_2": f"{HOSTS[1]}:{app_port}", "FANWEN_LISTEN_HTTP": f"127.0.0.1:{http_port}",
        "FANWEN_LISTEN_HTTPS": f"127.0.0.1:{https_port}", "FANWEN_TLS_CERT": str(cert), "FANWEN_TLS_KEY": str(key),
        "FANWEN_LOG_DIR": str(RUN / "nginx" / "logs"),
    }), encoding="utf-8")
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (RUN / "nginx" / "tmp" / sub).mkdir(parents=True)
        os.chmod(RUN / "nginx" / "tmp" / sub, 0o777)  # noqa: S103 (nginx's workers run as nobody)
    conf = RUN / "nginx" / "nginx.conf"
    conf.write_text(topology.nginx_main_conf(RUN / "nginx", site), encoding="utf-8")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    nginx_argv = [nginx, "-p", str(RUN / "nginx"), "-c", str(conf), "-g", "daemon off;"]
    run([*nginx_argv[:-2], "-t"], dict(os.environ), setup_log)

    # --- the hosts and nginx
    say(f"starting hosts {HOSTS[0]}:{app_port} and {HOSTS[1]}:{app_port}, nginx on {public}")
    for index in (0, 1):
        start_host(index)
    for address in HOSTS:
        wait_ready(address, app_port, 120)
    start_group("nginx", nginx_argv)
    context = ssl.create_default_context(cafile=str(cert))
    until = wait_until(lambda: _lb_ok(public, context), 20)
    if until is None:
        raise RuntimeError("nginx does not answer")
    metrics_public = _lb_status(public + "/metrics", context)
    before = {token_gone: [gone_id]}
    if wait_until(lambda: indexes_agree(app_port, before), 180) is None:
        raise RuntimeError(f"the hosts' indexes never agreed before the run: {[search_ids(h, app_port, token_gone) for h in HOSTS]}")

    # --- load, the fault, the restart
    events = RUN / "locust-failures.jsonl"
    locust_env = {**os.environ, "FANWEN_CLUSTER_SEED": str(seed_path), "FANWEN_CLUSTER_EVENTS": str(events),
                  # requests lets these override a session's own `verify`: point them at our certificate too
                  "FANWEN_CLUSTER_CA": str(cert), "REQUESTS_CA_BUNDLE": str(cert), "CURL_CA_BUNDLE": str(cert)}
    say(f"locust: {users} users, {seconds} s; kill {HOSTS[1]} at {kill_after:.0f} s, restart at {kill_after + down_for:.0f} s")
    started, load_before = time.time(), os.getloadavg()
    start_group("locust", [str(LOCUST), "-f", "tests/cluster/locustfile.py", "--headless", "-u", str(users),
                           "-r", str(max(1, users // 8)), "-t", f"{seconds}s", "--host", public,
                           "--csv", str(RUN / "locust"), "--exit-code-on-error", "0", "--stop-timeout", "10",
                           "--loglevel", "WARNING", "--only-summary"], env=locust_env)
    time.sleep(max(0.0, started + kill_after - time.time()))
    victim = GROUPS["host-2"]
    members = group_members(victim.pid)
    kill_time = time.time()
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait()
    left = wait_until(lambda: not group_members(victim.pid), 5, 0.1)
    say(f"killed host 2: {len(members)} processes (kill -9 to the group); {'all gone' if left is not None else 'SOME LEFT'}")
    # While it is down: a new document appears, and one it has indexed is taken down.
    marker_document(RUN / "new.txt", token_new, "这篇文档在一台主机停机期间导入。")
    new_id = imported_id(run([str(FANWEN), "import", str(RUN / "new.txt"), "--price", "2", "--json"], cli_env, setup_log))
    run([str(FANWEN), "unpublish", str(gone_id)], cli_env, setup_log)
    time.sleep(max(0.0, kill_time + down_for - time.time()))
    restart_time = time.time()
    start_host(1)
    to_ready = wait_ready(HOSTS[1], app_port, 180)
    after = {token_new: [new_id], token_gone: []}
    catch_up = wait_until(lambda: indexes_agree(app_port, after), 60, 0.25)
    say(f"host 2 restarted: ready in {to_ready:.1f} s, index caught up {catch_up if catch_up is None else round(catch_up, 2)} s after")
    GROUPS["locust"].wait(timeout=seconds + 120)
    GROUPS.pop("locust")
    final_searches = {q: {h: search_ids(h, app_port, q) for h in HOSTS} for q in after}
    scraped = {h: host_get(h, app_port, "/metrics", timeout=20) for h in HOSTS}  # each host directly, from loopback
    stop_all()

    # --- the verdict
    problems: list[str] = []
    ledger = subprocess.run([str(FANWEN), "ledger", "check"], env=cli_env, capture_output=True, text=True, cwd=ROOT)
    if ledger.returncode != 0:
        problems.append(f"fanwen ledger check failed: {ledger.stdout}{ledger.stderr}")
    money_problems, money = checks.money(dsn)
    killed = f"{HOSTS[1]}:{app_port}"
    access = RUN / "nginx" / "logs" / "fanwen-access.log"
    log_problems, log_figures = checks.access_log(access, killed, kill_time)
    failure_problems, failures = checks.locust_failures(events, access, killed, kill_time)
    stats = checks.locust_stats(RUN / "locust")
    problems += money_problems + log_problems + failure_problems
    for host, (status, body) in scraped.items():
        text = body.decode(errors="replace")
        wanted = ("django_http_requests_latency_seconds_by_view_method", "fanwen_search_index_lag_rows",
                  "fanwen_payments", "fanwen_job_runs", "fanwen_download_renders_total")
        missing = [name for name in wanted if name not in text]
        if status != 200 or missing:
            problems.append(f"/metrics on {host}: {status}, missing {missing}")
        paid = sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                   if line.startswith('fanwen_payments{') and 'status="confirmed"' in line)
        if status == 200 and paid < money.get("paid_document_orders", 1):
            problems.append(f"/metrics on {host}: {paid} confirmed payments, fewer than the paid orders")
    if metrics_public != 404:
        problems.append(f"/metrics through nginx answered {metrics_public}, not 404")
    if left is None:
        problems.append("the killed host's process group outlived kill -9")
    if catch_up is None or catch_up > 30:
        problems.append(f"the restarted host's index did not catch up within 30 s ({catch_up})")
    results = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "command": "make test-cluster",
        "users": users, "seconds": seconds, "documents_generated": docs, "cpus": os.cpu_count(),
        "load_average_before_after": [round(load_before[0], 1), round(os.getloadavg()[0], 1)],
        "hosts": [f"{h}:{app_port}" for h in HOSTS], "load_balancer": public,
        "killed": {"host": killed, "at_s": round(kill_time - started, 1), "processes": len(members),
                   "restarted_at_s": round(restart_time - started, 1), "ready_after_s": round(to_ready, 2),
                   "index_caught_up_after_s": None if catch_up is None else round(catch_up, 2)},
        "searches_after": final_searches,
        "ledger_check": ledger.stdout.strip().splitlines()[-1:] if ledger.stdout else ledger.stderr.strip()[-300:],
        "money": money, "nginx": log_figures, "locust": stats, "locust_failures": failures,
        "problems": problems, "passed": not problems,
    }
    (RUN / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    whole = stats["aggregated"]
    print(f"\n== cluster test: {users} users, {seconds} s, 2 hosts behind nginx, {killed} killed at "
          f"{results['killed']['at_s']} s and restarted at {results['killed']['restarted_at_s']} s")
    print(f"   requests {whole['requests']} ({whole['rps']}/s), failures {whole['failures']}; "
          f"p50 {whole['p50_ms']:.0f} ms, p95 {whole['p95_ms']:.0f} ms, p99 {whole['p99_ms']:.0f} ms")
    print(f"   nginx: {log_figures['by_status']}, retried on the other host {log_figures['retried_on_other_host']}, "
          f"5xx {len(log_figures['five_xx'])}")
    print(f"   paid document orders {money['paid_document_orders']}, orders {money['orders_by_status']}")
    print(f"   restarted host: ready {to_ready:.1f} s, index caught up {results['killed']['index_caught_up_after_s']} s later")
    print(f"   results: {RUN / 'results.json'}")
    for problem in problems:
        print(f"   FAIL: {problem}")
    print("== PASSED" if not problems else f"== FAILED ({len(problems)} problems)")
    return 0 if not problems else 1


def _quote(word: str) -> str:
    import shlex

    return shlex.quote(word)


def _lb_status(url: str, context: ssl.SSLContext) -> int:
    try:
        with urllib.request.urlopen(url, context=context, timeout=10) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def _lb_ok(public: str, context: ssl.SSLContext) -> bool:
    try:
        with urllib.request.urlopen(public + "/", context=context, timeout=5) as response:  # noqa: S310
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        sys.exit(main())
    finally:
        stop_all()
