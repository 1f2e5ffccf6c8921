"""Development tools: the local stack, its processes, demo and synthetic data. Not shipped."""
