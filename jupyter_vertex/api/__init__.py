"""The extension's REST API: ``openapi.yaml`` (the contract with the panel) and the request
validation that checks every request against it (:mod:`.validation`)."""
