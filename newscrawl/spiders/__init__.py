"""Site modules: one per site, each declaring a ``SiteSpec`` (``SPEC``); sites.py holds
the spider the registry makes of each, base.py the NewsSpider they share, news.py the
spider for any other site."""
