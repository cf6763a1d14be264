"""Coverage: per-nation reports, gaps (pure `gaps`), charts, policies, API and pages."""
