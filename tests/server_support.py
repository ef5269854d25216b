"""Shared by the serving tests: Debian's nginx started unprivileged over a folder with a
configuration ``showcase server-config`` wrote, certificates made with openssl, and an HTTP
client that shows every header (redirects not followed, gzip not undone)."""

from __future__ import annotations

import contextlib
import getpass
import http.client
import os
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_site_support import free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MIME_TYPES = Path("/etc/nginx/mime.types")


def require_nginx() -> None:
    if not Path(NGINX).exists() or not MIME_TYPES.exists():
        pytest.skip("Debian nginx (nginx-light) is not installed: run scripts/setup.sh",
                    allow_module_level=True)


@dataclass(frozen=True)
class Certificates:
    ca: Path          # the CA that signed the server's (and the client's) certificate
    cert: Path
    key: Path
    client_cert: Path
    client_key: Path


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_certificates(folder: Path) -> Certificates:
    """A throwaway CA, a server certificate for localhost/127.0.0.1 and a client certificate,
    all signed by it (so a client that trusts the CA verifies the server for real)."""
    folder.mkdir(parents=True, exist_ok=True)
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=showcase test CA",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign",
             "-keyout", "ca.key", "-out", "ca.pem", cwd=folder)
    keys = "\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid,issuer"
    for name, subject, ext in (
            ("server", "/CN=localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth"),
            ("client", "/CN=zhangsan", "extendedKeyUsage=clientAuth")):
        (folder / f"{name}.ext").write_text(ext + keys + "\n", encoding="ascii")
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", f"{name}.key",
                 "-out", f"{name}.csr", cwd=folder)
        _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                 "-CAcreateserial", "-days", "2", "-extfile", f"{name}.ext", "-out", f"{name}.pem",
                 cwd=folder)
    return Certificates(folder / "ca.pem", folder / "server.pem", folder / "server.key",
                        folder / "client.pem", folder / "client.key")


@contextlib.contextmanager
def nginx(server_conf: Path, prefix: Path) -> Iterator[subprocess.Popen[bytes]]:
    """nginx in the foreground with only ``server_conf`` in its http block; stopped after."""
    prefix.mkdir(parents=True, exist_ok=True)
    user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""  # workers read tmp_path
    conf = prefix / "nginx.conf"
    temp = "\n".join(f"  {kind}_temp_path {prefix / kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf.write_text(f"""daemon off;
worker_processes 1;
{user}
pid {prefix / 'nginx.pid'};
error_log {prefix / 'error.log'} warn;
events {{ worker_connections 128; }}
http {{
  include {MIME_TYPES};
  default_type application/octet-stream;
  access_log off;
{temp}
  include {server_conf};
}}
""", encoding="utf-8")
    check = subprocess.run([NGINX, "-t", "-c", str(conf), "-p", str(prefix), "-e",
                            str(prefix / "error.log")], capture_output=True, text=True, check=False)
    assert check.returncode == 0, f"nginx -t refused the configuration:\n{check.stderr}"
    process = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(prefix), "-e",
                                str(prefix / "error.log")], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while not (prefix / "nginx.pid").exists():
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.05)
        time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Response:
    status: int
    headers: dict[str, list[str]]   # lower-case names
    body: bytes

    def header(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return values[0] if values else None


def request(url: str, *, ca: Path | None = None, headers: dict[str, str] | None = None,
            client: tuple[Path, Path] | None = None, method: str = "GET") -> Response:
    """One request, redirects not followed and the body as sent (gzip kept)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        context = ssl.create_default_context(cafile=str(ca) if ca else None)
        if client:
            context.load_cert_chain(str(client[0]), str(client[1]))
        conn = http.client.HTTPSConnection(parts.hostname or "", parts.port, context=context,
                                           timeout=10)
    else:
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        found: dict[str, list[str]] = {}
        for name, value in response.getheaders():
            found.setdefault(name.lower(), []).append(value)
        return Response(response.status, found, response.read())
    finally:
        conn.close()


__all__ = ["Certificates", "Response", "free_port", "make_certificates", "nginx", "request",
           "require_nginx"]
