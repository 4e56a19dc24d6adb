"""Resource names, numeric ids, timestamps and etags, as Vertex AI shapes them.

- Names carry the project *number*, like Vertex: a request may name a project by id
  (``my-project``) or by number; answers always use the number. An id maps to a stable
  12-digit number (a hash), so the same project id always lands on the same resources.
- Server-assigned ids are random 19-digit numbers (Vertex's shape); model version ids count
  up from 1 within a model.
- Timestamps are RFC 3339 in UTC with microseconds.
- Etags are a hash of the resource as answered, so they change whenever the answer does.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from .errors import invalid_argument

# Project ids are 6-30 characters on Google Cloud; the emulator is looser so tests and
# examples can use short ids like "p". All-digit segments are project numbers.
_PROJECT_ID = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
_PROJECT_NUMBER = re.compile(r"^[1-9][0-9]{0,18}$")
_LOCATION = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
# A resource id in a name: server ids are digits; user ids are lowercase words.
_RESOURCE_ID = re.compile(r"^[a-z0-9_][a-z0-9_-]{0,62}$")
# Collections whose ids Vertex AI allows longer than 63 (a PipelineJob id: up to 128, as
# pipeline_job_id at create).
_LONG_IDS = {"pipelineJobs": re.compile(r"^[a-z0-9][a-z0-9-]{0,127}$")}
# UploadModelRequest.model_id: "[a-z0-9_-], the first character cannot be a number or hyphen".
MODEL_ID = re.compile(r"^[a-z_][a-z0-9_-]{0,62}$")
# CreateEndpointRequest.endpoint_id: a letter then [a-z0-9-] (<= 63, ends alphanumeric), or
# a number of at most 9 digits without leading zeros.
ENDPOINT_ID = re.compile(r"^(?:[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?|[1-9][0-9]{0,8})$")
# Model version aliases, as Vertex documents them.
VERSION_ALIAS = re.compile(r"^[a-z][a-zA-Z0-9-]{0,126}[a-z0-9]$")
VERSION_ID = re.compile(r"^[1-9][0-9]{0,18}$")


def project_number(project: str, field: str = "name") -> str:
    """The project number for a project id or number (numbers pass through)."""
    if _PROJECT_NUMBER.match(project):
        return project
    if not _PROJECT_ID.match(project):
        raise invalid_argument(f"Invalid {field}: {project!r} is not a valid project id or number.")
    digest = hashlib.sha256(b"jupyter-vertex-project:" + project.encode()).digest()
    return str(100_000_000_000 + int.from_bytes(digest[:8], "big") % 900_000_000_000)


@dataclass(frozen=True)
class LocationName:
    project: str  # the project number
    location: str

    @property
    def path(self) -> str:
        return f"projects/{self.project}/locations/{self.location}"

    def child(self, collection: str, resource_id: str) -> str:
        return f"{self.path}/{collection}/{resource_id}"


def parse_location(name: str, field: str = "parent") -> LocationName:
    parts = name.split("/")
    if len(parts) != 4 or parts[0] != "projects" or parts[2] != "locations":
        raise invalid_argument(
            f"Invalid {field}: {name!r} does not match projects/{{project}}/locations/{{location}}."
        )
    if not _LOCATION.match(parts[3]):
        raise invalid_argument(f"Invalid {field}: {parts[3]!r} is not a valid location.")
    return LocationName(project_number(parts[1], field), parts[3])


@dataclass(frozen=True)
class ResourceName:
    """``projects/*/locations/*/{collection}/{id}``, optionally with ``@version`` (models)."""

    location: LocationName
    collection: str
    resource_id: str
    version: str | None = None  # a version id, an alias, or "-" (models only)

    @property
    def path(self) -> str:
        """The unversioned name, with the project number."""
        return self.location.child(self.collection, self.resource_id)


def parse_resource_name(
    name: str, collection: str, field: str = "name", *, allow_version: bool = False
) -> ResourceName:
    parts = name.split("/")
    if len(parts) != 6 or parts[4] != collection:
        raise invalid_argument(
            f"Invalid {field}: {name!r} does not match "
            f"projects/{{project}}/locations/{{location}}/{collection}/{{id}}."
        )
    location = parse_location("/".join(parts[:4]), field)
    resource_id, version = parts[5], None
    if "@" in resource_id:
        if not allow_version:
            raise invalid_argument(f"Invalid {field}: {name!r} must not name a version.")
        resource_id, version = resource_id.split("@", 1)
        if version != "-" and not (VERSION_ID.match(version) or VERSION_ALIAS.match(version)):
            raise invalid_argument(
                f"Invalid {field}: {version!r} is neither a version id nor a version alias."
            )
    if not _LONG_IDS.get(collection, _RESOURCE_ID).match(resource_id):
        raise invalid_argument(f"Invalid {field}: {resource_id!r} is not a valid resource id.")
    return ResourceName(location, collection, resource_id, version)


def last_segment(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def new_numeric_id() -> str:
    """A random 19-digit id, the shape of Vertex's server-assigned ids."""
    return str(1_000_000_000_000_000_000 + secrets.randbelow(8_000_000_000_000_000_000))


