"""Cloud Resource Manager ``projects.get``, v3 (``GET /v3/projects/{id}``, what
``resourcemanager_v3.ProjectsClient.get_project`` sends) and v1 (``GET /v1/projects/{id}``).

Every valid project id is a project of the embedded Vertex: its number is the one its
resource names carry (:func:`..core.resources.project_number`), so the SDK's bucket-owner
check (a bucket's ``projectNumber`` against the project's) passes for local buckets created
for that project. A project named by its number answers that number, with the number as its
id (the id a number came from is not recorded).
"""

from __future__ import annotations

from typing import Any

from ..core.protos import import_types
from ..core.resources import project_number
from ..core.routing import Call, Reply, Route

V3 = "google.cloud.resourcemanager.v3."

# the time the embedded Vertex's projects say they were created (they always existed)
CREATE_TIME = "2024-01-01T00:00:00Z"
ACTIVE_V3 = 1  # google.cloud.resourcemanager.v3.Project.State.ACTIVE


async def get_project_v3(call: Call) -> Reply:
    name = str(call.request.get("name", ""))
    project_id = name.partition("/")[2]
    number = project_number(project_id, "name")
    data: dict[str, Any] = {
        "name": f"projects/{number}",
        "projectId": project_id,
        "state": ACTIVE_V3 if call.int_enums else "ACTIVE",
        "displayName": project_id,
        "createTime": CREATE_TIME,
        "updateTime": CREATE_TIME,
        "etag": f'W/"{number}"',
    }
    return Reply(V3 + "Project", data)


async def get_project_v1(call: Call) -> Reply:
    project_id = str(call.request.get("projectId", ""))
    number = project_number(project_id, "projectId")
    data = {
        "projectNumber": number,
        "projectId": project_id,
        "lifecycleState": "ACTIVE",
        "name": project_id,
        "createTime": CREATE_TIME,
    }
    return Reply("", data)


def load_types() -> None:
    """Register Resource Manager's v3 messages (for the gRPC transport)."""
    import_types("google.cloud.resourcemanager_v3", ["projects"], "google-cloud-resource-manager")


def routes() -> list[Route]:
    load_types()
    return [
        Route(
            "GET",
            "/v3/{name=projects/*}",
            "",
            get_project_v3,
            grpc_request=V3 + "GetProjectRequest",
        ),
        Route("GET", "/v1/projects/{project_id}", "", get_project_v1),
    ]
