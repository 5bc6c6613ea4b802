"""MCP wiring: the server, its transports, resources, prompts and subscriptions."""
