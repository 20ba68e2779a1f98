"""Project commands: ``scrapy extract`` and ``scrapy demo``."""
