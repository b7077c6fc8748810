"""What every response passes through, whichever side served it: security headers, outages, health checks."""
