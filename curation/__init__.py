"""What is learned from the catalogue and handed out: profiles, coverage, gaps and manifests."""
