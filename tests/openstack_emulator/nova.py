"""Nova compute API at microversion 2.79: flavors, availability zones and
servers (create incl. multi-create, show, list with marker paging and
filters, delete, and the start/stop/suspend/resume/reboot actions).

Server states move like Nova's: an action sets a task state at once (the API
does that before casting to the compute host), and the new vm state arrives
after a delay. Transitions are applied lazily whenever a server is read.
Status words come from vm state and task state exactly as in
nova/api/openstack/common.py (_STATE_MAP).
"""

import base64
import binascii
import hashlib
import re
import time

from common import ApiError, Reply, iso_micro, iso_z, new_id, now, one, page

SAMPLES = "nova:doc/api_samples"
MICROVERSION = "2.79"

# (id, name, vcpus, ram MiB, disk GiB, extra_specs)
FLAVORS = [
    ("1", "m1.tiny", 1, 512, 1, {}),
    ("2", "m1.small", 1, 2048, 20, {}),
    ("3", "m1.medium", 2, 4096, 40, {}),
    ("4", "m1.large", 4, 8192, 80, {}),
    ("5", "g1.large.vgpu", 8, 32768, 100, {"resources:VGPU": "1"}),
]

# (vm_state, task_state) -> status, after nova/api/openstack/common.py.
STATUS = {
    "active": {None: "ACTIVE", "rebooting": "REBOOT", "rebooting_hard": "HARD_REBOOT"},
    "building": {None: "BUILD"},
    "stopped": {None: "SHUTOFF"},
    "suspended": {None: "SUSPENDED"},
    "error": {None: "ERROR"},
}
POWER = {"active": 1, "building": 0, "stopped": 4, "suspended": 7, "error": 0}

# action -> (allowed vm states, task state set now, vm state reached, nova's verb)
ACTIONS = {
    "os-stop": (("active", "error"), "powering-off", "stopped", "stop"),
    "os-start": (("stopped",), "powering-on", "active", "start"),
    "suspend": (("active",), "suspending", "suspended", "suspend"),
    "resume": (("suspended",), "resuming", "active", "resume"),
}
CREATE_KEYS = {
    "name", "imageRef", "flavorRef", "networks", "metadata", "security_groups", "key_name",
    "user_data", "availability_zone", "min_count", "max_count", "return_reservation_id",
    "block_device_mapping_v2", "tags", "adminPass", "accessIPv4", "accessIPv6",
    "OS-DCF:diskConfig", "config_drive", "description", "host", "hypervisor_hostname",
    "trusted_image_certificates",
}


def check_microversion(headers):
    """The adapter must send the fixed microversion in both headers."""
    new = headers.get("OpenStack-API-Version", "")
    legacy = headers.get("X-OpenStack-Nova-API-Version", "")
    if new != f"compute {MICROVERSION}" or legacy != MICROVERSION:
        raise ApiError(406, f"This emulator models compute microversion {MICROVERSION} only; "
                       f"got OpenStack-API-Version={new!r}, "
                       f"X-OpenStack-Nova-API-Version={legacy!r}.")
    return {"OpenStack-API-Version": f"compute {MICROVERSION}",
            "X-OpenStack-Nova-API-Version": MICROVERSION,
            "Vary": "OpenStack-API-Version, X-OpenStack-Nova-API-Version"}


def _int(value, field):
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Invalid input for field/attribute {field}. Value: {value}.")
    if n < 1:
        raise ApiError(400, f"Invalid input for field/attribute {field}. Value: {value}. "
                       f"{value} is less than the minimum of 1")
    return n


