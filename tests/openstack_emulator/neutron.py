"""Neutron networking API v2.0: networks, subnets, security groups and their
rules, the tag extension, and the ports Nova asks for when it boots a server.

Errors carry Neutron's exception class names and messages (neutron-lib), so
the adapter's error mapping is exercised against the real wording.
"""

import ipaddress
import re

from common import ApiError, Reply, iso_z, new_id, now, one

SAMPLES = "neutron-lib:api-ref/source/v2/samples"
MAX_TAG_LEN = 255


def _filter(items, query, fields):
    """Neutron's list filters: `field=value` (repeatable: any of), `tags` (all of)."""
    out = items
    for field in fields:
        wanted = query.get(field)
        if wanted:
            out = [i for i in out if str(i.get(field)) in wanted]
    tags = one(query, "tags")
    if tags:
        need = set(tags.split(","))
        out = [i for i in out if need <= set(i["tags"])]
    return out


class Neutron:
    def __init__(self):
        self.networks = {}
        self.subnets = {}
        self.groups = {}
        self.rules = {}
        # port id -> {device_id, network_id, subnet_id, ip, groups}
        self.ports = {}
        # Set by Nova: apply due server transitions (a finished delete frees ports).
        self.settle = lambda: None

    # ---- helpers shared with Nova -------------------------------------------------

    def _stamp(self, obj, project):
        t = iso_z(now())
        obj.update({"project": project, "project_id": project, "tenant_id": project,
                    "created_at": t, "updated_at": t, "revision": 1})

    def _touch(self, obj):
        obj["updated_at"] = iso_z(now())
        obj["revision"] += 1

    def network(self, project, net_id):
        n = self.networks.get(net_id)
        if n is None or (n["project"] != project and not n["shared"]):
            raise ApiError(404, f"Network {net_id} could not be found.", "NetworkNotFound")
        return n

    def ensure_default_group(self, project):
        """Neutron creates a project's `default` group on its first request."""
        for g in self.groups.values():
            if g["project"] == project and g["name"] == "default":
                return g
        g = self._new_group(project, "default", "Default security group")
        for ethertype in ("IPv4", "IPv6"):
            self._new_rule(project, g, "ingress", ethertype, None, None, None, None, g["id"])
        return g

    def find_group(self, project, name_or_id):
        """A group by id or (unique) name, as Nova resolves `security_groups`."""
        self.ensure_default_group(project)
        for g in self.groups.values():
            if g["project"] == project and name_or_id in (g["id"], g["name"]):
                return g
        return None

    def allocate_port(self, project, net_id, device_id, groups):
        """A port with the next free IPv4 address of the network's first subnet."""
        n = self.network(project, net_id)
        if not n["subnets"]:
            return None
        s = self.subnets[n["subnets"][0]]
        taken = {p["ip"] for p in self.ports.values() if p["subnet_id"] == s["id"]}
        net = ipaddress.ip_network(s["cidr"])
        for host in list(net.hosts())[2:]:
            if str(host) not in taken:
                port = {"id": new_id(), "device_id": device_id, "network_id": net_id,
                        "subnet_id": s["id"], "ip": str(host), "groups": groups,
                        "mac": "fa:16:3e:%02x:%02x:%02x" % tuple(host.packed[1:4])}
                self.ports[port["id"]] = port
                return port
        raise ApiError(409, f"No more IP addresses available on network {net_id}.",
                       "IpAddressGenerationFailure")

    def release_ports(self, device_id):
        for pid in [p for p, v in self.ports.items() if v["device_id"] == device_id]:
            del self.ports[pid]

    # ---- views (key sets as in neutron-lib's api-ref samples) ---------------------

    def network_view(self, n):
        return {
            "admin_state_up": True, "availability_zone_hints": [], "availability_zones": ["nova"],
            "created_at": n["created_at"], "dns_domain": "", "id": n["id"],
            "ipv4_address_scope": None, "ipv6_address_scope": None, "l2_adjacency": True,
            "mtu": 1450, "name": n["name"], "port_security_enabled": True,
            "project_id": n["project"], "pvlan": False, "qos_policy_id": None,
            "revision_number": n["revision"], "router:external": False, "shared": n["shared"],
            "status": "ACTIVE", "subnets": list(n["subnets"]), "tags": list(n["tags"]),
            "tenant_id": n["project"], "updated_at": n["updated_at"], "vlan_transparent": False,
            "qinq": False, "description": n["description"], "is_default": False,
        }

    def subnet_view(self, s):
        return {
            "name": s["name"], "enable_dhcp": True, "network_id": s["network_id"],
            "segment_id": None, "project_id": s["project"], "tenant_id": s["project"],
            "dns_nameservers": [], "dns_publish_fixed_ip": False,
            "allocation_pools": [{"start": s["pool"][0], "end": s["pool"][1]}],
            "host_routes": [], "ip_version": 4, "gateway_ip": s["gateway_ip"], "cidr": s["cidr"],
            "id": s["id"], "created_at": s["created_at"], "description": s["description"],
            "ipv6_address_mode": None, "ipv6_ra_mode": None, "revision_number": s["revision"],
            "service_types": [], "subnetpool_id": None, "tags": list(s["tags"]),
            "updated_at": s["updated_at"], "router:external": False,
        }

    def rule_view(self, r, in_group):
        body = {
            "direction": r["direction"], "ethertype": r["ethertype"], "id": r["id"],
            "port_range_max": r["port_range_max"], "port_range_min": r["port_range_min"],
            "protocol": r["protocol"], "remote_group_id": r["remote_group_id"],
            "remote_ip_prefix": r["remote_ip_prefix"], "security_group_id": r["group_id"],
            "project_id": r["project"], "created_at": r["created_at"],
            "updated_at": r["updated_at"], "revision_number": r["revision"],
            "tenant_id": r["project"], "description": r["description"],
            "belongs_to_default_sg": r["default"],
        }
        if in_group:
            body["tags"] = []
        else:
            body["remote_address_group_id"] = None
        return body

    def group_view(self, g):
        return {
            "description": g["description"], "id": g["id"], "name": g["name"],
            "security_group_rules": [self.rule_view(self.rules[r], True) for r in g["rules"]],
            "project_id": g["project"], "created_at": g["created_at"],
            "updated_at": g["updated_at"], "revision_number": g["revision"],
            "tags": list(g["tags"]), "tenant_id": g["project"], "stateful": True, "shared": False,
        }

    # ---- networks -------------------------------------------------------------------

    def create_network(self, ctx):
        req = (ctx.body or {}).get("network")
        if not isinstance(req, dict):
            raise ApiError(400, "Resource body required", "BadRequest")
        n = {"id": new_id(), "name": req.get("name", ""), "description": req.get("description", ""),
             "shared": False, "subnets": [], "tags": []}
        self._stamp(n, ctx.project)
        self.networks[n["id"]] = n
        self.ensure_default_group(ctx.project)
        return Reply(201, {"network": self.network_view(n)},
                     f"{SAMPLES}/networks/network-create-response.json")

    def list_networks(self, ctx):
        self.ensure_default_group(ctx.project)
        visible = [n for n in self.networks.values() if n["project"] == ctx.project or n["shared"]]
        found = _filter(visible, ctx.query, ["id", "name", "project_id", "tenant_id"])
        return Reply(200, {"networks": [self.network_view(n) for n in found]},
                     f"{SAMPLES}/networks/networks-list-response.json")

    def show_network(self, ctx, net_id):
        n = self.network(ctx.project, net_id)
        return Reply(200, {"network": self.network_view(n)},
                     f"{SAMPLES}/networks/network-show-response.json")

    def delete_network(self, ctx, net_id):
        self.settle()
        n = self.network(ctx.project, net_id)
        if any(p["network_id"] == net_id for p in self.ports.values()):
            raise ApiError(409, f"Unable to complete operation on network {net_id}. There are one "
                           "or more ports still in use on the network.", "NetworkInUse")
        for s in n["subnets"]:
            del self.subnets[s]
        del self.networks[net_id]
        return Reply(204)

    # ---- subnets ----------------------------------------------------------------------

    def create_subnet(self, ctx):
        req = (ctx.body or {}).get("subnet")
        if not isinstance(req, dict) or "network_id" not in req:
            raise ApiError(400, "Failed to parse request. Required attribute 'network_id' not "
                           "specified", "HTTPBadRequest")
        n = self.network(ctx.project, req["network_id"])
        cidr = req.get("cidr", "")
        try:
            net = ipaddress.ip_network(cidr)
        except ValueError:
            raise ApiError(400, f"Invalid input for cidr. Reason: '{cidr}' is not a valid IP "
                           "subnet.", "HTTPBadRequest")
        if net.version != int(req.get("ip_version", 4)):
            raise ApiError(400, "Invalid input for operation: cidr and ip_version must be "
                           "compatible.", "InvalidInput")
        for sid in n["subnets"]:
            if ipaddress.ip_network(self.subnets[sid]["cidr"]).overlaps(net):
                raise ApiError(400, f"Invalid input for operation: Requested subnet with cidr: "
                               f"{cidr} for network: {n['id']} overlaps with another subnet.",
                               "InvalidInput")
        hosts = list(net.hosts())
        s = {"id": new_id(), "name": req.get("name", ""), "description": req.get("description", ""),
             "network_id": n["id"], "cidr": str(net), "gateway_ip": str(hosts[0]),
             "pool": (str(hosts[1]), str(hosts[-1])), "tags": []}
        self._stamp(s, ctx.project)
        self.subnets[s["id"]] = s
        n["subnets"].append(s["id"])
        self._touch(n)
        return Reply(201, {"subnet": self.subnet_view(s)},
                     f"{SAMPLES}/subnets/subnet-create-response.json")

    def subnet(self, project, subnet_id):
        s = self.subnets.get(subnet_id)
        if s is None or s["project"] != project:
            raise ApiError(404, f"Subnet {subnet_id} could not be found.", "SubnetNotFound")
        return s

    def list_subnets(self, ctx):
        mine = [s for s in self.subnets.values() if s["project"] == ctx.project]
        found = _filter(mine, ctx.query, ["id", "name", "network_id", "project_id", "cidr"])
        return Reply(200, {"subnets": [self.subnet_view(s) for s in found]},
                     f"{SAMPLES}/subnets/subnets-list-response.json")

    def show_subnet(self, ctx, subnet_id):
        return Reply(200, {"subnet": self.subnet_view(self.subnet(ctx.project, subnet_id))},
                     f"{SAMPLES}/subnets/subnet-show-response.json")

    def delete_subnet(self, ctx, subnet_id):
        self.settle()
        s = self.subnet(ctx.project, subnet_id)
        if any(p["subnet_id"] == subnet_id for p in self.ports.values()):
            raise ApiError(409, f"Unable to complete operation on subnet {subnet_id}: One or more "
                           "ports have an IP allocation from this subnet.", "SubnetInUse")
        self.networks[s["network_id"]]["subnets"].remove(subnet_id)
        del self.subnets[subnet_id]
        return Reply(204)

    # ---- security groups and rules ----------------------------------------------------

    def _new_group(self, project, name, description):
        g = {"id": new_id(), "name": name, "description": description, "rules": [], "tags": []}
        self._stamp(g, project)
        self.groups[g["id"]] = g
        for ethertype in ("IPv4", "IPv6"):
            self._new_rule(project, g, "egress", ethertype, None, None, None, None, None)
        return g

    def _new_rule(self, project, g, direction, ethertype, protocol, pmin, pmax, prefix, remote):
        r = {"id": new_id(), "group_id": g["id"], "direction": direction, "ethertype": ethertype,
             "protocol": protocol, "port_range_min": pmin, "port_range_max": pmax,
             "remote_ip_prefix": prefix, "remote_group_id": remote, "description": "",
             "default": g["name"] == "default"}
        self._stamp(r, project)
        self.rules[r["id"]] = r
        g["rules"].append(r["id"])
        return r

    def group(self, project, group_id):
        g = self.groups.get(group_id)
        if g is None or g["project"] != project:
            raise ApiError(404, f"Security group {group_id} does not exist",
                           "SecurityGroupNotFound")
        return g

    def create_group(self, ctx):
        req = (ctx.body or {}).get("security_group")
        if not isinstance(req, dict):
            raise ApiError(400, "Resource body required", "BadRequest")
        self.ensure_default_group(ctx.project)
        if req.get("name") == "default":
            raise ApiError(409, "Default security group already exists.",
                           "SecurityGroupDefaultAlreadyExists")
        g = self._new_group(ctx.project, req.get("name", ""), req.get("description", ""))
        return Reply(201, {"security_group": self.group_view(g)},
                     f"{SAMPLES}/security-groups/security-group-create-response.json")

    def list_groups(self, ctx):
        self.ensure_default_group(ctx.project)
        mine = [g for g in self.groups.values() if g["project"] == ctx.project]
        found = _filter(mine, ctx.query, ["id", "name", "project_id"])
        return Reply(200, {"security_groups": [self.group_view(g) for g in found]},
                     f"{SAMPLES}/security-groups/security-groups-list-response.json")

    def show_group(self, ctx, group_id):
        return Reply(200, {"security_group": self.group_view(self.group(ctx.project, group_id))},
                     f"{SAMPLES}/security-groups/security-group-show-response.json")

    def delete_group(self, ctx, group_id):
        self.settle()
        g = self.group(ctx.project, group_id)
        if any(group_id in p["groups"] for p in self.ports.values()):
            raise ApiError(409, f"Security Group {group_id} in use.", "SecurityGroupInUse")
        for r in g["rules"]:
            del self.rules[r]
        del self.groups[group_id]
        return Reply(204)

    def create_rule(self, ctx):
        req = (ctx.body or {}).get("security_group_rule")
        if not isinstance(req, dict) or "security_group_id" not in req:
            raise ApiError(400, "Failed to parse request. Required attribute "
                           "'security_group_id' not specified", "HTTPBadRequest")
        g = self.group(ctx.project, req["security_group_id"])
        direction = req.get("direction")
        if direction not in ("ingress", "egress"):
            raise ApiError(400, f"Invalid input for direction. Reason: {direction} is not in "
                           "valid_values.", "HTTPBadRequest")
        ethertype = req.get("ethertype", "IPv4")
        protocol = req.get("protocol")
        pmin, pmax = req.get("port_range_min"), req.get("port_range_max")
        prefix = req.get("remote_ip_prefix")
        if protocol not in (None, "tcp", "udp", "icmp"):
            raise ApiError(400, f"Security group rule protocol {protocol} not supported.",
                           "SecurityGroupRuleInvalidProtocol")
        if (pmin is not None or pmax is not None) and protocol is None:
            raise ApiError(400, "Must also specify protocol if port range is given.",
                           "SecurityGroupProtocolRequiredWithPorts")
        if protocol in ("tcp", "udp") and pmin is not None and pmax is not None and pmin > pmax:
            raise ApiError(400, "For TCP/UDP protocols, port_range_min must be <= port_range_max",
                           "SecurityGroupInvalidPortRange")
        if prefix is not None:
            net = ipaddress.ip_network(prefix, strict=False)
            if f"IPv{net.version}" != ethertype:
                raise ApiError(400, f"Conflicting value ethertype {ethertype} for CIDR {prefix}",
                               "SecurityGroupRuleParameterConflict")
            prefix = str(net)
        for rid in g["rules"]:
            r = self.rules[rid]
            if (r["direction"], r["ethertype"], r["protocol"], r["port_range_min"],
                    r["port_range_max"], r["remote_ip_prefix"]) == (
                    direction, ethertype, protocol, pmin, pmax, prefix):
                raise ApiError(409, f"Security group rule already exists. Rule id is {rid}.",
                               "SecurityGroupRuleExists")
        r = self._new_rule(ctx.project, g, direction, ethertype, protocol, pmin, pmax, prefix,
                           req.get("remote_group_id"))
        self._touch(g)
        return Reply(201, {"security_group_rule": self.rule_view(r, False)},
                     f"{SAMPLES}/security-groups/security-group-rule-create-response.json")

    # ---- tags (standard-attr-tag extension) -------------------------------------------

    def replace_tags(self, ctx, collection, obj_id):
        table = {"networks": self.networks, "subnets": self.subnets,
                 "security-groups": self.groups}[collection]
        obj = table.get(obj_id)
        if obj is None or obj["project"] != ctx.project:
            kind = {"networks": "Network", "subnets": "Subnet",
                    "security-groups": "SecurityGroup"}[collection]
            raise ApiError(404, f"{kind} {obj_id} could not be found.", f"{kind}NotFound")
        tags = (ctx.body or {}).get("tags")
        if not isinstance(tags, list) or any(
                not isinstance(t, str) or not t or len(t) > MAX_TAG_LEN for t in tags):
            raise ApiError(400, f"Invalid input for tags. Reason: {tags!r} is not a list of "
                           f"strings of at most {MAX_TAG_LEN} characters.", "InvalidInput")
        obj["tags"] = sorted(set(tags))
        self._touch(obj)
        return Reply(200, {"tags": obj["tags"]}, f"{SAMPLES}/tag/tag-update-response.json")

    def routes(self):
        r = re.compile
        return [
            ("POST", r(r"^/v2\.0/networks$"), self.create_network),
            ("GET", r(r"^/v2\.0/networks$"), self.list_networks),
            ("GET", r(r"^/v2\.0/networks/([^/]+)$"), self.show_network),
            ("DELETE", r(r"^/v2\.0/networks/([^/]+)$"), self.delete_network),
            ("POST", r(r"^/v2\.0/subnets$"), self.create_subnet),
            ("GET", r(r"^/v2\.0/subnets$"), self.list_subnets),
            ("GET", r(r"^/v2\.0/subnets/([^/]+)$"), self.show_subnet),
            ("DELETE", r(r"^/v2\.0/subnets/([^/]+)$"), self.delete_subnet),
            ("POST", r(r"^/v2\.0/security-groups$"), self.create_group),
            ("GET", r(r"^/v2\.0/security-groups$"), self.list_groups),
            ("GET", r(r"^/v2\.0/security-groups/([^/]+)$"), self.show_group),
            ("DELETE", r(r"^/v2\.0/security-groups/([^/]+)$"), self.delete_group),
            ("POST", r(r"^/v2\.0/security-group-rules$"), self.create_rule),
            ("PUT", r(r"^/v2\.0/(networks|subnets|security-groups)/([^/]+)/tags$"),
             self.replace_tags),
        ]
