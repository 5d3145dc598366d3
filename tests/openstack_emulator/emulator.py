"""A small, faithful emulator of OpenStack's Nova, Neutron and Glance APIs,
for mcgw's OpenStack adapter tests. Standard library only (plus
`cryptography`, which Keystone already depends on, for key pairs).

It is the single front door of a devstack-like layout on one host:port:

    /identity/...                   proxied to the real Keystone (uwsgi)
    [/internal][/<Region>]/compute/v2.1/...   Nova
    [/internal][/<Region>]/networking/...     Neutron
    [/internal][/<Region>]/image/...          Glance

One port for everything because the gateway only lets an adapter reach the
connection's endpoint (host and port) plus its declared hosts; devstack
routes by path on one port too. The optional `/internal` prefix marks the
catalog's internal interface, the optional region segment a second region;
each region has its own state.

Every service request is authenticated the way keystonemiddleware does it:
the X-Auth-Token is validated against Keystone (GET /v3/auth/tokens with the
emulator's own admin token), so a wrong, revoked or expired token fails.

Test hooks live under /_emulator/: the recorded responses (each with the
official sample it must match), the request log per project, and a way to
hold the answer to a server create (crash-recovery tests).
"""

import argparse
import hashlib
import http.client
import json
import os
import shutil
import signal
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from common import LOCK, ApiError, Reply, glance_error, keystone_unauthorized, neutron_error, \
    nova_error
from glance import Glance
from keypairs import Keypairs
from neutron import Neutron
from nova import Nova, check_microversion

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


