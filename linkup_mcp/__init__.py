"""linkup-mcp: every LinkupAPI V2 action as a credit-aware MCP tool."""

__version__ = "0.1.0"
