"""Profiling runs: runs, shards, leases and the stored profiles, with their API, tasks and
admin."""
