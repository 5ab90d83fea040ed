"""The cluster test's pieces that read deploy/: the systemd units, the environment file and the
nginx site template.  systemd cannot run here (no init in the sandbox or on CI), so each unit's
ExecStart= is run the way systemd would: with EnvironmentFile= and Environment= applied and
${VAR} expanded from that environment; only the binary's directory is mapped from the unit's
/srv/fanwen/venv/bin to this checkout's .venv/bin."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
VENV_BIN = ROOT / ".venv" / "bin"
NGINX_VARS = ("FANWEN_SERVER_NAME", "FANWEN_APP_1", "FANWEN_APP_2", "FANWEN_LISTEN_HTTP", "FANWEN_LISTEN_HTTPS",
              "FANWEN_TLS_CERT", "FANWEN_TLS_KEY", "FANWEN_LOG_DIR")
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass
class Unit:
    path: Path
    exec_start: str = ""
    environment: dict[str, str] = field(default_factory=dict)
    environment_files: list[str] = field(default_factory=list)


def read_unit(path: Path) -> Unit:
    """The [Service] keys the test uses, as systemd reads them (later lines win)."""
    unit = Unit(path)
    section = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        if section != "Service" or "=" not in line:
            continue
        key, value = (part.strip() for part in line.split("=", 1))
        if key == "ExecStart":
            unit.exec_start = value
        elif key == "Environment":
            for item in shlex.split(value):
                name, _, val = item.partition("=")
                unit.environment[name] = val
        elif key == "EnvironmentFile":
            unit.environment_files.append(value)
    if not unit.exec_start:
        raise ValueError(f"{path}: no ExecStart=")
    return unit


def read_env_file(path: Path) -> dict[str, str]:
    """systemd's EnvironmentFile= syntax: KEY=value lines, # comments, optional quotes."""
    env: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")) or "=" not in line:
            continue
        key, value = line.split("=", 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        env[key.strip()] = value
    return env


def command(unit: Unit, env: dict[str, str]) -> list[str]:
    """ExecStart= as argv: ${VAR}/$VAR expanded from the unit's environment (an unset variable
    is an error here, where systemd would silently pass an empty string)."""

    def expand(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name not in env:
            raise KeyError(f"{unit.path.name}: ExecStart uses ${name}, which the environment does not set")
        return env[name]

    argv = [_VAR.sub(expand, word) for word in shlex.split(unit.exec_start.lstrip("-@:+!"))]
    local = VENV_BIN / Path(argv[0]).name
    if not local.exists():
        raise FileNotFoundError(f"{unit.path.name}: {argv[0]} has no counterpart {local}")
    return [str(local), *argv[1:]]


def unit_environment(unit: Unit, env_file: dict[str, str], overrides: dict[str, str]) -> dict[str, str]:
    """A clean environment as systemd gives one (not the caller's), plus the unit's own."""
    base = {"PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": os.environ.get("HOME", "/tmp")}
    missing = sorted(set(overrides) - set(env_file) - set(unit.environment))
    if missing:
        raise KeyError(f"deploy/fanwen.env.example lacks {missing}: the example must name every setting a host needs")
    return {**base, **env_file, **unit.environment, **overrides}


def render_nginx_site(values: dict[str, str]) -> str:
    """deploy/nginx/fanwen.conf.template through envsubst with the listed names only, exactly
    as docs/deploy.md does it."""
    if not shutil.which("envsubst"):
        raise FileNotFoundError("envsubst (Debian package gettext-base) is needed")
    template = (DEPLOY / "nginx" / "fanwen.conf.template").read_text(encoding="utf-8")
    names = " ".join(f"${{{name}}}" for name in NGINX_VARS)
    rendered = subprocess.run(
        ["envsubst", names], input=template, capture_output=True, text=True, check=True,
        env={**{"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, **values},
    ).stdout
    left = [name for name in NGINX_VARS if f"${{{name}}}" in rendered or f"${name}" in rendered]
    if left:
        raise ValueError(f"nginx template: {left} not substituted")
    return rendered


def nginx_main_conf(prefix: Path, site: Path) -> str:
    """The test's own nginx.conf (Debian's /etc/nginx/nginx.conf plays this part in production):
    a foreground master under its own prefix, including the rendered site."""
    temp = prefix / "tmp"
    user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""
    return f"""{user}worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {site};
}}
"""
