"""Glance image API v2, read side: list (marker paging, `next` link) and show.

Images are seeded once; public ones are visible to every project. Extra
properties (`os_type`, `os_distro`, ...) travel as top-level string keys, as
Glance's image schema allows (`additionalProperties: {type: string}`).
"""

import re

from common import ApiError, Reply, one, page

SAMPLES = "glance:api-ref/source/v2/samples"

# (id, name, properties, min_disk, size); all public and active.
SEED = [
    ("6b1c9c4e-3f2a-4d59-9d5e-2c5f6b1f0a01", "cirros-0.6.2-x86_64-disk",
     {"os_distro": "cirros", "architecture": "x86_64"}, 0, 21430272),
    ("6b1c9c4e-3f2a-4d59-9d5e-2c5f6b1f0a02", "ubuntu-22.04-server-cloudimg-amd64",
     {"os_type": "linux", "os_distro": "ubuntu", "os_version": "22.04", "architecture": "x86_64"},
     3, 663552000),
    ("6b1c9c4e-3f2a-4d59-9d5e-2c5f6b1f0a03", "debian-12-genericcloud-amd64",
     {"os_type": "linux", "os_distro": "debian", "os_version": "12", "architecture": "x86_64"},
     2, 351272960),
    ("6b1c9c4e-3f2a-4d59-9d5e-2c5f6b1f0a04", "rocky-9-genericcloud-arm64",
     {"os_type": "linux", "os_distro": "rocky", "os_version": "9", "architecture": "aarch64"},
     10, 601882624),
    ("6b1c9c4e-3f2a-4d59-9d5e-2c5f6b1f0a05", "windows-server-2022",
     {"os_type": "windows", "os_distro": "windows", "os_version": "2022", "architecture": "x86_64"},
     40, 9663676416),
]


class Glance:
    def __init__(self, page_max):
        self.page_max = page_max
        self.images = []
        for n, (image_id, name, props, min_disk, size) in enumerate(SEED):
            stamp = f"2024-0{n + 1}-15T10:00:00Z"
            self.images.append({
                "id": image_id, "name": name, "props": props, "min_disk": min_disk,
                "size": size, "owner": "admin-project", "visibility": "public",
                "created_at": stamp, "updated_at": stamp,
            })
        # Glance lists newest first (sort_key=created_at, sort_dir=desc).
        self.images.sort(key=lambda i: i["created_at"], reverse=True)

    def get(self, image_id, project):
        for i in self.images:
            if i["id"] == image_id and (i["visibility"] == "public" or i["owner"] == project):
                return i
        return None

    @staticmethod
    def view(i):
        body = {
            "status": "active",
            "name": i["name"],
            "tags": [],
            "container_format": "bare",
            "created_at": i["created_at"],
            "disk_format": "qcow2",
            "updated_at": i["updated_at"],
            "visibility": i["visibility"],
            "self": f"/v2/images/{i['id']}",
            "min_disk": i["min_disk"],
            "protected": False,
            "id": i["id"],
            "file": f"/v2/images/{i['id']}/file",
            "checksum": "64d7c1cd2b6f60c92c14662941cb7913",
            "os_hash_algo": "sha512",
            "os_hash_value": "073b4523583784fbe01daff81eba092a262ec37ba6d04dd3f52e4cd5c93eb82"
                             "58af44881345ecda0e49f3d8cc6d2df6b050ff3e72681d723234aff9d17d0cf09",
            "os_hidden": False,
            "owner": i["owner"],
            "size": i["size"],
            "min_ram": 0,
            "schema": "/v2/schemas/image",
            "virtual_size": None,
        }
        body.update(i["props"])
        return body

    def list_images(self, ctx):
        visible = [i for i in self.images if i["visibility"] == "public" or i["owner"] == ctx.project]
        chunk, full, _ = page(visible, ctx.query, self.page_max)
        body = {"images": [self.view(i) for i in chunk], "schema": "/v2/schemas/images",
                "first": "/v2/images"}
        if full:
            limit = one(ctx.query, "limit")
            suffix = f"&limit={limit}" if limit else ""
            body["next"] = f"/v2/images?marker={chunk[-1]['id']}{suffix}"
        return Reply(200, body, f"{SAMPLES}/images-list-response.json")

    def show_image(self, ctx, image_id):
        i = self.get(image_id, ctx.project)
        if i is None:
            raise ApiError(404, f"No image found with ID {image_id}")
        return Reply(200, self.view(i), f"{SAMPLES}/image-show-response.json")

    def routes(self):
        return [
            ("GET", re.compile(r"^/v2/images$"), self.list_images),
            ("GET", re.compile(r"^/v2/images/([^/]+)$"), self.show_image),
        ]
