"""Nova key pairs (os-keypairs) at microversion 2.79: generate (private key
returned once), import, show, list with marker paging, delete.

Key pairs belong to the user, not the project, exactly as in Nova.
Generation and fingerprints follow nova/crypto.py: RSA 2048, the private key
in traditional OpenSSL PEM, the public key in OpenSSH form with the
`Generated-by-Nova` comment, the fingerprint the colon-separated MD5 of the
public key blob.
"""

import base64
import hashlib
import re
from urllib.parse import quote

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from common import ApiError, Reply, iso_micro, now, page

SAMPLES = "nova:doc/api_samples/os-keypairs"


def fingerprint(public_key):
    try:
        serialization.load_ssh_public_key(public_key.encode())
        blob = base64.b64decode(public_key.split()[1])
    except Exception:
        raise ApiError(400, "Keypair data is invalid: failed to generate fingerprint")
    digest = hashlib.md5(blob).hexdigest()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def generate():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                           serialization.PublicFormat.OpenSSH).decode()
    return private, public + " Generated-by-Nova\n"


class Keypairs:
    def __init__(self, max_limit):
        self.max_limit = max_limit
        # (user id, name) -> record, in creation order (Nova lists by id).
        self.keys = {}
        self.next_id = 1

    def get(self, user, name):
        return self.keys.get((user, name))

    def create(self, ctx):
        req = (ctx.body or {}).get("keypair")
        if not isinstance(req, dict) or not isinstance(req.get("name"), str):
            raise ApiError(400, "Invalid input for field/attribute keypair. Value: None. "
                           "'name' is a required property")
        name = req["name"].strip()
        if not 1 <= len(name) <= 255 or not re.fullmatch(r"[A-Za-z0-9 _-]+", name):
            raise ApiError(400, "Keypair data is invalid: Keypair name contains unsafe "
                           "characters")
        if (ctx.user, name) in self.keys:
            raise ApiError(409, f"Key pair '{name}' already exists.")
        private = None
        if "public_key" in req:
            public = req["public_key"]
            sample = f"{SAMPLES}/v2.10/keypairs-import-post-resp.json"
        else:
            private, public = generate()
            sample = f"{SAMPLES}/v2.10/keypairs-post-resp.json"
        k = {"name": name, "type": req.get("type", "ssh"), "public_key": public,
             "fingerprint": fingerprint(public), "user_id": ctx.user, "id": self.next_id,
             "created_at": iso_micro(now())}
        self.next_id += 1
        self.keys[(ctx.user, name)] = k
        body = {"fingerprint": k["fingerprint"], "name": name, "type": k["type"],
                "public_key": public, "user_id": ctx.user}
        if private is not None:
            body["private_key"] = private
        return Reply(201, {"keypair": body}, sample)

    def show(self, ctx, name):
        k = self.keys.get((ctx.user, name))
        if k is None:
            raise ApiError(404, f"Keypair {name} not found for user {ctx.user}")
        body = {"fingerprint": k["fingerprint"], "name": name, "type": k["type"],
                "public_key": k["public_key"], "user_id": k["user_id"], "deleted": False,
                "created_at": k["created_at"], "updated_at": None, "deleted_at": None,
                "id": k["id"]}
        return Reply(200, {"keypair": body}, f"{SAMPLES}/v2.10/keypairs-get-resp.json")

    def index(self, ctx):
        mine = [k for (user, _), k in self.keys.items() if user == ctx.user]
        chunk, full, _ = page(mine, ctx.query, self.max_limit, key="name")
        body = {"keypairs": [{"keypair": {"fingerprint": k["fingerprint"], "name": k["name"],
                                          "type": k["type"], "public_key": k["public_key"]}}
                             for k in chunk]}
        if full and chunk:
            limit = min(int(ctx.query.get("limit", [self.max_limit])[0]), self.max_limit)
            body["keypairs_links"] = [{
                "href": f"{ctx.base}/os-keypairs?limit={limit}&marker={quote(chunk[-1]['name'])}",
                "rel": "next"}]
        return Reply(200, body, f"{SAMPLES}/v2.35/keypairs-list-resp.json")

    def delete(self, ctx, name):
        if self.keys.pop((ctx.user, name), None) is None:
            raise ApiError(404, f"Keypair {name} not found for user {ctx.user}")
        return Reply(204)

    def routes(self):
        return [
            ("POST", re.compile(r"^/os-keypairs$"), self.create),
            ("GET", re.compile(r"^/os-keypairs$"), self.index),
            ("GET", re.compile(r"^/os-keypairs/([^/]+)$"), self.show),
            ("DELETE", re.compile(r"^/os-keypairs/([^/]+)$"), self.delete),
        ]
