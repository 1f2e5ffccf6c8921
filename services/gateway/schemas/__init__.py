"""Request and response bodies of the gateway's own API, one module per resource."""
