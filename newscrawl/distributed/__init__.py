"""Distributed crawling with Redis: settings wiring, shared queue and lock, the Redis store."""
