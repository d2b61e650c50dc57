"""What the pages share: session/URL state, cached loaders, widgets."""
