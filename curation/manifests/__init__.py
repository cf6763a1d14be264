"""Manifests: criteria, frozen versions and their renderings, with API, tasks and admin."""
