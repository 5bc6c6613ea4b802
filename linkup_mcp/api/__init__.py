"""LinkupAPI over HTTP: the client, retries, rate limit, webhook streams."""
