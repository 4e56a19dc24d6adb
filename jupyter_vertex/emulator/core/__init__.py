"""The embedded Vertex's generic core: HTTP dispatch from the client libraries' HTTP rules, auth,
Google's error model, protos, the SQLite store, resource names, listing (filters, order,
pages, masks) and long-running operations. It knows no API's resources."""
