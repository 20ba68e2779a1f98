"""Where a crawl keeps things: the state store, durable feeds, the WARC archive."""
