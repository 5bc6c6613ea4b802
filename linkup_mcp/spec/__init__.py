"""Specs as data: models, loading, the compiler (specs -> MCP tools), the result envelope and docs."""
