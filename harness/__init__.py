"""Local servers for the tests, the benchmark and `make serve-edge`: Bunko under gunicorn, Varnish in front of it,
an SMTP sink, reached over plain HTTP.

Its own package because tests/ and bench/ both use it and never import each other. It is neither app code
(blog/ never imports it) nor deployment: deploy/ says how the edge is configured, this starts it on loopback.
"""
