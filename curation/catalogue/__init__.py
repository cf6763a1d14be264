"""The DCAT-AP 3.0 catalogue of public assets (pure `dcat`), its service and feed."""