class Ctx:
    """What a handler knows about the caller and where it was reached."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


class Emulator:
    def __init__(self, args):
        self.args = args
        self.regions = {}
        for region in args.regions.split(","):
            neutron = Neutron()
            glance = Glance(args.page_max)
            nova = Nova(neutron, glance, Keypairs(args.page_max), args.zones.split(","),
                        args.page_max, args.quota, args.delay_ms / 1000)
            self.regions[region] = {
                "compute": (nova, nova.routes(), nova_error),
                "networking": (neutron, neutron.routes(), neutron_error),
                "image": (glance, glance.routes(), glance_error),
            }
        self.default_region = args.regions.split(",")[0]
        self.responses = []
        self.requests = []
        self.admin_token = None
        self.guarded = []
        # project -> the last token seen (tests revoke it at Keystone).
        self.last_token = {}

    # ---- Keystone ---------------------------------------------------------------------

    def keystone(self, method, path, headers, body=b""):
        """One request to Keystone; a refused or dropped connection is retried
        twice (uwsgi may be starting, or busy), then raised."""
        for attempt in range(3):
            conn = http.client.HTTPConnection("127.0.0.1", self.args.keystone_port, timeout=30)
            try:
                conn.request(method, path, body=body or None, headers=headers)
                resp = conn.getresponse()
                return resp.status, resp.getheaders(), resp.read()
            except (ConnectionError, http.client.RemoteDisconnected):
                if attempt == 2:
                    raise
                time.sleep(0.2)
            finally:
                conn.close()

    def admin(self, renew=False):
        with LOCK:
            if self.admin_token and not renew:
                return self.admin_token
        body = json.dumps({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": "admin", "domain": {"id": "default"},
                "password": self.args.admin_password}}},
            "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}).encode()
        status, headers, _ = self.keystone("POST", "/v3/auth/tokens",
                                           {"Content-Type": "application/json"}, body)
        if status != 201:
            raise RuntimeError(f"the emulator's admin login failed: HTTP {status}")
        token = dict((k.lower(), v) for k, v in headers)["x-subject-token"]
        with LOCK:
            self.admin_token = token
        return token

    def validate(self, token):
        """The token's project and user ids, or None when Keystone refuses it."""
        for renew in (False, True):
            status, _, body = self.keystone("GET", "/v3/auth/tokens", {
                "X-Auth-Token": self.admin(renew), "X-Subject-Token": token})
            if status == 200:
                t = json.loads(body)["token"]
                if "project" not in t:
                    return None
                return t["project"]["id"], t["user"]["id"]
            if status != 401:
                return None
        return None

    # ---- dispatch ---------------------------------------------------------------------

    def route(self, path):
        """(service, region, interface, base, bookmark, rest) of a service URL, or None."""
        parts = [p for p in path.split("/") if p]
        used = []
        interface, region = "public", self.default_region
        if parts and parts[0] in ("internal", "admin"):
            interface = parts.pop(0)
            used.append(interface)
        if parts and parts[0] in self.regions and parts[0] != self.default_region:
            region = parts.pop(0)
            used.append(region)
        if not parts or parts[0] not in ("compute", "networking", "image"):
            return None
        service = parts.pop(0)
        used.append(service)
        bookmark = "/" + "/".join(used)
        if service == "compute":
            if not parts or parts[0] != "v2.1":
                return None
            used.append(parts.pop(0))
        return service, region, interface, "/" + "/".join(used), bookmark, "/" + "/".join(parts)

    def serve(self, method, raw_path, headers, raw_body):
        url = urlsplit(raw_path)
        found = self.route(url.path)
        if found is None:
            return Reply(404, text="404 Not Found\n\nThe resource could not be found.\n\n")
        service, region, interface, base, bookmark, rest = found
        _, routes, render = self.regions[region][service]
        host = headers.get("Host", f"127.0.0.1:{self.args.port}")
        token = headers.get("X-Auth-Token", "")
        who = self.validate(token) if token else None
        entry = {"service": service, "region": region, "interface": interface,
                 "method": method, "path": rest, "query": url.query,
                 "token": hashlib.sha256(token.encode()).hexdigest()[:12] if token else None,
                 "project": who[0] if who else None,
                 "microversion": [headers.get("OpenStack-API-Version"),
                                  headers.get("X-OpenStack-Nova-API-Version")]}
        if who is None:
            reply = keystone_unauthorized(f'Keystone uri="http://{host}/identity"')
        else:
            try:
                body = json.loads(raw_body) if raw_body else None
            except ValueError:
                body = None
            entry["body"] = body
            ctx = Ctx(project=who[0], user=who[1], query=parse_qs(url.query), body=body,
                      base=f"http://{host}{base}", bookmark=f"http://{host}{bookmark}",
                      headers=headers)
            reply = self.dispatch(service, routes, render, method, rest, ctx, headers)
        entry["status"] = reply.status
        with LOCK:
            if who is not None:
                self.last_token[who[0]] = token
            self.requests.append(entry)
            if reply.sample and reply.body is not None:
                self.responses.append({"service": service, "method": method, "path": rest,
                                       "status": reply.status, "sample": reply.sample,
                                       "body": reply.body})
        return reply

    @staticmethod
    def dispatch(service, routes, render, method, rest, ctx, headers):
        extra = {}
        try:
            if service == "compute":
                extra = check_microversion(headers)
            for m, pattern, handler in routes:
                match = pattern.match(rest)
                if match and m == method:
                    with LOCK:
                        reply = handler(ctx, *[unquote(g) for g in match.groups()])
                    break
            else:
                allowed = any(p.match(rest) for _, p, _ in routes)
                raise ApiError(405 if allowed else 404,
                               "The method is not allowed." if allowed
                               else "The resource could not be found.")
        except ApiError as e:
            reply = render(e)
        reply.headers.update(extra)
        return reply

    # ---- test hooks -------------------------------------------------------------------

    def hook(self, method, raw_path, raw_body):
        url = urlsplit(raw_path)
        q = parse_qs(url.query)
        with LOCK:
            if url.path == "/_emulator/health":
                return Reply(200, {"ok": True})
            if url.path == "/_emulator/responses":
                return Reply(200, {"responses": list(self.responses)})
            if url.path == "/_emulator/requests":
                project = q.get("project", [None])[0]
                return Reply(200, {"requests": [r for r in self.requests
                                                if project is None or r["project"] == project]})
            if url.path == "/_emulator/last-token":
                return Reply(200, {"token": self.last_token.get(q.get("project", [""])[0])})
            if url.path == "/_emulator/hold-create" and method == "POST":
                req = json.loads(raw_body)
                for region in self.regions.values():
                    region["compute"][0].create_hold[req["project"]] = req["seconds"]
                return Reply(200, {"ok": True})
            if url.path == "/_emulator/guard" and method == "POST":
                self.guarded.extend(json.loads(raw_body)["pids"])
                return Reply(200, {"ok": True})
        return Reply(404, {"error": "no such hook"})

    def watch_parent(self):
        """Stop Keystone and ourselves if the test process dies without cleaning up."""
        while True:
            time.sleep(0.5)
            if os.getppid() != self.args.parent_pid:
                for pid in self.guarded:
                    try:
                        os.kill(pid, signal.SIGINT)
                    except OSError:
                        pass
                if self.args.cleanup_dir:
                    time.sleep(2)
                    shutil.rmtree(self.args.cleanup_dir, ignore_errors=True)
                os._exit(0)


