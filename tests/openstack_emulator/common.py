"""Pieces every emulated service shares: the reply type, each service's own
error format, ids, timestamps, paging and the one lock around all state.

The emulator answers in the exact shapes of the official API samples (the
Rust tests check every JSON body it sends against them), so the helpers here
only build values; the per-service modules decide which keys appear.
"""

import datetime
import json
import threading
import uuid

# All emulated state lives behind this lock; requests are served by threads.
LOCK = threading.RLock()


class Reply:
    """One HTTP answer. `sample` names the official sample its body must match."""

    def __init__(self, status, body=None, sample=None, headers=None, text=None):
        self.status = status
        self.body = body
        self.sample = sample
        self.headers = dict(headers or {})
        self.text = text
        # Seconds to wait before answering, outside the state lock (test hook).
        self.hold = 0

    def encode(self):
        """(bytes, content type) of the body."""
        if self.text is not None:
            return self.text.encode(), "text/plain; charset=UTF-8"
        if self.body is None:
            return b"", None
        return json.dumps(self.body).encode(), "application/json"


class ApiError(Exception):
    """An error answer, rendered in the format of the service that raised it."""

    def __init__(self, status, message, kind=None, headers=None):
        super().__init__(message)
        self.status = status
        self.message = message
        # Neutron's exception class name (`NeutronError.type`).
        self.kind = kind
        self.headers = headers or {}


# Nova's fault names by status (nova/api/openstack/wsgi.py, Fault._fault_names).
NOVA_FAULTS = {
    400: "badRequest",
    401: "unauthorized",
    403: "forbidden",
    404: "itemNotFound",
    405: "badMethod",
    409: "conflictingRequest",
    413: "overLimit",
    415: "badMediaType",
    429: "overLimit",
    501: "notImplemented",
    503: "serviceUnavailable",
}

REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    500: "Internal Server Error",
}


def nova_error(e):
    """Nova's fault body: {"itemNotFound": {"code": 404, "message": "..."}}."""
    name = NOVA_FAULTS.get(e.status, "computeFault")
    return Reply(e.status, {name: {"code": e.status, "message": e.message}}, headers=e.headers)


def neutron_error(e):
    """Neutron's fault body: {"NeutronError": {"type", "message", "detail"}}."""
    body = {"NeutronError": {"type": e.kind or "NeutronException", "message": e.message, "detail": ""}}
    return Reply(e.status, body, headers=e.headers)


def glance_error(e):
    """Glance answers errors with webob's plain-text page."""
    reason = REASONS.get(e.status, "Error")
    return Reply(e.status, text=f"{e.status} {reason}\n\n{e.message}\n\n   ", headers=e.headers)


def keystone_unauthorized(www_authenticate):
    """keystonemiddleware's answer to a missing or invalid token."""
    body = {
        "error": {
            "code": 401,
            "title": "Unauthorized",
            "message": "The request you have made requires authentication.",
        }
    }
    return Reply(401, body, headers={"WWW-Authenticate": www_authenticate})


def new_id():
    return str(uuid.uuid4())


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def iso_z(t):
    """`2019-04-23T15:19:09Z`, as Nova, Neutron and Glance print most times."""
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_micro(t):
    """`2019-04-23T15:19:10.855016`, as Nova prints launch and key pair times."""
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f")


def page(items, query, max_limit, key="id"):
    """Marker/limit paging as Nova and Glance do it: the items after `marker`,
    at most min(limit, max_limit); (page, has_more_link).

    Nova adds a `next` link whenever the page is full (even if nothing follows);
    Glance only when something follows. Callers decide from `full` and `more`.
    """
    limit = max_limit
    if "limit" in query:
        try:
            limit = int(query["limit"][0])
        except ValueError:
            raise ApiError(400, "limit param must be an integer")
        if limit < 0:
            raise ApiError(400, "limit param must be positive")
        limit = min(limit, max_limit)
    start = 0
    if "marker" in query:
        marker = query["marker"][0]
        ids = [i[key] for i in items]
        if marker not in ids:
            raise ApiError(400, f"marker [{marker}] not found")
        start = ids.index(marker) + 1
    chunk = items[start:start + limit]
    full = limit > 0 and len(chunk) == limit
    more = start + limit < len(items)
    return chunk, full, more


def one(query, name, default=None):
    values = query.get(name)
    return values[0] if values else default
