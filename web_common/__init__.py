"""Request code both web apps share: the per-network throttle as seen from a
request, and the response headers. Flask lives here and in the apps, never in
the data layer (``utvag``), which the worker and the CLI use too."""
