"""Cloud Resource Manager (``google.cloud.resourcemanager_v3``, and v1's REST shape):
``projects.get`` for the embedded Vertex's projects, so the SDK's bucket-owner check
(``resource_manager_utils.get_project_number``) finds the number its resource names use."""
