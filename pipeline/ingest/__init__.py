"""Sources: the Hub crawl, the bundled snapshot, the hub-stats dump; raw records → typed batches."""
