"""Guards against hostile or broken servers: SSRF, faulty responses, secrets in logs."""
