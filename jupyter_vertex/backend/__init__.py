"""The only code that knows the embedded Vertex from Google Cloud Vertex AI.

- :mod:`.clients`: the client factory (Google's GAPIC clients for either backend).
- :mod:`.supervisor`, :mod:`.external`, :mod:`.publisher`, :mod:`.link`: the embedded
  Vertex, supervised as a child process or running elsewhere, and its connection for kernels.
- :mod:`.emulator_options`: the embedded Vertex's command-line options from the app's config.
- :mod:`.discovery`: project, region and account for Vertex AI.
- :mod:`.monitoring_rest`: a REST transport for the Monitoring client library.
- :mod:`.blocking`: the thread pool that blocking client calls run in.
"""
