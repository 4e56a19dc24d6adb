"""Serving use cases: models and endpoints, deploy/undeploy and traffic, online and bulk
prediction (input parsing, chunking, the HTTP transport), and the snippets the dialogs show.
"""
