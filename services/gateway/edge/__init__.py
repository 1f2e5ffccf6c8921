"""The gateway's edge: the proxy to the services (forwarding, transport, routing), the two
doors (surfaces), the HTTP edge (compression, limits), the rate limits and the OpenAPI merge."""
