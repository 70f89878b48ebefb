"""Rule tooling: loading and checking rules/, explain, leftovers, and scoring against gold."""
