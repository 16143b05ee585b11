"""Local runtime for `make serve` and the tests: template.yaml's API, queues and schedules over in-process moto.

Never shipped (not in template.yaml). Importing the package has no side effects; use the modules:
`template.load_template`, `resources.create_resources`, `server.LocalRuntime`.
"""