def now() -> datetime:
    return datetime.now(timezone.utc)


def timestamp(moment: datetime | None = None) -> str:
    """RFC 3339, UTC, microseconds: ``2024-05-01T12:00:00.123456Z``."""
    moment = (moment or now()).astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))$"
)


def parse_timestamp(text: str) -> tuple[int, int]:
    """An RFC 3339 timestamp as (unix seconds, nanos), for exact comparisons."""
    match = _TIMESTAMP.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not an RFC 3339 timestamp")
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction = match.group(7) or ""
    moment = datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)
    seconds = int(moment.timestamp())
    if match.group(9):
        offset = (int(match.group(10)) * 60 + int(match.group(11))) * 60
        seconds += -offset if match.group(9) == "+" else offset
    return seconds, int(fraction.ljust(9, "0")) if fraction else 0


def etag(resource: dict[str, Any]) -> str:
    """An opaque etag for a resource as answered (its ``etag`` field left out)."""
    content = {k: v for k, v in resource.items() if k != "etag"}
    digest = hashlib.sha256(
        json.dumps(content, sort_keys=True, separators=(",", ":")).encode()
    ).digest()
    return base64.urlsafe_b64encode(digest[:15]).decode()


_LABEL_KEY = re.compile(r"^[\w-]{1,63}$", re.UNICODE)
_LABEL_VALUE = re.compile(r"^[\w-]{0,63}$", re.UNICODE)


def validate_labels(labels: dict[str, str], field: str = "labels") -> None:
    """Google Cloud label rules: <= 64 labels; keys start with a lowercase letter; keys and
    values <= 63 characters of lowercase letters, digits, ``_`` and ``-`` (international
    letters allowed)."""
    if len(labels) > 64:
        raise invalid_argument(f"Invalid {field}: at most 64 labels are allowed.")
    for key, value in labels.items():
        if not _LABEL_KEY.match(key) or not key[0].isalpha() or key.lower() != key:
            raise invalid_argument(
                f"Invalid {field}: key {key!r} must start with a lowercase letter and contain "
                "only lowercase letters, digits, '_' and '-' (at most 63 characters)."
            )
        if not _LABEL_VALUE.match(value) or value.lower() != value:
            raise invalid_argument(
                f"Invalid {field}: value {value!r} of key {key!r} may contain only lowercase "
                "letters, digits, '_' and '-' (at most 63 characters)."
            )


def validate_display_name(value: str | None, field: str, *, required: bool = True) -> None:
    if not value:
        if required:
            raise invalid_argument(f"{field} is required.")
        return
    if len(value) > 128:
        raise invalid_argument(f"Invalid {field}: at most 128 characters are allowed.")
