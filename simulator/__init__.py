"""A local call simulator: plays whole calls through the real call-control handler against local AWS fakes.

Run from the repository root: `python -m simulator inbound`, `python -m simulator outbound --busy`.
"""