class Nova:
    def __init__(self, neutron, glance, keypairs, zones, max_limit, quota, delay_s):
        self.neutron, self.glance, self.keypairs = neutron, glance, keypairs
        self.zones, self.max_limit, self.quota, self.delay = zones, max_limit, quota, delay_s
        self.servers = {}
        self.counter = 0
        # Test hook: seconds to hold the answer to a create (crash-recovery tests).
        self.create_hold = {}
        neutron.settle = self.settle

    def settle(self):
        """Apply every transition that is due (Neutron asks before in-use checks)."""
        for s in list(self.servers.values()):
            self._advance(s)

    # ---- state machine ------------------------------------------------------------

    def _advance(self, s):
        while s["next"] and s["next"][0] <= time.monotonic():
            _, vm_state, task_state = s["next"]
            s["next"] = None
            if vm_state == "deleted":
                self.neutron.release_ports(s["id"])
                del self.servers[s["id"]]
                return None
            if s["vm_state"] == "building" and vm_state == "active":
                s["launched_at"] = iso_micro(now())
            s["vm_state"], s["task_state"] = vm_state, task_state
            s["updated"] = iso_z(now())
        return s

    def _schedule(self, s, vm_state, task_state=None):
        s["next"] = (time.monotonic() + self.delay, vm_state, task_state)

    def server(self, ctx, server_id):
        s = self.servers.get(server_id)
        if s is not None and s["project"] == ctx.project:
            s = self._advance(s)
            if s is not None:
                return s
        raise ApiError(404, f"Instance {server_id} could not be found.")

    # ---- views ----------------------------------------------------------------------

    def flavor_view(self, ctx, f):
        fid, name, vcpus, ram, disk, extra = f
        return {
            "OS-FLV-DISABLED:disabled": False, "disk": disk, "OS-FLV-EXT-DATA:ephemeral": 0,
            "os-flavor-access:is_public": True, "id": fid,
            "links": [{"href": f"{ctx.base}/flavors/{fid}", "rel": "self"},
                      {"href": f"{ctx.bookmark}/flavors/{fid}", "rel": "bookmark"}],
            "name": name, "ram": ram, "swap": 0, "vcpus": vcpus, "rxtx_factor": 1.0,
            "description": None, "extra_specs": dict(extra),
        }

    def server_view(self, ctx, s, show=False):
        fid, fname, vcpus, ram, disk, extra = s["flavor"]
        addresses = {}
        for port in s["ports"]:
            net = self.neutron.networks[port["network_id"]]
            addresses.setdefault(net["name"], []).append({
                "OS-EXT-IPS-MAC:mac_addr": port["mac"], "OS-EXT-IPS:type": "fixed",
                "addr": port["ip"], "version": 4})
        image = ""
        if s["image"] and not s["volumes"]:
            image = {"id": s["image"], "links": [
                {"href": f"{ctx.bookmark}/images/{s['image']}", "rel": "bookmark"}]}
        body = {
            "OS-DCF:diskConfig": "MANUAL", "OS-EXT-AZ:availability_zone": s["az"],
            "OS-EXT-SRV-ATTR:host": "compute-1",
            "OS-EXT-SRV-ATTR:hostname": re.sub(r"[^a-z0-9-]", "-", s["name"].lower()),
            "OS-EXT-SRV-ATTR:hypervisor_hostname": "compute-1.emulated",
            "OS-EXT-SRV-ATTR:instance_name": "instance-%08x" % s["seq"],
            "OS-EXT-SRV-ATTR:kernel_id": "", "OS-EXT-SRV-ATTR:launch_index": s["launch_index"],
            "OS-EXT-SRV-ATTR:ramdisk_id": "", "OS-EXT-SRV-ATTR:reservation_id": s["reservation"],
            "OS-EXT-SRV-ATTR:root_device_name": "/dev/vda",
            "OS-EXT-SRV-ATTR:user_data": s["user_data"],
            "OS-EXT-STS:power_state": POWER[s["vm_state"]],
            "OS-EXT-STS:task_state": s["task_state"], "OS-EXT-STS:vm_state": s["vm_state"],
            "OS-SRV-USG:launched_at": s["launched_at"], "OS-SRV-USG:terminated_at": None,
            "accessIPv4": "", "accessIPv6": "", "addresses": addresses, "config_drive": "",
            "created": s["created"], "description": None,
            "flavor": {"disk": disk, "ephemeral": 0, "extra_specs": dict(extra),
                       "original_name": fname, "ram": ram, "swap": 0, "vcpus": vcpus},
            "hostId": hashlib.sha224((s["project"] + "compute-1").encode()).hexdigest(),
            "host_status": "UP", "id": s["id"], "image": image, "key_name": s["key_name"],
            "links": [{"href": f"{ctx.base}/servers/{s['id']}", "rel": "self"},
                      {"href": f"{ctx.bookmark}/servers/{s['id']}", "rel": "bookmark"}],
            "locked": False, "locked_reason": None, "metadata": dict(s["metadata"]),
            "name": s["name"],
            "os-extended-volumes:volumes_attached": [
                {"id": v, "delete_on_termination": True} for v in s["volumes"]],
            "progress": 0,
            "status": STATUS[s["vm_state"]].get(s["task_state"], STATUS[s["vm_state"]][None]),
            "tags": list(s["tags"]), "tenant_id": s["project"],
            "trusted_image_certificates": None, "updated": s["updated"], "user_id": s["user"],
        }
        if show:
            # 2.71+: only GET /servers/{id} lists the server's groups.
            body["server_groups"] = []
        # Nova reports the groups of the server's ports, and only when there are some.
        groups = sorted({self.neutron.groups[g]["name"] for p in s["ports"] for g in p["groups"]
                         if g in self.neutron.groups})
        if groups:
            body["security_groups"] = [{"name": g} for g in groups]
        return body

    # ---- flavors and zones ----------------------------------------------------------

    def list_flavors(self, ctx):
        chunk, full, _ = page([{"id": f[0], "f": f} for f in FLAVORS], ctx.query, self.max_limit)
        body = {"flavors": [self.flavor_view(ctx, c["f"]) for c in chunk]}
        if full:
            body["flavors_links"] = [{"href": f"{ctx.base}/flavors/detail?limit={len(chunk)}"
                                              f"&marker={chunk[-1]['id']}", "rel": "next"}]
        return Reply(200, body, f"{SAMPLES}/flavors/v2.75/flavors-detail-resp.json")

    def show_flavor(self, ctx, flavor_id):
        for f in FLAVORS:
            if f[0] == flavor_id:
                return Reply(200, {"flavor": self.flavor_view(ctx, f)},
                             f"{SAMPLES}/flavors/v2.75/flavor-get-resp.json")
        raise ApiError(404, f"Flavor {flavor_id} could not be found.")

    def list_zones(self, ctx):
        body = {"availabilityZoneInfo": [
            {"hosts": None, "zoneName": z, "zoneState": {"available": True}} for z in self.zones]}
        return Reply(200, body, f"{SAMPLES}/os-availability-zone/availability-zone-list-resp.json")

    # ---- servers ----------------------------------------------------------------------

    def _validate(self, ctx, req):
        extra = sorted(set(req) - CREATE_KEYS)
        if extra:
            raise ApiError(400, "Invalid input for field/attribute server. Value: ... "
                           f"Additional properties are not allowed ({extra[0]!r} was unexpected)")
        name = req.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 255:
            raise ApiError(400, "Invalid input for field/attribute name.")
        flavor = next((f for f in FLAVORS if f[0] == str(req.get("flavorRef"))), None)
        if flavor is None:
            raise ApiError(400, f"Flavor {req.get('flavorRef')} could not be found.")
        volumes = []
        image = req.get("imageRef", "")
        for bdm in req.get("block_device_mapping_v2") or []:
            if bdm.get("boot_index") == 0 and bdm.get("source_type") == "image" \
                    and bdm.get("destination_type") == "volume":
                image = bdm.get("uuid", "")
                _int(bdm.get("volume_size"), "volume_size")
                volumes.append(new_id())
        if not image or self.glance.get(image, ctx.project) is None:
            raise ApiError(400, "Can not find requested image")
        key = req.get("key_name")
        if key is not None and self.keypairs.get(ctx.user, key) is None:
            raise ApiError(400, "Invalid key_name provided.")
        metadata = req.get("metadata") or {}
        for k, v in metadata.items():
            if not isinstance(v, str) or not 1 <= len(k) <= 255 or len(v) > 255:
                raise ApiError(400, "Invalid input for field/attribute metadata.")
        tags = req.get("tags") or []
        if len(tags) > 50 or any(len(t) > 60 or "/" in t or "," in t for t in tags):
            raise ApiError(400, f"Invalid input for field/attribute tags. Value: {tags}.")
        user_data = req.get("user_data")
        if user_data is not None:
            try:
                base64.b64decode(user_data, validate=True)
            except (binascii.Error, ValueError):
                raise ApiError(400, "Invalid input for field/attribute user_data. "
                               f"Value: {user_data}. '{user_data}' is not a 'base64'")
        az = req.get("availability_zone") or self.zones[0]
        if az not in self.zones:
            raise ApiError(400, "The requested availability zone is not available")
        groups = []
        for g in req.get("security_groups") or [{"name": "default"}]:
            found = self.neutron.find_group(ctx.project, g.get("name", ""))
            if found is None:
                raise ApiError(400, f"Security group {g.get('name')} not found.")
            groups.append(found["id"])
        return flavor, image, volumes, groups, az, metadata, tags, user_data

    def _networks(self, ctx, networks):
        if networks is None:
            raise ApiError(400, "Invalid input for field/attribute networks. Value: None. "
                           "'networks' is a required property")
        if networks == "none":
            return []
        if networks == "auto":
            own = [n for n in self.neutron.networks.values() if n["project"] == ctx.project]
            if not own:
                raise ApiError(400, f"Unable to automatically allocate a network for project "
                               f"{ctx.project}")
            if len(own) > 1:
                raise ApiError(409, "Multiple possible networks found, use a Network ID to be "
                               "more specific.")
            return [own[0]["id"]]
        ids = []
        for n in networks:
            try:
                net = self.neutron.network(ctx.project, n.get("uuid", ""))
            except ApiError:
                raise ApiError(400, f"Network {n.get('uuid')} could not be found.")
            if not net["subnets"]:
                raise ApiError(400, f"Network {net['id']} requires a subnet in order to boot "
                               "instances on.")
            ids.append(net["id"])
        return ids

    def create_server(self, ctx):
        req = (ctx.body or {}).get("server")
        if not isinstance(req, dict):
            raise ApiError(400, "Invalid input for field/attribute server.")
        flavor, image, volumes, groups, az, metadata, tags, user_data = self._validate(ctx, req)
        nets = self._networks(ctx, req.get("networks"))
        low = _int(req.get("min_count", 1), "min_count")
        high = _int(req.get("max_count", low), "max_count")
        if low > high:
            raise ApiError(400, "min_count must be <= max_count")
        self.settle()
        used = sum(1 for s in self.servers.values() if s["project"] == ctx.project)
        if used + low > self.quota:
            raise ApiError(403, f"Quota exceeded for instances: Requested {low}, but already "
                           f"used {used} of {self.quota} instances")
        count = min(high, self.quota - used)
        reservation = "r-" + new_id()[:8]
        made = []
        for i in range(count):
            self.counter += 1
            t = now()
            s = {"id": new_id(), "seq": self.counter, "project": ctx.project, "user": ctx.user,
                 "name": f"{req['name']}-{i + 1}" if count > 1 else req["name"],
                 "flavor": flavor, "image": image, "volumes": [new_id() for _ in volumes],
                 "key_name": req.get("key_name"), "metadata": dict(metadata),
                 "tags": sorted(set(tags)), "user_data": user_data, "az": az,
                 "reservation": reservation, "launch_index": i, "vm_state": "building",
                 "task_state": "scheduling", "launched_at": None, "created": iso_z(t),
                 "updated": iso_z(t), "next": None, "ports": [], "sort": (t, self.counter)}
            for net_id in nets:
                s["ports"].append(self.neutron.allocate_port(ctx.project, net_id, s["id"], groups))
            self._schedule(s, "active")
            self.servers[s["id"]] = s
            made.append(s)
        # Held outside the state lock by the dispatcher (see Reply.hold).
        hold = self.create_hold.get(ctx.project, 0)
        if str(req.get("return_reservation_id", "")).lower() == "true":
            reply = Reply(202, {"reservation_id": reservation},
                          f"{SAMPLES}/os-multiple-create/multiple-create-post-resp.json")
            reply.hold = hold
            return reply
        s = made[0]
        body = {"server": {
            "OS-DCF:diskConfig": "MANUAL", "adminPass": new_id()[:12], "id": s["id"],
            "links": [{"href": f"{ctx.base}/servers/{s['id']}", "rel": "self"},
                      {"href": f"{ctx.bookmark}/servers/{s['id']}", "rel": "bookmark"}],
            "security_groups": req.get("security_groups") or [{"name": "default"}]}}
        reply = Reply(202, body, f"{SAMPLES}/servers/v2.74/server-create-resp.json",
                      headers={"Location": f"{ctx.base}/servers/{s['id']}"})
        reply.hold = hold
        return reply

    def show_server(self, ctx, server_id):
        return Reply(200, {"server": self.server_view(ctx, self.server(ctx, server_id), True)},
                     f"{SAMPLES}/servers/v2.73/server-get-resp.json")

    def list_servers(self, ctx):
        mine = []
        for s in list(self.servers.values()):
            if s["project"] == ctx.project and self._advance(s) is not None:
                mine.append(s)
        q = ctx.query
        if one(q, "name"):
            mine = [s for s in mine if re.search(one(q, "name"), s["name"])]
        if one(q, "reservation_id"):
            mine = [s for s in mine if s["reservation"] == one(q, "reservation_id")]
        if one(q, "status"):
            mine = [s for s in mine if self.server_view(ctx, s)["status"] == one(q, "status")]
        if one(q, "tags"):
            mine = [s for s in mine if set(one(q, "tags").split(",")) <= set(s["tags"])]
        if one(q, "tags-any"):
            mine = [s for s in mine if set(one(q, "tags-any").split(",")) & set(s["tags"])]
        # Nova's default order: newest first.
        mine.sort(key=lambda s: s["sort"], reverse=True)
        chunk, full, _ = page(mine, q, self.max_limit)
        body = {"servers": [self.server_view(ctx, s) for s in chunk]}
        if full:
            query = "&".join(f"{k}={v[0]}" for k, v in sorted(q.items()) if k != "marker")
            body["servers_links"] = [{
                "href": f"{ctx.base}/servers/detail?{query}&marker={chunk[-1]['id']}".replace(
                    "?&", "?"), "rel": "next"}]
        return Reply(200, body, f"{SAMPLES}/servers/v2.73/servers-details-resp.json")

    def delete_server(self, ctx, server_id):
        s = self.server(ctx, server_id)
        s["task_state"] = "deleting"
        self._schedule(s, "deleted")
        return Reply(204)

    def action(self, ctx, server_id):
        s = self.server(ctx, server_id)
        body = ctx.body or {}
        if len(body) != 1:
            raise ApiError(400, "There is no such action: " + ",".join(body) or "None")
        name, arg = next(iter(body.items()))
        if name == "reboot":
            kind = (arg or {}).get("type")
            if kind not in ("SOFT", "HARD"):
                raise ApiError(400, f"Invalid input for field/attribute type. Value: {kind}.")
            allowed = ("active",) if kind == "SOFT" else ("active", "stopped", "suspended",
                                                          "error")
            task = "rebooting" if kind == "SOFT" else "rebooting_hard"
            self._transition(s, server_id, allowed, task, "active", "reboot")
        elif name in ACTIONS:
            allowed, task, target, verb = ACTIONS[name]
            self._transition(s, server_id, allowed, task, target, verb)
        else:
            raise ApiError(400, f"There is no such action: {name}")
        return Reply(202)

    def _transition(self, s, server_id, allowed, task, target, verb):
        if s["vm_state"] not in allowed:
            raise ApiError(409, f"Cannot '{verb}' instance {server_id} while it is in vm_state "
                           f"{s['vm_state']}")
        if s["task_state"] is not None:
            raise ApiError(409, f"Cannot '{verb}' instance {server_id} while it is in task_state "
                           f"{s['task_state']}")
        s["task_state"] = task
        s["updated"] = iso_z(now())
        self._schedule(s, target)

    def routes(self):
        r = re.compile
        return self.keypairs.routes() + [
            ("GET", r(r"^/flavors/detail$"), self.list_flavors),
            ("GET", r(r"^/flavors/([^/]+)$"), self.show_flavor),
            ("GET", r(r"^/os-availability-zone$"), self.list_zones),
            ("POST", r(r"^/servers$"), self.create_server),
            ("GET", r(r"^/servers/detail$"), self.list_servers),
            ("GET", r(r"^/servers/([^/]+)$"), self.show_server),
            ("DELETE", r(r"^/servers/([^/]+)$"), self.delete_server),
            ("POST", r(r"^/servers/([^/]+)/action$"), self.action),
        ]