def handler_class(emulator):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            if emulator.args.verbose:
                sys.stderr.write("emulator: " + fmt % args + "\n")

        def _body(self):
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _send(self, status, headers, body):
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _proxy(self, body):
            path = self.path[len("/identity"):] or "/"
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            status, out_headers, out = emulator.keystone(self.command, path, headers, body)
            self._send(status, [(k, v) for k, v in out_headers if k.lower() not in HOP_BY_HOP],
                       out)

        def _handle(self):
            try:
                self._serve()
            except BrokenPipeError:
                pass  # the client went away (tests kill gateways on purpose)
            except (ConnectionError, http.client.HTTPException) as e:
                # Keystone is unreachable: say so instead of dropping the connection.
                self._send(502, [("Content-Type", "text/plain")],
                           f"502 Bad Gateway\n\nKeystone: {e!r}\n".encode())
            except Exception:
                traceback.print_exc()
                self._send(500, [("Content-Type", "text/plain")],
                           b"500 Internal Server Error\n\nthe emulator failed\n")

        def _serve(self):
            body = self._body()
            if self.path.startswith("/identity/") or self.path == "/identity":
                return self._proxy(body)
            if self.path.startswith("/_emulator/"):
                reply = emulator.hook(self.command, self.path, body)
            else:
                reply = emulator.serve(self.command, self.path, self.headers, body)
            if reply.hold:
                time.sleep(reply.hold)
            data, content_type = reply.encode()
            headers = list(reply.headers.items())
            if content_type:
                headers.append(("Content-Type", content_type))
            headers.append(("X-Openstack-Request-Id", "req-" + os.urandom(16).hex()))
            self._send(reply.status, headers, data)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle

    return Handler


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--keystone-port", type=int, required=True)
    p.add_argument("--admin-password", required=True)
    p.add_argument("--regions", default="RegionOne,RegionTwo")
    p.add_argument("--zones", default="nova,zone-b")
    p.add_argument("--page-max", type=int, default=1000,
                   help="Nova [api]max_limit and Glance api_limit_max")
    p.add_argument("--quota", type=int, default=10, help="instances per project")
    p.add_argument("--delay-ms", type=int, default=300, help="time a state transition takes")
    p.add_argument("--parent-pid", type=int, default=os.getppid())
    p.add_argument("--cleanup-dir", help="removed if the parent dies (Keystone's state)")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args()
    emulator = Emulator(args)
    ThreadingHTTPServer.request_queue_size = 128
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler_class(emulator))
    server.daemon_threads = True
    args.port = server.server_address[1]
    threading.Thread(target=emulator.watch_parent, daemon=True).start()
    print(f"emulator ready: {args.port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
