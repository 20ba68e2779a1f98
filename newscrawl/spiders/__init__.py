"""Site spiders: one module per site, each a declarative NewsSpider subclass."""
