"""Running Bunko beyond one process: the edge (deploy/varnish) and the instances behind it."""
