"""The catalogue: reference data, organisations, memberships and assets. Imports nothing from
curation."""
