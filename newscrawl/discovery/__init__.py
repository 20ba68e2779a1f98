"""Finding article URLs: feeds and sitemaps (sources), robots.txt, URL normalization."""
