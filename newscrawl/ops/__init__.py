"""Running unattended: the crawl lock, the run report and verdict, monitors, the Python runner."""
